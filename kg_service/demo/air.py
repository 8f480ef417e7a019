"""RealtimeCityAir (서울시 권역별 실시간 대기환경 현황) demo responses, in both field-name generations.

COLUMNS.md §4: 25 stations, one per district (측정소명 = district name), grouped in five zones (권역) in the
order the API lists them; numbers are JSON numbers (``25.0``, ``0.048``). The legacy file uses the 2017–2023
names (``MSRDT``, ``MSRRGN_NM``, ``MSRSTE_NM``, ``PM10``, ``PM25``, ``O3``, ``NO2``, ``CO``, ``SO2``,
``IDEX_NM``, ``IDEX_MVL``, ``ARPLT_MAIN``); the current file the same values under ``MSRMT_DT``,
``SAREA_NM``, ``MSRSTN_NM``, ``PM``, ``FPM``, ``OZON``, ``NTDX``, ``CBMX``, ``SPDX``, ``CAI_GRD``,
``CAI_IDX``, ``CRST_SBSTN``.

The integrated air-quality index (통합대기환경지수, CAI) is computed from the Korean breakpoints and rounded
up, which reproduces the real sample (O3 0.048 ppm → 66).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from kg_service.demo.geography import ZONE_ORDER
from kg_service.demo.numbers import rng_for
from kg_service.reference.seoul_areas import DISTRICT_NAMES

__all__ = [
    "CURRENT_FIELDS",
    "LEGACY_FIELDS",
    "StationReading",
    "cai_subindex",
    "realtimecityair_json",
    "station_readings",
]

LEGACY_FIELDS: Final = (
    "MSRDT",
    "MSRRGN_NM",
    "MSRSTE_NM",
    "PM10",
    "PM25",
    "O3",
    "NO2",
    "CO",
    "SO2",
    "IDEX_NM",
    "IDEX_MVL",
    "ARPLT_MAIN",
)
CURRENT_FIELDS: Final = (
    "MSRMT_DT",
    "SAREA_NM",
    "MSRSTN_NM",
    "PM",
    "FPM",
    "OZON",
    "NTDX",
    "CBMX",
    "SPDX",
    "CAI_GRD",
    "CAI_IDX",
    "CRST_SBSTN",
)

#: CAI breakpoints per pollutant: concentration ranges for the index ranges 0–50, 51–100, 101–250, 251–500.
CAI_BREAKPOINTS: Final[Mapping[str, tuple[tuple[float, float], ...]]] = {
    "SO2": ((0.0, 0.02), (0.021, 0.05), (0.051, 0.15), (0.151, 1.0)),
    "CO": ((0.0, 2.0), (2.01, 9.0), (9.01, 15.0), (15.01, 50.0)),
    "O3": ((0.0, 0.03), (0.031, 0.09), (0.091, 0.15), (0.151, 0.6)),
    "NO2": ((0.0, 0.03), (0.031, 0.06), (0.061, 0.2), (0.201, 2.0)),
    "PM10": ((0.0, 30.0), (31.0, 80.0), (81.0, 150.0), (151.0, 600.0)),
    "PM25": ((0.0, 15.0), (16.0, 35.0), (36.0, 75.0), (76.0, 500.0)),
}
CAI_INDEX_RANGES: Final = ((0, 50), (51, 100), (101, 250), (251, 500))
CAI_GRADES: Final = ("좋음", "보통", "나쁨", "매우나쁨")
RESULT_OK: Final = {"CODE": "INFO-000", "MESSAGE": "정상 처리되었습니다"}


def cai_subindex(pollutant: str, concentration: float) -> int:
    """The CAI sub-index of one pollutant (linear within its breakpoint band, rounded up).

    >>> cai_subindex("O3", 0.048), cai_subindex("O3", 0.062), cai_subindex("PM10", 25.0)
    (66, 77, 42)
    """
    for (low, high), (index_low, index_high) in zip(
        CAI_BREAKPOINTS[pollutant], CAI_INDEX_RANGES, strict=True
    ):
        if concentration <= high:
            value = index_low + (index_high - index_low) / (high - low) * (max(concentration, low) - low)
            return math.ceil(round(value, 6))
    return CAI_INDEX_RANGES[-1][1]


def cai_grade(index: int) -> str:
    """좋음 (0–50), 보통 (51–100), 나쁨 (101–250) or 매우나쁨 (251+)."""
    for grade, (_, high) in zip(CAI_GRADES, CAI_INDEX_RANGES, strict=True):
        if index <= high:
            return grade
    return CAI_GRADES[-1]


@dataclass(frozen=True)
class StationReading:
    """One station's hourly reading (the values both generations of the API carry)."""

    zone: str
    district_code: str
    station: str
    pm10: float
    pm25: float
    o3: float
    no2: float
    co: float
    so2: float
    cai: int
    grade: str
    main_pollutant: str


