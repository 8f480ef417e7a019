"""``kg ontology check``: is the ontology fit to publish?

Five steps, each recorded in the report as run, skipped (with the reason) or failed:

1. ``parse`` — every ``*.ttl`` in the ontology directory and in ``reference/`` is parsed with rdflib; a syntax
   error is a problem with file and line, not an exception.
2. ``reasoning`` — OWL 2 DL reasoning with HermiT (owlready2) over the ontology and the reference data except
   the large geometry file: an inconsistent ontology and every unsatisfiable class are problems, explained by
   the disjointness axioms they clash with where that can be found. Needs a Java runtime; runs in a child
   process with a time limit (:mod:`kg_service.ontology.reasoner`).
3. ``quality`` — SHACL meta-shapes (``shapes/ontology/*.ttl``) over the ontology: labels and definitions in
   Korean and English, domains and ranges, the versioned header, labelled reference individuals.
4. ``declarations`` — every ``cps:`` term used anywhere is declared somewhere (catches typos in our own terms).
5. ``alignment`` — every term of SOSA/SSN, GeoSPARQL, ORG, DCAT, PROV-O, SKOS, OWL-Time, QUDT and FIWARE Smart
   Data Models used anywhere is defined in the official copies under the shared reference directory.

The report is data (:class:`OntologyCheckReport`); only a check that cannot start at all (no ontology
directory, no shapes) raises :class:`~kg_service.errors.OntologyError`.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg_service.errors import EXIT_COULD_NOT_RUN, EXIT_OK, EXIT_PROBLEMS, OntologyError
from kg_service.ontology.external_vocabularies import ExternalVocabularies, TermVerdict
from kg_service.ontology.reasoner import DEFAULT_TIMEOUT_SECONDS, ReasonerOutcome, java_runtime, run_hermit
from kg_service.vocab import CPS, NGSI_LD, PREFIXES, SDM

Severity = Literal["error", "warning"]
StepStatus = Literal["ran", "skipped", "failed"]

CHECK_SYNTAX = "syntax"
CHECK_INCONSISTENT = "inconsistent"
CHECK_UNSATISFIABLE = "unsatisfiable"
CHECK_QUALITY = "quality"
CHECK_DECLARATION = "declaration"
CHECK_ALIGNMENT = "alignment"

STEP_PARSE = "parse"
STEP_REASONING = "reasoning"
STEP_QUALITY = "quality"
STEP_DECLARATIONS = "declarations"
STEP_ALIGNMENT = "alignment"

# Generated boundaries of Seoul's areas: tens of thousands of WKT literals and nothing for a DL reasoner.
REASONING_EXCLUDED_FILES = frozenset({"reference/seoul-areas.ttl"})
QUALITY_SHAPES_SUBDIR = "ontology"

JAVA_MISSING_EN = "Java not found (HermiT needs a Java runtime; install default-jre-headless)"
JAVA_MISSING_KO = (
    "Java가 없습니다 (HermiT 추론기는 Java 런타임이 필요합니다. default-jre-headless를 설치하세요)"
)


@dataclass(frozen=True, slots=True)
class OntologyProblem:
    """One thing an ontology editor has to fix (``error``) or should look at (``warning``).

    ``check`` says which check found it (``syntax``, ``inconsistent``, ``unsatisfiable``, ``quality``,
    ``declaration``, ``alignment``); ``term`` is the IRI concerned, ``file`` the ontology file (relative to
    the ontology directory) that defines or mentions it, and ``line`` the line in that file where known.
    """

    check: str
    severity: Severity
    term: str | None
    file: str | None
    message_en: str
    message_ko: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class CheckStep:
    """Whether one step ran, was skipped or failed, why, and how long it took.

    A ``failed`` step could not complete (the reasoner timed out or Java failed), so the check is incomplete.
    ``notes`` are remarks that are not problems (for example namespaces that could not be verified).
    """

    name: str
    status: StepStatus
    reason_en: str = ""
    reason_ko: str = ""
    notes: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class OntologyCheckReport:
    """The outcome of :func:`check_ontology`: problems found and the steps that ran."""

    ontology_dir: str
    files: tuple[str, ...]
    triples: int
    problems: tuple[OntologyProblem, ...]
    steps: tuple[CheckStep, ...]

    @property
    def errors(self) -> tuple[OntologyProblem, ...]:
        """The problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[OntologyProblem, ...]:
        """The problems of severity ``warning``."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def complete(self) -> bool:
        """True when no step failed (skipped steps were skipped on purpose and are reported as such)."""
        return all(step.status != "failed" for step in self.steps)

    def step(self, name: str) -> CheckStep:
        """The record of the step called ``name``; raises ``KeyError`` if there is none."""
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def exit_code(self, *, strict: bool = False) -> int:
        """1 when errors were found (or, with ``strict``, warnings); else 2 when a step failed; else 0."""
        if self.errors or (strict and self.warnings):
            return EXIT_PROBLEMS
        return EXIT_OK if self.complete else EXIT_COULD_NOT_RUN

    def as_dict(self) -> dict[str, object]:
        """The report as plain data for JSON."""
        return {
            "ontology_dir": self.ontology_dir,
            "files": list(self.files),
            "triples": self.triples,
            "summary": {
                "problems": len(self.problems),
                "errors": len(self.errors),
                "warnings": len(self.warnings),
            },
            "problems": [asdict(p) for p in self.problems],
            "steps": [
                {**asdict(s), "notes": list(s.notes), "seconds": round(s.seconds, 3)} for s in self.steps
            ],
        }


def curie(iri: str) -> str:
    """``iri`` as a CURIE with the project's prefixes (for display), or ``<iri>`` when no prefix fits.

    >>> curie("https://data.seoul.go.kr/cps/ontology#Sensor")
    'cps:Sensor'
    >>> curie("https://data.seoul.go.kr/cps/id/dong/11110101")
    'id:dong/11110101'
    >>> curie("http://example.org/x")
    '<http://example.org/x>'
    """
    best = max(
        ((p, ns) for p, ns in _DISPLAY_PREFIXES.items() if iri.startswith(ns)),
        key=lambda pn: len(pn[1]),
        default=None,
    )
    if best is not None:
        local = iri[len(best[1]) :]
        if re.fullmatch(r"[\w\-][\w.\-/%]*", local):  # CURIE references may hold '/', unlike Turtle names
            return f"{best[0]}:{local}"
    return f"<{iri}>"


_DISPLAY_PREFIXES = {**PREFIXES, "sdm": str(SDM), "ngsi-ld": str(NGSI_LD)}


def check_ontology(
    ontology_dir: Path,
    *,
    shapes_dir: Path,
    reference_vocabularies_dir: Path | None,
    reasoner: bool = True,
    reasoner_timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> OntologyCheckReport:
    """Check the ontology in ``ontology_dir`` (and its ``reference/`` data); see the module docstring.

    ``shapes_dir`` is the project's ``shapes/`` directory (the meta-shapes are in its ``ontology/`` folder);
    ``reference_vocabularies_dir`` is ``<shared>/reference`` (``None`` or absent: the alignment step is skipped);
    ``reasoner=False`` skips the reasoning step. Raises :class:`OntologyError` when the directory or the shapes
    do not exist or the directory holds no Turtle file.
    """
    ontology = _read_ontology(ontology_dir)
    shapes = _read_quality_shapes(shapes_dir)
    problems: list[OntologyProblem] = list(ontology.syntax_problems)
    steps: list[CheckStep] = [ontology.parse_step]
    blocked = _blocked_by_syntax(ontology)

    if blocked is not None:
        steps.append(_skipped(STEP_REASONING, *blocked))
    elif not reasoner:
        steps.append(
            _skipped(STEP_REASONING, "not asked for (--no-reasoner)", "요청하지 않음 (--no-reasoner)")
        )
    else:
        steps.append(_reasoning_step(ontology, reasoner_timeout, problems))

    if blocked is not None:
        steps.append(_skipped(STEP_QUALITY, *blocked))
        steps.append(_skipped(STEP_DECLARATIONS, *blocked))
    else:
        steps.append(_quality_step(ontology, shapes, problems))
        steps.append(_declarations_step(ontology, problems))

    steps.append(_alignment_step(ontology, reference_vocabularies_dir, problems))
    return OntologyCheckReport(
        ontology_dir=str(ontology_dir),
        files=ontology.files,
        triples=len(ontology.merged),
        problems=tuple(problems),
        steps=tuple(steps),
    )


# --- parse ---------------------------------------------------------------------------------------------------


@dataclass
class _ParsedOntology:
    """The ontology's files parsed one by one, merged, and indexed for "which file defines this term"."""

    directory: Path
    files: tuple[str, ...]  # every Turtle file found, relative to the directory
    graphs: dict[str, Graph]  # relative file name → its triples (files that parsed)
    broken_files: tuple[str, ...]
    syntax_problems: tuple[OntologyProblem, ...]
    parse_step: CheckStep
    merged: Graph = field(default_factory=Graph)
    _texts: dict[str, list[str]] = field(default_factory=dict)
    _iris: dict[str, frozenset[str]] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return self.directory / name

    def defining_file(self, term: URIRef) -> str | None:
        """The file that declares ``term`` (has a type for it, most statements first), else any file about it."""
        best: tuple[int, int, str] | None = None
        for name, graph in self.graphs.items():
            statements = sum(1 for _ in graph.predicate_objects(term))
            if statements:
                typed = 1 if (term, RDF.type, None) in graph else 0
                candidate = (typed, statements, name)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
        return best[2] if best else None

    def iris_in(self, name: str) -> list[str]:
        """Every IRI of file ``name`` in any position (and every literal's datatype), sorted."""
        if name not in self._iris:
            self._iris[name] = frozenset(_iris_of(self.graphs[name]))
        return sorted(self._iris[name])

    def line_of(self, name: str, term: str) -> int | None:
        """The line of ``name`` where ``term`` is first a subject, else first mentioned (1-based), if found."""
        lines = self._lines(name)
        tokens = [re.escape(f"<{term}>")]
        for prefix, namespace in _declared_prefixes(lines).items():
            local = term[len(namespace) :] if term.startswith(namespace) else None
            if local:
                tokens.append(re.escape(f"{prefix}:{local}") + r"(?![\w\-])")
        mention = re.compile(r"(?<![\w\-:])(?:" + "|".join(tokens) + ")")
        as_subject = re.compile(r"^\s*(?:" + "|".join(tokens) + ")")
        first_mention = None
        for number, text in enumerate(lines, start=1):
            if as_subject.search(text):
                return number
            if first_mention is None and mention.search(text):
                first_mention = number
        return first_mention

    def _lines(self, name: str) -> list[str]:
        if name not in self._texts:
            self._texts[name] = self.path(name).read_text(encoding="utf-8", errors="replace").splitlines()
        return self._texts[name]


