"""Who may ask: every root query field requires a principal unless the settings say authentication is off.

Token checking happens in the app layer; it puts the principal (or ``None``) into the context. This
permission only reads it.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from kg_service.api.errors import UNAUTHENTICATED


class Authenticated(BasePermission):
    """Refuses a root field with ``UNAUTHENTICATED`` when the request has no principal and auth is required."""

    message = (
        "authentication required: send a valid API token (인증이 필요합니다: 올바른 API 토큰을 보내세요)"
    )
    error_extensions: dict[str, Any] | None = {  # noqa: RUF012 - strawberry reads this class attribute
        "code": UNAUTHENTICATED,
        "message_ko": "인증이 필요합니다: 올바른 API 토큰을 보내세요",
        "hint": "send 'Authorization: Bearer <token>' (ask the Smart City Policy Bureau for a token)",
    }

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        """Whether the request's context allows reading."""
        context = info.context
        return bool(getattr(context, "authorised", False))


#: Permission classes of every root query field.
READER: list[type[BasePermission]] = [Authenticated]
