"""Geometry: WKT in any EPSG coordinate system to GeoSPARQL ``geo:wktLiteral`` in WGS84 (CRS84, lon lat).

Coordinates are transformed with pyproj and shapely over arrays: each distinct WKT string of a batch is parsed
and transformed once. Output literals name the CRS explicitly::

    <http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(126.978 37.5665)

Input WKT is read in the traditional GIS axis order (x = easting or longitude, y = northing or latitude), which
is how GeoJSON and Korean GIS exports write it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from typing import Any, Final

import numpy as np
import polars as pl

from kg_service.mapping.function_library.numeric import canonical_decimal
from kg_service.mapping.functions import (
    FunctionInputs,
    FunctionIssue,
    FunctionOutput,
    FunctionSpec,
    Parameter,
    is_blank,
)
from kg_service.mapping.rules import XSD

WKT_LITERAL: Final = "http://www.opengis.net/ont/geosparql#wktLiteral"
CRS84: Final = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
COORDINATE_DIGITS: Final = 7
"""Decimal places kept in transformed coordinates (about 1 cm)."""

SEOUL_BOUNDS: Final = (126.76, 37.41, 127.19, 37.72)
"""A box around Seoul (west, south, east, north) in WGS84, used by ``kgf:inSeoul``."""


def epsg_code(text: str) -> int | None:
    """The EPSG code in ``5186``, ``EPSG:5186`` or ``epsg:5186``; ``None`` when it is not one.

    >>> epsg_code("EPSG:5186"), epsg_code("4326"), epsg_code("WGS84")
    (5186, 4326, None)
    """
    value = text.strip().upper().removeprefix("EPSG:")
    return int(value) if value.isdigit() else None


@cache
def _transformer(epsg: int) -> Any:
    from pyproj import Transformer

    return Transformer.from_crs(epsg, 4326, always_xy=True)


def _to_wgs84(series: pl.Series, epsg: int) -> pl.Series:
    import shapely

    distinct = series.drop_nulls().unique()
    if distinct.is_empty():
        return pl.Series(series.name, [None] * len(series), dtype=pl.String)
    texts = distinct.to_numpy()
    geometries = shapely.from_wkt(texts, on_invalid="ignore")
    if epsg not in (4326, 0):
        transformer = _transformer(epsg)

        def move(coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
            x, y = transformer.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        geometries = shapely.transform(geometries, move)
    wkt = shapely.to_wkt(geometries, rounding_precision=COORDINATE_DIGITS, trim=True)
    valid = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
    mapping = {
        src: f"{CRS84} {text}"
        for src, text, ok in zip(texts.tolist(), wkt.tolist(), valid.tolist(), strict=True)
        if ok
    }
    return series.replace_strict(mapping, default=None, return_dtype=pl.String)


def _wkt_to_wgs84(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("wkt")
    epsg = epsg_code(inputs.constant("epsg", "4326") or "4326") or 4326
    value = source.str.strip_chars().map_batches(lambda s: _to_wgs84(s, epsg), return_dtype=pl.String)
    return FunctionOutput(
        value,
        (
            FunctionIssue(
                mask=lambda _out: ~is_blank(source),
                parameter="wkt",
                code="not-a-geometry",
                message_en=f"'{{value}}' is not a WKT geometry in EPSG:{epsg}",
                message_ko=f"'{{value}}'은(는) EPSG:{epsg} 좌표의 WKT 도형이 아닙니다",
            ),
        ),
    )


def _coordinates(inputs: FunctionInputs) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    lon_src, lat_src = inputs.value("lon"), inputs.value("lat")
    return lon_src, lat_src, canonical_decimal(lon_src), canonical_decimal(lat_src)


def _coordinate_issue(
    source: pl.Expr, parameter: str, label: str, label_ko: str, limit: int
) -> FunctionIssue:
    def mask(_out: pl.Expr) -> pl.Expr:
        degrees = canonical_decimal(source).cast(pl.Float64)
        return ~is_blank(source) & ~degrees.is_between(-limit, limit).fill_null(False)

    return FunctionIssue(
        mask=mask,
        parameter=parameter,
        code="not-a-coordinate",
        message_en=f"'{{value}}' is not a {label} in degrees (WGS84, -{limit}…{limit})",
        message_ko=f"'{{value}}'은(는) WGS84 {label_ko}(-{limit}…{limit}도)가 아닙니다",
    )


def _point_wkt(inputs: FunctionInputs) -> FunctionOutput:
    lon_src, lat_src, lon, lat = _coordinates(inputs)
    in_range = lon.cast(pl.Float64).is_between(-180, 180) & lat.cast(pl.Float64).is_between(-90, 90)
    value = pl.when(in_range).then(
        pl.concat_str([pl.lit(f"{CRS84} POINT("), lon, pl.lit(" "), lat, pl.lit(")")])
    )
    return FunctionOutput(
        value,
        (
            _coordinate_issue(lon_src, "lon", "longitude", "경도", 180),
            _coordinate_issue(lat_src, "lat", "latitude", "위도", 90),
        ),
    )


def _in_seoul(inputs: FunctionInputs) -> FunctionOutput:
    lon_src, _lat_src, lon, lat = _coordinates(inputs)
    west, south, east, north = SEOUL_BOUNDS
    inside = lon.cast(pl.Float64).is_between(west, east) & lat.cast(pl.Float64).is_between(south, north)
    value = pl.when(lon.is_not_null() & lat.is_not_null()).then(
        pl.when(inside).then(pl.lit("true")).otherwise(pl.lit("false"))
    )
    return FunctionOutput(
        value,
        (
            FunctionIssue(
                mask=lambda _out: ~is_blank(lon_src),
                parameter="lon",
                code="not-a-coordinate",
                message_en="'{value}' is not a longitude in degrees",
                message_ko="'{value}'은(는) 경도(도 단위)가 아닙니다",
            ),
        ),
    )


def _check_epsg(constants: Mapping[str, str], _tables: Collection[str]) -> list[tuple[str, str, str]]:
    text = constants.get("epsg")
    if text is None:
        return []
    code = epsg_code(text)
    if code is None:
        return [
            (
                "epsg",
                f"'{text}' is not an EPSG code (write 5186 or EPSG:5186)",
                f"'{text}'은(는) EPSG 코드가 아닙니다",
            )
        ]
    try:
        _transformer(code)
    except Exception:  # pyproj raises CRSError and others for unknown codes
        return [
            (
                "epsg",
                f"EPSG:{code} is not a known coordinate system",
                f"EPSG:{code}은(는) 알 수 없는 좌표계입니다",
            )
        ]
    return []


SPECS: Final = (
    FunctionSpec(
        name="wktToWgs84",
        parameters=(
            Parameter("wkt", description="WKT geometry"),
            Parameter("epsg", role="constant", required=False, description="source EPSG code, default 4326"),
        ),
        body=_wkt_to_wgs84,
        output_datatype=WKT_LITERAL,
        ntriples_safe=True,
        summary_en="WKT in the given EPSG system as a CRS84 geo:wktLiteral (lon lat).",
        summary_ko="주어진 EPSG 좌표계의 WKT를 CRS84 geo:wktLiteral(경도 위도)로 바꿉니다.",
        example='kgf:wktToWgs84("POINT(198000 551000)", 5186) → "<…CRS84> POINT(126.97… 37.56…)"',
        check_constants=_check_epsg,
    ),
    FunctionSpec(
        name="pointWkt",
        parameters=(Parameter("lon"), Parameter("lat")),
        body=_point_wkt,
        output_datatype=WKT_LITERAL,
        ntriples_safe=True,
        summary_en="A WGS84 longitude and latitude as a CRS84 POINT geo:wktLiteral.",
        summary_ko="WGS84 경도·위도를 CRS84 POINT geo:wktLiteral로 만듭니다.",
        example='kgf:pointWkt("126.978", "37.5665") → "<…CRS84> POINT(126.978 37.5665)"',
    ),
    FunctionSpec(
        name="inSeoul",
        parameters=(Parameter("lon"), Parameter("lat")),
        body=_in_seoul,
        output_datatype=XSD + "boolean",
        ntriples_safe=True,
        summary_en="Whether a WGS84 point lies in the box around Seoul (a quick plausibility check).",
        summary_ko="WGS84 좌표가 서울을 둘러싼 사각형 안에 있는지 (간단한 타당성 검사).",
        example='kgf:inSeoul("126.978", "37.5665") → "true"',
    ),
)
