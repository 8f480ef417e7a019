"""GraphQL errors meant for the caller, with a machine-readable ``extensions.code``.

Resolvers raise these (or :class:`~kg_service.errors.KGServiceError` subclasses, which :func:`as_graphql_error`
turns into them). Everything else is a server error; the app layer masks those. Codes a client may see:
:data:`USER_ERROR_CODES`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from typing import Final, ParamSpec, TypeVar

from graphql import GraphQLError

from kg_service.errors import KGServiceError

BAD_USER_INPUT: Final = "BAD_USER_INPUT"
BAD_CURSOR: Final = "BAD_CURSOR"
UNAUTHENTICATED: Final = "UNAUTHENTICATED"
NOT_FOUND: Final = "NOT_FOUND"
#: Error codes whose message is written for the caller (the app's error masking lets these through).
USER_ERROR_CODES: Final = frozenset(
    {BAD_USER_INPUT, BAD_CURSOR, UNAUTHENTICATED, "FORBIDDEN", NOT_FOUND, "LIMIT_EXCEEDED"}
)

P = ParamSpec("P")
T = TypeVar("T")


def user_error(code: str, message: str, message_ko: str, *, hint: str = "") -> GraphQLError:
    """A GraphQL error for the caller: English and Korean message, code and hint in ``extensions``.

    >>> user_error("BAD_CURSOR", "bad cursor", "잘못된 커서").extensions["code"]
    'BAD_CURSOR'
    """
    extensions = {"code": code, "message_ko": message_ko}
    if hint:
        extensions["hint"] = hint
    return GraphQLError(f"{message} ({message_ko})", extensions=extensions)


def as_graphql_error(error: KGServiceError) -> GraphQLError:
    """A service error as a GraphQL error carrying its code."""
    return user_error(error.code, error.message, error.message_ko, hint=error.hint)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn service errors raised inside the block into GraphQL errors with their code."""
    try:
        yield
    except KGServiceError as error:
        raise as_graphql_error(error) from None


async def call(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a (synchronous, store-reading) query-layer call in a worker thread, so a slow query does not stall
    the event loop; service errors become GraphQL errors."""
    with user_errors():
        return await asyncio.to_thread(function, *args, **kwargs)
