"""SHACL-SPARQL constraints (``sh:sparql``) run natively on Oxigraph, over the unprotected copy of the data.

``bulk`` queries run once with ``$this`` bound to all focus nodes (:func:`sparql_text.bind_focus_nodes`);
``each`` queries run once per focus node with ``$this`` pre-bound in the text (:func:`sparql_text.pre_bind`).
Solutions become results as pySHACL makes them: ``?value`` (or the focus node, for a node shape) as value,
``?path`` (or the shape's path) as path, a bound ``?failure`` as one result per focus node; the messages of the
constraint (or of the shape) get ``{?var}`` filled from the solution.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg_service.validation import sparql_text
from kg_service.validation.checks import SH_NS, CompiledShape, SparqlCheck
from kg_service.validation.messages import display_term, fill_bindings
from kg_service.validation.report import ValidationResult
from kg_service.validation.terms import OxTerm, from_rdflib, term_text

if TYPE_CHECKING:
    from kg_service.validation.execution import Focus, ValidationRun


def sparql_results(
    run: ValidationRun, shape: CompiledShape, check: SparqlCheck, focus: Focus
) -> list[ValidationResult]:
    """The results of one ``sh:sparql`` constraint for all focus nodes."""
    if not check.query:
        return []  # deactivated
    native = run.dataset.native_default_graph()
    named: list[ox.NamedNode | ox.BlankNode] = []
    pattern = focus.native_pattern
    if focus.graph is not None:
        copy = run.dataset.native_copy(focus.graph)
        named = [copy]
        pattern = f"GRAPH <{copy.value}> {{ <{run.member}> <{run.member}> ?this }}"

    def evaluate(query: str, graphs: list[ox.NamedNode | ox.BlankNode]) -> ox.QuerySolutions:
        solutions = run.store.query(
            query,
            prefixes=dict(check.prefixes),
            default_graph=native,
            named_graphs=graphs,
            custom_functions=run.functions,  # type: ignore[arg-type]
        )
        assert isinstance(solutions, ox.QuerySolutions)
        return solutions

    query = check.query
    if check.uses_current_shape:  # the compiler keeps blank-node shapes with $currentShape on pySHACL
        query = sparql_text.pre_bind(query, "currentShape", str(from_rdflib(shape.node, protected=False)))
    results: list[ValidationResult] = []
    if check.mode == "bulk":
        solutions = evaluate(sparql_text.bind_focus_nodes(query, pattern), named)
        results.extend(_results(run, shape, check, solutions, None))
        return results
    listing = evaluate(f"SELECT DISTINCT ?this WHERE {{ {pattern} }}", named)
    for node in [row[0] for row in listing if row[0] is not None]:
        if isinstance(node, ox.BlankNode):
            # A blank node cannot be written in SPARQL text: join this one node in, as the bulk mode does.
            single = run.dataset.new_graph()
            member = ox.NamedNode(run.member)
            run.store.add(ox.Quad(member, member, node, single))
            one = f"GRAPH <{single.value}> {{ <{run.member}> <{run.member}> ?this }}"
            solutions = evaluate(sparql_text.bind_focus_nodes(query, one), [*named, single])
        else:
            solutions = evaluate(sparql_text.pre_bind(query, "this", str(node)), named)
        results.extend(_results(run, shape, check, solutions, node))
    return results


def _results(
    run: ValidationRun,
    shape: CompiledShape,
    check: SparqlCheck,
    solutions: ox.QuerySolutions,
    this: OxTerm | None,
) -> Iterator[ValidationResult]:
    names = [variable.value for variable in solutions.variables]
    component = SH_NS + "SPARQLConstraintComponent"
    failed: set[str] = set()
    declared = check.messages or shape.messages
    for row in solutions:
        bound = {name: row[index] for index, name in enumerate(names) if row[index] is not None}
        focus = bound.get("this", this)
        if focus is None:
            continue
        default_value = None if shape.is_property else focus
        if "failure" in bound:
            if term_text(focus) in failed:
                continue
            failed.add(term_text(focus))
            value, path = default_value, shape.path_text
        else:
            value = bound.get("value", default_value)
            path = term_text(bound["path"]) if "path" in bound else shape.path_text
        messages = (
            fill_bindings(declared, {n: display_term(t) for n, t in bound.items()}) if declared else None
        )
        yield run.result(
            shape, component, focus, value, path=path, messages=messages, constraint=check.constraint_text
        )
