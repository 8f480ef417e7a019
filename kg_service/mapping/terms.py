"""RDF terms in N-Triples form, built column-wise with polars.

The executor never formats a term cell by cell in Python. Instead:

- literals are escaped with vectorised replacements (``\\``, ``"``, newline, carriage return);
- template values inside IRIs are percent-encoded by encoding each *distinct* value once in Python and mapping
  the column with :meth:`polars.Series.replace` (keys are few compared with rows: serials, codes, names);
- lexical forms of the common XSD datatypes and IRIs from plain references are checked with vectorised regular
  expressions, so an invalid cell becomes a located problem instead of a triple.

>>> percent_encode("종로구 11110", "uri")
'%EC%A2%85%EB%A1%9C%EA%B5%AC%2011110'
>>> percent_encode("Zoë Krüger", "iri")
'Zoë%20Krüger'
>>> ntriples_literal("say \\"hi\\"\\n", XSD + "string", None)
'"say \\\\"hi\\\\"\\\\n"^^<http://www.w3.org/2001/XMLSchema#string>'
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote

import polars as pl

from kg_service.mapping.rules import XSD, IriEncoding

ABSOLUTE_IRI: Final = r"^[A-Za-z][A-Za-z0-9+.\-]*:"
"""An IRI with a scheme; anything else is relative and gets the base IRI in front."""

IRI_FORBIDDEN: Final = r"[\x00-\x20<>\"{}|\\^`]"
"""Characters that may not appear in an IRI written in N-Triples."""

_URI_SAFE: Final = r"[^A-Za-z0-9._~\-]"
_LANGUAGE_TAG: Final = re.compile(r"^(?:[A-Za-z]{2,8}|[xXiI])(?:-[A-Za-z0-9]{1,8})*$")

# Lexical spaces of the XSD datatypes the engine checks (XSD 1.1 Part 2, whitespace already collapsed).
_TZ = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_DATE = r"-?(?:[1-9]\d{4,}|\d{4})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
LEXICAL_PATTERNS: Final[dict[str, str]] = {
    XSD + "integer": r"^[+-]?\d+$",
    XSD + "int": r"^[+-]?\d+$",
    XSD + "long": r"^[+-]?\d+$",
    XSD + "nonNegativeInteger": r"^\+?\d+$|^-0+$",
    XSD + "decimal": r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$",
    XSD + "double": r"^(?:[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|-INF|NaN)$",
    XSD + "float": r"^(?:[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|-INF|NaN)$",
    XSD + "boolean": r"^(?:true|false|1|0)$",
    XSD + "date": rf"^{_DATE}{_TZ}$",
    XSD + "dateTime": rf"^{_DATE}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?{_TZ}$",
    XSD + "gYear": rf"^-?(?:[1-9]\d{{4,}}|\d{{4}}){_TZ}$",
}
"""Regular expressions for the lexical forms of the datatypes checked on plain references."""

LEXICAL_EXAMPLES: Final[dict[str, str]] = {
    XSD + "integer": "42",
    XSD + "int": "42",
    XSD + "long": "42",
    XSD + "nonNegativeInteger": "42",
    XSD + "decimal": "12.5",
    XSD + "double": "1.25E1",
    XSD + "float": "1.25E1",
    XSD + "boolean": "true",
    XSD + "date": "2020-05-01",
    XSD + "dateTime": "2020-05-01T13:00:00+09:00",
    XSD + "gYear": "2020",
}


def is_language_tag(tag: str) -> bool:
    """Whether ``tag`` is a well-formed BCP 47 language tag (the shape, not the registry).

    >>> is_language_tag("ko"), is_language_tag("en-GB"), is_language_tag("a-english")
    (True, True, False)
    """
    return bool(_LANGUAGE_TAG.match(tag))


def is_absolute_iri(value: str) -> bool:
    """Whether ``value`` has a scheme (``https:``, ``urn:``)."""
    return re.match(ABSOLUTE_IRI, value) is not None


def is_valid_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI without characters N-Triples forbids."""
    return is_absolute_iri(value) and re.search(IRI_FORBIDDEN, value) is None


