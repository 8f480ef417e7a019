"""``kg ontology publish`` and ``versions``: versioning rules, atomic application, migrations, PROV-O record.

The store is a temporary embedded store initialised with the repository's ontology (1.0.0) and one dataset
graph; NEW is a ``tmp_path`` tree with one change seeded (``tests/ontology_changes.py``).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from ontology_changes import (
    CPS_NS,
    DATASET,
    ID,
    append,
    edit,
    make_store,
    make_tree,
    rename_everywhere,
    set_version,
)
from rdflib import RDF, Literal, URIRef

from kg_service.bootstrap import initialise_store
from kg_service.cli import main
from kg_service.errors import OntologyError
from kg_service.ontology.publish import list_versions, loaded_version, publish_version, read_migration
from kg_service.ontology.trees import tree_from_directory
from kg_service.store.embedded import EmbeddedStore
from kg_service.vocab import DCT, ONTOLOGY_GRAPH, PROV, SYSTEM_GRAPH, dataset_graph

VERSION_BASE = "https://data.seoul.go.kr/cps/ontology/"
NEW_TERM = """
cps:chargingPoints
    a owl:DatatypeProperty ;
    rdfs:label "충전기 수"@ko , "number of charging points"@en ;
    skos:definition "시설에 설치된 전기차 충전기 수."@ko , "The number of EV charging points at a facility."@en ;
    rdfs:domain cps:Facility ;
    rdfs:range xsd:integer .
