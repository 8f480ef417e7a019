"""pySHACL helpers shared by the per-source mapping tests: the repository's shapes and the validation context."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from tests.conftest import REPO_ROOT

SHAPES = REPO_ROOT / "shapes"
_GEO = "http://www.opengis.net/ont/geosparql#"


def shapes_graph(*names: str) -> Graph:
    """The named shape files of shapes/ as one graph (a missing file is an error, not a skip)."""
    graph = Graph()
    for name in names:
        graph.parse(SHAPES / name, format="turtle")
    return graph


def ontology_and_reference() -> Graph:
    """Ontology plus reference data, without the area polygons (types and codes are what the shapes read)."""
    graph = Graph()
    for path in sorted((REPO_ROOT / "ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    reference = Graph()
    for path in sorted((REPO_ROOT / "ontology" / "reference").glob("*.ttl")):
        reference.parse(path, format="turtle")
    for predicate in ("asWKT", "hasGeometry"):
        reference.remove((None, URIRef(_GEO + predicate), None))
    reference.remove((None, RDF.type, URIRef(_GEO + "Geometry")))
    return graph + reference


def violations(data: Graph, shapes: Graph, context: Graph) -> set[tuple[str, str]]:
    """(focus node, source shape local name) of each sh:Violation pySHACL reports on a node of ``data``.

    The context is added to the data graph rather than passed as ``ont_graph``: the result is the same (pySHACL
    mixes the ontology into the data graph), but its mixing clones blank-node structures recursively and takes
    many minutes on the ontology's owl:unionOf lists.
    """
    import pyshacl

    _, report, _ = pyshacl.validate(
        data + context, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=True
    )
    assert isinstance(report, Graph)
    query = """
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?focus ?shape WHERE {
            ?r a sh:ValidationResult ; sh:resultSeverity sh:Violation ; sh:focusNode ?focus ; sh:sourceShape ?shape .
        }"""
    own = set(data.subjects())
    return {
        (str(row[0]), str(row[1]).rsplit("#", 1)[-1])  # type: ignore[index]
        for row in report.query(query)
        if row[0] in own  # type: ignore[index]
    }
