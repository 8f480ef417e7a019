"""Administrative areas of a point: ``kgf:districtCode`` (자치구, 5 digits) and ``kgf:dongCode`` (법정동, 8 digits).

Points are WGS84 longitude and latitude. The look-up uses :class:`kg_service.spatial.AreaIndex` over the
reference boundaries: the index passed to ``execute(..., area_index=…)``, else the committed reference file
(loaded on first use). Each distinct coordinate pair of a batch is looked up once, vectorised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

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

if TYPE_CHECKING:
    from kg_service.spatial import AreaIndex


def _index(given: AreaIndex | None) -> AreaIndex:
    if given is not None:
        return given
    from kg_service.spatial import default_area_index

    return default_area_index()


def _codes(points: pl.Series, kind: str, given: AreaIndex | None) -> pl.Series:
    frame = points.struct.unnest()
    frame.columns = ["lon", "lat"]
    frame = frame.with_columns(
        pl.col("lon").cast(pl.Float64, strict=False), pl.col("lat").cast(pl.Float64, strict=False)
    )
    distinct = frame.unique(maintain_order=True).drop_nulls()
    if distinct.is_empty():
        return pl.Series(points.name, [None] * len(points), dtype=pl.String)
    found = _index(given).areas_of_many(distinct["lon"].to_numpy(), distinct["lat"].to_numpy())
    codes = found.district_codes if kind == "district" else found.dong_codes
    table = distinct.with_columns(pl.Series("code", codes, dtype=pl.String))
    joined = frame.join(table, on=["lon", "lat"], how="left", maintain_order="left", nulls_equal=False)
    return joined["code"].alias(points.name)


def _area_code(kind: str) -> FunctionSpec:
    def body(inputs: FunctionInputs) -> FunctionOutput:
        lon_src, lat_src = inputs.value("lon"), inputs.value("lat")
        lon, lat = canonical_decimal(lon_src), canonical_decimal(lat_src)
        given = inputs.area_index
        value = pl.struct([lon.alias("lon"), lat.alias("lat")]).map_batches(
            lambda s: _codes(s, kind, given), return_dtype=pl.String
        )
        readable = lon.is_not_null() & lat.is_not_null()
        return FunctionOutput(
            value,
            (
                FunctionIssue(
                    mask=lambda _out: ~is_blank(lon_src) & ~is_blank(lat_src) & ~readable,
                    parameter="lon",
                    code="not-a-coordinate",
                    message_en="'{value}' and its latitude are not WGS84 coordinates in degrees",
                    message_ko="'{value}'와(과) 위도는 WGS84 도 단위 좌표가 아닙니다",
                ),
                FunctionIssue(
                    mask=lambda _out: readable,
                    parameter="lon",
                    code="outside-seoul",
                    message_en=f"the point at longitude '{{value}}' is in no {kind} of Seoul",
                    message_ko=f"경도 '{{value}}'의 지점은 서울의 어느 {'자치구' if kind == 'district' else '법정동'}에도 속하지 않습니다",
                    severity="warning",
                ),
            ),
        )

    korean = "자치구" if kind == "district" else "법정동"
    digits = 5 if kind == "district" else 8
    return FunctionSpec(
        name=f"{kind}Code",
        parameters=(
            Parameter("lon", description="WGS84 longitude"),
            Parameter("lat", description="WGS84 latitude"),
        ),
        body=body,
        summary_en=f"The {digits}-digit code of the {kind} of Seoul a WGS84 point lies in (warning when outside).",
        summary_ko=f"WGS84 좌표가 속한 서울 {korean}의 {digits}자리 코드 (서울 밖이면 경고).",
        example=(
            'kgf:districtCode("126.978", "37.5665") → "11140"'
            if kind == "district"
            else 'kgf:dongCode("126.978", "37.5665") → "11140103"'
        ),
    )


SPECS: Final = (_area_code("district"), _area_code("dong"))
