"""The Neo4j sync fed by the real change log: submissions committed through the SubmissionService (the tests'
own catalogue, tests/fixtures/submissions) are applied in commit order, a replaced dataset is replaced, the
graphs no submission writes (ontology, catalogue, submission records) follow; a server killed mid-sync
(kill -9 of its process group) loses nothing and applies nothing twice once it is back; and the
``kg neo4j sync | rebuild | status`` commands, including the bilingual exit 2 when the server is away.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from kg_service.bootstrap import initialise_store
from kg_service.cli import neo4j as neo4j_cli
from kg_service.config import load_settings
from kg_service.errors import BackendUnavailableError
from kg_service.store.embedded import EmbeddedStore
from kg_service.store.neo4j import Neo4jGraph, SyncProgress, export_rdf, high_water_mark
from kg_service.store.neo4j.changelog import (
    change_log_entries,
    rebuild_from_store,
    store_graphs,
    sync_from_log,
    sync_status,
)
from kg_service.store.neo4j.dialect import RedisEndpoint
from kg_service.submissions.service import SubmissionService
from kg_service.vocab import CPS, dataset_graph
from tests import neo4j_server
from tests.neo4j_server import BoltServer, FalkorDBProcess, free_bolt_port, snapshot

# the fixtures (defined beside the server helper, not in conftest.py)
bolt_server = neo4j_server.bolt_server
clean_graph = neo4j_server.clean_graph

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
SENSORS = str(dataset_graph("test-sensors"))
READINGS = str(dataset_graph("test-readings"))
BATCH = 1000


def sensors_csv(serials: list[str]) -> bytes:
    rows = [f"{serial},37.{5600 + i},126.{9700 + i}" for i, serial in enumerate(serials)]
    return ("시리얼,위도,경도\n" + "\n".join(rows) + "\n").encode()


def readings_csv(serials: list[str], hours: range) -> bytes:
    rows = [
        f"{serial},2025-07-14T{hour:02d}:00:00+09:00,{20 + i + hour / 4}"
        for hour in hours
        for i, serial in enumerate(serials)
    ]
    return ("시리얼,시각,미세먼지\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SubmissionService]:
    """A submission service over a fresh data directory and the tests' catalogue."""
    for name in list(os.environ):
        if name.startswith("KG_") and name != "KG_SHARED_DIR":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KG_MAPPINGS_DIR", str(FIXTURES / "mappings"))
    monkeypatch.setenv("KG_SHAPES_DIR", str(FIXTURES / "shapes"))
    settings = load_settings()
    store = EmbeddedStore.open(settings.store_dir)
    try:
        submissions = SubmissionService.open(settings, store)
        initialise_store(store, settings.ontology_dir, catalog=submissions.catalog)
        yield submissions
    finally:
        store.close()


def submit(service: SubmissionService, dataset: str, data: bytes, name: str) -> int:
    department = "digital-city" if dataset == "test-sensors" else "climate-environment"
    outcome = service.submit(department=department, dataset=dataset, file_name=name, data=data)
    assert outcome.outcome == "committed", outcome.as_dict()
    assert outcome.record is not None and outcome.record.sequence is not None
    return outcome.record.sequence


def commit_history(service: SubmissionService) -> list[int]:
    """Five commits over two datasets (replace, appends, a replace with other sensors) and one rejection."""
    first = ["V02Q1940001", "V02Q1940002"]
    second = ["V02Q1940002", "V02Q1940003", "V02Q1940004"] + [f"V02Q19401{i:02d}" for i in range(40)]
    sequences = [
        submit(service, "test-sensors", sensors_csv(first), "sensors-1.csv"),
        submit(service, "test-readings", readings_csv(first, range(0, 6)), "r1.csv"),
        submit(service, "test-readings", readings_csv(first, range(6, 12)), "r2.csv"),
        submit(service, "test-sensors", sensors_csv(second), "sensors-2.csv"),
        submit(service, "test-readings", readings_csv(second, range(12, 18)), "r3.csv"),
    ]
    bad = service.submit(
        department="climate-environment",
        dataset="test-readings",
        file_name="bad.csv",
        data=readings_csv(["UNKNOWN0001"], range(1)),
    )
    assert bad.outcome == "rejected"
    return sequences


def small_batches(graph: Neo4jGraph) -> Neo4jGraph:
    """Batches small enough for a submission to take several statements (the side graphs take a while)."""
    graph.settings = type(graph.settings)(**{**graph.settings.__dict__, "batch_size": BATCH})
    return graph


def store_content(store: EmbeddedStore) -> dict[str, Graph]:
    content: dict[str, Graph] = {}
    for name in store_graphs(store):
        graph = Graph()
        for triple in store.triples(name):
            graph.add(triple)
        content[name] = graph
    return content


