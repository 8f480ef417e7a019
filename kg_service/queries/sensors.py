"""Sensors: finding them by area, platform, property and position, and what they last observed.

A sensor search is one SPARQL query (chosen from a few constant variants by which criteria are given, with
the values bound), then the exact distance or containment test in Python, then the page's records by index
reads. Latest values are index reads per sensor (no query text holds an IRI).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Final

import pyoxigraph as ox
from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.term import Identifier
from shapely.geometry import Point

from kg_service.queries import inputs
from kg_service.queries.areas import area_refs, geometry_wkt
from kg_service.queries.entities import PLATFORM_NS
from kg_service.queries.geometry import BoundingBox, box_around, box_of, haversine_m, parse_wkt_literal
from kg_service.queries.model import (
    Circle,
    GeoPoint,
    ObservablePropertyRecord,
    ObservationRecord,
    SensorFilter,
    SensorRecord,
    TermRef,
)
from kg_service.queries.reader import (
    CPS_NS,
    RDF_TYPE,
    SOSA_NS,
    WGS,
    XSD_DECIMAL,
    StoreReader,
    dataset_of_graph,
    decimal_or_none,
    local_name,
    row_float,
    row_iri,
)

SENSOR_CLASSES: Final = (CPS_NS + "Sensor", CPS_NS + "EnvironmentalSensor")
SKOS_NS: Final = "http://www.w3.org/2004/02/skos/core#"


@functools.cache
def sensor_search_query(
    by_district: bool, by_dong: bool, by_platform: bool, by_property: bool, in_box: bool
) -> str:
    """The SPARQL text for a sensor search with the given criteria (built from constant fragments only; the
    criteria's values are bound as ``?districtCode``, ``?dongCode``, ``?platform``, ``?property`` and
    ``?minLon`` … ``?maxLat``)."""
    projection = ["?sensor", "?lat", "?lon"]
    parts = [
        "GRAPH ?g0 { ?sensor a ?sensorClass }",
        "FILTER(?sensorClass IN (cps:Sensor, cps:EnvironmentalSensor))",
    ]
    if by_district:
        projection.append("?districtCode")
        parts.append("GRAPH ?g1 { ?district cps:districtCode ?districtCode }")
        parts.append("GRAPH ?g2 { ?sensor cps:inDistrict ?district }")
    if by_dong:
        projection.append("?dongCode")
        parts.append("GRAPH ?g3 { ?dong cps:dongCode ?dongCode }")
        parts.append("GRAPH ?g4 { ?sensor cps:inDong ?dong }")
    if by_platform:
        projection.append("?platform")
        parts.append("GRAPH ?g5 { ?sensor cps:hostedOnPlatform ?platform }")
    if by_property:
        projection.append("?property")
        parts.append("GRAPH ?g6 { ?sensor cps:observesProperty ?property }")
    position = "GRAPH ?g7 { ?sensor wgs:lat ?lat } GRAPH ?g8 { ?sensor wgs:long ?lon }"
    if in_box:
        projection.extend(["?minLon", "?minLat", "?maxLon", "?maxLat"])
        parts.append(position)
        parts.append("FILTER(?lat >= ?minLat && ?lat <= ?maxLat && ?lon >= ?minLon && ?lon <= ?maxLon)")
    else:
        parts.append("OPTIONAL { " + position + " }")
    return "SELECT DISTINCT " + " ".join(projection) + " WHERE {\n  " + "\n  ".join(parts) + "\n}"


def decimal_literal(value: float) -> RDFLiteral:
    """A float as an ``xsd:decimal`` literal (fixed notation; never scientific)."""
    return RDFLiteral(format(Decimal(repr(value)), "f"), datatype=XSD_DECIMAL)


def box_bindings(box: BoundingBox) -> dict[str, Identifier]:
    """Bindings of the bounding-box variables of the search queries."""
    return {
        "minLon": decimal_literal(box.min_lon),
        "minLat": decimal_literal(box.min_lat),
        "maxLon": decimal_literal(box.max_lon),
        "maxLat": decimal_literal(box.max_lat),
    }


def platform_iri(reader: StoreReader, platform: str) -> str:
    """A platform code (``s-dot``) or IRI as the IRI of a known city platform.

    Raises:
        QueryInputError: no city platform has this code or IRI.
    """
    inputs.text(platform, "platform", 300)
    iri = platform if platform.startswith(("http://", "https://")) else PLATFORM_NS + platform
    known = reader.subject_iris(RDF_TYPE, CPS_NS + "CityPlatform")
    if iri not in known:
        codes = ", ".join(local_name(p) for p in known)
        raise inputs.QueryInputError(
            "platform", f"unknown platform; known: {codes}", f"알 수 없는 플랫폼입니다. 있는 플랫폼: {codes}"
        )
    return iri


def object_point(reader: StoreReader, iri: str) -> GeoPoint | None:
    """Where an entity is: its ``wgs:long``/``wgs:lat``, else the centroid of its geometry."""
    lat = decimal_or_none(reader.literal(iri, WGS + "lat") or "")
    lon = decimal_or_none(reader.literal(iri, WGS + "long") or "")
    if lat is not None and lon is not None:
        return GeoPoint(float(lon), float(lat))
    wkt = geometry_wkt(reader, iri)
    geometry = parse_wkt_literal(wkt) if wkt else None
    if geometry is None:
        return None
    centroid = geometry.centroid
    return GeoPoint(float(centroid.x), float(centroid.y))


def find_sensors(reader: StoreReader, criteria: SensorFilter) -> list[tuple[str, float | None]]:
    """IRIs of the sensors meeting every criterion, with their distance in metres when a ``near`` criterion
    was given; ordered by distance, then IRI. One SPARQL query plus index reads for the reference object.

    Raises:
        QueryInputError: a criterion is malformed or out of range.
    """
    bindings: dict[str, Identifier] = {}
    if criteria.district_code is not None:
        bindings["districtCode"] = RDFLiteral(inputs.district_code(criteria.district_code))
    if criteria.dong_code is not None:
        bindings["dongCode"] = RDFLiteral(inputs.dong_code(criteria.dong_code))
    if criteria.platform is not None:
        bindings["platform"] = URIRef(platform_iri(reader, criteria.platform))
    if criteria.observed_property is not None:
        bindings["property"] = URIRef(
            resolve_property(reader, criteria.observed_property, "observedProperty")
        )

    circles: list[Circle] = []
    if criteria.near is not None:
        inputs.coordinate(criteria.near.lon, criteria.near.lat)
        circles.append(Circle(criteria.near.lon, criteria.near.lat, inputs.radius(criteria.near.radius_m)))
    if criteria.near_object is not None:
        target, metres = criteria.near_object
        inputs.iri(target, "nearSpatialObject.iri")
        metres = inputs.radius(metres, "nearSpatialObject.radiusMetres")
        point = object_point(reader, target)
        if point is None:
            return []
        circles.append(Circle(point.lon, point.lat, metres))
    inside = None
    if criteria.inside_object is not None:
        inputs.iri(criteria.inside_object, "insideSpatialObject")
        wkt = geometry_wkt(reader, criteria.inside_object)
        inside = parse_wkt_literal(wkt) if wkt else None
        if inside is None:
            return []

    box = _intersect(
        [box_around(c.lon, c.lat, c.radius_m) for c in circles] + ([box_of(inside)] if inside else [])
    )
    if box is not None:
        bindings.update(box_bindings(box))
    query = sensor_search_query(
        "districtCode" in bindings,
        "dongCode" in bindings,
        "platform" in bindings,
        "property" in bindings,
        box is not None,
    )
    found: dict[str, float | None] = {}
    for row in reader.select(query, **bindings):
        sensor = row_iri(row, "sensor")
        if sensor is None or sensor in found:
            continue
        lon, lat = row_float(row, "lon"), row_float(row, "lat")
        distance: float | None = None
        if circles or inside is not None:
            if lon is None or lat is None:
                continue
            distances = [haversine_m(c.lon, c.lat, lon, lat) for c in circles]
            if any(d > c.radius_m for d, c in zip(distances, circles, strict=True)):
                continue
            if inside is not None and not inside.covers(Point(lon, lat)):
                continue
            distance = distances[0] if distances else None
        found[sensor] = distance
    return sorted(found.items(), key=lambda item: (item[1] if item[1] is not None else 0.0, item[0]))


def _intersect(boxes: Sequence[BoundingBox]) -> BoundingBox | None:
    if not boxes:
        return None
    return BoundingBox(
        max(b.min_lon for b in boxes),
        max(b.min_lat for b in boxes),
        min(b.max_lon for b in boxes),
        min(b.max_lat for b in boxes),
    )


def sensor_records(reader: StoreReader, iris: Sequence[str]) -> dict[str, SensorRecord]:
    """Full records of sensors by IRI (index reads only); IRIs that are not sensors are left out."""
    records: dict[str, SensorRecord] = {}
    area_iris: set[str] = set()
    raw: list[tuple[str, list[str], list[str]]] = []
    for iri in dict.fromkeys(iris):
        if not set(reader.types(iri)) & set(SENSOR_CLASSES):
            continue
        districts = reader.object_iris(iri, CPS_NS + "inDistrict")
        dongs = reader.object_iris(iri, CPS_NS + "inDong")
        area_iris.update(districts[:1] + dongs[:1])
        raw.append((iri, districts, dongs))
    areas = area_refs(reader, sorted(area_iris))
    term_labels: dict[str, TermRef] = {}

    def term(iri: str | None) -> TermRef | None:
        if iri is None:
            return None
        if iri not in term_labels:
            term_labels[iri] = TermRef(iri, reader.labels(iri))
        return term_labels[iri]

    for iri, districts, dongs in raw:
        platforms = reader.object_iris(iri, CPS_NS + "hostedOnPlatform")
        stations = reader.object_iris(iri, SOSA_NS + "isHostedBy")
        lat = decimal_or_none(reader.literal(iri, WGS + "lat") or "")
        lon = decimal_or_none(reader.literal(iri, WGS + "long") or "")
        records[iri] = SensorRecord(
            iri=iri,
            serial=reader.literal(iri, CPS_NS + "sdotSerial"),
            label=reader.labels(iri),
            model=reader.literal(iri, CPS_NS + "modelName"),
            platform=term(platforms[0] if platforms else None),
            district=areas.get(districts[0]) if districts else None,
            dong=areas.get(dongs[0]) if dongs else None,
            location=GeoPoint(float(lon), float(lat)) if lat is not None and lon is not None else None,
            station=term(stations[0] if stations else None),
            observed_properties=tuple(reader.object_iris(iri, CPS_NS + "observesProperty")),
        )
    return records


def sensor_for_serial(reader: StoreReader, serial: str) -> str | None:
    """The sensor with this S-DoT serial (``cps:sdotSerial`` or an S-DoT identifier node), or ``None``."""
    inputs.text(serial, "serial", 64)
    literal = ox.Literal(serial)
    holders = [s for s in reader.subject_iris(CPS_NS + "sdotSerial", literal) if _is_sensor(reader, s)]
    for node in reader.subject_iris(CPS_NS + "identifierValue", literal):
        if PLATFORM_NS + "s-dot" in reader.object_iris(node, CPS_NS + "identifierScheme"):
            holders.extend(
                s for s in reader.subject_iris(CPS_NS + "hasIdentifier", node) if _is_sensor(reader, s)
            )
    return min(holders) if holders else None


def _is_sensor(reader: StoreReader, iri: str) -> bool:
    return bool(set(reader.types(iri)) & set(SENSOR_CLASSES))


def parse_time(lexical: str) -> datetime | None:
    """An xsd:dateTime lexical form as an aware datetime (``None`` when it has no zone or cannot be read)."""
    try:
        moment = datetime.fromisoformat(lexical)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def latest_observations(
    reader: StoreReader, sensors: Sequence[str], prop: str | None
) -> dict[str, list[ObservationRecord]]:
    """The latest observation per observed property of each sensor (only ``prop`` when given), by result
    time. Index reads: the sensor's observations, then time and property of each."""
    result: dict[str, list[ObservationRecord]] = {}
    for sensor in dict.fromkeys(sensors):
        best: dict[str, tuple[datetime, str, str]] = {}
        for quad in reader.quads(None, SOSA_NS + "madeBySensor", sensor):
            if not isinstance(quad.subject, ox.NamedNode):
                continue
            obs = quad.subject.value
            props = reader.object_iris(obs, SOSA_NS + "observedProperty")
            if not props or (prop is not None and prop not in props):
                continue
            time_text = reader.literal(obs, SOSA_NS + "resultTime")
            moment = parse_time(time_text) if time_text else None
            if moment is None or time_text is None:
                continue
            observed = prop if prop is not None else props[0]
            current = best.get(observed)
            if current is None or (moment, obs) > (current[0], current[2]):
                best[observed] = (moment, time_text, obs)
        records = [
            observation_record(reader, obs, sensor, p, t, s) for p, (t, s, obs) in sorted(best.items())
        ]
        result[sensor] = [r for r in records if r is not None]
    return result


