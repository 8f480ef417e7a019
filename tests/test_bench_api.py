"""Smoke test of the API latency benchmark: its graph builder makes a graph the query layer understands, and
each of its six GraphQL queries is valid against the schema and answers something on a tiny graph."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry

from bench.api_latency import answer_is_non_empty, queries
from bench.seoul_graph import BuiltGraph, Scale, build_store
from kg_service.api.context import RequestContext
from kg_service.api.schema import build_schema
from kg_service.config import Settings
from kg_service.queries.embedded import EmbeddedLinkageQueries
from kg_service.store.embedded import EmbeddedStore

TINY = Scale(sensors=20, days=1, properties=4, buildings=100, systems=200)


@pytest.fixture(scope="module")
def built_store() -> Iterator[tuple[EmbeddedStore, BuiltGraph]]:
    store = EmbeddedStore.open(None)
    built = build_store(store, TINY)
    yield store, built
    store.close()


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema()


def test_builder_counts_follow_the_scale(built_store: tuple[EmbeddedStore, BuiltGraph]) -> None:
    _, built = built_store
    assert built.triples["observations"] == 8 * TINY.sensors * TINY.properties * TINY.hours
    assert built.triples["buildings"] == 16 * TINY.buildings
    assert len(built.serials) == TINY.sensors
    assert all(len(code) == 5 for code in built.districts)


@pytest.mark.parametrize("request_number", [0, 1])
def test_each_benchmark_query_answers(
    built_store: tuple[EmbeddedStore, BuiltGraph], schema: strawberry.Schema, request_number: int
) -> None:
    store, built = built_store
    settings = Settings(demo=True)
    engine = EmbeddedLinkageQueries(store)
    for name, (text, make) in queries(built).items():
        context = RequestContext(engine, None, settings)
        result = asyncio.run(
            schema.execute(text, variable_values=make(request_number), context_value=context)
        )
        assert not result.errors, (name, [error.message for error in result.errors])
        data: dict[str, Any] | None = result.data
        assert data is not None
        assert answer_is_non_empty(name, data), (name, data)
