"""The compiled form of shapes: the checks the engine runs, and the plan it reports.

Produced by :mod:`kg_service.validation.compiler` when an engine is built, read by
:mod:`kg_service.validation.execution` for every validation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from rdflib import BNode, URIRef
from rdflib.term import Node

from kg_service.validation import sparql_text
from kg_service.validation.paths import Path, path_to_text
from kg_service.validation.report import Severity
from kg_service.validation.terms import OxTerm
from kg_service.vocab import SH

SH_NS: Final = str(SH)

ShapeRefKind = Literal["node", "not", "and", "or", "xone"]


@dataclass(frozen=True, slots=True)
class Constant:
    """An IRI or literal from the shapes graph as SPARQL text (blank nodes cannot be written in a query).

    ``text`` matches the protected store form; ``native_text`` the term as written (for SHACL-SPARQL queries,
    which run on the unprotected copy of the data).
    """

    text: str
    native_text: str


@dataclass(frozen=True, slots=True)
class ValueCheck:
    """A condition on each value node: ``expression`` is true when the value satisfies the constraint.

    When the expression is unbound for a value, ``decide`` (pySHACL's own comparison, in Python) answers.
    """

    component: str
    expression: str
    decide: Callable[[OxTerm], bool] | None = field(default=None, compare=False)
    instance_of: Constant | None = None
    """For ``sh:class``: the class, so the run can use the class hierarchy it resolved once for the data."""


@dataclass(frozen=True, slots=True)
class CountCheck:
    """``sh:minCount`` / ``sh:maxCount`` on the number of distinct value nodes."""

    component: str
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class HasValueCheck:
    """``sh:hasValue``: the value nodes must include ``value``."""

    value: Constant


@dataclass(frozen=True, slots=True)
class UniqueLangCheck:
    """``sh:uniqueLang true``: no two value nodes share a language tag."""


@dataclass(frozen=True, slots=True)
class PairCheck:
    """``sh:equals`` / ``sh:disjoint`` against the objects of ``predicate`` at the focus node."""

    component: str
    kind: Literal["equals", "disjoint"]
    predicate: str


@dataclass(frozen=True, slots=True)
class ClosedCheck:
    """``sh:closed true``: only these predicates (and ``rdf:type rdfs:Resource``) may appear on value nodes."""

    allowed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShapeRefCheck:
    """``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``: conformance of value nodes to other shapes."""

    component: str
    kind: ShapeRefKind
    shapes: tuple[URIRef | BNode, ...]


@dataclass(frozen=True, slots=True)
class SparqlCheck:
    """One ``sh:sparql`` constraint, ready to run (``$PATH`` substituted, prefixes collected)."""

    constraint: Node
    constraint_text: str
    query: str
    mode: sparql_text.Mode
    prefixes: Mapping[str, str]
    messages: Mapping[str, str]
    uses_current_shape: bool
    engine_only_functions: frozenset[str]


@dataclass(frozen=True, slots=True)
class QualifiedCheck:
    """``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount``/``sh:qualifiedMaxCount``.

    ``siblings`` are the sibling shapes when ``sh:qualifiedValueShapesDisjoint`` is true (SHACL 4.7.3).
    """

    shape: URIRef | BNode
    minimum: int | None
    maximum: int | None
    siblings: tuple[URIRef | BNode, ...] = ()


OtherCheck = (
    HasValueCheck | UniqueLangCheck | PairCheck | ClosedCheck | ShapeRefCheck | QualifiedCheck | SparqlCheck
)


def referenced_shapes(check: OtherCheck) -> tuple[URIRef | BNode, ...]:
    """The shapes a check decides by conformance (which must then compile completely)."""
    if isinstance(check, ShapeRefCheck):
        return check.shapes
    if isinstance(check, QualifiedCheck):
        return (check.shape, *check.siblings)
    return ()


@dataclass(frozen=True, slots=True)
class Targets:
    """Target declarations of a shape (``classes`` includes the shape itself for an implicit class target).

    ``unresolved`` marks targets the engine cannot write as SPARQL (a blank node): pySHACL then finds the
    focus nodes itself.
    """

    classes: tuple[Constant, ...] = ()
    nodes: tuple[Constant, ...] = ()
    subjects_of: tuple[Constant, ...] = ()
    objects_of: tuple[Constant, ...] = ()
    unresolved: bool = False

    @property
    def empty(self) -> bool:
        """Whether the shape declares no target (it is then only reached from other shapes)."""
        return not (self.classes or self.nodes or self.subjects_of or self.objects_of or self.unresolved)


@dataclass(slots=True)
class CompiledShape:
    """A shape as the engine runs it."""

    node: URIRef | BNode
    text: str
    is_property: bool
    path: Path | None
    targets: Targets
    severity: Severity
    custom_severity: str | None
    messages: dict[str, str]
    deactivated: bool
    value_checks: list[ValueCheck] = field(default_factory=list)
    counts: list[CountCheck] = field(default_factory=list)
    others: list[OtherCheck] = field(default_factory=list)
    properties: list[URIRef | BNode] = field(default_factory=list)
    fallback_reason: str | None = None
    compiled_components: list[str] = field(default_factory=list)
    engine_only: frozenset[str] = frozenset()

    @property
    def path_text(self) -> str | None:
        """The report form of the path (bare IRI for a predicate path)."""
        return None if self.path is None else path_to_text(self.path)

    @property
    def native(self) -> bool:
        """Whether the shape's own constraints run natively."""
        return self.fallback_reason is None


@dataclass(frozen=True, slots=True)
class ShapePlan:
    """How one shape runs: ``route`` is ``"native"`` or ``"pyshacl"``; ``reason`` says why it falls back."""

    shape: str
    kind: Literal["node", "property"]
    route: Literal["native", "pyshacl"]
    reason: str | None
    has_targets: bool
    constraints: tuple[str, ...]
    engine_only: bool


@dataclass(frozen=True, slots=True)
class ValidationPlan:
    """Which shapes compile natively and which fall back to pySHACL, decided when the engine is built."""

    shapes: tuple[ShapePlan, ...]

    @property
    def native(self) -> list[ShapePlan]:
        """Shapes whose own constraints run as SPARQL on Oxigraph."""
        return [shape for shape in self.shapes if shape.route == "native"]

    @property
    def fallback(self) -> list[ShapePlan]:
        """Shapes that run on pySHACL, with the reason."""
        return [shape for shape in self.shapes if shape.route == "pyshacl"]

    def describe(self) -> str:
        """A human-readable summary, one line per shape."""
        lines = [f"{len(self.native)} shape(s) native, {len(self.fallback)} on pySHACL"]
        for shape in self.shapes:
            detail = ", ".join(shape.constraints) or "no constraints of its own"
            reason = f" — {shape.reason}" if shape.reason else ""
            lines.append(f"  [{shape.route}] {shape.kind} shape {shape.shape}: {detail}{reason}")
        return "\n".join(lines)
