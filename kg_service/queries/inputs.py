"""Checking what callers ask for before any query runs.

Every value from outside is checked here (length, shape, range) and then only ever reaches the store as a
bound term (SPARQL substitution) or an index lookup key, never as query text. A value that fails a check
raises :class:`QueryInputError` (GraphQL code ``BAD_USER_INPUT``) saying what is wrong in both languages.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Final

import pyoxigraph as ox

from kg_service.errors import KGServiceError

MAX_IRI_LENGTH: Final = 2048
MAX_VALUE_LENGTH: Final = 256
MAX_SEARCH_LENGTH: Final = 200
MAX_RADIUS_M: Final = 50_000.0
_DISTRICT_CODE: Final = re.compile(r"\d{5}")
_DONG_CODE: Final = re.compile(r"\d{8}|\d{10}")
_IRI_SCHEMES: Final = ("http://", "https://", "urn:")


class QueryInputError(KGServiceError):
    """A query argument is malformed or out of range (GraphQL ``BAD_USER_INPUT``).

    >>> QueryInputError.code
    'BAD_USER_INPUT'
    """

    code = "BAD_USER_INPUT"

    def __init__(self, field: str, message: str, message_ko: str, *, hint: str = "") -> None:
        super().__init__(f"{field}: {message}", f"{field}: {message_ko}", hint=hint)
        self.field = field


def iri(value: str, field: str = "iri") -> str:
    """Check that ``value`` is an absolute http(s) or urn IRI the store can hold; returns it.

    >>> iri("https://data.seoul.go.kr/cps/id/sensor/V02Q1940043")
    'https://data.seoul.go.kr/cps/id/sensor/V02Q1940043'
    >>> iri("<http://x> ")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    kg_service.queries.inputs.QueryInputError: iri: not an absolute IRI ... (iri: 절대 IRI가 아닙니다 ...)
    """
    if len(value) > MAX_IRI_LENGTH:
        raise QueryInputError(
            field, f"longer than {MAX_IRI_LENGTH} characters", f"{MAX_IRI_LENGTH}자를 넘습니다"
        )
    if not value.startswith(_IRI_SCHEMES) or not _encodable(value):
        raise _not_iri(field)
    try:
        ox.NamedNode(value)
    except ValueError:
        raise _not_iri(field) from None
    return value


def _not_iri(field: str) -> QueryInputError:
    return QueryInputError(
        field,
        "not an absolute IRI (http://, https:// or urn:, no spaces or <>)",
        "절대 IRI가 아닙니다 (http://, https:// 또는 urn:, 공백과 <> 불가)",
        hint="for example https://data.seoul.go.kr/cps/id/sensor/V02Q1940043",
    )


def text(value: str, field: str, max_length: int = MAX_VALUE_LENGTH) -> str:
    """Check a free-text value (identifier value, code, search text): not empty, at most ``max_length``.

    >>> text("V02Q1940043", "serial")
    'V02Q1940043'
    """
    if not value.strip():
        raise QueryInputError(field, "must not be empty", "비어 있으면 안 됩니다")
    if len(value) > max_length:
        raise QueryInputError(field, f"longer than {max_length} characters", f"{max_length}자를 넘습니다")
    if "\x00" in value or not _encodable(value):
        raise QueryInputError(
            field,
            "contains a NUL character or invalid Unicode",
            "NUL 문자나 올바르지 않은 유니코드가 들어 있습니다",
        )
    return value


def _encodable(value: str) -> bool:
    """Whether ``value`` is valid Unicode (no lone surrogates, which JSON escapes can smuggle in)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def district_code(value: str, field: str = "districtCode") -> str:
    """Check a 5-digit district code (11110–11740 in Seoul).

    >>> district_code("11110")
    '11110'
    """
    if not _DISTRICT_CODE.fullmatch(value):
        raise QueryInputError(
            field, "a district code has 5 digits (e.g. 11110)", "자치구 코드는 5자리 숫자입니다 (예: 11110)"
        )
    return value


def dong_code(value: str, field: str = "dongCode") -> str:
    """Check an 8-digit legal dong code (or a 10-digit administrative one)."""
    if not _DONG_CODE.fullmatch(value):
        raise QueryInputError(
            field,
            "a dong code has 8 digits (legal dong, e.g. 11110119) or 10 (administrative)",
            "동 코드는 8자리(법정동, 예: 11110119) 또는 10자리(행정동) 숫자입니다",
        )
    return value


def date_time(value: str, field: str) -> datetime:
    """Parse an ISO 8601 date-time that names its time zone.

    >>> date_time("2025-07-14T00:00:00+09:00", "from").isoformat()
    '2025-07-14T00:00:00+09:00'
    >>> date_time("2025-07-14T00:00:00", "from")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    kg_service.queries.inputs.QueryInputError: from: the time zone is missing ...
    """
    if len(value) > 64:
        raise QueryInputError(field, "longer than 64 characters", "64자를 넘습니다")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise QueryInputError(
            field,
            f"not an ISO 8601 date-time: {value[:40]!r}",
            f"ISO 8601 날짜·시각이 아닙니다: {value[:40]!r}",
            hint="for example 2025-07-14T00:00:00+09:00",
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise QueryInputError(
            field,
            "the time zone is missing (add +09:00 for KST or Z for UTC)",
            "시간대가 없습니다 (한국 표준시는 +09:00, UTC는 Z를 붙이세요)",
            hint="for example 2025-07-14T00:00:00+09:00",
        )
    return moment


def time_window(start: datetime, end: datetime) -> None:
    """Check that ``start`` comes before ``end``."""
    if start >= end:
        raise QueryInputError("to", "must be later than 'from'", "'from'보다 뒤여야 합니다")


def coordinate(lon: float, lat: float, field: str = "near") -> None:
    """Check a WGS84 longitude and latitude."""
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise QueryInputError(
            field,
            "longitude must be within ±180 and latitude within ±90 (WGS84)",
            "경도는 ±180, 위도는 ±90 이내여야 합니다 (WGS84)",
        )


def radius(metres: float, field: str = "radiusMetres") -> float:
    """Check a search radius: more than 0 and at most 50 km.

    >>> radius(500)
    500.0
    """
    if not math.isfinite(metres) or metres <= 0 or metres > MAX_RADIUS_M:
        raise QueryInputError(
            field,
            f"must be more than 0 and at most {MAX_RADIUS_M:.0f} m",
            f"0보다 크고 {MAX_RADIUS_M:.0f} m 이하여야 합니다",
        )
    return float(metres)
