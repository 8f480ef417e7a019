"""Shapes that do not compile run on pySHACL, limited to the focus nodes the engine found for them.

The engine calls pySHACL once per validation, with a shapes graph derived from the original:

- every target declaration is removed (explicit targets and implicit class targets), so pySHACL starts from
  no shape at all;
- a fallback shape that has targets of its own gets its focus nodes back as ``sh:targetNode`` values (the
  engine computed them natively; the set is the same);
- a fallback property shape reached through ``sh:property`` from a shape that runs natively is attached to a
  fresh node shape whose ``sh:targetNode`` values are the parent's focus nodes (or value nodes). pySHACL
  reports such results with the property shape as ``sh:sourceShape``, exactly as it would have on its own.

Everything the fallback shapes reach (``sh:node``, ``sh:property``, logical constraints) is evaluated by pySHACL
as usual, because the rest of the shapes graph is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import RDF, RDFS, BNode, Graph
from rdflib.term import Identifier, Node

from kg_service.validation.checks import CompiledShape
from kg_service.validation.oracle import results_from_pyshacl, run_pyshacl
from kg_service.validation.report import ValidationResult
from kg_service.validation.shapes import TARGET_PREDICATES
from kg_service.vocab import SH


@dataclass(frozen=True, slots=True)
class FallbackOccurrence:
    """One shape to run on pySHACL with its focus nodes: as itself (``as_root``) or under a parent.

    ``focus_nodes`` is ``None`` for a shape whose targets the engine could not resolve: it keeps them.
    """

    shape: CompiledShape
    focus_nodes: Sequence[Node] | None
    as_root: bool


def run_fallback(
    shapes: Graph, occurrences: Sequence[FallbackOccurrence], data: Graph
) -> list[ValidationResult]:
    """pySHACL's results for the fallback shapes (the data graph must already hold context and ontology)."""
    if not occurrences:
        return []
    derived = _without_targets(shapes, keep={o.shape.node for o in occurrences if o.focus_nodes is None})
    for occurrence in occurrences:
        if occurrence.focus_nodes is None:
            continue
        if occurrence.as_root:
            holder: Identifier = occurrence.shape.node
        else:
            holder = BNode()
            derived.add((holder, RDF.type, SH.NodeShape))
            derived.add((holder, SH.property, occurrence.shape.node))
        for focus in occurrence.focus_nodes:
            derived.add((holder, SH.targetNode, focus))
    return results_from_pyshacl(run_pyshacl(data, derived), shapes)


def _without_targets(shapes: Graph, *, keep: set[Node]) -> Graph:
    """A copy of the shapes graph in which no shape but those in ``keep`` has a target."""
    class_types: set[Node] = {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}
    shape_nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    for shape_predicate in (*TARGET_PREDICATES, SH.property, SH.node):
        shape_nodes.update(shapes.subjects(shape_predicate, None))
    derived = Graph()
    for prefix, namespace in shapes.namespaces():
        derived.bind(prefix, namespace, override=True)
    for subject, predicate, obj in shapes:
        if subject in keep:
            pass
        elif predicate in TARGET_PREDICATES or (
            predicate == RDF.type and obj in class_types and subject in shape_nodes
        ):
            continue
        derived.add((subject, predicate, obj))
    return derived
