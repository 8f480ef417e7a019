"""Loading the ontology and the reference data into a store, idempotently (``kg init``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rdflib import OWL, Graph

from kg_service.errors import OntologyError
from kg_service.ontology.sources import (
    GraphSource,
    load_ontology_graph,
    ontology_files,
    parse_turtle_files,
    reference_files,
)
from kg_service.ontology.version import read_header
from kg_service.store.embedded import EmbeddedStore
from kg_service.submissions.catalog import DatasetCatalog
from kg_service.submissions.catalog_graph import catalog_triples
from kg_service.vocab import CATALOG_GRAPH, ONTOLOGY_GRAPH, PROV, REFERENCE_GRAPH, SYSTEM_GRAPH

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
    syntax-checked before anything is written. Once an ontology version has been published, the ontology graph
    is reloaded only with files of the same version (:class:`OntologyError` otherwise).
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
        if source.graph == str(ONTOLOGY_GRAPH):
            _refuse_unpublished_version_change(store, ontology_dir)
        triples = store.replace_graph_from_rdf(source.graph, parsed[source.graph])
        store.set_graph_metadata(source.graph, {_HASH_KEY: digest})
        loads.append(GraphLoad(source.graph, "loaded", triples, names))
    if catalog is not None:
        loads.append(_load_catalog(store, catalog))
    return loads


_PUBLICATIONS_QUERY = f"""
SELECT ?version WHERE {{
  GRAPH <{SYSTEM_GRAPH}> {{ ?activity <{PROV.generated}> ?version . ?version <{OWL.versionInfo}> ?info }}
}} LIMIT 1
"""


def _refuse_unpublished_version_change(store: EmbeddedStore, ontology_dir: Path) -> None:
    """Once versions are published (``kg ontology publish``), ``kg init`` may reload the files of the version in
    the store (fixes to the same version) but not load another version: that would skip the breaking-change
    checks and the migration, or silently roll a published version back."""
    if not store.select(_PUBLICATIONS_QUERY):
        return
    in_store = read_header(_graph_of(store, str(ONTOLOGY_GRAPH))).version_info
    in_files = read_header(load_ontology_graph(ontology_dir)).version_info
    if in_store is not None and in_files != in_store:
        raise OntologyError(
            f"the store holds the published ontology version {in_store}, the files are version {in_files}; "
            "'kg init' does not change versions",
            f"저장소에는 게시된 온톨로지 {in_store} 버전이 있고 파일은 {in_files} 버전입니다. 'kg init'은 버전을 바꾸지 않습니다",
            hint="publish the new version with 'kg ontology publish' (after 'kg ontology diff' and 'impact')",
        )


def _graph_of(store: EmbeddedStore, graph: str) -> Graph:
    result = Graph()
    for triple in store.triples(graph):
        result.add(triple)
    return result


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
