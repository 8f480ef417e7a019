"""Observations of one sensor, or of every sensor in a district, for one property in a time window.

Pages are time-ordered (then by IRI) and keyset-paginated: the next page starts after the last
``(resultTime, IRI)`` seen, bound as ``?afterTime``/``?afterObs``. Aggregates (count, min, max, average) are
SPARQL aggregates over ``xsd:decimal`` results.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Final

from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.term import Identifier

from kg_service.queries import inputs
from kg_service.queries.model import (
    ObservationAggregates,
    ObservationKey,
    ObservationRecord,
    ObservationSelector,
)
from kg_service.queries.reader import XSD_DATE_TIME, StoreReader, row_decimal, row_int, row_iri, row_text
from kg_service.queries.sensors import parse_time

#: Rows fetched per page query: one more than the largest page, so "is there a next page" is known.
PAGE_ROWS: Final = 501

_SCOPE_SENSOR = """
  GRAPH ?g1 { ?obs sosa:madeBySensor ?sensor }"""
_SCOPE_DISTRICT = """
  GRAPH ?g8 { ?district cps:districtCode ?districtCode }
  GRAPH ?g9 { ?sensor cps:inDistrict ?district }
  GRAPH ?g1 { ?obs sosa:madeBySensor ?sensor }"""
_MATCH = """
  GRAPH ?g2 { ?obs sosa:observedProperty ?property }
  GRAPH ?g3 { ?obs sosa:resultTime ?time }
  FILTER(?time >= ?start && ?time < ?end)
  GRAPH ?g4 { ?obs sosa:hasSimpleResult ?value }"""
_DETAILS = """
  OPTIONAL { GRAPH ?g5 { ?obs cps:unit ?unit } }
  OPTIONAL { GRAPH ?g6 { ?obs sosa:hasFeatureOfInterest ?feature } }
  OPTIONAL { GRAPH ?g7 { ?obs cps:sourceDataset ?dataset } }"""
_AFTER = """
  FILTER(?time > ?afterTime || (?time = ?afterTime && STR(?obs) > ?afterObs))"""


@functools.cache
def page_query(by_district: bool, newest_first: bool = False) -> str:
    """Observation rows in time order (constant text; values bound)."""
    scope = _SCOPE_DISTRICT if by_district else _SCOPE_SENSOR
    extra = " ?districtCode" if by_district else ""
    order = "DESC(?time) DESC(?obs)" if newest_first else "?time ?obs"
    return (
        "SELECT ?obs ?sensor ?property ?time ?value ?unit ?feature ?dataset ?start ?end ?afterTime ?afterObs"
        + extra
        + " WHERE {"
        + scope
        + _MATCH
        + _AFTER
        + _DETAILS
        + f"\n}}\nORDER BY {order}\nLIMIT {PAGE_ROWS}"
    )


@functools.cache
def aggregate_query(by_district: bool) -> str:
    """Count, min, max and average of the matching results (one group: the bound values are constants)."""
    scope = _SCOPE_DISTRICT if by_district else _SCOPE_SENSOR
    keys = "?property ?start ?end " + ("?districtCode" if by_district else "?sensor")
    return (
        "SELECT "
        + keys
        + " (COUNT(?value) AS ?count) (MIN(?value) AS ?min) (MAX(?value) AS ?max) (AVG(?value) AS ?avg) WHERE {"
        + scope
        + _MATCH
        + "\n  FILTER(datatype(?value) = xsd:decimal || datatype(?value) = xsd:integer || datatype(?value) = xsd:double)"
        + "\n}\nGROUP BY "
        + keys
    )


def _date_time(moment_text: str) -> RDFLiteral:
    return RDFLiteral(moment_text, datatype=XSD_DATE_TIME)


def _bindings(selector: ObservationSelector) -> dict[str, Identifier]:
    inputs.time_window(selector.start, selector.end)
    bindings: dict[str, Identifier] = {
        "property": URIRef(selector.property),
        "start": _date_time(selector.start.isoformat()),
        "end": _date_time(selector.end.isoformat()),
    }
    if selector.sensor is not None:
        bindings["sensor"] = URIRef(inputs.iri(selector.sensor, "sensorIri"))
    elif selector.district_code is not None:
        bindings["districtCode"] = RDFLiteral(inputs.district_code(selector.district_code))
    else:
        raise inputs.QueryInputError(
            "sensorIri", "give a sensor IRI or a district code", "센서 IRI나 자치구 코드를 주세요"
        )
    return bindings


def observation_page(
    reader: StoreReader, selector: ObservationSelector, after: ObservationKey | None, limit: int
) -> tuple[list[ObservationRecord], bool]:
    """Up to ``limit`` (≤ 500) observations after ``after`` in time order, and whether more follow."""
    if not 0 < limit < PAGE_ROWS:
        raise inputs.QueryInputError(
            "first", f"must be 1 to {PAGE_ROWS - 1}", f"1에서 {PAGE_ROWS - 1} 사이여야 합니다"
        )
    bindings = _bindings(selector)
    if after is None:
        bindings["afterTime"] = _date_time((selector.start - timedelta(seconds=1)).isoformat())
        bindings["afterObs"] = RDFLiteral("")
    else:
        bindings["afterTime"] = _date_time(after.time_text)
        bindings["afterObs"] = RDFLiteral(after.iri)
    rows = reader.select(page_query("districtCode" in bindings), **bindings)
    records = [record for record in (_record(row) for row in rows) if record is not None]
    return records[:limit], len(records) > limit


def _record(row: dict[str, Identifier]) -> ObservationRecord | None:
    obs, sensor, prop = row_iri(row, "obs"), row_iri(row, "sensor"), row_iri(row, "property")
    time_text, value = row_text(row, "time"), row_decimal(row, "value")
    moment = parse_time(time_text) if time_text else None
    if obs is None or sensor is None or prop is None or value is None or moment is None or time_text is None:
        return None
    return ObservationRecord(
        iri=obs,
        sensor=sensor,
        property=prop,
        value=value,
        time=moment,
        time_text=time_text,
        unit=row_iri(row, "unit"),
        feature=row_iri(row, "feature"),
        dataset=row_iri(row, "dataset"),
    )


def observation_aggregates(reader: StoreReader, selector: ObservationSelector) -> ObservationAggregates:
    """Count, minimum, maximum and average of the results in the window (SPARQL aggregates over
    ``xsd:decimal``) and the latest observation (two queries)."""
    bindings = _bindings(selector)
    by_district = "districtCode" in bindings
    rows = reader.select(aggregate_query(by_district), **bindings)
    row = rows[0] if rows else {}
    bindings["afterTime"] = _date_time((selector.start - timedelta(seconds=1)).isoformat())
    bindings["afterObs"] = RDFLiteral("")
    latest_rows = reader.select(page_query(by_district, newest_first=True), **bindings)
    latest = next((r for r in (_record(x) for x in latest_rows[:1]) if r is not None), None)
    return ObservationAggregates(
        count=row_int(row, "count"),
        minimum=row_decimal(row, "min"),
        maximum=row_decimal(row, "max"),
        average=row_decimal(row, "avg"),
        latest=latest,
    )
