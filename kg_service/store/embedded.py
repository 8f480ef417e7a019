"""The embedded default store: Oxigraph (pyoxigraph) on a local directory, no server.

What is atomic (pyoxigraph applies ``extend``, ``load`` and ``update`` in one transaction each):
- :meth:`EmbeddedStore.replace_graph` writes the new content into a private staging graph (one transaction)
  and then swaps it in with one SPARQL ``MOVE`` (one transaction). Readers see the old or the new content.
  A crash between the two leaves only a staging graph, which :meth:`EmbeddedStore.open` removes.
- :meth:`EmbeddedStore.add_to_graph`, :meth:`drop_graph` and :meth:`set_graph_metadata` are one transaction each.
Oxigraph gives readers repeatable-read snapshots, so a query never sees half of any of these.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Final, Literal

import pyoxigraph as ox
from rdflib.term import Identifier

from kg_service.errors import StoreError, StoreLockedError
from kg_service.store.base import GraphSize
from kg_service.store.terms import to_oxigraph, to_rdflib

STAGING_PREFIX: Final = "urn:kg-service:staging:"
METADATA_GRAPH: Final = ox.NamedNode("urn:kg-service:graph-metadata")
_META_NS: Final = "urn:kg-service:meta:"

_GRAPH_SIZES_QUERY: Final = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g
"""
_DEFAULT_GRAPH_SIZE_QUERY: Final = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# Leading comments, whitespace and PREFIX/BASE declarations of a SPARQL update.
_PROLOGUE: Final = re.compile(
    r"(?:\s+|#[^\n]*(?:\n|$)|(?:PREFIX\s+[\w\-.]*:|BASE)\s*<[^>]*>)*", re.IGNORECASE
)


