"""Constraints decided by conformance to other shapes: ``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``
and ``sh:qualifiedValueShape``.

The value nodes are materialised once as a focus set, each referenced shape is evaluated on all of them at
once (natively: the compiler only allows shapes that compile completely), and a value node conforms to a
shape when that evaluation gives it no result, of any severity (as pySHACL decides conformance).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg_service.validation.checks import SH_NS, CompiledShape, QualifiedCheck, ShapeRefCheck
from kg_service.validation.paths import sparql_path
from kg_service.validation.report import ValidationResult
from kg_service.validation.terms import from_rdflib, term_from_text, term_text

if TYPE_CHECKING:
    from kg_service.validation.execution import Focus, ValidationRun


def shape_reference_results(
    run: ValidationRun, shape: CompiledShape, check: ShapeRefCheck, focus: Focus
) -> list[ValidationResult]:
    """``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``: one result per value node that fails."""
    value_focus = run.value_focus(shape, focus) if shape.is_property else focus
    values = {term_text(node) for node in run.focus_nodes(value_focus)}
    if not values:
        return []
    failing = [nonconforming(run, target, value_focus) for target in check.shapes]
    if check.kind in ("node", "and"):
        bad = set().union(*failing)
    elif check.kind == "not":
        bad = values - failing[0]
    elif check.kind == "or":
        bad = set(values).intersection(*failing)
    else:
        bad = {value for value in values if sum(value not in f for f in failing) != 1}
    if not bad:
        return []
    query = f"SELECT DISTINCT ?this ?value WHERE {{ {focus.pattern} {run.value_pattern(shape)} }}"
    return [
        run.result(shape, check.component, row[0], row[1])
        for row in run.select(query)
        if row[0] and row[1] and term_text(row[1]) in bad
    ]


def qualified_results(
    run: ValidationRun, shape: CompiledShape, check: QualifiedCheck, focus: Focus
) -> list[ValidationResult]:
    """``sh:qualifiedMinCount``/``sh:qualifiedMaxCount``: count the value nodes that conform to the qualified
    shape (and, with ``sh:qualifiedValueShapesDisjoint``, to none of the sibling shapes)."""
    assert shape.path is not None
    value_focus = run.value_focus(shape, focus)
    excluded = nonconforming(run, check.shape, value_focus)
    if check.siblings:
        values = {term_text(node) for node in run.focus_nodes(value_focus)}
        for sibling in check.siblings:
            excluded |= values - nonconforming(run, sibling, value_focus)
    graph = run.dataset.new_graph()
    member = ox.NamedNode(run.member)
    run.store.extend(ox.Quad(member, member, from_rdflib(term_from_text(text)), graph) for text in excluded)
    conditions = []
    if check.minimum is not None:
        conditions.append(f"COUNT(DISTINCT ?value) < {check.minimum}")
    if check.maximum is not None:
        conditions.append(f"COUNT(DISTINCT ?value) > {check.maximum}")
    query = (
        f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus.pattern} OPTIONAL {{ "
        f"?this {sparql_path(shape.path)} ?value "
        f"FILTER NOT EXISTS {{ GRAPH <{graph.value}> {{ <{run.member}> <{run.member}> ?value }} }} }} }} "
        f"GROUP BY ?this HAVING ({' || '.join(conditions)})"
    )
    results: list[ValidationResult] = []
    for row in run.select(query):
        this, number = row[0], row[1]
        if this is None or not isinstance(number, ox.Literal):
            continue
        count = int(number.value)
        if check.maximum is not None and count > check.maximum:
            results.append(run.result(shape, SH_NS + "QualifiedMaxCountConstraintComponent", this, None))
        if check.minimum is not None and count < check.minimum:
            results.append(run.result(shape, SH_NS + "QualifiedMinCountConstraintComponent", this, None))
    return results


def nonconforming(run: ValidationRun, target: ox.NamedNode | object, value_focus: Focus) -> set[str]:
    """The focus nodes of ``value_focus`` (as report text) that do not conform to the shape ``target``."""
    return {result.focus_node for result in run.evaluate([run.compiled[target]], value_focus)}  # type: ignore[index]