def observation_record(
    reader: StoreReader, obs: str, sensor: str, prop: str, moment: datetime, time_text: str
) -> ObservationRecord | None:
    """An observation's record from index reads (``None`` when its result is not a number)."""
    value = decimal_or_none(reader.literal(obs, SOSA_NS + "hasSimpleResult") or "")
    if value is None:
        return None
    units = reader.object_iris(obs, CPS_NS + "unit")
    features = reader.object_iris(obs, SOSA_NS + "hasFeatureOfInterest")
    datasets = reader.object_iris(obs, CPS_NS + "sourceDataset")
    return ObservationRecord(
        iri=obs,
        sensor=sensor,
        property=prop,
        value=value,
        time=moment,
        time_text=time_text,
        unit=units[0] if units else None,
        feature=features[0] if features else None,
        dataset=datasets[0] if datasets else None,
    )


def observable_properties(reader: StoreReader) -> list[ObservablePropertyRecord]:
    """Every observable property of the ontology with its default unit (index reads)."""
    records = []
    for iri in reader.subject_iris(RDF_TYPE, CPS_NS + "ObservableProperty"):
        units = reader.object_iris(iri, CPS_NS + "unit")
        records.append(
            ObservablePropertyRecord(iri, reader.labels(iri), units[0] if units else None, local_name(iri))
        )
    return records


