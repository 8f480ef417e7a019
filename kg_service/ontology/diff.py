"""``kg ontology diff``: what changed between two versions of the ontology, and whether it breaks anyone.

Terms are the ``cps:`` IRIs described in ``ontology/*.ttl`` and the individuals of ``ontology/reference/*.ttl``.
Each difference is a :class:`TermChange` classed **breaking** (a department's data, mapping rules, shapes or
queries that worked with the old version may stop working or silently change meaning) or **compatible**, with
the reason in English and Korean; compatible changes that deserve a look are **flagged**.

Rules (the reasons in the code say the same):

- a new term is compatible; a removed term is breaking;
- a rename is a removed and an added term of the same type with the same labels or the same definition, or is
  declared with ``dct:replaces`` (new term) or ``owl:deprecated true`` + ``dct:isReplacedBy`` (old term). It is
  breaking unless the old term is kept, deprecated, with ``dct:isReplacedBy`` (then compatible, flagged);
- labels, definitions and other annotations: compatible;
- domain and range (object properties) and datatype (datatype properties): widened is compatible, narrowed or
  changed to something incomparable is breaking (extents are compared with the new class hierarchy, unions
  member by member; for datatypes the XSD derivation hierarchy);
- super-classes and super-properties inside the ontology: a removed one is breaking, an added one compatible;
- disjointness: a new disjoint pair is breaking (data typed with both becomes inconsistent), a removed one
  compatible;
- alignments (``skos:*Match``, and ``rdfs:subClassOf``/``subPropertyOf``/``owl:equivalent*`` to external
  IRIs): compatible but flagged;
- property characteristics: adding a restricting one (functional, inverse-functional, asymmetric, irreflexive)
  or removing an inferring one (transitive, symmetric, reflexive) is breaking;
- individuals (observable properties, CPS functions, reference data): a removed type, a removed link to
  another resource or a removed identifier value is breaking; other literal values are corrections
  (compatible); added values are compatible;
- other logical axioms (restrictions, inverses, property chains): removed is breaking, added is compatible
  but flagged;
- newly deprecated terms: compatible, flagged.

Shape changes (a new ``sh:minCount 1`` and other tightenings) are compared by :mod:`kg_service.ontology.shape_diff`
when both versions have ``shapes/``; they are part of the same report.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Final, Literal

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from kg_service.errors import EXIT_OK, EXIT_PROBLEMS
from kg_service.ontology.rendering import list_items, render, render_literal, short
from kg_service.ontology.shape_diff import ShapeChange, diff_shape_dirs
from kg_service.ontology.sources import ontology_files, read_turtle, reference_files
from kg_service.ontology.trees import ProjectTree
from kg_service.ontology.version import read_header
from kg_service.vocab import CPS, ONTOLOGY_IRI

ChangeKind = Literal["added", "removed", "renamed", "changed"]
Bump = Literal["major", "minor", "patch", "none"]

THING: Final = str(OWL.Thing)
_CPS: Final = str(CPS)
_LABEL_PREDICATES: Final = frozenset({RDFS.label, SKOS.prefLabel})
_DEFINITION_PREDICATES: Final = frozenset({SKOS.definition, RDFS.comment})
_KNOWN_ANNOTATIONS: Final = frozenset(
    {
        SKOS.altLabel,
        SKOS.hiddenLabel,
        SKOS.notation,
        SKOS.scopeNote,
        SKOS.example,
        SKOS.editorialNote,
        SKOS.note,
        SKOS.historyNote,
        SKOS.changeNote,
        SKOS.inScheme,
        SKOS.topConceptOf,
        SKOS.hasTopConcept,
        RDFS.seeAlso,
        RDFS.isDefinedBy,
        OWL.versionInfo,
    }
)
_MATCHES: Final = frozenset(
    {SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch}
)
_HIERARCHY: Final = frozenset({RDFS.subClassOf, RDFS.subPropertyOf})
_EQUIVALENCE: Final = frozenset({OWL.equivalentClass, OWL.equivalentProperty})
_KIND_TYPES: Final = {
    OWL.Class: "class",
    RDFS.Class: "class",
    OWL.ObjectProperty: "object-property",
    OWL.DatatypeProperty: "datatype-property",
    OWL.AnnotationProperty: "annotation-property",
    RDF.Property: "property",
}
_RESTRICTING_CHARACTERISTICS: Final = frozenset(
    {OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.AsymmetricProperty, OWL.IrreflexiveProperty}
)
_INFERRING_CHARACTERISTICS: Final = frozenset(
    {OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.ReflexiveProperty}
)
_CHARACTERISTICS: Final = _RESTRICTING_CHARACTERISTICS | _INFERRING_CHARACTERISTICS
_IGNORED_TYPES: Final = frozenset({OWL.NamedIndividual, OWL.DeprecatedClass, OWL.DeprecatedProperty})
_TOP_DATATYPE: Final = str(RDFS.Literal)
# XSD derivation by restriction (subtype → base), enough for the datatypes ontologies here use.
_XSD_BASE: Final = {
    str(XSD[child]): str(XSD[base])
    for child, base in (
        ("integer", "decimal"),
        ("nonNegativeInteger", "integer"),
        ("positiveInteger", "nonNegativeInteger"),
        ("nonPositiveInteger", "integer"),
        ("negativeInteger", "nonPositiveInteger"),
        ("long", "integer"),
        ("int", "long"),
        ("short", "int"),
        ("byte", "short"),
        ("unsignedLong", "nonNegativeInteger"),
        ("unsignedInt", "unsignedLong"),
        ("unsignedShort", "unsignedInt"),
        ("unsignedByte", "unsignedShort"),
        ("normalizedString", "string"),
        ("token", "normalizedString"),
        ("language", "token"),
        ("dateTimeStamp", "dateTime"),
    )
}

ClassSet = frozenset[str]
"""A class expression as a set of alternatives (a union): named class IRIs, owl:Thing, or rendered text."""


@dataclass(frozen=True, slots=True)
class TermChange:
    """One difference about one term.

    ``kind`` is ``added``, ``removed``, ``renamed`` or ``changed``; ``aspect`` says what changed (``term``,
    ``label``, ``definition``, ``annotation``, ``domain``, ``range``, ``datatype``, ``hierarchy``,
    ``disjointness``, ``alignment``, ``characteristics``, ``type``, ``value``, ``axiom``, ``deprecation``,
    ``version``); ``old`` and ``new`` are short texts (CURIEs); ``term_type`` is ``class``, ``object-property``,
    ``datatype-property``, ``annotation-property``, ``individual``, ``reference-individual`` or ``ontology``.
    ``flagged`` marks compatible changes someone should look at; ``replaced_by`` is the new IRI of a rename.
    """

    term: str
    kind: ChangeKind
    aspect: str
    old: str | None
    new: str | None
    breaking: bool
    reason_en: str
    reason_ko: str
    term_type: str = ""
    flagged: bool = False
    replaced_by: str | None = None


@dataclass(frozen=True, slots=True)
class OntologyDiff:
    """Every difference between two versions, and the version numbers their headers give."""

    old_label: str
    new_label: str
    old_version: str | None
    new_version: str | None
    changes: tuple[TermChange, ...]
    shape_changes: tuple[ShapeChange, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def breaking(self) -> bool:
        """Whether any term or shape change is breaking."""
        return any(c.breaking for c in self.changes) or any(s.breaking for s in self.shape_changes)

    def of_kind(self, kind: ChangeKind) -> tuple[TermChange, ...]:
        """The term changes of one kind."""
        return tuple(c for c in self.changes if c.kind == kind)

    def for_term(self, iri: str) -> tuple[TermChange, ...]:
        """The changes about ``iri`` (as the old or the new name)."""
        return tuple(c for c in self.changes if iri in (c.term, c.replaced_by))

    @property
    def renames(self) -> dict[str, str]:
        """Old IRI → new IRI for every rename."""
        return {c.term: c.replaced_by for c in self.changes if c.kind == "renamed" and c.replaced_by}

    def affected_terms(self) -> dict[str, tuple[TermChange, ...]]:
        """Old IRIs that mappings, shapes, queries or data may use, with their breaking or flagged changes.

        Label, definition and annotation edits and added terms affect nobody and are left out.
        """
        affected: dict[str, list[TermChange]] = defaultdict(list)
        for change in self.changes:
            if change.kind == "added" or change.aspect in ("label", "definition", "annotation", "version"):
                continue
            if change.breaking or change.flagged:
                affected[change.term].append(change)
        return {term: tuple(changes) for term, changes in affected.items()}

    @property
    def required_bump(self) -> Bump:
        """The smallest version bump the changes need (README: labels PATCH, new terms MINOR, breaking MAJOR)."""
        if self.breaking:
            return "major"
        meaningful = [c for c in self.changes if c.aspect != "version"]
        if (
            any(c.aspect not in ("label", "definition", "annotation") for c in meaningful)
            or self.shape_changes
        ):
            return "minor"
        return "patch" if meaningful else "none"

    def exit_code(self) -> int:
        """1 when anything is breaking, else 0."""
        return EXIT_PROBLEMS if self.breaking else EXIT_OK

    def as_dict(self) -> dict[str, object]:
        """The diff as plain data for JSON."""
        return {
            "old": {"label": self.old_label, "version": self.old_version},
            "new": {"label": self.new_label, "version": self.new_version},
            "breaking": self.breaking,
            "required_bump": self.required_bump,
            "summary": {kind: len(self.of_kind(kind)) for kind in ("added", "removed", "renamed", "changed")}
            | {
                "breaking": sum(c.breaking for c in self.changes),
                "flagged": sum(c.flagged for c in self.changes),
                "shape_changes": len(self.shape_changes),
                "breaking_shape_changes": sum(s.breaking for s in self.shape_changes),
            },
            "changes": [asdict(c) for c in self.changes],
            "shape_changes": [s.as_dict() for s in self.shape_changes],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        """The diff as indented JSON (Korean kept readable)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


