"""``kg ontology impact``: before a change to the ontology, shapes or mappings is published, who would it break?

For a proposed version (NEW, a tree laid out like the repository root, or a git revision) against the version
in use (OLD, by default the configured directories), five steps, each recorded as ran, skipped or failed:

1. ``diff`` — the term and shape changes (:mod:`kg_service.ontology.diff`).
2. ``mappings`` — mapping rules (``mappings/**/*.yaml``, YARRRML) that mention a removed, renamed or otherwise
   changed term, with file and line. Lines come from a text scan (prefixed names with the file's and the
   default prefixes, and full IRIs, outside comments); when the rule engine
   (:func:`kg_service.mapping.yarrrml.load_yarrrml_file`) reads the file, each mention also names the triples
   map it belongs to.
3. ``shapes`` — shapes (``shapes/**/*.ttl``) that mention such a term as ``sh:targetClass`` (and the other
   targets), in ``sh:path``, ``sh:class``, ``sh:in``, ``sh:hasValue``, ``sh:datatype`` or in the text of an
   ``sh:sparql`` query.
4. ``queries`` — named SPARQL queries in ``kg_service/queries/*.py`` that mention such a term, with the module
   constant (or function) holding the query and, where a GraphQL field can be found for it, the field: either
   from a ``GRAPHQL_FIELDS = {"CONSTANT": "Type.field"}`` table in the module, or by the naming convention
   ``LINKAGE_TABLE_QUERY`` → ``linkageTable`` checked against ``schema.graphql``.
5. ``stored-data`` — the store at ``DATA_DIR/store`` is opened read-only; for each dataset graph
   (``…/graph/dataset/{id}``) it counts the triples that use a removed or renamed term, and validates the
   dataset against the OLD and the NEW shapes (each with its own ontology and reference data) to count the
   focus nodes that conform now and would not conform after the change, per dataset and department. Which
   shapes apply to which dataset comes from ``mappings/datasets.yaml`` (``shapes:`` and ``department:`` of each
   entry); without it every top-level shapes file applies.

Exit codes (:meth:`ImpactReport.exit_code`): 0 nothing breaking, 1 breaking impact found (a breaking change is
used by a mapping, shape, query or stored data; stored data newly fails; or a shape was tightened), 2 a step
could not run.
"""

from __future__ import annotations

import ast
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import unquote

import yaml
from rdflib import RDF, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import SH
from rdflib.term import Node

from kg_service.errors import EXIT_COULD_NOT_RUN, EXIT_OK, EXIT_PROBLEMS, KGServiceError
from kg_service.ontology.code_impact import CodeIndex
from kg_service.ontology.diff import OntologyDiff, TermChange, diff_trees, read_version
from kg_service.ontology.rendering import list_items, path_iris, render, short
from kg_service.ontology.shape_diff import ShapeFiles, load_shapes
from kg_service.ontology.sources import read_turtle
from kg_service.ontology.trees import ProjectTree
from kg_service.store.embedded import EmbeddedStore
from kg_service.vocab import CPS, GRAPH, PREFIXES, instance_iri

StepStatus = Literal["ran", "skipped", "failed"]
EngineChoice = Literal["auto", "pyshacl", "fast"]

STEP_DIFF: Final = "diff"
STEP_MAPPINGS: Final = "mappings"
STEP_SHAPES: Final = "shapes"
STEP_QUERIES: Final = "queries"
STEP_STORED_DATA: Final = "stored-data"

DATASET_GRAPH_PREFIX: Final = f"{GRAPH}dataset/"
CATALOGUE_FILE: Final = "datasets.yaml"
EXAMPLES_PER_DATASET: Final = 5
_PREFIXED_NAME: Final = re.compile(r"(?<![\w:/#<.\-$])([A-Za-z][\w\-]*)?:([A-Za-z_][\w\-.]*)")
_FULL_IRI: Final = re.compile(r"https?://[^\s<>\"'`{}|\\^]+")
_COMMENT: Final = re.compile(r"(^|\s)#.*$")
_TURTLE_PREFIX: Final = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w\-]*)?:\s*<([^>\s]+)>", re.IGNORECASE)
_SHAPE_ROLES: Final = {
    SH.targetClass: "sh:targetClass",
    SH.targetNode: "sh:targetNode",
    SH.targetSubjectsOf: "sh:targetSubjectsOf",
    SH.targetObjectsOf: "sh:targetObjectsOf",
    SH["class"]: "sh:class",
    SH.hasValue: "sh:hasValue",
    SH.datatype: "sh:datatype",
}
_QUERY_SUFFIXES: Final = ("_QUERY", "_SPARQL", "_SELECT", "_CONSTRUCT", "_ASK", "_UPDATE")
_VIOLATION: Final = str(SH.Violation)


