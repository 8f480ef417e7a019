"""Department commands: ``kg submit``, ``kg validate``, ``kg datasets``, ``kg departments``, ``kg submissions``,
``kg submission ID``.

Exit codes: ``kg submit`` 0 committed (or a duplicate of a committed file), 1 rejected, 2 could not run;
``kg validate`` 0 valid, 1 invalid, 2 could not run. ``--json`` prints the result as JSON, where each violation
carries ``row`` (1-based data row, header not counted) and ``column`` when it comes from a tabular source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rdflib import URIRef
from rdflib.namespace import RDFS
from rdflib.term import Identifier

from kg_service.cli.context import state
from kg_service.config import Settings
from kg_service.errors import LimitExceededError, SourceDataError
from kg_service.store.embedded import EmbeddedStore
from kg_service.submissions.service import SubmissionOutcome, SubmissionService
from kg_service.vocab import CPS


def register(app: typer.Typer) -> None:
    """Add the submission commands to the root command."""
    app.command("submit")(submit)
    app.command("validate")(validate)
    app.command("datasets")(datasets)
    app.command("departments")(departments)
    app.command("submissions")(submissions)
    app.command("submission")(submission)


@contextmanager
def _service(settings: Settings) -> Iterator[SubmissionService]:
    store = EmbeddedStore.open(settings.store_dir)
    try:
        service = SubmissionService.open(settings, store)
        service.recover()
        yield service
    finally:
        store.close()


def _read(path: Path, settings: Settings) -> bytes:
    if not path.is_file():
        raise SourceDataError(f"no such file: {path}", f"파일이 없습니다: {path}", hint="check the path")
    size = path.stat().st_size
    if size > settings.max_upload_bytes:
        raise LimitExceededError(
            f"{path.name} is {size:,} bytes; the limit is {settings.max_upload_bytes:,}",
            f"{path.name}의 크기 {size:,} 바이트가 한도 {settings.max_upload_bytes:,}를 넘습니다",
            hint="split the file, or raise KG_MAX_UPLOAD_BYTES",
        )
    return path.read_bytes()


def _print_outcome(outcome: SubmissionOutcome, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(outcome.as_dict(), ensure_ascii=False, indent=2))
        return
    head = {
        "committed": "committed (반영됨)",
        "duplicate": f"already committed as {outcome.duplicate_of} (이미 반영된 파일)",
        "rejected": "rejected (거부됨)",
        "valid": "valid (검증 통과; nothing stored)",
        "invalid": "invalid (검증 실패; nothing stored)",
    }[outcome.outcome]
    ident = f" {outcome.record.id}" if outcome.record else ""
    typer.echo(f"{head}{ident}: {outcome.triples:,} triples")
    typer.echo(outcome.report.summary("en"))
    typer.echo(outcome.report.summary("ko"))
    for entry in outcome.report.entries[:20]:
        where = f"row {entry.row}" if entry.row is not None else "-"
        column = f", column {entry.column}" if entry.column else ""
        value = f", value {entry.value!r}" if entry.value is not None else ""
        typer.echo(f"  {entry.severity:9} {where}{column}{value}: {entry.message_en} / {entry.message_ko}")
    if outcome.report.total_entries > 20:
        typer.echo(f"  … {outcome.report.total_entries - 20} more (use --json for all)")


def submit(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to submit.")],
    department: Annotated[str, typer.Option("--department", "-d", help="Submitting department code.")],
    dataset: Annotated[str, typer.Option("--dataset", "-s", help="Dataset identifier ('kg datasets').")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Submit a department file: commit atomically or reject with a report. 부서 파일을 제출합니다."""
    settings = state(ctx).settings()
    data = _read(file, settings)
    with _service(settings) as service:
        outcome = service.submit(department=department, dataset=dataset, file_name=file.name, data=data)
    _print_outcome(outcome, as_json)
    raise typer.Exit(outcome.exit_code)


