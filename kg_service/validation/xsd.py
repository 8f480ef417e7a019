"""The XSD lexical spaces the validator enforces: a literal outside them is ill-typed.

RDF 1.1 calls a literal ill-typed when its lexical form is not in the lexical space of its datatype, and
SHACL's ``sh:datatype`` rejects ill-typed literals. rdflib (and so pySHACL) is more forgiving for some types:
it parses ``"2024-05-01 13:00:00+09:00"^^xsd:dateTime`` (space instead of ``T``), a dateTime without seconds,
``"1_000"^^xsd:integer``, ``" 12"^^xsd:integer`` and ``"NaN"^^xsd:decimal``, and it does not check
``xsd:gYear``, ``xsd:language`` or ``xsd:token`` at all. It is also stricter in places: Python dates stop at
year 9999 and have no ``24:00:00``. This module follows XSD 1.1; ``departures.py`` lists the differences.

One table (:data:`RULES`) drives both checkers: :func:`is_valid_lexical` in Python and
:func:`sparql_valid_lexical` inside the compiled SPARQL queries, so the two cannot drift apart (a test runs
both over the same corpus). The patterns use no backslashes and mean the same in Python's ``re`` and the Rust
``regex`` crate that Oxigraph's ``REGEX`` uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal

XSD_NS: Final = "http://www.w3.org/2001/XMLSchema#"

_YEAR: Final = "-?([1-9][0-9]{3,}|0[0-9]{3})"
_MONTH: Final = "(0[1-9]|1[0-2])"
_DAY: Final = "(0[1-9]|[12][0-9]|3[01])"
_TIME: Final = "(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?|24:00:00([.]0+)?)"
_ZONE: Final = "(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_DATE: Final = f"{_YEAR}-{_MONTH}-{_DAY}"
_INTEGER: Final = "[+-]?[0-9]+"
_DECIMAL: Final = "[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)"
_FLOATING: Final = "([+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)"
_DAY_TIME: Final = "([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+([.][0-9]+)?S)?)?"
_EMPTY_DURATION: Final = "-?P|.*T"  # "P" alone, or a "T" with nothing after it
_MONTH_DAY: Final = "(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-9])|(0[13-9]|1[0-2])-30|(0[13578]|1[02])-31"
_BASE64_CHAR: Final = "[A-Za-z0-9+/]"
_BASE64: Final = (
    f"(({_BASE64_CHAR} ?){{4}})*(({_BASE64_CHAR} ?){{3}}{_BASE64_CHAR}|({_BASE64_CHAR} ?){{2}}"
    f"[AEIMQUYcgkosw048] ?=|{_BASE64_CHAR} ?[AQgw] ?= ?=)?"
)
_NOT_SPACE: Final = "[^ \t\r\n]"


@dataclass(frozen=True, slots=True)
class LexicalRule:
    """The lexical space of one XSD datatype.

    ``pattern`` must match the whole lexical form and ``forbidden`` (if any) must not; ``calendar`` means the
    day must exist in its month and year (29 February only in leap years, proleptic Gregorian, year 0000 a
    leap year as in XSD 1.1); ``minimum``/``maximum`` bound the value of integer-derived types.
    """

    pattern: str
    forbidden: str | None = None
    calendar: Literal["date", "dateTime"] | None = None
    minimum: int | None = None
    maximum: int | None = None


RULES: Final[dict[str, LexicalRule]] = {
    "boolean": LexicalRule("true|false|1|0"),
    "decimal": LexicalRule(_DECIMAL),
    "integer": LexicalRule(_INTEGER),
    "nonPositiveInteger": LexicalRule("-[0-9]+|[+]?0+"),
    "negativeInteger": LexicalRule("-0*[1-9][0-9]*"),
    "nonNegativeInteger": LexicalRule("[+]?[0-9]+|-0+"),
    "positiveInteger": LexicalRule("[+]?0*[1-9][0-9]*"),
    "long": LexicalRule(_INTEGER, minimum=-(2**63), maximum=2**63 - 1),
    "int": LexicalRule(_INTEGER, minimum=-(2**31), maximum=2**31 - 1),
    "short": LexicalRule(_INTEGER, minimum=-(2**15), maximum=2**15 - 1),
    "byte": LexicalRule(_INTEGER, minimum=-(2**7), maximum=2**7 - 1),
    "unsignedLong": LexicalRule("[+]?[0-9]+|-0+", maximum=2**64 - 1),
    "unsignedInt": LexicalRule("[+]?[0-9]+|-0+", maximum=2**32 - 1),
    "unsignedShort": LexicalRule("[+]?[0-9]+|-0+", maximum=2**16 - 1),
    "unsignedByte": LexicalRule("[+]?[0-9]+|-0+", maximum=2**8 - 1),
    "double": LexicalRule(_FLOATING),
    "float": LexicalRule(_FLOATING),
    "dateTime": LexicalRule(f"{_DATE}T{_TIME}{_ZONE}?", calendar="dateTime"),
    "dateTimeStamp": LexicalRule(f"{_DATE}T{_TIME}{_ZONE}", calendar="dateTime"),
    "date": LexicalRule(f"{_DATE}{_ZONE}?", calendar="date"),
    "time": LexicalRule(f"{_TIME}{_ZONE}?"),
    "gYear": LexicalRule(f"{_YEAR}{_ZONE}?"),
    "gYearMonth": LexicalRule(f"{_YEAR}-{_MONTH}{_ZONE}?"),
    "gMonthDay": LexicalRule(f"--({_MONTH_DAY}){_ZONE}?"),
    "gMonth": LexicalRule(f"--{_MONTH}{_ZONE}?"),
    "gDay": LexicalRule(f"---{_DAY}{_ZONE}?"),
    "duration": LexicalRule(f"-?P([0-9]+Y)?([0-9]+M)?{_DAY_TIME}", forbidden=_EMPTY_DURATION),
    "dayTimeDuration": LexicalRule(f"-?P{_DAY_TIME}", forbidden=_EMPTY_DURATION),
    "yearMonthDuration": LexicalRule("-?P([0-9]+Y)?([0-9]+M)?", forbidden="-?P"),
    "hexBinary": LexicalRule("([0-9a-fA-F]{2})*"),
    "base64Binary": LexicalRule(_BASE64),
    "language": LexicalRule("[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*"),
    "normalizedString": LexicalRule("[^\t\r\n]*"),
    "token": LexicalRule(f"({_NOT_SPACE}+( {_NOT_SPACE}+)*)?"),
}
"""XSD datatypes (by local name) whose lexical space is checked. Others (``xsd:string``, ``xsd:anyURI``, the
XML name types) accept any lexical form here."""

NUMERIC_COMPARABLE: Final = frozenset({"integer", "decimal"})
"""Datatypes whose values Oxigraph and Python compare identically (exact arithmetic on both sides)."""
FLOATING_COMPARABLE: Final = frozenset({"double"})


def checked_datatype(datatype_iri: str) -> str | None:
    """The local name of ``datatype_iri`` if its lexical space is checked, else ``None``."""
    if datatype_iri.startswith(XSD_NS):
        local = datatype_iri[len(XSD_NS) :]
        if local in RULES:
            return local
    return None


def is_valid_lexical(lexical: str, datatype_iri: str) -> bool:
    """Whether ``lexical`` is in the lexical space of ``datatype_iri`` (always true for unchecked datatypes).

    >>> is_valid_lexical("2024-05-01T13:00:00+09:00", XSD_NS + "dateTime")
    True
    >>> is_valid_lexical("2024-05-01 13:00:00+09:00", XSD_NS + "dateTime")
    False
    >>> is_valid_lexical("2024-05-01T13:00+09:00", XSD_NS + "dateTime")
    False
    >>> is_valid_lexical("2023-02-29", XSD_NS + "date")
    False
    """
    local = checked_datatype(datatype_iri)
    if local is None:
        return True
    rule = RULES[local]
    if _compiled(rule.pattern).fullmatch(lexical) is None:
        return False
    if rule.forbidden is not None and _compiled(rule.forbidden).fullmatch(lexical) is not None:
        return False
    if rule.calendar is not None and not _day_exists(lexical):
        return False
    if rule.minimum is not None and int(lexical) < rule.minimum:
        return False
    return rule.maximum is None or int(lexical) <= rule.maximum


def sparql_valid_lexical(variable: str, datatype_local: str) -> str:
    """A SPARQL expression, never an error, that is true when ``STR(variable)`` is in the lexical space.

    The calendar check uses Oxigraph's own ``xsd:date``/``xsd:dateTime`` casts (strict XSD parsers) after the
    pattern has fixed the shape of the string.
    """
    rule = RULES[datatype_local]
    lexical = f"STR({variable})"
    parts = [f"REGEX({lexical}, {sparql_string('^(' + rule.pattern + ')$')})"]
    if rule.forbidden is not None:
        parts.append(f"!REGEX({lexical}, {sparql_string('^(' + rule.forbidden + ')$')})")
    if rule.calendar is not None:
        parts.append(f"isLiteral(<{XSD_NS}{rule.calendar}>({lexical}))")
    if rule.minimum is not None:
        parts.append(f"<{XSD_NS}decimal>({lexical}) >= {rule.minimum}")
    if rule.maximum is not None:
        parts.append(f"<{XSD_NS}decimal>({lexical}) <= {rule.maximum}")
    return f"COALESCE({' && '.join(parts)}, false)"


def sparql_string(text: str) -> str:
    """``text`` as a SPARQL string literal.

    >>> sparql_string('a"b\\n')
    '"a\\\\"b\\\\n"'
    """
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _day_exists(lexical: str) -> bool:
    """Whether the date part (``[-]YYYY…-MM-DD``) of a pattern-checked lexical form names a real day."""
    negative = lexical.startswith("-")
    year_text, month_text, rest = lexical[1 if negative else 0 :].split("-", 2)
    year = -int(year_text) if negative else int(year_text)
    month = int(month_text)
    day = int(rest[:2])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    return day <= days