# --- the report -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TermUse:
    """One place that mentions a changed term.

    ``artefact`` is ``mapping``, ``shape`` or ``query``; ``file`` is relative to the tree's root directory of
    that artefact; ``context`` says where inside (triples map, shape and role, query constant);
    ``graphql_field`` is set for queries that a GraphQL field serves. ``breaking`` copies the term's change.
    """

    artefact: Literal["mapping", "shape", "query"]
    term: str
    file: str
    line: int | None
    context: str
    breaking: bool
    change: str
    graphql_field: str | None = None


@dataclass(frozen=True, slots=True)
class StoredTermUse:
    """Triples of a stored dataset that use a removed or renamed term."""

    dataset: str
    department: str
    term: str
    triples: int
    breaking: bool
    change: str


@dataclass(frozen=True, slots=True)
class FailingNode:
    """A focus node that conforms to the OLD shapes and would not conform to the NEW ones."""

    focus_node: str
    shape: str | None
    path: str | None
    message_en: str
    message_ko: str


@dataclass(frozen=True, slots=True)
class DatasetImpact:
    """How one stored dataset fares under the OLD and the NEW shapes (focus nodes with violations)."""

    dataset: str
    department: str
    graph: str
    triples: int
    shapes_old: tuple[str, ...]
    shapes_new: tuple[str, ...]
    failing_old: int
    failing_new: int
    newly_failing: int
    examples: tuple[FailingNode, ...] = ()


