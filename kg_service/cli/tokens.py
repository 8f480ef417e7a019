"""``kg token …``: issue, list and revoke the department bearer tokens of the API.

- ``kg token create --department D --role R [--label L]`` prints the new token alone on standard output (so
  ``TOKEN=$(kg token create …)`` works) and, on standard error, its id and a warning that it is shown only once.
  The department must exist in the reference graph (``kg init`` loads it); roles: reader, submitter, editor,
  admin.
- ``kg token list [--json]`` shows every token without its secret.
- ``kg token revoke ID`` revokes a token; a running server refuses it from the next request on.

Exit codes: 0 done; 2 could not run (unknown department or role, unknown token id, no store, I/O), with the
error printed in English and Korean and a hint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Final, NoReturn

import typer
from rdflib import RDF

from kg_service.api.auth import TokenStore, check_role
from kg_service.api.principal import ROLE_ORDER
from kg_service.cli.context import state
from kg_service.errors import EXIT_COULD_NOT_RUN, ConfigurationError, KGServiceError, NotFoundError
from kg_service.store.embedded import EmbeddedStore
from kg_service.vocab import CPS, ID, REFERENCE_GRAPH, instance_iri

# Only the service's own constant IRIs are written into the query text.
_DEPARTMENTS_QUERY: Final = f"""
SELECT DISTINCT ?department WHERE {{
  GRAPH <{REFERENCE_GRAPH}> {{ ?department a <{CPS.Department}> }}
  FILTER(STRSTARTS(STR(?department), "{ID}department/"))
}}
"""

app = typer.Typer(
    help="Department API tokens (부서별 API 토큰).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _token() -> None:
    """Department API tokens (부서별 API 토큰)."""


@app.command()
def create(
    ctx: typer.Context,
    department: Annotated[str, typer.Option("--department", help="Department code, e.g. transport.")],
    role: Annotated[str, typer.Option("--role", help="reader, submitter, editor or admin.")],
    label: Annotated[
        str, typer.Option("--label", help="What the token is for (shown by 'kg token list').")
    ] = "",
) -> None:
    """Issue a token; it is printed once and cannot be shown again. 토큰을 발급합니다 (한 번만 표시)."""
    try:
        checked_role = _checked_role(role)
        settings = state(ctx).settings()
        _check_department(settings.store_dir, department)
        issued = TokenStore.for_data_dir(settings.data_dir).create(department, checked_role, label)
    except (KGServiceError, ValueError) as exc:
        _fail(exc)
    info = issued.info
    typer.echo(issued.plaintext)
    typer.echo(f"token id {info.token_id}: {info.department} / {info.role}", err=True)
    typer.echo(
        "warning: this token is shown only once; store it now in a safe place (it is kept only as a hash).",
        err=True,
    )
    typer.echo(
        "경고: 이 토큰은 한 번만 표시됩니다. 지금 안전한 곳에 보관하십시오 (해시로만 저장됩니다).", err=True
    )


@app.command("list")
def list_tokens(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the tokens (never their secrets). 토큰 목록 (비밀값은 표시하지 않음)."""
    try:
        tokens = TokenStore.for_data_dir(state(ctx).settings().data_dir).list_tokens()
    except KGServiceError as exc:
        _fail(exc)
    if as_json:
        rows = [
            {
                "id": t.token_id,
                "department": t.department,
                "role": t.role,
                "label": t.label,
                "created": t.created_at,
                "revoked": t.revoked_at,
            }
            for t in tokens
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not tokens:
        typer.echo("no tokens (토큰 없음)")
        return
    for t in tokens:
        status = "active " if t.active else "revoked"
        typer.echo(f"{t.token_id}  {status}  {t.role:9}  {t.department:24}  {t.created_at}  {t.label}")


@app.command()
def revoke(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(metavar="ID", help="The token id ('kg token list').")],
) -> None:
    """Revoke a token. 토큰을 폐기합니다."""
    try:
        TokenStore.for_data_dir(state(ctx).settings().data_dir).revoke(token_id)
    except KGServiceError as exc:
        _fail(exc)
    typer.echo(f"revoked {token_id} (폐기됨)")


def _checked_role(role: str) -> str:
    try:
        return check_role(role)
    except ValueError:
        roles = ", ".join(ROLE_ORDER)
        raise ConfigurationError(
            f"unknown role {role!r}",
            f"알 수 없는 역할입니다: {role!r}",
            hint=f"use one of {roles}",
        ) from None


def _check_department(store_dir: Path, department: str) -> None:
    """Refuse a department that is not a ``cps:Department`` in the reference graph."""
    store = EmbeddedStore.open(store_dir, read_only=True)
    try:
        iri = instance_iri("department", department) if department else None
        if iri is not None and store.has_quad(iri, RDF.type, CPS.Department, str(REFERENCE_GRAPH)):
            return
        known = sorted(
            str(row["department"]).removeprefix(f"{ID}department/")
            for row in store.select(_DEPARTMENTS_QUERY)
        )
    finally:
        store.close()
    raise NotFoundError(
        f"unknown department {department!r}",
        f"알 수 없는 부서입니다: {department!r}",
        hint=f"use a department code from the reference data: {', '.join(known) or '(none: run kg init)'}",
    )


def _fail(exc: Exception) -> NoReturn:
    from kg_service.cli import print_error

    error = (
        exc
        if isinstance(exc, KGServiceError)
        else ConfigurationError(
            str(exc), f"입력값이 올바르지 않습니다: {exc}", hint="see 'kg token create --help'"
        )
    )
    print_error(error)
    raise typer.Exit(EXIT_COULD_NOT_RUN) from exc
