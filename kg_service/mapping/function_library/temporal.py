"""Dates and times as found in Seoul's data, turned into canonical xsd:dateTime in Korea Standard Time.

Every output has seconds and an explicit ``+09:00`` offset (``2020-05-01T13:00:00+09:00``): XSD does not accept
``2020-05-01 13:00:00`` or a missing-seconds form, even where rdflib or pySHACL let them pass. Korea has had no
daylight saving time since 1988, so +09:00 is exact for the data the service receives. Hour ``24`` (used by
some Korean sources for midnight at the end of a day) becomes 00 h of the next day.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
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

KST_OFFSET: Final = "+09:00"
_KST_MINUTES: Final = 9 * 60

_DATE_GROUPS: Final = (
    r"^(?P<y>\d{4})\s*(?:[./\-]|년)\s*(?P<m>\d{1,2})\s*(?:[./\-]|월)\s*(?P<d>\d{1,2})\s*(?:일|\.)?$"
)
_DATETIME_GROUPS: Final = (
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?P<sep>[T _])(?P<h>\d{2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?P<f>\.\d+)?)?(?P<z>Z|[+-]\d{2}:?\d{2})?$"
)
_FORMAT_DIRECTIVES: Final = frozenset("YmdHMSjy")


def parse_date(expr: pl.Expr) -> pl.Expr:
    """A ``pl.Date`` from ``2020.5.1``, ``2020-05-01``, ``2020/05/01``, ``20200501`` or ``2020년 5월 1일``.

    >>> values = pl.DataFrame({"v": ["2020.5.1", "20200501", "2020년 5월 1일", "2020-02-30"]})
    >>> values.select(parse_date(pl.col("v"))).to_series().to_list()
    [datetime.date(2020, 5, 1), datetime.date(2020, 5, 1), datetime.date(2020, 5, 1), None]
    """
    text = expr.str.strip_chars()
    groups = text.str.extract_groups(_DATE_GROUPS)
    spelled = pl.concat_str(
        [
            groups.struct.field("y"),
            pl.lit("-"),
            groups.struct.field("m").str.zfill(2),
            pl.lit("-"),
            groups.struct.field("d").str.zfill(2),
        ]
    )
    compact = pl.concat_str(
        [text.str.slice(0, 4), pl.lit("-"), text.str.slice(4, 2), pl.lit("-"), text.str.slice(6, 2)]
    )
    iso = pl.when(text.str.contains(r"^\d{8}$")).then(compact).otherwise(spelled)
    return iso.str.to_date("%Y-%m-%d", strict=False)


def _hour(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.extract(r"^(\d{1,2})\s*(?:시)?$", 1).cast(pl.Int64, strict=False)


def assemble(
    date: pl.Expr, hour: pl.Expr, minute: pl.Expr, second: pl.Expr, fraction: pl.Expr | None = None
) -> pl.Expr:
    """Canonical xsd:dateTime text (+09:00) from a date and integer clock fields; null when out of range."""
    valid = (
        date.is_not_null()
        & hour.is_between(0, 24)
        & minute.is_between(0, 59)
        & second.is_between(0, 59)
        & ((hour < 24) | ((minute == 0) & (second == 0)))
    )
    stamp = date.cast(pl.Datetime("us")) + pl.duration(hours=hour, minutes=minute, seconds=second)
    parts = [stamp.dt.strftime("%Y-%m-%dT%H:%M:%S")]
    if fraction is not None:
        parts.append(fraction)
    parts.append(pl.lit(KST_OFFSET))
    return pl.when(valid).then(pl.concat_str(parts))


def _canonical_fraction(expr: pl.Expr) -> pl.Expr:
    trimmed = expr.fill_null("").str.strip_chars_end("0")
    return pl.when(trimmed == ".").then(pl.lit("")).otherwise(trimmed)


def local_datetime(expr: pl.Expr, separators: str) -> pl.Expr:
    """Canonical xsd:dateTime (+09:00) from ISO-like text; a given offset is converted to +09:00.

    ``separators`` lists the characters accepted between date and time (``T``, space, ``_``).

    >>> values = pl.DataFrame({"v": ["2025-07-14_23:07:00", "2021-05-11T06:00Z", "2021-05-11T15:00:00.250+09:00"]})
    >>> values.select(local_datetime(pl.col("v"), "T _")).to_series().to_list()
    ['2025-07-14T23:07:00+09:00', '2021-05-11T15:00:00+09:00', '2021-05-11T15:00:00.25+09:00']
    """
    groups = expr.str.strip_chars().str.extract_groups(_DATETIME_GROUPS)
    sep_ok = groups.struct.field("sep").is_in(list(separators))
    date = groups.struct.field("date").str.to_date("%Y-%m-%d", strict=False)
    hour = groups.struct.field("h").cast(pl.Int64, strict=False)
    minute = groups.struct.field("mi").cast(pl.Int64, strict=False)
    second = groups.struct.field("s").fill_null("00").cast(pl.Int64, strict=False)
    zone = groups.struct.field("z")
    sign = pl.when(zone.str.starts_with("-")).then(pl.lit(-1)).otherwise(pl.lit(1))
    zone_digits = zone.str.replace_all(r"[^0-9]", "")
    given = sign * (
        zone_digits.str.slice(0, 2).cast(pl.Int64) * 60 + zone_digits.str.slice(2, 2).cast(pl.Int64)
    )
    offset = (
        pl.when(zone.is_null()).then(pl.lit(_KST_MINUTES)).when(zone == "Z").then(pl.lit(0)).otherwise(given)
    )
    shift = pl.lit(_KST_MINUTES) - offset
    valid = sep_ok & hour.is_between(0, 23) & minute.is_between(0, 59) & second.is_between(0, 59)
    stamp = date.cast(pl.Datetime("us")) + pl.duration(hours=hour, minutes=minute + shift, seconds=second)
    text = pl.concat_str(
        [
            stamp.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            _canonical_fraction(groups.struct.field("f")),
            pl.lit(KST_OFFSET),
        ]
    )
    return pl.when(valid & date.is_not_null()).then(text)


def _unreadable(parameter: str, source: pl.Expr, expected: str) -> FunctionIssue:
    return FunctionIssue(
        mask=lambda _out: ~is_blank(source),
        parameter=parameter,
        code="not-a-date-time",
        message_en=f"'{{value}}' is not a date/time in the expected form ({expected})",
        message_ko=f"'{{value}}'은(는) 기대한 날짜·시간 형식({expected})이 아닙니다",
    )


def _korean_date_hour(inputs: FunctionInputs) -> FunctionOutput:
    date_src, hour_src = inputs.value("date"), inputs.value("hour")
    date, hour = parse_date(date_src), _hour(hour_src)
    value = assemble(date, hour, pl.lit(0), pl.lit(0))
    return FunctionOutput(
        value,
        (
            FunctionIssue(
                mask=lambda _out: ~is_blank(date_src) & parse_date(date_src).is_null(),
                parameter="date",
                code="not-a-date",
                message_en="'{value}' is not a date (2020.5.1, 2020-05-01 or 20200501)",
                message_ko="'{value}'은(는) 날짜(2020.5.1, 2020-05-01, 20200501)가 아닙니다",
            ),
            FunctionIssue(
                mask=lambda _out: ~is_blank(hour_src) & ~_hour(hour_src).is_between(0, 24).fill_null(False),
                parameter="hour",
                code="not-an-hour",
                message_en="'{value}' is not an hour from 0 to 23",
                message_ko="'{value}'은(는) 0~23 사이의 시각이 아닙니다",
            ),
        ),
    )


def _korean_date(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    value = parse_date(source).dt.strftime("%Y-%m-%d")
    return FunctionOutput(value, (_unreadable("value", source, "2020.5.1, 2020-05-01, 20200501"),))


def _compact_date_time(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    text = source.str.strip_chars()
    shape_ok = text.str.contains(r"^\d{10}(?:\d{2}(?:\d{2})?)?$")
    date = text.str.slice(0, 8).str.to_date("%Y%m%d", strict=False)
    hour = text.str.slice(8, 2).cast(pl.Int64, strict=False)
    minute = text.str.slice(10, 2).cast(pl.Int64, strict=False).fill_null(0)
    second = text.str.slice(12, 2).cast(pl.Int64, strict=False).fill_null(0)
    value = pl.when(shape_ok).then(assemble(date, hour, minute, second))
    return FunctionOutput(value, (_unreadable("value", source, "yyyymmddhhmm"),))


def _underscore_date_time(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    return FunctionOutput(
        local_datetime(source, "_ T"), (_unreadable("value", source, "2025-07-14_23:07:00"),)
    )


def _iso_date_time(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    return FunctionOutput(
        local_datetime(source, "T "), (_unreadable("value", source, "2025-07-14T23:07:00+09:00"),)
    )


def _format_date_time(inputs: FunctionInputs) -> FunctionOutput:
    source = inputs.value("value")
    pattern = inputs.constant("pattern", "%Y%m%dT%H") or "%Y%m%dT%H"
    stamp = local_datetime(source, "T _").str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False)
    return FunctionOutput(
        stamp.dt.strftime(pattern), (_unreadable("value", source, "2025-07-14T23:07:00+09:00"),)
    )


def _check_pattern(constants: Mapping[str, str], _tables: Collection[str]) -> list[tuple[str, str, str]]:
    pattern = constants.get("pattern")
    if pattern is None:
        return []
    directives = re.findall(r"%(.)", pattern)
    literal = re.sub(r"%.", "", pattern)
    if (
        not directives
        or any(d not in _FORMAT_DIRECTIVES for d in directives)
        or re.search(r"[^\w\-.:]", literal)
    ):
        return [
            (
                "pattern",
                f"'{pattern}' is not a supported pattern (use %Y %m %d %H %M %S with letters, digits, - _ . :)",
                f"'{pattern}'은(는) 지원하지 않는 형식입니다 (%Y %m %d %H %M %S와 영문·숫자·- _ . : 사용)",
            )
        ]
    return []


_DT = XSD + "dateTime"

SPECS: Final = (
    FunctionSpec(
        name="koreanDateHour",
        parameters=(Parameter("date", description="2020.5.1, 2020-05-01, 20200501"), Parameter("hour")),
        body=_korean_date_hour,
        output_datatype=_DT,
        ntriples_safe=True,
        summary_en="A date and an hour (0–23) as xsd:dateTime at the start of that hour, +09:00.",
        summary_ko="날짜와 시(0~23)를 그 시각 정각의 xsd:dateTime(+09:00)으로 만듭니다.",
        example='kgf:koreanDateHour("2020.5.1", "13") → "2020-05-01T13:00:00+09:00"',
    ),
    FunctionSpec(
        name="koreanDate",
        parameters=(Parameter("value"),),
        body=_korean_date,
        output_datatype=XSD + "date",
        ntriples_safe=True,
        summary_en="A date in a Korean spreadsheet form as xsd:date.",
        summary_ko="한국식 날짜 표기를 xsd:date로 만듭니다.",
        example='kgf:koreanDate("2020.5.1") → "2020-05-01"',
    ),
    FunctionSpec(
        name="compactDateTime",
        parameters=(Parameter("value", description="yyyymmddhh, yyyymmddhhmm or yyyymmddhhmmss"),),
        body=_compact_date_time,
        output_datatype=_DT,
        ntriples_safe=True,
        summary_en="Digits-only time stamps (RealtimeCityAir MSRDT) as xsd:dateTime, +09:00.",
        summary_ko="숫자만으로 된 시각(RealtimeCityAir MSRDT)을 xsd:dateTime(+09:00)으로 만듭니다.",
        example='kgf:compactDateTime("202105111500") → "2021-05-11T15:00:00+09:00"',
    ),
    FunctionSpec(
        name="underscoreDateTime",
        parameters=(Parameter("value", description="2025-07-14_23:07:00"),),
        body=_underscore_date_time,
        output_datatype=_DT,
        ntriples_safe=True,
        summary_en="S-DoT Open API SENSING_TIME (date_time) as xsd:dateTime, +09:00.",
        summary_ko="S-DoT Open API SENSING_TIME(날짜_시각)을 xsd:dateTime(+09:00)으로 만듭니다.",
        example='kgf:underscoreDateTime("2025-07-14_23:07:00") → "2025-07-14T23:07:00+09:00"',
    ),
    FunctionSpec(
        name="isoDateTime",
        parameters=(Parameter("value", description="ISO 8601 date-time, offset optional"),),
        body=_iso_date_time,
        output_datatype=_DT,
        ntriples_safe=True,
        summary_en="ISO 8601 date-time; without an offset +09:00 is assumed, with one it is converted to +09:00.",
        summary_ko="ISO 8601 날짜·시각. 오프셋이 없으면 +09:00으로 보고, 있으면 +09:00으로 변환합니다.",
        example='kgf:isoDateTime("2021-05-11T06:00Z") → "2021-05-11T15:00:00+09:00"',
    ),
    FunctionSpec(
        name="formatDateTime",
        parameters=(
            Parameter("value", description="a date-time (any form kgf:isoDateTime reads)"),
            Parameter(
                "pattern", role="constant", required=False, description="strftime pattern, default %Y%m%dT%H"
            ),
        ),
        body=_format_date_time,
        summary_en="A date-time (in +09:00) formatted for identifiers, e.g. the yyyymmddThh of observation IRIs.",
        summary_ko="날짜·시각(+09:00)을 식별자용 형식으로 씁니다 (예: 관측 IRI의 yyyymmddThh).",
        example='kgf:formatDateTime("2020-05-01T13:00:00+09:00", "%Y%m%dT%H") → "20200501T13"',
        check_constants=_check_pattern,
    ),
)