@dataclass(frozen=True, slots=True)
class ImpactStep:
    """Whether one step ran, was skipped (why) or failed (why), and how long it took."""

    name: str
    status: StepStatus
    reason_en: str = ""
    reason_ko: str = ""
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class ImpactReport:
    """Everything :func:`analyse_impact` found."""

    old_label: str
    new_label: str
    diff: OntologyDiff | None
    uses: tuple[TermUse, ...]
    stored_uses: tuple[StoredTermUse, ...]
    datasets: tuple[DatasetImpact, ...]
    steps: tuple[ImpactStep, ...]
    notes: tuple[str, ...] = ()

    @property
    def breaking(self) -> bool:
        """Whether anything breaking was found (see the module docstring)."""
        return (
            any(u.breaking for u in self.uses)
            or any(u.breaking for u in self.stored_uses)
            or any(d.newly_failing for d in self.datasets)
            or (self.diff is not None and any(s.breaking for s in self.diff.shape_changes))
        )

    @property
    def complete(self) -> bool:
        """True when no step failed."""
        return all(step.status != "failed" for step in self.steps)

    def exit_code(self) -> int:
        """1 breaking impact, else 2 when a step failed, else 0."""
        if self.breaking:
            return EXIT_PROBLEMS
        return EXIT_OK if self.complete else EXIT_COULD_NOT_RUN

    def uses_of(self, artefact: str) -> tuple[TermUse, ...]:
        """The term uses found in mappings, shapes or queries."""
        return tuple(u for u in self.uses if u.artefact == artefact)

    def by_department(self) -> dict[str, int]:
        """Newly failing focus nodes per department."""
        totals: dict[str, int] = {}
        for dataset in self.datasets:
            totals[dataset.department] = totals.get(dataset.department, 0) + dataset.newly_failing
        return totals

    def as_dict(self) -> dict[str, object]:
        """The report as plain data for JSON."""
        return {
            "old": self.old_label,
            "new": self.new_label,
            "breaking": self.breaking,
            "exit_code": self.exit_code(),
            "summary": {
                "mapping_uses": len(self.uses_of("mapping")),
                "shape_uses": len(self.uses_of("shape")),
                "query_uses": len(self.uses_of("query")),
                "stored_term_uses": len(self.stored_uses),
                "newly_failing_focus_nodes": sum(d.newly_failing for d in self.datasets),
                "by_department": self.by_department(),
            },
            "diff": self.diff.as_dict() if self.diff is not None else None,
            "uses": [asdict(u) for u in self.uses],
            "stored_uses": [asdict(u) for u in self.stored_uses],
            "datasets": [
                {**asdict(d), "shapes_old": list(d.shapes_old), "shapes_new": list(d.shapes_new)}
                for d in self.datasets
            ],
            "steps": [{**asdict(s), "seconds": round(s.seconds, 3)} for s in self.steps],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        """The report as indented JSON."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


# --- the analysis ---------------------------------------------------------------------------------------------


def analyse_impact(
    old: ProjectTree,
    new: ProjectTree,
    *,
    store_dir: Path | None,
    engine: EngineChoice = "auto",
) -> ImpactReport:
    """Find what the change from ``old`` to ``new`` would break; see the module docstring.

    ``store_dir`` is the embedded store to check (``None`` or absent: the stored-data step is skipped).
    Raises :class:`~kg_service.errors.OntologyError` only when the ontology of either version cannot be read.
    """
    notes: list[str] = []
    steps: list[ImpactStep] = []
    started = time.monotonic()
    diff = diff_trees(old, new)
    steps.append(ImpactStep(STEP_DIFF, "ran", seconds=time.monotonic() - started))
    affected = diff.affected_terms()
    uses: list[TermUse] = []

    mappings_dir = new.mappings_dir or old.mappings_dir
    steps.append(
        _timed(STEP_MAPPINGS, mappings_dir, lambda d: uses.extend(scan_mappings(d, affected, notes)))
    )
    shapes_dir = new.shapes_dir or old.shapes_dir
    steps.append(
        _timed(STEP_SHAPES, shapes_dir, lambda d: uses.extend(scan_shapes(load_shapes(d), affected)))
    )
    queries_dir = new.queries_dir or old.queries_dir
    api_dir = new.api_dir or old.api_dir
    schema = new.graphql_schema or old.graphql_schema
    steps.append(
        _timed(
            STEP_QUERIES,
            queries_dir,
            lambda d: uses.extend(scan_queries(d, affected, api_dir=api_dir, schema=schema, notes=notes)),
        )
    )

    stored_uses: list[StoredTermUse] = []
    datasets: list[DatasetImpact] = []
    store_started = time.monotonic()
    if store_dir is None or not store_dir.exists():
        steps.append(
            ImpactStep(
                STEP_STORED_DATA,
                "skipped",
                f"no store at {store_dir}" if store_dir else "no data directory given",
                f"{store_dir}에 저장소가 없음" if store_dir else "데이터 디렉터리가 지정되지 않음",
            )
        )
    else:
        try:
            check = _StoredDataCheck(store_dir, old, new, diff, engine, notes)
            stored_uses, datasets = check.run()
            steps.append(ImpactStep(STEP_STORED_DATA, "ran", seconds=time.monotonic() - store_started))
        except KGServiceError as exc:
            steps.append(
                ImpactStep(
                    STEP_STORED_DATA,
                    "failed",
                    exc.message,
                    exc.message_ko,
                    seconds=time.monotonic() - store_started,
                )
            )
    return ImpactReport(
        old.label,
        new.label,
        diff,
        tuple(uses),
        tuple(stored_uses),
        tuple(datasets),
        tuple(steps),
        tuple(notes),
    )


def _timed(name: str, directory: Path | None, action: Callable[[Path], object]) -> ImpactStep:
    if directory is None or not directory.is_dir():
        return ImpactStep(
            name, "skipped", "no such directory in either version", "두 버전 모두 해당 디렉터리 없음"
        )
    started = time.monotonic()
    try:
        action(directory)
    except KGServiceError as exc:
        return ImpactStep(name, "failed", exc.message, exc.message_ko, time.monotonic() - started)
    return ImpactStep(name, "ran", seconds=time.monotonic() - started)


def _change_summary(changes: tuple[TermChange, ...]) -> tuple[bool, str]:
    breaking = any(c.breaking for c in changes)
    parts = []
    for change in changes:
        if change.kind in ("removed", "renamed"):
            parts.append(f"{change.kind}" + (f" → {short(change.replaced_by)}" if change.replaced_by else ""))
        else:
            parts.append(f"{change.aspect} {change.old or '—'} → {change.new or '—'}")
    return breaking, "; ".join(parts)


# --- mentions in text (mapping rules and query modules) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Mention:
    iri: str
    line: int
    column: int
    text: str


def find_mentions(
    text: str, prefixes: Mapping[str, str], wanted: Iterable[str], *, first_line: int = 1
) -> list[_Mention]:
    """Where the IRIs in ``wanted`` are written in ``text``, as prefixed names or full IRIs, outside comments.

    >>> [m.line for m in find_mentions("a: cps:Sensor  # cps:Sensor\\nb: <https://data.seoul.go.kr/cps/ontology#Sensor>",
    ...     {"cps": "https://data.seoul.go.kr/cps/ontology#"}, ["https://data.seoul.go.kr/cps/ontology#Sensor"])]
    [1, 2]
    """
    targets = set(wanted)
    found: list[_Mention] = []
    for offset, raw_line in enumerate(text.splitlines()):
        line = _COMMENT.sub("", raw_line)
        for match in _PREFIXED_NAME.finditer(line):
            namespace = prefixes.get(match.group(1) or "")
            if namespace is None:
                continue
            iri = namespace + match.group(2).rstrip(".")
            if iri in targets:
                found.append(
                    _Mention(iri, first_line + offset, match.start() + 1, match.group(0).rstrip("."))
                )
        for match in _FULL_IRI.finditer(line):
            iri = match.group(0).rstrip(".,;)]>")
            if iri in targets:
                found.append(_Mention(iri, first_line + offset, match.start() + 1, iri))
    return found


def scan_mappings(
    mappings_dir: Path, affected: Mapping[str, tuple[TermChange, ...]], notes: list[str]
) -> list[TermUse]:
    """Mapping rule files under ``mappings_dir`` that mention an affected term (file and line)."""
    uses: list[TermUse] = []
    if not affected:
        return uses
    default_prefixes = _default_mapping_prefixes()
    files = sorted(
        [*mappings_dir.rglob("*.yaml"), *mappings_dir.rglob("*.yml"), *mappings_dir.rglob("*.ttl")]
    )
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        rml = path.suffix == ".ttl"
        declared = dict(_TURTLE_PREFIX.findall(text)) if rml else _yaml_prefixes(text)
        prefixes = {**default_prefixes, **declared}
        mentions = find_mentions(text, prefixes, affected)
        if not mentions:
            continue
        contexts = {} if rml else _rule_contexts(path, notes)
        relative = path.relative_to(mappings_dir).as_posix()
        for mention in mentions:
            breaking, summary = _change_summary(affected[mention.iri])
            context = _context_at(contexts, mention.line)
            uses.append(
                TermUse(
                    "mapping", mention.iri, relative, mention.line, context or mention.text, breaking, summary
                )
            )
    return uses


def _context_at(contexts: Mapping[int, str], line: int) -> str:
    """The rule element written on ``line``, else the triples map (or melt, lookup) the line lies in."""
    if line in contexts:
        return contexts[line]
    before = [number for number, text in contexts.items() if number < line and not text.endswith(")")]
    return contexts[max(before)] if before else ""


def _default_mapping_prefixes() -> dict[str, str]:
    try:
        from kg_service.mapping.yarrrml import DEFAULT_PREFIXES
    except ImportError:
        return dict(PREFIXES)
    return dict(DEFAULT_PREFIXES)


def _yaml_prefixes(text: str) -> dict[str, str]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    prefixes = document.get("prefixes") if isinstance(document, dict) else None
    if not isinstance(prefixes, dict):
        return {}
    return {str(k): str(v) for k, v in prefixes.items() if isinstance(v, str)}


def _rule_contexts(path: Path, notes: list[str]) -> dict[int, str]:
    """Line → "triples map NAME (role)" from the rule engine's model, when the engine can read the file."""
    try:
        from kg_service.mapping.rules import Constant, term_maps_of
        from kg_service.mapping.yarrrml import load_yarrrml_file
    except ImportError:
        return {}
    try:
        rules = load_yarrrml_file(path)
    except (KGServiceError, ValueError, LookupError, TypeError, AttributeError, OSError) as exc:
        if path.name != CATALOGUE_FILE:
            notes.append(
                f"{path.name}: the rule engine could not read it ({exc}); lines come from the text only"
            )
        return {}
    contexts: dict[int, str] = {}
    for triples_map in rules.triples_maps:
        if triples_map.location.line is not None:
            contexts.setdefault(triples_map.location.line, f"triples map {triples_map.name!r}")
        for role, term in term_maps_of(triples_map):
            if isinstance(term, Constant) and term.location.line is not None:
                contexts[term.location.line] = f"triples map {triples_map.name!r} ({role})"
        for pom in triples_map.predicate_objects:
            if pom.location.line is not None:
                contexts.setdefault(pom.location.line, f"triples map {triples_map.name!r} (predicate-object)")
    for melt in rules.melts:
        for column in melt.columns:
            if column.location.line is not None:
                contexts.setdefault(column.location.line, f"melt {melt.name!r} column {column.column!r}")
    for table in rules.lookups:
        if table.location.line is not None:
            contexts.setdefault(table.location.line, f"lookup table {table.name!r}")
    return contexts


# --- shapes ---------------------------------------------------------------------------------------------------


def scan_shapes(shapes: ShapeFiles, affected: Mapping[str, tuple[TermChange, ...]]) -> list[TermUse]:
    """Shapes that target, constrain or query an affected term."""
    uses: list[TermUse] = []
    for name, graph in sorted(shapes.files.items()):
        text = (shapes.directory / name).read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines()
        prefixes = {**PREFIXES, **dict(_TURTLE_PREFIX.findall(text))}
        for shape, role, iri in sorted(
            _shape_references(graph, affected), key=lambda r: (str(r[0]), r[1], r[2])
        ):
            breaking, summary = _change_summary(affected[iri])
            label = _shape_label(shapes.graph, shape)
            line = _line_of(lines, shape, iri, prefixes)
            uses.append(TermUse("shape", iri, name, line, f"{label} {role}", breaking, summary))
    return uses


def _shape_references(
    graph: Graph, affected: Mapping[str, tuple[TermChange, ...]]
) -> Iterator[tuple[Node, str, str]]:
    for predicate, role in _SHAPE_ROLES.items():
        for shape, obj in graph.subject_objects(predicate):
            if isinstance(obj, URIRef) and str(obj) in affected:
                yield shape, role, str(obj)
    for shape, path in graph.subject_objects(SH.path):
        for iri in path_iris(graph, path):
            if str(iri) in affected:
                yield shape, "sh:path", str(iri)
    for shape, members in graph.subject_objects(SH["in"]):
        for member in list_items(graph, members):
            if isinstance(member, URIRef) and str(member) in affected:
                yield shape, "sh:in", str(member)
    for shape, constraint in graph.subject_objects(SH.sparql):
        prefixes = {**PREFIXES, **_declared_prefixes(graph)}
        for predicate in (SH.select, SH.ask):
            for query in graph.objects(constraint, predicate):
                for mention in find_mentions(str(query), prefixes, affected):
                    yield shape, "sh:sparql", mention.iri


def _declared_prefixes(graph: Graph) -> dict[str, str]:
    declared: dict[str, str] = {}
    for declaration in graph.objects(None, SH.declare):
        prefix, namespace = graph.value(declaration, SH.prefix), graph.value(declaration, SH.namespace)
        if isinstance(prefix, RdfLiteral) and namespace is not None:
            declared[str(prefix)] = str(namespace)
    return declared


def _shape_label(graph: Graph, shape: Node) -> str:
    if isinstance(shape, URIRef):
        return short(str(shape))
    parent = next(iter(sorted(graph.subjects(SH.property, shape), key=str)), None)
    path = graph.value(shape, SH.path)
    inner = f"[sh:path {render(graph, path)}]" if path is not None else "[…]"
    return f"{short(str(parent))}/{inner}" if isinstance(parent, URIRef) else inner


def _line_of(lines: list[str], shape: Node, iri: str, prefixes: Mapping[str, str]) -> int | None:
    """The first line mentioning ``iri`` after the line that starts the shape's description (or anywhere)."""
    start = 0
    if isinstance(shape, URIRef):
        names = {f"<{shape}>"} | {
            f"{p}:{str(shape)[len(ns) :]}" for p, ns in prefixes.items() if ns and str(shape).startswith(ns)
        }
        for number, line in enumerate(lines):
            if any(line.startswith(name) for name in names):
                start = number
                break
    text = "\n".join(lines[start:])
    mentions = find_mentions(text, prefixes, [iri], first_line=start + 1)
    if not mentions and start:
        mentions = find_mentions("\n".join(lines), prefixes, [iri])
    return mentions[0].line if mentions else None


# --- queries and GraphQL fields -------------------------------------------------------------------------------


def scan_queries(
    queries_dir: Path,
    affected: Mapping[str, tuple[TermChange, ...]],
    *,
    api_dir: Path | None,
    schema: Path | None,
    notes: list[str],
) -> list[TermUse]:
    """Named queries in ``queries_dir`` that mention an affected term, with the GraphQL fields that reach them.

    Fields come from the API package (``api_dir``, see :mod:`kg_service.ontology.code_impact`), else from a
    ``GRAPHQL_FIELDS = {"CONSTANT": "Type.field"}`` table in the query module, else from the naming convention
    ``LINKAGE_TABLE_QUERY`` → ``linkageTable`` checked against ``schema``.
    """
    if not affected:
        return []
    index = CodeIndex.build({"queries": queries_dir, "api": api_dir} if api_dir else {"queries": queries_dir})
    if api_dir is None and schema is None:
        notes.append(
            "no API package or schema.graphql: queries are reported without GraphQL fields (GraphQL 필드 미확인)"
        )
    schema_fields = graphql_fields(schema) if schema is not None else set()
    tables: dict[str, dict[str, str]] = {}
    uses: list[TermUse] = []
    for mention in index.mentions(affected, package="queries", prefixes=PREFIXES):
        module = index.modules[mention.module]
        if mention.module not in tables:
            tables[mention.module] = _field_table(module.tree)
        key = index.definition_of(mention.module, mention.owner)
        owner = key[1]
        found = index.fields_reaching(key)
        graphql = (
            ", ".join(found)
            or tables[mention.module].get(owner.split(".")[0])
            or _field_by_convention(owner.split(".")[0], schema_fields)
        )
        breaking, summary = _change_summary(affected[mention.iri])
        relative = module.path.relative_to(queries_dir).as_posix()
        uses.append(
            TermUse(
                "query",
                mention.iri,
                relative,
                mention.line,
                f"{mention.module.removeprefix('queries.')}.{owner}",
                breaking,
                summary,
                graphql or None,
            )
        )
    return uses


def graphql_fields(schema: Path) -> set[str]:
    """``Type.field`` for every field of every object type in a GraphQL SDL file."""
    text = re.sub(r'"""[\s\S]*?"""|"[^"\n]*"|#[^\n]*', "", schema.read_text(encoding="utf-8"))
    fields: set[str] = set()
    for match in re.finditer(r"\b(?:extend\s+)?type\s+(\w+)[^{]*\{([^}]*)\}", text):
        depth = 0
        for token in re.finditer(r"[()]|^\s*(\w+)\s*(?=[(:])", match.group(2), re.MULTILINE):
            if token.group(0) == "(":
                depth += 1
            elif token.group(0) == ")":
                depth -= 1
            elif depth == 0 and token.group(1):
                fields.add(f"{match.group(1)}.{token.group(1)}")
    return fields


def _field_table(module: ast.Module) -> dict[str, str]:
    for statement in module.body:
        target, value = None, None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign):
            target, value = statement.target, statement.value
        if isinstance(target, ast.Name) and target.id == "GRAPHQL_FIELDS" and value is not None:
            try:
                table = ast.literal_eval(value)
            except ValueError:
                return {}
            if isinstance(table, dict):
                return {
                    str(k): ", ".join(v) if isinstance(v, list | tuple) else str(v) for k, v in table.items()
                }
    return {}


