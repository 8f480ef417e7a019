"""A Seoul-scale synthetic knowledge graph, written as N-Triples exactly as ``docs/VOCABULARY-CONTRACT.md``
("What mapped data looks like") describes mapped data, and bulk-loaded into an :class:`EmbeddedStore`.

Used by :mod:`bench.api_latency` (full scale) and ``tests/test_bench_api.py`` (tiny scale). Everything is
deterministic for a given :class:`Scale` (seeded numpy generator), so the cached store in a work directory
can be reused when the scale is unchanged.

What it holds (graphs as the submission pipeline names them):

- ``graph/dataset/sdot-environment``: ``sensors`` S-DoT sensors at random points inside Seoul (district and
  legal dong from :func:`kg_service.spatial.default_area_index`), with geometry, ``wgs:lat``/``wgs:long``,
  platform, S-DoT and NGSI-LD identifiers; hourly observations of ``properties`` properties (PM10, PM25,
  AirTemperature, RelativeHumidity) for ``days`` days (8 triples per observation);
- ``graph/dataset/smap-buildings``: ``buildings`` S-Map buildings (UFID, use, floors, height, district, dong,
  centroid ``wgs:lat``/``long`` and a small square polygon);
- ``graph/dataset/system-inventory``: ``systems`` information systems spread over the departments of the
  reference data, with datasets provided/used, platforms, CPS functions and claimed standards; city services
  and department businesses depending on them;
- ``graph/catalog``: one description per dataset.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl
import pyoxigraph as ox

from kg_service import vocab
from kg_service.bootstrap import initialise_store
from kg_service.spatial import default_area_index
from kg_service.store.embedded import EmbeddedStore

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
BASE: Final = "https://data.seoul.go.kr/cps/"
ID: Final = BASE + "id/"
GRAPH: Final = BASE + "graph/"
CPS: Final = BASE + "ontology#"
SOSA: Final = "http://www.w3.org/ns/sosa/"
GEO: Final = "http://www.opengis.net/ont/geosparql#"
WGS: Final = "http://www.w3.org/2003/01/geo/wgs84_pos#"
RDF_TYPE: Final = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL: Final = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
DCT: Final = "http://purl.org/dc/terms/"
UNIT: Final = "http://qudt.org/vocab/unit/"
CRS84: Final = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
KST: Final = timezone(timedelta(hours=9))
FIRST_HOUR: Final = datetime(2025, 7, 1, 0, 0, tzinfo=KST)

SDOT_GRAPH: Final = GRAPH + "dataset/sdot-environment"
SMAP_GRAPH: Final = GRAPH + "dataset/smap-buildings"
INVENTORY_GRAPH: Final = GRAPH + "dataset/system-inventory"
CATALOG_GRAPH: Final = str(vocab.CATALOG_GRAPH)

# (local name, unit, mean, spread)
PROPERTIES: Final = (
    ("PM10", "MicroGM-PER-M3", 35.0, 15.0),
    ("PM25", "MicroGM-PER-M3", 18.0, 8.0),
    ("AirTemperature", "DEG_C", 26.0, 4.0),
    ("RelativeHumidity", "PERCENT", 65.0, 12.0),
)
DEPARTMENTS: Final = (
    "climate-environment",
    "culture",
    "digital-city",
    "economy",
    "housing",
    "safety",
    "smart-city-policy",
    "transport",
    "urban-planning",
    "water",
    "welfare",
)
PLATFORMS: Final = ("s-dot", "s-map", "big-data", "ai-analysis")
FUNCTIONS: Final = (
    "RealProblem",
    "RealData",
    "RealModelling",
    "VirtualModel",
    "DecisionMaking",
    "DataTransfer",
    "AutonomousControl",
)
STANDARDS: Final = ("sosa-ssn", "ngsi-ld", "geosparql", "citygml-3", "sensorthings", "dcat-3", "qudt")
BUILDING_USES: Final = (
    "단독주택",
    "공동주택",
    "제1종근린생활시설",
    "업무시설",
    "판매시설",
    "교육연구시설",
    "문화및집회시설",
)
CYCLES: Final = ("실시간", "1시간", "일", "월")
# Seoul's bounding box (WGS84); points are drawn in it and kept when they fall inside a legal dong.
SEOUL_BOX: Final = (126.764, 37.413, 127.184, 37.715)


@dataclass(frozen=True)
class Scale:
    """How big a graph to build."""

    sensors: int = 1100
    days: int = 30
    properties: int = 4
    buildings: int = 100_000
    systems: int = 200
    seed: int = 20250701

    @property
    def hours(self) -> int:
        return self.days * 24

    @property
    def observations(self) -> int:
        return self.sensors * self.properties * self.hours


@dataclass
class BuiltGraph:
    """What :func:`build_store` made: the sample entities the benchmark asks about, and the triple counts."""

    scale: dict[str, int]
    serials: list[str]
    sensor_points: list[tuple[float, float]]
    districts: list[str]
    department: str
    first_hour: str
    last_hour: str
    triples: dict[str, int]
    seconds: float

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> BuiltGraph:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["sensor_points"] = [tuple(p) for p in data["sensor_points"]]
        return cls(**data)


def _iri(local: str) -> str:
    return f"<{ID}{local}>"


def _lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{XSD}{datatype}>'
    return f'"{escaped}"'


def _points_in_seoul(
    rng: np.random.Generator, count: int
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """``count`` random points inside Seoul with their district and legal-dong codes."""
    index = default_area_index()
    lons: list[float] = []
    lats: list[float] = []
    districts: list[str] = []
    dongs: list[str] = []
    x0, y0, x1, y1 = SEOUL_BOX
    while len(lons) < count:
        want = int((count - len(lons)) * 1.6) + 16
        xs = np.round(rng.uniform(x0, x1, want), 6)
        ys = np.round(rng.uniform(y0, y1, want), 6)
        found = index.areas_of_many(xs, ys)
        for x, y, district, dong in zip(xs, ys, found.district_codes, found.dong_codes, strict=True):
            if district and dong and dong.startswith(district) and len(lons) < count:
                lons.append(float(x))
                lats.append(float(y))
                districts.append(district)
                dongs.append(dong)
    return np.array(lons), np.array(lats), districts, dongs


def _sensor_lines(
    serials: list[str],
    lons: np.ndarray,
    lats: np.ndarray,
    districts: list[str],
    dongs: list[str],
    properties: tuple[tuple[str, str, float, float], ...],
) -> Iterator[str]:
    observes = [f"<{CPS}{p[0]}>" for p in properties]
    for n, serial in enumerate(serials):
        s = _iri(f"sensor/{serial}")
        geometry = _iri(f"geometry/sensor-{serial}")
        sdot_id = _iri(f"identifier/s-dot/{serial}")
        ngsi_id = _iri(f"identifier/ngsi-ld/{serial}")
        lon, lat = lons[n], lats[n]
        yield f"{s} {RDF_TYPE} <{CPS}Sensor> ."
        yield f"{s} {RDF_TYPE} <{CPS}EnvironmentalSensor> ."
        yield f"{s} <{CPS}sdotSerial> {_lit(serial)} ."
        yield f"{s} <{CPS}hostedOnPlatform> {_iri('platform/s-dot')} ."
        yield f"{s} <{CPS}modelName> {_lit('SDOT00' + str(1 + n % 3))} ."
        yield f"{s} <{GEO}hasGeometry> {geometry} ."
        yield f"{geometry} {RDF_TYPE} <{GEO}Geometry> ."
        yield f'{geometry} <{GEO}asWKT> "{CRS84} POINT({lon} {lat})"^^<{GEO}wktLiteral> .'
        yield f"{s} <{WGS}lat> {_lit(str(lat), 'decimal')} ."
        yield f"{s} <{WGS}long> {_lit(str(lon), 'decimal')} ."
        yield f"{s} <{CPS}inDistrict> {_iri('district/' + districts[n])} ."
        yield f"{s} <{CPS}inDong> {_iri('dong/' + dongs[n])} ."
        for prop in observes:
            yield f"{s} <{CPS}observesProperty> {prop} ."
        yield f"{s} <{CPS}sourceDataset> {_iri('dataset/sdot-environment')} ."
        yield f"{s} <{CPS}hasIdentifier> {sdot_id} ."
        yield f"{s} <{CPS}hasIdentifier> {ngsi_id} ."
        yield f"{sdot_id} {RDF_TYPE} <{CPS}PlatformIdentifier> ."
        yield f"{sdot_id} <{CPS}identifierValue> {_lit(serial)} ."
        yield f"{sdot_id} <{CPS}identifierScheme> {_iri('platform/s-dot')} ."
        yield f"{ngsi_id} {RDF_TYPE} <{CPS}PlatformIdentifier> ."
        yield f"{ngsi_id} <{CPS}identifierValue> {_lit('urn:ngsi-ld:Device:' + serial)} ."
        yield f"{ngsi_id} <{CPS}identifierScheme> {_iri('platform/ngsi-ld')} ."


def _observation_chunks(
    rng: np.random.Generator, serials: list[str], districts: list[str], scale: Scale, chunk_sensors: int = 100
) -> Iterator[tuple[bytes, int]]:
    """N-Triples of the observations, a batch of sensors at a time (vectorised with polars): 8 triples each."""
    hours = scale.hours
    moments = [FIRST_HOUR + timedelta(hours=h) for h in range(hours)]
    stamps = pl.Series([m.strftime("%Y%m%dT%H%M") for m in moments])
    times = pl.Series([m.isoformat() for m in moments])  # 2025-07-01T13:00:00+09:00 (canonical)
    diurnal = np.sin(np.arange(hours) * 2 * np.pi / 24)
    for start in range(0, len(serials), chunk_sensors):
        batch = serials[start : start + chunk_sensors]
        frames = []
        for name, unit, mean, spread in PROPERTIES[: scale.properties]:
            count = len(batch) * hours
            sensor_idx = np.repeat(np.arange(len(batch)), hours)
            hour_idx = np.tile(np.arange(hours), len(batch))
            values = mean + spread * (0.5 * diurnal[hour_idx] + 0.5 * rng.standard_normal(count))
            values = np.round(np.maximum(values, 0.0), 1).astype(np.float64)
            frames.append(
                pl.DataFrame(
                    {
                        "serial": pl.Series(batch)[sensor_idx],
                        "district": pl.Series(districts[start : start + chunk_sensors])[sensor_idx],
                        "stamp": stamps[hour_idx],
                        "time": times[hour_idx],
                        "value": pl.Series(values).cast(pl.Utf8),
                        "prop": pl.repeat(name, count, eager=True),
                        "unit": pl.repeat(unit, count, eager=True),
                    }
                )
            )
        frame = pl.concat(frames)
        obs = pl.concat_str(
            [pl.lit(f"<{ID}observation/"), "serial", pl.lit("/"), "prop", pl.lit("/"), "stamp", pl.lit(">")]
        )
        sensor = pl.concat_str([pl.lit(f"<{ID}sensor/"), "serial", pl.lit(">")])
        text = frame.select(
            pl.concat_str(
                [
                    obs,
                    pl.lit(f" {RDF_TYPE} <{SOSA}Observation> .\n"),
                    obs,
                    pl.lit(f" <{SOSA}madeBySensor> "),
                    sensor,
                    pl.lit(" .\n"),
                    obs,
                    pl.lit(f" <{SOSA}observedProperty> <{CPS}"),
                    "prop",
                    pl.lit("> .\n"),
                    obs,
                    pl.lit(f" <{SOSA}hasFeatureOfInterest> <{ID}district/"),
                    "district",
                    pl.lit("> .\n"),
                    obs,
                    pl.lit(f' <{SOSA}hasSimpleResult> "'),
                    "value",
                    pl.lit(f'"^^<{XSD}decimal> .\n'),
                    obs,
                    pl.lit(f' <{SOSA}resultTime> "'),
                    "time",
                    pl.lit(f'"^^<{XSD}dateTime> .\n'),
                    obs,
                    pl.lit(f" <{CPS}unit> <{UNIT}"),
                    "unit",
                    pl.lit("> .\n"),
                    obs,
                    pl.lit(f" <{CPS}sourceDataset> <{ID}dataset/sdot-environment> .\n"),
                ]
            ).alias("nt")
        )["nt"]
        yield "".join(text.to_list()).encode("utf-8"), 8 * len(frame)


def _building_lines(rng: np.random.Generator, count: int) -> Iterator[str]:
    lons, lats, districts, dongs = _points_in_seoul(rng, count)
    uses = rng.integers(0, len(BUILDING_USES), count)
    floors = np.clip(rng.geometric(0.25, count), 1, 80)
    heights = np.round(floors * 3.3 + rng.uniform(0, 3, count), 1)
    half = 0.00015
    for n in range(count):
        ufid = f"B{dongs[n]}{n:06d}"
        b = _iri(f"building/{ufid}")
        g = _iri(f"geometry/building-{ufid}")
        x, y = lons[n], lats[n]
        x0, y0, x1, y1 = round(x - half, 6), round(y - half, 6), round(x + half, 6), round(y + half, 6)
        yield f"{b} {RDF_TYPE} <{CPS}Building> ."
        yield f"{b} {RDF_TYPE} <{CPS}SpatialObject> ."
        yield f"{b} <{CPS}smapId> {_lit(ufid)} ."
        yield f"{b} {RDFS_LABEL} {_lit(f'건물 {ufid}', lang='ko')} ."
        yield f"{b} <{CPS}buildingUse> {_lit(BUILDING_USES[uses[n]])} ."
        yield f"{b} <{CPS}floors> {_lit(str(int(floors[n])), 'integer')} ."
        yield f"{b} <{CPS}heightMetres> {_lit(str(heights[n]), 'decimal')} ."
        yield f"{b} <{CPS}hostedOnPlatform> {_iri('platform/s-map')} ."
        yield f"{b} <{GEO}hasGeometry> {g} ."
        yield f"{g} {RDF_TYPE} <{GEO}Geometry> ."
        yield (
            f'{g} <{GEO}asWKT> "{CRS84} POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"'
            f"^^<{GEO}wktLiteral> ."
        )
        yield f"{b} <{WGS}lat> {_lit(str(y), 'decimal')} ."
        yield f"{b} <{WGS}long> {_lit(str(x), 'decimal')} ."
        yield f"{b} <{CPS}inDistrict> {_iri('district/' + districts[n])} ."
        yield f"{b} <{CPS}inDong> {_iri('dong/' + dongs[n])} ."
        yield f"{b} <{CPS}sourceDataset> {_iri('dataset/smap-buildings')} ."


def _datasets(systems: int) -> list[tuple[str, str, str]]:
    """(id, publisher department, platform) of every dataset: the four real ones plus one per ~3 systems."""
    fixed = [
        ("sdot-environment", "smart-city-policy", "s-dot"),
        ("smap-buildings", "urban-planning", "s-map"),
        ("system-inventory", "smart-city-policy", "big-data"),
        ("realtime-city-air", "climate-environment", "big-data"),
    ]
    extra = [
        (f"ds-{n:03d}", DEPARTMENTS[n % len(DEPARTMENTS)], PLATFORMS[n % len(PLATFORMS)])
        for n in range(max(1, systems // 3))
    ]
    return fixed + extra


def _inventory_lines(rng: np.random.Generator, systems: int) -> Iterator[str]:
    datasets = [d[0] for d in _datasets(systems)]
    system_codes = [f"SYS-{n:04d}" for n in range(1, systems + 1)]
    for n, code in enumerate(system_codes):
        s = _iri(f"system/{code}")
        dept = DEPARTMENTS[n % len(DEPARTMENTS)]
        yield f"{s} {RDF_TYPE} <{CPS}InformationSystem> ."
        yield f"{s} <{CPS}systemCode> {_lit(code)} ."
        yield f"{s} {RDFS_LABEL} {_lit(f'정보시스템 {n + 1}', lang='ko')} ."
        yield f"{s} {RDFS_LABEL} {_lit(f'Information system {n + 1}', lang='en')} ."
        yield f"{s} <{CPS}operatedBy> {_iri('department/' + dept)} ."
        yield f"{s} <{CPS}updateCycle> {_lit(CYCLES[n % len(CYCLES)])} ."
        provides = datasets[4 + n // 3] if 4 + n // 3 < len(datasets) else datasets[n % 4]
        yield f"{s} <{CPS}providesDataset> {_iri('dataset/' + provides)} ."
        # every system uses two or three datasets; about a third use the S-DoT data
        used = {datasets[int(i)] for i in rng.choice(len(datasets), 2, replace=False)}
        if n % 3 == 0:
            used.add("sdot-environment")
        for d in sorted(used - {provides}):
            yield f"{s} <{CPS}usesDataset> {_iri('dataset/' + d)} ."
        for p in sorted({PLATFORMS[n % 4], PLATFORMS[int(rng.integers(0, 4))]}):
            yield f"{s} <{CPS}linksToPlatform> {_iri('platform/' + p)} ."
        for f in sorted({FUNCTIONS[int(i)] for i in rng.choice(len(FUNCTIONS), 3, replace=False)}):
            yield f"{s} <{CPS}servesFunction> <{CPS}{f}> ."
        for st in sorted({STANDARDS[n % len(STANDARDS)], STANDARDS[int(rng.integers(0, len(STANDARDS)))]}):
            yield f"{s} <{CPS}claimsStandard> {_iri('standard/' + st)} ."
    # one business per department, one service per four systems
    for n, dept in enumerate(DEPARTMENTS):
        b = _iri(f"business/BIZ-{n:02d}")
        yield f"{b} {RDF_TYPE} <{CPS}DepartmentBusiness> ."
        yield f"{b} <{CPS}businessCode> {_lit(f'BIZ-{n:02d}')} ."
        yield f"{b} {RDFS_LABEL} {_lit(f'{dept} 업무', lang='ko')} ."
        yield f"{b} <{CPS}ownedBy> {_iri('department/' + dept)} ."
        yield f"{b} <{CPS}servesFunction> <{CPS}RealProblem> ."
        for m in range(n, systems, len(DEPARTMENTS) * 2):
            yield f"{b} <{CPS}dependsOnSystem> {_iri('system/' + system_codes[m])} ."
    for n in range(max(1, systems // 4)):
        code = f"svc-{n:03d}"
        sv = _iri(f"service/{code}")
        dept = DEPARTMENTS[n % len(DEPARTMENTS)]
        yield f"{sv} {RDF_TYPE} <{CPS}CityService> ."
        yield f"{sv} <{CPS}serviceCode> {_lit(code)} ."
        yield f"{sv} {RDFS_LABEL} {_lit(f'도시 서비스 {n + 1}', lang='ko')} ."
        yield f"{sv} <{CPS}operatedBy> {_iri('department/' + dept)} ."
        yield f"{sv} <{CPS}partOfBusiness> {_iri(f'business/BIZ-{n % len(DEPARTMENTS):02d}')} ."
        yield f"{sv} <{CPS}servesFunction> <{CPS}{FUNCTIONS[n % len(FUNCTIONS)]}> ."
        for m in sorted({(4 * n) % systems, (4 * n + 1) % systems, int(rng.integers(0, systems))}):
            yield f"{sv} <{CPS}dependsOnSystem> {_iri('system/' + system_codes[m])} ."


def _catalog_lines(systems: int) -> Iterator[str]:
    for n, (ds, publisher, platform) in enumerate(_datasets(systems)):
        d = _iri(f"dataset/{ds}")
        yield f"{d} {RDF_TYPE} <{CPS}Dataset> ."
        yield f"{d} <{DCT}identifier> {_lit(ds)} ."
        yield f"{d} <{DCT}title> {_lit(f'데이터셋 {ds}', lang='ko')} ."
        yield f"{d} {RDFS_LABEL} {_lit(f'데이터셋 {ds}', lang='ko')} ."
        yield f"{d} {RDFS_LABEL} {_lit(f'Dataset {ds}', lang='en')} ."
        yield f"{d} <{DCT}publisher> {_iri('department/' + publisher)} ."
        yield f"{d} <{CPS}ownedBy> {_iri('department/' + publisher)} ."
        yield f"{d} <{CPS}hostedOnPlatform> {_iri('platform/' + platform)} ."
        yield f"{d} <{CPS}updateCycle> {_lit(CYCLES[n % len(CYCLES)])} ."
        yield f"{d} <{CPS}servesFunction> <{CPS}{FUNCTIONS[n % len(FUNCTIONS)]}> ."
        yield f"{d} <{CPS}claimsStandard> {_iri('standard/' + STANDARDS[n % len(STANDARDS)])} ."


def _load_lines(store: ox.Store, graph: str, lines: Iterator[str], batch: int = 500_000) -> int:
    total = 0
    buffer: list[str] = []
    target = ox.NamedNode(graph)

    def flush() -> None:
        if buffer:
            store.bulk_load(
                ("\n".join(buffer) + "\n").encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=target
            )
            buffer.clear()

    for line in lines:
        buffer.append(line)
        total += 1
        if len(buffer) >= batch:
            flush()
    flush()
    return total


def build_store(
    store: EmbeddedStore, scale: Scale, log: Callable[[str], None] = lambda _: None
) -> BuiltGraph:
    """Initialise ``store`` (ontology + reference) and bulk-load the synthetic Seoul graph of ``scale``."""
    started = time.perf_counter()
    rng = np.random.default_rng(scale.seed)
    initialise_store(store, REPO_ROOT / "ontology")
    raw = store.raw
    triples: dict[str, int] = {}
    lons, lats, districts, dongs = _points_in_seoul(rng, scale.sensors)
    serials = [f"V02Q{2000000 + n:07d}" for n in range(scale.sensors)]
    properties = PROPERTIES[: scale.properties]
    triples["sensors"] = _load_lines(
        raw, SDOT_GRAPH, _sensor_lines(serials, lons, lats, districts, dongs, properties)
    )
    log(f"sensors: {scale.sensors} ({triples['sensors']:,} triples)")
    observed = 0
    target = ox.NamedNode(SDOT_GRAPH)
    for data, count in _observation_chunks(rng, serials, districts, scale):
        raw.bulk_load(data, ox.RdfFormat.N_TRIPLES, to_graph=target)
        observed += count
        log(f"observations: {observed:,} triples ({time.perf_counter() - started:.0f} s)")
    triples["observations"] = observed
    triples["buildings"] = _load_lines(raw, SMAP_GRAPH, _building_lines(rng, scale.buildings))
    log(f"buildings: {scale.buildings:,} ({triples['buildings']:,} triples)")
    triples["inventory"] = _load_lines(raw, INVENTORY_GRAPH, _inventory_lines(rng, scale.systems))
    triples["catalog"] = _load_lines(raw, CATALOG_GRAPH, _catalog_lines(scale.systems))
    raw.flush()
    sizes = {size.graph: size.triples for size in store.graph_sizes()}
    triples["ontology+reference"] = sizes.get(str(vocab.ONTOLOGY_GRAPH), 0) + sizes.get(
        str(vocab.REFERENCE_GRAPH), 0
    )
    triples["total"] = sum(sizes.values())
    return BuiltGraph(
        scale=asdict(scale),
        serials=serials,
        sensor_points=[(float(x), float(y)) for x, y in zip(lons, lats, strict=True)],
        # districts that hold sensors, most sensors first (the benchmark rotates over them)
        districts=sorted(set(districts), key=lambda d: (-districts.count(d), d)),
        department="climate-environment",
        first_hour=FIRST_HOUR.isoformat(),
        last_hour=(FIRST_HOUR + timedelta(hours=scale.hours - 1)).isoformat(),
        triples=triples,
        seconds=round(time.perf_counter() - started, 1),
    )
