"""Text: ``kgf:lower``, ``kgf:upper``, ``kgf:trim``, ``kgf:concat``, ``kgf:slug`` and ``kgf:localName``."""

from __future__ import annotations

from typing import Final

import polars as pl

from kg_service.mapping.functions import FunctionInputs, FunctionOutput, FunctionSpec, Parameter


def _lower(inputs: FunctionInputs) -> FunctionOutput:
    return FunctionOutput(inputs.value("value").str.to_lowercase())


def _upper(inputs: FunctionInputs) -> FunctionOutput:
    return FunctionOutput(inputs.value("value").str.to_uppercase())


def _trim(inputs: FunctionInputs) -> FunctionOutput:
    return FunctionOutput(inputs.value("value").str.strip_chars())


def _concat(inputs: FunctionInputs) -> FunctionOutput:
    parts = list(inputs.values.get("value", ()))
    separator = inputs.constant("separator", "") or ""
    if not parts:
        return FunctionOutput(pl.lit(None, dtype=pl.String))
    return FunctionOutput(pl.concat_str(parts, separator=separator))


def slug_of(expr: pl.Expr) -> pl.Expr:
    """Lower-case letters and digits (any script) joined by single hyphens; null when nothing is left.

    >>> pl.DataFrame({"v": ["  Seoul Air / 대기 2020 ", "--"]}).select(slug_of(pl.col("v"))).to_series().to_list()
    ['seoul-air-대기-2020', None]
    """
    text = expr.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "-").str.strip_chars("-")
    return pl.when(text != "").then(text)


def _slug(inputs: FunctionInputs) -> FunctionOutput:
    return FunctionOutput(slug_of(inputs.value("value")))


def _local_name(inputs: FunctionInputs) -> FunctionOutput:
    value = inputs.value("value").str.extract(r"([^/#:]+)$", 1)
    return FunctionOutput(value)


SPECS: Final = (
    FunctionSpec(
        name="lower",
        parameters=(Parameter("value"),),
        body=_lower,
        summary_en="Lower case.",
        summary_ko="소문자로 바꿉니다.",
        example='kgf:lower("Dongjak-gu") → "dongjak-gu"',
    ),
    FunctionSpec(
        name="upper",
        parameters=(Parameter("value"),),
        body=_upper,
        summary_en="Upper case.",
        summary_ko="대문자로 바꿉니다.",
        example='kgf:upper("v02q1940043") → "V02Q1940043"',
    ),
    FunctionSpec(
        name="trim",
        parameters=(Parameter("value"),),
        body=_trim,
        summary_en="Removes leading and trailing whitespace.",
        summary_ko="앞뒤 공백을 없앱니다.",
        example='kgf:trim("  종로구 ") → "종로구"',
    ),
    FunctionSpec(
        name="concat",
        parameters=(
            Parameter("value", repeatable=True),
            Parameter("separator", role="constant", required=False),
        ),
        body=_concat,
        summary_en="Joins the values (null if any is null), with an optional separator.",
        summary_ko="값들을 이어 붙입니다 (하나라도 없으면 없음). 구분자를 줄 수 있습니다.",
        example='kgf:concat("11", "590", separator="") → "11590"',
    ),
    FunctionSpec(
        name="slug",
        parameters=(Parameter("value"),),
        body=_slug,
        summary_en="Lower-case letters and digits joined by hyphens, for identifiers.",
        summary_ko="식별자용으로 소문자·숫자를 하이픈으로 잇습니다.",
        example='kgf:slug("Seoul Air 2020") → "seoul-air-2020"',
    ),
    FunctionSpec(
        name="localName",
        parameters=(Parameter("value"),),
        body=_local_name,
        summary_en="The part of an IRI after its last '#', '/' or ':'.",
        summary_ko="IRI에서 마지막 '#', '/', ':' 뒤의 부분.",
        example='kgf:localName("https://data.seoul.go.kr/cps/ontology#PM10") → "PM10"',
    ),
)

GREL_ALIASES: Final = {
    "toLowerCase": "lower",
    "toUpperCase": "upper",
    "string_trim": "trim",
}
"""GREL function names (``grel:toUpperCase``) accepted for the matching ``kgf:`` function."""
