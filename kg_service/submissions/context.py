"""The context a submitted delta is validated against: the ontology plus the stored entities it refers to.

Validation looks at the delta and only what it needs (the ontology for class hierarchies and units, and the
type and label triples of entities the delta points to but does not define, such as the sensor of an
observation committed earlier in another dataset). So validation time does not grow with the stored graph.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg_service.store.embedded import EmbeddedStore

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_REFERENCED_BUT_UNDEFINED = """
SELECT DISTINCT ?o WHERE {
  ?s ?p ?o .
  FILTER(isIRI(?o))
  FILTER NOT EXISTS { ?o ?q ?r }
}
"""


def delta_store(delta: bytes) -> ox.Store:
    """The delta in an in-memory store (N-Triples; raises ``SyntaxError`` for malformed input)."""
    store = ox.Store()
    if delta:
        store.bulk_load(delta, ox.RdfFormat.N_TRIPLES)
    return store


def referenced_entities(delta: ox.Store) -> list[ox.NamedNode]:
    """IRIs the delta points to without describing them."""
    result = delta.query(_REFERENCED_BUT_UNDEFINED)
    assert isinstance(result, ox.QuerySolutions)
    return [row[0] for row in result if isinstance(row[0], ox.NamedNode)]


def context_ntriples(
    store: EmbeddedStore, entities: Iterable[ox.NamedNode], ontology_ntriples: bytes
) -> bytes:
    """Ontology plus the stored ``rdf:type`` triples of ``entities``, as N-Triples."""
    lines: list[str] = []
    for entity in entities:
        for quad in store.raw.quads_for_pattern(entity, _RDF_TYPE, None, None):
            lines.append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    return ontology_ntriples + "".join(sorted(set(lines))).encode("utf-8")


def graph_as_ntriples(store: EmbeddedStore, graphs: Iterable[str]) -> bytes:
    """The named graphs, as N-Triples (their graph names dropped)."""
    out: list[str] = []
    for graph in graphs:
        for quad in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            out.append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    return "".join(out).encode("utf-8")


_SUBJECTS = "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"


def delta_subjects(delta: ox.Store) -> set[str]:
    """The subjects the delta describes (IRIs as strings, blank nodes as ``_:label``)."""
    result = delta.query(_SUBJECTS)
    assert isinstance(result, ox.QuerySolutions)
    return {
        row[0].value if isinstance(row[0], ox.NamedNode) else f"_:{row[0].value}"
        for row in result
        if row[0] is not None
    }
