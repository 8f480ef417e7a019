"""The change log as the Neo4j sync reads it, and the two ways of bringing the projection up to date.

The embedded store is the write path: a submission is committed there atomically, gets the next change-log
number (``sequence``) in the submission log, and its delta stays on disk as N-Triples
(``{data_dir}/deltas/{submission id}.nt``). This module turns that into
:class:`~kg_service.store.neo4j.sync.ChangeLogEntry` objects, in commit order:

- :func:`change_log_entries`: committed submissions after a sequence, each reading its delta (parsed by
  pyoxigraph) only when the sync applies it; the dataset's named graph is
  :func:`kg_service.vocab.dataset_graph`, the mode (``replace``/``append``) is the submission's;
- :func:`sync_from_log`: applies the entries above the projection's high-water mark, then refreshes the
  *side graphs* (every named graph no submission writes: ontology, reference data, catalogue, the system graph
  with the submission records, data loaded by ``kg demo``), each replaced only when its content changed;
- :func:`rebuild_from_store`: clears the projection and projects every named graph of the embedded store,
  setting the mark to the last committed sequence (read *before* the graphs, so a commit that lands during the
  rebuild is applied again by the next sync, which is harmless: entries are idempotent).

Nothing is lost when the graph server is away: the sync raises
:class:`~kg_service.errors.BackendUnavailableError`, the mark stays at the last entry fully applied, and the
submissions stay in the embedded store and the log until the next sync.

This module reads the submission log through the small :class:`CommitLog` protocol, so the store layer does
not import the submissions layer above it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal, Protocol

import pyoxigraph as ox

from kg_service.errors import StoreError
from kg_service.store.embedded import EmbeddedStore
from kg_service.store.neo4j.connection import Neo4jGraph
from kg_service.store.neo4j.encoding import SYNC_STATE_LABEL
from kg_service.store.neo4j.projection import Triple, project
from kg_service.store.neo4j.sync import (
    ChangeLogEntry,
    SyncProgress,
    SyncResult,
    high_water_mark,
    rebuild,
    sync,
)
from kg_service.store.neo4j.writer import ProjectionWriter
from kg_service.store.terms import to_rdflib
from kg_service.vocab import dataset_graph

#: Graphs the embedded store keeps for itself (metadata, staging); never projected.
BOOKKEEPING_PREFIX: Final = "urn:kg-service:"
_SIDE_STATE_PREFIX: Final = "graph:"
#: Side graphs are written with stamps above this, so a stamp never equals a change-log sequence (which matters
#: if a side graph later becomes a dataset graph fed by submissions: a replace recognises its own writes by it).
SIDE_STAMP_BASE: Final = 2**40


class CommittedSubmission(Protocol):
    """What the sync needs of a committed submission record."""

    @property
    def id(self) -> str: ...

    @property
    def dataset(self) -> str: ...

    @property
    def mode(self) -> str: ...

    @property
    def sequence(self) -> int | None: ...


class CommitLog(Protocol):
    """The submission log, as far as the sync reads it
    (:class:`kg_service.submissions.records.SubmissionLog`)."""

    def committed_since(self, sequence: int) -> Sequence[CommittedSubmission]:
        """Committed submissions with a sequence above ``sequence``, in commit order."""
        ...


# -- entries -------------------------------------------------------------------------------------------------


def delta_triples(path: Path) -> Iterator[Triple]:
    """The triples of a committed submission's delta file (N-Triples), as the projection takes them, with the
    literals in the embedded store's canonical forms.

    Raises:
        StoreError: the file is missing or unreadable (the projection can then only be rebuilt), or malformed.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StoreError(
            f"the delta of a committed submission is missing or unreadable: {path} ({exc.strerror or exc})",
            f"커밋된 제출의 변경분 파일을 읽을 수 없습니다: {path}",
            hint="restore the file, or rebuild the projection from the embedded store: kg neo4j rebuild",
        ) from None
    # Loaded into a scratch store as the embedded store loaded it at commit, so literals take the same
    # canonical forms ("25.0"^^xsd:decimal is "25" there): sync and rebuild then project the same values.
    scratch = ox.Store()
    try:
        scratch.load(data, ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise StoreError(
            f"the delta {path} is not valid N-Triples: {exc}",
            f"변경분 파일 {path}이(가) 올바른 N-Triples가 아닙니다",
            hint="rebuild the projection from the embedded store: kg neo4j rebuild",
        ) from None
    for quad in scratch:
        yield to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)


