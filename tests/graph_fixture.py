"""A small but realistic knowledge graph for query and API tests, written in Turtle exactly as
``docs/VOCABULARY-CONTRACT.md`` ("What mapped data looks like") says mapped data looks.

What is in it (질의·API 시험용 소규모 지식그래프):

- three districts, real codes and legal dongs from ``ontology/reference/seoul-areas.ttl``: 종로구 11110
  (세종로 11110119, 혜화동 11110169, 효제동 11110162), 중구 11140 (명동2가 11140127, 을지로3가 11140155, and 명동1가 11140126 for a building),
  강남구 11680 (역삼동 11680101, 삼성동 11680105); every coordinate below lies in the dong it names;
- six S-DoT sensors (two per district) observing PM10, PM2.5 and air temperature every hour on
  2025-07-13 and 2025-07-14 (KST), values from :func:`sdot_value`;
- two RealtimeCityAir monitoring stations (종로구, 강남구) whose station sensors observe PM10 and PM2.5;
- five S-Map buildings near the sensors (one of them contains sensor V02Q1940043) and one S-Map facility
  that ``cps:correspondsTo`` that sensor;
- six information systems of four departments, with the datasets they provide and use, the platforms they
  link to, their CPS functions and claimed standards; four department businesses; three city services;
- NGSI-LD identifiers (``urn:ngsi-ld:…``) on the sensors and one building;
- the catalogue graph ``graph/catalog`` describing every dataset (title ko/en, publisher, platform,
  conformance to standards), and submission records in ``graph/system``.

Conformance of a dataset's last submission uses existing ontology terms only: each submission is a
``cps:Submission`` with ``cps:targetDataset``, ``cps:submissionStatus`` (``committed`` = conformed,
``rejected`` = did not conform) and its time as ``prov:startedAtTime`` (as the submission pipeline writes it)
or ``cps:submittedAt`` (its sub-property); the latest one counts.

:func:`load_fixture` loads the ontology and reference graphs with :func:`kg_service.bootstrap.initialise_store`
and then every named graph of :func:`fixture_graphs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from kg_service import vocab
from kg_service.bootstrap import initialise_store
from kg_service.store.embedded import EmbeddedStore

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
BASE: Final = "https://data.seoul.go.kr/cps/"
ID: Final = BASE + "id/"
GRAPH: Final = BASE + "graph/"
CATALOG_GRAPH: Final = str(vocab.CATALOG_GRAPH)
SYSTEM_GRAPH: Final = str(vocab.SYSTEM_GRAPH)
KST: Final = timezone(timedelta(hours=9))
FIRST_HOUR: Final = datetime(2025, 7, 13, 0, 0, tzinfo=KST)
HOURS: Final = 48

PREFIXES: Final = """@prefix cps:  <https://data.seoul.go.kr/cps/ontology#> .
@prefix id:   <https://data.seoul.go.kr/cps/id/> .
@prefix sosa: <http://www.w3.org/ns/sosa/> .
@prefix geo:  <http://www.opengis.net/ont/geosparql#> .
@prefix wgs:  <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
"""
CRS84: Final = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"


@dataclass(frozen=True)
class FixtureSensor:
    """One sensor of the fixture."""

    serial: str
    lon: float
    lat: float
    district: str
    dong: str
    model: str | None
    properties: tuple[str, ...]
    dataset: str
    index: int


SDOT_PROPERTIES: Final = ("PM10", "PM25", "AirTemperature")
STATION_PROPERTIES: Final = ("PM10", "PM25")
UNITS: Final = {"PM10": "unit:MicroGM-PER-M3", "PM25": "unit:MicroGM-PER-M3", "AirTemperature": "unit:DEG_C"}

SENSORS: Final = (
    FixtureSensor(
        "V02Q1940043",
        126.9769,
        37.5725,
        "11110",
        "11110119",
        "SDOT001",
        SDOT_PROPERTIES,
        "sdot-environment",
        0,
    ),
    FixtureSensor(
        "V02Q1940044",
        127.0017,
        37.5863,
        "11110",
        "11110169",
        "SDOT001",
        SDOT_PROPERTIES,
        "sdot-environment",
        1,
    ),
    FixtureSensor(
        "V02Q1940101",
        126.9850,
        37.5636,
        "11140",
        "11140127",
        "SDOT001",
        SDOT_PROPERTIES,
        "sdot-environment",
        2,
    ),
    FixtureSensor(
        "V02Q1940102",
        126.9910,
        37.5660,
        "11140",
        "11140155",
        "SDOT002",
        SDOT_PROPERTIES,
        "sdot-environment",
        3,
    ),
    FixtureSensor(
        "V02Q1940201",
        127.0364,
        37.5006,
        "11680",
        "11680101",
        "SDOT002",
        SDOT_PROPERTIES,
        "sdot-environment",
        4,
    ),
    FixtureSensor(
        "V02Q1940202", 127.0560, 37.5088, "11680", "11680105", None, SDOT_PROPERTIES, "sdot-environment", 5
    ),
)
STATION_SENSORS: Final = (
    FixtureSensor(
        "station-11110",
        127.0050,
        37.5720,
        "11110",
        "11110162",
        None,
        STATION_PROPERTIES,
        "realtime-city-air",
        6,
    ),
    FixtureSensor(
        "station-11680",
        127.0473,
        37.5175,
        "11680",
        "11680105",
        None,
        STATION_PROPERTIES,
        "realtime-city-air",
        7,
    ),
)
STATIONS: Final = {"11110": ("종로구", "Jongno-gu", "도심권"), "11680": ("강남구", "Gangnam-gu", "동남권")}

# (UFID, name ko, use, floors, height, district, dong, (min lon, min lat, max lon, max lat))
BUILDINGS: Final = (
    (
        "B1111011900001",
        "세종로 정부청사",
        "업무시설",
        19,
        Decimal("84.5"),
        "11110",
        "11110119",
        (126.9765, 37.5721, 126.9775, 37.5729),
    ),
    (
        "B1111016900002",
        "혜화 문화센터",
        "문화및집회시설",
        4,
        Decimal("16.0"),
        "11110",
        "11110169",
        (127.0018, 37.5859, 127.0022, 37.5862),
    ),
    (
        "B1114012600003",
        "명동 상가",
        "판매시설",
        8,
        Decimal("31.2"),
        "11140",
        "11140126",
        (126.9851, 37.5637, 126.9855, 37.5640),
    ),
    (
        "B1168010100004",
        "역삼 업무빌딩",
        "업무시설",
        35,
        Decimal("152.0"),
        "11680",
        "11680101",
        (127.0365, 37.5007, 127.0370, 37.5011),
    ),
    (
        "B1168010500005",
        "삼성 전시장",
        "문화및집회시설",
        6,
        Decimal("40.0"),
        "11680",
        "11680105",
        (127.0580, 37.5100, 127.0600, 37.5120),
    ),
)


def sdot_value(sensor_index: int, prop: str, hour_index: int) -> Decimal:
    """The observed value of the fixture sensor ``sensor_index`` for ``prop`` at hour ``hour_index`` (0–47).

    PM10 = 20 + 2·i + 0.5·(hour of day); PM2.5 = PM10 / 2; air temperature = 24 + 0.2·i + 0.1·(hour of day).
    Day two repeats day one, so both days have the same values hour by hour.
    """
    hour = hour_index % 24
    pm10 = Decimal(20 + 2 * sensor_index) + Decimal(hour) / 2
    if prop == "PM10":
        return pm10
    if prop == "PM25":
        return pm10 / 2
    return Decimal(24) + Decimal(sensor_index) / 5 + Decimal(hour) / 10


def hour_at(hour_index: int) -> datetime:
    """The result time of hour ``hour_index`` (0 = 2025-07-13 00:00 KST)."""
    return FIRST_HOUR + timedelta(hours=hour_index)


def _dt(moment: datetime) -> str:
    return f'"{moment.isoformat()}"^^xsd:dateTime'


def _square(bounds: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = bounds
    return f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


def _sensor_ttl(sensor: FixtureSensor, *, hours: int = HOURS, station: bool = False) -> str:
    serial = sensor.serial
    kinds = "cps:Sensor" if station else "cps:Sensor , cps:EnvironmentalSensor"
    observes = " , ".join(f"cps:{p}" for p in sensor.properties)
    lines = [
        f"id:sensor/{serial} a {kinds} ;",
        f'    cps:sdotSerial "{serial}" ;'
        if not station
        else f'    rdfs:label "{STATIONS[sensor.district][0]} 측정소 센서"@ko , "{STATIONS[sensor.district][1]} station sensor"@en ;',
        "    cps:hostedOnPlatform id:platform/s-dot ;"
        if not station
        else f"    sosa:isHostedBy id:station/{sensor.district} ;",
        f"    geo:hasGeometry id:geometry/sensor-{serial} ;",
        f'    wgs:lat "{sensor.lat}"^^xsd:decimal ; wgs:long "{sensor.lon}"^^xsd:decimal ;',
        f"    cps:inDistrict id:district/{sensor.district} ; cps:inDong id:dong/{sensor.dong} ;",
        f"    cps:observesProperty {observes} ;",
        f"    cps:sourceDataset id:dataset/{sensor.dataset}",
    ]
    if sensor.model:
        lines[-1] += f' ;\n    cps:modelName "{sensor.model}"'
    if not station:
        lines[-1] += (
            f" ;\n    cps:hasIdentifier id:identifier/s-dot/{serial} , id:identifier/ngsi-ld/{serial}"
        )
    text = "\n".join(lines) + " .\n"
    text += (
        f"id:geometry/sensor-{serial} a geo:Geometry ;\n"
        f'    geo:asWKT "{CRS84} POINT({sensor.lon} {sensor.lat})"^^geo:wktLiteral .\n'
    )
    if not station:
        text += (
            f"id:identifier/s-dot/{serial} a cps:PlatformIdentifier ;\n"
            f'    cps:identifierValue "{serial}" ; cps:identifierScheme id:platform/s-dot .\n'
            f"id:identifier/ngsi-ld/{serial} a cps:PlatformIdentifier ;\n"
            f'    cps:identifierValue "urn:ngsi-ld:Device:{serial}" ; cps:identifierScheme id:platform/ngsi-ld .\n'
        )
    for hour_index in range(hours):
        moment = hour_at(hour_index)
        stamp = moment.strftime("%Y%m%dT%H%M")
        for prop in sensor.properties:
            value = sdot_value(sensor.index, prop, hour_index)
            text += (
                f"id:observation/{serial}/{prop}/{stamp} a sosa:Observation ;\n"
                f"    sosa:madeBySensor id:sensor/{serial} ; sosa:observedProperty cps:{prop} ;\n"
                f"    sosa:hasFeatureOfInterest id:district/{sensor.district} ;\n"
                f'    sosa:hasSimpleResult "{value}"^^xsd:decimal ;\n'
                f"    sosa:resultTime {_dt(moment)} ; sosa:phenomenonTime {_dt(moment)} ;\n"
                f"    cps:unit {UNITS[prop]} ; cps:sourceDataset id:dataset/{sensor.dataset} .\n"
            )
    return text


def sdot_graph(extra_sensors: int = 0) -> str:
    """The S-DoT dataset graph: sensors, their geometry and identifiers, and their observations.

    ``extra_sensors`` adds synthetic sensors ``V02QX{n:05d}`` (four hours of PM10 each) cycling through the
    three districts, for tests that need large pages.
    """
    text = PREFIXES
    for sensor in SENSORS:
        text += _sensor_ttl(sensor)
    for n in range(extra_sensors):
        base = SENSORS[(n % 3) * 2]
        extra = FixtureSensor(
            serial=f"V02QX{n:05d}",
            lon=round(base.lon + 0.00001 * (n % 50), 6),
            lat=round(base.lat + 0.00001 * (n // 50), 6),
            district=base.district,
            dong=base.dong,
            model="SDOT003",
            properties=("PM10",),
            dataset="sdot-environment",
            index=10 + n % 7,
        )
        text += _sensor_ttl(extra, hours=4)
    return text


def air_graph() -> str:
    """The RealtimeCityAir dataset graph: two monitoring stations, their sensors and observations."""
    text = PREFIXES
    for sensor in STATION_SENSORS:
        name_ko, name_en, zone = STATIONS[sensor.district]
        text += (
            f"id:station/{sensor.district} a cps:MonitoringStation ;\n"
            f'    cps:stationName "{name_ko}" ; rdfs:label "{name_ko} 측정소"@ko , "{name_en} station"@en ;\n'
            f'    cps:inDistrict id:district/{sensor.district} ; cps:zoneName "{zone}" .\n'
        )
        text += _sensor_ttl(sensor, station=True)
    return text


def smap_graph() -> str:
    """The S-Map buildings dataset graph: five buildings, one facility, one road link."""
    text = PREFIXES
    for ufid, name, use, floors, height, district, dong, bounds in BUILDINGS:
        cx = round((bounds[0] + bounds[2]) / 2, 6)
        cy = round((bounds[1] + bounds[3]) / 2, 6)
        text += (
            f"id:building/{ufid} a cps:Building , cps:SpatialObject ;\n"
            f'    cps:smapId "{ufid}" ; rdfs:label "{name}"@ko ; cps:buildingUse "{use}" ;\n'
            f'    cps:floors "{floors}"^^xsd:integer ; cps:heightMetres "{height}"^^xsd:decimal ;\n'
            f"    cps:hostedOnPlatform id:platform/s-map ; geo:hasGeometry id:geometry/building-{ufid} ;\n"
            f'    wgs:lat "{cy}"^^xsd:decimal ; wgs:long "{cx}"^^xsd:decimal ;\n'
            f"    cps:inDistrict id:district/{district} ; cps:inDong id:dong/{dong} ;\n"
            f"    cps:sourceDataset id:dataset/smap-buildings .\n"
            f"id:geometry/building-{ufid} a geo:Geometry ;\n"
            f'    geo:asWKT "{CRS84} {_square(bounds)}"^^geo:wktLiteral .\n'
        )
    text += (
        "id:building/B1168010100004 cps:hasIdentifier id:identifier/ngsi-ld/B1168010100004 .\n"
        "id:identifier/ngsi-ld/B1168010100004 a cps:PlatformIdentifier ;\n"
        '    cps:identifierValue "urn:ngsi-ld:Building:B1168010100004" ;'
        " cps:identifierScheme id:platform/ngsi-ld .\n"
        # The S-Map facility record of the pole that carries S-DoT sensor V02Q1940043.
        "id:facility/SF-0001 a cps:Facility , cps:SpatialObject ;\n"
        '    cps:smapId "SF-0001" ; rdfs:label "세종로 S-DoT 설치 지주"@ko , "Sejong-ro S-DoT pole"@en ;\n'
        "    cps:hostedOnPlatform id:platform/s-map ; cps:correspondsTo id:sensor/V02Q1940043 ;\n"
        '    wgs:lat "37.5725"^^xsd:decimal ; wgs:long "126.9769"^^xsd:decimal ;\n'
        "    cps:inDistrict id:district/11110 ; cps:sourceDataset id:dataset/smap-buildings .\n"
        "id:road-link/1210013300 a cps:RoadLink , cps:SpatialObject ;\n"
        '    rdfs:label "을지로 1210013300"@ko ; cps:inDistrict id:district/11140 ;\n'
        f"    geo:hasGeometry id:geometry/road-link-1210013300 ;\n"
        '    wgs:lat "37.5661"^^xsd:decimal ; wgs:long "126.9905"^^xsd:decimal ;\n'
        "    cps:sourceDataset id:dataset/smap-buildings .\n"
        "id:geometry/road-link-1210013300 a geo:Geometry ;\n"
        f'    geo:asWKT "{CRS84} LINESTRING(126.9890 37.5660, 126.9920 37.5662)"^^geo:wktLiteral .\n'
    )
    return text


# (code, ko, en, department, provides, uses, platforms, functions, standards, cycle)
SYSTEMS: Final = (
    (
        "SYS-0001",
        "S-DoT 데이터 수집 시스템",
        "S-DoT data collection system",
        "smart-city-policy",
        ("sdot-environment",),
        (),
        ("s-dot", "big-data"),
        ("RealData", "DataTransfer"),
        ("sosa-ssn", "ngsi-ld"),
        "1시간",
    ),
    (
        "SYS-0002",
        "대기질 통합관리시스템",
        "Integrated air-quality management system",
        "climate-environment",
        ("realtime-city-air",),
        ("sdot-environment",),
        ("s-dot", "big-data"),
        ("RealProblem", "RealData", "DecisionMaking"),
        ("sosa-ssn",),
        "1시간",
    ),
    (
        "SYS-0003",
        "미세먼지 예측 AI 시스템",
        "Fine-dust forecasting AI system",
        "climate-environment",
        ("air-quality-forecast",),
        ("sdot-environment", "realtime-city-air"),
        ("ai-analysis", "big-data"),
        ("VirtualModel", "DecisionMaking"),
        ("ngsi-ld",),
        "일",
    ),
    (
        "SYS-0004",
        "3차원 공간정보 시스템",
        "3D spatial information system",
        "urban-planning",
        ("smap-buildings",),
        (),
        ("s-map",),
        ("RealModelling", "VirtualModel"),
        ("citygml-3", "geosparql"),
        "월",
    ),
    (
        "SYS-0005",
        "교통정보시스템",
        "Traffic information system",
        "transport",
        ("traffic-speed",),
        ("smap-buildings",),
        ("big-data",),
        ("RealData", "DataTransfer", "AutonomousControl"),
        ("sensorthings",),
        "실시간",
    ),
    (
        "SYS-0006",
        "도시열섬 분석시스템",
        "Urban heat-island analysis system",
        "urban-planning",
        ("heat-island-analysis",),
        ("sdot-environment", "smap-buildings"),
        ("s-dot", "s-map", "ai-analysis"),
        ("RealProblem", "RealModelling", "VirtualModel", "DecisionMaking"),
        ("geosparql",),
        "일",
    ),
)
# (code, ko, en, department, systems, functions)
SERVICES: Final = (
    (
        "air-quality-alert",
        "실시간 대기질 알림",
        "Real-time air-quality alerts",
        "climate-environment",
        ("SYS-0002", "SYS-0003"),
        ("DecisionMaking", "AutonomousControl"),
        "BIZ-ENV-01",
    ),
    (
        "heat-island-map",
        "도시 열섬 지도",
        "Urban heat-island map",
        "urban-planning",
        ("SYS-0006",),
        ("VirtualModel",),
        "BIZ-UP-01",
    ),
    (
        "traffic-info",
        "교통 혼잡 정보",
        "Traffic congestion information",
        "transport",
        ("SYS-0005",),
        ("DataTransfer", "DecisionMaking"),
        "BIZ-TR-01",
    ),
)
# (code, ko, en, department, systems, datasets used, functions)
BUSINESSES: Final = (
    (
        "BIZ-ENV-01",
        "미세먼지 저감",
        "Fine-dust reduction",
        "climate-environment",
        ("SYS-0002", "SYS-0003"),
        ("sdot-environment", "realtime-city-air"),
        ("RealProblem", "DecisionMaking"),
    ),
    (
        "BIZ-UP-01",
        "도시열섬 대응",
        "Urban heat-island response",
        "urban-planning",
        ("SYS-0004", "SYS-0006"),
        ("smap-buildings", "sdot-environment"),
        ("RealProblem",),
    ),
    (
        "BIZ-TR-01",
        "교통 운영",
        "Traffic operation",
        "transport",
        ("SYS-0005",),
        ("traffic-speed",),
        ("RealProblem", "AutonomousControl"),
    ),
    (
        "BIZ-SC-01",
        "도시데이터 수집·연계",
        "Urban data collection and linkage",
        "smart-city-policy",
        ("SYS-0001",),
        (),
        ("RealData", "DataTransfer"),
    ),
)


def inventory_graph() -> str:
    """The system-inventory dataset graph: systems, services and businesses (부서별 정보시스템 현황)."""
    text = PREFIXES
    for code, ko, en, dept, provides, uses, platforms, functions, standards, cycle in SYSTEMS:
        parts = [
            f"id:system/{code} a cps:InformationSystem ;",
            f'    cps:systemCode "{code}" ; rdfs:label "{ko}"@ko , "{en}"@en ;',
            f"    cps:operatedBy id:department/{dept} ;",
            f'    cps:updateCycle "{cycle}" ;',
            "    cps:linksToPlatform " + " , ".join(f"id:platform/{p}" for p in platforms) + " ;",
            "    cps:servesFunction " + " , ".join(f"cps:{f}" for f in functions) + " ;",
            "    cps:claimsStandard " + " , ".join(f"id:standard/{s}" for s in standards),
        ]
        if provides:
            parts[-1] += " ;\n    cps:providesDataset " + " , ".join(f"id:dataset/{d}" for d in provides)
        if uses:
            parts[-1] += " ;\n    cps:usesDataset " + " , ".join(f"id:dataset/{d}" for d in uses)
        text += "\n".join(parts) + " .\n"
    for code, ko, en, dept, systems, functions, business in SERVICES:
        text += (
            f"id:service/{code} a cps:CityService ;\n"
            f'    cps:serviceCode "{code}" ; rdfs:label "{ko}"@ko , "{en}"@en ;\n'
            f"    cps:operatedBy id:department/{dept} ; cps:partOfBusiness id:business/{business} ;\n"
            "    cps:dependsOnSystem " + " , ".join(f"id:system/{s}" for s in systems) + " ;\n"
            "    cps:servesFunction " + " , ".join(f"cps:{f}" for f in functions) + " .\n"
        )
    for code, ko, en, dept, systems, datasets, functions in BUSINESSES:
        text += (
            f"id:business/{code} a cps:DepartmentBusiness ;\n"
            f'    cps:businessCode "{code}" ; rdfs:label "{ko}"@ko , "{en}"@en ;\n'
            f"    cps:ownedBy id:department/{dept} ;\n"
            "    cps:dependsOnSystem " + " , ".join(f"id:system/{s}" for s in systems) + " ;\n"
            "    cps:servesFunction " + " , ".join(f"cps:{f}" for f in functions)
        )
        if datasets:
            text += " ;\n    cps:usesDataset " + " , ".join(f"id:dataset/{d}" for d in datasets)
        text += " .\n"
    return text


# (id, ko, en, publisher, platform, functions, confirmed standards, claimed standards, cycle)
DATASETS: Final = (
    (
        "sdot-environment",
        "S-DoT 환경정보",
        "S-DoT environmental data",
        "smart-city-policy",
        "s-dot",
        ("RealData",),
        ("sosa-ssn",),
        ("ngsi-ld",),
        "1시간",
    ),
    (
        "realtime-city-air",
        "서울시 실시간 대기환경 현황",
        "Seoul real-time air quality",
        "climate-environment",
        "big-data",
        ("RealData",),
        (),
        ("sosa-ssn",),
        "1시간",
    ),
    (
        "air-quality-forecast",
        "미세먼지 예측 결과",
        "Fine-dust forecasts",
        "climate-environment",
        "ai-analysis",
        ("VirtualModel", "DecisionMaking"),
        (),
        ("ngsi-ld",),
        "일",
    ),
    (
        "smap-buildings",
        "S-Map 3차원 건물",
        "S-Map 3D buildings",
        "urban-planning",
        "s-map",
        ("RealModelling",),
        ("citygml-3",),
        ("geosparql",),
        "월",
    ),
    (
        "traffic-speed",
        "도로 통행속도",
        "Road traffic speed",
        "transport",
        "big-data",
        ("RealData", "DataTransfer"),
        (),
        ("sensorthings",),
        "실시간",
    ),
    (
        "heat-island-analysis",
        "도시열섬 분석 결과",
        "Urban heat-island analysis",
        "urban-planning",
        "ai-analysis",
        ("VirtualModel",),
        (),
        ("geosparql",),
        "일",
    ),
    (
        "system-inventory",
        "부서별 정보시스템 현황",
        "Department information-system inventory",
        "smart-city-policy",
        "big-data",
        ("RealModelling",),
        ("dcat-3",),
        (),
        "월",
    ),
)
# (dataset, submitted at, status); the last one per dataset decides its conformance.
SUBMISSIONS: Final = (
    ("sdot-environment", "2025-07-14T01:00:00+09:00", "committed"),
    ("sdot-environment", "2025-07-15T01:00:00+09:00", "committed"),
    ("realtime-city-air", "2025-07-14T02:00:00+09:00", "committed"),
    ("realtime-city-air", "2025-07-15T02:00:00+09:00", "rejected"),
    ("smap-buildings", "2025-07-10T09:30:00+09:00", "committed"),
)


def catalog_graph() -> str:
    """The catalogue graph: one description per dataset."""
    text = PREFIXES
    for ds, ko, en, publisher, platform, functions, confirmed, claimed, cycle in DATASETS:
        text += (
            f"id:dataset/{ds} a cps:Dataset ;\n"
            f'    dct:identifier "{ds}" ; dct:title "{ko}"@ko , "{en}"@en ; rdfs:label "{ko}"@ko , "{en}"@en ;\n'
            f"    dct:publisher id:department/{publisher} ; cps:ownedBy id:department/{publisher} ;\n"
            f'    cps:hostedOnPlatform id:platform/{platform} ; cps:updateCycle "{cycle}" ;\n'
            "    cps:servesFunction " + " , ".join(f"cps:{f}" for f in functions)
        )
        if confirmed:
            text += " ;\n    cps:conformsToStandard " + " , ".join(f"id:standard/{s}" for s in confirmed)
        if claimed:
            text += " ;\n    cps:claimsStandard " + " , ".join(f"id:standard/{s}" for s in claimed)
        text += " .\n"
    return text


def system_graph() -> str:
    """Submission records (PROV-O activities) in the system graph, shaped like the pipeline's
    (:mod:`kg_service.submissions.provenance`); half give their time as ``prov:startedAtTime`` (as the pipeline
    does), half as ``cps:submittedAt`` (its sub-property), and queries must read both."""
    text = PREFIXES + "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
    for number, (ds, at, status) in enumerate(SUBMISSIONS, start=1):
        publisher = next(row[3] for row in DATASETS if row[0] == ds)
        when = "prov:startedAtTime" if number % 2 == 0 else "cps:submittedAt"
        text += (
            f"id:submission/S{number:04d} a prov:Activity , cps:Submission ;\n"
            f"    cps:targetDataset id:dataset/{ds} ; cps:submittedBy id:department/{publisher} ;\n"
            f'    {when} "{at}"^^xsd:dateTime ; cps:submissionStatus "{status}" .\n'
        )
    return text


_ID_NAME: Final = re.compile(r"\bid:([A-Za-z0-9_\-/]+(?:\.[A-Za-z0-9_\-/]+)*)")


def _expand(turtle: str) -> str:
    """Write ``id:kind/local`` as a full IRI (a Turtle prefixed name cannot contain ``/``)."""
    return _ID_NAME.sub(lambda match: f"<{ID}{match.group(1)}>", turtle)


def fixture_graphs(extra_sensors: int = 0) -> dict[str, str]:
    """Every named graph of the fixture as Turtle, keyed by graph IRI."""
    graphs = {
        GRAPH + "dataset/sdot-environment": sdot_graph(extra_sensors),
        GRAPH + "dataset/realtime-city-air": air_graph(),
        GRAPH + "dataset/smap-buildings": smap_graph(),
        GRAPH + "dataset/system-inventory": inventory_graph(),
        CATALOG_GRAPH: catalog_graph(),
        SYSTEM_GRAPH: system_graph(),
    }
    return {graph: _expand(turtle) for graph, turtle in graphs.items()}


def fixture_trig(extra_sensors: int = 0) -> str:
    """The whole fixture as one TriG document (for reading it, or loading it elsewhere)."""
    parts = [PREFIXES]
    for graph, turtle in fixture_graphs(extra_sensors).items():
        body = turtle.removeprefix(PREFIXES)
        parts.append(f"<{graph}> {{\n{body}}}\n")
    return "".join(parts)


def load_fixture(store: EmbeddedStore, extra_sensors: int = 0) -> EmbeddedStore:
    """Load the ontology, the reference data and the fixture graphs into ``store``; returns the store."""
    initialise_store(store, REPO_ROOT / "ontology")
    for graph, turtle in fixture_graphs(extra_sensors).items():
        store.replace_graph_from_rdf(graph, [(turtle.encode("utf-8"), ox.RdfFormat.TURTLE)])
    return store


def fixture_store(extra_sensors: int = 0) -> EmbeddedStore:
    """A new in-memory store holding the fixture."""
    return load_fixture(EmbeddedStore.open(None), extra_sensors)
