"""One error hierarchy for the whole service.

Every error carries a message in English and Korean that a department user can act on, and a hint saying
what to do. Expected outcomes (a rejected submission, a non-conforming ontology) are results with reports,
not exceptions; these errors mean the operation could not run at all.

Command-line exit codes follow pySHACL's convention: 0 success or conforms, 1 problems found, 2 could not run
(usage, configuration, I/O or any ``KGServiceError``).
"""

from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_COULD_NOT_RUN = 2


class KGServiceError(Exception):
    """Base of every error the service raises on purpose.

    >>> err = KGServiceError("store is locked", "저장소가 잠겨 있습니다", hint="stop the other process")
    >>> str(err)
    'store is locked (저장소가 잠겨 있습니다) — hint: stop the other process'
    >>> err.code
    'KG_ERROR'
    """

    code: ClassVar[str] = "KG_ERROR"

    def __init__(self, message: str, message_ko: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.message_ko = message_ko
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.message} ({self.message_ko})"
        return f"{text} — hint: {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, str]:
        """The error as data, for JSON output and GraphQL ``extensions``."""
        return {"code": self.code, "message": self.message, "message_ko": self.message_ko, "hint": self.hint}


class ConfigurationError(KGServiceError):
    """A setting is missing, malformed or unsafe."""

    code = "CONFIGURATION"


class StoreError(KGServiceError):
    """The graph store could not be opened, read or written."""

    code = "STORE"


class StoreLockedError(StoreError):
    """Another process holds the embedded store open for writing."""

    code = "STORE_LOCKED"


class OntologyError(KGServiceError):
    """The ontology files could not be read or parsed."""

    code = "ONTOLOGY"


class MappingRuleError(KGServiceError):
    """A mapping rule file is itself wrong (checked before any data is read)."""

    code = "MAPPING_RULE"


class SourceDataError(KGServiceError):
    """A source file cannot be read at all (as opposed to bad rows, which are collected as problems)."""

    code = "SOURCE_DATA"


class SubmissionError(KGServiceError):
    """A submission could not be processed (not the same as rejected by validation)."""

    code = "SUBMISSION"


class LimitExceededError(KGServiceError):
    """An input is larger than a configured limit."""

    code = "LIMIT_EXCEEDED"


class NotFoundError(KGServiceError):
    """A named thing (dataset, department, submission, entity) does not exist."""

    code = "NOT_FOUND"


class AuthenticationError(KGServiceError):
    """No valid credentials were presented."""

    code = "UNAUTHENTICATED"


class AuthorizationError(KGServiceError):
    """The caller is known but may not do this."""

    code = "FORBIDDEN"


class BackendUnavailableError(KGServiceError):
    """An optional backend (Neo4j) is not installed or not reachable."""

    code = "BACKEND_UNAVAILABLE"
