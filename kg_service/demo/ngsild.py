"""NGSI-LD demo payloads in the FIWARE Smart Data Models shape (arrays of entities, batch-create form).

Files (each a JSON array; every entity carries its own ``@context``):

``ngsild_airqualityobserved_normalized.jsonld`` / ``…_keyvalues.jsonld``
    One ``AirQualityObserved`` per district at the snapshot hour
    (``urn:ngsi-ld:AirQualityObserved:Seoul-11110-20250714T23``): the district station's pollutants
    (RealtimeCityAir) with temperature and relative humidity from the district's representative S-DoT sensor
    (``refDevice``), located at that sensor. Units (normalized form, UN/CEFACT common codes): ``GQ`` ㎍/㎥,
    ``59`` ppm, ``CEL`` ℃, ``C62`` for relative humidity as a fraction 0–1 (the Smart Data Models range).
``ngsild_device_normalized.jsonld``
    One ``Device`` per S-DoT sensor (``urn:ngsi-ld:Device:V02Q1940043``).
``ngsild_weatherobserved_keyvalues.jsonld``
    One ``WeatherObserved`` per S-DoT sensor at the snapshot hour
    (``urn:ngsi-ld:WeatherObserved:Seoul-V02Q1940043-20250714T23``).

``@context`` lists the ETSI core context and the model's Smart Data Models context by their standard remote
URLs (:data:`CONTEXTS`); the service resolves them from local copies and never fetches them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import numpy as np
import polars as pl
from numpy.typing import NDArray

from kg_service.demo.air import StationReading
from kg_service.reference.seoul_areas import DISTRICT_NAMES

__all__ = [
    "CONTEXTS",
    "CORE_CONTEXT",
    "airquality_entities",
    "device_entities",
    "dump_entities",
    "weather_entities",
]

CORE_CONTEXT: Final = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
#: The ``@context`` of each entity type, as listed in the Smart Data Models examples.
CONTEXTS: Final[Mapping[str, tuple[str, ...]]] = {
    "AirQualityObserved": (
        CORE_CONTEXT,
        "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld",
    ),
    "Device": (
        CORE_CONTEXT,
        "https://raw.githubusercontent.com/smart-data-models/dataModel.Device/master/context.jsonld",
    ),
    "WeatherObserved": (
        CORE_CONTEXT,
        "https://raw.githubusercontent.com/smart-data-models/dataModel.Weather/master/context.jsonld",
    ),
}
SDOT_SOURCE: Final = "https://data.seoul.go.kr/dataList/OA-15969/S/1/datasetView.do"
AIR_SOURCE: Final = "http://openapi.seoul.go.kr:8088/"
OWNER: Final = "https://data.seoul.go.kr/cps/id/department/smart-city-policy"
GRADE_LEVELS: Final = {"좋음": "good", "보통": "moderate", "나쁨": "unhealthy", "매우나쁨": "very unhealthy"}
#: Normalized-form units (UN/CEFACT common codes).
UNIT_CODES: Final = {
    "pm10": "GQ",
    "pm25": "GQ",
    "no2": "59",
    "o3": "59",
    "co": "59",
    "so2": "59",
    "temperature": "CEL",
    "relativeHumidity": "C62",
}


def _entity_id(kind: str, local: str) -> str:
    return f"urn:ngsi-ld:{kind}:{local}"


def _address(district_code: str, dong_name: str | None = None) -> dict[str, str]:
    address = {
        "addressCountry": "KR",
        "addressRegion": "서울특별시",
        "addressLocality": DISTRICT_NAMES[district_code][0],
    }
    if dong_name:
        address["district"] = dong_name
    address["type"] = "PostalAddress"
    return address


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def _normalize(
    entity: Mapping[str, Any], relationships: Sequence[str] = (), geo: Sequence[str] = ("location",)
) -> dict[str, Any]:
    """Turn a key-values entity into the normalized form (Property / Relationship / GeoProperty)."""
    out: dict[str, Any] = {}
    for key, value in entity.items():
        if key in ("id", "type", "@context"):
            out[key] = value
        elif key in relationships:
            out[key] = {"type": "Relationship", "object": value}
        elif key in geo:
            out[key] = {"type": "GeoProperty", "value": value}
        else:
            prop: dict[str, Any] = {"type": "Property", "value": value}
            if key in UNIT_CODES:
                prop["unitCode"] = UNIT_CODES[key]
            out[key] = prop
    return out


def _valid(value: float) -> bool:
    return not math.isnan(value) and value >= 0


def _local_stamp(observed: datetime) -> str:
    return observed.strftime("%Y%m%dT%H")


def _iso(observed: datetime) -> str:
    return observed.strftime("%Y-%m-%dT%H:%M:%S+09:00")


def representative_sensors(sensors: pl.DataFrame, temp: NDArray[np.float64]) -> dict[str, int]:
    """For each district, the row of its sensor nearest the district's sensors' mean position with a temperature.

    Falls back to any sensor of the district when none has a temperature at that hour.
    """
    chosen: dict[str, int] = {}
    codes = sensors["district_code"].to_list()
    lats = sensors["lat"].to_numpy()
    lons = sensors["lon"].to_numpy()
    for code in sorted(set(codes)):
        rows = np.array([index for index, value in enumerate(codes) if value == code])
        candidates = rows[~np.isnan(temp[rows])] if (~np.isnan(temp[rows])).any() else rows
        centre_lat, centre_lon = lats[rows].mean(), lons[rows].mean()
        distance = (lats[candidates] - centre_lat) ** 2 + (lons[candidates] - centre_lon) ** 2
        chosen[code] = int(candidates[int(np.argmin(distance))])
    return chosen


def airquality_entities(
    readings: Sequence[StationReading],
    sensors: pl.DataFrame,
    hour_values: Mapping[str, NDArray[np.float64]],
    observed: datetime,
) -> list[dict[str, Any]]:
    """Key-values ``AirQualityObserved`` entities, one per district with a sensor, in station order."""
    representative = representative_sensors(sensors, hour_values["temp"])
    entities: list[dict[str, Any]] = []
    for reading in readings:
        row = representative.get(reading.district_code)
        if row is None:
            continue
        entity: dict[str, Any] = {
            "id": _entity_id("AirQualityObserved", f"Seoul-{reading.district_code}-{_local_stamp(observed)}"),
            "type": "AirQualityObserved",
            "dateObserved": _iso(observed),
            "location": _point(float(sensors["lon"][row]), float(sensors["lat"][row])),
            "address": _address(reading.district_code),
            "areaServed": reading.station,
            "pm10": reading.pm10,
            "pm25": reading.pm25,
            "no2": reading.no2,
            "o3": reading.o3,
            "co": reading.co,
            "so2": reading.so2,
        }
        temp = float(hour_values["temp"][row])
        humi = float(hour_values["humi"][row])
        if not math.isnan(temp):
            entity["temperature"] = round(temp, 2)
        if _valid(humi):
            entity["relativeHumidity"] = round(humi / 100.0, 4)
        entity.update(
            {
                "airQualityIndex": reading.cai,
                "airQualityLevel": GRADE_LEVELS[reading.grade],
                "refDevice": _entity_id("Device", str(sensors["serial"][row])),
                "typeOfLocation": "outdoor",
                "source": AIR_SOURCE,
                "@context": list(CONTEXTS["AirQualityObserved"]),
            }
        )
        entities.append(entity)
    return entities


def airquality_normalized(entities: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The normalized form of :func:`airquality_entities`."""
    return [_normalize(entity, relationships=("refDevice",)) for entity in entities]


