"""The change-log consumer: order, high-water mark, skipping, rebuild, and surviving a server crash mid-entry
(kill -9 of FalkorDB, restart from its snapshot on the same directory, sync again → the same graph).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg_service.errors import BackendUnavailableError
from kg_service.store.neo4j import (
    ChangeLogEntry,
    Neo4jGraph,
    SyncProgress,
    export_rdf,
    high_water_mark,
    rebuild,
    sync,
)
from kg_service.store.neo4j.dialect import RedisEndpoint
from kg_service.vocab import CPS, SOSA, dataset_graph, instance_iri
from tests import neo4j_server
from tests.neo4j_server import (
    EX,
    BoltServer,
    FalkorDBProcess,
    as_graph,
    snapshot,
    synthetic_dataset,
)

# the fixtures (defined beside the server helper, not in conftest.py)
bolt_server = neo4j_server.bolt_server
clean_graph = neo4j_server.clean_graph

A = str(dataset_graph("sdot-air-a"))
B = str(dataset_graph("sdot-air-b"))
C = str(dataset_graph("road-links"))
BATCH = 25


def entry(
    sequence: int, graph: str, mode: str, triples: list[Any], calls: Counter[int] | None = None
) -> ChangeLogEntry:
    def supply() -> Iterable[Any]:
        if calls is not None:
            calls[sequence] += 1
        return iter(triples)

    return ChangeLogEntry(sequence, graph, mode, f"submission-{sequence}", supply)  # type: ignore[arg-type]


def change_log(calls: Counter[int] | None = None) -> list[ChangeLogEntry]:
    """Replaces, appends and a removal over three datasets; entry 4 is long enough to interrupt."""
    sensor = instance_iri("sensor", "V02Q1900001")
    extra = [
        (instance_iri("observation", "late-1"), SOSA.madeBySensor, sensor),
        (instance_iri("observation", "late-1"), SOSA.hasSimpleResult, Literal("3.25", datatype=_decimal())),
        (sensor, URIRef(EX + "note"), Literal("appended", lang="en")),
    ]
    return [
        entry(1, A, "replace", synthetic_dataset("a", sensors=3, observations=3), calls),
        entry(2, B, "replace", synthetic_dataset("b", sensors=2, observations=2), calls),
        entry(3, A, "append", extra, calls),
        entry(4, A, "replace", synthetic_dataset("a2", sensors=4, observations=3), calls),
        entry(5, B, "replace", [], calls),
        entry(
            6,
            C,
            "append",
            [(instance_iri("road", "R1"), CPS.inDistrict, instance_iri("district", "11110"))],
            calls,
        ),
    ]


def _decimal() -> URIRef:
    return URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def expected_graphs(entries: Iterable[ChangeLogEntry]) -> dict[str, Graph]:
    """What the named graphs hold after the entries, by the change log's own semantics."""
    graphs: dict[str, Graph] = {}
    for item in sorted(entries, key=lambda e: e.sequence):
        content = as_graph(item.triples())
        if item.mode == "replace":
            graphs[item.dataset_graph] = content
        else:
            graphs[item.dataset_graph] = graphs.get(item.dataset_graph, Graph()) + content
    return {name: graph for name, graph in graphs.items() if len(graph)}


def assert_exports(graph: Neo4jGraph, expected: dict[str, Graph]) -> None:
    exported = export_rdf(graph)
    assert {str(g.identifier) for g in exported.graphs() if len(g)} == set(expected)
    for name, content in expected.items():
        assert isomorphic(exported.graph(URIRef(name)), content), name


def small_batches(graph: Neo4jGraph) -> Neo4jGraph:
    graph.settings = type(graph.settings)(**{**graph.settings.__dict__, "batch_size": BATCH})
    return graph


def test_sync_applies_entries_in_order_and_records_the_mark(clean_graph: Neo4jGraph) -> None:
    entries = change_log()
    assert high_water_mark(clean_graph) is None
    result = sync(small_batches(clean_graph), reversed(entries))
    assert result.applied == [1, 2, 3, 4, 5, 6] and result.skipped == []
    assert result.high_water_mark == 6 == high_water_mark(clean_graph)
    assert result.triples == sum(len(list(e.triples())) for e in entries)
    assert_exports(clean_graph, expected_graphs(entries))


def test_entries_at_or_below_the_mark_are_skipped_without_reading_them(clean_graph: Neo4jGraph) -> None:
    calls: Counter[int] = Counter()
    entries = change_log(calls)
    sync(small_batches(clean_graph), entries[:3])
    before = snapshot(clean_graph)
    result = sync(clean_graph, entries[:3])
    assert result.applied == [] and result.skipped == [1, 2, 3] and result.triples == 0
    assert snapshot(clean_graph) == before
    assert calls == Counter({1: 1, 2: 1, 3: 1})
    result = sync(clean_graph, entries)
    assert result.applied == [4, 5, 6] and result.skipped == [1, 2, 3]
    assert_exports(clean_graph, expected_graphs(entries))