def _read_ontology(ontology_dir: Path) -> _ParsedOntology:
    if not ontology_dir.is_dir():
        raise OntologyError(
            f"ontology directory not found: {ontology_dir}",
            f"온톨로지 디렉터리가 없습니다: {ontology_dir}",
            hint="give the directory that holds core.ttl (default: the repository's ontology/, or KG_ONTOLOGY_DIR)",
        )
    files = sorted(ontology_dir.glob("*.ttl")) + sorted((ontology_dir / "reference").glob("*.ttl"))
    files = [p for p in files if p.is_file()]
    if not files:
        raise OntologyError(
            f"no Turtle files (*.ttl) in {ontology_dir} or {ontology_dir / 'reference'}",
            f"{ontology_dir} 또는 {ontology_dir / 'reference'}에 Turtle 파일(*.ttl)이 없습니다",
            hint="point the command at the ontology directory",
        )
    started = time.monotonic()
    graphs: dict[str, Graph] = {}
    broken: list[str] = []
    problems: list[OntologyProblem] = []
    for path in files:
        name = path.relative_to(ontology_dir).as_posix()
        graph = Graph()
        store_error = _embedded_store_syntax_error(path)
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises BadSyntax and several other exception types
            broken.append(name)
            problems.append(_syntax_problem(name, store_error, exc))
            continue
        if store_error is not None:
            broken.append(name)
            problems.append(_syntax_problem(name, store_error, None))
            continue
        graphs[name] = graph
    merged = Graph()
    for graph in graphs.values():
        merged += graph
    step = CheckStep(
        STEP_PARSE,
        "ran",
        notes=(f"{len(files)} {'file' if len(files) == 1 else 'files'}, {len(merged)} triples",),
        seconds=time.monotonic() - started,
    )
    names = tuple(path.relative_to(ontology_dir).as_posix() for path in files)
    return _ParsedOntology(ontology_dir, names, graphs, tuple(broken), tuple(problems), step, merged)