# --- reading a version ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OntologyVersionGraphs:
    """One version of the ontology (``ontology/*.ttl``) and its reference data (``reference/*.ttl``)."""

    label: str
    ontology: Graph
    reference: Graph


def read_version(ontology_dir: Path, *, label: str | None = None) -> OntologyVersionGraphs:
    """Parse a version's ontology and reference files; raises :class:`OntologyError` naming a file that fails."""
    return OntologyVersionGraphs(
        label or str(ontology_dir),
        _parse(ontology_files(ontology_dir)),
        _parse(reference_files(ontology_dir)),
    )


def _parse(files: Iterable[Path]) -> Graph:
    graph = Graph()
    for path in files:
        for triple in read_turtle(path):
            graph.add(triple)
    return graph


def diff_trees(old: ProjectTree, new: ProjectTree) -> OntologyDiff:
    """Compare two trees: their ontologies and reference data and, when both have ``shapes/``, their shapes."""
    result = diff_versions(
        read_version(old.ontology_dir, label=old.label), read_version(new.ontology_dir, label=new.label)
    )
    notes = list(result.notes)
    shape_changes: tuple[ShapeChange, ...] = ()
    if old.shapes_dir is not None and new.shapes_dir is not None:
        shape_changes = tuple(diff_shape_dirs(old.shapes_dir, new.shapes_dir))
    else:
        notes.append("shapes not compared: one side has no shapes/ directory (셰이프 비교 생략)")
    return OntologyDiff(
        result.old_label,
        result.new_label,
        result.old_version,
        result.new_version,
        result.changes,
        shape_changes,
        tuple(notes),
    )


