"""The query layer over the Neo4j backend (a Neo4j 5 server, or FalkorDB's Bolt endpoint in the tests).

How a query runs: one or a few batched Cypher statements (:mod:`kg_service.queries.cypher.statements`) select
what the answer depends on (index seeks on identifiers and codes, traversals from a district or sensor, time
windows and keyset pages on the derived ``_t_`` instants, aggregation of sensor counts) and return it with
the exact literals of the projection's ledger; :class:`~kg_service.queries.cypher.subgraph.Subgraph` turns that
back into quads in a scratch Oxigraph store; the embedded backend's own query functions then compute the
records over that small subgraph. So both backends share one definition of every answer (orderings,
canonical decimals, which label is Korean or English, pagination), while the work that grows with the city
(finding the few nodes among millions) is the graph server's.

Two answers follow the order in which a store reads its indexes, which no two stores share: the order of an
entity's links and, when several shortest explanation paths exist, their order (and which neighbours are
taken when a node has more than the fan-out bound). Here that order is defined (by predicate name, then the
other term, then the graph) and stable; the embedded store's is its index order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, Final, Literal

from kg_service.queries import (
    areas,
    entities,
    inputs,
    observations,
    ontology_terms,
    organisation,
    paths,
    sensors,
    spatial_objects,
    standards,
)
from kg_service.queries.cypher import statements as cy
from kg_service.queries.cypher.subgraph import Subgraph, TermIndex
from kg_service.queries.geometry import BoundingBox, box_around, box_of, parse_wkt_literal
from kg_service.queries.model import (
    DistrictRecord,
    EntityKind,
    EntityRecord,
    ExplanationPaths,
    ExternalVocabulary,
    IdentifierScheme,
    KnownIdentifier,
    LinkPage,
    MappingReport,
    ObservablePropertyRecord,
    ObservationAggregates,
    ObservationKey,
    ObservationRecord,
    ObservationSelector,
    OntologyInfo,
    OntologyTermRecord,
    SensorCount,
    SensorFilter,
    SensorRecord,
    SpatialObjectFilter,
    SpatialObjectRecord,
    Text,
)
from kg_service.queries.organisation import OrganisationSnapshot
from kg_service.queries.protocol import LinkageReports
from kg_service.queries.reader import CPS_NS, StoreReader, dataset_of_graph
from kg_service.store.neo4j.connection import Neo4jGraph
from kg_service.store.neo4j.encoding import (
    class_label,
    instant_microseconds,
    instant_of,
    property_key,
)

#: Widening of the bounding boxes sent to the server (degrees, about 1 cm): the typed view holds coordinates as
#: doubles, so a point on the box's edge must not be lost to rounding; the exact test is the embedded code's.
BOX_MARGIN_DEGREES: Final = 1e-7
#: Observations read ahead per page query (the embedded page query reads one row more than the largest page).
PAGE_ROWS: Final = observations.PAGE_ROWS
#: Upper bound of observations read for one page when many candidates turn out not to qualify.
MAX_PAGE_CANDIDATES: Final = 8 * PAGE_ROWS
#: The newest observations read in full for an aggregate's "latest" record.
NEWEST_DESCRIBED: Final = 8
#: Keys per statement when a list of nodes is read (explanation paths can reach thousands).
KEYS_PER_STATEMENT: Final = 2000
#: A subject standing for "some observation" where only the graph of the triple matters (datasets of a sensor).
_SOME_OBSERVATION: Final = "urn:x-kg-neo4j:some-observation"

_XSD_DATE_TIME: Final = "http://www.w3.org/2001/XMLSchema#dateTime"
_OWL: Final = "http://www.w3.org/2002/07/owl#"
_ONTOLOGY_TYPES: Final = tuple(_OWL + name for name in ("Class", "ObjectProperty", "DatatypeProperty",
                                                        "AnnotationProperty", "NamedIndividual"))  # fmt: skip
_SPATIAL_KIND_CLASSES: Final[dict[EntityKind, str]] = {
    kind: iri
    for iri, kind in entities.KIND_BY_CLASS
    if kind in {EntityKind.BUILDING, EntityKind.ROAD_LINK, EntityKind.FACILITY, EntityKind.MONITORING_STATION}
}
_HAS_IDENTIFIER: Final = property_key(CPS_NS + "hasIdentifier")
_CORRESPONDS_TO: Final = property_key(CPS_NS + "correspondsTo")
_IN_DISTRICT: Final = property_key(CPS_NS + "inDistrict")
_MADE_BY_SENSOR: Final = property_key("http://www.w3.org/ns/sosa/madeBySensor")
# The relationships whose target nodes' literals a record reads (labels, codes, geometry), by query.
_TYPES: Final = (property_key("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),)
_SCHEME: Final = (property_key(CPS_NS + "identifierScheme"),)
_GEOMETRY: Final = (property_key("http://www.opengis.net/ont/geosparql#hasGeometry"),)
_AREAS: Final = (_IN_DISTRICT, property_key(CPS_NS + "inDong"))
_SENSOR_TARGETS: Final = (
    *_AREAS,
    property_key(CPS_NS + "hostedOnPlatform"),
    property_key("http://www.w3.org/ns/sosa/isHostedBy"),
)
_SPATIAL_TARGETS: Final = (*_AREAS, property_key(CPS_NS + "hostedOnPlatform"))


def sendable(*values: object) -> bool:
    """Whether values can travel as parameters: text without NUL that encodes as UTF-8, finite numbers. (The
    embedded code refuses anything else with a :class:`QueryInputError`; the caller then lets it say so.)"""
    for value in values:
        if isinstance(value, str):
            if "\x00" in value:
                return False
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(value, float) and not math.isfinite(value):
            return False
    return True


def _unique(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(keys))


class Neo4jLinkageQueries(LinkageReports):
    """:class:`~kg_service.queries.protocol.LinkageQueries` over a :class:`~kg_service.store.neo4j.Neo4jGraph`.

    Stateless apart from the cache of projection names (which only grows): every call reads the graph as it
    is. Thread-safe (each statement runs in its own driver session).
    """

    def __init__(self, graph: Neo4jGraph) -> None:
        self.graph = graph
        self._terms = TermIndex(graph)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.graph.close()

    # -- plumbing ----------------------------------------------------------------------------------------

    def _run(self, statement: str, **parameters: Any) -> list[dict[str, Any]]:
        return self.graph.run(statement, parameters)

    def _run_keys(self, statement: str, keys: Sequence[str], **parameters: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for start in range(0, len(keys), KEYS_PER_STATEMENT):
            rows.extend(
                self._run(statement, keys=list(keys[start : start + KEYS_PER_STATEMENT]), **parameters)
            )
        return rows

    def _subgraph(self) -> Subgraph:
        return Subgraph(self._terms)

    def _empty(self) -> StoreReader:
        """A reader over nothing: runs the embedded code's input checks, which raise exactly as it does."""
        return self._subgraph().reader()

    def _described(self, keys: Sequence[str], follow: tuple[str, ...] = ()) -> Subgraph:
        """A subgraph of the nodes (literals and outgoing relationships) and of the literals of the nodes they
        link to by ``follow``: two statements, one row per node (never a list of neighbours in one row)."""
        sub = self._subgraph()
        self._add_described(sub, self._run_keys(cy.DESCRIBE_BY_KEY, _unique(keys)), follow)
        return sub

    def _add_described(self, sub: Subgraph, rows: list[dict[str, Any]], follow: tuple[str, ...]) -> list[str]:
        """Described rows into ``sub``, and the literals of the nodes they link to by ``follow``."""
        keys = sub.add_nodes(rows)
        if follow:
            sub.add_nodes(self._run_keys(cy.LITERALS_BY_KEY, sub.targets(rows, follow)))
        return keys

    # -- entities --------------------------------------------------------------------------------------

    def entity(self, iri: str) -> EntityRecord | None:
        key = inputs.iri(iri)
        return entities.entity(self._entity_reader([key]), key)

    def entities(self, iris: Sequence[str]) -> Mapping[str, EntityRecord]:
        keys = [inputs.iri(i) for i in iris]
        return entities.entities(self._entity_reader(keys), keys)

    def _entity_reader(self, keys: Sequence[str]) -> StoreReader:
        sub = self._subgraph()
        rows = self._run_keys(cy.DESCRIBE_BY_KEY, _unique(keys))
        for key in self._add_described(sub, rows, _TYPES):
            sub.mention(key)  # the node exists, so some triple mentions it
        return sub.reader()

    def find_by_identifier(self, scheme: IdentifierScheme, value: str) -> list[str]:
        value = inputs.text(value, "value")
        prop, _ = entities.SCHEME_LOOKUP[scheme]
        sub = self._subgraph()
        holders: set[str] = set()
        if not sendable(value):
            return entities.find_by_identifier(sub.reader(), scheme, value)
        if prop is not None:
            holders.update(sub.add_nodes(self._run(cy.holders_of_value(prop), value=value)))
        for row in self._run(cy.holders_of_value(CPS_NS + "identifierValue"), value=value):
            sub.add_node(row)
            for holder, graph in row.get("holders") or ():
                sub.add_link(str(holder), _HAS_IDENTIFIER, str(row["iri"]), str(graph))
                holders.add(str(holder))
        self._add_correspondences(sub, sorted(holders))
        return entities.find_by_identifier(sub.reader(), scheme, value)

    def _add_correspondences(self, sub: Subgraph, keys: Sequence[str]) -> set[str]:
        """``cps:correspondsTo`` links of the nodes, both ways; returns the nodes at their other ends."""
        others: set[str] = set()
        for row in self._run_keys(cy.CORRESPONDENCES, keys):
            key = str(row["iri"])
            for target, graph in row.get("outgoing") or ():
                sub.add_link(key, _CORRESPONDS_TO, str(target), str(graph))
                others.add(str(target))
            for source, graph in row.get("incoming") or ():
                sub.add_link(str(source), _CORRESPONDS_TO, key, str(graph))
                others.add(str(source))
        return others

    def identifiers(self, iri: str) -> list[KnownIdentifier]:
        key = inputs.iri(iri)
        sub = self._subgraph()
        holders = [key, *sorted(self._add_correspondences(sub, [key]) - {key})]
        rows = self._run_keys(cy.DESCRIBE_BY_KEY, holders)
        sub.add_nodes(rows)
        id_nodes = sub.targets(rows, (_HAS_IDENTIFIER,))
        self._add_described(sub, self._run_keys(cy.DESCRIBE_BY_KEY, id_nodes), _SCHEME)
        # the shortcut properties' labels, and those of the platforms issuing them (their schemes)
        constants = [*entities.IDENTIFIER_PROPERTIES, *filter(None, entities.IDENTIFIER_PROPERTIES.values())]
        sub.add_nodes(self._run_keys(cy.LITERALS_BY_KEY, _unique(constants)))
        return entities.identifiers(sub.reader(), key)

    def links(
        self, iri: str, direction: Literal["outgoing", "incoming"], offset: int, limit: int
    ) -> LinkPage:
        key = inputs.iri(iri)
        if offset < 0 or limit < 0:
            return entities.links(self._empty(), key, direction, offset, limit)  # raises as the embedded does
        sub = self._subgraph()
        if direction == "outgoing":
            sub.add_nodes(self._run(cy.DESCRIBE_BY_KEY, keys=[key]))
        else:
            for row in self._run(cy.INCOMING_PAGE, iri=key, offset=offset, limit=limit + 1):
                sub.add_link(str(row["source"]), str(row["type"]), key, str(row["graph"]))
            offset = 0  # the server skipped them
        predicates = _unique(quad.predicate.value for quad in sub.quads)
        sub.add_nodes(self._run_keys(cy.LITERALS_BY_KEY, predicates))
        return entities.links(sub.ordered_reader(), key, direction, offset, limit)

    # -- sensors, space and areas ------------------------------------------------------------------------

    def find_sensors(self, criteria: SensorFilter) -> list[tuple[str, float | None]]:
        sub = self._subgraph()
        if criteria.platform is not None:
            sub.add_nodes(self._run(cy.describe_label(CPS_NS + "CityPlatform")))
        if criteria.observed_property is not None:
            sub.add_nodes(self._run(cy.describe_label(CPS_NS + "ObservableProperty")))
        objects = [criteria.near_object[0]] if criteria.near_object is not None else []
        if criteria.inside_object is not None:
            objects.append(criteria.inside_object)
        if objects and sendable(*objects):
            self._add_described(sub, self._run_keys(cy.DESCRIBE_BY_KEY, _unique(objects)), _GEOMETRY)
        context = sub.reader()
        try:
            parameters = self._sensor_parameters(context, criteria)
        except inputs.QueryInputError:
            parameters = None
        if parameters is not None:
            statement = cy.sensor_candidates(
                "districtCode" in parameters,
                "dongCode" in parameters,
                "platform" in parameters,
                "property" in parameters,
                "minLat" in parameters,
            )
            self._add_described(sub, self._run(statement, **parameters), _AREAS)
            context = sub.reader()
        return sensors.find_sensors(context, criteria)

    @staticmethod
    def _sensor_parameters(context: StoreReader, criteria: SensorFilter) -> dict[str, Any] | None:
        """The candidate query's parameters, after the same checks as the embedded search (in its order, over a
        context holding what they read); ``None`` when no sensor can qualify."""
        parameters: dict[str, Any] = {}
        if criteria.district_code is not None:
            parameters["districtCode"] = inputs.district_code(criteria.district_code)
        if criteria.dong_code is not None:
            parameters["dongCode"] = inputs.dong_code(criteria.dong_code)
        if criteria.platform is not None:
            parameters["platform"] = sensors.platform_iri(context, criteria.platform)
        if criteria.observed_property is not None:
            parameters["property"] = sensors.resolve_property(
                context, criteria.observed_property, "observedProperty"
            )
        boxes: list[BoundingBox] = []
        if criteria.near is not None:
            inputs.coordinate(criteria.near.lon, criteria.near.lat)
            boxes.append(
                box_around(criteria.near.lon, criteria.near.lat, inputs.radius(criteria.near.radius_m))
            )
        if criteria.near_object is not None:
            target, metres = criteria.near_object
            inputs.iri(target, "nearSpatialObject.iri")
            metres = inputs.radius(metres, "nearSpatialObject.radiusMetres")
            point = sensors.object_point(context, target)
            if point is None:
                return None
            boxes.append(box_around(point.lon, point.lat, metres))
        if criteria.inside_object is not None:
            inputs.iri(criteria.inside_object, "insideSpatialObject")
            wkt = areas.geometry_wkt(context, criteria.inside_object)
            inside = parse_wkt_literal(wkt) if wkt else None
            if inside is None:
                return None
            boxes.append(box_of(inside))
        if boxes:
            parameters.update(_box_parameters(boxes))
        return parameters if sendable(*parameters.values()) else None

    def sensors(self, iris: Sequence[str]) -> Mapping[str, SensorRecord]:
        keys = [inputs.iri(i) for i in iris]
        return sensors.sensor_records(self._described(keys, _SENSOR_TARGETS).reader(), keys)

    def sensor_for_serial(self, serial: str) -> str | None:
        inputs.text(serial, "serial", 64)
        sub = self._subgraph()
        if sendable(serial):
            holders = sub.add_nodes(self._run(cy.holders_of_value(CPS_NS + "sdotSerial"), value=serial))
            for row in self._run(cy.holders_of_value(CPS_NS + "identifierValue"), value=serial):
                sub.add_node(row)
                for holder, graph in row.get("holders") or ():
                    sub.add_link(str(holder), _HAS_IDENTIFIER, str(row["iri"]), str(graph))
                    holders.append(str(holder))
            sub.add_nodes(self._run_keys(cy.DESCRIBE_BY_KEY, _unique(holders)))
        return sensors.sensor_for_serial(sub.reader(), serial)

    def latest_observations(
        self, sensor_iris: Sequence[str], prop: str | None
    ) -> Mapping[str, list[ObservationRecord]]:
        keys = [inputs.iri(i) for i in sensor_iris]
        sub = self._subgraph()
        if sendable(prop):
            rows = self._run_keys(cy.LATEST_OBSERVATIONS, _unique(keys), property=prop)
            best = _unique(str(row["best"]) for row in rows if row.get("best") is not None)
            sub.add_nodes(self._run_keys(cy.DESCRIBE_BY_KEY, best))
        return sensors.latest_observations(sub.reader(), keys, prop)

    def sensor_datasets(self, sensor_iris: Sequence[str]) -> Mapping[str, list[str]]:
        keys = [inputs.iri(i) for i in sensor_iris]
        sub = self._subgraph()
        for row in self._run_keys(cy.SENSOR_DATASETS, _unique(keys)):
            sub.add_node(row)
            for graph in row.get("observed") or ():
                # Only the graph of a sosa:madeBySensor triple counts, not which observation it is about.
                sub.add_link(_SOME_OBSERVATION, _MADE_BY_SENSOR, str(row["iri"]), str(graph))
        return sensors.sensor_datasets(sub.reader(), keys)

    def observable_properties(self) -> list[ObservablePropertyRecord]:
        return sensors.observable_properties(self._observable_properties())

    def resolve_property(self, name: str, field: str = "property") -> str:
        return sensors.resolve_property(self._observable_properties(), name, field)

    def _observable_properties(self) -> StoreReader:
        sub = self._subgraph()
        sub.add_nodes(self._run(cy.describe_label(CPS_NS + "ObservableProperty")))
        return sub.reader()

    def find_spatial_objects(
        self, criteria: SpatialObjectFilter, after: str | None, limit: int
    ) -> tuple[list[str], bool]:
        spatial_objects.find_spatial_objects(self._empty(), criteria, after, 0)  # the input checks
        parameters: dict[str, Any] = {}
        if criteria.district_code is not None:
            parameters["districtCode"] = criteria.district_code
        if criteria.use is not None:
            parameters["use"] = criteria.use
        boxes: list[BoundingBox] = []
        if criteria.near is not None:
            boxes.append(box_around(criteria.near.lon, criteria.near.lat, criteria.near.radius_m))
        if criteria.containing is not None:
            d = spatial_objects.CONTAINING_SEARCH_DEGREES
            point = criteria.containing
            boxes.append(BoundingBox(point.lon - d, point.lat - d, point.lon + d, point.lat + d))
        if boxes:
            parameters.update(_box_parameters(boxes))
        cursor = (after or "").split("\x00", 1)[0]  # no IRI holds NUL: the same IRIs follow the shorter text
        if not sendable(cursor, *parameters.values()):
            return spatial_objects.find_spatial_objects(self._empty(), criteria, after, limit)
        kind = _SPATIAL_KIND_CLASSES.get(criteria.kind) if criteria.kind is not None else None
        statement = cy.spatial_candidates(
            "districtCode" in parameters,
            "use" in parameters,
            class_label(kind) if kind is not None else None,
            bool(boxes),
        )
        sub = self._subgraph()
        chunk = spatial_objects.CHUNK
        while True:
            rows = self._run(statement, after=cursor, chunk=chunk, **parameters)
            self._add_described(sub, rows, (*_SPATIAL_TARGETS, *_GEOMETRY))
            found, more = spatial_objects.find_spatial_objects(sub.reader(), criteria, after, limit)
            if more or len(rows) < chunk:
                return found, more
            cursor = str(rows[-1]["iri"])

    def spatial_objects(self, iris: Sequence[str]) -> Mapping[str, SpatialObjectRecord]:
        keys = [inputs.iri(i) for i in iris]
        return spatial_objects.spatial_object_records(self._described(keys, _SPATIAL_TARGETS).reader(), keys)

    def geometry_wkt(self, iris: Sequence[str]) -> Mapping[str, str]:
        keys = _unique(inputs.iri(i) for i in iris)
        reader = self._described(keys, _GEOMETRY).reader()
        found: dict[str, str] = {}
        for key in keys:
            wkt = areas.geometry_wkt(reader, key)
            if wkt is not None:
                found[key] = wkt
        return found

    def districts(self) -> list[DistrictRecord]:
        sub = self._subgraph()
        sub.add_nodes(self._run(cy.describe_label(CPS_NS + "District")))
        return areas.districts(sub.reader())

    def district_sensor_counts(self) -> list[SensorCount]:
        counts: list[SensorCount] = []
        for statement in (cy.SENSOR_COUNTS, cy.SENSOR_COUNTS_BY_PLATFORM, cy.SENSOR_COUNTS_BY_PROPERTY):
            for row in self._run(statement):
                counts.append(
                    SensorCount(str(row["district"]), row["platform"], row["property"], int(row["n"]))
                )
        return sorted(counts, key=lambda c: (c.district, c.platform or "", c.property or ""))

    # -- observations ------------------------------------------------------------------------------------

    def observation_page(
        self, selector: ObservationSelector, after: ObservationKey | None, limit: int
    ) -> tuple[list[ObservationRecord], bool]:
        observations.observation_page(self._empty(), selector, after, limit)  # the input checks
        parameters = _window(selector, after)
        if parameters is None:
            return observations.observation_page(self._empty(), selector, after, limit)
        by_district = selector.sensor is None
        sub = self._scope(selector)
        statement = cy.observation_candidates(by_district, newest_first=False, limited=True, described=True)
        loaded = 0
        while True:
            rows = self._run(statement, limit=PAGE_ROWS, **parameters)
            sub.add_nodes(rows)
            self._add_sensor_districts(sub, rows, by_district)
            loaded += len(rows)
            records, more = observations.observation_page(sub.reader(), selector, after, limit)
            if more or len(rows) < PAGE_ROWS or loaded >= MAX_PAGE_CANDIDATES:
                return records, more
            parameters["afterTime"] = int(rows[-1]["instant"])
            parameters["afterObs"] = str(rows[-1]["iri"])

    def observation_aggregates(self, selector: ObservationSelector) -> ObservationAggregates:
        observations.observation_aggregates(self._empty(), selector)  # the input checks
        parameters = _window(selector, None)
        if parameters is None:  # pragma: no cover - a window of valid datetimes always has instants
            return observations.observation_aggregates(self._empty(), selector)
        by_district = selector.sensor is None
        sub = self._scope(selector)
        newest = cy.observation_candidates(by_district, newest_first=True, limited=True, described=True)
        sub.add_nodes(self._run(newest, limit=NEWEST_DESCRIBED, **parameters))
        every = cy.observation_candidates(by_district, newest_first=False, limited=False, described=False)
        rows = self._run(every, **parameters)
        sub.add_nodes(rows)
        self._add_sensor_districts(sub, rows, by_district)
        return observations.observation_aggregates(sub.reader(), selector)

    def _scope(self, selector: ObservationSelector) -> Subgraph:
        """A subgraph holding the selector's scope: for a district, the node(s) with its code."""
        sub = self._subgraph()
        if selector.sensor is None and selector.district_code is not None:
            sub.add_nodes(self._run(cy.DISTRICT_SCOPE, districtCode=selector.district_code))
        return sub

    def _add_sensor_districts(self, sub: Subgraph, rows: list[dict[str, Any]], by_district: bool) -> None:
        """For a district scope: the ``cps:inDistrict`` links of the sensors that made the observations."""
        if not by_district:
            return
        sensors_seen = _unique(
            str(target)
            for row in rows
            for rel_type, target, _ in row.get("out") or ()
            if rel_type == _MADE_BY_SENSOR
        )
        fresh = [key for key in sensors_seen if key not in sub.linked_sensors]
        for link in self._run_keys(cy.SENSOR_DISTRICTS, fresh):
            sub.add_link(str(link["source"]), _IN_DISTRICT, str(link["target"]), str(link["graph"]))
        sub.linked_sensors.update(fresh)

    # -- organisation, paths, ontology ---------------------------------------------------------------------

    def organisation(self) -> OrganisationSnapshot:
        sub = self._subgraph()
        sub.add_nodes(self._run(cy.ORGANISATION_NODES, classes=list(organisation.ORGANISATION_CLASSES)))
        sub.add_nodes(self._run_keys(cy.DESCRIBE_BY_KEY, self._latest_submission_candidates()))
        snapshot = organisation.load_snapshot(sub.reader())
        counts: dict[str, int] = {}
        for row in self._run(cy.SENSORS_PER_GRAPH, classes=list(sensors.SENSOR_CLASSES)):
            dataset = dataset_of_graph(str(row["graph"]))
            if dataset is not None:
                counts[dataset] = int(row["n"])
        return replace(snapshot, sensors_per_dataset=counts)

    def _latest_submission_candidates(self) -> list[str]:
        """Submissions that may be the last of their dataset: those at the latest instant of each dataset, and
        any whose time is not an ``xsd:dateTime`` instant (the embedded query compares those itself)."""
        separator = "\x1f"
        rows = self._run(
            cy.SUBMISSION_TIMES,
            submittedKey=separator + cy.SUBMITTED_AT + separator,
            startedKey=separator + cy.STARTED_AT + separator,
        )
        latest: dict[str, int] = {}
        instants: dict[tuple[str, str], int | None] = {}
        chosen: set[str] = set()
        for row in rows:
            submission, dataset = str(row["submission"]), str(row["dataset"])
            moments = [int(v) for v in (row["submitted"], row["started"]) if v is not None]
            instant = max(moments) if moments else None
            regular = len(moments) == int(row["times"])
            instants[(submission, dataset)] = instant if regular else None
            if instant is not None:
                latest[dataset] = max(latest.get(dataset, instant), instant)
            if not regular:
                chosen.add(submission)
        for (submission, dataset), instant in instants.items():
            if instant is not None and instant == latest.get(dataset):
                chosen.add(submission)
        return sorted(chosen)

    def explanation_paths(self, source: str, target: str, max_length: int) -> ExplanationPaths:
        if not 1 <= max_length <= paths.MAX_LENGTH:
            raise inputs.QueryInputError(
                "maxLength", f"must be 1 to {paths.MAX_LENGTH}", f"1에서 {paths.MAX_LENGTH} 사이여야 합니다"
            )
        start, end = inputs.iri(source, "fromIri"), inputs.iri(target, "toIri")
        neighbours = _Neighbours(self, [start, end])
        return paths.shortest_paths(start, end, max_length, neighbours, neighbours.label)

    def ontology_info(self) -> OntologyInfo:
        sub = self._subgraph()
        sub.add_nodes(self._run(cy.ONTOLOGY_HEADERS))
        return ontology_terms.ontology_info(sub.reader())

    def ontology_terms(self) -> list[OntologyTermRecord]:
        sub = self._subgraph()
        sub.add_nodes(self._run(cy.ONTOLOGY_TERMS, types=list(_ONTOLOGY_TYPES), namespace=CPS_NS))
        return ontology_terms.ontology_terms(sub.reader())

    def standard_mappings(self, vocabularies: tuple[ExternalVocabulary, ...]) -> MappingReport:
        sub = self._subgraph()
        rel_types = tuple(cy.key(iri) for iri in sorted(standards.RELATIONS))
        for row in self._run(cy.alignments(rel_types), namespace=CPS_NS):
            sub.add_link(str(row["subject"]), str(row["type"]), str(row["object"]), str(row["graph"]))
        return standards.standard_mappings(sub.reader(), self.ontology_terms(), vocabularies)