def change_log_entries(log: CommitLog, deltas_dir: Path, after: int | None) -> list[ChangeLogEntry]:
    """The committed submissions after sequence ``after`` (all of them for ``None``) as change-log entries, in
    commit order. Their deltas are read when the entries are applied, not here."""
    entries: list[ChangeLogEntry] = []
    for record in log.committed_since(after if after is not None else 0):
        if record.sequence is None:  # pragma: no cover - committed records always have one
            continue
        path = deltas_dir / f"{record.id}.nt"
        entries.append(
            ChangeLogEntry(
                sequence=record.sequence,
                dataset_graph=str(dataset_graph(record.dataset)),
                mode=_mode(record.mode),
                submission_id=record.id,
                triples=_reader(path),
            )
        )
    return entries


def _mode(mode: str) -> Literal["replace", "append"]:
    return "replace" if mode == "replace" else "append"


def _reader(path: Path) -> Callable[[], Iterable[Triple]]:
    return lambda: delta_triples(path)


def latest_sequence(log: CommitLog) -> int | None:
    """The sequence of the last committed submission (``None`` when nothing was committed)."""
    committed = log.committed_since(0)
    return committed[-1].sequence if committed else None


# -- graphs of the embedded store ------------------------------------------------------------------------


def store_graphs(store: EmbeddedStore) -> list[str]:
    """Every named graph of the embedded store that holds data (not its bookkeeping graphs), sorted."""
    return sorted(
        size.graph
        for size in store.graph_sizes()
        if size.graph and not size.graph.startswith(BOOKKEEPING_PREFIX)
    )


def side_graphs(store: EmbeddedStore, log: CommitLog) -> list[str]:
    """The named graphs no committed submission writes to (refreshed by content, not by the log)."""
    fed = {str(dataset_graph(record.dataset)) for record in log.committed_since(0)}
    return [graph for graph in store_graphs(store) if graph not in fed]


def graph_digest(store: EmbeddedStore, graph: str) -> str:
    """A SHA-256 of a named graph's content (its quads in N-Quads form, sorted)."""
    quads = store.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    digest = hashlib.sha256()
    for line in sorted(str(quad) for quad in quads):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


# -- side graphs ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SideGraphState:
    """What the projection last took of a side graph: the content digest and the stamp it was written with."""

    digest: str
    stamp: int


def side_graph_states(graph: Neo4jGraph) -> dict[str, SideGraphState]:
    """The recorded state of every side graph, by graph IRI."""
    rows = graph.run(
        f"MATCH (s:`{SYNC_STATE_LABEL}`) WHERE s.id STARTS WITH $prefix "
        "RETURN s.id AS id, s.digest AS digest, s.stamp AS stamp",
        {"prefix": _SIDE_STATE_PREFIX},
    )
    return {
        str(row["id"])[len(_SIDE_STATE_PREFIX) :]: SideGraphState(str(row["digest"]), int(row["stamp"] or 0))
        for row in rows
    }