class EmbeddedStore:
    """An Oxigraph store on disk (or in memory when ``path`` is ``None``, for tests)."""

    def __init__(self, store: ox.Store, path: Path | None, *, read_only: bool = False) -> None:
        self._store = store
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path | None, *, read_only: bool = False) -> EmbeddedStore:
        """Open (creating if needed) the store at ``path``.

        Raises:
            StoreLockedError: another process has the store open for writing.
            StoreError: the directory holds no valid store or cannot be accessed.
        """
        try:
            if path is None:
                store = ox.Store()
            elif read_only:
                if not path.exists():
                    raise StoreError(
                        f"no store at {path}",
                        f"{path}에 저장소가 없습니다",
                        hint="run 'kg init' first",
                    )
                store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"the store at {path} is open in another process",
                    f"{path}의 저장소를 다른 프로세스가 사용 중입니다",
                    hint="stop the running 'kg serve' (or other kg command) first, or use another KG_DATA_DIR",
                ) from exc
            raise StoreError(
                f"cannot open the store at {path}: {exc}",
                f"{path}의 저장소를 열 수 없습니다: {exc}",
                hint="check that KG_DATA_DIR points at a directory made by 'kg init'",
            ) from exc
        instance = cls(store, path, read_only=read_only)
        if not read_only:
            instance._remove_stale_staging_graphs()
        return instance

    # -- reading ---------------------------------------------------------------------------------------

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store, for pattern reads by the service's own modules (never for writes)."""
        return self._store

    def graph_sizes(self) -> list[GraphSize]:
        sizes = [
            GraphSize(str(row["g"]), int(row["n"]))
            for row in self.select(_GRAPH_SIZES_QUERY)
            if str(row["g"]) != METADATA_GRAPH.value
        ]
        default = int(self.select(_DEFAULT_GRAPH_SIZE_QUERY)[0]["n"])
        if default:
            sizes.append(GraphSize("", default))
        return sorted(sizes, key=lambda size: size.graph)

    def select(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> list[dict[str, Identifier]]:
        substitutions = {ox.Variable(name): to_oxigraph(value) for name, value in (bindings or {}).items()}
        solutions = self._solutions(query, substitutions)
        names = [variable.value for variable in solutions.variables]
        rows: list[dict[str, Identifier]] = []
        for solution in solutions:
            row: dict[str, Identifier] = {}
            for index, name in enumerate(names):
                value = solution[index]
                if value is not None:
                    row[name] = to_rdflib(value)
            rows.append(row)
        return rows

    def graph_metadata(self, graph: str) -> dict[str, str]:
        result: dict[str, str] = {}
        for quad in self._store.quads_for_pattern(_graph_node(graph), None, None, METADATA_GRAPH):
            result[quad.predicate.value.removeprefix(_META_NS)] = str(quad.object.value)  # type: ignore[union-attr]
        return result

    def dump_nquads(self) -> bytes:
        lines = sorted(str(quad) + " .\n" for quad in self._store)
        return "".join(lines).encode("utf-8")

    def triples(self, graph: str) -> Iterator[tuple[Identifier, Identifier, Identifier]]:
        """All triples of one named graph, as rdflib terms."""
        for quad in self._store.quads_for_pattern(None, None, None, _graph_node(graph)):
            yield to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)

    # -- writing ---------------------------------------------------------------------------------------

    def replace_graph(self, graph: str, triples: Iterable[tuple[Identifier, Identifier, Identifier]]) -> int:
        staging = ox.NamedNode(f"{STAGING_PREFIX}{uuid.uuid4()}")
        self._write(lambda: self._store.extend(_quads(triples, staging)))
        return self._swap_in(staging, graph)

    def replace_graph_from_rdf(self, graph: str, sources: Sequence[tuple[bytes, ox.RdfFormat]]) -> int:
        """Replace ``graph`` with the parsed content of serialised RDF documents (fast path, same atomicity as
        :meth:`replace_graph`). Raises ``SyntaxError`` with line and column for malformed input, before any write.
        """
        staging = ox.NamedNode(f"{STAGING_PREFIX}{uuid.uuid4()}")
        quads: list[ox.Quad] = []
        for data, rdf_format in sources:
            for quad in ox.parse(data, rdf_format):
                quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, staging))
        self._write(lambda: self._store.extend(quads))
        return self._swap_in(staging, graph)

    def commit_delta(
        self,
        graph: str,
        delta: bytes,
        *,
        mode: Literal["replace", "append"],
        record_graph: str,
        record: Iterable[tuple[Identifier, Identifier, Identifier]],
    ) -> int:
        """Commit a submission: its N-Triples ``delta`` into ``graph`` and its ``record`` (PROV-O) into ``record_graph``.

        Atomic as a whole: both are written to private staging graphs first, then one SPARQL update (one
        transaction) moves (``replace``) or adds (``append``) the delta into ``graph`` and adds the record. A
        query sees all of the submission or none of it, and the record is present exactly when the data is.
        The update text holds only graph IRIs the service made itself; no submitted value is written into it.
        Raises ``SyntaxError`` (with line and column) for a malformed delta, before anything is written.
        """
        staging_data = ox.NamedNode(f"{STAGING_PREFIX}{uuid.uuid4()}")
        staging_record = ox.NamedNode(f"{STAGING_PREFIX}{uuid.uuid4()}")
        target = _graph_node(graph)
        records = _graph_node(record_graph)
        self._write(lambda: self._store.load(delta, ox.RdfFormat.N_TRIPLES, to_graph=staging_data))
        self._write(lambda: self._store.extend(_quads(record, staging_record)))
        _fault_point("store-staged")
        into = "MOVE SILENT" if mode == "replace" else "ADD SILENT"
        update = (
            f"{into} GRAPH {staging_data} TO GRAPH {target} ; "
            f"ADD SILENT GRAPH {staging_record} TO GRAPH {records} ; "
            f"DROP SILENT GRAPH {staging_data} ; DROP SILENT GRAPH {staging_record}"
        )
        self._write(lambda: self._store.update(update))
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, target))

    def replace_graphs_and_update(
        self,
        replacements: Mapping[str, Sequence[tuple[bytes, ox.RdfFormat]]],
        *,
        metadata: Mapping[str, Mapping[str, str]],
        record_graph: str,
        record: Iterable[tuple[Identifier, Identifier, Identifier]],
        then: str = "",
    ) -> dict[str, int]:
        """Replace named graphs, set their metadata, add a record and run a SPARQL update, all in one transaction.

        Used to publish an ontology version: ``replacements`` maps graph IRIs to serialised RDF documents,
        ``metadata`` maps graph IRIs to the metadata they get (as :meth:`set_graph_metadata`), ``record`` (PROV-O)
        is added to ``record_graph`` and ``then`` (a SPARQL update written by ontology editors, a migration) runs
        last. Every document is parsed into a private staging graph first (``SyntaxError`` before any write);
        then one SPARQL update moves the staging graphs over their targets, adds the record, replaces the
        metadata and runs ``then``. pyoxigraph applies an update in one transaction, so readers see everything
        before or everything after, and a failing ``then`` (``SyntaxError``, ``RuntimeError``) writes nothing;
        the staging graphs are removed in either case. ``then`` must not name the staging or metadata graphs; its
        leading ``PREFIX``/``BASE`` declarations are moved to the front of the combined update.
        Returns the triple count of each replaced graph afterwards.
        """
        staging: dict[str, ox.NamedNode] = {}
        staging_record = ox.NamedNode(f"{STAGING_PREFIX}{uuid.uuid4()}")
        try:
            for graph, documents in replacements.items():
                _graph_node(graph)
                node = ox.NamedNode(f"{STAGING_PREFIX}{uuid.uuid4()}")
                quads = [
                    ox.Quad(quad.subject, quad.predicate, quad.object, node)
                    for data, rdf_format in documents
                    for quad in ox.parse(data, rdf_format)
                ]
                staging[graph] = node
                self._write(functools.partial(self._store.extend, quads))
            self._write(lambda: self._store.extend(_quads(record, staging_record)))
            operations = [
                f"MOVE SILENT GRAPH {node} TO GRAPH {_graph_node(graph)}" for graph, node in staging.items()
            ]
            operations.append(f"ADD SILENT GRAPH {staging_record} TO GRAPH {_graph_node(record_graph)}")
            operations.append(f"DROP SILENT GRAPH {staging_record}")
            for graph, values in metadata.items():
                subject = _graph_node(graph)
                operations.append(f"DELETE WHERE {{ GRAPH {METADATA_GRAPH} {{ {subject} ?p ?o }} }}")
                if values:
                    inserts = " ".join(
                        f"{subject} {ox.NamedNode(_META_NS + key)} {ox.Literal(value)} ."
                        for key, value in sorted(values.items())
                    )
                    operations.append(f"INSERT DATA {{ GRAPH {METADATA_GRAPH} {{ {inserts} }} }}")
            update = " ;\n".join(operations)
            if then.strip():
                # Oxigraph accepts PREFIX/BASE only at the very start of an update, so the prologue of ``then``
                # goes first (our own operations use full IRIs, so it changes nothing for them).
                prologue = _PROLOGUE.match(then)
                head = prologue.group(0) if prologue else ""
                update = f"{head}\n{update} ;\n{then[len(head) :]}\n"
            self._write(lambda: self._store.update(update))
        finally:
            for node in (*staging.values(), staging_record):
                self._write(functools.partial(self._store.remove_graph, node))
        return {
            graph: sum(1 for _ in self._store.quads_for_pattern(None, None, None, _graph_node(graph)))
            for graph in replacements
        }

    def has_quad(self, subject: Identifier, predicate: Identifier, obj: Identifier, graph: str) -> bool:
        """Whether the store holds this exact quad."""
        pattern = (to_oxigraph(subject), to_oxigraph(predicate), to_oxigraph(obj), _graph_node(graph))
        return next(iter(self._store.quads_for_pattern(*pattern)), None) is not None  # type: ignore[arg-type]

    def objects(
        self, subject: Identifier, predicate: Identifier, graph: str | None = None
    ) -> list[Identifier]:
        """Objects of ``subject predicate ?o`` in ``graph`` (all graphs when ``None``)."""
        graph_node = _graph_node(graph) if graph is not None else None
        return [
            to_rdflib(quad.object)
            for quad in self._store.quads_for_pattern(
                to_oxigraph(subject),  # type: ignore[arg-type]
                to_oxigraph(predicate),  # type: ignore[arg-type]
                None,
                graph_node,
            )
        ]

    def add_to_graph(self, graph: str, triples: Iterable[tuple[Identifier, Identifier, Identifier]]) -> int:
        quads = list(_quads(triples, _graph_node(graph)))
        self._write(lambda: self._store.extend(quads))
        return len(quads)

    def drop_graph(self, graph: str) -> None:
        self._write(lambda: self._store.remove_graph(_graph_node(graph)))

    def set_graph_metadata(self, graph: str, metadata: Mapping[str, str]) -> None:
        subject = _graph_node(graph)
        # Terms are serialised from validated NamedNodes (pyoxigraph rejects anything that is not an IRI), so
        # nothing from outside can change the shape of this update.
        inserts = " ".join(
            f"{subject} {ox.NamedNode(_META_NS + key)} {ox.Literal(value)} ."
            for key, value in sorted(metadata.items())
        )
        update = (
            f"DELETE WHERE {{ GRAPH {METADATA_GRAPH} {{ {subject} ?p ?o }} }} ;"
            f" INSERT DATA {{ GRAPH {METADATA_GRAPH} {{ {inserts} }} }}"
        )
        self._write(lambda: self._store.update(update))

    def close(self) -> None:
        """Flush (when writable) and release the store; the lock on the directory goes with it."""
        if not self.read_only:
            self._store.flush()
        # Oxigraph releases the RocksDB lock when the last reference to the store is dropped.
        self._store = ox.Store()

    # -- internals -------------------------------------------------------------------------------------

    def _swap_in(self, staging: ox.NamedNode, graph: str) -> int:
        target = _graph_node(graph)
        self._write(lambda: self._store.update(f"MOVE SILENT GRAPH {staging} TO GRAPH {target}"))
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, target))

    def _remove_stale_staging_graphs(self) -> None:
        for name in list(self._store.named_graphs()):
            if isinstance(name, ox.NamedNode) and name.value.startswith(STAGING_PREFIX):
                self._store.remove_graph(name)

    def _solutions(
        self,
        query: str,
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal] | None = None,
    ) -> ox.QuerySolutions:
        try:
            result = self._store.query(query, substitutions=substitutions or None)  # type: ignore[arg-type]
        except OSError as exc:
            raise StoreError(f"store read failed: {exc}", f"저장소 읽기 실패: {exc}") from exc
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() takes SELECT queries only")
        return result

    def _write(self, operation: Callable[[], object]) -> None:
        try:
            operation()
        except OSError as exc:
            raise StoreError(
                f"store write failed: {exc}",
                f"저장소 쓰기 실패: {exc}",
                hint="check free disk space and that the data directory is writable",
            ) from exc


def _quads(
    triples: Iterable[tuple[Identifier, Identifier, Identifier]], graph: ox.NamedNode
) -> Iterator[ox.Quad]:
    for subject, predicate, obj in triples:
        yield ox.Quad(to_oxigraph(subject), to_oxigraph(predicate), to_oxigraph(obj), graph)  # type: ignore[arg-type]


def _fault_point(name: str) -> None:
    """Crash-safety test hook (see :func:`kg_service.submissions.service.fault_point`)."""
    if os.environ.get("KG_FAULT_INJECTION") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _graph_node(graph: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(graph)
    except ValueError as exc:
        raise StoreError(f"not a valid graph IRI: {graph!r}", f"올바르지 않은 그래프 IRI: {graph!r}") from exc