def _embedded_store_syntax_error(path: Path) -> SyntaxError | None:
    """The embedded store's (Oxigraph's) verdict on a Turtle file: it gives exact lines and columns, and a file
    rdflib accepts but Oxigraph rejects would still break ``kg init``."""
    try:
        for _ in ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as exc:
        return exc
    return None


def _syntax_problem(
    name: str, store_error: SyntaxError | None, rdflib_error: Exception | None
) -> OntologyProblem:
    """A syntax problem located by Oxigraph where it can (rdflib's line numbers drift in long files)."""
    if store_error is not None:
        line = store_error.lineno
        column = store_error.offset
        why = str(store_error.msg).split(": ", 1)[-1]
        if rdflib_error is None:
            why += " (rdflib reads it, but the embedded store's parser does not)"
        elif _rdflib_reason(rdflib_error).lower() != why.lower():
            why += f" (rdflib: {_rdflib_reason(rdflib_error)})"
    else:
        column = None
        why = _rdflib_reason(rdflib_error)
        found = re.search(r"\bline (\d+)", str(rdflib_error))
        line = int(found.group(1)) if found else None
    where = f" at line {line}" + (f", column {column}" if column else "") if line else ""
    where_ko = f" {line}번째 줄" + (f" {column}번째 열" if column else "") if line else ""
    return OntologyProblem(
        CHECK_SYNTAX,
        "error",
        None,
        name,
        f"Turtle syntax error{where}: {why}",
        f"Turtle 구문 오류{where_ko}: {why}",
        line,
    )


