"""Reasoning for editors (``kg ontology reason``) and OWL 2 RL materialisation for data (:func:`materialise`).

- :func:`reason_about` classifies a proposed ontology with HermiT (OWL 2 DL, through owlready2, in a bounded
  child process — :mod:`kg_service.ontology.reasoner`) and returns the inferred class hierarchy, the
  subsumptions that were inferred but not asserted, and the unsatisfiable classes. The reference data goes in
  too (individuals can make an ontology inconsistent), except the generated geometry file.
- :func:`materialise` computes the OWL 2 RL closure of a data graph (with the ontology) using ``reasonable``
  (a Rust OWL 2 RL reasoner) and returns only the triples it adds. It was chosen over ``owlrl`` (pure Python)
  after measuring both (``python -m bench.owl_rl_reasoners``): on the ontology plus a 10 000- and a 50 000-triple
  sensor/observation graph it reasoned 10 to 20 times faster (50 000 triples: about 5–8 s against 75 s on a
  loaded two-CPU machine), and on a small case both infer exactly the same data triples once literals are
  compared as RDF 1.1 terms (``reasonable`` writes plain literals as ``xsd:string``-typed ones, which are the
  same RDF term) and owlrl's reflexive ``owl:sameAs`` are set aside.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg_service.errors import EXIT_COULD_NOT_RUN, EXIT_OK, EXIT_PROBLEMS, OntologyError
from kg_service.ontology.check import JAVA_MISSING_EN, JAVA_MISSING_KO, REASONING_EXCLUDED_FILES
from kg_service.ontology.reasoner import DEFAULT_TIMEOUT_SECONDS, ReasonerStatus, java_runtime, run_hermit
from kg_service.ontology.rendering import short
from kg_service.ontology.sources import ontology_files, reference_files
from kg_service.vocab import CPS

Triple = tuple[Node, Node, Node]

_SCHEMA_PREDICATES: Final = frozenset(
    {
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.disjointWith,
        OWL.propertyDisjointWith,
        OWL.complementOf,
        OWL.unionOf,
        OWL.intersectionOf,
        OWL.onProperty,
        OWL.someValuesFrom,
        OWL.allValuesFrom,
    }
)
_TRIVIAL_TYPES: Final = frozenset({OWL.Thing, RDFS.Resource})
_BUILT_IN_VOCABULARIES: Final = (str(OWL), str(RDFS), str(RDF))


@dataclass(frozen=True, slots=True)
class HierarchyEntry:
    """One named class with its direct super-classes after reasoning and the ones that are only inferred."""

    iri: str
    parents: tuple[str, ...]
    inferred_parents: tuple[str, ...]
    equivalents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReasoningReport:
    """What HermiT concluded about a proposed ontology.

    ``status`` is ``consistent``, ``inconsistent``, ``failed``, ``timeout`` or ``no-java``; ``new_subsumptions``
    are ``(class, super-class)`` pairs of ``cps:`` classes that follow from the axioms but are not asserted.
    """

    ontology_dir: str
    status: ReasonerStatus | str
    detail: str
    seconds: float
    unsatisfiable: tuple[str, ...]
    hierarchy: tuple[HierarchyEntry, ...]
    new_subsumptions: tuple[tuple[str, str], ...]

    def exit_code(self) -> int:
        """0 consistent with every class satisfiable; 1 inconsistent or unsatisfiable classes; 2 could not run."""
        if self.status == "inconsistent" or (self.status == "consistent" and self.unsatisfiable):
            return EXIT_PROBLEMS
        return EXIT_OK if self.status == "consistent" else EXIT_COULD_NOT_RUN

    def as_dict(self) -> dict[str, object]:
        """The report as plain data for JSON."""
        return {
            "ontology_dir": self.ontology_dir,
            "status": self.status,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
            "unsatisfiable": list(self.unsatisfiable),
            "new_subsumptions": [{"class": c, "super_class": s} for c, s in self.new_subsumptions],
            "hierarchy": [
                {
                    "class": e.iri,
                    "parents": list(e.parents),
                    "inferred_parents": list(e.inferred_parents),
                    "equivalents": list(e.equivalents),
                }
                for e in self.hierarchy
            ],
            "exit_code": self.exit_code(),
        }

    def to_json(self) -> str:
        """The report as indented JSON."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def tree_lines(self) -> list[str]:
        """The inferred hierarchy as an indented tree (CURIEs), inferred-only edges marked ``[inferred]``."""
        entries = {e.iri: e for e in self.hierarchy}
        children: dict[str, list[str]] = {}
        for entry in self.hierarchy:
            for parent in entry.parents:
                children.setdefault(parent, []).append(entry.iri)
        roots = sorted((e.iri for e in self.hierarchy if not e.parents), key=short)
        lines: list[str] = []

        def walk(iri: str, depth: int, via_inferred: bool, trail: frozenset[str]) -> None:
            entry = entries.get(iri)
            marks = " [inferred]" if via_inferred else ""
            if entry is not None and entry.equivalents:
                marks += " ≡ " + ", ".join(short(e) for e in entry.equivalents)
            if iri in self.unsatisfiable:
                marks += " [UNSATISFIABLE]"
            lines.append(f"{'  ' * depth}{short(iri)}{marks}")
            if iri in trail:
                return
            for child in sorted(children.get(iri, []), key=short):
                child_entry = entries[child]
                walk(child, depth + 1, iri in child_entry.inferred_parents, trail | {iri})

        for root in roots:
            walk(root, 0, False, frozenset())
        return lines


