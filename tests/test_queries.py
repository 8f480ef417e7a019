"""The query layer over the fixture graph: every query with the answer the fixture makes true."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest
from graph_fixture import BUILDINGS, SENSORS, STATION_SENSORS, fixture_store, sdot_value

from kg_service.queries import EmbeddedLinkageQueries, QueryInputError
from kg_service.queries.model import (
    Circle,
    EntityKind,
    ExternalVocabulary,
    GeoPoint,
    IdentifierScheme,
    MappingRelation,
    ObservationKey,
    ObservationSelector,
    SensorFilter,
    SpatialObjectFilter,
)
from kg_service.queries.reader import local_name
from kg_service.spatial import default_area_index
from kg_service.store.embedded import EmbeddedStore

ID = "https://data.seoul.go.kr/cps/id/"
CPS = "https://data.seoul.go.kr/cps/ontology#"
S43 = ID + "sensor/V02Q1940043"


@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    store = fixture_store()
    yield store
    store.close()


@pytest.fixture(scope="module")
def queries(store: EmbeddedStore) -> EmbeddedLinkageQueries:
    return EmbeddedLinkageQueries(store)


def names(iris: list[str] | tuple[str, ...]) -> list[str]:
    return [local_name(i) for i in iris]


# -- the fixture itself ------------------------------------------------------------------------------


def test_fixture_coordinates_lie_in_the_areas_they_name() -> None:
    index = default_area_index()
    for sensor in (*SENSORS, *STATION_SENSORS):
        assert index.district_of(sensor.lon, sensor.lat).code == sensor.district, sensor.serial
        assert index.dong_of(sensor.lon, sensor.lat).code == sensor.dong, sensor.serial
    for ufid, *_, district, dong, (x0, y0, x1, y1) in BUILDINGS:
        centre = ((x0 + x1) / 2, (y0 + y1) / 2)
        assert index.district_of(*centre).code == district, ufid
        assert index.dong_of(*centre).code == dong, ufid


# -- entities ----------------------------------------------------------------------------------------


def test_entity_types_kind_and_graphs(queries: EmbeddedLinkageQueries) -> None:
    record = queries.entity(S43)
    assert record is not None
    assert record.kind is EntityKind.SENSOR
    assert {t.iri for t in record.types} == {CPS + "Sensor", CPS + "EnvironmentalSensor"}
    assert {t.label.ko for t in record.types} == {"센서", "환경 센서"}
    assert record.graphs == ("https://data.seoul.go.kr/cps/graph/dataset/sdot-environment",)
    district = queries.entity(ID + "district/11110")
    assert district is not None and district.kind is EntityKind.DISTRICT
    assert (district.label.ko, district.label.en) == ("종로구", "Jongno-gu")
    assert queries.entity(ID + "sensor/NO-SUCH-SENSOR") is None


@pytest.mark.parametrize(
    ("scheme", "value", "expected"),
    [
        (IdentifierScheme.S_DOT, "V02Q1940043", ["sensor/V02Q1940043", "facility/SF-0001"]),
        (IdentifierScheme.NGSI_LD, "urn:ngsi-ld:Device:V02Q1940101", ["sensor/V02Q1940101"]),
        (IdentifierScheme.NGSI_LD, "urn:ngsi-ld:Building:B1168010100004", ["building/B1168010100004"]),
        (IdentifierScheme.S_MAP, "SF-0001", ["facility/SF-0001", "sensor/V02Q1940043"]),
        (IdentifierScheme.S_MAP, "B1114012600003", ["building/B1114012600003"]),
        (IdentifierScheme.DISTRICT_CODE, "11680", ["district/11680"]),
        (IdentifierScheme.DONG_CODE, "11110119", ["dong/11110119"]),
        (IdentifierScheme.DEPARTMENT_CODE, "transport", ["department/transport"]),
        (IdentifierScheme.SYSTEM_CODE, "SYS-0003", ["system/SYS-0003"]),
        (IdentifierScheme.SERVICE_CODE, "heat-island-map", ["service/heat-island-map"]),
        (IdentifierScheme.BUSINESS_CODE, "BIZ-TR-01", ["business/BIZ-TR-01"]),
        (IdentifierScheme.S_DOT, "V02Q0000000", []),
        (IdentifierScheme.NGSI_LD, "V02Q1940043", []),  # the right value under the wrong scheme
    ],
)
def test_find_by_identifier(
    queries: EmbeddedLinkageQueries, scheme: IdentifierScheme, value: str, expected: list[str]
) -> None:
    assert queries.find_by_identifier(scheme, value) == [ID + e for e in expected]


def test_identifiers_across_platforms(queries: EmbeddedLinkageQueries) -> None:
    found = {
        (i.value, local_name(i.scheme or ""), i.source, local_name(i.holder))
        for i in queries.identifiers(S43)
    }
    assert found == {
        ("V02Q1940043", "s-dot", "identifier-node", "V02Q1940043"),
        ("V02Q1940043", "s-dot", "property", "V02Q1940043"),
        ("urn:ngsi-ld:Device:V02Q1940043", "ngsi-ld", "identifier-node", "V02Q1940043"),
        ("SF-0001", "s-map", "corresponds-to", "SF-0001"),
    }
    district = queries.identifiers(ID + "district/11110")
    assert [(i.value, i.property) for i in district] == [("11110", CPS + "districtCode")]


def test_links_page_through_every_link_once(queries: EmbeddedLinkageQueries) -> None:
    seen = []
    offset = 0
    while True:
        page = queries.links(S43, "incoming", offset, 40)
        seen.extend(page.links)
        offset += 40
        if not page.has_more:
            break
    # 3 properties x 48 hours of observations, plus the S-Map facility that corresponds to it
    assert len(seen) == 3 * 48 + 1
    assert len({(link.node, link.predicate) for link in seen}) == len(seen)
    outgoing = queries.links(S43, "outgoing", 0, 500)
    by_predicate = {(link.predicate, link.node or link.literal) for link in outgoing.links}
    assert (CPS + "sdotSerial", "V02Q1940043") in by_predicate
    assert (CPS + "inDistrict", ID + "district/11110") in by_predicate
    assert not outgoing.has_more
    label = next(link.predicate_label for link in outgoing.links if link.predicate == CPS + "inDistrict")
    assert (label.ko, label.en) == ("소재 자치구", "in district")


# -- sensors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (SensorFilter(), [s.serial for s in (*SENSORS, *STATION_SENSORS)]),
        (SensorFilter(district_code="11110"), ["V02Q1940043", "V02Q1940044", "station-11110"]),
        (SensorFilter(district_code="11140"), ["V02Q1940101", "V02Q1940102"]),
        (SensorFilter(dong_code="11680105"), ["V02Q1940202", "station-11680"]),
        (SensorFilter(platform="s-dot", district_code="11680"), ["V02Q1940201", "V02Q1940202"]),
        (
            SensorFilter(observed_property="AirTemperature", district_code="11110"),
            ["V02Q1940043", "V02Q1940044"],
        ),
        (SensorFilter(observed_property="미세먼지(PM10)", dong_code="11110162"), ["station-11110"]),
        (SensorFilter(district_code="11650"), []),
        # radius searches come nearest first
        (SensorFilter(near=Circle(126.9769, 37.5725, 1300)), ["V02Q1940043", "V02Q1940101"]),
        (SensorFilter(near=Circle(126.9769, 37.5725, 1500)), ["V02Q1940043", "V02Q1940101", "V02Q1940102"]),
        (
            SensorFilter(near=Circle(126.9769, 37.5725, 1500), district_code="11140"),
            ["V02Q1940101", "V02Q1940102"],
        ),
        (SensorFilter(near_object=(ID + "building/B1111011900001", 100)), ["V02Q1940043"]),
        (SensorFilter(near_object=(ID + "building/B1168010500005", 2000)), ["V02Q1940202", "station-11680"]),
        (SensorFilter(inside_object=ID + "building/B1111011900001"), ["V02Q1940043"]),
        (SensorFilter(inside_object=ID + "building/B1114012600003"), []),
        (SensorFilter(inside_object=ID + "building/NOT-THERE"), []),
    ],
)
def test_find_sensors(queries: EmbeddedLinkageQueries, criteria: SensorFilter, expected: list[str]) -> None:
    found = queries.find_sensors(criteria)
    if criteria.near is None and criteria.near_object is None:
        assert sorted(names([iri for iri, _ in found])) == sorted(expected)
    else:
        assert names([iri for iri, _ in found]) == expected


def test_radius_search_reports_great_circle_distances(queries: EmbeddedLinkageQueries) -> None:
    found = dict(queries.find_sensors(SensorFilter(near=Circle(126.9769, 37.5725, 1500))))
    assert found[S43] == pytest.approx(0.0, abs=0.01)
    assert found[ID + "sensor/V02Q1940101"] == pytest.approx(1220.3, abs=1.0)
    assert found[ID + "sensor/V02Q1940102"] == pytest.approx(1437.6, abs=1.0)


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        (SensorFilter(near=Circle(126.97, 37.57, -1)), "radiusMetres"),
        (SensorFilter(near=Circle(126.97, 37.57, 1e9)), "radiusMetres"),
        (SensorFilter(near=Circle(126.97, 37.57, float("nan"))), "radiusMetres"),
        (SensorFilter(near=Circle(500, 37.57, 10)), "near"),
        (SensorFilter(district_code="종로구"), "districtCode"),
        (SensorFilter(dong_code="1111011"), "dongCode"),
        (SensorFilter(platform="s-dots"), "platform"),
        (SensorFilter(observed_property="PM1000"), "observedProperty"),
        (SensorFilter(near_object=("not an iri", 10)), "nearSpatialObject.iri"),
    ],
)
def test_find_sensors_rejects_bad_criteria(
    queries: EmbeddedLinkageQueries, criteria: SensorFilter, field: str
) -> None:
    with pytest.raises(QueryInputError) as caught:
        queries.find_sensors(criteria)
    assert caught.value.field == field
    assert caught.value.code == "BAD_USER_INPUT"


def test_sensor_records(queries: EmbeddedLinkageQueries) -> None:
    records = queries.sensors([S43, ID + "sensor/station-11680", ID + "building/B1111011900001"])
    assert set(records) == {S43, ID + "sensor/station-11680"}
    sensor = records[S43]
    assert (sensor.serial, sensor.model, sensor.platform and sensor.platform.iri) == (
        "V02Q1940043",
        "SDOT001",
        ID + "platform/s-dot",
    )
    assert sensor.district is not None and (sensor.district.code, sensor.district.name.ko) == (
        "11110",
        "종로구",
    )
    assert sensor.dong is not None and (sensor.dong.code, sensor.dong.name.en) == ("11110119", "Sejong-ro")
    assert sensor.location == GeoPoint(126.9769, 37.5725)
    assert names(sensor.observed_properties) == ["AirTemperature", "PM10", "PM25"]
    station = records[ID + "sensor/station-11680"]
    assert station.serial is None and station.platform is None
    assert station.station is not None and station.station.label.ko == "강남구 측정소"
    assert queries.sensor_for_serial("V02Q1940202") == ID + "sensor/V02Q1940202"
    assert queries.sensor_for_serial("V02Q9999999") is None


def test_latest_observations(queries: EmbeddedLinkageQueries) -> None:
    latest = queries.latest_observations([S43, ID + "sensor/V02Q1940201"], None)
    by_property = {local_name(o.property): o for o in latest[S43]}
    assert set(by_property) == {"PM10", "PM25", "AirTemperature"}
    assert by_property["PM10"].value == sdot_value(0, "PM10", 47) == Decimal("31.5")
    assert by_property["PM25"].value == Decimal("15.75")
    assert by_property["AirTemperature"].value == Decimal("26.3")
    assert by_property["PM10"].time_text == "2025-07-14T23:00:00+09:00"
    assert by_property["PM10"].unit == "http://qudt.org/vocab/unit/MicroGM-PER-M3"
    only_pm25 = queries.latest_observations([ID + "sensor/V02Q1940201"], CPS + "PM25")
    assert [(local_name(o.property), o.value) for o in only_pm25[ID + "sensor/V02Q1940201"]] == [
        ("PM25", sdot_value(4, "PM25", 47))
    ]


def test_sensor_datasets(queries: EmbeddedLinkageQueries) -> None:
    found = queries.sensor_datasets([S43, ID + "sensor/station-11110"])
    assert names(found[S43]) == ["sdot-environment"]
    assert names(found[ID + "sensor/station-11110"]) == ["realtime-city-air"]


# -- districts and spatial objects --------------------------------------------------------------------


def test_districts_and_counts(queries: EmbeddedLinkageQueries) -> None:
    districts = queries.districts()
    assert len(districts) == 25
    assert (districts[0].code, districts[0].name.ko, districts[0].name.en) == ("11110", "종로구", "Jongno-gu")
    assert districts[0].area_m2 == pytest.approx(23_967_594.0)
    counts = {
        (
            local_name(c.district),
            c.platform and local_name(c.platform),
            c.property and local_name(c.property),
        ): c.count
        for c in queries.district_sensor_counts()
    }
    assert counts[("11110", None, None)] == 3
    assert counts[("11110", "s-dot", None)] == 2
    assert counts[("11110", None, "PM10")] == 3
    assert counts[("11110", None, "AirTemperature")] == 2
    assert counts[("11680", None, "PM25")] == 3
    assert ("11650", None, None) not in counts
    wkt = queries.geometry_wkt([ID + "district/11110"])[ID + "district/11110"]
    assert wkt.startswith("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> MULTIPOLYGON")


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (SpatialObjectFilter(district_code="11680"), ["B1168010100004", "B1168010500005"]),
        (SpatialObjectFilter(use="업무시설"), ["B1111011900001", "B1168010100004"]),
        (SpatialObjectFilter(kind=EntityKind.FACILITY), ["SF-0001"]),
        (SpatialObjectFilter(kind=EntityKind.ROAD_LINK), ["1210013300"]),
        (SpatialObjectFilter(near=Circle(126.9769, 37.5725, 100)), ["B1111011900001", "SF-0001"]),
        (SpatialObjectFilter(containing=GeoPoint(126.9769, 37.5725)), ["B1111011900001"]),
        (
            SpatialObjectFilter(containing=GeoPoint(127.059, 37.511), district_code="11680"),
            ["B1168010500005"],
        ),
        (SpatialObjectFilter(containing=GeoPoint(127.2, 37.7)), []),
    ],
)
def test_find_spatial_objects(
    queries: EmbeddedLinkageQueries, criteria: SpatialObjectFilter, expected: list[str]
) -> None:
    iris, has_more = queries.find_spatial_objects(criteria, None, 50)
    assert names(iris) == expected
    assert not has_more


def test_spatial_objects_keyset_pages(queries: EmbeddedLinkageQueries) -> None:
    first, more = queries.find_spatial_objects(SpatialObjectFilter(), None, 4)
    assert more and len(first) == 4
    second, more = queries.find_spatial_objects(SpatialObjectFilter(), first[-1], 4)
    assert not more and len(second) == 3
    assert len(first + second) == len(set(first + second)) == 7  # 5 buildings, 1 facility, 1 road link
    record = queries.spatial_objects([ID + "building/B1168010100004"])[ID + "building/B1168010100004"]
    assert (record.kind, record.label.ko, record.use, record.floors, record.height_m) == (
        EntityKind.BUILDING,
        "역삼 업무빌딩",
        "업무시설",
        35,
        Decimal("152.0"),
    )
    assert record.district is not None and record.district.code == "11680"


# -- observations -------------------------------------------------------------------------------------

DAY2 = (
    datetime.fromisoformat("2025-07-14T00:00:00+09:00"),
    datetime.fromisoformat("2025-07-15T00:00:00+09:00"),
)


def test_observation_aggregates_of_one_sensor(queries: EmbeddedLinkageQueries) -> None:
    selector = ObservationSelector(CPS + "PM10", *DAY2, sensor=S43)
    aggregates = queries.observation_aggregates(selector)
    assert (aggregates.count, aggregates.minimum, aggregates.maximum, aggregates.average) == (
        24,
        Decimal("20"),
        Decimal("31.5"),
        Decimal("25.75"),
    )
    assert aggregates.latest is not None and aggregates.latest.time_text == "2025-07-14T23:00:00+09:00"


def test_observation_aggregates_of_a_district_and_other_zones(queries: EmbeddedLinkageQueries) -> None:
    # Jongno-gu on day 2: V02Q1940043 (mean 25.75), V02Q1940044 (27.75) and the station (37.75)
    selector = ObservationSelector(CPS + "PM10", *DAY2, district_code="11110")
    aggregates = queries.observation_aggregates(selector)
    assert aggregates.count == 72
    assert (aggregates.minimum, aggregates.maximum) == (Decimal("20"), Decimal("43.5"))
    assert aggregates.average is not None and round(aggregates.average, 4) == Decimal("30.4167")
    # the same window written in UTC selects the same observations
    utc = ObservationSelector(
        CPS + "PM10",
        datetime.fromisoformat("2025-07-13T15:00:00Z"),
        datetime.fromisoformat("2025-07-14T15:00:00+00:00"),
        district_code="11110",
    )
    assert queries.observation_aggregates(utc).count == 72
    empty = ObservationSelector(CPS + "PM10", *DAY2, district_code="11650")
    assert queries.observation_aggregates(empty).count == 0


def test_observation_pages_follow_on_in_time_order(queries: EmbeddedLinkageQueries) -> None:
    selector = ObservationSelector(CPS + "AirTemperature", *DAY2, sensor=ID + "sensor/V02Q1940102")
    collected = []
    key = None
    for _ in range(10):
        page, more = queries.observation_page(selector, key, 7)
        collected.extend(page)
        if not more:
            break
        key = ObservationKey(page[-1].time_text, page[-1].iri)
    assert len(collected) == 24
    assert [o.time.hour for o in collected] == list(range(24))
    assert [o.value for o in collected] == [sdot_value(3, "AirTemperature", h) for h in range(24, 48)]


def test_observation_window_must_be_ordered(queries: EmbeddedLinkageQueries) -> None:
    with pytest.raises(QueryInputError):
        queries.observation_page(ObservationSelector(CPS + "PM10", DAY2[1], DAY2[0], sensor=S43), None, 10)
    with pytest.raises(QueryInputError):
        queries.observation_page(ObservationSelector(CPS + "PM10", *DAY2, sensor=S43), None, 501)


# -- organisation, linkage ------------------------------------------------------------------------------


def test_organisation_snapshot(queries: EmbeddedLinkageQueries) -> None:
    snapshot = queries.organisation()
    # the NGSI-LD context broker of the reference data is an information system too (an identifier scheme)
    assert [n.code for n in snapshot.of_kind(EntityKind.SYSTEM)] == [f"SYS-000{i}" for i in range(1, 7)] + [
        "ngsi-ld"
    ]
    assert [
        (f.value("http://www.w3.org/2004/02/skos/core#notation"), f.label.ko) for f in snapshot.functions()
    ] == [
        ("1", "현실문제"),
        ("2", "현실데이터"),
        ("3", "현실모델링"),
        ("4", "데이터전달"),
        ("5", "가상모델(가상화)"),
        ("6", "의사결정"),
        ("7", "자율제어"),
    ]
    outcome = snapshot.last_submissions[ID + "dataset/realtime-city-air"]
    assert (outcome.status, outcome.conformed, outcome.submitted_at) == (
        "rejected",
        False,
        "2025-07-15T02:00:00+09:00",
    )
    assert snapshot.sensors_per_dataset == {
        ID + "dataset/sdot-environment": 6,
        ID + "dataset/realtime-city-air": 2,
    }


def test_who_uses_sensor(queries: EmbeddedLinkageQueries) -> None:
    usage = queries.who_uses_sensor(S43)
    assert names(usage.datasets) == ["sdot-environment"]
    assert names(usage.providing_systems) == ["SYS-0001"]
    assert names(usage.using_systems) == ["SYS-0002", "SYS-0003", "SYS-0006"]
    assert names(usage.services) == ["air-quality-alert", "heat-island-map"]
    assert names(usage.departments) == ["climate-environment", "smart-city-policy", "urban-planning"]
    station = queries.who_uses_sensor(ID + "sensor/station-11110")
    assert names(station.datasets) == ["realtime-city-air"]
    assert (names(station.providing_systems), names(station.using_systems)) == (["SYS-0002"], ["SYS-0003"])
    assert names(station.services) == ["air-quality-alert"]


def test_platform_linkage_matrix(queries: EmbeddedLinkageQueries) -> None:
    matrix = {
        (local_name(p.first), local_name(p.second)): (
            names(p.systems),
            sorted(
                (local_name(b.dataset), local_name(b.home_platform), tuple(names(b.users)))
                for b in p.datasets
            ),
        )
        for p in queries.platform_linkage_matrix()
    }
    assert list(matrix) == [
        ("s-dot", "s-map"),
        ("s-dot", "big-data"),
        ("s-dot", "ai-analysis"),
        ("s-map", "big-data"),
        ("s-map", "ai-analysis"),
        ("big-data", "ai-analysis"),
    ]
    assert matrix[("s-dot", "big-data")] == (
        ["SYS-0001", "SYS-0002"],
        [("sdot-environment", "s-dot", ("SYS-0002", "SYS-0003"))],
    )
    assert matrix[("s-map", "big-data")] == ([], [("smap-buildings", "s-map", ("SYS-0005",))])
    assert matrix[("big-data", "ai-analysis")] == (
        ["SYS-0003"],
        [("realtime-city-air", "big-data", ("SYS-0003",))],
    )
    assert matrix[("s-dot", "s-map")] == (
        ["SYS-0006"],
        [("sdot-environment", "s-dot", ("SYS-0006",)), ("smap-buildings", "s-map", ("SYS-0006",))],
    )


def test_linkage_table_of_a_department(queries: EmbeddedLinkageQueries) -> None:
    table = queries.linkage_table("climate-environment")
    assert next(f.label.ko for f in table.functions) == "현실문제"
    assert [(r.subject.kind, r.subject.code) for r in table.rows] == [
        (EntityKind.BUSINESS, "BIZ-ENV-01"),
        (EntityKind.SYSTEM, "SYS-0002"),
        (EntityKind.SYSTEM, "SYS-0003"),
        (EntityKind.SERVICE, "air-quality-alert"),
    ]
    business = table.rows[0]

    def cell(row_index: int, notation: int) -> list[tuple[str, str]]:
        return [
            (local_name(c.iri), c.relation) for c in table.rows[row_index].cells[notation - 1].contributors
        ]

    # 현실문제: the business itself and SYS-0002 (both serve RealProblem)
    assert cell(0, 1) == [("BIZ-ENV-01", "self"), ("SYS-0002", "system")]
    # 현실데이터: SYS-0002 and the two datasets the business uses, which hold 2 + 6 sensors
    assert cell(0, 2) == [
        ("SYS-0002", "system"),
        ("realtime-city-air", "dataset"),
        ("sdot-environment", "dataset"),
    ]
    assert business.cells[1].sensor_count == 8
    # 현실모델링 is empty for the fine-dust business
    assert cell(0, 3) == [] and not business.cells[2].filled
    # 자율제어 of the alert service: the service itself
    assert cell(3, 7) == [("air-quality-alert", "self")]
    everything = queries.linkage_table(None)
    assert (
        len(everything.rows) == 4 + 7 + 4 + 3
    )  # businesses, systems (with the NGSI-LD broker), platforms, services
    with pytest.raises(QueryInputError):
        queries.linkage_table("no-such-department")


def test_explanation_paths(queries: EmbeddedLinkageQueries) -> None:
    found = queries.explanation_paths(ID + "service/air-quality-alert", S43, 5)
    assert found.length == 3 and not found.truncated
    chains = {
        tuple((local_name(s.source), local_name(s.predicate), local_name(s.target), s.forward) for s in path)
        for path in found.paths
    }
    assert (
        ("air-quality-alert", "dependsOnSystem", "SYS-0002", True),
        ("SYS-0002", "usesDataset", "sdot-environment", True),
        ("sdot-environment", "sourceDataset", "V02Q1940043", False),
    ) in chains
    assert (
        ("air-quality-alert", "dependsOnSystem", "SYS-0002", True),
        ("SYS-0002", "linksToPlatform", "s-dot", True),
        ("s-dot", "hostedOnPlatform", "V02Q1940043", False),
    ) in chains
    assert len(chains) == 4
    step = found.paths[0][0]
    assert step.predicate_label.ko is not None and step.predicate_label.en is not None
    assert queries.explanation_paths(ID + "service/air-quality-alert", S43, 2).paths == ()
    assert queries.explanation_paths(S43, S43, 3).length == 0
    with pytest.raises(QueryInputError):
        queries.explanation_paths(S43, S43, 6)


# -- standards, ontology ---------------------------------------------------------------------------------


def test_standards_and_conformance(queries: EmbeddedLinkageQueries) -> None:
    standards = {s.slug: s for s in queries.standards()}
    assert standards["geosparql"].identifier == "OGC 22-047r1"
    assert (
        standards["geosparql"].issuer is not None
        and standards["geosparql"].issuer.label.en == "Open Geospatial Consortium (OGC)"
    )
    assert standards["sosa-ssn"].title.en == "Semantic Sensor Network Ontology"
    sosa = queries.datasets_conforming_to("sosa-ssn")
    assert [
        (local_name(c.dataset), c.confirmed, c.last_submission and c.last_submission.conformed) for c in sosa
    ] == [
        ("sdot-environment", True, True),
        ("realtime-city-air", False, False),
    ]
    geosparql = queries.datasets_conforming_to("OGC 22-047r1")  # by the issuer's identifier
    assert [
        (local_name(c.dataset), c.confirmed, c.last_submission and c.last_submission.conformed)
        for c in geosparql
    ] == [("heat-island-analysis", False, None), ("smap-buildings", False, True)]
    with pytest.raises(QueryInputError):
        queries.datasets_conforming_to("iso-9999")


def test_standard_mappings(queries: EmbeddedLinkageQueries) -> None:
    sosa = queries.standard_mappings((ExternalVocabulary.SOSA,))
    found = {(local_name(m.local_term), m.relation, local_name(m.external_term)) for m in sosa.mappings}
    assert found == {
        ("Sensor", MappingRelation.SUBCLASS, "Sensor"),
        ("MonitoringStation", MappingRelation.SUBCLASS, "Platform"),
        ("ObservableProperty", MappingRelation.SUBCLASS, "ObservableProperty"),
        ("Observation", MappingRelation.SUBCLASS, "Observation"),
        ("observesProperty", MappingRelation.SUBPROPERTY, "observes"),
        ("ControlAction", MappingRelation.CLOSE, "Actuation"),
    }
    assert sosa.mapped_term_count == 6
    assert sosa.local_term_count > 90
    assert sosa.coverage == pytest.approx(6 / sosa.local_term_count)
    fiware = queries.standard_mappings((ExternalVocabulary.FIWARE,))
    assert ("sdotSerial", MappingRelation.CLOSE, "serialNumber") in {
        (local_name(m.local_term), m.relation, local_name(m.external_term)) for m in fiware.mappings
    }
    sta = queries.standard_mappings((ExternalVocabulary.SENSORTHINGS,))
    assert {m.defined_in for m in sta.mappings} == {"exporter"}
    assert ("Sensor", "thing") in {
        (local_name(m.local_term), local_name(m.external_term)) for m in sta.mappings
    }


def test_ontology_and_search(queries: EmbeddedLinkageQueries) -> None:
    info = queries.ontology_info()
    assert (info.version, info.version_iri) == ("1.0.0", "https://data.seoul.go.kr/cps/ontology/1.0.0")
    assert info.label.en == "Seoul Urban Cyber-Physical System (CPS) Ontology"
    terms = queries.ontology_terms()
    sensor = next(t for t in terms if t.iri == CPS + "Sensor")
    assert (sensor.kind, sensor.label.ko, sensor.label.en) == ("class", "센서", "sensor")
    assert sensor.definition.en is not None and "observable properties" in sensor.definition.en
    from kg_service.queries.ontology_terms import search_terms

    assert next(local_name(t.iri) for t in search_terms(terms, "센서", 3)) == "Sensor"
    assert {local_name(t.iri) for t in search_terms(terms, "DISTRICT", 50)} >= {
        "District",
        "inDistrict",
        "districtCode",
    }
    assert search_terms(terms, '"} } ; DROP ALL', 10) == []
    with pytest.raises(QueryInputError):
        search_terms(terms, "x" * 201, 10)


# -- exports ------------------------------------------------------------------------------------------------

CONTEXT = "http://127.0.0.1:8000/ngsi-ld/contexts/seoul-cps.jsonld"


def test_export_ngsi_ld_normalized(queries: EmbeddedLinkageQueries) -> None:
    entity = queries.export_entity(S43, "ngsi-ld-normalized", CONTEXT)
    assert entity["id"] == "urn:ngsi-ld:Device:V02Q1940043"
    assert entity["type"] == "Device"
    assert entity["@context"] == [CONTEXT]
    assert entity["serialNumber"] == {"type": "Property", "value": "V02Q1940043"}
    assert entity["controlledProperty"] == {"type": "Property", "value": ["pm10", "pm25", "temperature"]}
    assert entity["location"] == {
        "type": "GeoProperty",
        "value": {"type": "Point", "coordinates": [126.9769, 37.5725]},
    }
    assert entity["inDistrict"] == {"type": "Relationship", "object": ID + "district/11110"}


def test_export_ngsi_ld_key_values(queries: EmbeddedLinkageQueries) -> None:
    building = queries.export_entity(ID + "building/B1168010100004", "ngsi-ld-key-values", CONTEXT)
    assert (building["id"], building["type"]) == ("urn:ngsi-ld:Building:B1168010100004", "Building")
    assert building["name"] == {"languageMap": {"ko": "역삼 업무빌딩"}}
    assert building["floors"] == 35 and building["heightMetres"] == 152.0
    assert building["location"]["type"] == "Polygon"
    district = queries.export_entity(ID + "district/11110", "ngsi-ld-key-values", CONTEXT)
    assert (district["id"], district["type"], district["districtCode"]) == (
        "urn:ngsi-ld:District:11110",
        "District",
        "11110",
    )


def test_export_sensorthings(queries: EmbeddedLinkageQueries) -> None:
    thing = queries.export_entity(S43, "sensorthings", CONTEXT)
    assert thing["@iot.id"] == "V02Q1940043"
    assert thing["Locations"][0]["location"] == {"type": "Point", "coordinates": [126.9769, 37.5725]}
    streams = {d["ObservedProperty"]["@iot.id"]: d for d in thing["Datastreams"]}
    assert set(streams) == {"AirTemperature", "PM10", "PM25"}
    pm10 = streams["PM10"]
    assert pm10["unitOfMeasurement"] == {
        "name": "microgram per cubic metre",
        "symbol": "µg/m³",
        "definition": "http://qudt.org/vocab/unit/MicroGM-PER-M3",
    }
    assert len(pm10["Observations"]) == 24
    assert pm10["Observations"][-1]["result"] == 31.5
    assert pm10["Observations"][0]["phenomenonTime"] == "2025-07-14T00:00:00+09:00"
    with pytest.raises(QueryInputError):
        queries.export_entity(ID + "building/B1168010100004", "sensorthings", CONTEXT)


def test_project_context_defines_every_exported_name(queries: EmbeddedLinkageQueries) -> None:
    from kg_service.queries.export import project_context

    context = project_context(queries)["@context"]
    for iri in (S43, ID + "building/B1168010100004", ID + "district/11110"):
        exported = queries.export_entity(iri, "ngsi-ld-key-values", CONTEXT)
        for name in exported:
            if name.startswith("@") or ":" in name:
                continue
            assert name in context, name
    assert context["Device"] == "https://smartdatamodels.org/dataModel.Device/Device"
    assert context["inDistrict"] == CPS + "inDistrict"