def _keep_in_iri(ch: str) -> bool:
    code = ord(ch)
    return (
        0xA0 <= code <= 0xD7FF
        or 0xF900 <= code <= 0xFDCF
        or 0xFDF0 <= code <= 0xFFEF
        or (0x10000 <= code <= 0xEFFFD and (code & 0xFFFF) < 0xFFFE)
    )


def percent_encode(value: str, encoding: IriEncoding) -> str:
    """Make ``value`` safe to insert into an IRI.

    ``uri`` keeps only RFC 3986 unreserved characters; ``iri`` also keeps RFC 3987 ``ucschar`` (non-ASCII
    letters); ``none`` changes nothing.
    """
    if encoding == "none":
        return value
    if encoding == "uri":
        return quote(value, safe="")
    return "".join(ch if _keep_in_iri(ch) else quote(ch, safe="") for ch in value)


def _encode_series(series: pl.Series, encoding: IriEncoding) -> pl.Series:
    pattern = _URI_SAFE
    needs = series.str.contains(pattern).fill_null(False)
    if not needs.any():
        return series
    distinct = series.filter(needs).unique().to_list()
    mapping = {v: percent_encode(v, encoding) for v in distinct if v is not None}
    return series.replace(mapping)


def encode_for_iri(expr: pl.Expr, encoding: IriEncoding) -> pl.Expr:
    """Percent-encode a column of template values (each distinct value is encoded once)."""
    if encoding == "none":
        return expr
    return expr.map_batches(
        lambda s: _encode_series(s, encoding), return_dtype=pl.String, is_elementwise=True
    )


def escape_literal(expr: pl.Expr) -> pl.Expr:
    """Escape a column of lexical forms for use inside N-Triples quotes."""
    return expr.map_batches(_escape_series, return_dtype=pl.String, is_elementwise=True)


def _escape_series(series: pl.Series) -> pl.Series:
    if not series.str.contains(r'[\\"\n\r]').fill_null(False).any():
        return series
    return (
        series.str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all('"', '\\"', literal=True)
        .str.replace_all("\n", "\\n", literal=True)
        .str.replace_all("\r", "\\r", literal=True)
    )


def ntriples_escape(value: str) -> str:
    """Escape one lexical form for N-Triples (Python form of :func:`escape_literal`)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def ntriples_literal(value: str, datatype: str | None, language: str | None) -> str:
    """One literal in N-Triples form."""
    text = f'"{ntriples_escape(value)}"'
    if language:
        return f"{text}@{language}"
    if datatype:
        return f"{text}^^<{datatype}>"
    return text


def blank_label(value: str) -> str:
    """A blank node label made of letters and digits only, one-to-one with ``value``.

    >>> blank_label("Bob Smith_1")
    'Bob_20_Smith_5f_1'
    """
    return "".join(ch if ch.isascii() and ch.isalnum() else f"_{ord(ch):x}_" for ch in value) or "_"


def _blank_series(series: pl.Series) -> pl.Series:
    needs = series.str.contains(r"[^A-Za-z0-9]|^$").fill_null(False)
    if not needs.any():
        return series
    distinct = series.filter(needs).unique().to_list()
    return series.replace({v: blank_label(v) for v in distinct if v is not None})


def blank_labels(expr: pl.Expr) -> pl.Expr:
    """Turn a column of values into safe blank node labels (see :func:`blank_label`)."""
    return expr.map_batches(_blank_series, return_dtype=pl.String, is_elementwise=True)


def valid_lexical(expr: pl.Expr, datatype: str) -> pl.Expr | None:
    """A boolean expression: is the (stripped) value a valid lexical form of ``datatype``?

    ``None`` when the engine does not check that datatype. Dates must also exist (no 30 February).
    """
    pattern = LEXICAL_PATTERNS.get(datatype)
    if pattern is None:
        return None
    ok = expr.str.contains(pattern)
    if datatype in (XSD + "date", XSD + "dateTime"):
        day = expr.str.slice(0, 10)
        ok = ok & (
            ~day.str.contains(r"^\d{4}-").fill_null(False)
            | day.str.to_date("%Y-%m-%d", strict=False).is_not_null()
        )
    return ok


def valid_iri(expr: pl.Expr) -> pl.Expr:
    """A boolean expression: is the value an absolute IRI without forbidden characters?"""
    return expr.str.contains(ABSOLUTE_IRI) & ~expr.str.contains(IRI_FORBIDDEN)
