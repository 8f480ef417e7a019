"""Error responses of the HTTP routes, in the same shape as GraphQL errors.

Every route answers a refused request with ``{"errors": [{"message": ..., "extensions": {"code": ...,
"message_ko": ..., "hint": ...}}]}`` and a 4xx/5xx status, so clients handle one shape everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.responses import JSONResponse

from kg_service.api.auth import authentication_error
from kg_service.errors import AuthorizationError, KGServiceError

BEARER_CHALLENGE: Final = 'Bearer realm="kg-service"'


class RequestRejectedError(KGServiceError):
    """A request the HTTP layer refuses before doing anything: its status and a stable code go with it."""

    def __init__(self, status: int, code: str, message: str, message_ko: str, *, hint: str = "") -> None:
        super().__init__(message, message_ko, hint=hint)
        self.status = status
        self.problem_code = code

    def as_dict(self) -> dict[str, str]:
        return {**super().as_dict(), "code": self.problem_code}


def error_response(
    status: int, error: KGServiceError, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A JSON error response carrying one of our errors."""
    payload = {"errors": [{"message": error.message, "extensions": error.as_dict()}]}
    return JSONResponse(payload, status_code=status, headers=dict(headers or {}))


def rejected_response(error: RequestRejectedError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The response to a :class:`RequestRejectedError`."""
    return error_response(error.status, error, headers)


def unauthenticated_response(header: str | None) -> JSONResponse:
    """401 with a Bearer challenge (``error="invalid_token"`` when a token was sent but did not verify)."""
    challenge = BEARER_CHALLENGE if not header else f'{BEARER_CHALLENGE}, error="invalid_token"'
    return error_response(401, authentication_error(header), {"WWW-Authenticate": challenge})


def forbidden_response(needed: str) -> JSONResponse:
    """403 for a known caller whose role is too low."""
    error = AuthorizationError(
        f"this needs the {needed} role or above",
        f"{needed} 이상의 역할이 필요합니다",
        hint="ask the Smart City Policy Bureau for a token with a higher role",
    )
    return error_response(403, error)
