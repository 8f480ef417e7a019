"""The W3C KG-Construct RML-Core test cases, run from their manifest and compared by graph isomorphism.

Each case has ``mapping.ttl``, JSON inputs and either the expected ``output.nq`` or ``rml-test:hasError true``.
A case passes when our output is isomorphic to the expected output graph by graph, or — for error cases — when
loading, checking or mapping reports an error (an exception, or an error-severity problem).

JSON inputs are read by a small reader in this module rather than by ``kg_service.mapping.sources``: the suite
needs what the service's string tables do not carry — the natural datatype of JSON numbers and booleans
(``"10"^^xsd:integer``) and multi-valued references (``$.amounts[*]``). The reader passes both through the
executor's documented extension points: ``__datatype.<column>`` companion columns and list-typed columns.

Cases outside the supported subset are listed in :data:`ALLOWED_FAILURES` with the reason; the suite fails if
one of them starts passing, so the list stays honest.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from kg_service.errors import KGServiceError
from kg_service.mapping.executor import execute
from kg_service.mapping.mapping_result import graphs_of_nquads
from kg_service.mapping.rml import load_rml_file
from kg_service.mapping.rule_check import check_rules
from kg_service.mapping.rules import NATURAL_DATATYPE_PREFIX, XSD, LogicalSource
from kg_service.mapping.source_table import ROW_COLUMN, SourceTable

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DIR", REPO.parent / "shared"))
CASES_DIR = SHARED / "reference" / "rml-core-test-cases" / "test-cases"
TEST = Namespace("http://w3id.org/rml/test/")

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not (CASES_DIR / "manifest.ttl").exists(),
        reason=f"RML-Core test cases not available at {CASES_DIR} (set KG_SHARED_DIR to the shared/ directory)",
    ),
]

ALLOWED_FAILURES: dict[str, str] = {
    "RMLTC0027b-JSON": "rml:UnsafeIRI with values containing spaces: the expected output has IRIs such as "
    "<http://example.com/Person/Emily Smith>, which N-Triples forbids; the engine never writes an invalid IRI "
    "(it reports the cell as a problem instead), and the expected file itself cannot be parsed strictly",
}
"""Test id → why the case is outside the supported subset (or cannot be compared)."""


@dataclass(frozen=True)
class Case:
    """One test case of the manifest."""

    identifier: str
    directory: Path
    mapping: str
    has_error: bool
    base_iri: str
    output: str | None


def load_manifest() -> list[Case]:
    """The test cases listed in ``manifest.ttl``, sorted by identifier."""
    manifest = CASES_DIR / "manifest.ttl"
    if not manifest.exists():
        return []
    graph = Graph()
    graph.parse(manifest, format="turtle")
    cases = []
    for node in graph.subjects(RDF.type, URIRef("http://www.w3.org/2006/03/test-description#TestCase")):
        identifier = str(graph.value(node, DCTERMS.identifier))
        output_node = graph.value(node, TEST.output)
        output = str(graph.value(output_node, TEST.output)) if output_node is not None else None
        has_error = graph.value(node, TEST.hasError)
        cases.append(
            Case(
                identifier=identifier,
                directory=CASES_DIR / identifier,
                mapping=str(graph.value(node, TEST.mappingDocument)),
                has_error=str(has_error).lower() == "true",
                base_iri=str(graph.value(node, TEST.defaultBaseIRI) or "http://example.com/"),
                output=output,
            )
        )
    return sorted(cases, key=lambda c: c.identifier)


# --- a minimal JSONPath reader (iterator + natural datatypes + arrays) ---------------------------------------------


def _iterate(document: Any, iterator: str | None) -> list[Any]:
    path = (iterator or "$").strip()
    if not path.startswith("$"):
        raise ValueError(f"unsupported iterator {path!r}")
    nodes = [document]
    rest = path[1:]
    while rest:
        if rest.startswith("[*]"):
            nodes = [item for node in nodes if isinstance(node, list) for item in node]
            rest = rest[3:]
        elif rest.startswith("."):
            end = min([i for i in (rest.find(".", 1), rest.find("[", 1)) if i > 0] or [len(rest)])
            key = rest[1:end]
            nodes = [node[key] for node in nodes if isinstance(node, dict) and key in node]
            rest = rest[end:]
        elif rest.startswith("['"):
            end = rest.index("']")
            key = rest[2:end]
            nodes = [node[key] for node in nodes if isinstance(node, dict) and key in node]
            rest = rest[end + 2 :]
        else:
            raise ValueError(f"unsupported iterator {path!r}")
    if path in ("$", "$[*]") and nodes and isinstance(nodes[0], list) and path == "$":
        return list(nodes[0])
    return nodes


def _natural(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        return ("true" if value else "false"), XSD + "boolean"
    if isinstance(value, int):
        return str(value), XSD + "integer"
    if isinstance(value, float):
        return repr(value), XSD + "double"
    return str(value), None


def _flatten(item: Any, prefix: str, row: dict[str, Any]) -> None:
    if not isinstance(item, dict):
        text, datatype = _natural(item)
        row[prefix or "$"] = (text, datatype)
        return
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, name + ".", row)
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                pairs = [_natural(v) for v in value]
                row[name + "[*]"] = ([t for t, _ in pairs], [d for _, d in pairs])
        else:
            row[name] = _natural(value)


def read_json_table(path: Path, source: LogicalSource) -> SourceTable:
    """Rows of a JSON file under the source's iterator, with natural datatypes and list-valued array columns."""
    document = json.loads(path.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = []
    for item in _iterate(document, source.spec.iterator):
        row: dict[str, Any] = {}
        _flatten(item, "", row)
        rows.append(row)
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    data: dict[str, pl.Series] = {}
    for name in names:
        is_list = name.endswith("[*]")
        dtype = pl.List(pl.String) if is_list else pl.String
        values = [row.get(name, (None, None)) for row in rows]
        data[name] = pl.Series(name, [v[0] for v in values], dtype=dtype)
        types = [v[1] for v in values]
        if any(t is not None for t in (x for ts in types for x in (ts if is_list and ts else [ts]))):
            data[NATURAL_DATATYPE_PREFIX + name] = pl.Series(
                NATURAL_DATATYPE_PREFIX + name, types, dtype=dtype
            )
    frame = pl.DataFrame(data).with_columns(pl.int_range(1, len(rows) + 1, dtype=pl.UInt32).alias(ROW_COLUMN))
    return SourceTable(path.name, frame, list(names))


# --- running a case ----------------------------------------------------------------------------------------------


def run_case(case: Case) -> dict[str | None, Graph]:
    """Map the case's inputs; raise :class:`KGServiceError` (or the reader's error) when mapping fails."""
    rule_set = load_rml_file(case.directory / case.mapping, base_iri=case.base_iri)
    tables = {}
    for source in rule_set.sources:
        if source.path is None:
            raise KGServiceError("logical source without a path", "경로가 없는 논리 소스")
        tables[source.key] = read_json_table(case.directory / source.path, source)
    # A JSON source without rows has no header to check against.
    headers = {key: table.columns for key, table in tables.items() if table.frame.height}
    check_rules(rule_set, source_columns=headers)
    result = execute(rule_set, tables)
    if result.has_errors:
        raise KGServiceError(
            "; ".join(p.message_en for p in result.problems[:3]),
            "; ".join(p.message_ko for p in result.problems[:3]),
        )
    return result.to_rdflib_graphs()


def same_graphs(actual: dict[str | None, Graph], expected: dict[str | None, Graph]) -> bool:
    """Graph-by-graph isomorphism (blank node labels may differ)."""
    if actual.keys() != expected.keys():
        return False
    return all(isomorphic(actual[k], expected[k]) for k in actual)


def _dump(graphs: dict[str | None, Graph]) -> str:
    return "\n".join(
        sorted(f"{s.n3()} {p.n3()} {o.n3()} {g or ''}" for g, graph in graphs.items() for s, p, o in graph)
    )


def _check(case: Case) -> None:
    if case.has_error:
        with pytest.raises((KGServiceError, OSError, ValueError, KeyError)):
            run_case(case)
        return
    assert case.output is not None
    expected = graphs_of_nquads((case.directory / case.output).read_bytes())
    actual = run_case(case)
    if not same_graphs(actual, expected):
        pytest.fail(
            f"output differs from expected\n--- actual\n{_dump(actual)}\n--- expected\n{_dump(expected)}"
        )


CASES = load_manifest()


@pytest.mark.parametrize("case", CASES, ids=[c.identifier for c in CASES])
def test_rml_core_case(case: Case) -> None:
    if case.identifier in ALLOWED_FAILURES:
        try:
            _check(case)
        except (pytest.fail.Exception, Exception) as exc:
            pytest.xfail(f"{ALLOWED_FAILURES[case.identifier]} ({type(exc).__name__})")
        pytest.fail(f"{case.identifier} is in ALLOWED_FAILURES but passes; remove it from the list")
    _check(case)


def test_manifest_lists_the_cases() -> None:
    assert len(CASES) >= 70
    assert {c.identifier for c in CASES} >= set(ALLOWED_FAILURES)


def test_natural_datatypes_of_json_values() -> None:
    assert _natural(10) == ("10", XSD + "integer")
    assert _natural(True) == ("true", XSD + "boolean")
    assert _natural("x") == ("x", None)
