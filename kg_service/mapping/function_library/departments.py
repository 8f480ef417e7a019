"""Functions for the departments' spatial, inventory, NGSI-LD and traffic sources.

- Geometry whose coordinate system is given per row (the GeoJSON reader's ``crs`` column), centroids, lines:
  ``kgf:reprojectWkt``, ``kgf:centroidLongitude``, ``kgf:centroidLatitude``, ``kgf:lineWkt``.
- Cross-checks and required cells: ``kgf:checkDistrict`` (a computed district against the declared one),
  ``kgf:requiredValue`` (a blank cell where a value is needed is a located problem, not a silent gap).
- Lists in one cell (``sdot-environment;smap-buildings``): ``kgf:listItem``. The executor makes one triple per
  item only for list-typed *source* columns, and the CSV/XLSX readers give strings, so a rule reads a cell's
  list item by item: a melt repeats the cell once per position (``position: 1`` … ``position: 12``) and
  ``kgf:listItem`` picks that position's item; a cell with more items than the rule reads is a problem.
- NGSI-LD: ``kgf:ngsiLocalId`` (``urn:ngsi-ld:Device:V02Q1940043`` → ``V02Q1940043``), ``kgf:ngsiType`` (the
  entity's type must expand, through an offline ``@context``, to the type the dataset maps) and
  ``kgf:fromUnitCode`` (a value in a UN/CEFACT unit code converted, exactly, to the observed property's QUDT
  unit: relative humidity ``C62`` 0–1 → per cent ×100, ``61`` ppb → ppm ×0.001).

Every function is vectorised; coordinates are transformed once per distinct WKT and coordinate system.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any, Final, TypeVar

import numpy as np
import polars as pl

from kg_service.mapping.function_library.geometry import COORDINATE_DIGITS, CRS84, WKT_LITERAL, epsg_code
from kg_service.mapping.function_library.numeric import canonical_decimal, decimal_text
from kg_service.mapping.functions import (
    FunctionInputs,
    FunctionIssue,
    FunctionOutput,
    FunctionSpec,
    Parameter,
    is_blank,
)
from kg_service.mapping.rules import XSD

_T = TypeVar("_T")

QUDT_UNIT: Final = "http://qudt.org/vocab/unit/"
_CRS_PREFIX: Final = re.compile(r"^\s*<[^>]*>\s*")
_POINT: Final = re.compile(r"^POINT\s*\(\s*([-+]?[0-9.]+)\s+([-+]?[0-9.]+)\s*\)$", re.IGNORECASE)

UNIT_CONVERSIONS: Final[Mapping[tuple[str, str], str]] = {
    ("GQ", "MicroGM-PER-M3"): "1",
    ("GP", "MicroGM-PER-M3"): "1000",
    ("59", "PPM"): "1",
    ("61", "PPM"): "0.001",
    ("CEL", "DEG_C"): "1",
    ("C62", "PERCENT"): "100",
    ("C62", "UNITLESS"): "1",
    ("P1", "PERCENT"): "1",
    ("MTS", "M-PER-SEC"): "1",
    ("KMH", "KiloM-PER-HR"): "1",
    ("DD", "DEG"): "1",
    ("LUX", "LUX"): "1",
    ("2N", "DeciB"): "1",
}
"""(UN/CEFACT common code, QUDT unit local name) → exact factor. FIWARE Smart Data Models give units as
UN/CEFACT codes (``unitCode``); the ontology's observable properties use QUDT units. ``C62`` ("one") is a
plain ratio: FIWARE's relative humidity is a 0–1 fraction, the ontology's is per cent."""

_FACTOR_SCALE: Final = 3
"""Decimal places of the factors in :data:`UNIT_CONVERSIONS` (0.001 is the finest)."""
_NUMBER_SCALE: Final = 15


# --- geometry ----------------------------------------------------------------------------------------------------


_PROJ_THREAD: list[ThreadPoolExecutor] = []
_PROJ_THREAD_LOCK: Final = threading.Lock()


def _on_proj_thread(function: Callable[..., _T], *args: Any) -> _T:
    """Run ``function`` on the one thread that owns every pyproj object of this module.

    polars calls map_batches functions from its own (non-Python) worker threads; pyproj keeps transformers and
    PROJ contexts per thread and recreating them in such threads crashed the process now and then. One
    long-lived Python thread, started on first use, creates and uses them all.
    """
    with _PROJ_THREAD_LOCK:
        if not _PROJ_THREAD:
            _PROJ_THREAD.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="kgf-pyproj"))
        executor = _PROJ_THREAD[0]
    return executor.submit(function, *args).result()


@cache
def _transformer(epsg: int) -> Any:
    """The transformer from EPSG:``epsg`` to WGS84 (lon, lat); only called on the pyproj thread."""
    from pyproj import Transformer

    return Transformer.from_crs(epsg, 4326, always_xy=True)


def _project(epsg: int, coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    x, y = _transformer(epsg).transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def _can_transform(epsg: int) -> bool:
    try:
        _transformer(epsg)
    except Exception:  # pyproj raises CRSError and others for unknown codes
        return False
    return True


@cache
def known_epsg(epsg: int) -> bool:
    """Whether pyproj knows the EPSG code (as a source for a transform to WGS84).

    >>> known_epsg(5186), known_epsg(4326), known_epsg(999999)
    (True, True, False)
    """
    return _on_proj_thread(_can_transform, epsg)


def _epsg_of(text: str | None) -> int | None:
    """The EPSG code of a ``crs`` cell; blank means EPSG:4326 (GeoJSON's default)."""
    if text is None or not text.strip():
        return 4326
    return epsg_code(text)


def _crs_known(series: pl.Series) -> pl.Series:
    known: dict[str, bool] = {}
    for text in series.drop_nulls().unique().to_list():
        code = _epsg_of(text)
        known[text] = code is not None and known_epsg(code)
    return series.replace_strict(known, default=True, return_dtype=pl.Boolean)


def _reproject_group(texts: list[str], epsg: int) -> list[str | None]:
    """CRS84 WKT for distinct WKT texts in one EPSG system (``None`` where a text is not a usable geometry)."""
    import shapely

    geometries = shapely.from_wkt(np.asarray([t.strip() for t in texts], dtype=object), on_invalid="ignore")
    if epsg != 4326:
        geometries = shapely.transform(geometries, lambda coords: _on_proj_thread(_project, epsg, coords))
    usable = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
    wkt = shapely.to_wkt(geometries, rounding_precision=COORDINATE_DIGITS, trim=True)
    result: list[str | None] = []
    for geometry, text, ok in zip(geometries.tolist(), wkt.tolist(), usable.tolist(), strict=True):
        finite = ok and bool(np.isfinite(shapely.get_coordinates(geometry)).all())
        result.append(f"{CRS84} {text}" if finite else None)
    return result


def _reproject_batch(pairs: pl.Series) -> pl.Series:
    frame = pairs.struct.unnest()
    frame.columns = ["wkt", "crs"]
    found: dict[tuple[str, str | None], str | None] = {}
    distinct = frame.unique(maintain_order=True).drop_nulls("wkt")
    for crs in distinct["crs"].unique(maintain_order=True).to_list():
        code = _epsg_of(crs)
        if code is None or not known_epsg(code):
            continue
        texts = distinct.filter(pl.col("crs").eq_missing(crs))["wkt"].to_list()
        for text, wkt in zip(texts, _reproject_group(texts, code), strict=True):
            found[(text, crs)] = wkt
    values = [None if wkt is None else found.get((wkt, crs)) for wkt, crs in frame.iter_rows()]
    return pl.Series(pairs.name, values, dtype=pl.String)


def _reproject(inputs: FunctionInputs) -> FunctionOutput:
    wkt, crs = inputs.value("wkt"), inputs.value("crs")
    value = pl.struct([wkt.alias("wkt"), crs.alias("crs")]).map_batches(
        _reproject_batch, return_dtype=pl.String
    )

    def crs_known() -> pl.Expr:
        return crs.map_batches(_crs_known, return_dtype=pl.Boolean).fill_null(True)

    return FunctionOutput(
        value,
        (
            FunctionIssue(
                mask=lambda _out: ~crs_known(),
                parameter="crs",
                code="unknown-crs",
                message_en="'{value}' is not an EPSG coordinate system this service knows (for example 5186, 5179, 4326)",
                message_ko="'{value}'은(는) 알 수 있는 EPSG 좌표계가 아닙니다 (예: 5186, 5179, 4326)",
            ),
            FunctionIssue(
                mask=lambda _out: ~is_blank(wkt) & crs_known(),
                parameter="wkt",
                code="not-a-geometry",
                message_en="'{value}' is not a WKT geometry in the file's coordinate system",
                message_ko="'{value}'은(는) 파일 좌표계의 WKT 도형이 아닙니다",
            ),
        ),
    )


def _decimal_text(value: float) -> str:
    """A coordinate as canonical xsd:decimal text with at most :data:`COORDINATE_DIGITS` decimals."""
    text = f"{value:.{COORDINATE_DIGITS}f}".rstrip("0")
    text = text + "0" if text.endswith(".") else text
    return "0.0" if text in ("-0.0", "0.0") else text


def _written_coordinates(bare: list[str], axis: int) -> list[str | None]:
    """For each WKT, the coordinate of a ``POINT (x y)`` exactly as written (canonical decimal); ``None`` for
    other geometries. A point's centroid is the point itself: reading the text avoids any rounding."""
    written = pl.Series(
        "w", [(m.group(axis + 1) if (m := _POINT.match(t)) else None) for t in bare], pl.String
    )
    return pl.DataFrame({"w": written}).select(canonical_decimal(pl.col("w"))).to_series().to_list()


def _centroid_batch(series: pl.Series, axis: int) -> pl.Series:
    import shapely

    distinct = series.drop_nulls().unique()
    if distinct.is_empty():
        return pl.Series(series.name, [None] * len(series), dtype=pl.String)
    texts = distinct.to_list()
    bare = [_CRS_PREFIX.sub("", t).strip() for t in texts]
    geometries = shapely.from_wkt(np.asarray(bare, dtype=object), on_invalid="ignore")
    usable = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
    centroids = shapely.centroid(geometries)
    exact = _written_coordinates(bare, axis)
    mapping: dict[str, str] = {}
    for text, written, point, ok in zip(texts, exact, centroids.tolist(), usable.tolist(), strict=True):
        if not ok:
            continue
        if written is not None:
            mapping[text] = written
            continue
        coordinate = float(shapely.get_coordinates(point)[0][axis])
        if np.isfinite(coordinate):
            mapping[text] = _decimal_text(coordinate)
    return series.replace_strict(mapping, default=None, return_dtype=pl.String)


def _centroid(axis: int) -> Callable[[FunctionInputs], FunctionOutput]:
    def body(inputs: FunctionInputs) -> FunctionOutput:
        wkt = inputs.value("wkt")
        value = wkt.map_batches(lambda s: _centroid_batch(s, axis), return_dtype=pl.String)
        return FunctionOutput(
            value,
            (
                FunctionIssue(
                    mask=lambda _out: ~is_blank(wkt),
                    parameter="wkt",
                    code="not-a-geometry",
                    message_en="'{value}' is not a WGS84 WKT geometry",
                    message_ko="'{value}'은(는) WGS84 WKT 도형이 아닙니다",
                ),
            ),
        )

    return body


def _coordinate_issue(source: pl.Expr, parameter: str, limit: int) -> FunctionIssue:
    def mask(_out: pl.Expr) -> pl.Expr:
        degrees = canonical_decimal(source).cast(pl.Float64)
        return ~is_blank(source) & ~degrees.is_between(-limit, limit).fill_null(False)

    label, label_ko = ("longitude", "경도") if limit == 180 else ("latitude", "위도")
    return FunctionIssue(
        mask=mask,
        parameter=parameter,
        code="not-a-coordinate",
        message_en=f"'{{value}}' is not a {label} in degrees (WGS84, -{limit}…{limit})",
        message_ko=f"'{{value}}'은(는) WGS84 {label_ko}(-{limit}…{limit}도)가 아닙니다",
    )


def _line_wkt(inputs: FunctionInputs) -> FunctionOutput:
    names = ("startLon", "startLat", "endLon", "endLat")
    sources = [inputs.value(name) for name in names]
    parsed = [canonical_decimal(source) for source in sources]
    limits = (180, 90, 180, 90)
    in_range = pl.all_horizontal(
        [p.cast(pl.Float64).is_between(-limit, limit) for p, limit in zip(parsed, limits, strict=True)]
    )
    start_lon, start_lat, end_lon, end_lat = parsed
    pieces = [pl.lit(f"{CRS84} LINESTRING ("), start_lon, pl.lit(" "), start_lat, pl.lit(", ")]
    text = pl.concat_str([*pieces, end_lon, pl.lit(" "), end_lat, pl.lit(")")])
    return FunctionOutput(
        pl.when(in_range).then(text),
        tuple(
            _coordinate_issue(source, name, limit)
            for source, name, limit in zip(sources, names, limits, strict=True)
        ),
    )


# --- cross-checks and required cells -----------------------------------------------------------------------------


def _check_district(inputs: FunctionInputs) -> FunctionOutput:
    code, declared = inputs.value("code"), inputs.value("declared")
    declared_text = declared.str.strip_chars()
    agrees = is_blank(declared) | (code == declared_text)
    value = pl.when(~is_blank(code) & agrees).then(code)
    return FunctionOutput(
        value,
        (
            FunctionIssue(
                mask=lambda _out: ~is_blank(code) & ~is_blank(declared) & (code != declared_text),
                parameter="declared",
                code="district-mismatch",
                message_en="the declared district code '{value}' is not the district the coordinates lie in",
                message_ko="적힌 자치구 코드 '{value}'이(가) 좌표가 속한 자치구와 다릅니다",
                severity="warning",
            ),
        ),
    )


def _required_value(inputs: FunctionInputs) -> FunctionOutput:
    value, owner = inputs.value("value"), inputs.value("of")
    return FunctionOutput(
        pl.when(~is_blank(value)).then(value.str.strip_chars()),
        (
            FunctionIssue(
                mask=lambda _out: is_blank(value) & ~is_blank(owner),
                parameter="value",
                code="missing-value",
                message_en="this cell is empty, but a value is required",
                message_ko="이 칸이 비어 있지만 값이 꼭 있어야 합니다",
            ),
        ),
    )


# --- lists in one cell -------------------------------------------------------------------------------------------


def _items(expr: pl.Expr, separator: str) -> pl.Expr:
    parts = expr.str.split(separator).list.eval(pl.element().str.strip_chars())
    return parts.list.eval(pl.element().filter(pl.element() != ""))


def _list_item(inputs: FunctionInputs) -> FunctionOutput:
    source, position = inputs.value("list"), inputs.value("position")
    limit = int(inputs.constant("limit", "1") or "1")
    separator = inputs.constant("separator", ";") or ";"
    items = _items(source, separator)
    count = items.list.len()
    index = position.str.strip_chars().cast(pl.Int64, strict=False)
    good_index = index.is_not_null() & (index >= 1)
    value = pl.when(good_index & (count <= limit)).then(items.list.get(index - 1, null_on_oob=True))
    return FunctionOutput(
        value,
        (
            FunctionIssue(
                mask=lambda _out: ~is_blank(source) & (_items(source, separator).list.len() > limit),
                parameter="list",
                code="too-many-items",
                message_en=f"'{{value}}' lists more than {limit} items ('{separator}'-separated); "
                f"the mapping reads at most {limit}, so none of them was mapped",
                message_ko=f"'{{value}}'에 항목이 {limit}개보다 많습니다('{separator}' 구분); "
                f"매핑은 최대 {limit}개까지 읽으므로 하나도 변환하지 않았습니다",
            ),
            FunctionIssue(
                mask=lambda _out: (
                    ~is_blank(source)
                    & ~(position.str.strip_chars().cast(pl.Int64, strict=False) >= 1).fill_null(False)
                ),
                parameter="position",
                code="not-a-position",
                message_en="'{value}' is not a list position (1, 2, 3, …)",
                message_ko="'{value}'은(는) 목록의 위치(1, 2, 3, …)가 아닙니다",
            ),
        ),
    )


def _check_list(constants: Mapping[str, str], _tables: Collection[str]) -> list[tuple[str, str, str]]:
    problems: list[tuple[str, str, str]] = []
    limit = constants.get("limit", "")
    if not limit.strip().isdigit() or int(limit) < 1:
        problems.append(
            ("limit", f"'{limit}' is not a positive whole number", f"'{limit}'은(는) 양의 정수가 아닙니다")
        )
    separator = constants.get("separator")
    if separator is not None and separator == "":
        problems.append(("separator", "the separator is empty", "구분자가 비어 있습니다"))
    return problems


# --- NGSI-LD -----------------------------------------------------------------------------------------------------


def _ngsi_local_id(inputs: FunctionInputs) -> FunctionOutput:
    urn = inputs.value("urn")
    entity_type = inputs.constant("type", "") or ""
    pattern = rf"(?i:^\s*urn:ngsi-ld:){re.escape(entity_type)}:(\S+?)\s*$"
    return FunctionOutput(
        urn.str.extract(pattern, 1),
        (
            FunctionIssue(
                mask=lambda _out: ~is_blank(urn),
                parameter="urn",
                code="not-an-ngsi-id",
                message_en=f"'{{value}}' is not an NGSI-LD id of a {entity_type} (urn:ngsi-ld:{entity_type}:…)",
                message_ko=f"'{{value}}'은(는) {entity_type}의 NGSI-LD ID(urn:ngsi-ld:{entity_type}:…)가 아닙니다",
            ),
        ),
    )


def _check_type_name(constants: Mapping[str, str], _tables: Collection[str]) -> list[tuple[str, str, str]]:
    name = constants.get("type", "")
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        return []
    return [
        (
            "type",
            f"'{name}' is not an NGSI-LD entity type name",
            f"'{name}'은(는) NGSI-LD 개체 유형 이름이 아닙니다",
        )
    ]


def _ngsi_type(inputs: FunctionInputs) -> FunctionOutput:
    type_name, type_iri = inputs.value("type"), inputs.value("typeIri")
    expected = inputs.constant("expected", "") or ""
    short = expected.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return FunctionOutput(
        pl.when(type_iri.str.strip_chars() == expected).then(type_name),
        (
            FunctionIssue(
                mask=lambda _out: ~is_blank(type_name) & is_blank(type_iri),
                parameter="type",
                code="unresolved-entity-type",
                message_en="the entity type '{value}' is not defined by any @context available offline "
                "(an unknown or missing @context); the entity was not mapped",
                message_ko="개체 유형 '{value}'을(를) 오프라인으로 쓸 수 있는 어떤 @context도 정의하지 않습니다 "
                "(알 수 없거나 빠진 @context); 이 개체는 변환하지 않았습니다",
            ),
            FunctionIssue(
                mask=lambda _out: ~is_blank(type_name) & ~is_blank(type_iri),
                parameter="type",
                code="unexpected-entity-type",
                message_en=f"the entity type '{{value}}' is not {short} ({expected}); this dataset maps only "
                f"{short} entities",
                message_ko=f"개체 유형 '{{value}}'은(는) {short}({expected})이(가) 아닙니다; 이 데이터셋은 "
                f"{short} 개체만 변환합니다",
            ),
        ),
    )


def _check_expected(constants: Mapping[str, str], _tables: Collection[str]) -> list[tuple[str, str, str]]:
    expected = constants.get("expected", "")
    if re.fullmatch(r"https?://\S+", expected):
        return []
    return [("expected", f"'{expected}' is not an absolute IRI", f"'{expected}'은(는) 절대 IRI가 아닙니다")]


def _unit_local(expr: pl.Expr) -> pl.Expr:
    text = expr.str.strip_chars()
    return text.str.strip_prefix(QUDT_UNIT).str.strip_prefix("unit:")


def _from_unit_code(inputs: FunctionInputs) -> FunctionOutput:
    source, code, unit = inputs.value("value"), inputs.value("unitCode"), inputs.value("unit")
    keys = {f"{c}|{u}": factor for (c, u), factor in UNIT_CONVERSIONS.items()}
    key = pl.concat_str([code.str.strip_chars().str.to_uppercase(), pl.lit("|"), _unit_local(unit)])
    factor = key.replace_strict(keys, default=None, return_dtype=pl.String).cast(
        pl.Decimal(38, _FACTOR_SCALE), strict=False
    )
    number = canonical_decimal(source).cast(pl.Decimal(38, _NUMBER_SCALE), strict=False)
    product = (number * factor).cast(pl.Decimal(38, _NUMBER_SCALE + _FACTOR_SCALE), strict=False)
    return FunctionOutput(
        decimal_text(product),
        (
            FunctionIssue(
                mask=lambda _out: ~is_blank(source) & canonical_decimal(source).is_null(),
                parameter="value",
                code="not-a-number",
                message_en="'{value}' is not a decimal number (for example 12.5)",
                message_ko="'{value}'은(는) 십진수(예: 12.5)가 아닙니다",
            ),
            FunctionIssue(
                mask=lambda _out: ~is_blank(source) & canonical_decimal(source).is_not_null(),
                parameter="value",
                code="unit-not-convertible",
                message_en="the unit code of '{value}' cannot be converted to the observed property's unit "
                "(see kgf:fromUnitCode in mappings/README.md)",
                message_ko="'{value}'의 단위 코드는 관측 속성의 단위로 바꿀 수 없습니다 "
                "(mappings/README.md의 kgf:fromUnitCode 참고)",
            ),
        ),
    )


def convert_from_unit_code(value: str, unit_code: str, unit: str) -> str | None:
    """Plain-Python form of ``kgf:fromUnitCode`` for one value (tests and documentation).

    >>> convert_from_unit_code("0.8363", "C62", "PERCENT"), convert_from_unit_code("12", "61", "unit:PPM")
    ('83.63', '0.012')
    >>> convert_from_unit_code("1", "XYZ", "PPM") is None
    True
    """
    frame = pl.DataFrame({"v": [value], "c": [unit_code], "u": [unit]})
    output = _from_unit_code(
        FunctionInputs(
            values={"value": (pl.col("v"),), "unitCode": (pl.col("c"),), "unit": (pl.col("u"),)}, constants={}
        )
    )
    result: str | None = frame.select(output.value).to_series()[0]
    return result


# --- the specs ---------------------------------------------------------------------------------------------------

_DECIMAL: Final = XSD + "decimal"

SPECS: Final = (
    FunctionSpec(
        name="reprojectWkt",
        parameters=(
            Parameter("wkt", description="WKT geometry in the row's coordinate system"),
            Parameter("crs", description="EPSG code of the row (5186, EPSG:5186); blank = 4326"),
        ),
        body=_reproject,
        output_datatype=WKT_LITERAL,
        ntriples_safe=True,
        summary_en="WKT in the EPSG system named per row (the GeoJSON reader's crs column) as a CRS84 "
        "geo:wktLiteral (lon lat, 7 decimals).",
        summary_ko="행마다 주어진 EPSG 좌표계(GeoJSON의 crs 열)의 WKT를 CRS84 geo:wktLiteral(경도 위도, 소수 7자리)로 바꿉니다.",
        example='kgf:reprojectWkt("POINT (198000 551000)", "5186") → "<…CRS84> POINT (126.97… 37.56…)"',
    ),
    FunctionSpec(
        name="centroidLongitude",
        parameters=(Parameter("wkt", description="WGS84 WKT (a CRS84 geo:wktLiteral or plain WKT)"),),
        body=_centroid(0),
        output_datatype=_DECIMAL,
        ntriples_safe=True,
        summary_en="The longitude of a WGS84 geometry's centroid (a line's midpoint for a two-point line), 7 "
        "decimals; a POINT's longitude exactly as written.",
        summary_ko="WGS84 도형 중심점의 경도 (두 점 선은 중점).",
        example='kgf:centroidLongitude("LINESTRING (126.97 37.56, 126.99 37.58)") → "126.98"',
    ),
    FunctionSpec(
        name="centroidLatitude",
        parameters=(Parameter("wkt", description="WGS84 WKT (a CRS84 geo:wktLiteral or plain WKT)"),),
        body=_centroid(1),
        output_datatype=_DECIMAL,
        ntriples_safe=True,
        summary_en="The latitude of a WGS84 geometry's centroid (a line's midpoint for a two-point line), 7 "
        "decimals; a POINT's latitude exactly as written.",
        summary_ko="WGS84 도형 중심점의 위도 (두 점 선은 중점).",
        example='kgf:centroidLatitude("POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))") → "1.0"',
    ),
    FunctionSpec(
        name="lineWkt",
        parameters=(Parameter("startLon"), Parameter("startLat"), Parameter("endLon"), Parameter("endLat")),
        body=_line_wkt,
        output_datatype=WKT_LITERAL,
        ntriples_safe=True,
        summary_en="A WGS84 line from a start and an end longitude/latitude as a CRS84 LINESTRING geo:wktLiteral.",
        summary_ko="시작·끝 WGS84 경도·위도로 CRS84 LINESTRING geo:wktLiteral을 만듭니다.",
        example='kgf:lineWkt("126.97", "37.58", "126.98", "37.59") → "<…CRS84> LINESTRING (126.97 37.58, 126.98 37.59)"',
    ),
    FunctionSpec(
        name="checkDistrict",
        parameters=(
            Parameter("code", description="district code computed from coordinates (kgf:districtCode)"),
            Parameter("declared", description="district code the file declares (SIG_CD, 자치구코드)"),
        ),
        body=_check_district,
        summary_en="The computed district code when the declared one agrees or is blank; otherwise no value and "
        "a district-mismatch warning on the declared cell.",
        summary_ko="계산한 자치구 코드가 적힌 코드와 같거나 적힌 코드가 비었으면 그 코드, 다르면 값 없음과 "
        "district-mismatch 경고.",
        example='kgf:checkDistrict("11110", "11140") → (none, warning)',
    ),
    FunctionSpec(
        name="requiredValue",
        parameters=(
            Parameter("value", description="the cell that must not be blank"),
            Parameter("of", description="the row's identifier: the check applies when it is present"),
        ),
        body=_required_value,
        summary_en="The trimmed value; a blank cell in a row whose identifier is present is a missing-value error.",
        summary_ko="앞뒤 공백을 뺀 값. 식별자가 있는 행에서 칸이 비었으면 missing-value 오류.",
        example='kgf:requiredValue("", "SYS-0001") → (none, error)',
    ),
    FunctionSpec(
        name="listItem",
        parameters=(
            Parameter("list", description="a cell holding a separated list"),
            Parameter("position", description="1-based position (a melt constant)"),
            Parameter("limit", role="constant", description="the most items the rule reads from one cell"),
            Parameter("separator", role="constant", required=False, description="default ';'"),
        ),
        body=_list_item,
        summary_en="The item at a 1-based position of a separated list (trimmed, empty items skipped); a cell "
        "with more than limit items gives no value and a too-many-items error.",
        summary_ko="구분자로 나눈 목록의 n번째 항목(앞뒤 공백 제거, 빈 항목 제외). 항목이 limit보다 많으면 값 "
        "없음과 too-many-items 오류.",
        example='kgf:listItem("s-dot; big-data", "2", 4) → "big-data"',
        check_constants=_check_list,
    ),
    FunctionSpec(
        name="ngsiLocalId",
        parameters=(
            Parameter("urn", description="an NGSI-LD entity id"),
            Parameter("type", role="constant", description="the entity type in the id, e.g. Device"),
        ),
        body=_ngsi_local_id,
        summary_en="The local part of an NGSI-LD id of the given type (urn:ngsi-ld:Device:V02Q1940043 → V02Q1940043).",
        summary_ko="주어진 유형의 NGSI-LD ID에서 고유 부분(urn:ngsi-ld:Device:V02Q1940043 → V02Q1940043).",
        example='kgf:ngsiLocalId("urn:ngsi-ld:Device:V02Q1940043", Device) → "V02Q1940043"',
        check_constants=_check_type_name,
    ),
    FunctionSpec(
        name="ngsiType",
        parameters=(
            Parameter("type", description="the entity's type as written"),
            Parameter(
                "typeIri", description="the type expanded through the @context (the reader's type_iri)"
            ),
            Parameter("expected", role="constant", description="the type IRI the dataset maps"),
        ),
        body=_ngsi_type,
        summary_en="The entity type when it expands to the expected IRI; an unknown @context or another type is an "
        "error on the type cell (the entity is not mapped).",
        summary_ko="개체 유형이 기대한 IRI로 확장되면 그 유형. 알 수 없는 @context나 다른 유형은 type 칸의 오류"
        "(개체를 변환하지 않음).",
        example='kgf:ngsiType("Device", "https://smartdatamodels.org/dataModel.Device/Device", <…/Device>) → "Device"',
        check_constants=_check_expected,
    ),
    FunctionSpec(
        name="fromUnitCode",
        parameters=(
            Parameter("value", description="the number"),
            Parameter("unitCode", description="its UN/CEFACT unit code (GQ, 59, CEL, C62, …)"),
            Parameter("unit", description="the target QUDT unit (IRI or unit:local name)"),
        ),
        body=_from_unit_code,
        output_datatype=_DECIMAL,
        ntriples_safe=True,
        summary_en="A value in a UN/CEFACT unit converted exactly to a QUDT unit (C62 → PERCENT ×100, 61 ppb → "
        "PPM ×0.001, GQ → MicroGM-PER-M3, …); an unknown pair is a unit-not-convertible error.",
        summary_ko="UN/CEFACT 단위 코드의 값을 QUDT 단위로 정확히 바꿉니다 (C62 → PERCENT ×100, 61 ppb → PPM "
        "×0.001, GQ → MicroGM-PER-M3 …). 모르는 조합은 unit-not-convertible 오류.",
        example='kgf:fromUnitCode("0.8363", "C62", unit:PERCENT) → "83.63"',
    ),
)
