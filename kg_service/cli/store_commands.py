"""``kg init`` and ``kg stats``: set up the store and see what is in it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kg_service.bootstrap import initialise_store
from kg_service.cli.context import state
from kg_service.store.embedded import EmbeddedStore
from kg_service.submissions.catalog import load_catalog


def register(app: typer.Typer) -> None:
    """Add the store commands to the root command."""
    app.command("init")(init)
    app.command("stats")(stats)


def init(ctx: typer.Context) -> None:
    """Load the ontology, reference data and dataset catalogue into the store (idempotent: twice changes nothing).

    온톨로지, 참조 데이터, 데이터셋 목록을 저장소에 적재합니다 (여러 번 실행해도 결과가 같습니다).
    """
    settings = state(ctx).settings()
    catalog = load_catalog(
        settings.mappings_dir / "datasets.yaml",
        mappings_dir=settings.mappings_dir,
        shapes_dir=settings.shapes_dir,
    )
    store = EmbeddedStore.open(settings.store_dir)
    try:
        loads = initialise_store(store, settings.ontology_dir, catalog=catalog)
    finally:
        store.close()
    for load in loads:
        typer.echo(f"{load.outcome:9}  {load.triples:>9} triples  {load.graph}  ({', '.join(load.files)})")
    typer.echo(f"store: {settings.store_dir}")


def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Print the number of triples in each named graph. 명명 그래프별 트리플 수를 출력합니다."""
    settings = state(ctx).settings()
    store = EmbeddedStore.open(settings.store_dir, read_only=True)
    try:
        sizes = store.graph_sizes()
    finally:
        store.close()
    total = sum(size.triples for size in sizes)
    if as_json:
        payload = {"graphs": {size.graph or "default": size.triples for size in sizes}, "total": total}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for size in sizes:
        typer.echo(f"{size.triples:>10}  {size.graph or '(default graph)'}")
    typer.echo(f"{total:>10}  total (합계)")