def assert_mirrors(graph: Neo4jGraph, store: EmbeddedStore) -> None:
    """The projection holds exactly the embedded store's named graphs."""
    exported = export_rdf(graph)
    expected = store_content(store)
    assert {str(g.identifier) for g in exported.graphs() if len(g)} == set(expected)
    for name, content in expected.items():
        assert isomorphic(exported.graph(URIRef(name)), content), name


def serials_in(graph: Neo4jGraph) -> set[str]:
    exported = export_rdf(graph).graph(URIRef(SENSORS))
    return {str(o) for _, p, o in exported if p == CPS.sdotSerial}


# -- the log, in commit order --------------------------------------------------------------------------------


def test_entries_come_from_the_log_in_commit_order(service: SubmissionService) -> None:
    sequences = commit_history(service)
    entries = change_log_entries(service.log, service.deltas, None)
    assert [e.sequence for e in entries] == sequences == sorted(sequences)
    assert [(e.dataset_graph, e.mode) for e in entries] == [
        (SENSORS, "replace"),
        (READINGS, "append"),
        (READINGS, "append"),
        (SENSORS, "replace"),
        (READINGS, "append"),
    ]
    assert len(list(entries[0].triples())) == 2 * 6
    assert [e.sequence for e in change_log_entries(service.log, service.deltas, sequences[2])] == sequences[
        3:
    ]


def test_sync_mirrors_the_embedded_store_and_replaces_a_replaced_dataset(
    service: SubmissionService, clean_graph: Neo4jGraph
) -> None:
    sequences = commit_history(service)
    graph = small_batches(clean_graph)
    result = sync_from_log(graph, service.store, service.log, service.deltas)
    assert result.entries.applied == sequences and result.entries.skipped == []
    assert high_water_mark(graph) == sequences[-1]
    assert_mirrors(graph, service.store)
    assert "V02Q1940001" not in serials_in(graph) and len(serials_in(graph)) == 43  # replaced, not a union
    assert str(dataset_graph("test-readings")) not in result.refreshed  # fed by the log, not refreshed

    again = sync_from_log(graph, service.store, service.log, service.deltas)
    assert (again.entries.applied, again.refreshed, again.triples) == ([], [], 0)

    later = submit(service, "test-sensors", sensors_csv(["V02Q1940009"]), "sensors-3.csv")
    result = sync_from_log(graph, service.store, service.log, service.deltas)
    assert result.entries.applied == [later] and result.entries.skipped == sequences
    assert result.refreshed == ["https://data.seoul.go.kr/cps/graph/system"]  # the new submission record
    assert serials_in(graph) == {"V02Q1940009"}
    assert_mirrors(graph, service.store)
    status = sync_status(graph, service.log)
    assert (status.mark, status.latest, status.lag) == (later, later, 0)


def test_rebuild_gives_what_sync_gives(service: SubmissionService, clean_graph: Neo4jGraph) -> None:
    sequences = commit_history(service)
    graph = small_batches(clean_graph)
    sync_from_log(graph, service.store, service.log, service.deltas)
    synced = snapshot(graph)
    result = rebuild_from_store(graph, service.store, service.log)
    assert result.high_water_mark == sequences[-1] == high_water_mark(graph)
    assert_mirrors(graph, service.store)
    nodes, relationships = snapshot(graph)
    assert (len(nodes), len(relationships)) == (len(synced[0]), len(synced[1]))
    after = sync_from_log(graph, service.store, service.log, service.deltas)
    assert (after.entries.applied, after.refreshed) == ([], [])


# -- a server that dies mid-sync -------------------------------------------------------------------------------