def validate(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to check.")],
    department: Annotated[str, typer.Option("--department", "-d", help="Department code.")],
    dataset: Annotated[str, typer.Option("--dataset", "-s", help="Dataset identifier ('kg datasets').")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Dry run: map and validate a file without storing anything. 저장하지 않고 검증만 합니다."""
    settings = state(ctx).settings()
    data = _read(file, settings)
    with _service(settings) as service:
        outcome = service.submit(
            department=department, dataset=dataset, file_name=file.name, data=data, dry_run=True
        )
    _print_outcome(outcome, as_json)
    raise typer.Exit(outcome.exit_code)


def datasets(ctx: typer.Context) -> None:
    """List dataset identifiers (identifier first), owner and title. 데이터셋 목록."""
    settings = state(ctx).settings()
    from kg_service.submissions.catalog import load_catalog

    catalog = load_catalog(
        settings.mappings_dir / "datasets.yaml",
        mappings_dir=settings.mappings_dir,
        shapes_dir=settings.shapes_dir,
    )
    for definition in sorted(catalog.datasets.values(), key=lambda d: d.id):
        typer.echo(
            f"{definition.id}\t{definition.department}\t{definition.mode}\t{definition.title_ko} / {definition.title_en}"
        )


def departments(ctx: typer.Context) -> None:
    """List department codes (code first) with their names. 부서 목록."""
    settings = state(ctx).settings()
    store = EmbeddedStore.open(settings.store_dir, read_only=True)
    try:
        rows: list[tuple[str, str, str]] = []
        for subject in _subjects_of_type(store, CPS.Department):
            labels = {
                getattr(label, "language", None): str(label) for label in store.objects(subject, RDFS.label)
            }
            code = str(subject).rsplit("/", 1)[-1]
            rows.append((code, labels.get("ko", ""), labels.get("en", "")))
    finally:
        store.close()
    for code, name_ko, name_en in sorted(rows):
        typer.echo(f"{code}\t{name_ko}\t{name_en}")


_INSTANCES_OF = "SELECT ?entity ?type WHERE { GRAPH ?graph { ?entity a ?type } }"


def _subjects_of_type(store: EmbeddedStore, cls: URIRef) -> list[Identifier]:
    return [row["entity"] for row in store.select(_INSTANCES_OF, {"type": cls})]


def submissions(
    ctx: typer.Context,
    department: Annotated[str | None, typer.Option("--department", "-d")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", "-s")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List submissions, newest first (id first). 제출 목록."""
    settings = state(ctx).settings()
    from kg_service.submissions.records import SubmissionLog

    records = SubmissionLog(settings.data_dir / "submissions.sqlite").recent(
        department=department, dataset=dataset, limit=limit
    )
    if as_json:
        typer.echo(
            json.dumps(
                [{k: v for k, v in r.as_dict().items() if k != "report"} for r in records], ensure_ascii=False
            )
        )
        return
    for record in records:
        typer.echo(
            f"{record.id}\t{record.status}\t{record.dataset}\t{record.department}\t{record.file_name}\t{record.summary}"
        )


def submission(
    ctx: typer.Context,
    submission_id: Annotated[str, typer.Argument(help="Submission id ('kg submissions').")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show one submission with its report. 제출 한 건과 보고서."""
    settings = state(ctx).settings()
    from kg_service.submissions.records import SubmissionLog
    from kg_service.submissions.report import SubmissionReport

    record = SubmissionLog(settings.data_dir / "submissions.sqlite").get(submission_id[:200])
    if as_json:
        typer.echo(json.dumps(record.as_dict(), ensure_ascii=False, indent=2))
        return
    for key in (
        "id",
        "status",
        "department",
        "dataset",
        "file_name",
        "content_sha256",
        "size_bytes",
        "mode",
        "rules_version",
        "shapes_version",
        "created_at",
        "updated_at",
        "sequence",
        "duplicate_of",
    ):
        typer.echo(f"{key:15} {getattr(record, key)}")
    typer.echo(f"{'counts':15} {record.counts}")
    report = SubmissionReport.from_dict(record.report or {})
    typer.echo(report.summary("en"))
    typer.echo(report.summary("ko"))
    for entry in report.entries[:50]:
        typer.echo(
            f"  {entry.severity:9} row {entry.row} column {entry.column}: {entry.message_en} / {entry.message_ko}"
        )