def _record_side_graph(graph: Neo4jGraph, iri: str, state: SideGraphState) -> None:
    graph.run(
        f"MERGE (s:`{SYNC_STATE_LABEL}` {{id: $id}}) SET s.digest = $digest, s.stamp = $stamp, s.updated_at = $now",
        {
            "id": _SIDE_STATE_PREFIX + iri,
            "digest": state.digest,
            "stamp": state.stamp,
            "now": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


def _forget_side_graphs(graph: Neo4jGraph) -> None:
    graph.run(
        f"MATCH (s:`{SYNC_STATE_LABEL}`) WHERE s.id STARTS WITH $prefix DELETE s",
        {"prefix": _SIDE_STATE_PREFIX},
    )


def refresh_side_graphs(
    graph: Neo4jGraph, store: EmbeddedStore, graphs: Sequence[str]
) -> tuple[list[str], int]:
    """Replace in the projection each of ``graphs`` whose content changed since it was last projected (a graph
    the store no longer has is emptied). Returns the graphs refreshed and the triples written.

    Each refresh is a replace with a new stamp followed by a sweep, like a ``replace`` entry: idempotent,
    and recorded only once complete, so an interrupted refresh is simply done again.
    """
    states = side_graph_states(graph)
    present = set(store_graphs(store))
    refreshed: list[str] = []
    written = 0
    writer = ProjectionWriter(graph)
    for iri in sorted(set(graphs) | {g for g in states if g not in present}):
        digest = graph_digest(store, iri) if iri in present else "absent"
        known = states.get(iri)
        if known is not None and known.digest == digest:
            continue
        stamp = max(known.stamp if known is not None else 0, SIDE_STAMP_BASE) + 1
        for batch in project(
            iri, store.triples(iri) if iri in present else (), batch_size=graph.settings.batch_size
        ):
            writer.apply(batch, sequence=stamp, mode="replace")
            written += batch.triples
        writer.sweep(iri, keep_sequence=stamp)
        _record_side_graph(graph, iri, SideGraphState(digest, stamp))
        refreshed.append(iri)
    return refreshed, written


# -- the two operations --------------------------------------------------------------------------------------


@dataclass
class LogSyncResult:
    """What :func:`sync_from_log` did: the change-log entries, and the side graphs refreshed."""

    entries: SyncResult
    refreshed: list[str] = field(default_factory=list)
    side_triples: int = 0
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        """Triples written, entries and side graphs together."""
        return self.entries.triples + self.side_triples

    @property
    def triples_per_second(self) -> float:
        """Throughput over the whole call (0 when nothing was written)."""
        return self.triples / self.seconds if self.seconds > 0 and self.triples else 0.0


def sync_from_log(
    graph: Neo4jGraph,
    store: EmbeddedStore,
    log: CommitLog,
    deltas_dir: Path,
    *,
    progress: Callable[[SyncProgress], None] | None = None,
) -> LogSyncResult:
    """Bring the projection up to date: the change-log entries after its high-water mark, in commit order (those
    at or below it are skipped), then the side graphs that changed. Safe to repeat and to interrupt.

    Raises:
        BackendUnavailableError: the server is unreachable or went away (the mark stays at the last entry
            fully applied; nothing is lost: the submissions stay in the embedded store and the log).
        StoreError: a committed submission's delta file is missing or malformed (rebuild instead).
    """
    started = time.monotonic()
    # Every committed entry: the sync skips those at or below its mark without reading their deltas, and says
    # how many it skipped.
    entries = change_log_entries(log, deltas_dir, None)
    result = LogSyncResult(sync(graph, entries, progress=progress))
    result.refreshed, result.side_triples = refresh_side_graphs(graph, store, side_graphs(store, log))
    result.seconds = time.monotonic() - started
    return result


def rebuild_from_store(graph: Neo4jGraph, store: EmbeddedStore, log: CommitLog) -> SyncResult:
    """Clear the projection and project every named graph of the embedded store; the high-water mark becomes
    the last committed sequence, and the side graphs' digests are recorded.

    Not atomic: readers see an empty or partial graph while it runs.
    """
    mark = latest_sequence(log)  # before reading the graphs: a commit landing meanwhile is re-applied later
    graphs = store_graphs(store)
    side = set(side_graphs(store, log))
    digests = {iri: graph_digest(store, iri) for iri in side}
    _forget_side_graphs(graph)
    result = rebuild(graph, ((iri, store.triples(iri)) for iri in graphs), sequence=mark)
    stamp = mark if mark is not None else 0
    for iri, digest in digests.items():
        _record_side_graph(graph, iri, SideGraphState(digest, stamp))
    return result


@dataclass(frozen=True)
class SyncStatus:
    """How far the projection is behind the change log: its mark, the last committed sequence, and the number of
    committed submissions after the mark (the lag)."""

    mark: int | None
    latest: int | None
    lag: int


def sync_status(graph: Neo4jGraph, log: CommitLog) -> SyncStatus:
    """The projection's high-water mark against the last committed sequence."""
    mark = high_water_mark(graph)
    return SyncStatus(mark, latest_sequence(log), len(log.committed_since(mark if mark is not None else 0)))


__all__ = [
    "CommitLog",
    "CommittedSubmission",
    "LogSyncResult",
    "SyncStatus",
    "change_log_entries",
    "delta_triples",
    "rebuild_from_store",
    "refresh_side_graphs",
    "side_graphs",
    "store_graphs",
    "sync_from_log",
    "sync_status",
]