def test_a_server_killed_mid_sync_loses_nothing_and_applies_nothing_twice(
    service: SubmissionService, clean_graph: Neo4jGraph, bolt_server: BoltServer, tmp_path: Path
) -> None:
    if bolt_server.falkordb is None:
        pytest.skip("needs a FalkorDB started by the tests (KG_TEST_NEO4J_URI is set)")
    sequences = commit_history(service)
    victim = sequences[3]  # the second replace of the sensors
    counts: Counter[int] = Counter()
    sync_from_log(
        small_batches(clean_graph),
        service.store,
        service.log,
        service.deltas,
        progress=lambda p: counts.update([p.sequence]),
    )
    reference = snapshot(clean_graph)
    assert counts[victim] >= 6

    server = FalkorDBProcess(tmp_path / "falkordb", save="1 1").start()
    try:
        graph = small_batches(server.connect_graph())
        seen: Counter[int] = Counter()

        def crash(progress: SyncProgress) -> None:
            seen[progress.sequence] += 1
            if progress.sequence == victim and seen[victim] == counts[victim] - 3:
                # the snapshot the restarted server loads: two statements before the crash, mid-entry
                assert RedisEndpoint.parse(server.redis_url).command("SAVE") == "OK"
            if progress.sequence == victim and seen[victim] == counts[victim] - 1:
                server.kill()

        with pytest.raises(BackendUnavailableError):
            sync_from_log(graph, service.store, service.log, service.deltas, progress=crash)
        with pytest.raises(BackendUnavailableError):
            sync_from_log(graph, service.store, service.log, service.deltas)  # down: nothing applied
        graph.close()

        server.start()
        graph = small_batches(server.connect_graph())
        assert high_water_mark(graph) == sequences[2]  # the mark never passed an entry not fully applied
        assert snapshot(graph) != reference  # the restarted server holds a half-applied entry
        resumed = sync_from_log(graph, service.store, service.log, service.deltas)
        # each entry applied once: those below the mark skipped, the rest applied from the mark on
        assert (resumed.entries.skipped, resumed.entries.applied) == (sequences[:3], sequences[3:])
        assert snapshot(graph) == reference
        assert_mirrors(graph, service.store)
        graph.close()
    finally:
        server.stop()


# -- the commands ----------------------------------------------------------------------------------------------


def cli_environment(monkeypatch: pytest.MonkeyPatch, bolt_server: BoltServer, uri: str | None = None) -> None:
    settings = bolt_server.settings
    monkeypatch.setenv("KG_NEO4J_URI", uri or settings.uri)
    monkeypatch.setenv("KG_NEO4J_USER", settings.user)
    monkeypatch.setenv("KG_NEO4J_PASSWORD", settings.password.get_secret_value())
    monkeypatch.setenv("KG_NEO4J_DATABASE", settings.database)


def test_kg_neo4j_commands(
    service: SubmissionService,
    bolt_server: BoltServer,
    clean_graph: Neo4jGraph,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sequences = commit_history(service)
    service.store.close()  # the commands open it themselves (read-only, as beside a running 'kg serve')
    cli_environment(monkeypatch, bolt_server)
    runner = CliRunner()

    status = runner.invoke(neo4j_cli.app, ["status"])
    assert status.exit_code == 0, status.output
    assert f"mark none, last committed {sequences[-1]}, lag {len(sequences)}" in status.output

    synced = runner.invoke(neo4j_cli.app, ["sync"])
    assert synced.exit_code == 0, synced.output
    assert f"applied   {len(sequences):>8} submissions ({sequences[0]}–{sequences[-1]})" in synced.output
    assert "triples/s" in synced.output and "lag 0" in synced.output

    again = runner.invoke(neo4j_cli.app, ["sync"])
    assert again.exit_code == 0 and f"applied   {0:>8} submissions" in again.output
    assert f"skipped   {len(sequences):>8} submissions already in the projection" in again.output

    rebuilt = runner.invoke(neo4j_cli.app, ["rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"mark      {sequences[-1]:>8}" in rebuilt.output
    assert high_water_mark(clean_graph) == sequences[-1]


def test_an_unreachable_server_is_exit_2_with_a_bilingual_message(
    service: SubmissionService, bolt_server: BoltServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit_history(service)
    service.store.close()
    cli_environment(monkeypatch, bolt_server, uri=f"bolt://127.0.0.1:{free_bolt_port()}")
    monkeypatch.setenv("KG_NEO4J_CONNECTION_TIMEOUT", "2")
    for command in ("sync", "status"):
        result = CliRunner().invoke(neo4j_cli.app, [command])
        assert result.exit_code == 2, result.output
        output = result.output
        assert "is not reachable" in output and "연결할 수 없습니다" in output
        assert "nothing is lost" in output and "잃어버린 데이터는 없습니다" in output


def test_statements_ending_on_the_bolt_buffer_boundary_keep_the_connection(clean_graph: Neo4jGraph) -> None:
    """FalkorDB's Bolt layer dropped the connection when a RUN message ended exactly on a multiple of its 4096
    byte buffer (found by a side-graph refresh whose statement was 4067 bytes with database ``kg``); the dialect
    pads such statements, one Bolt chunk long or several."""
    structure = 23 + len(clean_graph.settings.database.encode())
    # the message's end on the wire: statement + structure + 2 bytes per 16 KB chunk + a 2-byte end marker
    for size in (
        4096 - 4 - structure,
        8192 - 4 - structure,
        20480 - 6 - structure,
        4096 - 5 - structure,
        4096,
    ):
        text = "RETURN 1 AS ok // "
        assert clean_graph.run(text + "x" * (size - len(text))) == [{"ok": 1}]
