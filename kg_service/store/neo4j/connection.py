"""Connecting to the Neo4j backend (or any Bolt server we support) and running Cypher on it.

The ``neo4j`` driver is an optional extra (``pip install 'kg-service[neo4j]'``); it is imported only when
:func:`connect` is called. Every statement runs as its own auto-commit transaction: the projection never
relies on rolling back (FalkorDB does not honour rollback), every write is idempotent, and the sync records
its progress only after an entry is fully applied.

Errors: an unreachable server, wrong credentials or a missing driver raise
:class:`~kg_service.errors.BackendUnavailableError`; a statement the server rejects raises
:class:`~kg_service.errors.StoreError` after logging the statement (never parameter values, which may hold
anything; never the password).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from kg_service.errors import BackendUnavailableError, StoreError
from kg_service.store.neo4j.dialect import Dialect, detect_dialect

if TYPE_CHECKING:
    from kg_service.config import Settings

logger = logging.getLogger(__name__)

NEO4J_EXTRA: Final = "kg-service[neo4j]"
_LOGGED_QUERY_CHARS: Final = 2000


@dataclass(frozen=True)
class Neo4jSettings:
    """Connection settings of the Neo4j backend (from :class:`~kg_service.config.Settings`).

    ``batch_size`` is the number of triples written per statement group by the projection. ``falkordb_redis_url``
    (``redis://host:port``) is only for FalkorDB test servers: where to send ``GRAPH.CONSTRAINT``.
    """

    uri: str
    user: str
    password: SecretStr
    database: str
    max_connection_pool_size: int = 10
    connection_timeout: float = 10.0
    connection_acquisition_timeout: float = 30.0
    batch_size: int = 5000
    falkordb_redis_url: str | None = None

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.max_connection_pool_size < 1:
            raise ValueError("batch_size and max_connection_pool_size must be at least 1")
        if self.connection_timeout <= 0 or self.connection_acquisition_timeout <= 0:
            raise ValueError("timeouts must be positive")

    @classmethod
    def from_settings(cls, settings: Settings) -> Neo4jSettings:
        """Read the ``neo4j_*`` fields; fields the settings do not have yet take the defaults above."""

        def field(name: str, default: Any) -> Any:
            value = getattr(settings, f"neo4j_{name}", None)
            return default if value is None else value

        return cls(
            uri=settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password,
            database=settings.neo4j_database,
            max_connection_pool_size=int(field("max_connection_pool_size", cls.max_connection_pool_size)),
            connection_timeout=float(field("connection_timeout", cls.connection_timeout)),
            connection_acquisition_timeout=float(
                field("connection_acquisition_timeout", cls.connection_acquisition_timeout)
            ),
            batch_size=int(field("batch_size", cls.batch_size)),
            falkordb_redis_url=_secret_text(field("falkordb_redis_url", None)),
        )

    @property
    def display_uri(self) -> str:
        """The URI without any user information, for messages and logs."""
        return redacted_uri(self.uri)


def _secret_text(value: object) -> str | None:
    """The text of a setting that may be a :class:`SecretStr` (the Redis URL can carry a password)."""
    if value is None:
        return None
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def redacted_uri(uri: str) -> str:
    """``uri`` without user name and password.

    >>> redacted_uri("neo4j://admin:s3cret@db.example:7687")
    'neo4j://db.example:7687'
    """
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _import_driver() -> ModuleType:
    try:
        import neo4j
    except ImportError:
        raise BackendUnavailableError(
            "the Neo4j backend needs the neo4j driver, which is not installed",
            "Neo4j 백엔드에 필요한 neo4j 드라이버가 설치되어 있지 않습니다",
            hint=f"install the optional extra: pip install '{NEO4J_EXTRA}'",
        ) from None
    return neo4j


class Neo4jGraph:
    """An open connection to the graph server: runs Cypher, knows the server's dialect.

    Not thread-safe for concurrent writes; the sync is a single writer.
    """

    def __init__(self, driver: Any, settings: Neo4jSettings) -> None:
        self._driver = driver
        self.settings = settings
        self.dialect: Dialect | None = None

    @property
    def kind(self) -> str:
        """``"neo4j"`` or ``"falkordb"``."""
        return self.dialect.kind if self.dialect is not None else "unknown"

    def run(self, query: str, parameters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one statement in its own transaction and return its records as dicts.

        Raises:
            BackendUnavailableError: the server is unreachable, went away, or refused the credentials.
            StoreError: the server rejected the statement (the statement is logged, its parameters are not).
        """
        return self._run(query, parameters, probe=False)

    def probe(self, query: str) -> list[dict[str, Any]] | None:
        """Run a parameterless statement that may legitimately fail on some servers: ``None`` when the server
        rejects it (nothing logged). Unreachable servers and bad credentials still raise.
        """
        try:
            return self._run(query, None, probe=True)
        except _ProbeFailedError:
            return None

    def _run(self, query: str, parameters: Mapping[str, Any] | None, *, probe: bool) -> list[dict[str, Any]]:
        from neo4j import WRITE_ACCESS
        from neo4j.exceptions import (
            AuthError,
            DriverError,
            Neo4jError,
            ServiceUnavailable,
            SessionExpired,
        )

        if self._driver is None:
            raise StoreError(
                "the Neo4j connection is closed",
                "Neo4j 연결이 닫혔습니다",
                hint="open a new one with connect()",
            )
        text, bolt_parameters = (
            self.dialect.prepare(query, parameters)
            if self.dialect is not None
            else (query, dict(parameters or {}))
        )
        try:
            with self._driver.session(
                database=self.settings.database, default_access_mode=WRITE_ACCESS
            ) as session:
                result = session.run(text, bolt_parameters)
                return [dict(record.items()) for record in result]
        except AuthError:
            raise self._auth_failed() from None
        except (ServiceUnavailable, SessionExpired) as exc:
            raise self._unreachable(exc) from None
        except Neo4jError as exc:
            if _is_auth_failure(exc):
                raise self._auth_failed() from None
            if probe:
                raise _ProbeFailedError from None
            self._log_failed(query, parameters, exc)
            raise StoreError(
                f"the graph server rejected a statement: {exc.code or 'error'}: {_short(exc.message)}",
                f"그래프 서버가 구문을 거부했습니다: {exc.code or 'error'}",
                hint="the statement is in the service log; this is a bug in kg-service if it persists",
            ) from None
        except DriverError as exc:
            self._log_failed(query, parameters, exc)
            raise StoreError(
                f"the Neo4j driver failed: {type(exc).__name__}: {_short(str(exc))}",
                f"Neo4j 드라이버 오류: {type(exc).__name__}",
            ) from None
        except OSError as exc:
            raise self._unreachable(exc) from None

    def close(self) -> None:
        """Close the driver (idempotent)."""
        if self._driver is None:
            return
        driver, self._driver = self._driver, None
        try:
            driver.close()
        finally:
            if self.dialect is not None:
                self.dialect.after_close(self.settings.uri, self.settings.max_connection_pool_size)

    def __enter__(self) -> Neo4jGraph:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- errors -------------------------------------------------------------------------------------------

    def _unreachable(self, exc: BaseException) -> BackendUnavailableError:
        where = self.settings.display_uri
        logger.warning("Neo4j backend at %s is not reachable: %s", where, type(exc).__name__)
        return BackendUnavailableError(
            f"the Neo4j backend at {where} is not reachable ({type(exc).__name__})",
            f"Neo4j 백엔드({where})에 연결할 수 없습니다",
            hint="check that the server is running and KG_NEO4J_URI is right; submissions are still accepted "
            "and the sync catches up when the server is back",
        )

    def _auth_failed(self) -> BackendUnavailableError:
        where = self.settings.display_uri
        logger.warning("Neo4j backend at %s refused the credentials of user %r", where, self.settings.user)
        return BackendUnavailableError(
            f"the Neo4j backend at {where} refused the credentials of user {self.settings.user!r}",
            f"Neo4j 백엔드({where})가 사용자 {self.settings.user!r}의 인증 정보를 거부했습니다",
            hint="check KG_NEO4J_USER and KG_NEO4J_PASSWORD",
        )

    def _log_failed(self, query: str, parameters: Mapping[str, Any] | None, exc: BaseException) -> None:
        # The template only: parameter values may hold anything, and FalkorDB's own messages say nothing.
        logger.error(
            "Cypher statement failed on %s (%s): %s\n-- statement (parameters: %s):\n%s",
            self.kind,
            type(exc).__name__,
            _short(str(exc)),
            ", ".join(sorted(parameters or {})) or "none",
            query[:_LOGGED_QUERY_CHARS],
        )


def _is_auth_failure(exc: Any) -> bool:
    # FalkorDB answers LOGON with a FalkorDB.* code, which the driver turns into an "unknown" DatabaseError;
    # the server's own code is kept in the error's metadata.
    metadata = getattr(exc, "metadata", None)
    server_code = metadata.get("code") if isinstance(metadata, Mapping) else None
    codes = f"{exc.code or ''} {server_code or ''}"
    return "Security" in codes and ("Unauthorized" in codes or "Authentication" in codes)


class _ProbeFailedError(Exception):
    """A probing statement was rejected by the server."""


def _short(text: str | None, limit: int = 300) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[:limit] + "…"


def connect(settings: Settings | Neo4jSettings, *, ensure_schema: bool = True) -> Neo4jGraph:
    """Open a connection, detect the server kind, and (by default) create the schema.

    Raises:
        BackendUnavailableError: the driver is not installed, the server is unreachable or the credentials are
            wrong (the message names the server without credentials and never the password).
    """
    config = settings if isinstance(settings, Neo4jSettings) else Neo4jSettings.from_settings(settings)
    neo4j = _import_driver()
    try:
        driver = neo4j.GraphDatabase.driver(
            config.uri,
            auth=(config.user, config.password.get_secret_value()),
            max_connection_pool_size=config.max_connection_pool_size,
            connection_timeout=config.connection_timeout,
            connection_acquisition_timeout=config.connection_acquisition_timeout,
            user_agent="kg-service",
        )
    except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
        raise BackendUnavailableError(
            f"invalid Neo4j URI {config.display_uri}: {type(exc).__name__}",
            f"Neo4j URI가 올바르지 않습니다: {config.display_uri}",
            hint="KG_NEO4J_URI looks like bolt://host:7687 or neo4j://host:7687",
        ) from None
    graph = Neo4jGraph(driver, config)
    try:
        graph.dialect = detect_dialect(graph, redis_url=config.falkordb_redis_url)
        logger.info("connected to %s %s at %s", graph.dialect.kind, graph.dialect.version, config.display_uri)
        if ensure_schema:
            graph.dialect.ensure_schema(graph)
    except BaseException:
        graph.close()
        raise
    return graph