def device_entities(sensors: pl.DataFrame) -> list[dict[str, Any]]:
    """Normalized ``Device`` entities, one per S-DoT sensor, sorted by serial."""
    entities: list[dict[str, Any]] = []
    for record in sensors.iter_rows(named=True):
        controlled = ["temperature", "humidity", "airPollution", "illuminance", "noiseLevel"]
        if record["has_wind"]:
            controlled += ["windSpeed", "windDirection"]
        serial = str(record["serial"])
        entity: dict[str, Any] = {
            "id": _entity_id("Device", serial),
            "type": "Device",
            "name": f"S-DoT {serial}",
            "serialNumber": serial,
            "deviceCategory": ["sensor"],
            "controlledProperty": controlled,
            "deviceState": "ok",
            "location": _point(float(record["lon"]), float(record["lat"])),
            "address": _address(str(record["district_code"]), str(record["dong_name"])),
            "refDeviceModel": _entity_id("DeviceModel", "SDOT001"),
            "owner": [OWNER],
            "source": SDOT_SOURCE,
            "@context": list(CONTEXTS["Device"]),
        }
        entities.append(_normalize(entity, relationships=("refDeviceModel",)))
    return entities


def weather_entities(
    sensors: pl.DataFrame, hour_values: Mapping[str, NDArray[np.float64]], observed: datetime
) -> list[dict[str, Any]]:
    """Key-values ``WeatherObserved`` entities, one per sensor, sorted by serial; blank readings left out."""
    entities: list[dict[str, Any]] = []
    for row, record in enumerate(sensors.iter_rows(named=True)):
        serial = str(record["serial"])
        entity: dict[str, Any] = {
            "id": _entity_id("WeatherObserved", f"Seoul-{serial}-{_local_stamp(observed)}"),
            "type": "WeatherObserved",
            "dateObserved": _iso(observed),
            "location": _point(float(record["lon"]), float(record["lat"])),
            "address": _address(str(record["district_code"]), str(record["dong_name"])),
        }
        temp = float(hour_values["temp"][row])
        if not math.isnan(temp):
            entity["temperature"] = round(temp, 2)
        humi = float(hour_values["humi"][row])
        if _valid(humi):
            entity["relativeHumidity"] = round(humi / 100.0, 4)
        lux = float(hour_values["lux"][row])
        if _valid(lux):
            entity["illuminance"] = round(lux, 1)
        if record["has_wind"]:
            speed = float(hour_values["wind_speed"][row])
            direction = float(hour_values["wind_dir"][row])
            if _valid(speed):
                entity["windSpeed"] = round(speed, 2)
            if _valid(direction):
                entity["windDirection"] = round(direction, 1)
        entity.update(
            {
                "refDevice": _entity_id("Device", serial),
                "dataProvider": "서울특별시 S-DoT",
                "source": SDOT_SOURCE,
                "@context": list(CONTEXTS["WeatherObserved"]),
            }
        )
        entities.append(entity)
    return entities


def dump_entities(entities: Sequence[Mapping[str, Any]]) -> bytes:
    """A JSON array of entities: UTF-8, two-space indent (like the Smart Data Models examples)."""
    return (json.dumps(list(entities), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
