"""GeoJSON reader: S-Map and department spatial layers (EPSG:5186, 5179 or 4326) as a :class:`SourceTable`.

One row per feature of a FeatureCollection (or the single Feature, or a bare geometry). Columns:

- ``@id``: the feature's ``id`` member, when there is one;
- every ``properties`` key, flattened like the JSON reader (dotted keys, lists as JSON, numbers as written);
- ``geometry``: WKT **in the source CRS** (no transform here; a mapping function does that later), rounded to
  8 decimals for degrees and 3 (millimetres) for projected metres, trailing zeros trimmed;
- ``geometry_type``: ``Point``, ``Polygon``, …;
- ``crs``: the EPSG code as a string, from ``spec.crs``, else the file's ``crs`` member
  (``urn:ogc:def:crs:EPSG::5186``, ``EPSG:5179``, ``urn:ogc:def:crs:OGC:1.3:CRS84`` → ``4326``), else ``4326``.

A feature whose geometry cannot be built, or is not valid (self-intersecting ring, …), keeps its properties,
gets ``geometry`` = ``None`` and a ``geometry`` problem saying why.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import shapely
from shapely.errors import ShapelyError
from shapely.geometry import shape

from kg_service.errors import SourceDataError
from kg_service.mapping.source_spec import SourceSpec
from kg_service.mapping.source_table import SourceTable
from kg_service.mapping.sources.json_source import (
    JsonValue,
    flatten_object,
    load_json,
    scalar_text,
    to_json_text,
    to_plain,
)
from kg_service.mapping.sources.rows import ProblemLog, Row, check_row_limit, empty_table, table_from_rows

ID_COLUMN: Final = "@id"
GEOMETRY_COLUMN: Final = "geometry"
GEOMETRY_TYPE_COLUMN: Final = "geometry_type"
CRS_COLUMN: Final = "crs"
WGS84: Final = 4326

GEOMETRY_TYPES: Final = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}
)
_DEGREE_DECIMALS: Final = 8  # about 1 mm on the ground
_METRE_DECIMALS: Final = 3  # 1 mm

_EPSG_PATTERNS: Final = (
    re.compile(r"^urn:ogc:def:crs:EPSG:[\d.]*:(\d+)$", re.IGNORECASE),
    re.compile(r"^EPSG:+(\d+)$", re.IGNORECASE),
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/(\d+)$", re.IGNORECASE),
)
_CRS84: Final = re.compile(
    r"^(urn:ogc:def:crs:OGC:[\d.]*:CRS84|OGC:CRS84|CRS:84|https?://www\.opengis\.net/def/crs/OGC/[\d.]+/CRS84)$",
    re.IGNORECASE,
)


def epsg_from_crs_name(name: str) -> int | None:
    """The EPSG code named by a GeoJSON ``crs`` name, or ``None`` when it names none we know.

    >>> [epsg_from_crs_name(n) for n in ("urn:ogc:def:crs:EPSG::5186", "EPSG:5179", "urn:ogc:def:crs:OGC:1.3:CRS84")]
    [5186, 5179, 4326]
    >>> epsg_from_crs_name("http://www.opengis.net/def/crs/EPSG/0/5174"), epsg_from_crs_name("Bessel")
    (5174, None)
    """
    text = name.strip()
    if _CRS84.match(text):
        return WGS84
    for pattern in _EPSG_PATTERNS:
        match = pattern.match(text)
        if match:
            return int(match.group(1))
    return None


@lru_cache(maxsize=64)
def _decimals_for(epsg: int) -> int:
    """Rounding for a CRS: degrees keep 8 decimals, metres 3, unknown codes 8."""
    from pyproj import CRS  # imported lazily: pyproj opens its database on first use
    from pyproj.exceptions import CRSError

    try:
        return _DEGREE_DECIMALS if CRS.from_epsg(epsg).is_geographic else _METRE_DECIMALS
    except CRSError:  # an unknown code: the transform will report it; keep full precision meanwhile
        return _DEGREE_DECIMALS


def geometry_wkt(geometry: JsonValue, decimals: int) -> tuple[str | None, str | None, str | None]:
    """``(wkt, geometry type, problem)`` for a GeoJSON geometry object; the problem says why WKT is ``None``.

    >>> geometry_wkt({"type": "Point", "coordinates": [126.9779692, 37.566535]}, 8)
    ('POINT (126.9779692 37.566535)', 'Point', None)
    >>> geometry_wkt({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, 3)[2]
    'Self-intersection[0.5 0.5]'
    """
    if not isinstance(geometry, dict):
        return None, None, "the geometry is not a GeoJSON object"
    kind = geometry.get("type")
    kind_text = kind if isinstance(kind, str) else None
    if kind_text not in GEOMETRY_TYPES:
        return None, kind_text, f"unknown geometry type {kind_text!r}"
    try:
        built = shape(to_plain(geometry))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, ShapelyError) as exc:
        return None, kind_text, f"the coordinates do not form a {kind_text}: {exc}"
    if built.is_empty:
        return None, kind_text, "the geometry has no coordinates"
    if not built.is_valid:
        return None, kind_text, str(shapely.is_valid_reason(built))
    return shapely.to_wkt(built, rounding_precision=decimals, trim=True), kind_text, None


def read_geojson(
    data: bytes, spec: SourceSpec, *, file_name: str, max_rows: int | None = None
) -> SourceTable:
    """Read a GeoJSON FeatureCollection, Feature or bare geometry; one row per feature.

    >>> from kg_service.mapping.source_spec import SourceSpec
    >>> doc = b'{"type": "Feature", "id": 7, "properties": {"UFID": "B1"}, '
    >>> doc += b'"geometry": {"type": "Point", "coordinates": [198000.1234, 551000.5]}, '
    >>> doc += b'"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5186"}}}'
    >>> read_geojson(doc, SourceSpec("geojson"), file_name="b.geojson").frame.rows()
    [('7', 'B1', 'POINT (198000.123 551000.5)', 'Point', '5186', 1)]

    :raises SourceDataError: not JSON, too deep, or not GeoJSON at all.
    :raises LimitExceededError: more than ``max_rows`` features.
    """
    log = ProblemLog(file_name)
    document, decoded = load_json(data, spec.encoding, file_name=file_name, log=log)
    if document is None:
        log.add(
            None, None, None, "empty", f"{file_name} is empty", f"{file_name} 파일이 비어 있습니다", "warning"
        )
        return empty_table(file_name, [], log.finish(), decoded.encoding)
    features = _features(document, file_name=file_name)
    check_row_limit(len(features), max_rows, file_name=file_name)
    epsg = _source_crs(document, spec, log, file_name=file_name)
    decimals = _decimals_for(epsg) if epsg is not None else _DEGREE_DECIMALS
    crs_text = str(epsg) if epsg is not None else None
    rows: list[Row] = []
    for number, feature in enumerate(features, start=1):
        rows.append(_feature_row(feature, number, decimals, crs_text, log))
    if not rows:
        log.add(
            None,
            None,
            None,
            "empty",
            f"{file_name} has no features",
            f"{file_name} 파일에 피처가 없습니다",
            "warning",
        )
    if epsg == WGS84:
        _check_degrees(rows, log, file_name=file_name)
    columns = _column_order(rows)
    return table_from_rows(file_name, rows, columns=columns, problems=log.finish(), encoding=decoded.encoding)


def _features(document: JsonValue, *, file_name: str) -> list[JsonValue]:
    kind = document.get("type") if isinstance(document, dict) else None
    if isinstance(document, dict) and kind == "FeatureCollection":
        features = document.get("features")
        if isinstance(features, list):
            return features
    elif isinstance(document, dict) and kind == "Feature":
        return [document]
    elif isinstance(document, dict) and kind in GEOMETRY_TYPES:
        return [{"type": "Feature", "properties": {}, "geometry": document}]
    raise SourceDataError(
        f"{file_name} is JSON but not GeoJSON: expected a FeatureCollection with a 'features' array, "
        f"a Feature or a geometry (found type {kind!r})",
        f"{file_name}은(는) JSON이지만 GeoJSON이 아닙니다: 'features' 배열이 있는 FeatureCollection, "
        f"Feature 또는 geometry가 필요합니다 (type: {kind!r})",
        hint="export the layer as GeoJSON, or describe the file as kind 'json' with an iterator",
    )


def _source_crs(document: JsonValue, spec: SourceSpec, log: ProblemLog, *, file_name: str) -> int | None:
    declared: int | None = None
    member = document.get("crs") if isinstance(document, dict) else None
    name = None
    if isinstance(member, dict):
        properties = member.get("properties")
        raw_name = properties.get("name") if isinstance(properties, dict) else None
        name = scalar_text(raw_name)
        declared = epsg_from_crs_name(name) if name else None
        if declared is None and spec.crs is None:
            log.add(
                None,
                "crs",
                name or scalar_text(member),
                "crs",
                f"the crs member of {file_name} names no EPSG code this service knows ({name!r}); "
                "coordinates cannot be placed",
                f"{file_name}의 crs 항목에서 알 수 있는 EPSG 코드를 찾지 못했습니다 ({name!r}); "
                "좌표의 위치를 정할 수 없습니다",
            )
            return None
    if spec.crs is not None:
        if declared is not None and declared != spec.crs:
            log.add(
                None,
                "crs",
                name,
                "crs-conflict",
                f"the mapping says EPSG:{spec.crs} but {file_name} declares EPSG:{declared}; "
                f"EPSG:{spec.crs} is used",
                f"매핑은 EPSG:{spec.crs}인데 {file_name}은(는) EPSG:{declared}로 선언합니다; EPSG:{spec.crs}를 사용합니다",
                "warning",
            )
        return spec.crs
    return declared if declared is not None else WGS84


def _feature_row(feature: JsonValue, number: int, decimals: int, crs: str | None, log: ProblemLog) -> Row:
    row: Row = {}
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        log.add(
            number,
            None,
            None,
            "geometry",
            f"feature {number} is not a GeoJSON Feature object",
            f"{number}번째 피처가 GeoJSON Feature 객체가 아닙니다",
        )
        row[CRS_COLUMN] = crs
        return row
    if "id" in feature:
        row[ID_COLUMN] = scalar_text(feature.get("id"))
    properties = feature.get("properties")
    if isinstance(properties, dict):
        flatten_object(properties, row=number, log=log, into=row)
    geometry = feature.get("geometry")
    wkt: str | None = None
    kind: str | None = None
    if geometry is not None:
        wkt, kind, reason = geometry_wkt(geometry, decimals)
        if reason is not None:
            log.add(
                number,
                GEOMETRY_COLUMN,
                to_json_text(geometry)[:200],
                "geometry",
                f"row {number}: the geometry is not usable: {reason}",
                f"{number}행: 도형(geometry)을 사용할 수 없습니다: {reason}",
            )
    row[GEOMETRY_COLUMN] = wkt
    row[GEOMETRY_TYPE_COLUMN] = kind
    row[CRS_COLUMN] = crs
    return row


def _column_order(rows: list[Row]) -> list[str]:
    seen: dict[str, None] = {ID_COLUMN: None} if any(ID_COLUMN in r for r in rows) else {}
    for row in rows:
        for key in row:
            if key not in (GEOMETRY_COLUMN, GEOMETRY_TYPE_COLUMN, CRS_COLUMN):
                seen.setdefault(key, None)
    return [*seen, GEOMETRY_COLUMN, GEOMETRY_TYPE_COLUMN, CRS_COLUMN]


def _check_degrees(rows: list[Row], log: ProblemLog, *, file_name: str) -> None:
    """Warn once when 'EPSG:4326' coordinates are far outside degrees (a Korean TM file without crs)."""
    outside = []
    for number, row in enumerate(rows, start=1):
        wkt = row.get(GEOMETRY_COLUMN)
        if wkt is None:
            continue
        x_min, y_min, x_max, y_max = shapely.from_wkt(wkt).bounds
        if max(abs(x_min), abs(x_max)) > 180 or max(abs(y_min), abs(y_max)) > 90:
            outside.append(number)
    if outside:
        log.add(
            outside[0],
            GEOMETRY_COLUMN,
            rows[outside[0] - 1].get(GEOMETRY_COLUMN),
            "crs-suspect",
            f"{len(outside)} features of {file_name} have coordinates outside longitude/latitude range although "
            "the CRS is EPSG:4326; the file is probably in a projected CRS (e.g. EPSG:5186) without a crs member",
            f"{file_name}의 피처 {len(outside)}개의 좌표가 EPSG:4326 경위도 범위를 벗어납니다; "
            "crs 항목 없이 투영 좌표계(예: EPSG:5186)로 저장된 파일로 보입니다",
        )
