"""What the query layer returns: frozen dataclasses, independent of the store behind them.

Every backend (embedded Oxigraph now, Neo4j later) returns these same records, so the GraphQL layer and the
exports never see a store term. IRIs are plain strings; labels are :class:`Text` pairs (Korean, English).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Korean and English (either may be missing).

    >>> Text("종로구", "Jongno-gu").best()
    '종로구'
    >>> Text(None, "Jongno-gu").best("en")
    'Jongno-gu'
    """

    ko: str | None = None
    en: str | None = None

    def best(self, language: Literal["ko", "en"] = "ko") -> str | None:
        """The text in ``language``, else in the other language."""
        first, second = (self.ko, self.en) if language == "ko" else (self.en, self.ko)
        return first if first is not None else second


class EntityKind(enum.Enum):
    """What kind of thing an entity is, decided from its ``rdf:type`` (most specific kind wins)."""

    SENSOR = "sensor"
    MONITORING_STATION = "monitoring-station"
    BUILDING = "building"
    ROAD_LINK = "road-link"
    FACILITY = "facility"
    SPATIAL_OBJECT = "spatial-object"
    CITY = "city"
    DISTRICT = "district"
    DONG = "dong"
    AREA = "area"
    PLATFORM = "platform"
    SYSTEM = "system"
    SERVICE = "service"
    BUSINESS = "business"
    DEPARTMENT = "department"
    ORGANIZATION = "organization"
    DATASET = "dataset"
    STANDARD = "standard"
    OBSERVATION = "observation"
    OBSERVABLE_PROPERTY = "observable-property"
    CPS_FUNCTION = "cps-function"
    IDENTIFIER = "identifier"
    GEOMETRY = "geometry"
    SUBMISSION = "submission"
    OTHER = "other"


class IdentifierScheme(enum.Enum):
    """Identifier schemes an entity can be looked up by (entityByIdentifier)."""

    S_DOT = "s-dot"
    S_MAP = "s-map"
    DISTRICT_CODE = "district-code"
    DONG_CODE = "dong-code"
    DEPARTMENT_CODE = "department-code"
    SYSTEM_CODE = "system-code"
    SERVICE_CODE = "service-code"
    BUSINESS_CODE = "business-code"
    NGSI_LD = "ngsi-ld"


@dataclass(frozen=True, slots=True)
class TermRef:
    """A named thing: its IRI and its label."""

    iri: str
    label: Text


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """What the graph says an IRI is: its types, labels, kind and the named graphs that describe it."""

    iri: str
    types: tuple[TermRef, ...]
    label: Text
    kind: EntityKind
    graphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KnownIdentifier:
    """One identifier an entity is known by.

    ``source`` says where it was found: an identifier node (``cps:hasIdentifier``), a shortcut property
    (``cps:sdotSerial``, ``cps:districtCode``, …) or an entity that ``cps:correspondsTo`` this one (then
    ``holder`` is that entity).
    """

    value: str
    scheme: str | None
    scheme_label: Text
    source: Literal["identifier-node", "property", "corresponds-to"]
    property: str | None
    holder: str


@dataclass(frozen=True, slots=True)
class Link:
    """One link of an entity: a triple seen from the entity, outgoing (entity is subject) or incoming."""

    predicate: str
    predicate_label: Text
    direction: Literal["outgoing", "incoming"]
    node: str | None
    literal: str | None
    datatype: str | None
    language: str | None
    graph: str


