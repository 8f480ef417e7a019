"""The embedded Oxigraph store: atomic graph replacement, parameterised queries, metadata, crash leftovers."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from kg_service.errors import StoreError
from kg_service.store.embedded import STAGING_PREFIX, EmbeddedStore

EX = "http://example.com/"
G = EX + "graph"


def triples(n: int, tag: str = "v") -> list[tuple[URIRef, URIRef, Literal]]:
    return [(URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(f"{tag}{i}")) for i in range(n)]


def test_replace_graph_swaps_whole_content(tmp_path: Path) -> None:
    store = EmbeddedStore.open(tmp_path / "s")
    assert store.replace_graph(G, triples(10, "old")) == 10
    assert store.replace_graph(G, triples(3, "new")) == 3
    values = sorted(str(o) for _, _, o in store.triples(G))
    assert values == ["new0", "new1", "new2"]
    assert [s.graph for s in store.graph_sizes()] == [G]


def test_failed_replace_leaves_old_content(tmp_path: Path) -> None:
    store = EmbeddedStore.open(tmp_path / "s")
    store.replace_graph(G, triples(5))

    def broken() -> object:
        yield from triples(2, "half")
        raise RuntimeError("source died half-way")

    with pytest.raises(RuntimeError):
        store.replace_graph(G, broken())  # type: ignore[arg-type]
    assert sorted(str(o) for _, _, o in store.triples(G)) == [f"v{i}" for i in range(5)]


def test_stale_staging_graph_is_removed_on_open(tmp_path: Path) -> None:
    raw = ox.Store(str(tmp_path / "s"))
    raw.add(
        ox.Quad(
            ox.NamedNode(EX + "a"),
            ox.NamedNode(EX + "p"),
            ox.Literal("x"),
            ox.NamedNode(STAGING_PREFIX + "1"),
        )
    )
    raw.flush()
    del raw
    store = EmbeddedStore.open(tmp_path / "s")
    assert store.graph_sizes() == []


def test_select_takes_values_as_bindings_not_text(tmp_path: Path) -> None:
    store = EmbeddedStore.open(tmp_path / "s")
    store.replace_graph(G, triples(3))
    query = "SELECT ?s ?value WHERE { GRAPH ?g { ?s ?p ?value } }"
    rows = store.select(query, {"value": Literal("v1")})
    assert [str(r["s"]) for r in rows] == [EX + "s1"]
    hostile = Literal('v1" } } ; DROP ALL ; SELECT * { ?a ?b "')
    assert store.select(query, {"value": hostile}) == []
    assert len(list(store.triples(G))) == 3


def test_metadata_roundtrip_and_bad_graph_iri(tmp_path: Path) -> None:
    store = EmbeddedStore.open(tmp_path / "s")
    store.set_graph_metadata(G, {"source-sha256": "abc", "note": 'quote " and > bracket'})
    store.set_graph_metadata(G, {"source-sha256": "def"})
    assert store.graph_metadata(G) == {"source-sha256": "def"}
    with pytest.raises(StoreError):
        store.set_graph_metadata("http://x/> } ; DROP ALL ; #", {"a": "b"})
    with pytest.raises(StoreError):
        store.replace_graph("not an iri", triples(1))


def test_read_only_open_of_missing_store_says_run_init(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        EmbeddedStore.open(tmp_path / "missing", read_only=True)
    assert "kg init" in caught.value.hint