# -- helpers -----------------------------------------------------------------------------------------------


def _box_parameters(boxes: Sequence[BoundingBox]) -> dict[str, float]:
    """The intersection of the boxes, widened by :data:`BOX_MARGIN_DEGREES`, as query parameters."""
    return {
        "minLon": max(b.min_lon for b in boxes) - BOX_MARGIN_DEGREES,
        "minLat": max(b.min_lat for b in boxes) - BOX_MARGIN_DEGREES,
        "maxLon": min(b.max_lon for b in boxes) + BOX_MARGIN_DEGREES,
        "maxLat": min(b.max_lat for b in boxes) + BOX_MARGIN_DEGREES,
    }


def _window(selector: ObservationSelector, after: ObservationKey | None) -> dict[str, Any] | None:
    """Parameters of the observation statements: the window and the keyset cursor as instants (``None`` when
    the cursor names no instant, so no observation follows it)."""
    parameters: dict[str, Any] = {
        "property": selector.property,
        "start": instant_microseconds(selector.start),
        "end": instant_microseconds(selector.end),
    }
    if selector.sensor is not None:
        parameters["sensor"] = selector.sensor
    else:
        parameters["districtCode"] = selector.district_code
    if after is None:
        parameters["afterTime"] = instant_microseconds(selector.start - timedelta(seconds=1))
        parameters["afterObs"] = ""
    else:
        instant = instant_of(after.time_text, _XSD_DATE_TIME)
        if instant is None:
            return None
        parameters["afterTime"], parameters["afterObs"] = instant, after.iri
    return parameters if sendable(*parameters.values()) else None