@dataclass(frozen=True, slots=True)
class LinkPage:
    """A page of links and whether more follow."""

    links: tuple[Link, ...]
    has_more: bool


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 point (longitude, latitude)."""

    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Circle:
    """A circle on the ground: centre (WGS84) and radius in metres."""

    lon: float
    lat: float
    radius_m: float


@dataclass(frozen=True, slots=True)
class AreaRef:
    """A district or dong as other records refer to it."""

    iri: str
    code: str | None
    name: Text


@dataclass(frozen=True, slots=True)
class SensorRecord:
    """A sensor (S-DoT sensor or the sensor of a monitoring station)."""

    iri: str
    serial: str | None
    label: Text
    model: str | None
    platform: TermRef | None
    district: AreaRef | None
    dong: AreaRef | None
    location: GeoPoint | None
    station: TermRef | None
    observed_properties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SensorFilter:
    """Which sensors to list. Every given criterion must hold.

    ``near_object`` is ``(spatial object IRI, radius in metres)``; ``inside_object`` a spatial object IRI
    whose geometry must contain the sensor.
    """

    district_code: str | None = None
    dong_code: str | None = None
    platform: str | None = None
    observed_property: str | None = None
    near: Circle | None = None
    near_object: tuple[str, float] | None = None
    inside_object: str | None = None


@dataclass(frozen=True, slots=True)
class SpatialObjectRecord:
    """A spatial object (building, facility, road link, …)."""

    iri: str
    kind: EntityKind
    types: tuple[str, ...]
    label: Text
    smap_id: str | None
    use: str | None
    floors: int | None
    height_m: Decimal | None
    platform: TermRef | None
    district: AreaRef | None
    dong: AreaRef | None
    location: GeoPoint | None


@dataclass(frozen=True, slots=True)
class SpatialObjectFilter:
    """Which spatial objects to list. Every given criterion must hold."""

    district_code: str | None = None
    use: str | None = None
    kind: EntityKind | None = None
    near: Circle | None = None
    containing: GeoPoint | None = None


@dataclass(frozen=True, slots=True)
class ObservablePropertyRecord:
    """An observable property (PM10, air temperature, …) with its default unit."""

    iri: str
    label: Text
    unit: str | None
    notation: str


@dataclass(frozen=True, slots=True)
class ObservationRecord:
    """One observation: a sensor's value for one property at one time."""

    iri: str
    sensor: str
    property: str
    value: Decimal
    time: datetime
    time_text: str
    unit: str | None
    feature: str | None
    dataset: str | None


@dataclass(frozen=True, slots=True)
class ObservationSelector:
    """Which observations: of one sensor or of every sensor in a district, for one property, in [start, end)."""

    property: str
    start: datetime
    end: datetime
    sensor: str | None = None
    district_code: str | None = None


@dataclass(frozen=True, slots=True)
class ObservationKey:
    """Position in a time-ordered observation list (keyset pagination)."""

    time_text: str
    iri: str


@dataclass(frozen=True, slots=True)
class ObservationAggregates:
    """Count, minimum, maximum and average (xsd:decimal, computed by the store) and the latest observation."""

    count: int
    minimum: Decimal | None
    maximum: Decimal | None
    average: Decimal | None
    latest: ObservationRecord | None


@dataclass(frozen=True, slots=True)
class DistrictRecord:
    """A district (자치구)."""

    iri: str
    code: str
    name: Text
    area_m2: float | None


@dataclass(frozen=True, slots=True)
class SensorCount:
    """Number of distinct sensors in a district, overall (both keys None), per platform or per property."""

    district: str
    platform: str | None
    property: str | None
    count: int


@dataclass(frozen=True, slots=True)
class OrgNode:
    """A node of the organisation layer (department, system, platform, service, business, dataset, standard,
    CPS function): its IRI, kind, code, label and its links and values by predicate IRI."""

    iri: str
    kind: EntityKind
    code: str | None
    label: Text
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def linked(self, predicate: str) -> tuple[str, ...]:
        """IRIs this node links to with ``predicate`` (sorted)."""
        return self.links.get(predicate, ())

    def value(self, predicate: str) -> str | None:
        """The first literal value of ``predicate`` (sorted), or ``None``."""
        found = self.values.get(predicate, ())
        return found[0] if found else None


@dataclass(frozen=True, slots=True)
class SubmissionOutcome:
    """The last submission to a dataset: when, its status, and whether it conformed to the shapes."""

    dataset: str
    submission: str
    submitted_at: str
    status: str
    conformed: bool | None


@dataclass(frozen=True, slots=True)
class LinkageContributor:
    """Something that fills a linkage-table cell: the row itself, or a system, dataset, service or platform
    related to the row that serves the cell's CPS function."""

    iri: str
    kind: EntityKind
    label: Text
    relation: Literal["self", "system", "dataset", "service", "platform"]


@dataclass(frozen=True, slots=True)
class LinkageCell:
    """One cell of the linkage table (연계테이블): a row × one CPS function."""

    function: str
    contributors: tuple[LinkageContributor, ...]
    sensor_count: int

    @property
    def filled(self) -> bool:
        """Whether anything serves this function for the row."""
        return bool(self.contributors)


