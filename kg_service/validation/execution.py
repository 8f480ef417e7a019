"""One validation run: compiled shapes executed as bulk SPARQL queries over the validation store.

Work is done per constraint over all focus nodes at once, never per focus node:

- the value checks of all shapes that share a focus set and a path are one query (one pass over the values);
  ``sh:minCount 1`` rides along as an ``OPTIONAL`` and ``sh:maxCount 1`` as an ``EXISTS``; only the rows that
  fail come back to Python;
- other cardinalities are one ``GROUP BY`` query, every other constraint one query;
- a focus set is a pattern over the targets (class hierarchies resolved once per run) or, for value nodes
  that become focus nodes (``sh:property`` under a property shape, ``sh:node`` and the logical constraints),
  a named graph materialised with one ``INSERT``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar, Final

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from kg_service.validation import conformance, sparql_constraints
from kg_service.validation.checks import (
    SH_NS,
    ClosedCheck,
    CompiledShape,
    HasValueCheck,
    OtherCheck,
    PairCheck,
    QualifiedCheck,
    ShapeRefCheck,
    UniqueLangCheck,
    ValueCheck,
)
from kg_service.validation.compiler import PATTERN_FUNCTION
from kg_service.validation.dataset import ValidationDataset
from kg_service.validation.fallback import FallbackOccurrence, run_fallback
from kg_service.validation.messages import display_term, generated_messages, shape_parameters
from kg_service.validation.paths import sparql_path
from kg_service.validation.report import ValidationResult
from kg_service.validation.shapes import ShapeKey
from kg_service.validation.terms import OxTerm, quiet_rdflib_literals, term_text, to_rdflib

MEMBER_IRI: Final = "urn:kg-service:validation:member"
MEMBER: Final = f"<{MEMBER_IRI}>"
_RDF_TYPE: Final = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_SUBCLASS: Final = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_RDFS_RESOURCE: Final = "<http://www.w3.org/2000/01/rdf-schema#Resource>"
_TRUE: Final = "true"

CustomFunction = Callable[..., OxTerm | None]


class _ShapePath(Enum):
    """Marker: the result path is the shape's own path."""

    OWN = 0


@dataclass(frozen=True, slots=True)
class Focus:
    """A set of focus nodes: a pattern that binds ``?this`` (``graph`` is set when it is materialised)."""

    pattern: str
    native_pattern: str
    graph: ox.NamedNode | None = None


