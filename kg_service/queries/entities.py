"""Entities: what an IRI is, every identifier it is known by across platforms, and its links.

Everything here reads the quad indexes (no SPARQL): an entity's description is the triples with it as subject
or object, in whichever named graph they are.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, Literal

import pyoxigraph as ox

from kg_service.queries.model import (
    EntityKind,
    EntityRecord,
    IdentifierScheme,
    KnownIdentifier,
    Link,
    LinkPage,
    TermRef,
    Text,
)
from kg_service.queries.reader import (
    CPS_NS,
    GEO_NS,
    ID_NS,
    RDF_TYPE,
    RDFS_LABEL,
    SOSA_NS,
    StoreReader,
    local_name,
    text_of,
)

SKOS_NS: Final = "http://www.w3.org/2004/02/skos/core#"
DCT_NS: Final = "http://purl.org/dc/terms/"
RDFS_NS: Final = "http://www.w3.org/2000/01/rdf-schema#"
ORG_NS: Final = "http://www.w3.org/ns/org#"
DCAT_NS: Final = "http://www.w3.org/ns/dcat#"
PLATFORM_NS: Final = ID_NS + "platform/"

#: rdf:type → kind, most specific first (a monitoring station is also a facility, a platform also a system).
KIND_BY_CLASS: Final[tuple[tuple[str, EntityKind], ...]] = (
    (CPS_NS + "MonitoringStation", EntityKind.MONITORING_STATION),
    (CPS_NS + "EnvironmentalSensor", EntityKind.SENSOR),
    (CPS_NS + "Sensor", EntityKind.SENSOR),
    (SOSA_NS + "Sensor", EntityKind.SENSOR),
    (CPS_NS + "Building", EntityKind.BUILDING),
    (CPS_NS + "RoadLink", EntityKind.ROAD_LINK),
    (CPS_NS + "Facility", EntityKind.FACILITY),
    (CPS_NS + "Road", EntityKind.SPATIAL_OBJECT),
    (CPS_NS + "SpatialObject", EntityKind.SPATIAL_OBJECT),
    (CPS_NS + "Metropolis", EntityKind.CITY),
    (CPS_NS + "District", EntityKind.DISTRICT),
    (CPS_NS + "LegalDong", EntityKind.DONG),
    (CPS_NS + "AdministrativeDong", EntityKind.DONG),
    (CPS_NS + "AirQualityZone", EntityKind.AREA),
    (CPS_NS + "AdministrativeArea", EntityKind.AREA),
    (CPS_NS + "CityPlatform", EntityKind.PLATFORM),
    (CPS_NS + "InformationSystem", EntityKind.SYSTEM),
    (CPS_NS + "CityService", EntityKind.SERVICE),
    (CPS_NS + "DepartmentBusiness", EntityKind.BUSINESS),
    (CPS_NS + "Department", EntityKind.DEPARTMENT),
    (ORG_NS + "OrganizationalUnit", EntityKind.DEPARTMENT),
    (CPS_NS + "StandardsBody", EntityKind.ORGANIZATION),
    (CPS_NS + "Organization", EntityKind.ORGANIZATION),
    (ORG_NS + "Organization", EntityKind.ORGANIZATION),
    (CPS_NS + "Dataset", EntityKind.DATASET),
    (DCAT_NS + "Dataset", EntityKind.DATASET),
    (CPS_NS + "Standard", EntityKind.STANDARD),
    (CPS_NS + "Observation", EntityKind.OBSERVATION),
    (SOSA_NS + "Observation", EntityKind.OBSERVATION),
    (CPS_NS + "ObservableProperty", EntityKind.OBSERVABLE_PROPERTY),
    (CPS_NS + "CPSFunction", EntityKind.CPS_FUNCTION),
    (CPS_NS + "PlatformIdentifier", EntityKind.IDENTIFIER),
    (GEO_NS + "Geometry", EntityKind.GEOMETRY),
    (CPS_NS + "Submission", EntityKind.SUBMISSION),
)
_KIND_RANK: Final = {iri: rank for rank, (iri, _) in enumerate(KIND_BY_CLASS)}
_KIND_OF: Final = dict(KIND_BY_CLASS)

#: Labels of predicates the ontology uses but does not define (SOSA, GeoSPARQL, RDF(S), DCMI, W3C Basic Geo).
EXTERNAL_PREDICATE_LABELS: Final[dict[str, Text]] = {
    RDF_TYPE: Text("유형", "type"),
    RDFS_LABEL: Text("이름", "label"),
    RDFS_NS + "comment": Text("설명", "comment"),
    RDFS_NS + "seeAlso": Text("참고", "see also"),
    SOSA_NS + "madeBySensor": Text("관측 센서", "made by sensor"),
    SOSA_NS + "observedProperty": Text("관측 속성", "observed property"),
    SOSA_NS + "hasFeatureOfInterest": Text("관심 대상", "has feature of interest"),
    SOSA_NS + "hasSimpleResult": Text("관측값", "has simple result"),
    SOSA_NS + "resultTime": Text("결과 시각", "result time"),
    SOSA_NS + "phenomenonTime": Text("현상 시각", "phenomenon time"),
    SOSA_NS + "isHostedBy": Text("설치 플랫폼", "is hosted by"),
    GEO_NS + "hasGeometry": Text("기하", "has geometry"),
    GEO_NS + "asWKT": Text("WKT 기하", "as WKT"),
    "http://www.w3.org/2003/01/geo/wgs84_pos#lat": Text("위도", "latitude"),
    "http://www.w3.org/2003/01/geo/wgs84_pos#long": Text("경도", "longitude"),
    DCT_NS + "title": Text("제목", "title"),
    DCT_NS + "publisher": Text("발행 기관", "publisher"),
    DCT_NS + "identifier": Text("식별자", "identifier"),
    DCT_NS + "conformsTo": Text("준수 표준", "conforms to"),
    DCT_NS + "hasPart": Text("구성 부분", "has part"),
    DCT_NS + "isPartOf": Text("상위 부분", "is part of"),
    DCT_NS + "source": Text("출처", "source"),
    DCT_NS + "description": Text("설명", "description"),
    ORG_NS + "subOrganizationOf": Text("상위 기관", "sub-organization of"),
    SKOS_NS + "prefLabel": Text("대표 이름", "preferred label"),
    SKOS_NS + "altLabel": Text("다른 이름", "alternative label"),
    SKOS_NS + "definition": Text("정의", "definition"),
    SKOS_NS + "notation": Text("표기", "notation"),
}

#: Shortcut identifier properties (sub-properties of cps:localIdentifier) and the platform issuing them.
IDENTIFIER_PROPERTIES: Final[dict[str, str | None]] = {
    CPS_NS + "sdotSerial": PLATFORM_NS + "s-dot",
    CPS_NS + "smapId": PLATFORM_NS + "s-map",
    CPS_NS + "areaCode": None,
    CPS_NS + "districtCode": None,
    CPS_NS + "dongCode": None,
    CPS_NS + "departmentCode": None,
    CPS_NS + "systemCode": None,
    CPS_NS + "serviceCode": None,
    CPS_NS + "businessCode": None,
    CPS_NS + "assetCode": None,
    CPS_NS + "stationCode": None,
}

#: For each lookup scheme: the shortcut property (if any) and the identifier scheme IRI of identifier nodes.
SCHEME_LOOKUP: Final[dict[IdentifierScheme, tuple[str | None, str | None]]] = {
    IdentifierScheme.S_DOT: (CPS_NS + "sdotSerial", PLATFORM_NS + "s-dot"),
    IdentifierScheme.S_MAP: (CPS_NS + "smapId", PLATFORM_NS + "s-map"),
    IdentifierScheme.DISTRICT_CODE: (CPS_NS + "districtCode", None),
    IdentifierScheme.DONG_CODE: (CPS_NS + "dongCode", None),
    IdentifierScheme.DEPARTMENT_CODE: (CPS_NS + "departmentCode", None),
    IdentifierScheme.SYSTEM_CODE: (CPS_NS + "systemCode", None),
    IdentifierScheme.SERVICE_CODE: (CPS_NS + "serviceCode", None),
    IdentifierScheme.BUSINESS_CODE: (CPS_NS + "businessCode", None),
    IdentifierScheme.NGSI_LD: (None, PLATFORM_NS + "ngsi-ld"),
}
_SCHEME_NAMES: Final[dict[str, Text]] = {
    PLATFORM_NS + "ngsi-ld": Text("NGSI-LD", "NGSI-LD"),
}


def kind_of(types: Iterable[str]) -> EntityKind:
    """The most specific kind among ``types`` (``OTHER`` when none is known).

    >>> kind_of(["https://data.seoul.go.kr/cps/ontology#Facility",
    ...          "https://data.seoul.go.kr/cps/ontology#MonitoringStation"])
    <EntityKind.MONITORING_STATION: 'monitoring-station'>
    """
    known = sorted((iri for iri in types if iri in _KIND_RANK), key=_KIND_RANK.__getitem__)
    return _KIND_OF[known[0]] if known else EntityKind.OTHER


def display_label(reader: StoreReader, iri: str) -> Text:
    """``rdfs:label``, else ``skos:prefLabel``, else ``dct:title`` of ``iri``."""
    for predicate in (RDFS_LABEL, SKOS_NS + "prefLabel", DCT_NS + "title"):
        text = text_of(reader.objects(iri, predicate))
        if text.ko is not None or text.en is not None:
            return text
    return Text()


def entity(reader: StoreReader, iri: str) -> EntityRecord | None:
    """What the graph says ``iri`` is, or ``None`` when no triple mentions it."""
    graphs = {
        quad.graph_name.value
        for quad in reader.quads(iri, None, None)
        if isinstance(quad.graph_name, ox.NamedNode)
    }
    if not graphs and next(reader.quads(None, None, iri), None) is None:
        return None
    types = reader.types(iri)
    return EntityRecord(
        iri=iri,
        types=tuple(TermRef(t, predicate_label(reader, t)) for t in types),
        label=display_label(reader, iri),
        kind=kind_of(types),
        graphs=tuple(sorted(graphs)),
    )


def entities(reader: StoreReader, iris: Sequence[str]) -> dict[str, EntityRecord]:
    """:func:`entity` for many IRIs (index reads only); IRIs nothing mentions are left out."""
    found: dict[str, EntityRecord] = {}
    for iri in dict.fromkeys(iris):
        record = entity(reader, iri)
        if record is not None:
            found[iri] = record
    return found


def predicate_label(reader: StoreReader, iri: str) -> Text:
    """The label of a predicate or class: from the ontology, a built-in table for external terms, else its
    local name."""
    text = text_of(reader.objects(iri, RDFS_LABEL))
    if text.ko is not None or text.en is not None:
        return text
    known = EXTERNAL_PREDICATE_LABELS.get(iri)
    if known is not None:
        return known
    name = local_name(iri)
    return Text(None, name)


def find_by_identifier(reader: StoreReader, scheme: IdentifierScheme, value: str) -> list[str]:
    """IRIs of the entities known by ``value`` in ``scheme``: via the shortcut property, via identifier nodes
    of that scheme, and via ``cps:correspondsTo`` from either. Sorted, direct holders first."""
    prop, scheme_iri = SCHEME_LOOKUP[scheme]
    literal = ox.Literal(value)
    direct: set[str] = set()
    if prop is not None:
        direct.update(reader.subject_iris(prop, literal))
    for node in reader.subject_iris(CPS_NS + "identifierValue", literal):
        if scheme_iri is not None and scheme_iri not in reader.object_iris(node, CPS_NS + "identifierScheme"):
            continue
        direct.update(reader.subject_iris(CPS_NS + "hasIdentifier", node))
    corresponding: set[str] = set()
    for holder in direct:
        corresponding.update(_corresponding(reader, holder))
    return sorted(direct) + sorted(corresponding - direct)


def _corresponding(reader: StoreReader, iri: str) -> set[str]:
    correspond = CPS_NS + "correspondsTo"
    return set(reader.object_iris(iri, correspond)) | set(reader.subject_iris(correspond, iri))


def identifiers(reader: StoreReader, iri: str) -> list[KnownIdentifier]:
    """Every identifier ``iri`` is known by: its identifier nodes and shortcut properties, and those of the
    entities it ``cps:correspondsTo`` (in either direction)."""
    found = _own_identifiers(reader, iri, "identifier-node", "property")
    for other in sorted(_corresponding(reader, iri) - {iri}):
        found.extend(_own_identifiers(reader, other, "corresponds-to", "corresponds-to"))
    unique = {(i.value, i.scheme, i.property, i.holder): i for i in found}
    return sorted(unique.values(), key=lambda i: (i.holder != iri, i.holder, i.scheme or "", i.value))


def _own_identifiers(
    reader: StoreReader,
    iri: str,
    node_source: Literal["identifier-node", "corresponds-to"],
    property_source: Literal["property", "corresponds-to"],
) -> list[KnownIdentifier]:
    found: list[KnownIdentifier] = []
    for node in reader.object_iris(iri, CPS_NS + "hasIdentifier"):
        value = reader.literal(node, CPS_NS + "identifierValue")
        if value is None:
            continue
        schemes = reader.object_iris(node, CPS_NS + "identifierScheme")
        scheme = schemes[0] if schemes else None
        found.append(KnownIdentifier(value, scheme, scheme_label(reader, scheme), node_source, None, iri))
    for prop, scheme in IDENTIFIER_PROPERTIES.items():
        for term in reader.objects(iri, prop):
            if isinstance(term, ox.Literal):
                label = scheme_label(reader, scheme) if scheme else predicate_label(reader, prop)
                found.append(KnownIdentifier(term.value, scheme, label, property_source, prop, iri))
    return found


def scheme_label(reader: StoreReader, scheme: str | None) -> Text:
    """The label of an identifier scheme (a platform or organisation)."""
    if scheme is None:
        return Text()
    text = reader.labels(scheme)
    if text.ko is None and text.en is None:
        return _SCHEME_NAMES.get(scheme, Text(None, local_name(scheme)))
    return text


def links(
    reader: StoreReader,
    iri: str,
    direction: Literal["outgoing", "incoming"],
    offset: int,
    limit: int,
) -> LinkPage:
    """A page of ``iri``'s links in index order (stable while the store does not change).

    Reads ``offset + limit + 1`` index entries at most, whatever the entity's degree.
    """
    quads: Iterator[ox.Quad] = (
        reader.quads(iri, None, None) if direction == "outgoing" else reader.quads(None, None, iri)
    )
    window = list(itertools.islice(quads, offset, offset + limit + 1))
    labels: dict[str, Text] = {}
    result: list[Link] = []
    for quad in window[:limit]:
        predicate = quad.predicate.value
        if predicate not in labels:
            labels[predicate] = predicate_label(reader, predicate)
        other = quad.object if direction == "outgoing" else quad.subject
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if isinstance(other, ox.Literal):
            result.append(
                Link(
                    predicate,
                    labels[predicate],
                    direction,
                    None,
                    other.value,
                    other.datatype.value if other.language is None else None,
                    other.language,
                    graph,
                )
            )
        else:
            node = other.value if isinstance(other, ox.NamedNode) else f"_:{other.value}"  # type: ignore[union-attr]
            result.append(Link(predicate, labels[predicate], direction, node, None, None, None, graph))
    return LinkPage(tuple(result), len(window) > limit)