def resolve_property(reader: StoreReader, name: str, field: str = "property") -> str:
    """An observable property named by local name (``PM10``), IRI or label in either language (case and
    spacing ignored) as its IRI.

    Raises:
        QueryInputError: no observable property has that name.
    """
    inputs.text(name, field, 300)
    wanted = name.strip().casefold()
    for record in observable_properties(reader):
        names = {record.iri.casefold(), record.notation.casefold()}
        names.update(text.casefold() for text in (record.label.ko, record.label.en) if text)
        names.update(
            term.value.casefold()
            for predicate in (SKOS_NS + "altLabel", SKOS_NS + "hiddenLabel")
            for term in reader.objects(record.iri, predicate)
            if isinstance(term, ox.Literal)
        )
        if wanted in names:
            return record.iri
    raise inputs.QueryInputError(
        field,
        "unknown observable property (use e.g. PM10, PM25, AirTemperature or the property's IRI)",
        "알 수 없는 관측 속성입니다 (예: PM10, PM25, AirTemperature 또는 속성 IRI)",
    )


def sensor_datasets(reader: StoreReader, sensors: Sequence[str]) -> dict[str, list[str]]:
    """The datasets holding each sensor's data: the dataset graphs describing the sensor or holding its
    observations, and its ``cps:sourceDataset`` (index reads; one pass over the sensor's observations)."""
    result: dict[str, list[str]] = {}
    for sensor in dict.fromkeys(sensors):
        found = set(reader.object_iris(sensor, CPS_NS + "sourceDataset"))
        graphs = {
            q.graph_name.value
            for q in reader.quads(sensor, None, None)
            if isinstance(q.graph_name, ox.NamedNode)
        }
        graphs.update(
            q.graph_name.value
            for q in reader.quads(None, SOSA_NS + "madeBySensor", sensor)
            if isinstance(q.graph_name, ox.NamedNode)
        )
        found.update(d for d in (dataset_of_graph(g) for g in graphs) if d is not None)
        result[sensor] = sorted(found)
    return result