def station_readings(
    seed: int, pm10_by_district: Mapping[str, float], pm25_by_district: Mapping[str, float]
) -> list[StationReading]:
    """The 25 station readings, in API order, from the district means of the S-DoT sensors.

    Districts without a valid S-DoT mean take the city mean.
    """
    rng = rng_for(seed, "realtimecityair")
    valid_pm10 = [value for value in pm10_by_district.values() if not math.isnan(value)]
    valid_pm25 = [value for value in pm25_by_district.values() if not math.isnan(value)]
    city_pm10 = sum(valid_pm10) / len(valid_pm10) if valid_pm10 else 25.0
    city_pm25 = sum(valid_pm25) / len(valid_pm25) if valid_pm25 else 12.0
    o3_day = float(rng.uniform(0.02, 0.06))
    readings: list[StationReading] = []
    for zone, codes in ZONE_ORDER:
        for code in codes:
            pm10 = pm10_by_district.get(code, math.nan)
            pm25 = pm25_by_district.get(code, math.nan)
            pm10 = float(round((city_pm10 if math.isnan(pm10) else pm10) * float(rng.uniform(1.2, 1.6))))
            pm25 = float(round((city_pm25 if math.isnan(pm25) else pm25) * float(rng.uniform(1.1, 1.5))))
            pollutants = {
                "O3": round(o3_day + float(rng.normal(0, 0.006)), 3),
                "NO2": round(float(rng.uniform(0.006, 0.035)), 3),
                "CO": round(float(rng.uniform(0.2, 0.6)), 1),
                "SO2": round(float(rng.uniform(0.001, 0.005)), 3),
                "PM10": pm10,
                "PM25": pm25,
            }
            pollutants["O3"] = max(0.002, pollutants["O3"])
            sub = {name: cai_subindex(name, value) for name, value in pollutants.items()}
            main = max(sub, key=lambda name: (sub[name], name))
            readings.append(
                StationReading(
                    zone=zone,
                    district_code=code,
                    station=DISTRICT_NAMES[code][0],
                    pm10=pm10,
                    pm25=pm25,
                    o3=pollutants["O3"],
                    no2=pollutants["NO2"],
                    co=pollutants["CO"],
                    so2=pollutants["SO2"],
                    cai=sub[main],
                    grade=cai_grade(sub[main]),
                    main_pollutant=main,
                )
            )
    return readings


def realtimecityair_json(readings: list[StationReading], observed: datetime, *, legacy: bool) -> bytes:
    """The API response (compact UTF-8 JSON, like the real one) under the legacy or current field names."""
    names = LEGACY_FIELDS if legacy else CURRENT_FIELDS
    stamp = observed.strftime("%Y%m%d%H%M")
    rows = [
        dict(
            zip(
                names,
                (
                    stamp,
                    r.zone,
                    r.station,
                    r.pm10,
                    r.pm25,
                    r.o3,
                    r.no2,
                    r.co,
                    r.so2,
                    r.grade,
                    float(r.cai),
                    r.main_pollutant,
                ),
                strict=True,
            )
        )
        for r in readings
    ]
    payload = {"RealtimeCityAir": {"list_total_count": len(rows), "RESULT": RESULT_OK, "row": rows}}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
