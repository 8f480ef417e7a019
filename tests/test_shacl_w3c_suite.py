"""The W3C SHACL test suite (Core and SPARQL), read from its manifests, through our engine and through pySHACL.

Each test compares a report with the expected ``sh:ValidationReport``: ``sh:conforms`` and the set of results
by focus node, path, value, source shape, constraint component and severity. Blank nodes in the expected
report are the blank nodes of the same file (data, shapes and expected report share one document), so they
compare by identity; result paths compare by structure. A test whose ``mf:result`` is ``sht:Failure`` passes
when validation raises.

Our engine must pass every test pySHACL passes: ``test_engine`` runs every test and ``ALLOWED_FAILURES``
names, with a reason, the only tests it may fail (strict: an unexpected pass fails too);
``test_pyshacl`` records pySHACL's own outcome against ``PYSHACL_FAILURES``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg_service.validation import ValidationEngine, ValidationReport, validate_with_pyshacl
from kg_service.validation.paths import path_to_text, read_path
from kg_service.validation.terms import term_from_text
from kg_service.vocab import SH
from tests.conftest import shared_dir

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SUITE = shared_dir() / "reference" / "shacl-test-suite" / "data-shapes-test-suite" / "tests"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not SUITE.exists(), reason=f"W3C SHACL test suite not found at {SUITE} (set KG_SHARED_DIR to shared/)"
    ),
]

ALLOWED_FAILURES: dict[str, str] = {
    "core/property/uniqueLang-002#uniqueLang-002": (
        'pySHACL fails too: the suite counts only the literal true, and rdflib reads "1"^^xsd:boolean as True'
    ),
    "sparql/pre-binding/shapesGraph-001#shapesGraph-001": (
        "pySHACL fails too: $shapesGraph is not supported (the shapes graph is not a graph of the dataset)"
    ),
}
"""Tests our engine may fail, with the reason (pySHACL fails them too, or the XSD departure decides)."""

PYSHACL_FAILURES: dict[str, str] = {
    "core/property/uniqueLang-002#uniqueLang-002": 'treats "1"^^xsd:boolean as true (rdflib reads it as True)',
    "sparql/pre-binding/shapesGraph-001#shapesGraph-001": "raises NotImplementedError for $shapesGraph",
}
"""Tests plain pySHACL 0.40 fails (recorded so that a change in pySHACL shows up)."""

Key = tuple[Node, str, Node | None, Node, str, str]


@dataclass(frozen=True)
class SuiteTest:
    """One ``sht:Validate`` entry of a manifest."""

    iri: str
    file: Path
    data_file: Path
    shapes_file: Path
    expects_failure: bool

    @property
    def name(self) -> str:
        """The test IRI relative to the suite's ``tests`` folder (``core/node/class-001``)."""
        return str(self.file.relative_to(SUITE).with_suffix("")) + "#" + self.iri.rsplit("/", 1)[-1]


def _entries(manifest: Path) -> Iterator[SuiteTest]:
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    for included in graph.objects(None, MF.include):
        yield from _entries(_local(included))
    for entries in graph.objects(None, MF.entries):
        for entry in graph.items(entries):
            if (entry, RDF.type, SHT.Validate) not in graph:
                continue
            action = graph.value(entry, MF.action)
            result = graph.value(entry, MF.result)
            yield SuiteTest(
                iri=str(entry),
                file=manifest,
                data_file=_local(graph.value(action, SHT.dataGraph)),
                shapes_file=_local(graph.value(action, SHT.shapesGraph)),
                expects_failure=result == SHT.Failure,
            )


def _local(iri: Node | None) -> Path:
    assert isinstance(iri, URIRef), iri
    return Path(str(iri).removeprefix("file://"))


def _all_tests() -> list[SuiteTest]:
    if not SUITE.exists():
        return []
    return [*_entries(SUITE / "core" / "manifest.ttl"), *_entries(SUITE / "sparql" / "manifest.ttl")]


TESTS = _all_tests()