def _field_by_convention(owner: str, fields: set[str]) -> str | None:
    name = owner
    for suffix in _QUERY_SUFFIXES:
        if name.upper().endswith(suffix):
            name = name[: -len(suffix)]
            break
    parts = [p for p in name.lower().split("_") if p]
    if not parts:
        return None
    camel = parts[0] + "".join(p.capitalize() for p in parts[1:])
    matches = sorted(f for f in fields if f.split(".", 1)[1] == camel)
    return ", ".join(matches) if matches else None


# --- stored data ----------------------------------------------------------------------------------------------


@dataclass
class _Catalogue:
    """Which shapes files apply to a dataset and which department owns it (``mappings/datasets.yaml``)."""

    shapes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)


def read_catalogue(path: Path | None) -> _Catalogue:
    """Read the dataset catalogue leniently (only ``shapes`` and ``department`` are used here)."""
    catalogue = _Catalogue()
    if path is None or not path.is_file():
        return catalogue
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return catalogue
    entries: Any = document.get("datasets", document) if isinstance(document, dict) else document
    items: list[tuple[str, Any]] = []
    if isinstance(entries, dict):
        items = [(str(k), v) for k, v in entries.items()]
    elif isinstance(entries, list):
        items = [(str(e.get("id")), e) for e in entries if isinstance(e, dict) and e.get("id")]
    for dataset_id, entry in items:
        if not isinstance(entry, dict):
            continue
        shapes = entry.get("shapes")
        if isinstance(shapes, str):
            shapes = [shapes]
        if isinstance(shapes, list):
            catalogue.shapes[dataset_id] = tuple(str(s) for s in shapes)
        if entry.get("department"):
            catalogue.departments[dataset_id] = str(entry["department"])
    return catalogue


