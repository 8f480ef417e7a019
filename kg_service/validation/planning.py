"""Whole-graph decisions after each shape is compiled: which shapes stay native, and the engine-only rule.

A shape whose ``sh:node``/``sh:not``/``sh:and``/``sh:or``/``sh:xone``/``sh:qualifiedValueShape`` names a shape
that does not compile completely (or that is recursive) falls back as a whole, until nothing changes. A shape
that calls an engine-only custom function must never be reached by pySHACL.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kg_service.validation.checks import CompiledShape, referenced_shapes
from kg_service.validation.shapes import ShapesGraphError
from kg_service.validation.terms import term_text
from kg_service.vocab import SH


def resolve_references(compiled: dict[URIRef | BNode, CompiledShape]) -> None:
    """Mark shapes whose logical constraints name shapes that do not compile completely (or recursively)."""
    changed = True
    while changed:
        changed = False
        complete = _completely_native(compiled)
        for shape in compiled.values():
            if not shape.native:
                continue
            for check in shape.others:
                missing = [target for target in referenced_shapes(check) if target not in complete]
                if missing:
                    shape.fallback_reason = (
                        f"{type(check).__name__.removesuffix('Check')} constraint names {term_text(missing[0])}, "
                        "which does not compile completely (or is recursive)"
                    )
                    shape.value_checks.clear()
                    shape.counts.clear()
                    shape.others.clear()
                    changed = True
                    break


def _completely_native(compiled: Mapping[URIRef | BNode, CompiledShape]) -> set[URIRef | BNode]:
    """Shapes that compile with everything they reach (property shapes, referenced shapes), without cycles."""
    state: dict[URIRef | BNode, bool] = {}
    visiting: set[URIRef | BNode] = set()

    def visit(node: URIRef | BNode) -> bool:
        if node in state:
            return state[node]
        if node in visiting or node not in compiled:
            return False
        visiting.add(node)
        shape = compiled[node]
        reached: list[URIRef | BNode] = list(shape.properties)
        for check in shape.others:
            reached.extend(referenced_shapes(check))
        result = shape.native and all(visit(child) for child in reached)
        visiting.discard(node)
        state[node] = result
        return result

    return {node for node in compiled if visit(node)}


def check_engine_only(compiled: Mapping[URIRef | BNode, CompiledShape], graph: Graph) -> None:
    """A shape that calls an engine-only function must never reach pySHACL."""
    reached_by_pyshacl: set[Node] = set()
    stack: list[Node] = [node for node, shape in compiled.items() if not shape.native]
    while stack:
        node = stack.pop()
        if node in reached_by_pyshacl:
            continue
        reached_by_pyshacl.add(node)
        for predicate in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
            stack.extend(graph.objects(node, predicate))
        for predicate in (SH["and"], SH["or"], SH.xone):
            for list_node in graph.objects(node, predicate):
                stack.extend(graph.items(list_node))
    for node in reached_by_pyshacl:
        shape = compiled.get(node)  # type: ignore[call-overload]
        if shape is None or not shape.engine_only:
            continue
        raise ShapesGraphError(
            f"shape {shape.text} calls the engine-only function(s) {', '.join(sorted(shape.engine_only))} but "
            f"would run on pySHACL ({shape.fallback_reason or 'it is reached from a shape that does'})",
            f"셰이프 {shape.text}는 엔진 전용 함수를 호출하지만 pySHACL로 실행되어야 합니다",
            hint="keep engine-only SPARQL constraints in shapes that compile natively (see engine.plan())",
        )