class _Neighbours:
    """The explanation-path search's view of the graph: the neighbours of a node, read in batches (every node
    found but not yet read is read with the next one asked for, so a search level costs one statement), and
    predicate labels, read all at once when the paths are built."""

    def __init__(self, queries: Neo4jLinkageQueries, seeds: Iterable[str]) -> None:
        self._queries = queries
        self._pending: dict[str, None] = dict.fromkeys(seeds)
        self._edges: dict[str, tuple[list[paths.Edge], bool]] = {}
        self._predicates: set[str] = set()
        self._labels: Callable[[str], Text] | None = None
        self._skipped = sorted(property_key(p) for p in paths.SKIPPED_PREDICATES)

    def __call__(self, node: str) -> tuple[list[paths.Edge], bool]:
        if node not in self._edges:
            self._fetch([node, *(k for k in self._pending if k != node)])
        return self._edges[node]

    def _fetch(self, keys: list[str]) -> None:
        found: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        terms = self._queries._terms
        rows = self._queries._run_keys(cy.NEIGHBOURS, keys, skipped=self._skipped, cap=paths.FAN_OUT + 1)
        for row in rows:
            predicate = terms.iri(str(row["type"]))
            found[str(row["node"])][str(row["direction"])].append((predicate, str(row["other"])))
        for key in keys:
            self._pending.pop(key, None)
            edges: dict[tuple[str, str, str], paths.Edge] = {}
            truncated = False
            for direction in ("out", "in"):
                candidates = sorted(set(found[key][direction]), key=lambda e: (property_key(e[0]), e[1]))
                if len(candidates) > paths.FAN_OUT:
                    truncated = True
                    candidates = candidates[: paths.FAN_OUT]
                for predicate, other in candidates:
                    subject, obj = (key, other) if direction == "out" else (other, key)
                    edges.setdefault((subject, predicate, obj), (other, subject, predicate, obj))
                    self._predicates.add(predicate)
                    if other not in self._edges:
                        self._pending[other] = None
            self._edges[key] = (list(edges.values()), truncated)

    def label(self, predicate: str) -> Text:
        """The label of a predicate (all predicates seen are read in one statement, the first time)."""
        if self._labels is None:
            sub = self._queries._subgraph()
            sub.add_nodes(self._queries._run_keys(cy.LITERALS_BY_KEY, sorted(self._predicates | {predicate})))
            reader = sub.reader()
            self._labels = lambda p: entities.predicate_label(reader, p)
        return self._labels(predicate)


__all__ = ["Neo4jLinkageQueries"]
