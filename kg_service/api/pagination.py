"""Relay-style connections: ``edges { node cursor }``, ``pageInfo``, ``first``/``after``.

Cursors are opaque: base64url of a small JSON position plus a checksum, so a cursor that was edited, cut
short or made for another list is refused with ``BAD_CURSOR`` instead of failing later. They are not secrets
and do not expire; a position in a list that has since changed simply continues from there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Any, Final, Generic, TypeVar

import strawberry

from kg_service.api.errors import BAD_CURSOR, BAD_USER_INPUT, user_error

#: The largest page a caller may ask for.
MAX_FIRST: Final = 500
DEFAULT_FIRST: Final = 50
_MAX_CURSOR_LENGTH: Final = 4096
_CHECK_KEY: Final = b"kg-service cursor v1"
FIRST_DESCRIPTION: Final = (
    f"페이지 크기(1–{MAX_FIRST}, 기본 {DEFAULT_FIRST}) / Page size (1–{MAX_FIRST}, default {DEFAULT_FIRST})."
)
AFTER_DESCRIPTION: Final = "이 커서 다음부터(edges.cursor 또는 pageInfo.endCursor) / Start after this cursor (an edges.cursor or pageInfo.endCursor)."

NodeType = TypeVar("NodeType")


@strawberry.type(description="페이지 정보 / Where a page lies in the whole list.")
class PageInfo:
    """Relay page information."""

    has_next_page: bool = strawberry.field(description="다음 페이지가 있는지 / Whether more items follow.")
    has_previous_page: bool = strawberry.field(
        description="이전 페이지가 있는지 / Whether items come before this page."
    )
    start_cursor: str | None = strawberry.field(description="첫 항목의 커서 / Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(
        description="마지막 항목의 커서(다음 페이지의 after) / Cursor of the last edge (pass as `after`)."
    )


@strawberry.type(description="목록의 한 항목과 그 커서 / One item of a list and its cursor.")
class Edge(Generic[NodeType]):
    """A Relay edge."""

    node: NodeType = strawberry.field(description="항목 / The item.")
    cursor: str = strawberry.field(description="이 항목의 위치(불투명) / Opaque position of this item.")


@strawberry.type(description="페이지로 나눈 목록 / A page of a list (Relay connection).")
class Connection(Generic[NodeType]):
    """A Relay connection."""

    edges: list[Edge[NodeType]] = strawberry.field(description="이 페이지의 항목 / The items of this page.")
    page_info: PageInfo = strawberry.field(description="페이지 정보 / Page information.")
    total_count: int | None = strawberry.field(
        description="전체 항목 수(싸게 알 수 있을 때만) / Number of items in the whole list, when cheap to know."
    )


def page_size(first: int | None) -> int:
    """Check ``first``: 1 to :data:`MAX_FIRST`; ``None`` means :data:`DEFAULT_FIRST`.

    >>> page_size(None), page_size(500)
    (50, 500)
    """
    if first is None:
        return DEFAULT_FIRST
    if first < 1 or first > MAX_FIRST:
        raise user_error(
            BAD_USER_INPUT,
            f"first must be 1 to {MAX_FIRST}, got {first}",
            f"first는 1에서 {MAX_FIRST} 사이여야 합니다 (받은 값: {first})",
            hint=f"ask for at most {MAX_FIRST} items and follow pageInfo.endCursor for more",
        )
    return first


def _check(body: bytes) -> str:
    return hashlib.blake2b(body, key=_CHECK_KEY, digest_size=6).hexdigest()


def encode_cursor(kind: str, position: Any) -> str:
    """An opaque cursor for ``position`` (JSON-serialisable) in a list of ``kind``.

    >>> decode_cursor(encode_cursor("sensors", 3), "sensors")
    3
    """
    body = json.dumps({"k": kind, "p": position}, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(body).decode("ascii").rstrip("=") + "." + _check(body)


def _bad_cursor(detail: str) -> Exception:
    return user_error(
        BAD_CURSOR,
        f"the cursor is not valid for this list ({detail})",
        f"이 목록에 맞지 않는 커서입니다 ({detail})",
        hint="use a cursor exactly as returned in edges.cursor or pageInfo.endCursor of the same query",
    )


def decode_cursor(cursor: str, kind: str) -> Any:
    """The position a cursor made by :func:`encode_cursor` for ``kind`` stands for.

    Raises:
        GraphQLError: code ``BAD_CURSOR`` for anything else.
    """
    if len(cursor) > _MAX_CURSOR_LENGTH or "." not in cursor:
        raise _bad_cursor("malformed")
    encoded, _, check = cursor.rpartition(".")
    try:
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise _bad_cursor("malformed") from None
    if _check(body) != check:
        raise _bad_cursor("checksum")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _bad_cursor("malformed") from None
    if not isinstance(data, dict) or data.get("k") != kind or "p" not in data:
        raise _bad_cursor("made for another list")
    return data["p"]


def decode_offset(cursor: str | None, kind: str) -> int:
    """The offset after which the next page starts (0 without a cursor)."""
    if cursor is None:
        return 0
    position = decode_cursor(cursor, kind)
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise _bad_cursor("not an offset")
    return position + 1


def offset_connection(
    nodes: Sequence[NodeType], kind: str, start: int, has_next: bool, total: int | None = None
) -> Connection[NodeType]:
    """A connection over a page of ``nodes`` that begins at offset ``start`` of the whole list."""
    edges = [Edge(node=node, cursor=encode_cursor(kind, start + index)) for index, node in enumerate(nodes)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )


def keyed_connection(
    items: Sequence[tuple[NodeType, Any]],
    kind: str,
    has_previous: bool,
    has_next: bool,
    total: int | None = None,
) -> Connection[NodeType]:
    """A connection whose cursors hold each node's key (keyset pagination)."""
    edges = [Edge(node=node, cursor=encode_cursor(kind, key)) for node, key in items]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