def _rdflib_reason(error: Exception | None) -> str:
    reason = str(getattr(error, "_why", "") or error).strip().splitlines()
    return reason[0] if reason else type(error).__name__


def _blocked_by_syntax(ontology: _ParsedOntology) -> tuple[str, str] | None:
    if not ontology.broken_files:
        return None
    names = ", ".join(ontology.broken_files)
    return (
        f"fix the syntax errors first ({names}): checks of a partly read ontology would mislead",
        f"먼저 구문 오류를 고치세요 ({names}): 일부만 읽은 온톨로지를 검사하면 결과가 잘못될 수 있습니다",
    )


def _skipped(name: str, reason_en: str, reason_ko: str) -> CheckStep:
    return CheckStep(name, "skipped", reason_en, reason_ko)


def _declared_prefixes(lines: list[str]) -> dict[str, str]:
    pattern = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w\-]*):\s*<([^>]*)>", re.IGNORECASE)
    found = {}
    for text in lines:
        match = pattern.match(text)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _iris_of(graph: Graph) -> set[str]:
    iris: set[str] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                iris.add(str(term))
            elif isinstance(term, RdfLiteral) and term.datatype is not None:
                iris.add(str(term.datatype))
    return iris


# --- reasoning -----------------------------------------------------------------------------------------------


def _reasoning_step(ontology: _ParsedOntology, timeout: float, problems: list[OntologyProblem]) -> CheckStep:
    java = java_runtime()
    if java is None:
        return _skipped(STEP_REASONING, JAVA_MISSING_EN, JAVA_MISSING_KO)
    graph = Graph()
    included = [name for name in ontology.graphs if name not in REASONING_EXCLUDED_FILES]
    for name in included:
        graph += ontology.graphs[name]
    outcome = run_hermit(graph, java=java, timeout=timeout)
    notes = (
        f"HermiT over {len(included)} files ({len(graph)} triples); not reasoned over: "
        + (", ".join(sorted(REASONING_EXCLUDED_FILES & set(ontology.graphs))) or "nothing"),
        "owl:imports were not followed (offline); unsupported datatypes (e.g. geo:wktLiteral) were ignored",
    )
    if outcome.status in ("failed", "timeout"):
        return CheckStep(
            STEP_REASONING,
            "failed",
            f"the reasoner could not finish: {outcome.detail}",
            f"추론기가 끝까지 실행되지 못했습니다: {outcome.detail}",
            notes,
            outcome.seconds,
        )
    problems.extend(_reasoning_problems(ontology, graph, outcome))
    return CheckStep(STEP_REASONING, "ran", notes=notes, seconds=outcome.seconds)