def diff_versions(old: OntologyVersionGraphs, new: OntologyVersionGraphs) -> OntologyDiff:
    """Compare two versions' ontology and reference graphs (see the module docstring for the rules)."""
    old_model = _Model.build(old.ontology, old.reference)
    new_model = _Model.build(new.ontology, new.reference)
    old_header, new_header = read_header(old.ontology), read_header(new.ontology)
    comparison = _Comparison(old_model, new_model)
    changes = comparison.run()
    old_version = str(old_header.version) if old_header.version else old_header.version_info
    new_version = str(new_header.version) if new_header.version else new_header.version_info
    if old_version != new_version:
        changes.append(
            TermChange(
                str(ONTOLOGY_IRI),
                "changed",
                "version",
                old_version,
                new_version,
                False,
                "version number changed",
                "버전 번호 변경",
                term_type="ontology",
            )
        )
    notes = tuple(f"{new.label}: {en} ({ko})" for en, ko in new_header.problems)
    return OntologyDiff(old.label, new.label, old_version, new_version, tuple(changes), (), notes)


# --- the term model -------------------------------------------------------------------------------------------


@dataclass
class _Term:
    """What one version says about one term, reduced to comparable values."""

    iri: str
    term_type: str = "individual"
    labels: set[str] = field(default_factory=set)
    definitions: set[str] = field(default_factory=set)
    annotations: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    domain: list[ClassSet] = field(default_factory=list)
    range: list[ClassSet] = field(default_factory=list)
    supers: set[str] = field(default_factory=set)
    alignments: set[str] = field(default_factory=set)
    disjoint: set[str] = field(default_factory=set)
    characteristics: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    values: dict[str, set[Node]] = field(default_factory=lambda: defaultdict(set))
    axioms: set[str] = field(default_factory=set)
    deprecated: bool = False
    replaced_by: set[str] = field(default_factory=set)
    replaces: set[str] = field(default_factory=set)


@dataclass
class _Model:
    """All terms of one version, the class and property hierarchy, and which properties are identifiers."""

    graph: Graph
    terms: dict[str, _Term]
    parents: dict[str, set[str]]
    identifier_properties: frozenset[str]

    @classmethod
    def build(cls, ontology: Graph, reference: Graph) -> _Model:
        merged = Graph()
        for triple in ontology:
            merged.add(triple)
        for triple in reference:
            merged.add(triple)
        annotation_properties = {str(s) for s in merged.subjects(RDF.type, OWL.AnnotationProperty)}
        subjects: set[URIRef] = {
            s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(_CPS)
        }
        reference_subjects = {
            s for s in reference.subjects() if isinstance(s, URIRef) and not str(s).startswith(_CPS)
        }
        terms: dict[str, _Term] = {}
        for subject in subjects | reference_subjects:
            term = _Term(str(subject))
            if subject in reference_subjects:
                term.term_type = "reference-individual"
            _describe(merged, subject, term, annotation_properties)
            if term.term_type == "individual" and not (
                term.types or term.values or term.labels or term.definitions
            ):
                continue  # only mentioned (say, an alignment left behind), not declared: not a term
            terms[term.iri] = term
        _add_disjointness(merged, terms)
        parents: dict[str, set[str]] = defaultdict(set)
        for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
            for sub, sup in merged.subject_objects(predicate):
                if isinstance(sub, URIRef) and isinstance(sup, URIRef):
                    parents[str(sub)].add(str(sup))
        for predicate in _EQUIVALENCE:
            for a, b in merged.subject_objects(predicate):
                if isinstance(a, URIRef) and isinstance(b, URIRef):
                    parents[str(a)].add(str(b))
                    parents[str(b)].add(str(a))
        identifier_root = str(CPS.localIdentifier)
        model = cls(merged, terms, parents, frozenset())
        identifiers = {
            iri
            for iri, term in terms.items()
            if term.term_type == "datatype-property" and identifier_root in model.ancestors(iri)
        }
        identifiers.add(str(CPS.identifierValue))
        model.identifier_properties = frozenset(identifiers)
        return model

    def ancestors(self, iri: str) -> set[str]:
        """``iri`` and everything above it in the class or property hierarchy."""
        seen = {iri}
        todo = [iri]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen


