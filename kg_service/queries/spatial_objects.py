"""Spatial objects (buildings, facilities, road links, … mostly from S-Map): search and records.

Searches page by IRI (keyset: ``STR(?object) > ?afterIri``, bound), fetch candidates in chunks of a fixed
size, and apply the exact circle or point-in-polygon test in Python until the page is full.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.term import Identifier
from shapely.geometry import Point

from kg_service.queries import inputs
from kg_service.queries.areas import area_refs, geometry_wkt
from kg_service.queries.entities import KIND_BY_CLASS, kind_of
from kg_service.queries.geometry import BoundingBox, box_around, haversine_m, parse_wkt_literal
from kg_service.queries.model import (
    EntityKind,
    GeoPoint,
    SpatialObjectFilter,
    SpatialObjectRecord,
    TermRef,
)
from kg_service.queries.reader import CPS_NS, WGS, StoreReader, decimal_or_none, row_float, row_iri
from kg_service.queries.sensors import box_bindings

#: Candidates fetched per SPARQL round trip (a constant of the query text, not a caller's value).
CHUNK: Final = 500
#: Half-size in degrees of the box of candidate centres for "contains this point" (about 1 km): objects whose
#: centre lies farther from the point than that are not considered.
CONTAINING_SEARCH_DEGREES: Final = 0.01
_SPATIAL_KINDS: Final[dict[EntityKind, str]] = {
    kind: iri
    for iri, kind in KIND_BY_CLASS
    if kind in {EntityKind.BUILDING, EntityKind.ROAD_LINK, EntityKind.FACILITY, EntityKind.MONITORING_STATION}
}


@functools.cache
def object_search_query(by_district: bool, by_use: bool, by_kind: bool, in_box: bool) -> str:
    """The SPARQL text of a spatial-object search (constant fragments; values bound as ``?afterIri``,
    ``?districtCode``, ``?use``, ``?kindClass`` and ``?minLon`` … ``?maxLat``)."""
    projection = ["?object", "?lat", "?lon", "?afterIri"]
    parts = ["GRAPH ?g0 { ?object a cps:SpatialObject }", "FILTER(STR(?object) > ?afterIri)"]
    if by_district:
        projection.append("?districtCode")
        parts.append("GRAPH ?g1 { ?district cps:districtCode ?districtCode }")
        parts.append("GRAPH ?g2 { ?object cps:inDistrict ?district }")
    if by_use:
        projection.append("?use")
        parts.append("GRAPH ?g3 { ?object cps:buildingUse ?use }")
    if by_kind:
        projection.append("?kindClass")
        parts.append("GRAPH ?g4 { ?object a ?kindClass }")
    position = "GRAPH ?g5 { ?object wgs:lat ?lat } GRAPH ?g6 { ?object wgs:long ?lon }"
    if in_box:
        projection.extend(["?minLon", "?minLat", "?maxLon", "?maxLat"])
        parts.append(position)
        parts.append("FILTER(?lat >= ?minLat && ?lat <= ?maxLat && ?lon >= ?minLon && ?lon <= ?maxLon)")
    else:
        parts.append("OPTIONAL { " + position + " }")
    return (
        "SELECT DISTINCT "
        + " ".join(projection)
        + " WHERE {\n  "
        + "\n  ".join(parts)
        + f"\n}}\nORDER BY ?object\nLIMIT {CHUNK}"
    )


def find_spatial_objects(
    reader: StoreReader, criteria: SpatialObjectFilter, after: str | None, limit: int
) -> tuple[list[str], bool]:
    """IRIs (ordered) of up to ``limit`` spatial objects after ``after`` that meet every criterion, and
    whether more follow.

    Raises:
        QueryInputError: a criterion is malformed or out of range.
    """
    bindings: dict[str, Identifier] = {}
    if criteria.district_code is not None:
        bindings["districtCode"] = RDFLiteral(inputs.district_code(criteria.district_code))
    if criteria.use is not None:
        bindings["use"] = RDFLiteral(inputs.text(criteria.use, "use", 100))
    if criteria.kind is not None:
        kind_class = _SPATIAL_KINDS.get(criteria.kind)
        if kind_class is None:
            raise inputs.QueryInputError("kind", "not a kind of spatial object", "공간객체의 종류가 아닙니다")
        bindings["kindClass"] = URIRef(kind_class)
    circle = criteria.near
    point = criteria.containing
    boxes: list[BoundingBox] = []
    if circle is not None:
        inputs.coordinate(circle.lon, circle.lat)
        inputs.radius(circle.radius_m)
        boxes.append(box_around(circle.lon, circle.lat, circle.radius_m))
    if point is not None:
        inputs.coordinate(point.lon, point.lat, "containing")
        d = CONTAINING_SEARCH_DEGREES
        boxes.append(BoundingBox(point.lon - d, point.lat - d, point.lon + d, point.lat + d))
    if boxes:
        box = boxes[0]
        for other in boxes[1:]:
            box = BoundingBox(
                max(box.min_lon, other.min_lon),
                max(box.min_lat, other.min_lat),
                min(box.max_lon, other.max_lon),
                min(box.max_lat, other.max_lat),
            )
        bindings.update(box_bindings(box))
    query = object_search_query(
        "districtCode" in bindings, "use" in bindings, "kindClass" in bindings, bool(boxes)
    )
    cursor = after or ""
    found: list[str] = []
    while len(found) <= limit:
        rows = reader.select(query, afterIri=RDFLiteral(cursor), **bindings)
        seen_in_chunk = 0
        for row in rows:
            iri = row_iri(row, "object")
            if iri is None:
                continue
            seen_in_chunk += 1
            cursor = iri
            if found and found[-1] == iri:
                continue
            if _meets(reader, iri, row_float(row, "lon"), row_float(row, "lat"), criteria):
                found.append(iri)
        if len(rows) < CHUNK or seen_in_chunk == 0:
            break
    return found[:limit], len(found) > limit


def _meets(
    reader: StoreReader, iri: str, lon: float | None, lat: float | None, criteria: SpatialObjectFilter
) -> bool:
    if criteria.near is not None:
        if lon is None or lat is None:
            return False
        if haversine_m(criteria.near.lon, criteria.near.lat, lon, lat) > criteria.near.radius_m:
            return False
    if criteria.containing is not None:
        wkt = geometry_wkt(reader, iri)
        geometry = parse_wkt_literal(wkt) if wkt else None
        if geometry is None or not geometry.covers(Point(criteria.containing.lon, criteria.containing.lat)):
            return False
    return True


def spatial_object_records(reader: StoreReader, iris: Sequence[str]) -> dict[str, SpatialObjectRecord]:
    """Records of spatial objects by IRI (index reads); IRIs that are not spatial objects are left out."""
    raw: list[tuple[str, list[str], list[str], list[str]]] = []
    area_iris: set[str] = set()
    for iri in dict.fromkeys(iris):
        types = reader.types(iri)
        if CPS_NS + "SpatialObject" not in types and kind_of(types) not in _SPATIAL_KINDS:
            continue
        districts = reader.object_iris(iri, CPS_NS + "inDistrict")
        dongs = reader.object_iris(iri, CPS_NS + "inDong")
        area_iris.update(districts[:1] + dongs[:1])
        raw.append((iri, types, districts, dongs))
    areas = area_refs(reader, sorted(area_iris))
    records: dict[str, SpatialObjectRecord] = {}
    for iri, types, districts, dongs in raw:
        platforms = reader.object_iris(iri, CPS_NS + "hostedOnPlatform")
        floors = decimal_or_none(reader.literal(iri, CPS_NS + "floors") or "")
        lat = decimal_or_none(reader.literal(iri, WGS + "lat") or "")
        lon = decimal_or_none(reader.literal(iri, WGS + "long") or "")
        height = decimal_or_none(reader.literal(iri, CPS_NS + "heightMetres") or "")
        records[iri] = SpatialObjectRecord(
            iri=iri,
            kind=kind_of(types),
            types=tuple(types),
            label=reader.labels(iri),
            smap_id=reader.literal(iri, CPS_NS + "smapId"),
            use=reader.literal(iri, CPS_NS + "buildingUse"),
            floors=int(floors) if floors is not None and floors == floors.to_integral_value() else None,
            height_m=Decimal(height) if height is not None else None,
            platform=TermRef(platforms[0], reader.labels(platforms[0])) if platforms else None,
            district=areas.get(districts[0]) if districts else None,
            dong=areas.get(dongs[0]) if dongs else None,
            location=GeoPoint(float(lon), float(lat)) if lat is not None and lon is not None else None,
        )
    return records
