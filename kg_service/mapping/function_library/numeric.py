"""Numbers: ``kgf:decimal``, ``kgf:nonNegativeDecimal``, ``kgf:integer`` and ``kgf:scale``.

Parsing is done on the text, not through floating point, so ``12.13333333`` stays exactly that. Outputs are in
XSD canonical form: decimals always have a point and at least one digit on each side (``12.0``, ``-3.25``,
``0.5``), integers have no sign ``+`` and no leading zeros. Thousands separators (``1,234.5``) are accepted only in
correct groups of three.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
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
from kg_service.mapping.rules import XSD

_GROUPED: Final = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"
_PLAIN_DECIMAL: Final = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"
_PLAIN_INTEGER: Final = r"^[+-]?\d+(?:\.0*)?$"
SCALE_DIGITS: Final = 18
"""Fractional digits kept by ``kgf:scale`` (values are rounded beyond this)."""


def _ungrouped(text: pl.Expr) -> pl.Expr:
    return (
        pl.when(text.str.contains(_GROUPED)).then(text.str.replace_all(",", "", literal=True)).otherwise(text)
    )


_CANONICAL_DECIMAL: Final = r"^-?(?:0|[1-9]\d*)\.(?:0|\d*[1-9])$"
_CANONICAL_INTEGER: Final = r"^-?(?:0|[1-9]\d*)$"


def _slow_decimal(expr: pl.Expr) -> pl.Expr:
    text = _ungrouped(expr.str.strip_chars())
    body = text.str.strip_chars_start("+-")
    whole = body.str.extract(r"^(\d*)", 1).str.strip_chars_start("0")
    whole = pl.when(whole == "").then(pl.lit("0")).otherwise(whole)
    fraction = body.str.extract(r"\.(\d*)$", 1).fill_null("").str.strip_chars_end("0")
    fraction = pl.when(fraction == "").then(pl.lit("0")).otherwise(fraction)
    negative = text.str.starts_with("-") & ~((whole == "0") & (fraction == "0"))
    sign = pl.when(negative).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.when(text.str.contains(_PLAIN_DECIMAL)).then(
        pl.concat_str([sign, whole, pl.lit("."), fraction])
    )


def _slow_integer(expr: pl.Expr) -> pl.Expr:
    text = _ungrouped(expr.str.strip_chars())
    digits = text.str.extract(r"^[+-]?(\d+)", 1).str.strip_chars_start("0")
    digits = pl.when(digits == "").then(pl.lit("0")).otherwise(digits)
    negative = text.str.starts_with("-") & (digits != "0")
    sign = pl.when(negative).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.when(text.str.contains(_PLAIN_INTEGER)).then(pl.concat_str([sign, digits]))


def _with_fast_path(series: pl.Series, *, integer: bool) -> pl.Series:
    """Values already canonical (the vast majority) pass through; only the rest take the slow path."""
    frame = pl.DataFrame({"v": series})
    if integer:
        fast = pl.col("v").str.contains(_CANONICAL_INTEGER) & (pl.col("v") != "-0")
        fast_value = pl.col("v")
    else:
        as_integer = pl.col("v").str.contains(_CANONICAL_INTEGER) & (pl.col("v") != "-0")
        fast = (pl.col("v").str.contains(_CANONICAL_DECIMAL) & (pl.col("v") != "-0.0")) | as_integer
        fast_value = (
            pl.when(as_integer).then(pl.concat_str([pl.col("v"), pl.lit(".0")])).otherwise(pl.col("v"))
        )
    marked = frame.with_columns(fast.fill_null(True).alias("fast"), fast_value.alias("out"))
    if marked["fast"].all():
        return marked["out"].alias(series.name)
    slow = _slow_integer(pl.col("v")) if integer else _slow_decimal(pl.col("v"))
    return (
        marked.select(pl.when(pl.col("fast")).then(pl.col("out")).otherwise(slow))
        .to_series()
        .alias(series.name)
    )


def canonical_decimal(expr: pl.Expr) -> pl.Expr:
    """The canonical xsd:decimal form of each value, or null when it is blank or not a plain decimal number.

    >>> values = pl.DataFrame({"v": ["12", "-3.250", "+.5", "1,234.5", "-0.0", "x"]})
    >>> values.select(canonical_decimal(pl.col("v"))).to_series().to_list()
    ['12.0', '-3.25', '0.5', '1234.5', '0.0', None]
    """
    return expr.map_batches(
        lambda s: _with_fast_path(s, integer=False), return_dtype=pl.String, is_elementwise=True
    )


def canonical_integer(expr: pl.Expr) -> pl.Expr:
    """The canonical xsd:integer form (``+007`` → ``7``, ``12.0`` → ``12``), or null.

    >>> values = pl.DataFrame({"v": ["+007", "1,234", "12.0", "-0", "1.5"]})
    >>> values.select(canonical_integer(pl.col("v"))).to_series().to_list()
    ['7', '1234', '12', '0', None]
    """
    return expr.map_batches(
        lambda s: _with_fast_path(s, integer=True), return_dtype=pl.String, is_elementwise=True
    )


def decimal_text(expr: pl.Expr) -> pl.Expr:
    """Canonical text of a ``pl.Decimal`` column (trailing zeros removed, one fractional digit kept)."""
    text = expr.cast(pl.String).str.replace(r"(\.\d*?)0+$", "${1}").str.replace(r"\.$", ".0")
    text = pl.when(text.str.contains(r"\.")).then(text).otherwise(pl.concat_str([text, pl.lit(".0")]))
    return pl.when(text == "-0.0").then(pl.lit("0.0")).otherwise(text)


def _unreadable(parameter: str, what_en: str, what_ko: str, source: pl.Expr) -> FunctionIssue:
    return FunctionIssue(
        mask=lambda _out: ~is_blank(source),
        parameter=parameter,
        code="not-a-number",
        message_en=f"'{{value}}' is not {what_en}",
        message_ko=f"'{{value}}'은(는) {what_ko}이(가) 아닙니다",
    )


def _decimal(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    return FunctionOutput(
        canonical_decimal(source),
        (_unreadable("value", "a decimal number (for example 12.5)", "십진수(예: 12.5)", source),),
    )


def _non_negative_decimal(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    parsed = canonical_decimal(source)
    negative = parsed.str.starts_with("-")
    value = pl.when(negative).then(pl.lit(None, dtype=pl.String)).otherwise(parsed)
    return FunctionOutput(
        value,
        (
            FunctionIssue(
                mask=lambda _out: canonical_decimal(source).str.starts_with("-"),
                parameter="value",
                code="negative-means-missing",
                message_en="negative value '{value}' treated as missing (no observation value made)",
                message_ko="음수 값 '{value}'은(는) 결측으로 처리했습니다 (관측값을 만들지 않음)",
                severity="warning",
            ),
            FunctionIssue(
                mask=lambda _out: ~is_blank(source) & canonical_decimal(source).is_null(),
                parameter="value",
                code="not-a-number",
                message_en="'{value}' is not a decimal number (for example 12.5)",
                message_ko="'{value}'은(는) 십진수(예: 12.5)가 아닙니다",
            ),
        ),
    )


def _integer(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    return FunctionOutput(
        canonical_integer(source),
        (_unreadable("value", "a whole number (for example 42)", "정수(예: 42)", source),),
    )


def _decimal_constant(text: str) -> pl.Expr:
    value = Decimal(text.strip())
    exponent = value.as_tuple().exponent
    scale = max(0, -exponent) if isinstance(exponent, int) else 0
    return pl.lit(str(value)).cast(pl.Decimal(38, min(scale, SCALE_DIGITS)))


def _scale(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    factor = _decimal_constant(inputs.constant("factor", "1") or "1")
    offset = _decimal_constant(inputs.constant("offset", "0") or "0")
    number = canonical_decimal(source).cast(pl.Decimal(38, SCALE_DIGITS), strict=False)
    scaled = (number * factor + offset).cast(pl.Decimal(38, SCALE_DIGITS), strict=False)
    return FunctionOutput(
        decimal_text(scaled),
        (_unreadable("value", "a decimal number that can be scaled", "변환할 수 있는 십진수", source),),
    )


def _check_scale(constants: Mapping[str, str], _tables: Collection[str]) -> list[tuple[str, str, str]]:
    problems = []
    for name in ("factor", "offset"):
        text = constants.get(name)
        if text is None:
            continue
        try:
            Decimal(text.strip())
        except InvalidOperation:
            problems.append((name, f"'{text}' is not a number", f"'{text}'은(는) 숫자가 아닙니다"))
    return problems


SPECS: Final = (
    FunctionSpec(
        name="decimal",
        parameters=(Parameter("value", description="text of a number"),),
        body=_decimal,
        output_datatype=XSD + "decimal",
        ntriples_safe=True,
        summary_en="Reads a number (spaces and 1,234 groups allowed) as canonical xsd:decimal; blank → no value.",
        summary_ko="숫자를 정규형 xsd:decimal로 읽습니다 (공백·천 단위 쉼표 허용). 빈 값은 값 없음.",
        example='kgf:decimal("1,234.50") → "1234.5"',
    ),
    FunctionSpec(
        name="nonNegativeDecimal",
        parameters=(Parameter("value", description="text of a number"),),
        body=_non_negative_decimal,
        output_datatype=XSD + "decimal",
        ntriples_safe=True,
        summary_en="Like kgf:decimal, but a negative value means 'missing': no value and a warning.",
        summary_ko="kgf:decimal과 같지만 음수는 결측: 값을 만들지 않고 경고를 남깁니다.",
        example='kgf:nonNegativeDecimal("-999") → (none, warning)',
    ),
    FunctionSpec(
        name="integer",
        parameters=(Parameter("value", description="text of a whole number"),),
        body=_integer,
        output_datatype=XSD + "integer",
        ntriples_safe=True,
        summary_en="Reads a whole number (12, +12, 1,234, 12.0) as canonical xsd:integer.",
        summary_ko="정수(12, +12, 1,234, 12.0)를 정규형 xsd:integer로 읽습니다.",
        example='kgf:integer("+007") → "7"',
    ),
    FunctionSpec(
        name="scale",
        parameters=(
            Parameter("value", description="text of a number"),
            Parameter("factor", role="constant", description="multiplier, e.g. 0.1"),
            Parameter("offset", role="constant", required=False, description="added after multiplying"),
        ),
        body=_scale,
        output_datatype=XSD + "decimal",
        ntriples_safe=True,
        summary_en="value × factor + offset in exact decimal arithmetic (S-DoT raw temperature: 0.1, -100).",
        summary_ko="값 × factor + offset을 정확한 십진 연산으로 계산합니다 (S-DoT 원시 기온: 0.1, -100).",
        example='kgf:scale("1234", 0.1, -100) → "23.4"',
        check_constants=_check_scale,
    ),
)
