"""Explanation paths: the shortest chains of links between two entities (e.g. service → system → dataset ←
sensor), found by a bidirectional breadth-first search over index reads.

Links are followed in both directions. Bounded work: at most :data:`FAN_OUT` neighbours per node and
direction, at most :data:`MAX_EXPLORED` nodes in all; ``truncated`` says when a bound was hit (a longer
or missing answer may then be an artefact of the bound). Type links, geometry and identifier nodes and
literals are not followed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Final

import pyoxigraph as ox

from kg_service.queries.entities import predicate_label
from kg_service.queries.model import ExplanationPaths, PathStep, Text
from kg_service.queries.reader import CPS_NS, GEO_NS, RDF_TYPE, StoreReader

MAX_LENGTH: Final = 5
FAN_OUT: Final = 200
MAX_EXPLORED: Final = 20_000
MAX_PATHS: Final = 10
_OWL: Final = "http://www.w3.org/2002/07/owl#"
_RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
#: Links that say nothing about how two things relate in the city (typing, ontology structure, leaves).
SKIPPED_PREDICATES: Final = frozenset(
    {
        RDF_TYPE,
        GEO_NS + "hasGeometry",
        CPS_NS + "hasIdentifier",
        CPS_NS + "identifierScheme",
        _RDFS + "subClassOf",
        _RDFS + "subPropertyOf",
        _RDFS + "domain",
        _RDFS + "range",
        _RDFS + "seeAlso",
        _SKOS + "inScheme",
        _SKOS + "topConceptOf",
        _SKOS + "hasTopConcept",
        _OWL + "equivalentClass",
        _OWL + "disjointWith",
        "http://purl.org/dc/terms/creator",
        "http://purl.org/dc/terms/license",
    }
)

# An edge as found from a node: (neighbour, subject, predicate, object) of the triple behind it.
Edge = tuple[str, str, str, str]
Neighbours = Callable[[str], tuple[list[Edge], bool]]


def neighbours_from_index(reader: StoreReader, fan_out: int = FAN_OUT) -> Neighbours:
    """Neighbours of a node by index reads: outgoing and incoming links to IRIs, at most ``fan_out`` each way.
    The flag says whether some were left out."""

    def neighbours(node: str) -> tuple[list[Edge], bool]:
        edges: dict[tuple[str, str, str], Edge] = {}
        truncated = False
        for direction in ("out", "in"):
            quads: Iterator[ox.Quad] = (
                reader.quads(node, None, None) if direction == "out" else reader.quads(None, None, node)
            )
            taken = 0
            for quad in quads:
                predicate = quad.predicate.value
                other = quad.object if direction == "out" else quad.subject
                if predicate in SKIPPED_PREDICATES or not isinstance(other, ox.NamedNode):
                    continue
                if taken >= fan_out:
                    truncated = True
                    break
                subject, obj = (node, other.value) if direction == "out" else (other.value, node)
                key = (subject, predicate, obj)
                if key not in edges:
                    edges[key] = (other.value, subject, predicate, obj)
                    taken += 1
        return list(edges.values()), truncated

    return neighbours


def shortest_paths(
    source: str,
    target: str,
    max_length: int,
    neighbours: Neighbours,
    labels: Callable[[str], Text],
) -> ExplanationPaths:
    """All shortest paths (at most :data:`MAX_PATHS`) of at most ``max_length`` links between two nodes."""
    if source == target:
        return ExplanationPaths(((),), 0, 1, False)
    parents: tuple[dict[str, list[tuple[str, Edge]]], dict[str, list[tuple[str, Edge]]]] = (
        {source: []},
        {target: []},
    )
    frontiers = ([source], [target])
    depths = [0, 0]
    truncated = False
    explored = 2
    meeting: list[str] = []
    while frontiers[0] and frontiers[1] and depths[0] + depths[1] < max_length and not meeting:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        seen, other_seen = parents[side], parents[1 - side]
        level: dict[str, list[tuple[str, Edge]]] = {}
        for node in frontiers[side]:
            edges, cut = neighbours(node)
            truncated = truncated or cut
            for edge in edges:
                neighbour = edge[0]
                if neighbour in seen:
                    continue
                level.setdefault(neighbour, []).append((node, edge))
            if explored + len(level) > MAX_EXPLORED:
                truncated = True
                break
        explored += len(level)
        seen.update(level)
        depths[side] += 1
        frontiers = (list(level), frontiers[1]) if side == 0 else (frontiers[0], list(level))
        meeting = sorted(n for n in level if n in other_seen)
    if not meeting:
        return ExplanationPaths((), None, explored, truncated)
    label_cache: dict[str, Text] = {}

    def step(a: str, edge: Edge) -> PathStep:
        _, subject, predicate, obj = edge
        if predicate not in label_cache:
            label_cache[predicate] = labels(predicate)
        b = obj if subject == a else subject
        return PathStep(a, predicate, label_cache[predicate], b, subject == a)

    paths: list[tuple[PathStep, ...]] = []
    for middle in meeting:
        for head in _walk(parents[0], middle):
            for tail in _walk(parents[1], middle):
                forward = [step(a, e) for a, e in reversed(head)]
                backward: list[PathStep] = []
                current = middle
                for previous, edge in tail:
                    backward.append(step(current, edge))
                    current = previous
                paths.append(tuple(forward + backward))
                if len(paths) >= MAX_PATHS:
                    break
            if len(paths) >= MAX_PATHS:
                break
    unique = list(dict.fromkeys(paths))
    length = len(unique[0]) if unique else None
    return ExplanationPaths(tuple(unique[:MAX_PATHS]), length, explored, truncated)


def _walk(parents: dict[str, list[tuple[str, Edge]]], node: str) -> Iterator[list[tuple[str, Edge]]]:
    """Chains from ``node`` back to the search root: each item is (previous node, edge previous→node), listed
    from ``node`` towards the root (callers reverse as needed)."""
    if not parents[node]:
        yield []
        return
    for previous, edge in itertools.islice(parents[node], MAX_PATHS):
        for rest in _walk(parents, previous):
            yield [(previous, edge), *rest]


def explanation_paths(reader: StoreReader, source: str, target: str, max_length: int) -> ExplanationPaths:
    """Shortest link paths between two entities in the store (index reads only)."""
    return shortest_paths(
        source, target, max_length, neighbours_from_index(reader), lambda p: predicate_label(reader, p)
    )
