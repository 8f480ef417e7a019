"""Code look-ups: ``kgf:lookup(value, table)`` with built-in Seoul tables or a table from the rule file.

Built-in tables (their keys are matched after normalising the value):

- ``district-code-by-romanised-name``: ``Dongjak-gu`` (also ``dongjak gu``, ``Dongjak``) → ``11590``;
- ``district-code-by-korean-name``: ``종로구``, ``서울시 종로구``, ``서울특별시 종로구`` → ``11110``;
- ``air-quality-zone``: the five RealtimeCityAir zones (``도심권`` or ``central``) → ``central``,
  ``north-west``, ``north-east``, ``south-west``, ``south-east``.

Tables written in the rule file (``lookups:``) match the trimmed value exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Final

import polars as pl

from kg_service.mapping.functions import (
    FunctionInputs,
    FunctionIssue,
    FunctionOutput,
    FunctionSpec,
    Parameter,
    is_blank,
)

SEOUL_DISTRICTS: Final = (
    ("11110", "종로구", "Jongno-gu"),
    ("11140", "중구", "Jung-gu"),
    ("11170", "용산구", "Yongsan-gu"),
    ("11200", "성동구", "Seongdong-gu"),
    ("11215", "광진구", "Gwangjin-gu"),
    ("11230", "동대문구", "Dongdaemun-gu"),
    ("11260", "중랑구", "Jungnang-gu"),
    ("11290", "성북구", "Seongbuk-gu"),
    ("11305", "강북구", "Gangbuk-gu"),
    ("11320", "도봉구", "Dobong-gu"),
    ("11350", "노원구", "Nowon-gu"),
    ("11380", "은평구", "Eunpyeong-gu"),
    ("11410", "서대문구", "Seodaemun-gu"),
    ("11440", "마포구", "Mapo-gu"),
    ("11470", "양천구", "Yangcheon-gu"),
    ("11500", "강서구", "Gangseo-gu"),
    ("11530", "구로구", "Guro-gu"),
    ("11545", "금천구", "Geumcheon-gu"),
    ("11560", "영등포구", "Yeongdeungpo-gu"),
    ("11590", "동작구", "Dongjak-gu"),
    ("11620", "관악구", "Gwanak-gu"),
    ("11650", "서초구", "Seocho-gu"),
    ("11680", "강남구", "Gangnam-gu"),
    ("11710", "송파구", "Songpa-gu"),
    ("11740", "강동구", "Gangdong-gu"),
)
"""Seoul's 25 autonomous districts (자치구): MOIS code, Korean name, romanised name (GLOSSARY.md)."""

AIR_QUALITY_ZONES: Final = (
    ("도심권", "central"),
    ("서북권", "north-west"),
    ("동북권", "north-east"),
    ("서남권", "south-west"),
    ("동남권", "south-east"),
)
"""The five zones (권역) of RealtimeCityAir and the identifiers used for them."""


def _romanised_key(expr: pl.Expr) -> pl.Expr:
    key = expr.str.strip_chars().str.to_lowercase().str.replace_all(r"[\s\-_]", "")
    return pl.when(key.str.ends_with("gu")).then(key).otherwise(pl.concat_str([key, pl.lit("gu")]))


def _korean_key(expr: pl.Expr) -> pl.Expr:
    key = expr.str.strip_chars().str.replace(r"^(?:서울특별시|서울시|서울)\s*", "").str.replace_all(r"\s", "")
    return pl.when(key.str.ends_with("구")).then(key).otherwise(pl.concat_str([key, pl.lit("구")]))


def _zone_key(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.to_lowercase().str.replace_all(r"[\s_]", "-")


def _exact_key(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars()


BUILT_IN_TABLES: Final[dict[str, tuple[Callable[[pl.Expr], pl.Expr], dict[str, str]]]] = {
    "district-code-by-romanised-name": (
        _romanised_key,
        {name.lower().replace("-", ""): code for code, _, name in SEOUL_DISTRICTS},
    ),
    "district-code-by-korean-name": (_korean_key, {name: code for code, name, _ in SEOUL_DISTRICTS}),
    "air-quality-zone": (
        _zone_key,
        {**dict(AIR_QUALITY_ZONES), **{en: en for _, en in AIR_QUALITY_ZONES}},
    ),
}


def _lookup(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    table = inputs.constant("table") or ""
    normalise: Callable[[pl.Expr], pl.Expr]
    entries: dict[str, str]
    if table in inputs.lookups:
        normalise, entries = _exact_key, dict(inputs.lookups[table])
    else:
        normalise, entries = BUILT_IN_TABLES[table]
    value = normalise(source).replace_strict(entries, default=None, return_dtype=pl.String)
    return FunctionOutput(
        value,
        (
            FunctionIssue(
                mask=lambda _out: ~is_blank(source),
                parameter="value",
                code="not-in-code-table",
                message_en=f"'{{value}}' is not in the code table '{table}'",
                message_ko=f"'{{value}}'은(는) 코드표 '{table}'에 없습니다",
            ),
        ),
    )


def _check_table(constants: Mapping[str, str], tables: Collection[str]) -> list[tuple[str, str, str]]:
    table = constants.get("table")
    if table is None or table in tables or table in BUILT_IN_TABLES:
        return []
    known = ", ".join(sorted({*tables, *BUILT_IN_TABLES}))
    return [
        (
            "table",
            f"unknown code table '{table}' (known: {known})",
            f"알 수 없는 코드표 '{table}' (사용 가능: {known})",
        )
    ]


SPECS: Final = (
    FunctionSpec(
        name="lookup",
        parameters=(
            Parameter("value"),
            Parameter("table", role="constant", description="a built-in table or one under lookups:"),
        ),
        body=_lookup,
        summary_en="Translates a code or name with a built-in Seoul table or a table of the rule file.",
        summary_ko="내장 서울 코드표나 규칙 파일의 코드표로 코드·이름을 바꿉니다.",
        example='kgf:lookup("Dongjak-gu", district-code-by-romanised-name) → "11590"',
        check_constants=_check_table,
    ),
)