class _StoredDataCheck:
    """Counts stored uses of removed terms and newly failing focus nodes, dataset by dataset."""

    def __init__(
        self,
        store_dir: Path,
        old: ProjectTree,
        new: ProjectTree,
        diff: OntologyDiff,
        engine: EngineChoice,
        notes: list[str],
    ) -> None:
        self.store_dir = store_dir
        self.old = old
        self.new = new
        self.diff = diff
        self.engine = engine
        self.notes = notes

    def run(self) -> tuple[list[StoredTermUse], list[DatasetImpact]]:
        store = EmbeddedStore.open(self.store_dir, read_only=True)
        try:
            graphs = [s for s in store.graph_sizes() if s.graph.startswith(DATASET_GRAPH_PREFIX)]
            old_catalogue = read_catalogue(
                self.old.mappings_dir / CATALOGUE_FILE if self.old.mappings_dir else None
            )
            new_catalogue = read_catalogue(
                self.new.mappings_dir / CATALOGUE_FILE if self.new.mappings_dir else None
            )
            if not new_catalogue.shapes and not old_catalogue.shapes:
                self.notes.append(
                    f"no {CATALOGUE_FILE}: every dataset is checked against every top-level shapes file "
                    f"({CATALOGUE_FILE} 없음: 모든 셰이프로 검사)"
                )
            stored_uses: list[StoredTermUse] = []
            impacts: list[DatasetImpact] = []
            old_version = read_version(self.old.ontology_dir, label=self.old.label)
            new_version = read_version(self.new.ontology_dir, label=self.new.label)
            validator = _validator(self.engine, self.notes)
            for size in graphs:
                dataset = unquote(size.graph[len(DATASET_GRAPH_PREFIX) :])
                department = (
                    new_catalogue.departments.get(dataset)
                    or old_catalogue.departments.get(dataset)
                    or _department_in_store(store, dataset)
                )
                stored_uses.extend(self._stored_uses(store, size.graph, dataset, department))
                data = Graph()
                for triple in store.triples(size.graph):
                    data.add(triple)
                linked = _linked_types(store, data)
                old_files = _shape_files(self.old.shapes_dir, old_catalogue.shapes.get(dataset), self.notes)
                new_files = _shape_files(self.new.shapes_dir, new_catalogue.shapes.get(dataset), self.notes)
                old_failures = validator(
                    data,
                    _merge(old_files),
                    old_version.ontology,
                    _referenced(data, old_version.reference, linked),
                )
                new_failures = validator(
                    data,
                    _merge(new_files),
                    new_version.ontology,
                    _referenced(data, new_version.reference, linked),
                )
                subjects = {str(s) for s in data.subjects()}
                old_nodes = {f.focus_node for f in old_failures if f.focus_node in subjects}
                fresh: dict[str, FailingNode] = {}
                for failure in new_failures:
                    if failure.focus_node in subjects and failure.focus_node not in old_nodes:
                        fresh.setdefault(failure.focus_node, failure)
                new_nodes = {f.focus_node for f in new_failures if f.focus_node in subjects}
                impacts.append(
                    DatasetImpact(
                        dataset,
                        department,
                        size.graph,
                        size.triples,
                        tuple(name for name, _ in old_files),
                        tuple(name for name, _ in new_files),
                        len(old_nodes),
                        len(new_nodes),
                        len(fresh),
                        tuple(fresh[k] for k in sorted(fresh)[:EXAMPLES_PER_DATASET]),
                    )
                )
            return stored_uses, impacts
        finally:
            store.close()

    def _stored_uses(
        self, store: EmbeddedStore, graph: str, dataset: str, department: str
    ) -> list[StoredTermUse]:
        import pyoxigraph as ox

        uses: list[StoredTermUse] = []
        graph_node = ox.NamedNode(graph)
        for iri, changes in sorted(self.diff.affected_terms().items()):
            gone = [c for c in changes if c.kind in ("removed", "renamed")]
            if not gone:
                continue
            term = ox.NamedNode(iri)
            count = sum(1 for _ in store.raw.quads_for_pattern(None, term, None, graph_node))
            count += sum(1 for _ in store.raw.quads_for_pattern(None, None, term, graph_node))
            if count:
                breaking, summary = _change_summary(tuple(gone))
                uses.append(StoredTermUse(dataset, department, iri, count, breaking, summary))
        return uses