"""
RENAME_MODEL_NAME = """\
PREFIX cps: <https://data.seoul.go.kr/cps/ontology#>
# cps:modelName became cps:deviceModel (2.0.0): rename the property in every dataset graph.
DELETE { GRAPH ?g { ?s cps:modelName ?model } }
INSERT { GRAPH ?g { ?s cps:deviceModel ?model } }
WHERE {
  GRAPH ?g { ?s cps:modelName ?model }
  FILTER(STRSTARTS(STR(?g), "https://data.seoul.go.kr/cps/graph/dataset/"))
}
"""


@pytest.fixture
def env(tmp_path: Path) -> tuple[Path, Path]:
    """A store (with the 1.0.0 ontology and the test dataset) and a NEW tree to edit."""
    new = make_tree(tmp_path / "new")
    store_dir = make_store(tmp_path / "data", make_tree(tmp_path / "current"))
    return store_dir, new


def ontology_size(store: EmbeddedStore) -> int:
    return next(s.triples for s in store.graph_sizes() if s.graph == str(ONTOLOGY_GRAPH))


def add_term(new: Path, version: str) -> None:
    append(new / "ontology" / "core.ttl", NEW_TERM)
    set_version(new / "ontology", version)


def rename_model_name(new: Path, version: str) -> None:
    rename_everywhere(new / "ontology", "modelName", "deviceModel")
    set_version(new / "ontology", version)


def test_compatible_change_is_applied_atomically_and_recorded(env: tuple[Path, Path]) -> None:
    store_dir, new = env
    add_term(new, "1.1.0")
    store = EmbeddedStore.open(store_dir)
    before = ontology_size(store)
    assert loaded_version(store) == "1.0.0"

    seen: set[int] = set()
    done = threading.Event()

    def watch() -> None:  # a reader polling while the publication runs sees the old or the new graph only
        while not done.is_set():
            seen.add(ontology_size(store))

    reader = threading.Thread(target=watch)
    reader.start()
    try:
        outcome = publish_version(
            store, tree_from_directory(new), note="충전기 수 추가 / add cps:chargingPoints"
        )
    finally:
        done.set()
        reader.join()
    assert outcome.status == "published" and outcome.exit_code() == 0
    assert (outcome.version, outcome.previous_version) == ("1.1.0", "1.0.0")
    after = ontology_size(store)
    assert after - before == 7 and outcome.triples_before == before and outcome.triples_after == after
    assert seen <= {before, after}
    assert loaded_version(store) == "1.1.0"
    assert store.has_quad(
        URIRef(CPS_NS + "chargingPoints"),
        RDF.type,
        URIRef("http://www.w3.org/2002/07/owl#DatatypeProperty"),
        str(ONTOLOGY_GRAPH),
    )
    assert not [g for g in store.raw.named_graphs() if "staging" in str(g)]

    activity = URIRef(outcome.activity or "")
    system = str(SYSTEM_GRAPH)
    assert store.has_quad(activity, RDF.type, PROV.Activity, system)
    assert store.has_quad(activity, PROV.generated, URIRef(VERSION_BASE + "1.1.0"), system)
    assert store.has_quad(activity, PROV.used, URIRef(VERSION_BASE + "1.0.0"), system)
    assert store.has_quad(
        activity, DCT.description, Literal("충전기 수 추가 / add cps:chargingPoints"), system
    )
    [ended] = store.objects(activity, PROV.endedAtTime, system)
    assert isinstance(ended, Literal) and str(ended.datatype) == "http://www.w3.org/2001/XMLSchema#dateTime"
    assert store.has_quad(
        URIRef(VERSION_BASE + "1.1.0"), PROV.wasRevisionOf, URIRef(VERSION_BASE + "1.0.0"), system
    )

    [published] = list_versions(store)
    assert (published.version, published.note, published.previous) == (
        "1.1.0",
        "충전기 수 추가 / add cps:chargingPoints",
        VERSION_BASE + "1.0.0",
    )
    store.close()


def test_breaking_change_needs_a_major_version_and_a_migration(env: tuple[Path, Path]) -> None:
    store_dir, new = env
    rename_model_name(new, "1.1.0")
    store = EmbeddedStore.open(store_dir)
    before = store.dump_nquads()
    outcome = publish_version(store, tree_from_directory(new), note="rename")
    assert outcome.status == "refused" and outcome.exit_code() == 1
    refusals = " ".join(en for en, _ in outcome.refusals)
    assert "MAJOR" in refusals and "migration" in refusals
    assert all(ko for _, ko in outcome.refusals)

    set_version(new / "ontology", "2.0.0")
    outcome = publish_version(store, tree_from_directory(new), note="rename")
    assert outcome.status == "refused"
    assert [en for en, _ in outcome.refusals if "MAJOR" in en] == []
    assert any("migration" in en for en, _ in outcome.refusals)
    assert store.dump_nquads() == before  # nothing was written by either refusal
    store.close()


def test_breaking_change_with_major_version_runs_its_migration(env: tuple[Path, Path]) -> None:
    store_dir, new = env
    rename_model_name(new, "2.0.0")
    migrations = new / "ontology" / "migrations"
    migrations.mkdir()
    (migrations / "2.0.0.ru").write_text(RENAME_MODEL_NAME, encoding="utf-8")
    store = EmbeddedStore.open(store_dir)
    outcome = publish_version(store, tree_from_directory(new), note="cps:modelName → cps:deviceModel")
    assert outcome.status == "published", outcome.refusals
    assert outcome.diff is not None and outcome.diff.breaking
    assert outcome.migration is not None and outcome.migration.endswith("2.0.0.ru")
    sensor, graph = URIRef(f"{ID}sensor/T1"), str(dataset_graph(DATASET))
    assert store.has_quad(sensor, URIRef(CPS_NS + "deviceModel"), Literal("SDOT001"), graph)
    assert not store.objects(sensor, URIRef(CPS_NS + "modelName"))
    [version] = list_versions(store)
    assert version.migration == "ontology/migrations/2.0.0.ru"
    store.close()


def test_versions_must_increase(env: tuple[Path, Path]) -> None:
    store_dir, new = env
    edit(new / "ontology" / "core.ttl", '"모델명"@ko , "model name"@en', '"모델 이름"@ko , "model name"@en')
    store = EmbeddedStore.open(store_dir)
    outcome = publish_version(store, tree_from_directory(new), note="label")  # still 1.0.0
    assert outcome.status == "refused"
    assert any("not greater" in en for en, _ in outcome.refusals)
    set_version(new / "ontology", "1.0.1")
    assert publish_version(store, tree_from_directory(new), note="label").status == "published"
    set_version(new / "ontology", "0.9.0")
    assert publish_version(store, tree_from_directory(new), note="label").status == "refused"
    set_version(new / "ontology", "1.0.1")
    assert publish_version(store, tree_from_directory(new), note="again").status == "refused"
    store.close()


def test_header_must_carry_one_agreeing_version(env: tuple[Path, Path]) -> None:
    store_dir, new = env
    edit(new / "ontology" / "core.ttl", 'owl:versionInfo "1.0.0"', 'owl:versionInfo "1.1.0"')
    store = EmbeddedStore.open(store_dir)
    outcome = publish_version(store, tree_from_directory(new), note="x")
    assert outcome.status == "refused"
    assert any("versionIRI" in en and "versionInfo" in en for en, _ in outcome.refusals)
    store.close()


def test_a_failing_migration_changes_nothing(env: tuple[Path, Path]) -> None:
    store_dir, new = env
    add_term(new, "1.1.0")
    migration = new / "ontology" / "migrations" / "1.1.0.ru"
    migration.parent.mkdir()
    # parses, but fails while running: the graph to move does not exist
    migration.write_text(
        "MOVE GRAPH <https://data.seoul.go.kr/cps/graph/dataset/none> TO DEFAULT", encoding="utf-8"
    )
    store = EmbeddedStore.open(store_dir)
    before = store.dump_nquads()
    with pytest.raises(OntologyError, match="nothing was changed"):
        publish_version(store, tree_from_directory(new), note="x")
    assert store.dump_nquads() == before
    assert list_versions(store) == []
    store.close()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("DELETE WHERE { ?s ?p }", "not valid SPARQL Update"),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
        ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("DROP GRAPH <urn:kg-service:graph-metadata>", "internal graphs"),
    ],
)
def test_migrations_are_checked_before_they_run(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "m.ru"
    path.write_text(text, encoding="utf-8")
    _text, problems = read_migration(path)
    assert problems and problem in problems[0][0]


def test_dry_run_writes_nothing(env: tuple[Path, Path]) -> None:
    store_dir, new = env
    add_term(new, "1.1.0")
    store = EmbeddedStore.open(store_dir)
    before = store.dump_nquads()
    outcome = publish_version(store, tree_from_directory(new), note="x", dry_run=True)
    assert outcome.status == "dry-run" and outcome.exit_code() == 0
    assert store.dump_nquads() == before
    store.close()


def test_cli_publish_and_versions(env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    store_dir, new = env
    data = ["--data-dir", str(store_dir.parent)]
    rename_model_name(new, "1.1.0")
    assert main([*data, "ontology", "publish", str(new), "--note", "rename", "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["status"] == "refused" and payload["refusals"][0]["ko"]

    set_version(new / "ontology", "2.0.0")
    migration = new.parent / "rename.ru"
    migration.write_text(RENAME_MODEL_NAME, encoding="utf-8")
    args = [
        *data,
        "ontology",
        "publish",
        str(new),
        "--note",
        "모델명 → 장치 모델",
        "--migration",
        str(migration),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "[published]" in out and "1.0.0 → 2.0.0" in out

    assert main([*data, "ontology", "versions", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["loaded"] == "2.0.0"
    assert [(v["version"], v["note"], v["migration"]) for v in payload["versions"]] == [
        ("2.0.0", "모델명 → 장치 모델", "rename.ru")
    ]
    assert main([*data, "ontology", "versions", "--markdown"]) == 0
    assert "## 2.0.0" in capsys.readouterr().out
    assert (
        main([*data, "ontology", "publish", str(new), "--note", "x", "--migration", str(new / "none.ru")])
        == 2
    )
    assert main([*data, "ontology", "publish", str(new), "--note", "  "]) == 2


def test_init_does_not_change_a_published_version(env: tuple[Path, Path], tmp_path: Path) -> None:
    store_dir, new = env
    add_term(new, "1.1.0")
    store = EmbeddedStore.open(store_dir)
    assert publish_version(store, tree_from_directory(new), note="add").status == "published"
    older = make_tree(tmp_path / "older")  # the repository's 1.0.0 files
    with pytest.raises(OntologyError, match="does not change versions"):
        initialise_store(store, older / "ontology")
    assert loaded_version(store) == "1.1.0"
    edit(new / "ontology" / "core.ttl", '"모델명"@ko', '"모델 이름"@ko')  # a fix within the published version
    assert next(load.outcome for load in initialise_store(store, new / "ontology")) == "loaded"
    store.close()