def _reasoning_problems(
    ontology: _ParsedOntology, graph: Graph, outcome: ReasonerOutcome
) -> list[OntologyProblem]:
    axioms = _DisjointnessAxioms(graph)
    if outcome.status == "inconsistent":
        return _inconsistency_problems(ontology, graph, axioms)
    unsatisfiable = {URIRef(iri) for iri in outcome.unsatisfiable_classes}
    problems = []
    for cls in sorted(unsatisfiable):
        superclasses = axioms.superclasses(cls)
        inherited = sorted((superclasses - {cls}) & unsatisfiable)
        clashes = axioms.clashes(superclasses)
        if inherited:
            because_en = f"its superclass {curie(inherited[0])} is unsatisfiable"
            because_ko = f"상위 클래스 {curie(inherited[0])}이(가) 충족 불가능합니다"
        elif clashes:
            a, b = clashes[0]
            because_en = f"it is a subclass of {curie(a)} and {curie(b)}, which are declared disjoint"
            because_ko = f"서로소로 선언된 {curie(a)}, {curie(b)} 두 클래스의 하위 클래스입니다"
        else:
            because_en = "check its superclasses, restrictions and disjointness axioms"
            because_ko = "상위 클래스, 제약과 서로소 공리를 확인하세요"
        name = ontology.defining_file(cls)
        problems.append(
            OntologyProblem(
                CHECK_UNSATISFIABLE,
                "error",
                str(cls),
                name,
                f"class is unsatisfiable (no individual can belong to it): {because_en}",
                f"클래스가 충족 불가능합니다 (어떤 개체도 속할 수 없음): {because_ko}",
                ontology.line_of(name, str(cls)) if name else None,
            )
        )
    return problems


def _inconsistency_problems(
    ontology: _ParsedOntology, graph: Graph, axioms: _DisjointnessAxioms
) -> list[OntologyProblem]:
    lead_en = "the ontology is inconsistent (nothing follows from it)"
    lead_ko = "온톨로지가 모순입니다 (이로부터 어떤 추론도 의미가 없습니다)"
    problems = []
    for individual, types in sorted(_asserted_types(graph).items()):
        clashes = axioms.clashes(set().union(*(axioms.superclasses(t) for t in types)))
        if not clashes:
            continue
        a, b = clashes[0]
        name = ontology.defining_file(individual)
        problems.append(
            OntologyProblem(
                CHECK_INCONSISTENT,
                "error",
                str(individual),
                name,
                f"{lead_en}: {curie(individual)} is a {curie(a)} and a {curie(b)}, which are declared disjoint",
                f"{lead_ko}: {curie(individual)}이(가) 서로소로 선언된 {curie(a)}, {curie(b)}에 함께 속합니다",
                ontology.line_of(name, str(individual)) if name else None,
            )
        )
    if not problems:
        problems.append(
            OntologyProblem(
                CHECK_INCONSISTENT,
                "error",
                None,
                None,
                f"{lead_en}: look for an individual in disjoint classes, a functional property with two values, "
                "or a value that contradicts a restriction",
                f"{lead_ko}: 서로소 클래스에 함께 속한 개체, 값이 둘인 함수형 속성, 제약과 어긋나는 값을 찾아보세요",
            )
        )
    return problems


_SCHEMA_TYPES = frozenset(
    {
        OWL.Class,
        RDFS.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDF.Property,
        OWL.Ontology,
        OWL.Restriction,
        OWL.NamedIndividual,
        OWL.AllDisjointClasses,
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.SymmetricProperty,
        OWL.TransitiveProperty,
        OWL.AsymmetricProperty,
        OWL.ReflexiveProperty,
        OWL.IrreflexiveProperty,
    }
)


def _asserted_types(graph: Graph) -> dict[URIRef, set[URIRef]]:
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for subject, cls in graph.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and isinstance(cls, URIRef) and cls not in _SCHEMA_TYPES:
            types[subject].add(cls)
    return types


