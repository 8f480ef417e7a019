"""Functions for the S-DoT and air-quality rules: ``kgf:hourOfDay``.

S-DoT's hourly file numbers its hours 0–23 (시, hour of the day). ``kgf:koreanDateHour`` also accepts ``24`` (some
Korean sources write midnight at the end of a day that way) and turns it into 00 h of the next day; in a file whose
hours run 0–23, a ``24`` is a typing error that would otherwise land silently on the next day, so the S-DoT rules
read the hour through ``kgf:hourOfDay`` first.
"""

from __future__ import annotations

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

_HOUR: Final = r"^\s*(\d{1,2})\s*(?:시)?\s*$"


def hour_of_day(expr: pl.Expr) -> pl.Expr:
    """The hour 0–23 as canonical integer text (``"07"`` → ``"7"``, ``"13시"`` → ``"13"``); null otherwise.

    >>> values = pl.DataFrame({"v": ["0", "07", "13시", "23", "24", "7.5", "-1", "a", None]})
    >>> values.select(hour_of_day(pl.col("v"))).to_series().to_list()
    ['0', '7', '13', '23', None, None, None, None, None]
    """
    hour = expr.str.extract(_HOUR, 1).cast(pl.Int64, strict=False)
    return pl.when(hour.is_between(0, 23)).then(hour.cast(pl.String))


def _hour_of_day(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    return FunctionOutput(
        hour_of_day(source),
        (
            FunctionIssue(
                mask=lambda _out: ~is_blank(source),
                parameter="value",
                code="not-an-hour",
                message_en="'{value}' is not an hour of the day from 0 to 23",
                message_ko="'{value}'은(는) 0~23 사이의 시각(시)이 아닙니다",
            ),
        ),
    )


SPECS: Final = (
    FunctionSpec(
        name="hourOfDay",
        parameters=(Parameter("value", description="an hour of the day, 0–23 (13 or 13시)"),),
        body=_hour_of_day,
        output_datatype=XSD + "integer",
        ntriples_safe=True,
        summary_en="An hour of the day 0–23 as canonical xsd:integer; 24, 7.5, -1 or text is a not-an-hour problem.",
        summary_ko="0~23의 시각을 정규형 xsd:integer로 읽습니다. 24, 7.5, -1, 글자는 not-an-hour 문제입니다.",
        example='kgf:hourOfDay("07") → "7"',
    ),
)
