"""Bearer tokens per department, stored only as salted hashes in ``{data_dir}/tokens.sqlite``.

A token looks like ``kg_<token id>_<secret>``. The token id is not secret: it names the row (so a lookup
needs no scan and ``kg token revoke`` has something to point at) and is shown by ``kg token list``. The
secret is 32 random bytes; only ``PBKDF2-HMAC-SHA256(secret, per-token salt)`` is stored, and presented
secrets are compared with :func:`hmac.compare_digest`. The plaintext is returned once, by :meth:`TokenStore.create`.

Why PBKDF2 with few iterations: a slow hash protects guessable passwords; these secrets have 256 bits of
entropy, so the hash only has to make the file useless to whoever reads it, while every API request pays
for one verification. The iteration count is stored per row, so it can be raised without invalidating tokens.

Each call opens its own short-lived SQLite connection, so one :class:`TokenStore` can be shared by the
server's worker threads, and a ``kg token revoke`` in another process takes effect on the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, cast

from kg_service.api.principal import ROLE_ORDER, Principal, Role
from kg_service.errors import AuthenticationError, NotFoundError, StoreError

TOKEN_PREFIX: Final = "kg_"  # noqa: S105 - a public prefix, not a secret
TOKENS_FILE: Final = "tokens.sqlite"
PBKDF2_ITERATIONS: Final = 20_000
MAX_AUTHORIZATION_HEADER: Final = 512
"""Longer ``Authorization`` headers are refused before any lookup or hashing."""

_TOKEN_ID_BYTES: Final = 6
_SECRET_BYTES: Final = 32
_TOKEN_RE: Final = re.compile(r"kg_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})")
_DEPARTMENT_RE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_LABEL_MAX: Final = 200
# A fixed salt for the dummy hash computed when a token id is unknown, so that a miss costs what a hit costs.
_DUMMY_SALT: Final = b"kg-service-no-such-token"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS tokens (
    token_id    TEXT PRIMARY KEY,
    department  TEXT NOT NULL,
    role        TEXT NOT NULL,
    label       TEXT NOT NULL,
    salt        BLOB NOT NULL,
    secret_hash BLOB NOT NULL,
    iterations  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
)
"""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What may be shown about a token: everything except its secret (and the secret's hash)."""

    token_id: str
    department: str
    role: Role
    label: str
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        """Whether the token still authenticates."""
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A newly created token: its public record and the plaintext, which is never available again."""

    info: TokenInfo
    plaintext: str


class TokenStore:
    """The department tokens of one data directory.

    >>> import tempfile
    >>> tokens = TokenStore(Path(tempfile.mkdtemp()) / "tokens.sqlite")
    >>> issued = tokens.create("transport", "reader", "traffic dashboard")
    >>> tokens.authenticate(f"Bearer {issued.plaintext}").department
    'transport'
    >>> tokens.revoke(issued.info.token_id)
    >>> tokens.authenticate(f"Bearer {issued.plaintext}") is None
    True
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> TokenStore:
        """The token store of a data directory (``{data_dir}/tokens.sqlite``)."""
        return cls(data_dir / TOKENS_FILE)

    # -- administration (kg token ...) -----------------------------------------------------------------

    def create(self, department: str, role: str, label: str = "") -> IssuedToken:
        """Issue a token for ``department`` with ``role``; the returned plaintext is shown once and not kept.

        Raises:
            ValueError: ``role`` is not one of reader, submitter, editor, admin, or ``department`` is not a
                department code (lower-case letters, digits and '-'), or ``label`` is too long.
            StoreError: the token file cannot be written.
        """
        checked_role = check_role(role)
        if not _DEPARTMENT_RE.fullmatch(department):
            raise ValueError(f"not a department code: {department!r}")
        if len(label) > _LABEL_MAX or any(ord(ch) < 32 for ch in label):
            raise ValueError(f"the label must be at most {_LABEL_MAX} printable characters")
        token_id = secrets.token_hex(_TOKEN_ID_BYTES)
        secret = secrets.token_urlsafe(_SECRET_BYTES)
        salt = secrets.token_bytes(16)
        digest = _hash_secret(secret, salt, PBKDF2_ITERATIONS)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connection(create=True) as db:
            db.execute(
                "INSERT INTO tokens (token_id, department, role, label, salt, secret_hash, iterations,"
                " created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (token_id, department, checked_role, label, salt, digest, PBKDF2_ITERATIONS, created),
            )
        info = TokenInfo(token_id, department, checked_role, label, created, None)
        return IssuedToken(info, f"{TOKEN_PREFIX}{token_id}_{secret}")

    def revoke(self, token_id: str) -> None:
        """Revoke a token; it stops authenticating at the next request (revoking twice is harmless).

        Raises:
            NotFoundError: no token has this id.
        """
        with self._connection(create=False) as db:
            found = db.execute("SELECT revoked_at FROM tokens WHERE token_id = ?", (token_id,)).fetchone()
            if found is None:
                raise NotFoundError(
                    f"no token with id {token_id!r}",
                    f"ID가 {token_id!r}인 토큰이 없습니다",
                    hint="'kg token list' shows the token ids",
                )
            if found[0] is None:
                revoked = datetime.now(UTC).isoformat(timespec="seconds")
                db.execute("UPDATE tokens SET revoked_at = ? WHERE token_id = ?", (revoked, token_id))

    def list_tokens(self) -> list[TokenInfo]:
        """Every token ever issued (revoked ones included), oldest first, without secrets."""
        if not self.path.exists():
            return []
        with self._connection(create=False) as db:
            rows = db.execute(
                "SELECT token_id, department, role, label, created_at, revoked_at FROM tokens"
                " ORDER BY created_at, token_id"
            ).fetchall()
        return [TokenInfo(row[0], row[1], cast(Role, row[2]), row[3], row[4], row[5]) for row in rows]

    # -- per request ---------------------------------------------------------------------------------

    def authenticate(self, header: str | None) -> Principal | None:
        """The principal an ``Authorization: Bearer <token>`` header stands for, or ``None``.

        ``None`` for a missing, malformed, unknown or revoked token (the caller answers 401 and need not
        know which). Blocks for one hash computation and one SQLite read: call it from a worker thread.
        """
        secret_parts = _parse_bearer(header)
        if secret_parts is None:
            return None
        token_id, secret = secret_parts
        row = self._lookup(token_id)
        if row is None:
            # Spend the same time as a real check, so a miss is not distinguishable by timing.
            _hash_secret(secret, _DUMMY_SALT, PBKDF2_ITERATIONS)
            return None
        department, role, salt, stored, iterations, revoked_at = row
        presented = _hash_secret(secret, salt, iterations)
        if not hmac.compare_digest(presented, stored) or revoked_at is not None:
            return None
        return Principal(department=department, role=cast(Role, role), token_id=token_id)

    # -- internals -------------------------------------------------------------------------------------

    def _lookup(self, token_id: str) -> tuple[str, str, bytes, bytes, int, str | None] | None:
        if not self.path.exists():
            return None
        with self._connection(create=False) as db:
            row = db.execute(
                "SELECT department, role, salt, secret_hash, iterations, revoked_at FROM tokens"
                " WHERE token_id = ?",
                (token_id,),
            ).fetchone()
        if row is None or row[1] not in ROLE_ORDER:
            return None
        return row[0], row[1], bytes(row[2]), bytes(row[3]), int(row[4]), row[5]

    @contextmanager
    def _connection(self, *, create: bool) -> Iterator[sqlite3.Connection]:
        if not create and not self.path.exists():
            raise NotFoundError(
                f"no token file at {self.path}",
                f"{self.path}에 토큰 파일이 없습니다",
                hint="create a token first with 'kg token create'",
            )
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # Created owner-only before SQLite opens it; the hashes are not secrets, but there is no
                # reason for anyone else to read who holds tokens.
                self.path.touch(mode=0o600, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
                db.execute("PRAGMA busy_timeout = 10000")
                if create:
                    db.execute(_SCHEMA)
                db.execute("BEGIN IMMEDIATE" if create else "BEGIN")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot use the token file {self.path}: {exc}",
                f"토큰 파일 {self.path}을(를) 사용할 수 없습니다: {exc}",
                hint="check that KG_DATA_DIR is writable and the file is not damaged",
            ) from exc


def check_role(role: str) -> Role:
    """``role`` as a :data:`Role`, or ``ValueError`` naming the allowed roles."""
    if role not in ROLE_ORDER:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLE_ORDER)}")
    return cast(Role, role)


def authentication_error(header: str | None) -> AuthenticationError:
    """The error to answer a request whose ``Authorization`` header did not authenticate."""
    if not header:
        return AuthenticationError(
            "authentication required: send 'Authorization: Bearer <token>'",
            "인증이 필요합니다: 'Authorization: Bearer <토큰>' 헤더를 보내십시오",
            hint="ask the Smart City Policy Bureau for a token for your department ('kg token create')",
        )
    return AuthenticationError(
        "the bearer token is invalid or has been revoked",
        "베어러 토큰이 올바르지 않거나 폐기되었습니다",
        hint="check the token was copied whole; ask for a new one if it was revoked",
    )


def _parse_bearer(header: str | None) -> tuple[str, str] | None:
    if not header or len(header) > MAX_AUTHORIZATION_HEADER:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    match = _TOKEN_RE.fullmatch(credentials.strip())
    if match is None:
        return None
    return match.group(1), match.group(2)


def _hash_secret(secret: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", secret.encode("ascii"), salt, iterations)
