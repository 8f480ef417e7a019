"""Turning RDF terms and OWL/SHACL blank-node structures into short, stable text for reports and comparisons.

Blank nodes have no identity across two parses of the same file, so everything built from them (unions in
domains and ranges, restrictions, ``sh:in`` lists, property paths) is compared by a canonical rendering:
members of unions, intersections and enumerations are sorted, list order is kept where it matters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from rdflib import OWL, RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg_service.ontology.check import curie

_EXTRA_PREFIXES: Final = {
    "sh": str(SH),
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "quantitykind": "http://qudt.org/vocab/quantitykind/",
    "sdm": "https://smartdatamodels.org/",
}
_SHAPES_NAMESPACE: Final = re.compile(
    r"^https://data\.seoul\.go\.kr/cps/shapes/([a-z][a-z0-9_-]*)#([\w\-.]+)$"
)
_LOCAL_NAME: Final = re.compile(r"[\w\-][\w.\-/%]*")
_PLAIN_NUMBERS: Final = frozenset(
    {
        "http://www.w3.org/2001/XMLSchema#integer",
        "http://www.w3.org/2001/XMLSchema#decimal",
        "http://www.w3.org/2001/XMLSchema#boolean",
    }
)
_MAX_DEPTH: Final = 8
_UNORDERED_SETS: Final = {OWL.unionOf: " or ", OWL.intersectionOf: " and "}
_RESTRICTIONS: Final = (
    (OWL.someValuesFrom, "some"),
    (OWL.allValuesFrom, "only"),
    (OWL.hasValue, "value"),
    (OWL.minCardinality, "min"),
    (OWL.maxCardinality, "max"),
    (OWL.cardinality, "exactly"),
    (OWL.minQualifiedCardinality, "min"),
    (OWL.maxQualifiedCardinality, "max"),
    (OWL.qualifiedCardinality, "exactly"),
    (OWL.hasSelf, "self"),
)
_PATHS: Final = (
    (SH.inversePath, "^"),
    (SH.zeroOrMorePath, "*"),
    (SH.oneOrMorePath, "+"),
    (SH.zeroOrOnePath, "?"),
)


def short(iri: str) -> str:
    """``iri`` as a CURIE for reports: the project's prefixes, SHACL, WGS84, and ``{file}:`` for our shapes.

    >>> short("http://www.w3.org/ns/shacl#minCount"), short("https://data.seoul.go.kr/cps/shapes/common#LatitudeShape")
    ('sh:minCount', 'common:LatitudeShape')
    >>> short("https://data.seoul.go.kr/cps/ontology#Sensor")
    'cps:Sensor'
    """
    match = _SHAPES_NAMESPACE.match(iri)
    if match:
        return f"{match.group(1)}:{match.group(2)}"
    for prefix, namespace in _EXTRA_PREFIXES.items():
        if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return curie(iri)


def render(graph: Graph, node: Node, _depth: int = 0) -> str:
    """A short, canonical text for ``node`` as it is described in ``graph``.

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='''
    ... @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix cps: <https://data.seoul.go.kr/cps/ontology#> .
    ... cps:p <http://www.w3.org/2000/01/rdf-schema#domain> [ owl:unionOf ( cps:Sensor cps:Building ) ] .
    ... ''', format="turtle")
    >>> from rdflib import RDFS
    >>> render(g, next(g.objects(None, RDFS.domain)))
    '(cps:Building or cps:Sensor)'
    """
    if isinstance(node, URIRef):
        return short(str(node))
    if isinstance(node, Literal):
        return render_literal(node)
    if not isinstance(node, BNode):
        return str(node)
    if _depth >= _MAX_DEPTH:
        return "[…]"
    return _render_blank(graph, node, _depth + 1)


def render_literal(literal: Literal) -> str:
    """``"text"@lang``, ``"text"`` or ``"text"^^xsd:type`` (plain and ``xsd:string`` literals are the same term).

    >>> from rdflib import Literal, XSD
    >>> render_literal(Literal("5", datatype=XSD.integer)), render_literal(Literal("a", datatype=XSD.string))
    ('5', '"a"')
    >>> render_literal(Literal("2020-05-01", datatype=XSD.date))
    '"2020-05-01"^^xsd:date'
    """
    if literal.datatype is not None and str(literal.datatype) in _PLAIN_NUMBERS and literal.language is None:
        return str(literal)
    text = str(literal).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if literal.language:
        return f'"{text}"@{literal.language}'
    if literal.datatype is None or str(literal.datatype) == "http://www.w3.org/2001/XMLSchema#string":
        return f'"{text}"'
    return f'"{text}"^^{short(str(literal.datatype))}'


def list_items(graph: Graph, head: Node) -> list[Node]:
    """The members of the RDF list starting at ``head`` (stops at a broken or cyclic list)."""
    items: list[Node] = []
    seen: set[Node] = set()
    node: Node | None = head
    while node is not None and node != RDF.nil and node not in seen:
        seen.add(node)
        first = graph.value(node, RDF.first)
        if first is None:
            break
        items.append(first)
        node = graph.value(node, RDF.rest)
    return items


def path_iris(graph: Graph, path: Node, _depth: int = 0) -> Iterator[URIRef]:
    """Every property IRI a SHACL property path mentions (sequences, alternatives, inverse and repeat paths)."""
    if isinstance(path, URIRef):
        yield path
        return
    if not isinstance(path, BNode) or _depth > _MAX_DEPTH:
        return
    if graph.value(path, RDF.first) is not None:
        for item in list_items(graph, path):
            yield from path_iris(graph, item, _depth + 1)
        return
    for predicate in (SH.alternativePath, *(p for p, _ in _PATHS)):
        for inner in graph.objects(path, predicate):
            yield from path_iris(graph, inner, _depth + 1)


def _render_blank(graph: Graph, node: BNode, depth: int) -> str:
    for predicate, joiner in _UNORDERED_SETS.items():
        members = graph.value(node, predicate)
        if members is not None:
            return (
                "(" + joiner.join(sorted(render(graph, m, depth) for m in list_items(graph, members))) + ")"
            )
    complement = graph.value(node, OWL.complementOf)
    if complement is not None:
        return f"(not {render(graph, complement, depth)})"
    one_of = graph.value(node, OWL.oneOf)
    if one_of is not None:
        return "{" + ", ".join(sorted(render(graph, m, depth) for m in list_items(graph, one_of))) + "}"
    on_property = graph.value(node, OWL.onProperty)
    if on_property is not None:
        for predicate, word in _RESTRICTIONS:
            value = graph.value(node, predicate)
            if value is not None:
                qualifier = graph.value(node, OWL.onClass) or graph.value(node, OWL.onDataRange)
                tail = f" {render(graph, qualifier, depth)}" if qualifier is not None else ""
                return f"({render(graph, on_property, depth)} {word} {render(graph, value, depth)}{tail})"
    if graph.value(node, RDF.first) is not None:
        return "[" + ", ".join(render(graph, m, depth) for m in list_items(graph, node)) + "]"
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + " | ".join(render(graph, m, depth) for m in list_items(graph, alternatives)) + ")"
    for predicate, mark in _PATHS:
        inner = graph.value(node, predicate)
        if inner is not None:
            text = render(graph, inner, depth)
            return f"^{text}" if mark == "^" else f"{text}{mark}"
    pairs = sorted(
        f"{render(graph, p, depth)} {render(graph, o, depth)}"
        for p, o in graph.predicate_objects(node)
        if p != RDF.type or o not in (OWL.Class, OWL.Restriction, RDF.List)
    )
    return "[" + " ; ".join(pairs) + "]"
