"""Namespaces and IRI builders of the Seoul urban CPS knowledge graph.

The names here are the contract in ``docs/VOCABULARY-CONTRACT.md``; tests check that every ``CPS`` term used
in code is declared in ``ontology/``.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from rdflib import Namespace, URIRef

CPS_BASE: Final = "https://data.seoul.go.kr/cps/"
ONTOLOGY_IRI: Final = URIRef(CPS_BASE + "ontology")
CPS: Final = Namespace(CPS_BASE + "ontology#")
ID: Final = Namespace(CPS_BASE + "id/")
GRAPH: Final = Namespace(CPS_BASE + "graph/")

ONTOLOGY_GRAPH: Final = URIRef(GRAPH + "ontology")
REFERENCE_GRAPH: Final = URIRef(GRAPH + "reference")
SYSTEM_GRAPH: Final = URIRef(GRAPH + "system")
CATALOG_GRAPH: Final = URIRef(GRAPH + "catalog")

SOSA: Final = Namespace("http://www.w3.org/ns/sosa/")
SSN: Final = Namespace("http://www.w3.org/ns/ssn/")
GEO: Final = Namespace("http://www.opengis.net/ont/geosparql#")
GEOF: Final = Namespace("http://www.opengis.net/def/function/geosparql/")
SF: Final = Namespace("http://www.opengis.net/ont/sf#")
ORG: Final = Namespace("http://www.w3.org/ns/org#")
DCAT: Final = Namespace("http://www.w3.org/ns/dcat#")
DCT: Final = Namespace("http://purl.org/dc/terms/")
PROV: Final = Namespace("http://www.w3.org/ns/prov#")
SKOS: Final = Namespace("http://www.w3.org/2004/02/skos/core#")
TIME: Final = Namespace("http://www.w3.org/2006/time#")
QUDT: Final = Namespace("http://qudt.org/schema/qudt/")
UNIT: Final = Namespace("http://qudt.org/vocab/unit/")
SH: Final = Namespace("http://www.w3.org/ns/shacl#")
FIWARE_ENV: Final = Namespace("https://smartdatamodels.org/dataModel.Environment/")
FIWARE_DEVICE: Final = Namespace("https://smartdatamodels.org/dataModel.Device/")
FIWARE_WEATHER: Final = Namespace("https://smartdatamodels.org/dataModel.Weather/")
FIWARE_BUILDING: Final = Namespace("https://smartdatamodels.org/dataModel.Building/")
FIWARE_TRANSPORT: Final = Namespace("https://smartdatamodels.org/dataModel.Transportation/")
SDM: Final = Namespace("https://smartdatamodels.org/")
NGSI_LD: Final = Namespace("https://uri.etsi.org/ngsi-ld/")

PREFIXES: Final[dict[str, str]] = {
    "cps": str(CPS),
    "id": str(ID),
    "sosa": str(SOSA),
    "ssn": str(SSN),
    "geo": str(GEO),
    "geof": str(GEOF),
    "sf": str(SF),
    "org": str(ORG),
    "dcat": str(DCAT),
    "dct": str(DCT),
    "prov": str(PROV),
    "skos": str(SKOS),
    "time": str(TIME),
    "qudt": str(QUDT),
    "unit": str(UNIT),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def instance_iri(kind: str, local_id: str) -> URIRef:
    """Return the IRI of an instance from the identifier its owning platform gives it.

    The identifier is percent-encoded (every character outside the unreserved set), so the same thing
    always gets the same IRI and no identifier can inject path segments.

    >>> str(instance_iri("sensor", "V02Q1940043"))
    'https://data.seoul.go.kr/cps/id/sensor/V02Q1940043'
    >>> str(instance_iri("district", "종로구 11110"))
    'https://data.seoul.go.kr/cps/id/district/%EC%A2%85%EB%A1%9C%EA%B5%AC%2011110'
    """
    if not kind or not kind.replace("-", "").isalnum() or not kind.isascii():
        raise ValueError(f"instance kind must be ASCII letters, digits or '-': {kind!r}")
    if not local_id:
        raise ValueError("an instance identifier cannot be empty")
    return URIRef(f"{ID}{kind}/{quote(local_id, safe='')}")


def dataset_graph(dataset_id: str) -> URIRef:
    """Named graph that holds one dataset's committed triples."""
    if not dataset_id:
        raise ValueError("a dataset identifier cannot be empty")
    return URIRef(f"{GRAPH}dataset/{quote(dataset_id, safe='')}")