def _referenced(data: Graph, reference: Graph, linked: Graph) -> Graph:
    """The context of a dataset: what the reference data says about the resources the dataset points to (one
    hop: districts, dongs, platforms, departments), plus ``linked``. Only that, not all reference data, so that
    validation looks at the dataset and not at 467 dong geometries."""
    context = Graph()
    for triple in linked:
        context.add(triple)
    subjects = set(data.subjects())
    for obj in set(data.objects()):
        if isinstance(obj, URIRef) and obj not in subjects:
            for predicate, value in reference.predicate_objects(obj):
                context.add((obj, predicate, value))
    return context


def _merge(graphs: Iterable[Graph | tuple[str, Graph]]) -> Graph:
    merged = Graph()
    for item in graphs:
        graph = item[1] if isinstance(item, tuple) else item
        for triple in graph:
            merged.add(triple)
    return merged


def _shape_files(
    shapes_dir: Path | None, listed: tuple[str, ...] | None, notes: list[str]
) -> list[tuple[str, Graph]]:
    if shapes_dir is None:
        return []
    paths = [shapes_dir / name for name in listed] if listed else sorted(shapes_dir.glob("*.ttl"))
    result: list[tuple[str, Graph]] = []
    for path in paths:
        if not path.is_file():
            notes.append(f"shapes file listed in {CATALOGUE_FILE} not found: {path}")
            continue
        result.append((path.relative_to(shapes_dir).as_posix(), read_turtle(path)))
    return result


