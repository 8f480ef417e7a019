"""Department bearer tokens: hashed at rest, checked in constant time, revocable; and ``kg token …``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg_service.api import auth
from kg_service.api.auth import TokenStore
from kg_service.bootstrap import initialise_store
from kg_service.cli import tokens as token_commands
from kg_service.config import REPOSITORY_ROOT
from kg_service.errors import NotFoundError
from kg_service.store.embedded import EmbeddedStore


@pytest.fixture
def token_store(tmp_path: Path) -> TokenStore:
    return TokenStore.for_data_dir(tmp_path)


def test_token_format_and_principal(token_store: TokenStore) -> None:
    issued = token_store.create("transport", "submitter", "traffic feed")
    assert issued.plaintext.startswith(f"kg_{issued.info.token_id}_")
    principal = token_store.authenticate(f"Bearer {issued.plaintext}")
    assert principal is not None
    assert (principal.department, principal.role, principal.token_id) == (
        "transport",
        "submitter",
        issued.info.token_id,
    )
    assert (
        token_store.authenticate(f"bearer   {issued.plaintext}  ") == principal
    )  # scheme is case-insensitive


def test_tokens_are_hashed_at_rest(token_store: TokenStore) -> None:
    issued = token_store.create("transport", "reader")
    secret = (
        issued.plaintext.rsplit("_", 1)[-1] if issued.plaintext.count("_") == 2 else issued.plaintext[16:]
    )
    raw = token_store.path.read_bytes()
    assert issued.plaintext.encode() not in raw
    assert secret.encode() not in raw
    with sqlite3.connect(token_store.path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(tokens)")]
        (stored,) = db.execute("SELECT secret_hash FROM tokens").fetchone()
    assert "secret" not in columns and "token" not in columns
    assert len(stored) == 32 and secret.encode() not in stored
    assert token_store.path.stat().st_mode & 0o077 == 0  # owner-only


def test_salts_differ_per_token(token_store: TokenStore) -> None:
    token_store.create("transport", "reader")
    token_store.create("transport", "reader")
    with sqlite3.connect(token_store.path) as db:
        salts = [row[0] for row in db.execute("SELECT salt FROM tokens")]
    assert len(set(salts)) == 2


def test_secrets_are_compared_in_constant_time(
    token_store: TokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = token_store.create("transport", "reader")
    calls: list[tuple[bytes, bytes]] = []
    real = auth.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    wrong = issued.plaintext[:-4] + ("AAAA" if not issued.plaintext.endswith("AAAA") else "BBBB")
    assert token_store.authenticate(f"Bearer {wrong}") is None
    assert token_store.authenticate(f"Bearer {issued.plaintext}") is not None
    assert len(calls) == 2


def test_an_unknown_token_id_costs_one_hash_too(
    token_store: TokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    token_store.create("transport", "reader")
    hashed: list[int] = []
    real = auth._hash_secret

    def counting(secret: str, salt: bytes, iterations: int) -> bytes:
        hashed.append(iterations)
        return real(secret, salt, iterations)

    monkeypatch.setattr(auth, "_hash_secret", counting)
    assert token_store.authenticate("Bearer kg_0123456789ab_" + "x" * 43) is None
    assert hashed == [auth.PBKDF2_ITERATIONS]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic abc",
        "Bearer kg_",
        "Bearer kg_zz_" + "x" * 43,
        "Bearer " + "k" * 5000,
    ],
)
def test_malformed_headers_are_refused_without_hashing(
    token_store: TokenStore, monkeypatch: pytest.MonkeyPatch, header: str | None
) -> None:
    token_store.create("transport", "reader")
    monkeypatch.setattr(auth, "_hash_secret", lambda *a: pytest.fail("hashed a malformed header"))
    assert token_store.authenticate(header) is None


def test_revoke(token_store: TokenStore) -> None:
    issued = token_store.create("transport", "editor")
    keep = token_store.create("transport", "reader")
    token_store.revoke(issued.info.token_id)
    token_store.revoke(issued.info.token_id)  # twice is harmless
    assert token_store.authenticate(f"Bearer {issued.plaintext}") is None
    assert token_store.authenticate(f"Bearer {keep.plaintext}") is not None
    listed = {info.token_id: info for info in token_store.list_tokens()}
    assert not listed[issued.info.token_id].active
    assert listed[keep.info.token_id].active
    with pytest.raises(NotFoundError):
        token_store.revoke("000000000000")


def test_list_has_no_secrets(token_store: TokenStore) -> None:
    issued = token_store.create("transport", "reader", "dashboard")
    (info,) = token_store.list_tokens()
    assert info.label == "dashboard"
    assert issued.plaintext not in repr(info)


def test_bad_arguments(token_store: TokenStore) -> None:
    with pytest.raises(ValueError, match="role"):
        token_store.create("transport", "superuser")
    with pytest.raises(ValueError, match="department"):
        token_store.create("Transport Office", "reader")
    with pytest.raises(ValueError, match="label"):
        token_store.create("transport", "reader", "x" * 1000)


def test_no_token_file_means_nobody_authenticates(token_store: TokenStore) -> None:
    assert not token_store.path.exists()
    assert token_store.authenticate("Bearer kg_0123456789ab_" + "x" * 43) is None
    assert token_store.list_tokens() == []
    assert not token_store.path.exists()


# -- kg token ------------------------------------------------------------------------------------------------


@pytest.fixture
def initialised(isolated_env: Path) -> Path:
    """A data directory whose store holds the ontology and reference data; yields the data directory."""
    store = EmbeddedStore.open(isolated_env / "store")
    try:
        initialise_store(store, REPOSITORY_ROOT / "ontology")
    finally:
        store.close()
    return isolated_env


runner = CliRunner()


def test_cli_create_list_revoke(initialised: Path) -> None:
    created = runner.invoke(
        token_commands.app, ["create", "--department", "transport", "--role", "reader", "--label", "bus"]
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("kg_") and "\n" not in token
    assert "shown only once" in created.stderr and "한 번만 표시됩니다" in created.stderr
    principal = TokenStore.for_data_dir(initialised).authenticate(f"Bearer {token}")
    assert principal is not None and principal.department == "transport"

    listed = runner.invoke(token_commands.app, ["list", "--json"])
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    assert [(row["department"], row["role"], row["label"], row["revoked"]) for row in rows] == [
        ("transport", "reader", "bus", None)
    ]
    assert token not in listed.stdout and token.split("_", 2)[2] not in listed.stdout
    plain = runner.invoke(token_commands.app, ["list"])
    assert plain.exit_code == 0 and rows[0]["id"] in plain.stdout and "active" in plain.stdout

    revoked = runner.invoke(token_commands.app, ["revoke", rows[0]["id"]])
    assert revoked.exit_code == 0
    assert TokenStore.for_data_dir(initialised).authenticate(f"Bearer {token}") is None
    assert "revoked" in runner.invoke(token_commands.app, ["list"]).stdout


@pytest.mark.parametrize(
    ("args", "english", "korean"),
    [
        (["create", "--department", "nowhere", "--role", "reader"], "unknown department", "알 수 없는 부서"),
        (["create", "--department", "transport", "--role", "boss"], "unknown role", "알 수 없는 역할"),
        (
            ["create", "--department", "transport", "--role", "reader", "--label", "x" * 500],
            "label",
            "입력값",
        ),
        (["revoke", "0123456789ab"], "no token", "토큰"),
    ],
    ids=["department", "role", "label", "revoke-unknown"],
)
def test_cli_errors_are_bilingual_with_exit_2(
    initialised: Path, args: list[str], english: str, korean: str
) -> None:
    TokenStore.for_data_dir(initialised).create("transport", "reader")  # so that the token file exists
    result = runner.invoke(token_commands.app, args)
    assert result.exit_code == 2, result.output
    assert "error: " in result.stderr and english in result.stderr
    assert "오류: " in result.stderr and korean in result.stderr
    assert "Traceback" not in result.output


def test_cli_unknown_department_lists_the_known_ones(initialised: Path) -> None:
    result = runner.invoke(token_commands.app, ["create", "--department", "nowhere", "--role", "reader"])
    assert "hint:" in result.stderr and "transport" in result.stderr and "smart-city-policy" in result.stderr


def test_cli_create_before_kg_init_says_so(isolated_env: Path) -> None:
    result = runner.invoke(token_commands.app, ["create", "--department", "transport", "--role", "reader"])
    assert result.exit_code == 2
    assert "kg init" in result.stderr
    assert not (isolated_env / "tokens.sqlite").exists()