def _describe(graph: Graph, subject: URIRef, term: _Term, annotation_properties: set[str]) -> None:
    for predicate, obj in graph.predicate_objects(subject):
        if predicate == RDF.type:
            _describe_type(obj, term)
        elif predicate in _LABEL_PREDICATES and isinstance(obj, RdfLiteral):
            term.labels.add(render_literal(obj))
        elif predicate in _DEFINITION_PREDICATES and isinstance(obj, RdfLiteral):
            term.definitions.add(render_literal(obj))
        elif predicate == OWL.deprecated:
            term.deprecated = term.deprecated or str(obj).lower() in ("true", "1")
        elif predicate == DCTERMS.isReplacedBy and isinstance(obj, URIRef):
            term.replaced_by.add(str(obj))
        elif predicate == DCTERMS.replaces and isinstance(obj, URIRef):
            term.replaces.add(str(obj))
        elif predicate == RDFS.domain:
            term.domain.append(_class_set(graph, obj))
        elif predicate == RDFS.range:
            term.range.append(_class_set(graph, obj))
        elif predicate in _MATCHES:
            term.alignments.add(f"{short(str(predicate))} {render(graph, obj)}")
        elif predicate in _HIERARCHY or predicate in _EQUIVALENCE:
            _describe_link(graph, predicate, obj, term)
        elif predicate in (OWL.disjointWith, OWL.propertyDisjointWith) and isinstance(obj, URIRef):
            term.disjoint.add(str(obj))
        elif predicate in _KNOWN_ANNOTATIONS or str(predicate) in annotation_properties:
            term.annotations[str(predicate)].add(render(graph, obj))
        elif term.term_type in ("individual", "reference-individual") and not str(predicate).startswith(
            str(OWL)
        ):
            term.values[str(predicate)].add(
                obj if not isinstance(obj, BNode) else RdfLiteral(render(graph, obj))
            )
        else:
            term.axioms.add(f"{short(str(predicate))} {render(graph, obj)}")
    if term.term_type == "individual" and not str(subject).startswith(_CPS):
        term.term_type = "reference-individual"


def _describe_type(obj: Node, term: _Term) -> None:
    if obj in _KIND_TYPES and isinstance(obj, URIRef):
        # rdf:type triples are read first or later; a declared kind always wins over "individual".
        term.term_type = _KIND_TYPES[obj]
        _move_values_to_axioms(term)
    elif obj in _CHARACTERISTICS:
        term.characteristics.add(short(str(obj)))
    elif obj in (OWL.DeprecatedClass, OWL.DeprecatedProperty):
        term.deprecated = True
    elif obj not in _IGNORED_TYPES and isinstance(obj, URIRef):
        term.types.add(str(obj))


def _move_values_to_axioms(term: _Term) -> None:
    """A term first read as an individual turned out to be a class or property: its values are axioms."""
    for predicate, values in term.values.items():
        for value in values:
            shown = render_literal(value) if isinstance(value, RdfLiteral) else short(str(value))
            term.axioms.add(f"{short(predicate)} {shown}")
    term.values.clear()


def _describe_link(graph: Graph, predicate: Node, obj: Node, term: _Term) -> None:
    if isinstance(obj, URIRef):
        if str(obj).startswith(_CPS):
            if predicate in _HIERARCHY:
                term.supers.add(str(obj))
            else:
                term.axioms.add(f"{short(str(predicate))} {short(str(obj))}")
        elif obj not in (OWL.Thing, OWL.topObjectProperty, OWL.topDataProperty):
            term.alignments.add(f"{short(str(predicate))} {short(str(obj))}")
    else:
        term.axioms.add(f"{short(str(predicate))} {render(graph, obj)}")


def _class_set(graph: Graph, node: Node) -> ClassSet:
    if isinstance(node, URIRef):
        return frozenset({str(node)})
    if isinstance(node, BNode):
        members = graph.value(node, OWL.unionOf)
        if members is not None:
            result: set[str] = set()
            for member in list_items(graph, members):
                result |= _class_set(graph, member)
            return frozenset(result)
    return frozenset({render(graph, node)})