def _linked_types(store: EmbeddedStore, data: Graph) -> Graph:
    """``rdf:type`` triples, from other dataset graphs, of resources the dataset points to but does not describe."""
    import pyoxigraph as ox

    subjects = set(data.subjects())
    linked = Graph()
    rdf_type = ox.NamedNode(str(RDF.type))
    for obj in set(data.objects()):
        if not isinstance(obj, URIRef) or obj in subjects:
            continue
        for quad in store.raw.quads_for_pattern(ox.NamedNode(str(obj)), rdf_type, None, None):
            graph_name = quad.graph_name
            in_dataset = isinstance(graph_name, ox.NamedNode) and graph_name.value.startswith(
                DATASET_GRAPH_PREFIX
            )
            if in_dataset and isinstance(quad.object, ox.NamedNode):
                linked.add((obj, RDF.type, URIRef(quad.object.value)))
    return linked


def _department_in_store(store: EmbeddedStore, dataset: str) -> str:
    values = store.objects(instance_iri("dataset", dataset), CPS.ownedBy)
    if values:
        return unquote(str(values[0]).rsplit("/", 1)[-1])
    return "unknown"


# --- validators -----------------------------------------------------------------------------------------------

_Validator = Any


def _validator(engine: EngineChoice, notes: list[str]) -> _Validator:
    if engine in ("auto", "fast"):
        try:
            from kg_service.validation.engine import ValidationEngine
        except ImportError:
            if engine == "fast":
                notes.append("the fast validation engine is not available; pySHACL was used")
        else:

            def validate_fast(
                data: Graph, shapes: Graph, ontology: Graph, context: Graph
            ) -> list[FailingNode]:
                if len(shapes) == 0:
                    return []
                engine = ValidationEngine(shapes, ontology=ontology)
                return _failures_from_engine(engine.validate(data, context=context))

            return validate_fast
    return _validate_pyshacl