class ValidationRun:
    """Executes the compiled shapes on one dataset; :meth:`execute` returns every result."""

    member: ClassVar[str] = MEMBER_IRI
    """Subject and predicate of the triples that list a materialised focus set in its named graph."""

    def __init__(
        self,
        *,
        dataset: ValidationDataset,
        shapes: Graph,
        compiled: Mapping[ShapeKey, CompiledShape],
        patterns: Sequence[re.Pattern[str]],
        functions: Mapping[str, CustomFunction],
    ) -> None:
        self.dataset = dataset
        self.store = dataset.store
        self.shapes = shapes
        self.compiled = compiled
        self.patterns = patterns
        self.user_functions = {ox.NamedNode(iri): function for iri, function in functions.items()}
        self.functions = {**self.user_functions, ox.NamedNode(PATTERN_FUNCTION): self._pattern}
        self.pending: list[tuple[CompiledShape, Focus]] = []
        self._names = itertools.count()
        self._class_closures: dict[str, list[str] | None] = {}
        self._parameters: dict[tuple[str, str], dict[str, str]] = {}

    # -- the run ---------------------------------------------------------------------------------------

    def execute(self) -> list[ValidationResult]:
        """Evaluate every shape with targets, natively or (collected for one call) on pySHACL."""
        results: list[ValidationResult] = []
        occurrences: list[FallbackOccurrence] = []
        for shape in self.compiled.values():
            if shape.targets.empty or shape.deactivated:
                continue
            if shape.targets.unresolved:  # pySHACL finds these focus nodes itself
                occurrences.append(FallbackOccurrence(shape, None, as_root=True))
                continue
            focus = self.root_focus(shape)
            if shape.native:
                results.extend(self.evaluate([shape], focus))
            elif nodes := self._rdflib_focus_nodes(focus):
                occurrences.append(FallbackOccurrence(shape, nodes, as_root=True))
        occurrences += [
            FallbackOccurrence(shape, nodes, as_root=False)
            for shape, focus in self.pending
            if (nodes := self._rdflib_focus_nodes(focus))
        ]
        if occurrences:
            results.extend(run_fallback(self.shapes, occurrences, self.dataset.rdflib_graph()))
        return results

    def evaluate(self, shapes: Sequence[CompiledShape], focus: Focus) -> list[ValidationResult]:
        """Results of natively compiled ``shapes`` (sharing ``focus``), their property shapes included."""
        active = [shape for shape in shapes if not shape.deactivated]
        results: list[ValidationResult] = []
        by_path: dict[str | None, list[CompiledShape]] = {}
        for shape in active:
            by_path.setdefault(None if shape.path is None else sparql_path(shape.path), []).append(shape)
        for path, members in by_path.items():
            results.extend(self._value_checks(members, path, focus))
            results.extend(self._counts(members, path, focus))
        for shape in active:
            for check in shape.others:
                results.extend(self._other(shape, check, focus))
            if shape.properties:
                child_focus = self.value_focus(shape, focus) if shape.is_property else focus
                children = [self.compiled[child] for child in shape.properties]
                results.extend(self.evaluate([child for child in children if child.native], child_focus))
                self.pending.extend(
                    (child, child_focus) for child in children if not (child.native or child.deactivated)
                )
        return results

    # -- focus sets ------------------------------------------------------------------------------------

    def root_focus(self, shape: CompiledShape) -> Focus:
        """The focus nodes of a shape's own targets."""
        targets = shape.targets
        branches: list[str] = []
        native_branches: list[str] = []
        for constant in targets.classes:
            closure = self._subclasses(constant.text)
            if closure is None:
                branch = f"?this {_RDF_TYPE}/{_SUBCLASS}* {constant.text} ."
            elif len(closure) == 1:
                branch = f"?this {_RDF_TYPE} {closure[0]} ."
            else:
                variable = self._variable()
                branch = f"VALUES {variable} {{ {' '.join(closure)} }} ?this {_RDF_TYPE} {variable} ."
            branches.append(branch)
            native_branches.append(branch)
        if targets.nodes:
            branches.append(f"VALUES ?this {{ {' '.join(c.text for c in targets.nodes)} }}")
            native_branches.append(f"VALUES ?this {{ {' '.join(c.native_text for c in targets.nodes)} }}")
        for constant, subject in [(c, True) for c in targets.subjects_of] + [
            (c, False) for c in targets.objects_of
        ]:
            other = self._variable()
            triple = f"?this {constant.text} {other}" if subject else f"{other} {constant.text} ?this"
            branches.append(f"{{ SELECT DISTINCT ?this WHERE {{ {triple} }} }}")
            native_branches.append(branches[-1])
        return Focus(_union(branches), _union(native_branches))

    def value_focus(self, shape: CompiledShape, focus: Focus) -> Focus:
        """The value nodes of a property shape, materialised as a focus set."""
        assert shape.path is not None
        graph = self.dataset.new_graph()
        where = f"{focus.pattern} ?this {sparql_path(shape.path)} ?value ."
        self.store.update(
            f"INSERT {{ GRAPH <{graph.value}> {{ {MEMBER} {MEMBER} ?value }} }} WHERE {{ {where} }}"
        )
        pattern = f"GRAPH <{graph.value}> {{ {MEMBER} {MEMBER} ?this }}"
        return Focus(pattern, "", graph)

    def focus_nodes(self, focus: Focus) -> list[OxTerm]:
        rows = self.select(f"SELECT DISTINCT ?this WHERE {{ {focus.pattern} }}")
        return [row[0] for row in rows if row[0] is not None]

    def _rdflib_focus_nodes(self, focus: Focus) -> list[Node]:
        return [to_rdflib(node, normalize=True) for node in self.focus_nodes(focus)]

    def _subclasses(self, class_text: str) -> list[str] | None:
        """The class and its subclasses as SPARQL terms, or ``None`` if a blank node is among them."""
        if class_text not in self._class_closures:
            rows = self.select(f"SELECT DISTINCT ?c WHERE {{ ?c {_SUBCLASS}* {class_text} }}")
            found = [row[0] for row in rows]
            closure = [str(term) for term in found if isinstance(term, ox.NamedNode)]
            self._class_closures[class_text] = closure if len(closure) == len(found) else None
        return self._class_closures[class_text]

    # -- value checks and counts -----------------------------------------------------------------------

    def _value_checks(
        self, shapes: Sequence[CompiledShape], path: str | None, focus: Focus
    ) -> list[ValidationResult]:
        checks: list[tuple[CompiledShape, ValueCheck]] = [(s, c) for s in shapes for c in s.value_checks]
        min_one = [s for s in shapes if path is not None and any(c.minimum == 1 for c in s.counts)]
        max_one = [s for s in shapes if path is not None and any(c.maximum == 1 for c in s.counts)]
        if not (checks or min_one or max_one):
            return []
        binds = [
            f"BIND({self._expression(check, index)} AS ?k{index})" for index, (_, check) in enumerate(checks)
        ]
        if max_one:
            binds.append(
                f"BIND(EXISTS {{ ?this {path} ?__kgother FILTER(!sameTerm(?__kgother, ?value)) }} AS ?dup)"
            )
        inner = ("BIND(?this AS ?value) " if path is None else f"?this {path} ?value . ") + " ".join(binds)
        where = f"{focus.pattern} OPTIONAL {{ {inner} }}" if min_one else f"{focus.pattern} {inner}"
        failing = (["!BOUND(?value)"] if min_one else []) + (["COALESCE(?dup, false)"] if max_one else [])
        failing += [f"!COALESCE(?k{index}, false)" for index in range(len(checks))]
        variables = " ".join(
            ["?this", "?value", *(["?dup"] if max_one else []), *(f"?k{i}" for i in range(len(checks)))]
        )
        query = f"SELECT {variables} WHERE {{ {where} FILTER({' || '.join(failing)}) }}"
        results: list[ValidationResult] = []
        offset = 3 if max_one else 2
        with quiet_rdflib_literals():
            results.extend(self._value_rows(query, checks, min_one, max_one, offset))
        return results

    def _value_rows(
        self,
        query: str,
        checks: Sequence[tuple[CompiledShape, ValueCheck]],
        min_one: Sequence[CompiledShape],
        max_one: Sequence[CompiledShape],
        offset: int,
    ) -> Iterator[ValidationResult]:
        for row in self.select(query):
            this, value = row[0], row[1]
            if this is None:
                continue
            if value is None:
                yield from (self._count_result(shape, "MinCount", this) for shape in min_one)
                continue
            if max_one and _is_true(row[2]):
                yield from (self._count_result(shape, "MaxCount", this) for shape in max_one)
            for index, (shape, check) in enumerate(checks):
                flag = row[offset + index]
                if flag is None:
                    satisfied = check.decide(value) if check.decide is not None else False
                else:
                    satisfied = _is_true(flag)
                if not satisfied:
                    yield self.result(shape, check.component, this, value)

    def _expression(self, check: ValueCheck, index: int) -> str:
        """The check's SPARQL; ``sh:class`` uses the class hierarchy resolved for this run's data."""
        if check.instance_of is None:
            return check.expression
        closure = self._subclasses(check.instance_of.text)
        if closure is None:
            return check.expression
        if len(closure) == 1:
            return f"EXISTS {{ ?value {_RDF_TYPE} {closure[0]} }}"
        return (
            f"EXISTS {{ ?value {_RDF_TYPE} ?__kgt{index} FILTER(?__kgt{index} IN ({', '.join(closure)})) }}"
        )

    def _counts(
        self, shapes: Sequence[CompiledShape], path: str | None, focus: Focus
    ) -> list[ValidationResult]:
        counted = [(s, c) for s in shapes for c in s.counts if c.minimum != 1 and c.maximum != 1]
        if not counted or path is None:
            return []
        conditions = [
            f"COUNT(DISTINCT ?value) < {c.minimum}"
            if c.minimum is not None
            else f"COUNT(DISTINCT ?value) > {c.maximum}"
            for _, c in counted
        ]
        query = (
            f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus.pattern} OPTIONAL {{ ?this {path} ?value }} }} "
            f"GROUP BY ?this HAVING ({' || '.join(conditions)})"
        )
        results: list[ValidationResult] = []
        for row in self.select(query):
            this, number = row[0], row[1]
            if this is None or not isinstance(number, ox.Literal):
                continue
            count = int(number.value)
            for shape, check in counted:
                if (check.minimum is not None and count < check.minimum) or (
                    check.maximum is not None and count > check.maximum
                ):
                    results.append(self.result(shape, check.component, this, None))
        return results

    def _count_result(self, shape: CompiledShape, kind: str, this: OxTerm) -> ValidationResult:
        return self.result(shape, f"{SH_NS}{kind}ConstraintComponent", this, None)

    # -- other constraints -----------------------------------------------------------------------------

    def _other(self, shape: CompiledShape, check: OtherCheck, focus: Focus) -> list[ValidationResult]:
        if isinstance(check, HasValueCheck):
            return self._has_value(shape, check, focus)
        if isinstance(check, UniqueLangCheck):
            return self._unique_lang(shape, focus)
        if isinstance(check, PairCheck):
            return self._pair(shape, check, focus)
        if isinstance(check, ClosedCheck):
            return self._closed(shape, check, focus)
        if isinstance(check, ShapeRefCheck):
            return conformance.shape_reference_results(self, shape, check, focus)
        if isinstance(check, QualifiedCheck):
            return conformance.qualified_results(self, shape, check, focus)
        return sparql_constraints.sparql_results(self, shape, check, focus)

    def _has_value(self, shape: CompiledShape, check: HasValueCheck, focus: Focus) -> list[ValidationResult]:
        component = SH_NS + "HasValueConstraintComponent"
        if shape.path is None:
            condition = f"FILTER(!sameTerm(?this, {check.value.text}))"
        else:
            condition = f"FILTER NOT EXISTS {{ ?this {sparql_path(shape.path)} {check.value.text} }}"
        query = f"SELECT DISTINCT ?this WHERE {{ {focus.pattern} {condition} }}"
        return [self.result(shape, component, row[0], None) for row in self.select(query) if row[0]]

    def _unique_lang(self, shape: CompiledShape, focus: Focus) -> list[ValidationResult]:
        assert shape.path is not None
        query = (
            f"SELECT ?this ?lang WHERE {{ {focus.pattern} ?this {sparql_path(shape.path)} ?value "
            'FILTER(isLiteral(?value) && LANG(?value) != "") } '
            "GROUP BY ?this (LCASE(LANG(?value)) AS ?lang) HAVING (COUNT(DISTINCT ?value) > 1)"
        )
        component = SH_NS + "UniqueLangConstraintComponent"
        return [self.result(shape, component, row[0], None) for row in self.select(query) if row[0]]

    def _pair(self, shape: CompiledShape, check: PairCheck, focus: Focus) -> list[ValidationResult]:
        other = f"<{check.predicate}>"
        values = self.value_pattern(shape)
        if check.kind == "disjoint":
            query = f"SELECT DISTINCT ?this ?value WHERE {{ {focus.pattern} {values} ?this {other} ?value }}"
        else:
            member = (
                "FILTER(sameTerm(?value, ?this))"
                if shape.path is None
                else f"?this {sparql_path(shape.path)} ?value"
            )
            query = (
                f"SELECT DISTINCT ?this ?value WHERE {{ {{ {focus.pattern} {values} "
                f"FILTER NOT EXISTS {{ ?this {other} ?value }} }} UNION {{ {focus.pattern} ?this {other} ?value "
                f"FILTER NOT EXISTS {{ {member} }} }} }}"
            )
        rows = self.select(query)
        return [self.result(shape, check.component, row[0], row[1]) for row in rows if row[0] and row[1]]

    def _closed(self, shape: CompiledShape, check: ClosedCheck, focus: Focus) -> list[ValidationResult]:
        allowed = ", ".join(f"<{iri}>" for iri in check.allowed)
        query = (
            f"SELECT DISTINCT ?this ?p ?o WHERE {{ {focus.pattern} {self.value_pattern(shape)} ?value ?p ?o "
            f"FILTER(?p NOT IN ({allowed})) FILTER(!(sameTerm(?p, {_RDF_TYPE}) && sameTerm(?o, {_RDFS_RESOURCE}))) }}"
        )
        component = SH_NS + "ClosedConstraintComponent"
        return [
            self.result(shape, component, row[0], row[2], path=term_text(row[1]))
            for row in self.select(query)
            if row[0] and row[1] and row[2]
        ]

    # -- helpers ---------------------------------------------------------------------------------------

    def value_pattern(self, shape: CompiledShape) -> str:
        """The pattern that binds ``?value`` to the value nodes of ``shape`` at ``?this``."""
        return "BIND(?this AS ?value)" if shape.path is None else f"?this {sparql_path(shape.path)} ?value ."

    def result(
        self,
        shape: CompiledShape,
        component: str,
        focus: OxTerm,
        value: OxTerm | None,
        *,
        path: str | _ShapePath | None = _ShapePath.OWN,
        messages: Mapping[str, str] | None = None,
        constraint: str | None = None,
    ) -> ValidationResult:
        result_path = shape.path_text if isinstance(path, _ShapePath) else path
        value_text = None if value is None else term_text(value)
        if messages is None:
            messages = shape.messages or generated_messages(
                component,
                value=None if value is None else display_term(value),
                path=result_path,
                shape=display_term(shape.node),
                parameters=self._shape_parameters(shape, component),
            )
        return ValidationResult(
            focus_node=term_text(focus),
            result_path=result_path,
            value=value_text,
            source_shape=shape.text,
            source_constraint_component=component,
            severity=shape.severity,
            custom_severity=shape.custom_severity,
            messages=dict(messages),
            source_constraint=constraint,
        )

    def _shape_parameters(self, shape: CompiledShape, component: str) -> dict[str, str]:
        key = (shape.text, component)
        if key not in self._parameters:
            self._parameters[key] = shape_parameters(self.shapes, shape.node, component)
        return self._parameters[key]

    def select(self, query: str) -> ox.QuerySolutions:
        """Run a SELECT over the validation store, with the engine's functions registered."""
        solutions = self.store.query(
            query,
            custom_functions=self.functions,  # type: ignore[arg-type]
        )
        assert isinstance(solutions, ox.QuerySolutions)
        return solutions

    def _variable(self) -> str:
        return f"?__kgv{next(self._names)}"

    def _pattern(self, text: OxTerm, index: OxTerm) -> ox.Literal:
        """``sh:pattern`` as pySHACL applies it: Python ``re``, ``match`` then ``search``."""
        regex = self.patterns[int(index.value)]
        lexical = text.value
        return ox.Literal(bool(regex.match(lexical) or regex.search(lexical)))


def _union(branches: Sequence[str]) -> str:
    if not branches:
        return "FILTER(false)"
    if len(branches) == 1:
        return branches[0]
    return " UNION ".join(f"{{ {branch} }}" for branch in branches)


def _is_true(term: OxTerm | None) -> bool:
    return isinstance(term, ox.Literal) and term.value == _TRUE


__all__ = ["Focus", "ValidationRun"]
