"""Districts (자치구) and dongs: names, codes, boundaries and sensor counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Final

from kg_service.queries.model import AreaRef, DistrictRecord, SensorCount
from kg_service.queries.reader import (
    CPS_NS,
    GEO_NS,
    StoreReader,
    row_float,
    row_int,
    row_iri,
    row_text,
    text_of,
)

DISTRICTS: Final = """
SELECT ?district ?code ?label ?area WHERE {
  GRAPH ?g0 { ?district a cps:District }
  GRAPH ?g1 { ?district cps:districtCode ?code }
  OPTIONAL { GRAPH ?g2 { ?district rdfs:label ?label } }
  OPTIONAL { GRAPH ?g3 { ?district cps:areaSquareMetres ?area } }
}
"""

_SENSOR = """
  GRAPH ?g0 { ?sensor a ?sensorClass }
  FILTER(?sensorClass IN (cps:Sensor, cps:EnvironmentalSensor))
  GRAPH ?g1 { ?sensor cps:inDistrict ?district }
"""
SENSORS_PER_DISTRICT: Final = (
    "SELECT ?district (COUNT(DISTINCT ?sensor) AS ?n) WHERE {" + _SENSOR + "} GROUP BY ?district"
)
SENSORS_PER_DISTRICT_AND_PLATFORM: Final = (
    "SELECT ?district ?platform (COUNT(DISTINCT ?sensor) AS ?n) WHERE {"
    + _SENSOR
    + "  GRAPH ?g2 { ?sensor cps:hostedOnPlatform ?platform }\n} GROUP BY ?district ?platform"
)
SENSORS_PER_DISTRICT_AND_PROPERTY: Final = (
    "SELECT ?district ?property (COUNT(DISTINCT ?sensor) AS ?n) WHERE {"
    + _SENSOR
    + "  GRAPH ?g2 { ?sensor cps:observesProperty ?property }\n} GROUP BY ?district ?property"
)


def districts(reader: StoreReader) -> list[DistrictRecord]:
    """Every district with its code, names and area, ordered by code (one SPARQL query)."""
    rows = reader.select(DISTRICTS)
    labels: dict[str, list[object]] = defaultdict(list)
    codes: dict[str, str] = {}
    areas: dict[str, float | None] = {}
    for row in rows:
        iri, code = row_iri(row, "district"), row_text(row, "code")
        if iri is None or code is None:
            continue
        codes.setdefault(iri, code)
        if "label" in row:
            labels[iri].append(row["label"])
        if areas.get(iri) is None:
            areas[iri] = row_float(row, "area")
    records = [DistrictRecord(iri, code, text_of(labels[iri]), areas.get(iri)) for iri, code in codes.items()]
    return sorted(records, key=lambda record: (record.code, record.iri))


def geometry_wkt(reader: StoreReader, iri: str) -> str | None:
    """The WKT literal of an entity's geometry (``geo:hasGeometry``/``geo:asWKT``), index reads only."""
    for geometry in reader.object_iris(iri, GEO_NS + "hasGeometry"):
        wkt = reader.literal(geometry, GEO_NS + "asWKT")
        if wkt is not None:
            return wkt
    return None


def sensor_counts(reader: StoreReader) -> list[SensorCount]:
    """Distinct sensors per district: overall, per platform and per observed property (three queries)."""
    counts: list[SensorCount] = []
    for row in reader.select(SENSORS_PER_DISTRICT):
        district = row_iri(row, "district")
        if district is not None:
            counts.append(SensorCount(district, None, None, row_int(row, "n")))
    for row in reader.select(SENSORS_PER_DISTRICT_AND_PLATFORM):
        district, platform = row_iri(row, "district"), row_iri(row, "platform")
        if district is not None and platform is not None:
            counts.append(SensorCount(district, platform, None, row_int(row, "n")))
    for row in reader.select(SENSORS_PER_DISTRICT_AND_PROPERTY):
        district, prop = row_iri(row, "district"), row_iri(row, "property")
        if district is not None and prop is not None:
            counts.append(SensorCount(district, None, prop, row_int(row, "n")))
    return sorted(counts, key=lambda c: (c.district, c.platform or "", c.property or ""))


def area_refs(reader: StoreReader, iris: Sequence[str]) -> dict[str, AreaRef]:
    """Code and names of districts or dongs by IRI (index reads)."""
    found: dict[str, AreaRef] = {}
    for iri in dict.fromkeys(iris):
        code = reader.literal(iri, CPS_NS + "districtCode") or reader.literal(iri, CPS_NS + "dongCode")
        found[iri] = AreaRef(iri, code, reader.labels(iri))
    return found