def _add_disjointness(graph: Graph, terms: Mapping[str, _Term]) -> None:
    for kind in (OWL.AllDisjointClasses, OWL.AllDisjointProperties):
        for axiom in graph.subjects(RDF.type, kind):
            members_node = graph.value(axiom, OWL.members)
            if members_node is None:
                continue
            members = [str(m) for m in list_items(graph, members_node) if isinstance(m, URIRef)]
            for member in members:
                if member in terms:
                    terms[member].disjoint.update(m for m in members if m != member)
    for predicate in (OWL.disjointWith, OWL.propertyDisjointWith):
        for a, b in graph.subject_objects(predicate):
            if isinstance(a, URIRef) and isinstance(b, URIRef) and str(b) in terms:
                terms[str(b)].disjoint.add(str(a))


# --- comparing two models -------------------------------------------------------------------------------------


class _Comparison:
    """Compares the terms of two versions after detecting renames."""

    def __init__(self, old: _Model, new: _Model) -> None:
        self.old = old
        self.new = new
        self.changes: list[TermChange] = []
        self.renames: dict[str, str] = {}
        self.kept_renames: set[str] = set()

    def run(self) -> list[TermChange]:
        removed = sorted(set(self.old.terms) - set(self.new.terms))
        added = sorted(set(self.new.terms) - set(self.old.terms))
        self._detect_renames(removed, added)
        rename_targets = set(self.renames.values())
        for iri in removed:
            if iri not in self.renames:
                term = self.old.terms[iri]
                was = " (it was already deprecated)" if term.deprecated else ""
                was_ko = " (이미 폐기 예정이었음)" if term.deprecated else ""
                self._add(
                    term,
                    "removed",
                    "term",
                    short(iri),
                    None,
                    True,
                    f"removed{was}: data, mapping rules, shapes and queries that use it stop working; keep it "
                    "with owl:deprecated true (and dct:isReplacedBy) until the next MAJOR version",
                    f"삭제됨{was_ko}: 이 용어를 쓰는 데이터·매핑 규칙·셰이프·질의가 동작하지 않습니다. 다음 MAJOR 버전까지 "
                    "owl:deprecated true(와 dct:isReplacedBy)로 남겨 두세요",
                )
        for iri in added:
            if iri in rename_targets:
                continue
            self._add(self.new.terms[iri], "added", "term", None, short(iri), False, "new term", "새 용어")
        for old_iri, new_iri in sorted(self.renames.items()):
            if new_iri not in self.new.terms:
                continue
            self._compare(self.old.terms[old_iri], self.new.terms[new_iri], report_as=new_iri)
        for iri in sorted(set(self.old.terms) & set(self.new.terms)):
            self._compare(self.old.terms[iri], self.new.terms[iri], report_as=iri)
        return self.changes

    # -- renames ----------------------------------------------------------------------------------------------

    def _detect_renames(self, removed: list[str], added: list[str]) -> None:
        # Declared: the old term is kept, deprecated, pointing at its replacement.
        for iri, term in sorted(self.new.terms.items()):
            if not (term.deprecated and term.replaced_by) or iri not in self.old.terms:
                continue
            before = self.old.terms[iri]
            if before.deprecated and before.replaced_by == term.replaced_by:
                continue  # declared in an earlier version already
            for target in sorted(term.replaced_by):
                exists = target in self.new.terms
                self.renames[iri] = target
                self.kept_renames.add(iri)
                self._add(
                    term,
                    "renamed",
                    "term",
                    short(iri),
                    short(target),
                    not exists,
                    (
                        "renamed; the old term is kept, deprecated, with dct:isReplacedBy, so existing data, "
                        "mappings and queries keep working — move them to the new term before the next MAJOR version"
                        if exists
                        else "dct:isReplacedBy points at a term that does not exist in the new version"
                    ),
                    (
                        "이름 변경: 옛 용어가 폐기 예정(owl:deprecated)과 dct:isReplacedBy로 남아 있어 기존 데이터·매핑·질의는 "
                        "계속 동작합니다. 다음 MAJOR 버전 전에 새 용어로 옮기세요"
                        if exists
                        else "dct:isReplacedBy가 새 버전에 없는 용어를 가리킵니다"
                    ),
                    flagged=True,
                    replaced_by=target,
                )
                break
        # Declared on the new term with dct:replaces, the old one gone.
        removed_set = set(removed)
        for iri in added:
            for old_iri in sorted(self.new.terms[iri].replaces & removed_set):
                if old_iri not in self.renames:
                    self._record_removed_rename(
                        old_iri, iri, "declared with dct:replaces", "dct:replaces로 선언됨"
                    )
        # Inferred: same type and the same labels or the same definition.
        unmatched_added = [iri for iri in added if iri not in set(self.renames.values())]
        for old_iri in removed:
            if old_iri in self.renames:
                continue
            old_term = self.old.terms[old_iri]
            candidates = [
                (self._similarity(old_term, self.new.terms[iri]), iri)
                for iri in unmatched_added
                if self.new.terms[iri].term_type == old_term.term_type
            ]
            candidates = sorted((c for c in candidates if c[0] > 0), reverse=True)
            if not candidates or (len(candidates) > 1 and candidates[0][0] == candidates[1][0]):
                continue
            target = candidates[0][1]
            unmatched_added.remove(target)
            self._record_removed_rename(
                old_iri,
                target,
                "detected: same type and the same labels or definition",
                "같은 유형과 같은 레이블 또는 정의로 감지됨",
            )

    @staticmethod
    def _similarity(old: _Term, new: _Term) -> int:
        score = 0
        if old.labels and old.labels == new.labels:
            score += 2
        if old.definitions and old.definitions == new.definitions:
            score += 2
        return score

    def _record_removed_rename(self, old_iri: str, new_iri: str, how_en: str, how_ko: str) -> None:
        self.renames[old_iri] = new_iri
        self._add(
            self.old.terms[old_iri],
            "renamed",
            "term",
            short(old_iri),
            short(new_iri),
            True,
            f"renamed without keeping the old term ({how_en}): everything that uses {short(old_iri)} breaks; keep "
            f"it with owl:deprecated true and dct:isReplacedBy {short(new_iri)}, or ship a migration with a new "
            "MAJOR version",
            f"옛 용어를 남기지 않고 이름을 바꿈({how_ko}): {short(old_iri)}을(를) 쓰는 모든 것이 깨집니다. "
            f"owl:deprecated true와 dct:isReplacedBy {short(new_iri)}로 남기거나, 새 MAJOR 버전과 마이그레이션을 함께 내세요",
            replaced_by=new_iri,
        )

    def _same(self, iri: str) -> str:
        """An IRI with renames applied, so references to the old or new name compare equal."""
        return self.renames.get(iri, iri)

    # -- aspects ----------------------------------------------------------------------------------------------

    def _compare(self, old: _Term, new: _Term, *, report_as: str) -> None:
        def emit(
            aspect: str,
            before: str | None,
            after: str | None,
            breaking: bool,
            en: str,
            ko: str,
            flagged: bool = False,
        ) -> None:
            self._add(new, "changed", aspect, before, after, breaking, en, ko, flagged=flagged, iri=report_as)

        if old.term_type != new.term_type:
            emit(
                "type",
                old.term_type,
                new.term_type,
                True,
                "the kind of term changed: everything that uses it as the old kind breaks",
                "용어의 종류가 바뀌어 이전 종류로 쓰던 곳이 모두 깨집니다",
            )
        if old.labels != new.labels:
            emit("label", _show(old.labels), _show(new.labels), False, "labels edited", "레이블 수정")
        if old.definitions != new.definitions:
            emit(
                "definition",
                _show(old.definitions),
                _show(new.definitions),
                False,
                "definition edited",
                "정의 수정",
            )
        for predicate in sorted(set(old.annotations) | set(new.annotations)):
            before, after = old.annotations.get(predicate, set()), new.annotations.get(predicate, set())
            if before != after:
                emit(
                    "annotation",
                    f"{short(predicate)} {_show(before)}",
                    f"{short(predicate)} {_show(after)}",
                    False,
                    "annotation edited",
                    "주석 수정",
                )
        self._compare_extent(emit, "domain", old.domain, new.domain, _THING_TOP)
        if new.term_type == "datatype-property" or old.term_type == "datatype-property":
            self._compare_extent(emit, "datatype", old.range, new.range, _LITERAL_TOP)
        else:
            self._compare_extent(emit, "range", old.range, new.range, _THING_TOP)
        self._compare_sets(
            emit,
            "hierarchy",
            {self._same(s) for s in old.supers},
            {self._same(s) for s in new.supers},
            removed=(
                True,
                "a super-class or super-property was removed: data is no longer inferred to belong to it and "
                "queries on it miss that data",
                "상위 클래스·속성이 제거됨: 데이터가 더 이상 그 상위 항목으로 추론되지 않아 그것을 묻는 질의가 데이터를 놓칩니다",
            ),
            added=(False, "a super-class or super-property was added", "상위 클래스·속성 추가"),
        )
        self._compare_sets(
            emit,
            "disjointness",
            {self._same(s) for s in old.disjoint},
            {self._same(s) for s in new.disjoint},
            removed=(False, "a disjointness axiom was removed", "서로소 공리 제거"),
            added=(
                True,
                "newly disjoint: anything typed with both classes becomes inconsistent",
                "새 서로소 공리: 두 클래스를 함께 가진 데이터가 모순이 됩니다",
            ),
        )
        if old.alignments != new.alignments:
            emit(
                "alignment",
                _show(old.alignments),
                _show(new.alignments),
                False,
                "alignment to external vocabularies changed: check NGSI-LD/SensorThings export and reasoning over "
                "external terms",
                "외부 어휘 정렬 변경: NGSI-LD·SensorThings 내보내기와 외부 용어에 대한 추론을 확인하세요",
                flagged=True,
            )
        self._compare_characteristics(old, new, emit)
        self._compare_sets(
            emit,
            "type",
            {self._same(s) for s in old.types},
            {self._same(s) for s in new.types},
            removed=(
                True,
                "a type was removed: queries and shapes that select it by that type miss it",
                "유형이 제거됨: 그 유형으로 찾는 질의와 셰이프가 이 개체를 놓칩니다",
            ),
            added=(False, "a type was added", "유형 추가"),
        )
        self._compare_values(old, new, emit)
        self._compare_sets(
            emit,
            "axiom",
            old.axioms,
            new.axioms,
            removed=(
                True,
                "a logical axiom was removed: inferences that queries may rely on are gone",
                "논리 공리가 제거되어 질의가 의존할 수 있는 추론이 사라집니다",
            ),
            added=(
                False,
                "a logical axiom was added: run 'kg ontology check' and 'kg ontology reason' to see its effect",
                "논리 공리 추가: 'kg ontology check'와 'kg ontology reason'으로 영향을 확인하세요",
            ),
            flag_added=True,
        )
        if new.deprecated and not old.deprecated and report_as not in self.kept_renames:
            emit(
                "deprecation",
                "",
                "owl:deprecated true",
                False,
                "deprecated: still works, but will be removed in a future MAJOR version",
                "폐기 예정: 지금은 동작하지만 이후 MAJOR 버전에서 삭제됩니다",
                flagged=True,
            )
        elif old.deprecated and not new.deprecated:
            emit("deprecation", "owl:deprecated true", "", False, "no longer deprecated", "폐기 예정 해제")

    def _compare_extent(
        self,
        emit: _Emit,
        aspect: str,
        before: list[ClassSet],
        after: list[ClassSet],
        top: str,
    ) -> None:
        old_sets = [frozenset(self._same(c) for c in s) for s in before]
        new_sets = [frozenset(self._same(c) for c in s) for s in after]
        if sorted(map(sorted, old_sets)) == sorted(map(sorted, new_sets)):
            return
        is_sub = self._is_datatype_sub if top == _LITERAL_TOP else self._is_class_sub
        wider = _covers(new_sets, old_sets, is_sub, top)
        narrower = _covers(old_sets, new_sets, is_sub, top)
        shown_old, shown_new = _show_extent(old_sets, top), _show_extent(new_sets, top)
        word_en = {"domain": "domain", "range": "range", "datatype": "datatype"}[aspect]
        word_ko = {"domain": "정의역", "range": "치역", "datatype": "데이터 타입"}[aspect]
        if wider and narrower:
            emit(
                aspect,
                shown_old,
                shown_new,
                False,
                f"{word_en} rewritten with the same extent",
                f"{word_ko}을 같은 범위로 다시 씀",
            )
        elif wider:
            emit(aspect, shown_old, shown_new, False, f"{word_en} widened", f"{word_ko} 확대(호환)")
        elif narrower and aspect == "datatype":
            emit(
                aspect,
                shown_old,
                shown_new,
                True,
                "datatype narrowed: existing values of the old datatype that are not of the new one no longer fit",
                "데이터 타입 축소: 새 타입에 속하지 않는 기존 값이 더 이상 맞지 않습니다",
            )
        elif narrower:
            emit(
                aspect,
                shown_old,
                shown_new,
                True,
                f"{word_en} narrowed: existing data that uses the property outside the new {word_en} no longer fits",
                f"{word_ko} 축소: 새 {word_ko} 밖에서 이 속성을 쓰던 기존 데이터가 맞지 않게 됩니다",
            )
        else:
            emit(
                aspect,
                shown_old,
                shown_new,
                True,
                f"{word_en} changed to one that does not include the old one",
                f"{word_ko}이 이전 것을 포함하지 않는 것으로 바뀜",
            )

    def _is_class_sub(self, sub: str, sup: str) -> bool:
        """Whether ``sub`` is below ``sup`` in the new hierarchy (both with renames applied)."""
        if sup == THING or sub == sup:
            return True
        names = {sub} | {old for old, new in self.renames.items() if new == sub}
        ancestors: set[str] = set()
        for name in names:
            ancestors |= self.new.ancestors(name)
        return sup in {self._same(a) for a in ancestors}

    @staticmethod
    def _is_datatype_sub(sub: str, sup: str) -> bool:
        if sup == _TOP_DATATYPE or sub == sup:
            return True
        seen: set[str] = set()
        current = sub
        while current in _XSD_BASE and current not in seen:
            seen.add(current)
            current = _XSD_BASE[current]
            if current == sup:
                return True
        return False

    def _compare_sets(
        self,
        emit: _Emit,
        aspect: str,
        before: set[str],
        after: set[str],
        *,
        removed: tuple[bool, str, str],
        added: tuple[bool, str, str],
        flag_added: bool = False,
    ) -> None:
        if before == after:
            return
        gone, new = before - after, after - before
        breaking = (removed[0] and bool(gone)) or (added[0] and bool(new))
        reasons_en = [text for present, (_b, text, _k) in ((gone, removed), (new, added)) if present]
        reasons_ko = [text for present, (_b, _t, text) in ((gone, removed), (new, added)) if present]
        emit(
            aspect,
            _show({short(x) if "://" in x and " " not in x else x for x in before}),
            _show({short(x) if "://" in x and " " not in x else x for x in after}),
            breaking,
            "; ".join(reasons_en),
            "; ".join(reasons_ko),
            flagged=flag_added and bool(new) and not breaking,
        )

    def _compare_characteristics(self, old: _Term, new: _Term, emit: _Emit) -> None:
        if old.characteristics == new.characteristics:
            return
        gained = new.characteristics - old.characteristics
        lost = old.characteristics - new.characteristics
        restricting = {short(str(c)) for c in _RESTRICTING_CHARACTERISTICS}
        inferring = {short(str(c)) for c in _INFERRING_CHARACTERISTICS}
        breaking = bool(gained & restricting) or bool(lost & inferring)
        emit(
            "characteristics",
            _show(old.characteristics),
            _show(new.characteristics),
            breaking,
            "property characteristics changed"
            + (": a restriction was added or an inference removed" if breaking else " (compatible)"),
            "속성 특성 변경" + (": 제약이 추가되었거나 추론이 제거됨" if breaking else "(호환)"),
        )

    def _compare_values(self, old: _Term, new: _Term, emit: _Emit) -> None:
        for predicate in sorted(set(old.values) | set(new.values)):
            before = {self._same_node(v) for v in old.values.get(predicate, set())}
            after = {self._same_node(v) for v in new.values.get(predicate, set())}
            if before == after:
                continue
            gone = before - after
            identifying = (
                predicate in self.new.identifier_properties or predicate in self.old.identifier_properties
            )
            breaking = any(isinstance(v, URIRef) for v in gone) or (identifying and bool(gone))
            emit(
                "value",
                f"{short(predicate)} {_show_nodes(before)}",
                f"{short(predicate)} {_show_nodes(after)}",
                breaking,
                (
                    "a link or an identifier value was removed or replaced: data and queries that rely on it change"
                    if breaking
                    else "a value was added or corrected"
                ),
                "링크나 식별자 값이 제거·교체되어 이에 의존하는 데이터와 질의가 달라집니다"
                if breaking
                else "값 추가 또는 정정",
            )

    def _same_node(self, node: Node) -> Node:
        if isinstance(node, URIRef):
            return URIRef(self._same(str(node)))
        if isinstance(node, RdfLiteral) and node.datatype == XSD.string and not node.language:
            return RdfLiteral(str(node))
        return node

    def _add(
        self,
        term: _Term,
        kind: ChangeKind,
        aspect: str,
        old: str | None,
        new: str | None,
        breaking: bool,
        reason_en: str,
        reason_ko: str,
        *,
        flagged: bool = False,
        replaced_by: str | None = None,
        iri: str | None = None,
    ) -> None:
        self.changes.append(
            TermChange(
                term=iri or term.iri,
                kind=kind,
                aspect=aspect,
                old=old,
                new=new,
                breaking=breaking,
                reason_en=reason_en,
                reason_ko=reason_ko,
                term_type=term.term_type,
                flagged=flagged,
                replaced_by=replaced_by,
            )
        )


