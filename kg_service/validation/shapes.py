"""Which nodes of a shapes graph are shapes, and of which kind: the same answer pySHACL gives.

SHACL (section 2.1) calls a node a shape when it is typed ``sh:NodeShape``/``sh:PropertyShape``, has a target,
is the subject of ``sh:property``/``sh:node``, or is the value of a shape-expecting parameter (``sh:property``,
``sh:node``, ``sh:not``, ``sh:qualifiedValueShape``, members of ``sh:and``/``sh:or``/``sh:xone`` lists). A shape
with one ``sh:path`` is a property shape. pySHACL refuses a shapes graph where a node shape has a path, a
property shape has no path or two, or a shape has two ``sh:deactivated`` values; so does
:func:`discover_shapes`, with the same conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg_service.errors import KGServiceError
from kg_service.vocab import SH

TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

ShapeKey = URIRef | BNode
"""A shape is an IRI or a blank node of the shapes graph."""


class ShapesGraphError(KGServiceError):
    """The shapes graph cannot be used: a shape is malformed or a SPARQL constraint breaks SHACL's rules."""

    code: ClassVar[str] = "SHAPES_GRAPH"


@dataclass(frozen=True, slots=True)
class ShapeNode:
    """A node of the shapes graph that is a shape."""

    node: ShapeKey
    is_property: bool
    path_node: Node | None


def discover_shapes(graph: Graph) -> dict[ShapeKey, ShapeNode]:
    """Every shape of ``graph``, keyed by node.

    Raises:
        ShapesGraphError: where pySHACL raises ``ShapeLoadError`` while reading the shapes.
    """
    declared_node = {s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, ShapeKey)}
    declared_property = {s for s in graph.subjects(RDF.type, SH.PropertyShape) if isinstance(s, ShapeKey)}
    for node in declared_node:
        if (node, SH.path, None) in graph:
            raise _error(
                node, "is declared a sh:NodeShape but has a sh:path", "sh:NodeShape에 sh:path가 있습니다"
            )
        if node in declared_property:
            raise _error(
                node, "is declared both a node shape and a property shape", "노드·속성 셰이프로 동시에 선언됨"
            )
    shapes: dict[ShapeKey, ShapeNode] = {}
    for node in declared_node:
        shapes[node] = ShapeNode(node, is_property=False, path_node=None)
    for node in declared_property:
        paths = list(graph.objects(node, SH.path))
        if len(paths) != 1:
            raise _error(
                node,
                "is a property shape without exactly one sh:path",
                "속성 셰이프의 sh:path가 하나가 아닙니다",
            )
        shapes[node] = ShapeNode(node, is_property=True, path_node=paths[0])

    implied: list[Node] = []
    for predicate in (*TARGET_PREDICATES, SH.property, SH.node):
        implied.extend(graph.subjects(predicate, None))
    for predicate in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        implied.extend(graph.objects(None, predicate))
    for predicate in (SH["and"], SH["or"], SH.xone):
        for list_node in graph.objects(None, predicate):
            members = list(graph.items(list_node))
            if not members:
                raise _error(list_node, f"is an empty list given to {predicate.n3()}", "빈 목록입니다")
            implied.extend(members)
    for candidate in implied:
        if not isinstance(candidate, ShapeKey) or candidate in shapes:
            continue
        paths = list(graph.objects(candidate, SH.path))
        if len(paths) > 1:
            raise _error(candidate, "has more than one sh:path", "sh:path가 둘 이상입니다")
        shapes[candidate] = ShapeNode(
            candidate, is_property=bool(paths), path_node=paths[0] if paths else None
        )

    for node in shapes:
        deactivated = list(graph.objects(node, SH.deactivated))
        if len(deactivated) > 1 or (deactivated and not isinstance(deactivated[0], Literal)):
            raise _error(node, "has a malformed sh:deactivated", "sh:deactivated 값이 잘못되었습니다")
    return shapes


def has_implicit_class_target(graph: Graph, node: Node) -> bool:
    """Whether ``node`` is also a class (``rdfs:Class`` or a direct subclass of it) and so targets its instances."""
    class_types = {RDFS.Class, *graph.subjects(RDFS.subClassOf, RDFS.Class)}
    return any(node_type in class_types for node_type in graph.objects(node, RDF.type))


def is_deactivated(graph: Graph, node: Node) -> bool:
    """``sh:deactivated`` read as pySHACL reads it (Python truth of the literal's value)."""
    values = list(graph.objects(node, SH.deactivated))
    return bool(values) and isinstance(values[0], Literal) and bool(values[0].value)


def _error(node: Node, english: str, korean: str) -> ShapesGraphError:
    return ShapesGraphError(
        f"shape {node.n3()} {english}",
        f"셰이프 {node.n3()}: {korean}",
        hint="fix the shapes file; the SHACL specification section 2 defines well-formed shapes",
    )