def _normal(term: Node | None) -> Node | None:
    """rdflib's canonical literal (both sides are compared after rdflib's parse-time normalisation)."""
    if isinstance(term, Literal):
        return Literal(
            str(term), datatype=term.datatype, lang=term.language.lower() if term.language else None
        )
    return term


def _report_keys(report: ValidationReport) -> tuple[bool, set[Key]]:
    keys: set[Key] = set()
    for result in report.results:
        keys.add(
            (
                _normal(term_from_text(result.focus_node)),  # type: ignore[arg-type]
                result.result_path or "",
                _normal(term_from_text(result.value)) if result.value is not None else None,
                term_from_text(result.source_shape),
                result.source_constraint_component,
                result.custom_severity or result.severity,
            )
        )
    return report.shacl_conforms, keys


def _expected_keys(graph: Graph, test: SuiteTest) -> tuple[bool, set[Key]]:
    result = graph.value(URIRef(test.iri), MF.result)
    conforms = graph.value(result, SH.conforms)
    keys: set[Key] = set()
    for node in graph.objects(result, SH.result):
        path = graph.value(node, SH.resultPath)
        severity = str(graph.value(node, SH.resultSeverity))
        keys.add(
            (
                _normal(graph.value(node, SH.focusNode)),  # type: ignore[arg-type]
                path_to_text(read_path(graph, path)) if path is not None else "",
                _normal(graph.value(node, SH.value)),
                graph.value(node, SH.sourceShape),  # type: ignore[arg-type]
                str(graph.value(node, SH.sourceConstraintComponent)),
                severity.removeprefix(str(SH)) if severity.startswith(str(SH)) else severity,
            )
        )
    return bool(conforms is not None and conforms.toPython()), keys


def _graphs(test: SuiteTest) -> tuple[Graph, Graph, Graph]:
    """(test file graph, data graph, shapes graph); one parse when they are the same file."""
    main = Graph().parse(test.file, format="turtle", publicID=test.file.as_uri())

    def load(path: Path) -> Graph:
        return main if path == test.file else Graph().parse(path, format="turtle", publicID=path.as_uri())

    return main, load(test.data_file), load(test.shapes_file)


def _outcome(test: SuiteTest, engine: str) -> str | None:
    """``None`` when the engine's outcome matches the expected one, else what differs."""
    main, data, shapes = _graphs(test)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.CRITICAL)
        try:
            report = (
                ValidationEngine(shapes).validate(data)
                if engine == "ours"
                else validate_with_pyshacl(shapes, data)
            )
        except Exception as exc:
            return None if test.expects_failure else f"raised {type(exc).__name__}: {exc}"
        finally:
            logging.disable(logging.NOTSET)
    if test.expects_failure:
        return "did not raise"
    got_conforms, got = _report_keys(report)
    want_conforms, want = _expected_keys(main, test)
    problems = []
    if got_conforms != want_conforms:
        problems.append(f"conforms {got_conforms}, expected {want_conforms}")
    if got != want:
        problems.append(f"unexpected {sorted(map(str, got - want))}; missing {sorted(map(str, want - got))}")
    return "; ".join(problems) or None


def _params(known: dict[str, str]) -> list[object]:
    return [
        pytest.param(test, id=test.name, marks=[pytest.mark.xfail(strict=True, reason=known[test.name])])
        if test.name in known
        else pytest.param(test, id=test.name)
        for test in TESTS
    ]


@pytest.mark.parametrize("test", _params(ALLOWED_FAILURES))
def test_engine(test: SuiteTest) -> None:
    problem = _outcome(test, "ours")
    assert problem is None, problem


@pytest.mark.parametrize("test", _params(PYSHACL_FAILURES))
def test_pyshacl(test: SuiteTest) -> None:
    problem = _outcome(test, "pyshacl")
    assert problem is None, problem


def test_engine_passes_whatever_pyshacl_passes() -> None:
    assert set(ALLOWED_FAILURES) <= set(PYSHACL_FAILURES) | {
        name for name, reason in ALLOWED_FAILURES.items() if reason.startswith("XSD departure")
    }


def test_suite_was_found() -> None:
    assert len(TESTS) > 100
