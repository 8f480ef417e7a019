"""Loading the ontology and the reference data into a store, idempotently (``kg init``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kg_service.ontology.sources import GraphSource, ontology_files, parse_turtle_files, reference_files
from kg_service.store.embedded import EmbeddedStore
from kg_service.submissions.catalog import DatasetCatalog
from kg_service.submissions.catalog_graph import catalog_triples
from kg_service.vocab import CATALOG_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH

SOURCE_HASH_KEY = "source-sha256"
"""Graph metadata key holding the SHA-256 of the files a graph was loaded from (``kg init``, ``kg ontology publish``)."""
_HASH_KEY = SOURCE_HASH_KEY


@dataclass(frozen=True, slots=True)
class GraphLoad:
    """What ``kg init`` did to one named graph."""

    graph: str
    outcome: Literal["loaded", "unchanged"]
    triples: int
    files: tuple[str, ...]


def graph_sources(ontology_dir: Path) -> list[GraphSource]:
    """The named graphs ``kg init`` maintains, with the files each comes from."""
    return [
        GraphSource(str(ONTOLOGY_GRAPH), ontology_files(ontology_dir)),
        GraphSource(str(REFERENCE_GRAPH), reference_files(ontology_dir)),
    ]


def initialise_store(
    store: EmbeddedStore, ontology_dir: Path, *, catalog: DatasetCatalog | None = None
) -> list[GraphLoad]:
    """Load the ontology and reference graphs from ``ontology_dir``.

    Idempotent: a graph whose source files have not changed since it was loaded is left untouched (so running
    it twice changes nothing, blank nodes included); a changed graph is replaced atomically. Every file is
    syntax-checked before anything is written.
    """
    sources = graph_sources(ontology_dir)
    parsed = {source.graph: parse_turtle_files(source.files) for source in sources}
    loads: list[GraphLoad] = []
    for source in sources:
        digest = source.content_hash()
        names = tuple(path.name for path in source.files)
        if store.graph_metadata(source.graph).get(_HASH_KEY) == digest:
            size = next((s.triples for s in store.graph_sizes() if s.graph == source.graph), 0)
            loads.append(GraphLoad(source.graph, "unchanged", size, names))
            continue
        triples = store.replace_graph_from_rdf(source.graph, parsed[source.graph])
        store.set_graph_metadata(source.graph, {_HASH_KEY: digest})
        loads.append(GraphLoad(source.graph, "loaded", triples, names))
    if catalog is not None:
        loads.append(_load_catalog(store, catalog))
    return loads


def _load_catalog(store: EmbeddedStore, catalog: DatasetCatalog) -> GraphLoad:
    """The dataset catalogue (mappings/datasets.yaml) as the catalog graph, replaced when it changed."""
    triples = catalog_triples(catalog)
    digest = hashlib.sha256(
        "\n".join(sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in triples)).encode()
    ).hexdigest()
    graph = str(CATALOG_GRAPH)
    if store.graph_metadata(graph).get(_HASH_KEY) == digest:
        size = next((s.triples for s in store.graph_sizes() if s.graph == graph), 0)
        return GraphLoad(graph, "unchanged", size, ("datasets.yaml",))
    count = store.replace_graph(graph, triples)
    store.set_graph_metadata(graph, {_HASH_KEY: digest})
    return GraphLoad(graph, "loaded", count, ("datasets.yaml",))
