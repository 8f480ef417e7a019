"""``kg demo …``: demo data for trying the service and for tests and benchmarks.

``kg demo generate [--scale small|seoul] [--seed N] [--days N] [--start YYYY-MM-DD] [--bad-rate R] DIR``
writes every demo file into DIR (see :mod:`kg_service.demo.generate`). Exit codes: 0 written, 2 could not
run (bad option, DIR is a file, I/O error); errors are printed in English and Korean with a hint.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from kg_service.errors import EXIT_COULD_NOT_RUN, ConfigurationError, KGServiceError

app = typer.Typer(
    help="Demo data in every department format (부서별 실제 형식의 데모 데이터).",
    no_args_is_help=True,
)


@app.callback()
def _demo() -> None:
    """Demo data in every department format (부서별 실제 형식의 데모 데이터)."""


def _parse_start(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigurationError(
            f"start must be a date like 2025-07-14, got {text!r}",
            f"시작일은 2025-07-14 같은 날짜여야 합니다: {text!r}",
            hint="use YYYY-MM-DD",
        ) from exc


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(metavar="DIR", help="Output directory (created if missing).")],
    scale: Annotated[
        str, typer.Option("--scale", help="small (30 sensors, 1 day) or seoul (1,100 sensors, 40 days).")
    ] = "small",
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (non-negative); same seed, same bytes.")
    ] = 0,
    days: Annotated[
        int | None, typer.Option("--days", help="Days of hourly files (default: 1 small, 40 seoul).")
    ] = None,
    start: Annotated[
        str, typer.Option("--start", help="First day of the hourly files, YYYY-MM-DD.")
    ] = "2025-07-14",
    bad_rate: Annotated[
        float,
        typer.Option("--bad-rate", help="Share of hourly rows seeded with a defect, 0–0.5 (default 0)."),
    ] = 0.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary line.")] = False,
) -> None:
    """Write deterministic demo files in every real format into DIR.

    모든 실제 형식의 데모 파일을 DIR에 생성합니다 (같은 시드는 같은 바이트).
    """
    from kg_service.cli import print_error
    from kg_service.demo.generate import DemoOptions, generate_demo

    try:
        options = DemoOptions(scale=scale, seed=seed, days=days, start=_parse_start(start), bad_rate=bad_rate)
        manifest = generate_demo(out_dir, options, progress=None if quiet else typer.echo)
    except KGServiceError as exc:
        print_error(exc)
        raise typer.Exit(EXIT_COULD_NOT_RUN) from exc
    if not quiet:
        for item in sorted(manifest.files, key=lambda entry: entry.path):
            typer.echo(f"{item.rows:>10,} rows {item.bytes:>14,} bytes  {item.path}")
    total = sum(item.bytes for item in manifest.files)
    typer.echo(
        f"wrote {len(manifest.files)} files ({total:,} bytes, {manifest.defects} seeded defects) to {out_dir} "
        f"in {sum(manifest.seconds.values()):.1f} s"
    )


@app.command()
def run(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default KG_PORT or 8000).")] = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the demo data and stop.")] = False,
) -> None:
    """Set up the store, load the demo data through the submission pipeline, and serve GraphQL (demo mode).

    저장소를 준비하고 데모 데이터를 제출 경로로 적재한 뒤 GraphQL 서버를 데모 모드로 실행합니다.
    """
    from kg_service.bootstrap import initialise_store
    from kg_service.cli import print_error
    from kg_service.cli.context import state
    from kg_service.demo.generate import DemoOptions, generate_demo
    from kg_service.demo.load import load_demo_files
    from kg_service.store.embedded import EmbeddedStore
    from kg_service.submissions.service import SubmissionService

    try:
        settings = state(ctx).settings(demo=True, host=host, port=port)
        store = EmbeddedStore.open(settings.store_dir)
        try:
            service = SubmissionService.open(settings, store)
            for load in initialise_store(store, settings.ontology_dir, catalog=service.catalog):
                typer.echo(f"{load.outcome:9} {load.triples:>9} triples  {load.graph}")
            demo_dir = settings.data_dir / "demo-input"
            generate_demo(demo_dir, DemoOptions(scale="small", seed=0))
            service.recover()
            loads = load_demo_files(service, demo_dir, progress=typer.echo)
        finally:
            store.close()
        rejected = [load for load in loads if load.outcome.outcome == "rejected"]
        typer.echo(
            f"demo data: {len(loads)} files submitted, {len(rejected)} rejected (데모 데이터 적재 완료)"
        )
        if no_serve:
            raise typer.Exit(1 if rejected else 0)
        from kg_service.cli.serve import run_server

        typer.echo(
            f"serving GraphQL at http://{settings.host}:{settings.port}/graphql (demo mode: no authentication)"
        )
        run_server(settings)
    except KGServiceError as exc:
        print_error(exc)
        raise typer.Exit(EXIT_COULD_NOT_RUN) from exc
