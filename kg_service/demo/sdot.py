"""S-DoT (도시데이터 센서) demo data: the sensor registry, the hourly-average CSV files and the Open API JSON.

Formats follow ``shared/reference/seoul-sdot/COLUMNS.md``:

``sdot_sensors.csv`` (§1, ``sensor_longitude_latitude.csv``)
    UTF-8 without BOM, LF line ends, header ``시리얼,위도,경도``, one sensor per line in no particular order,
    coordinates with Excel's 10 significant digits (``37.5780761,126.8951928``).
``sdot_hourly_YYYYMMDD.csv`` (§2, ``sdot_20200507.csv``)
    EUC-KR (cp949), CRLF line ends, no quoting, the documented 23-column header, one row per sensor per hour
    sorted by serial then hour, ``date`` like ``2025.7.14``, ``hour`` 0–23, numbers in Excel's General
    format. Quirks copied from the real file: hourly means of up to 30 two-minute readings
    (``364/30 = 12.13333333``); illuminance and UV floor at ``2`` at night; sensors without an anemometer
    write ``0`` for the four wind columns and sensors without a black-globe thermometer write ``5``;
    the corrected PM columns are negative in about 3% of rows (a failed correction, as in the real file);
    about 0.3% of rows have every measurement blank (sensor offline) and a few single cells are blank.
``iotvdata017.json`` (§3, Open API service ``IotVdata017``)
    The last generated day, every sensor and hour: ``MAX_``/``AVG_``/``MIN_`` triples as strings, ``""``
    when missing (most sensors report only temperature and humidity), romanised district and dong names.

Seeded defects (``--bad-rate``) are written into the hourly CSV and listed in ``seeded-defects.json``; the
"missing" quirks above are normal data, not defects.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import numpy as np
import polars as pl
from numpy.typing import NDArray

from kg_service.demo.geography import (
    DISTRICT_CODES,
    SeoulGeography,
    administrative_dong_name,
    allocate,
)
from kg_service.demo.numbers import excel_general, fixed_decimals, quantised_mean, rng_for
from kg_service.reference.seoul_areas import DISTRICT_NAMES

__all__ = [
    "HOURLY_COLUMNS",
    "HOURLY_HEADER",
    "IOT_FIELDS",
    "REGISTRY_HEADER",
    "DayValues",
    "SeededDefect",
    "SensorNetwork",
    "build_network",
    "generate_day",
    "hourly_csv",
    "hourly_file_name",
    "iotvdata017_json",
    "registry_csv",
]

#: Header of the hourly file, exactly as the city publishes it (COLUMNS.md §2).
HOURLY_HEADER: Final = (
    "시리얼,date,hour,초미세먼지 (㎍/㎥),미세먼지 (㎍/㎥),기온 (℃),상대습도 (%),풍향 (°),풍속 (m/s),"
    "돌풍 풍향 (°),돌풍 풍속 (m/s),조도 (lux),자외선 (UVI),소음 (dB),진동(x) (g),진동(y) (g),진동(z) (g),"
    "진동(x) 최대 (g),진동(y) 최대 (g),진동(z) 최대 (g),흑구 온도 (℃),미세먼지 보정 (㎍/㎥),초미세먼지 보정 (㎍/㎥)"
)
HOURLY_COLUMNS: Final[tuple[str, ...]] = tuple(HOURLY_HEADER.split(","))
HOURLY_ENCODING: Final = "cp949"
#: Measurement columns of the hourly file → the generator's internal quantity names, in file order.
MEASUREMENTS: Final[tuple[tuple[str, str], ...]] = tuple(
    zip(
        HOURLY_COLUMNS[3:],
        (
            "pm25",
            "pm10",
            "temp",
            "humi",
            "wind_dir",
            "wind_speed",
            "gust_dir",
            "gust_speed",
            "lux",
            "uv",
            "noise",
            "vib_x",
            "vib_y",
            "vib_z",
            "vib_x_max",
            "vib_y_max",
            "vib_z_max",
            "globe",
            "pm10_corr",
            "pm25_corr",
        ),
        strict=True,
    )
)
REGISTRY_HEADER: Final = "시리얼,위도,경도"

SERIAL_PREFIX: Final = "V02Q19"
#: Serials are ``V02Q19`` + a 5-digit sequence number from 40001 (``V02Q1940043``), as in the real network.
FIRST_SEQUENCE: Final = 40001
#: Seeded unknown serials use sequence numbers from here up, which no generated sensor has.
UNKNOWN_SEQUENCE: Final = 99000
MODEL_NAME: Final = "SDOT001"

#: Land-use category (REGION) of a sensor site and its share of the network.
REGIONS: Final[tuple[tuple[str, float], ...]] = (
    ("residential_area", 0.38),
    ("roads_and_parks", 0.27),
    ("commercial_area", 0.17),
    ("traditional_markets", 0.08),
    ("industrial_area", 0.10),
)

# Rates of the real file's "missing" quirks (normal data, not seeded defects).
NEGATIVE_CORRECTION_RATE: Final = 0.03
BLANK_ROW_RATE: Final = 0.003
BLANK_CELL_RATE: Final = 0.0003
NO_WIND_VALUE: Final = 0.0
NO_GLOBE_VALUE: Final = 5.0
NIGHT_FLOOR: Final = 2.0

# Seoul climatology by month (January first): mean temperature ℃, relative humidity %, PM10 median ㎍/㎥,
# sunrise and sunset (hours, KST).
MONTHLY_TEMP: Final = (-2.4, 0.4, 5.7, 12.5, 17.8, 22.2, 24.9, 25.7, 21.2, 14.8, 7.2, 0.4)
MONTHLY_RH: Final = (57, 56, 57, 56, 62, 68, 78, 75, 70, 64, 62, 59)
MONTHLY_PM10: Final = (45, 50, 55, 50, 40, 30, 22, 20, 22, 30, 38, 42)
SUNRISE: Final = (7.7, 7.3, 6.7, 6.0, 5.4, 5.2, 5.4, 5.8, 6.2, 6.6, 7.1, 7.6)
SUNSET: Final = (17.6, 18.1, 18.6, 19.1, 19.5, 19.9, 19.8, 19.4, 18.8, 18.1, 17.5, 17.3)

DEFECT_KINDS: Final = ("pm10_out_of_range", "unparseable_number", "bad_hour", "unknown_serial", "bad_date")
_UNPARSEABLE: Final = ("N/A", "12..3", "3.4.5", "#VALUE!", "--", "1O.5")
_BAD_HOURS: Final = ("24", "a", "25", "-1", "7.5")


@dataclass(frozen=True)
class SensorNetwork:
    """The generated S-DoT sensors.

    Attributes:
        sensors: One row per sensor, sorted by serial. Columns: ``serial``, ``lat``/``lon`` (floats, as
            written), ``lat_text``/``lon_text`` (as written), ``district_code``, ``dong_code`` (8 digits),
            ``dong_name``, ``admin_dong`` (romanised), ``region``, ``has_wind``, ``has_globe``,
            ``api_full`` (reports more than temperature and humidity to the API), ``api_humi``,
            ``has_gas`` and per-sensor constants of the value model.
        registry_order: Row order of ``sdot_sensors.csv`` (a permutation of ``sensors``' rows).
    """

    sensors: pl.DataFrame
    registry_order: NDArray[np.int64]

    @property
    def serials(self) -> list[str]:
        """Serials in file order (sorted)."""
        return [str(value) for value in self.sensors["serial"].to_list()]


def build_network(seed: int, count: int, geography: SeoulGeography) -> SensorNetwork:
    """Place ``count`` sensors in Seoul, about 30–70 per district at the full scale (as the real network).

    Each district gets a floor of about two thirds of the mean (at least one sensor when there are 25 or
    more) plus an uneven random share of the rest;
    inside a district, sensors go to legal dongs in proportion to their area.
    """
    rng = rng_for(seed, "sdot-network")
    districts = len(DISTRICT_CODES)
    # A floor of ~68% of the mean per district, the rest spread unevenly: 30–72 a district at 1,100 sensors.
    floor = max(1 if count >= districts else 0, round(0.68 * count / districts))
    per_district = allocate(count, list(rng.uniform(0.0, 1.0, districts) ** 1.5 + 1e-3), minimum=floor)
    dong_of_sensor: list[int] = []
    for code, share in zip(DISTRICT_CODES, per_district, strict=True):
        if share == 0:
            continue
        dong_ids = np.array(geography.dongs_of(code), dtype=np.int64)
        areas = np.array([geography.dongs[index].weight for index in dong_ids])
        dong_of_sensor.extend(rng.choice(dong_ids, size=share, p=areas / areas.sum()).tolist())
    dong_index = np.array(dong_of_sensor, dtype=np.int64)
    lons, lats = geography.sample_points(rng, dong_index)

    pool = np.arange(FIRST_SEQUENCE, FIRST_SEQUENCE + math.ceil(count * 1.12) + 1)
    sequences = np.sort(rng.choice(pool, size=count, replace=False))
    serial_of = np.empty(count, dtype=object)
    serial_of[rng.permutation(count)] = [f"{SERIAL_PREFIX}{number:05d}" for number in sequences]

    lat_text = excel_general(lats)
    lon_text = excel_general(lons)
    dongs = [geography.dongs[int(index)] for index in dong_index]
    numbered_dong = {dong.code: bool(rng.random() < 0.4) for dong in geography.dongs}
    admin_numbers = rng.integers(1, 4, count)
    regions = rng.choice(len(REGIONS), size=count, p=[share for _, share in REGIONS])
    frame = pl.DataFrame(
        {
            "serial": serial_of.tolist(),
            "lat": lat_text.cast(pl.Float64),
            "lon": lon_text.cast(pl.Float64),
            "lat_text": lat_text,
            "lon_text": lon_text,
            "district_code": [dong.district_code for dong in dongs],
            "dong_code": [dong.code for dong in dongs],
            "dong_name": [dong.name_ko for dong in dongs],
            "admin_dong": [
                administrative_dong_name(dong.name_ko, int(number) if numbered_dong[dong.code] else 0)
                for dong, number in zip(dongs, admin_numbers, strict=True)
            ],
            "region": [REGIONS[int(index)][0] for index in regions],
            "has_wind": rng.random(count) < 0.12,
            "has_globe": rng.random(count) < 0.2,
            "api_full": rng.random(count) < 0.6,
            "api_humi": rng.random(count) < 0.85,
            "has_gas": rng.random(count) < 0.1,
            "temp_offset": rng.normal(0.0, 0.6, count),
            "pm_local": rng.lognormal(0.0, 0.2, count),
            "pm_factor": rng.uniform(1.6, 2.2, count),
            "noise_base": rng.uniform(40.0, 54.0, count),
            "shade": rng.uniform(0.35, 1.0, count),
            "uv_per_lux": rng.uniform(0.0008, 0.0012, count),
            "vib_x": rng.uniform(0.008, 0.03, count),
            "vib_y": rng.uniform(0.03, 0.07, count),
            "vib_z": rng.uniform(0.99, 1.06, count),
            "wind_dir_offset": rng.uniform(-40.0, 40.0, count),
            "wind_exposure": rng.uniform(0.5, 1.5, count),
        }
    ).sort("serial")
    registry_order = rng.permutation(count).astype(np.int64)
    return SensorNetwork(sensors=frame, registry_order=registry_order)


def registry_csv(network: SensorNetwork) -> bytes:
    """``sdot_sensors.csv``: ``시리얼,위도,경도`` in UTF-8 with LF line ends, rows in registry order."""
    frame = network.sensors.select("serial", "lat_text", "lon_text")[network.registry_order.tolist()]
    lines = [REGISTRY_HEADER]
    lines.extend(
        f"{serial},{lat},{lon}"
        for serial, lat, lon in zip(frame["serial"], frame["lat_text"], frame["lon_text"], strict=True)
    )
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- Hourly values ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayValues:
    """One day of hourly averages for every sensor.

    Attributes:
        day: The date.
        values: Quantity name (see :data:`MEASUREMENTS`) → array of shape (sensors, 24) in file order;
            NaN where the file has a blank cell. Corrected PM may be negative (the real file's quirk).
    """

    day: date
    values: Mapping[str, NDArray[np.float64]]


def _column(frame: pl.DataFrame, name: str) -> NDArray[np.float64]:
    """A per-sensor constant as a (sensors, 1) array, to broadcast over the 24 hours."""
    return frame[name].to_numpy().astype(np.float64)[:, None]


def generate_day(network: SensorNetwork, day: date, seed: int) -> DayValues:
    """Generate one day of plausible hourly averages (diurnal cycles, district and sensor effects)."""
    rng = rng_for(seed, f"sdot-hourly-{day.isoformat()}")
    sensors = network.sensors
    count = sensors.height
    hours = np.arange(24, dtype=np.float64)[None, :]
    month = day.month - 1
    shape = (count, 24)
    samples = rng.integers(22, 31, shape)

    district_index = np.searchsorted(np.array(DISTRICT_CODES), sensors["district_code"].to_numpy())
    district_temp = rng.normal(0.0, 0.5, len(DISTRICT_CODES))[district_index][:, None]
    district_pm = rng.lognormal(0.0, 0.12, len(DISTRICT_CODES))[district_index][:, None]

    # Temperature and humidity: a daily cycle peaking at 15h, warmer districts and sites.
    mean_temp = MONTHLY_TEMP[month] + rng.normal(0.0, 1.5)
    amplitude = rng.uniform(3.0, 5.0)
    temp = (
        mean_temp
        + amplitude * np.cos(2 * np.pi * (hours - 15.0) / 24.0)
        + district_temp
        + _column(sensors, "temp_offset")
        + rng.normal(0.0, 0.25, shape)
    )
    humi = np.clip(
        MONTHLY_RH[month] + rng.normal(0, 5) - 2.8 * (temp - mean_temp) + rng.normal(0, 2, shape), 15, 99
    )

    # Particulates: morning and evening peaks, regional day level, local sources.
    pm_day = MONTHLY_PM10[month] * rng.lognormal(0.0, 0.35)
    diurnal = (
        1.0
        + 0.18 * np.exp(-(((hours - 8.0) / 2.5) ** 2))
        + 0.15 * np.exp(-(((hours - 21.0) / 3.0) ** 2))
        - 0.08 * np.exp(-(((hours - 14.0) / 3.0) ** 2))
    )
    pm10 = pm_day * diurnal * district_pm * _column(sensors, "pm_local") * rng.lognormal(0.0, 0.12, shape)
    pm25 = pm10 * rng.uniform(0.5, 0.7) * rng.lognormal(0.0, 0.08, shape)
    pm10 = quantised_mean(pm10, samples, 1.0)
    pm25 = quantised_mean(pm25, samples, 1.0)
    factor = _column(sensors, "pm_factor")
    pm10_corr = quantised_mean(pm10 * factor, samples, 1.0)
    pm25_corr = quantised_mean(pm25 * factor, samples, 1.0)
    failed = rng.random(shape) < NEGATIVE_CORRECTION_RATE
    pm10_corr = np.where(failed, -quantised_mean(rng.uniform(10, 32, shape), samples, 1.0), pm10_corr)
    pm25_corr = np.where(failed, -quantised_mean(rng.uniform(18, 35, shape), samples, 1.0), pm25_corr)

    # Light: daylight between sunrise and sunset, clouds, shade; night readings floor at 2.
    daylight = np.clip(
        np.sin(np.pi * (hours + 0.5 - SUNRISE[month]) / (SUNSET[month] - SUNRISE[month])), 0, 1
    )
    daylight = np.where((hours + 0.5 > SUNRISE[month]) & (hours + 0.5 < SUNSET[month]), daylight, 0.0)
    clouds = rng.uniform(0.3, 1.0)
    lux_raw = 90000.0 * daylight**1.6 * clouds * _column(sensors, "shade") * rng.lognormal(0, 0.15, shape)
    lux = quantised_mean(np.maximum(NIGHT_FLOOR, lux_raw), samples, 1.0)
    uv = quantised_mean(np.maximum(NIGHT_FLOOR, lux_raw * _column(sensors, "uv_per_lux")), samples, 1.0)

    # Noise: louder in the day; vibration: near-constant (z carries gravity, in g).
    activity = 1.0 / (1.0 + np.exp(-(hours - 6.5) * 1.5)) - 1.0 / (1.0 + np.exp(-(hours - 22.5) * 1.5))
    noise = quantised_mean(
        _column(sensors, "noise_base") + 6.0 * activity + rng.normal(0, 1.0, shape), samples, 1.0
    )
    vib: dict[str, NDArray[np.float64]] = {}
    for axis, extra in (("x", 0.06), ("y", 0.065), ("z", 0.07)):
        average = np.maximum(0.001, _column(sensors, f"vib_{axis}") + rng.normal(0, 0.002, shape))
        vib[f"vib_{axis}"] = quantised_mean(average, samples, 0.001)
        peak = average + extra + rng.normal(0, 0.004, shape)
        vib[f"vib_{axis}_max"] = quantised_mean(np.maximum(peak, average), samples, 0.001)

    globe_on = sensors["has_globe"].to_numpy()[:, None]
    globe = np.where(globe_on, temp + 8.0 * daylight * clouds * _column(sensors, "shade"), NO_GLOBE_VALUE)

    wind_on = sensors["has_wind"].to_numpy()[:, None]
    speed = (
        rng.lognormal(np.log(1.6), 0.3)
        * (1 + 0.5 * daylight)
        * _column(sensors, "wind_exposure")
        * rng.lognormal(0, 0.2, shape)
    )
    direction = np.mod(
        rng.uniform(0, 360) + _column(sensors, "wind_dir_offset") + rng.normal(0, 25, shape), 360
    )
    gust_speed = speed * rng.uniform(1.5, 2.3, shape)
    gust_dir = np.mod(direction + rng.normal(0, 15, shape), 360)

    values: dict[str, NDArray[np.float64]] = {
        "pm25": pm25,
        "pm10": pm10,
        "temp": temp,
        "humi": quantised_mean(humi, samples, 1.0),
        "wind_dir": np.where(wind_on, quantised_mean(direction, samples, 0.1), NO_WIND_VALUE),
        "wind_speed": np.where(wind_on, quantised_mean(speed, samples, 0.1), NO_WIND_VALUE),
        "gust_dir": np.where(wind_on, quantised_mean(gust_dir, samples, 0.1), NO_WIND_VALUE),
        "gust_speed": np.where(wind_on, quantised_mean(gust_speed, samples, 0.1), NO_WIND_VALUE),
        "lux": lux,
        "uv": uv,
        "noise": noise,
        **vib,
        "globe": globe,
        "pm10_corr": pm10_corr,
        "pm25_corr": pm25_corr,
    }
    blank_rows = rng.random(shape) < BLANK_ROW_RATE
    for name in values:
        blank = blank_rows | (rng.random(shape) < BLANK_CELL_RATE)
        values[name] = np.where(blank, np.nan, values[name])
    return DayValues(day=day, values=values)


# --- Hourly CSV and seeded defects ------------------------------------------------------------------------


@dataclass(frozen=True)
class SeededDefect:
    """One defect written on purpose into a file, for tests to check it is reported.

    Attributes:
        file: File name (relative to the output directory).
        line: Physical line number (the header is line 1).
        row: Data row number, 1-based (the header is not counted; ``row == line - 1``).
        column: Header of the column, exactly as in the file.
        column_index: 0-based position of the column.
        value: The text written in the cell.
        kind: ``pm10_out_of_range``, ``unparseable_number``, ``bad_hour``, ``unknown_serial`` or ``bad_date``.
    """

    file: str
    line: int
    row: int
    column: str
    column_index: int
    value: str
    kind: str

    def as_dict(self) -> dict[str, str | int]:
        """The defect as JSON-ready data."""
        return {
            "file": self.file,
            "line": self.line,
            "row": self.row,
            "column": self.column,
            "column_index": self.column_index,
            "value": self.value,
            "kind": self.kind,
        }


def hourly_file_name(day: date) -> str:
    """``sdot_hourly_YYYYMMDD.csv``."""
    return f"sdot_hourly_{day:%Y%m%d}.csv"


def _defect_value(kind: str, rng: np.random.Generator, day: date, ordinal: int) -> tuple[str, str]:
    """(column, text) of one seeded defect."""
    if kind == "pm10_out_of_range":
        return HOURLY_COLUMNS[4], str(excel_general(np.array([rng.uniform(1500.5, 9999.0)]))[0])
    if kind == "unparseable_number":
        column = HOURLY_COLUMNS[3 + int(rng.integers(0, len(MEASUREMENTS)))]
        return column, _UNPARSEABLE[int(rng.integers(0, len(_UNPARSEABLE)))]
    if kind == "bad_hour":
        return HOURLY_COLUMNS[2], _BAD_HOURS[int(rng.integers(0, len(_BAD_HOURS)))]
    if kind == "unknown_serial":
        return HOURLY_COLUMNS[0], f"{SERIAL_PREFIX}{UNKNOWN_SEQUENCE + ordinal % 1000:05d}"
    bad_dates = (
        f"{day.year}.13.{day.day}",
        f"{day.year}.{day.month}.32",
        f"{day.year}.{day.month}.0",
        f"{day.year}.0.{day.day}",
        f"{day.year}.2.30",
    )
    return HOURLY_COLUMNS[1], bad_dates[int(rng.integers(0, len(bad_dates)))]


def hourly_csv(
    network: SensorNetwork, day_values: DayValues, *, seed: int, bad_rate: float = 0.0
) -> tuple[bytes, list[SeededDefect]]:
    """Write one day's hourly file (EUC-KR, CRLF) and seed ``bad_rate`` of its rows with one defect each.

    Defects go to distinct rows; the kinds take turns so every kind appears once there are five or more.

    Returns:
        The file's bytes and the defects seeded into it (sorted by line).
    """
    day = day_values.day
    count = network.sensors.height
    rows = count * 24
    columns: dict[str, pl.Series] = {
        HOURLY_COLUMNS[0]: pl.Series(
            np.repeat(np.array(network.serials, dtype=object), 24).tolist(), dtype=pl.Utf8
        ),
        HOURLY_COLUMNS[1]: pl.Series([f"{day.year}.{day.month}.{day.day}"] * rows, dtype=pl.Utf8),
        HOURLY_COLUMNS[2]: pl.Series(np.tile(np.arange(24), count)).cast(pl.Utf8),
    }
    for header, name in MEASUREMENTS:
        columns[header] = excel_general(day_values.values[name].reshape(-1))

    defects: list[SeededDefect] = []
    if bad_rate > 0 and rows > 0:
        rng = rng_for(seed, f"sdot-defects-{day.isoformat()}")
        wanted = min(rows, max(1, round(bad_rate * rows)))
        chosen = np.sort(rng.choice(rows, size=wanted, replace=False))
        kinds = [DEFECT_KINDS[index % len(DEFECT_KINDS)] for index in range(wanted)]
        order = rng.permutation(wanted)
        edits: dict[str, tuple[list[int], list[str]]] = {}
        file_name = hourly_file_name(day)
        for ordinal, row_index in enumerate(chosen.tolist()):
            kind = kinds[int(order[ordinal])]
            column, text = _defect_value(kind, rng, day, ordinal)
            edits.setdefault(column, ([], []))
            edits[column][0].append(row_index)
            edits[column][1].append(text)
            defects.append(
                SeededDefect(
                    file_name, row_index + 2, row_index + 1, column, HOURLY_COLUMNS.index(column), text, kind
                )
            )
        for column, (indices, texts) in edits.items():
            columns[column] = columns[column].scatter(indices, texts)

    buffer = io.BytesIO()
    pl.DataFrame(columns).write_csv(
        buffer, include_header=False, line_terminator="\r\n", null_value="", quote_style="necessary"
    )
    body = buffer.getvalue()
    # Every data cell is ASCII, so the UTF-8 body polars writes is already valid EUC-KR.
    header_line = (HOURLY_HEADER + "\r\n").encode(HOURLY_ENCODING)
    return header_line + body, defects


# --- Open API IotVdata017 ---------------------------------------------------------------------------------

#: MAX_/AVG_/MIN_ quantities of IotVdata017 in API order → (decimals, availability column).
IOT_QUANTITIES: Final[tuple[tuple[str, int, str], ...]] = (
    ("TEMP", 1, "api_temp"),
    ("HUMI", 1, "api_humi"),
    ("WIND_SPEED", 1, "has_wind"),
    ("WIND_DIRE", 0, "has_wind"),
    ("INTE_ILLU", 0, "api_full"),
    ("ULTRA_RAYS", 1, "api_full"),
    ("NOISE", 0, "api_full"),
    ("VIBR_X", 2, "api_full"),
    ("VIBR_Y", 2, "api_full"),
    ("VIBR_Z", 2, "api_full"),
    ("EFFE_TEMP", 1, "has_globe"),
    ("NO2", 3, "has_gas"),
    ("CO", 2, "has_gas"),
    ("SO2", 3, "has_gas"),
    ("NH3", 3, "has_gas"),
    ("H2S", 3, "has_gas"),
    ("O3", 3, "has_gas"),
)
IOT_FIELDS: Final[tuple[str, ...]] = (
    "MODEL_NM",
    "SERIAL_NO",
    "SENSING_TIME",
    "REGION",
    "AUTONOMOUS_DISTRICT",
    "ADMINISTRATIVE_DISTRICT",
    *(f"{prefix}_{name}" for name, _, _ in IOT_QUANTITIES for prefix in ("MAX", "AVG", "MIN")),
    "REG_DTTM",
)
RESULT_OK: Final = {"CODE": "INFO-000", "MESSAGE": "정상 처리되었습니다"}


def _api_averages(
    day_values: DayValues, rng: np.random.Generator, count: int
) -> dict[str, NDArray[np.float64]]:
    """Hourly averages in the API's units, shape (sensors, 24); NaN where not measured."""
    values = day_values.values
    shape = (count, 24)
    lux = np.where(values["lux"] <= NIGHT_FLOOR + 1, rng.uniform(0, 6, shape), values["lux"])
    daylight = np.clip((values["lux"] - NIGHT_FLOOR) / 90000.0, 0, 1)
    hours = np.arange(24)[None, :]
    ozone_cycle = 0.5 + 0.5 * np.sin(np.pi * np.clip((hours - 9) / 10.0, 0, 1))
    return {
        "TEMP": values["temp"],
        "HUMI": values["humi"],
        "WIND_SPEED": values["wind_speed"],
        "WIND_DIRE": values["wind_dir"],
        "INTE_ILLU": lux,
        "ULTRA_RAYS": 11.0 * daylight**1.3,
        "NOISE": values["noise"] + rng.normal(0, 1.5, shape),
        "VIBR_X": values["vib_x"],
        "VIBR_Y": values["vib_y"],
        "VIBR_Z": values["vib_z"],
        "EFFE_TEMP": values["globe"],
        "NO2": rng.uniform(0.008, 0.035, shape),
        "CO": rng.uniform(0.2, 0.6, shape),
        "SO2": rng.uniform(0.001, 0.005, shape),
        "NH3": rng.uniform(0.0, 0.2, shape),
        "H2S": rng.uniform(0.0, 0.01, shape),
        "O3": 0.012 + 0.05 * ozone_cycle * rng.uniform(0.6, 1.2, shape),
    }


def iotvdata017_json(network: SensorNetwork, day_values: DayValues, *, seed: int) -> tuple[bytes, int]:
    """``iotvdata017.json``: the S-DoT Open API response for every sensor and hour of one day.

    Rows are sorted by sensing time, then serial. All values are strings; ``""`` means not measured.

    Returns:
        The file's bytes (compact UTF-8 JSON) and the number of rows.
    """
    rng = rng_for(seed, f"sdot-iot-{day_values.day.isoformat()}")
    sensors = network.sensors
    count = sensors.height
    averages = _api_averages(day_values, rng, count)
    offline = rng.random((count, 24)) < 0.01
    availability = {
        "api_temp": np.ones(count, dtype=bool),
        **{
            name: sensors[name].to_numpy()
            for name in ("api_humi", "has_wind", "api_full", "has_globe", "has_gas")
        },
    }
    # Row order: hour-major (time, then serial); arrays below are flattened accordingly.
    columns: dict[str, pl.Series] = {}
    day = day_values.day
    sensing = [f"{day.isoformat()}_{hour:02d}:07:00" for hour in range(24)]
    columns["MODEL_NM"] = pl.Series([MODEL_NAME] * (count * 24), dtype=pl.Utf8)
    columns["SERIAL_NO"] = pl.Series(network.serials * 24, dtype=pl.Utf8)
    columns["SENSING_TIME"] = pl.Series(
        np.repeat(np.array(sensing, dtype=object), count).tolist(), dtype=pl.Utf8
    )
    columns["REGION"] = pl.Series(sensors["region"].to_list() * 24, dtype=pl.Utf8)
    districts = [DISTRICT_NAMES[code][1] for code in sensors["district_code"].to_list()]
    columns["AUTONOMOUS_DISTRICT"] = pl.Series(districts * 24, dtype=pl.Utf8)
    columns["ADMINISTRATIVE_DISTRICT"] = pl.Series(sensors["admin_dong"].to_list() * 24, dtype=pl.Utf8)
    for name, decimals, available_column in IOT_QUANTITIES:
        average = averages[name]
        measured = availability[available_column][:, None] & ~offline & ~np.isnan(average)
        spread = np.abs(average) * rng.uniform(0.005, 0.05, (count, 24)) + 10.0**-decimals * rng.integers(
            0, 3, (count, 24)
        )
        low = average - spread * rng.uniform(0.3, 1.0, (count, 24))
        if name not in ("TEMP", "EFFE_TEMP"):
            low = np.maximum(0.0, low)
        triple = {
            "MAX": np.round(average + spread, decimals),
            "AVG": np.round(average, decimals),
            "MIN": np.round(low, decimals),
        }
        triple["MAX"] = np.maximum(triple["MAX"], triple["AVG"])
        triple["MIN"] = np.minimum(triple["MIN"], triple["AVG"])
        for prefix in ("MAX", "AVG", "MIN"):
            # transpose: (sensors, hours) → hour-major rows
            masked = np.where(measured, triple[prefix], np.nan).T.reshape(-1)
            columns[f"{prefix}_{name}"] = fixed_decimals(masked, decimals).fill_null("")
    base = datetime(day.year, day.month, day.day)
    registered = rng.integers(75, 96, (24, count))
    columns["REG_DTTM"] = pl.Series(
        [
            (base + timedelta(hours=hour, minutes=7, seconds=int(seconds))).strftime("%Y-%m-%d %H:%M:%S")
            for hour in range(24)
            for seconds in registered[hour]
        ],
        dtype=pl.Utf8,
    )
    frame = pl.DataFrame(columns).select(IOT_FIELDS)
    rows_json = frame.write_json()
    envelope_head = json.dumps(
        {"IotVdata017": {"list_total_count": frame.height, "RESULT": RESULT_OK}},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    # splice the rows into the envelope: {"IotVdata017":{…,"RESULT":{…},"row":[…]}}
    text = envelope_head[:-2] + ',"row":' + rows_json + "}}"
    return text.encode("utf-8"), frame.height


def latest_hour_values(day_values: DayValues, hour: int = 23) -> Mapping[str, NDArray[np.float64]]:
    """Every quantity at one hour of the day, one value per sensor (NaN where blank)."""
    return {name: array[:, hour] for name, array in day_values.values.items()}


def district_means(
    network: SensorNetwork, values: NDArray[np.float64], codes: Sequence[str] = DISTRICT_CODES
) -> dict[str, float]:
    """Mean of valid (non-NaN, non-negative) per-sensor values by district; NaN for a district without any."""
    frame = pl.DataFrame({"district": network.sensors["district_code"], "value": values}, nan_to_null=True)
    means = (
        frame.filter(pl.col("value") >= 0).group_by("district").agg(pl.col("value").mean()).sort("district")
    )
    found = dict(zip(means["district"].to_list(), means["value"].to_list(), strict=True))
    return {code: float(found.get(code, math.nan)) for code in codes}