def test_duplicate_sequences_and_bad_entries_are_refused(clean_graph: Neo4jGraph) -> None:
    with pytest.raises(ValueError, match="sequence 2"):
        sync(clean_graph, [entry(2, A, "replace", []), entry(2, B, "replace", [])])
    with pytest.raises(ValueError, match="mode"):
        entry(1, A, "merge", [])
    with pytest.raises(ValueError, match="graph IRI"):
        entry(1, "not an iri", "replace", [])
    assert high_water_mark(clean_graph) is None


def test_rebuild_gives_the_graph_sync_gives_and_sets_the_mark(clean_graph: Neo4jGraph) -> None:
    entries = change_log()
    expected = expected_graphs(entries)
    sync(small_batches(clean_graph), entries)
    content: dict[str, list[Any]] = {name: list(graph) for name, graph in expected.items()}
    result = rebuild(clean_graph, content, sequence=6)
    assert result.high_water_mark == 6 == high_water_mark(clean_graph)
    assert_exports(clean_graph, expected)
    assert sync(clean_graph, entries).skipped == [1, 2, 3, 4, 5, 6]
    rebuild(clean_graph, {}, sequence=None)
    assert high_water_mark(clean_graph) is None
    assert_exports(clean_graph, {})


def statements_per_entry(clean_graph: Neo4jGraph) -> tuple[dict[int, int], tuple[list[Any], list[Any]]]:
    """Run the whole log uninterrupted: statements each entry took, and the resulting graph."""
    counts: Counter[int] = Counter()

    def count(progress: SyncProgress) -> None:
        counts[progress.sequence] += 1

    sync(small_batches(clean_graph), change_log(), progress=count)
    return dict(counts), snapshot(clean_graph)


@pytest.mark.parametrize("where", ["early", "late"], ids=["kill-during-load", "kill-during-sweep"])
def test_a_server_killed_mid_entry_ends_with_the_same_graph(
    clean_graph: Neo4jGraph, bolt_server: BoltServer, tmp_path: Path, where: str
) -> None:
    if bolt_server.falkordb is None:
        pytest.skip("needs a FalkorDB started by the tests (KG_TEST_NEO4J_URI is set)")
    counts, reference = statements_per_entry(clean_graph)
    victim = 4
    kill_at = 3 if where == "early" else counts[victim] - 2
    server = FalkorDBProcess(tmp_path / "falkordb", save="1 1").start()
    entries = change_log()
    try:
        graph = small_batches(server.connect_graph())
        seen: Counter[int] = Counter()

        def crash(progress: SyncProgress) -> None:
            seen[progress.sequence] += 1
            if progress.sequence == victim and seen[victim] == kill_at - 2:
                # pin the snapshot the restarted server will load two statements before the crash
                assert RedisEndpoint.parse(server.redis_url).command("SAVE") == "OK"
            if progress.sequence == victim and seen[victim] == kill_at:
                server.kill()

        with pytest.raises(BackendUnavailableError):
            sync(graph, entries, progress=crash)
        with pytest.raises(BackendUnavailableError):
            sync(graph, entries)  # nothing is applied while the server is down
        graph.close()

        server.start()
        graph = small_batches(server.connect_graph())
        assert high_water_mark(graph) == victim - 1
        assert snapshot(graph) != reference  # the snapshot holds a half-applied entry
        result = sync(graph, entries)
        assert result.skipped == [1, 2, 3] and result.applied == [4, 5, 6]
        assert snapshot(graph) == reference
        assert_exports(graph, expected_graphs(entries))
        graph.close()
    finally:
        server.stop()


@pytest.mark.skipif(not os.environ.get("KG_NEO4J_BENCH"), reason="benchmark: set KG_NEO4J_BENCH=1")
def test_sync_throughput(clean_graph: Neo4jGraph, capsys: pytest.CaptureFixture[str]) -> None:
    triples = synthetic_dataset("bench", sensors=800, observations=24)
    started = time.monotonic()
    result = sync(clean_graph, [entry(1, A, "replace", triples)])
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nsync of {result.triples} triples: {seconds:.1f} s, {result.triples / seconds:,.0f} triples/s, "
            f"{result.statements} statements, batch {clean_graph.settings.batch_size}, server {clean_graph.kind}"
        )
    assert result.triples > 150_000
