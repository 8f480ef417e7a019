"""``kg neo4j sync | rebuild | status``: keep the Neo4j read backend up to date with the embedded store.

The embedded store stays the write path (submissions are committed there); Neo4j is fed from the change log:

- ``kg neo4j sync`` applies the committed submissions after the projection's high-water mark, in commit
  order, then refreshes the graphs no submission writes (ontology, reference data, catalogue, submission
  records) when they changed. Prints what it applied and skipped, triples written and throughput.
- ``kg neo4j rebuild`` clears the projection and projects every named graph of the embedded store again; the
  mark becomes the last committed sequence.
- ``kg neo4j status`` prints the mark, the last committed sequence and the lag between them.

The embedded store is opened read-only, so these run beside ``kg serve``. Connection settings are the
``KG_NEO4J_*`` variables. Exit codes: 0 done; 2 could not run (server unreachable or refusing the
credentials, driver not installed, store missing). An unreachable server loses nothing: the submissions stay
in the embedded store and the submission log, and the next sync applies them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kg_service.cli.context import state
from kg_service.config import Settings
from kg_service.errors import EXIT_COULD_NOT_RUN, BackendUnavailableError
from kg_service.store.embedded import EmbeddedStore

if TYPE_CHECKING:
    from kg_service.submissions.records import SubmissionLog

app = typer.Typer(
    help="Neo4j read backend: sync, rebuild, status (Neo4j 읽기 백엔드: 동기화, 재구축, 상태).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@contextmanager
def _embedded(settings: Settings) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(settings.store_dir, read_only=True)
    try:
        yield store
    finally:
        store.close()


def _log(settings: Settings) -> SubmissionLog:
    from kg_service.submissions.records import SubmissionLog

    return SubmissionLog(settings.data_dir / "submissions.sqlite")


def _deltas(settings: Settings) -> Path:
    return settings.data_dir / "deltas"


def _unreachable(error: BackendUnavailableError, settings: Settings) -> typer.Exit:
    """Say what went wrong and that nothing is lost (with how much is waiting), bilingually; exit code 2."""
    from kg_service.cli import print_error
    from kg_service.store.neo4j.changelog import latest_sequence

    print_error(error)
    latest = latest_sequence(_log(settings))
    typer.echo(
        "nothing is lost: committed submissions stay in the embedded store and the submission log "
        f"(last committed sequence: {latest if latest is not None else 'none'}); "
        "run 'kg neo4j sync' again when the server is back",
        err=True,
    )
    typer.echo(
        "잃어버린 데이터는 없습니다: 커밋된 제출은 내장 저장소와 제출 기록에 남아 있습니다 "
        f"(마지막 커밋 번호: {latest if latest is not None else '없음'}); "
        "서버가 돌아오면 'kg neo4j sync'를 다시 실행하세요",
        err=True,
    )
    return typer.Exit(EXIT_COULD_NOT_RUN)


@app.command("sync")
def sync_command(ctx: typer.Context) -> None:
    """Apply the committed submissions after the high-water mark, then changed side graphs.

    높은 수위 표시 이후에 커밋된 제출을 순서대로 적용하고, 바뀐 나머지 그래프를 갱신합니다.
    """
    from kg_service.store.neo4j import connect
    from kg_service.store.neo4j.changelog import sync_from_log, sync_status

    settings = state(ctx).settings()
    log = _log(settings)
    with _embedded(settings) as store:
        try:
            with connect(settings) as graph:
                result = sync_from_log(graph, store, log, _deltas(settings))
                status = sync_status(graph, log)
        except BackendUnavailableError as error:
            raise _unreachable(error, settings) from error
    entries = result.entries
    span = f" ({entries.applied[0]}–{entries.applied[-1]})" if entries.applied else ""
    typer.echo(f"applied   {len(entries.applied):>8} submissions{span}  (적용)")
    typer.echo(f"skipped   {len(entries.skipped):>8} submissions already in the projection  (건너뜀)")
    typer.echo(f"refreshed {len(result.refreshed):>8} side graphs  (갱신된 그래프)")
    for graph_iri in result.refreshed:
        typer.echo(f"          {graph_iri}")
    typer.echo(
        f"triples   {result.triples:>8}  in {result.seconds:.1f} s, {result.triples_per_second:,.0f} triples/s"
    )
    typer.echo(_status_line(status.mark, status.latest, status.lag))


@app.command("rebuild")
def rebuild_command(ctx: typer.Context) -> None:
    """Clear Neo4j and project every named graph of the embedded store again.

    Neo4j를 비우고 내장 저장소의 모든 명명 그래프를 다시 투영합니다.
    """
    from kg_service.queries.cypher.statements import QUERY_INDEXES
    from kg_service.store.neo4j import connect
    from kg_service.store.neo4j.changelog import rebuild_from_store, store_graphs

    settings = state(ctx).settings()
    log = _log(settings)
    with _embedded(settings) as store:
        try:
            with connect(settings) as graph:
                if graph.dialect is not None:
                    graph.dialect.ensure_indexes(graph, QUERY_INDEXES)
                result = rebuild_from_store(graph, store, log)
        except BackendUnavailableError as error:
            raise _unreachable(error, settings) from error
        graphs = store_graphs(store)
    typer.echo(f"projected {len(graphs):>8} named graphs  (투영한 명명 그래프)")
    typer.echo(
        f"triples   {result.triples:>8}  in {result.seconds:.1f} s, {result.triples_per_second:,.0f} triples/s"
    )
    mark = result.high_water_mark
    typer.echo(f"mark      {mark if mark is not None else 'none':>8}  (높은 수위 표시: 마지막 커밋 번호)")


@app.command("status")
def status_command(ctx: typer.Context) -> None:
    """Print the high-water mark, the last committed sequence and the lag.

    높은 수위 표시, 마지막 커밋 번호와 그 차이(지연)를 출력합니다.
    """
    from kg_service.store.neo4j import connect
    from kg_service.store.neo4j.changelog import sync_status

    settings = state(ctx).settings()
    log = _log(settings)
    try:
        with connect(settings, ensure_schema=False) as graph:
            status = sync_status(graph, log)
            where, kind = graph.settings.display_uri, graph.kind
    except BackendUnavailableError as error:
        raise _unreachable(error, settings) from error
    typer.echo(f"server    {where} ({kind})")
    typer.echo(_status_line(status.mark, status.latest, status.lag))


def _status_line(mark: int | None, latest: int | None, lag: int) -> str:
    shown_mark = mark if mark is not None else "none"
    shown_latest = latest if latest is not None else "none"
    return f"mark {shown_mark}, last committed {shown_latest}, lag {lag}  (표시 {shown_mark}, 마지막 커밋 {shown_latest}, 지연 {lag})"