class _DisjointnessAxioms:
    """Named superclasses and declared disjoint pairs, to explain what HermiT found."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._pairs: set[frozenset[URIRef]] = set()
        for a, b in graph.subject_objects(OWL.disjointWith):
            self._add_pair(a, b)
        for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
            self._add_all(self._members(group, OWL.members))
        for _, members in graph.subject_objects(OWL.disjointUnionOf):
            self._add_all(self._list(members))

    def superclasses(self, cls: URIRef) -> set[URIRef]:
        """``cls`` and its named superclasses through rdfs:subClassOf and owl:equivalentClass, transitively."""
        seen = {cls}
        pending = [cls]
        while pending:
            current = pending.pop()
            for parent in self._parents(current):
                if parent not in seen:
                    seen.add(parent)
                    pending.append(parent)
        return seen

    def clashes(self, classes: set[URIRef]) -> list[tuple[URIRef, URIRef]]:
        """Pairs of ``classes`` declared disjoint, in a stable order."""
        found = [tuple(sorted(pair)) for pair in self._pairs if pair <= classes]
        return sorted((a, b) for a, b in found)

    def _parents(self, cls: URIRef) -> Iterator[URIRef]:
        for predicate in (RDFS.subClassOf, OWL.equivalentClass):
            for parent in self._graph.objects(cls, predicate):
                if isinstance(parent, URIRef):
                    yield parent
                elif isinstance(parent, BNode):  # an intersection: its named members are superclasses too
                    yield from self._members(parent, OWL.intersectionOf)
        for child in self._graph.subjects(OWL.equivalentClass, cls):
            if isinstance(child, URIRef):
                yield child

    def _members(self, node: object, predicate: URIRef) -> list[URIRef]:
        members: list[URIRef] = []
        for head in self._graph.objects(node, predicate):  # type: ignore[arg-type]
            members.extend(self._list(head))
        return members

    def _list(self, head: object) -> list[URIRef]:
        if not isinstance(head, BNode):
            return []
        return [item for item in Collection(self._graph, head) if isinstance(item, URIRef)]

    def _add_pair(self, a: object, b: object) -> None:
        if isinstance(a, URIRef) and isinstance(b, URIRef) and a != b:
            self._pairs.add(frozenset((a, b)))

    def _add_all(self, members: list[URIRef]) -> None:
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                self._add_pair(a, b)


# --- quality (SHACL meta-shapes) -----------------------------------------------------------------------------


def _read_quality_shapes(shapes_dir: Path) -> Graph:
    folder = shapes_dir / QUALITY_SHAPES_SUBDIR
    files = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
    if not files:
        raise OntologyError(
            f"no ontology-quality shapes in {folder}",
            f"{folder}에 온톨로지 품질 셰이프가 없습니다",
            hint="set KG_SHAPES_DIR to the repository's shapes/ directory (it holds ontology/ontology-quality.ttl)",
        )
    shapes = Graph()
    for path in files:
        try:
            shapes.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise OntologyError(
                f"{path}: cannot parse the ontology-quality shapes: {exc}",
                f"{path}: 온톨로지 품질 셰이프를 읽을 수 없습니다: {exc}",
                hint="fix the shapes file's Turtle syntax",
            ) from exc
    return shapes


def _quality_step(ontology: _ParsedOntology, shapes: Graph, problems: list[OntologyProblem]) -> CheckStep:
    from pyshacl import validate

    started = time.monotonic()
    _conforms, results, _text = validate(
        ontology.merged, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True
    )
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        term = str(focus) if isinstance(focus, URIRef) else None
        messages = {_language_of(m): str(m) for m in results.objects(result, SH.resultMessage)}
        fallback = next(iter(messages.values()), "does not meet an ontology-quality shape")
        name = ontology.defining_file(focus) if isinstance(focus, URIRef) else None
        found.append(
            OntologyProblem(
                CHECK_QUALITY,
                "error" if results.value(result, SH.resultSeverity) == SH.Violation else "warning",
                term,
                name,
                messages.get("en", fallback),
                messages.get("ko", fallback),
                ontology.line_of(name, term) if name and term else None,
            )
        )
    problems.extend(sorted(found, key=_problem_order))
    return CheckStep(STEP_QUALITY, "ran", seconds=time.monotonic() - started)


def _language_of(message: object) -> str:
    """The language of a result message; pySHACL drops the tag of SPARQL-constraint messages, so guess it."""
    if isinstance(message, RdfLiteral) and message.language:
        return message.language.lower()
    return "ko" if _HANGUL.search(str(message)) else "en"


_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _problem_order(problem: OntologyProblem) -> tuple[str, int, str, str]:
    return (problem.file or "", problem.line or 0, problem.term or "", problem.message_en)


# --- declarations --------------------------------------------------------------------------------------------


def _declarations_step(ontology: _ParsedOntology, problems: list[OntologyProblem]) -> CheckStep:
    started = time.monotonic()
    namespace = str(CPS)
    declared = {str(s) for s in ontology.merged.subjects(RDF.type, None) if str(s).startswith(namespace)}
    found = []
    for name in ontology.graphs:
        for iri in ontology.iris_in(name):
            if not iri.startswith(namespace) or iri == namespace or iri in declared:
                continue
            closest = _closest_local(iri, namespace, declared)
            hint_en = f" — did you mean {curie(closest)}?" if closest else ""
            hint_ko = f" — {curie(closest)}을(를) 뜻했나요?" if closest else ""
            found.append(
                OntologyProblem(
                    CHECK_DECLARATION,
                    "error",
                    iri,
                    name,
                    f"{curie(iri)} is used but not declared in the ontology (no rdf:type for it){hint_en}",
                    f"쓰였지만 온톨로지에 선언되지 않은 용어입니다 (rdf:type 없음): {curie(iri)}{hint_ko}",
                    ontology.line_of(name, iri),
                )
            )
    problems.extend(found)
    return CheckStep(STEP_DECLARATIONS, "ran", seconds=time.monotonic() - started)


def _closest_local(iri: str, namespace: str, terms: Iterable[str]) -> str | None:
    import difflib

    candidates = {t[len(namespace) :]: t for t in terms if t.startswith(namespace)}
    matches = difflib.get_close_matches(iri[len(namespace) :], list(candidates), n=1, cutoff=0.6)
    return candidates[matches[0]] if matches else None


# --- alignment targets ---------------------------------------------------------------------------------------


def _alignment_step(
    ontology: _ParsedOntology, reference_dir: Path | None, problems: list[OntologyProblem]
) -> CheckStep:
    if reference_dir is None or not reference_dir.is_dir():
        where = f" at {reference_dir}" if reference_dir is not None else ""
        return _skipped(
            STEP_ALIGNMENT,
            f"official vocabulary copies not found{where} (give --shared-dir or set KG_SHARED_DIR)",
            f"공식 어휘 사본을 찾을 수 없습니다{where} (--shared-dir 또는 KG_SHARED_DIR을 지정하세요)",
        )
    started = time.monotonic()
    vocabularies = ExternalVocabularies(reference_dir)
    verified: Counter[str] = Counter()
    for name in ontology.graphs:
        for iri in ontology.iris_in(name):
            verdict = vocabularies.verdict(iri)
            if verdict.status == "defined":
                verified[verdict.vocabulary] += 1
            elif verdict.status in ("unknown", "unverifiable"):
                problems.append(_alignment_problem(ontology, name, verdict))
    per_vocabulary = ", ".join(f"{prefix}: {count}" for prefix, count in sorted(verified.items()))
    notes = [
        f"{verified.total()} uses of external terms found defined ({per_vocabulary or 'none used'}) in {reference_dir}"
    ]
    if verified["dct"]:
        notes.append(
            "dct: terms were checked against rdflib's DCMI Metadata Terms list (no official copy here)"
        )
    notes += [f"missing vocabulary copy: {missing}" for missing in vocabularies.missing_files()]
    return CheckStep(STEP_ALIGNMENT, "ran", notes=tuple(notes), seconds=time.monotonic() - started)


def _alignment_problem(ontology: _ParsedOntology, name: str, verdict: TermVerdict) -> OntologyProblem:
    term = curie(verdict.iri)
    hint_en = f" — did you mean {curie(verdict.closest)}?" if verdict.closest else ""
    hint_ko = f" — {curie(verdict.closest)}을(를) 뜻했나요?" if verdict.closest else ""
    if verdict.status == "unknown":
        severity: Severity = "error"
        message_en = f"{term} is not defined in the official {verdict.title} vocabulary{hint_en}"
        message_ko = f"공식 {verdict.title} 어휘에 정의되지 않은 용어입니다: {term}{hint_ko}"
    else:
        severity = "warning"
        message_en = f"cannot verify {term}: {verdict.reason_en}{hint_en}"
        message_ko = f"확인할 수 없는 용어입니다: {term} ({verdict.reason_ko}){hint_ko}"
    return OntologyProblem(
        CHECK_ALIGNMENT,
        severity,
        verdict.iri,
        name,
        message_en,
        message_ko,
        ontology.line_of(name, verdict.iri),
    )