def reasoning_graph(ontology_dir: Path) -> Graph:
    """The ontology and reference data a reasoner should see (without the generated geometry file)."""
    graph = Graph()
    for path in (*ontology_files(ontology_dir), *reference_files(ontology_dir)):
        if path.relative_to(ontology_dir).as_posix() in REASONING_EXCLUDED_FILES:
            continue
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise OntologyError(
                f"{path}: cannot parse: {exc}", f"{path}: 구문 분석 불가: {exc}", hint="fix the Turtle syntax"
            ) from exc
    return graph


def reason_about(ontology_dir: Path, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> ReasoningReport:
    """Classify the ontology in ``ontology_dir`` with HermiT; see :class:`ReasoningReport`.

    Raises :class:`OntologyError` when a file does not parse (run ``kg ontology check`` for located errors).
    """
    graph = reasoning_graph(ontology_dir)
    java = java_runtime()
    if java is None:
        return ReasoningReport(
            str(ontology_dir), "no-java", f"{JAVA_MISSING_EN} / {JAVA_MISSING_KO}", 0.0, (), (), ()
        )
    outcome = run_hermit(graph, java=java, timeout=timeout, hierarchy=True)
    if outcome.status != "consistent":
        return ReasoningReport(str(ontology_dir), outcome.status, outcome.detail, outcome.seconds, (), (), ())
    inferred = {cls: set(supers) for cls, supers in outcome.ancestors}
    asserted = _asserted_ancestors(graph)
    hierarchy = tuple(_hierarchy(inferred, asserted))
    new = tuple(
        sorted(
            (cls, sup)
            for cls, supers in inferred.items()
            if cls.startswith(str(CPS))
            for sup in supers
            if sup not in asserted.get(cls, set()) and cls not in inferred.get(sup, set())
        )
    )
    return ReasoningReport(
        str(ontology_dir), "consistent", "", outcome.seconds, outcome.unsatisfiable_classes, hierarchy, new
    )


def _asserted_ancestors(graph: Graph) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            parents.setdefault(str(sub), set()).add(str(sup))
    for a, b in graph.subject_objects(OWL.equivalentClass):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            parents.setdefault(str(a), set()).add(str(b))
            parents.setdefault(str(b), set()).add(str(a))
    closure: dict[str, set[str]] = {}
    for start in parents:
        seen: set[str] = set()
        todo = list(parents[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(parents.get(node, ()))
        seen.discard(start)
        closure[start] = seen
    return closure


def _hierarchy(inferred: dict[str, set[str]], asserted: dict[str, set[str]]) -> Iterator[HierarchyEntry]:
    """Direct super-classes by transitive reduction of the inferred ancestors (equivalent classes merged)."""
    for cls in sorted(inferred):
        supers = inferred[cls]
        equivalents = {s for s in supers if cls in inferred.get(s, set())}
        strict = supers - equivalents
        direct = {
            p
            for p in strict
            if not any(
                p in inferred.get(q, set()) and q not in inferred.get(p, set()) for q in strict if q != p
            )
        }
        inferred_only = {p for p in direct if p not in asserted.get(cls, set())}
        yield HierarchyEntry(
            cls, tuple(sorted(direct)), tuple(sorted(inferred_only)), tuple(sorted(equivalents))
        )


# --- OWL 2 RL materialisation ---------------------------------------------------------------------------------


def materialise(graph: Graph, *, ontology: Graph | None = None, data_only: bool = True) -> Graph:
    """The triples OWL 2 RL entails from ``graph`` (plus ``ontology``) that are not already there.

    Uses ``reasonable``. Literals are compared as RDF 1.1 terms (a plain literal and the same ``xsd:string``
    literal are one term); typing as ``owl:Thing``/``rdfs:Resource`` and reflexive ``owl:sameAs`` are left out.
    With ``data_only`` (the default) schema inferences are left out as well: triples about the ontology's own
    terms or blank nodes and schema predicates (``rdfs:subClassOf``, ``rdfs:domain`` …), so what is returned is
    what queries over the data gain.

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='''
    ... @prefix cps: <https://data.seoul.go.kr/cps/ontology#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... cps:EnvironmentalSensor rdfs:subClassOf cps:Sensor .
    ... <https://data.seoul.go.kr/cps/id/sensor/V1> a cps:EnvironmentalSensor .
    ... ''', format="turtle")
    >>> sorted(str(o) for o in materialise(g).objects())
    ['https://data.seoul.go.kr/cps/ontology#Sensor']
    """
    import reasonable

    base = Graph()
    for triple in graph:
        base.add(_normal(triple))
    if ontology is not None:
        for triple in ontology:
            base.add(_normal(triple))
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(base)
    schema_subjects = set(ontology.subjects()) if ontology is not None else set()
    if data_only:
        schema_subjects |= {s for s, p, _ in base if p in _SCHEMA_PREDICATES}
        schema_subjects |= {o for _, p, o in base if p in _SCHEMA_PREDICATES}
        schema_subjects |= set(base.subjects(RDF.type, OWL.Class)) | set(
            base.subjects(RDF.type, OWL.ObjectProperty)
        )
        schema_subjects |= set(base.subjects(RDF.type, OWL.DatatypeProperty))
    inferred = Graph()
    for triple in _kept(reasoner.reason(), base, schema_subjects if data_only else set(), data_only):
        inferred.add(triple)
    return inferred


def _kept(
    triples: Iterable[Triple], base: Graph, schema_subjects: set[Node], data_only: bool
) -> Iterator[Triple]:
    for triple in triples:
        subject, predicate, obj = _normal(triple)
        if (subject, predicate, obj) in base:
            continue
        if predicate == OWL.sameAs and subject == obj:
            continue
        if predicate == RDF.type and obj in _TRIVIAL_TYPES:
            continue
        if isinstance(subject, Literal):
            continue
        if data_only and (
            isinstance(subject, BNode)
            or subject in schema_subjects
            or predicate in _SCHEMA_PREDICATES
            or (predicate == RDF.type and str(obj).startswith(_BUILT_IN_VOCABULARIES))
        ):
            continue
        yield subject, predicate, obj


def _normal(triple: Triple) -> Triple:
    subject, predicate, obj = triple
    if isinstance(obj, Literal) and obj.datatype == XSD.string and not obj.language:
        obj = Literal(str(obj))
    return subject, predicate, obj