_Emit = Callable[..., None]
_THING_TOP: Final = THING
_LITERAL_TOP: Final = _TOP_DATATYPE


def _covers(
    outer: list[ClassSet], inner: list[ClassSet], is_sub: Callable[[str, str], bool], top: str
) -> bool:
    """Whether the extent of ``outer`` includes that of ``inner``.

    Each side is an intersection of statements (several ``rdfs:domain`` triples), each statement a union of
    alternatives; no statement means the top (owl:Thing or rdfs:Literal). Sufficient condition: every outer
    statement includes some inner statement, and a union A includes a union B when each member of B is below
    some member of A.
    """
    outer_statements = outer or [frozenset({top})]
    inner_statements = inner or [frozenset({top})]
    for statement in outer_statements:
        if top in statement:
            continue
        if not any(
            all(any(is_sub(member, alternative) for alternative in statement) for member in candidate)
            for candidate in inner_statements
        ):
            return False
    return True


def _show(values: Iterable[str]) -> str:
    items = sorted(values)
    return ", ".join(items) if items else "—"


def _show_nodes(values: Iterable[Node]) -> str:
    return _show(render_literal(v) if isinstance(v, RdfLiteral) else short(str(v)) for v in values)


def _show_extent(statements: list[ClassSet], top: str) -> str:
    if not statements:
        return f"({short(top)}, unstated)"
    shown = []
    for statement in statements:
        members = sorted(short(m) if "://" in m and " " not in m else m for m in statement)
        shown.append(members[0] if len(members) == 1 else "(" + " or ".join(members) + ")")
    return " and ".join(sorted(shown))