def _validate_pyshacl(data: Graph, shapes: Graph, ontology: Graph, context: Graph) -> list[FailingNode]:
    """Focus nodes with violations, by pySHACL (the reference semantics), with ontology and context mixed in."""
    if len(shapes) == 0:
        return []
    from pyshacl import validate

    # The ontology and context are merged here rather than passed as ont_graph: pySHACL clones every blank node
    # of an ont_graph recursively, which takes minutes on the ontology's union lists; a plain merge is the same
    # data graph.
    _conforms, results, _text = validate(
        _merge([data, ontology, context]),
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        meta_shacl=False,
        advanced=False,
    )
    failures: list[FailingNode] = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if str(results.value(result, SH.resultSeverity)) != _VIOLATION:
            continue
        focus = results.value(result, SH.focusNode)
        shape = results.value(result, SH.sourceShape)
        path = results.value(result, SH.resultPath)
        messages = {
            (m.language or "en"): str(m)
            for m in results.objects(result, SH.resultMessage)
            if isinstance(m, RdfLiteral)
        }
        failures.append(
            FailingNode(
                str(focus),
                short(str(shape)) if isinstance(shape, URIRef) else None,
                render(results, path) if path is not None else None,
                messages.get("en", next(iter(messages.values()), "")),
                messages.get("ko", messages.get("en", "")),
            )
        )
    return failures


def _failures_from_engine(report: Any) -> list[FailingNode]:
    """Focus nodes with violations from the compiling engine's report (:mod:`kg_service.validation.report`)."""
    failures: list[FailingNode] = []
    for result in report.results:
        if not result.rejects:
            continue
        messages: dict[str, str] = dict(result.messages)
        shape = result.source_shape
        failures.append(
            FailingNode(
                str(result.focus_node),
                short(shape) if shape and not shape.startswith("_:") else None,
                short(result.result_path) if result.result_path else None,
                messages.get("en", next(iter(messages.values()), "")),
                messages.get("ko", messages.get("en", "")),
            )
        )
    return failures