@dataclass(frozen=True, slots=True)
class LinkageRow:
    """One row of the linkage table: a business, system or service of a department."""

    subject: OrgNode
    department: OrgNode | None
    cells: tuple[LinkageCell, ...]


@dataclass(frozen=True, slots=True)
class LinkageTableRecord:
    """The linkage table: the seven CPS functions (columns, by skos:notation) and the rows."""

    functions: tuple[OrgNode, ...]
    rows: tuple[LinkageRow, ...]


@dataclass(frozen=True, slots=True)
class DatasetBridge:
    """A dataset that connects two platforms: at home on one, used by a system on the other."""

    dataset: str
    home_platform: str
    users: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlatformPairLinkage:
    """What links two city platforms: systems linked to both, and datasets bridging them."""

    first: str
    second: str
    systems: tuple[str, ...]
    datasets: tuple[DatasetBridge, ...]


@dataclass(frozen=True, slots=True)
class PathStep:
    """One link on an explanation path: ``source`` —predicate→ ``target`` when ``forward``, else the triple
    points from ``target`` to ``source``."""

    source: str
    predicate: str
    predicate_label: Text
    target: str
    forward: bool


@dataclass(frozen=True, slots=True)
class ExplanationPaths:
    """The shortest paths found between two entities (empty when none within the length limit)."""

    paths: tuple[tuple[PathStep, ...], ...]
    length: int | None
    explored_nodes: int
    truncated: bool


@dataclass(frozen=True, slots=True)
class SensorUsage:
    """Who uses a sensor's data: the datasets holding it, the systems providing or using those datasets, the
    services depending on those systems, and the departments operating them."""

    sensor: str
    datasets: tuple[str, ...]
    providing_systems: tuple[str, ...]
    using_systems: tuple[str, ...]
    services: tuple[str, ...]
    departments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StandardRecord:
    """A standard of the reference data."""

    iri: str
    slug: str
    identifier: str | None
    title: Text
    label: Text
    issuer: TermRef | None


@dataclass(frozen=True, slots=True)
class DatasetConformance:
    """A dataset that conforms to (confirmed) or claims (not yet confirmed) a standard, and the outcome of its
    last submission."""

    dataset: str
    standard: str
    confirmed: bool
    last_submission: SubmissionOutcome | None


class MappingRelation(enum.Enum):
    """How a local term is related to an external one."""

    EXACT = "exact"
    CLOSE = "close"
    BROAD = "broad"
    NARROW = "narrow"
    RELATED = "related"
    SUBCLASS = "subclass"
    SUBPROPERTY = "subproperty"
    EQUIVALENT = "equivalent"


class ExternalVocabulary(enum.Enum):
    """External vocabularies the ontology is aligned to (or exported to)."""

    SOSA = "sosa"
    SSN = "ssn"
    GEOSPARQL = "geosparql"
    ORG = "org"
    DCAT = "dcat"
    DCTERMS = "dcterms"
    PROV = "prov"
    SKOS = "skos"
    TIME = "time"
    QUDT = "qudt"
    FIWARE = "fiware"
    NGSI_LD = "ngsi-ld"
    SENSORTHINGS = "sensorthings"


@dataclass(frozen=True, slots=True)
class TermMapping:
    """One mapping of a local ontology term to an external term."""

    local_term: str
    local_label: Text
    local_kind: str
    relation: MappingRelation
    external_term: str
    defined_in: Literal["alignments", "exporter"]


@dataclass(frozen=True, slots=True)
class MappingReport:
    """Mappings to one external vocabulary and coverage: the share of local classes and properties mapped."""

    vocabularies: tuple[ExternalVocabulary, ...]
    mappings: tuple[TermMapping, ...]
    local_term_count: int
    mapped_term_count: int

    @property
    def coverage(self) -> float:
        """Mapped local classes and properties / all local classes and properties (0 when there are none)."""
        return self.mapped_term_count / self.local_term_count if self.local_term_count else 0.0


@dataclass(frozen=True, slots=True)
class OntologyTermRecord:
    """A class or property of the ontology with its labels and definitions."""

    iri: str
    kind: Literal["class", "object-property", "datatype-property", "annotation-property", "individual"]
    label: Text
    definition: Text


@dataclass(frozen=True, slots=True)
class OntologyInfo:
    """The ontology header: IRI, version IRI, version, title."""

    iri: str
    version_iri: str | None
    version: str | None
    label: Text
    definition: Text
