"""Incremental sync of the Neo4j projection from the submission change log.

The change log (written by the submissions pipeline) is consumed through :class:`ChangeLogEntry`: one entry
per committed change of a dataset's named graph, numbered by a strictly increasing ``sequence``. :func:`sync`
applies entries in sequence order and records the last fully applied sequence, the *high-water mark*, in the
graph itself (a ``SyncState`` node), only once the entry's every statement has succeeded. Entries at or
below the mark are skipped.

Why a crash or outage is harmless: every statement is idempotent (see
:mod:`kg_service.store.neo4j.writer`), so re-running a half-applied entry from its start ends in the same
graph as applying it once; the mark never moves past an entry that is not entirely in. The server may even
come back with an older snapshot (FalkorDB restarting from its last RDB save): whatever it holds is a prefix
of the writes, the mark in it is no later than its data, and the next sync redoes the rest.

When the server is unreachable, :func:`sync` raises :class:`~kg_service.errors.BackendUnavailableError` and
applies nothing further; the caller keeps accepting submissions (the embedded store is the primary store)
and calls :func:`sync` again later with the entries after :func:`high_water_mark`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal

from kg_service.store.neo4j.connection import Neo4jGraph
from kg_service.store.neo4j.encoding import SYNC_STATE_LABEL
from kg_service.store.neo4j.projection import Triple, project
from kg_service.store.neo4j.writer import ProjectionWriter

CHANGELOG_STATE_ID: Final = "changelog"
_ALLOWED_MODES: Final = ("replace", "append")


@dataclass(frozen=True)
class ChangeLogEntry:
    """One committed change of one dataset's named graph.

    ``mode`` ``"replace"``: the graph's whole new content (an empty content removes the dataset);
    ``"append"``: triples added to it. ``triples`` is called once, when the entry is applied, so the log can
    hand over entries without loading their triples first.
    """

    sequence: int
    dataset_graph: str
    mode: Literal["replace", "append"]
    submission_id: str
    triples: Callable[[], Iterable[Triple]]

    def __post_init__(self) -> None:
        if self.sequence < 0:
            raise ValueError(f"change-log sequence must not be negative: {self.sequence}")
        if self.mode not in _ALLOWED_MODES:
            raise ValueError(f"change-log mode must be 'replace' or 'append', not {self.mode!r}")
        if not self.dataset_graph or any(ch.isspace() for ch in self.dataset_graph):
            raise ValueError(f"not a graph IRI: {self.dataset_graph!r}")


@dataclass(frozen=True)
class SyncProgress:
    """Reported after every write statement: which entry, how many statements and triples so far."""

    sequence: int
    dataset_graph: str
    statements: int
    triples: int


@dataclass
class SyncResult:
    """What one :func:`sync` or :func:`rebuild` call did."""

    applied: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    triples: int = 0
    statements: int = 0
    high_water_mark: int | None = None
    seconds: float = 0.0

    @property
    def triples_per_second(self) -> float:
        """Throughput of the triples written (0 when nothing was written)."""
        return self.triples / self.seconds if self.seconds > 0 and self.triples else 0.0


def high_water_mark(graph: Neo4jGraph) -> int | None:
    """The sequence of the last change-log entry fully applied to ``graph`` (``None`` before the first)."""
    rows = graph.run(
        f"MATCH (s:`{SYNC_STATE_LABEL}` {{id: $id}}) RETURN s.sequence AS sequence",
        {"id": CHANGELOG_STATE_ID},
    )
    value = rows[0]["sequence"] if rows else None
    return None if value is None else int(value)


def _set_high_water_mark(graph: Neo4jGraph, sequence: int | None, submission_id: str = "") -> None:
    graph.run(
        f"MERGE (s:`{SYNC_STATE_LABEL}` {{id: $id}}) "
        "SET s.sequence = $sequence, s.submission_id = $submission, s.updated_at = $now",
        {
            "id": CHANGELOG_STATE_ID,
            "sequence": sequence,
            "submission": submission_id,
            "now": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


def sync(
    graph: Neo4jGraph,
    entries: Iterable[ChangeLogEntry],
    *,
    progress: Callable[[SyncProgress], None] | None = None,
) -> SyncResult:
    """Apply the change-log entries above the high-water mark, in sequence order.

    Not atomic as a whole and not per entry on servers without rollback: readers may see an entry half
    applied (a replaced dataset shows old and new content together until the entry's sweep) but never lose
    data that is not being replaced. Safe to repeat and to interrupt.

    Raises:
        BackendUnavailableError: the server is unreachable or went away; nothing further is applied and the
            mark stays at the last entry fully applied.
        ValueError: two entries share a sequence number.
    """
    started = time.monotonic()
    ordered = sorted(entries, key=lambda entry: entry.sequence)
    for earlier, later in itertools.pairwise(ordered):
        if earlier.sequence == later.sequence:
            raise ValueError(f"two change-log entries have sequence {later.sequence}")
    result = SyncResult(high_water_mark=high_water_mark(graph))
    current: list[SyncProgress] = []
    writer = ProjectionWriter(graph, on_statement=lambda: _report(progress, current, writer))
    for entry in ordered:
        if result.high_water_mark is not None and entry.sequence <= result.high_water_mark:
            result.skipped.append(entry.sequence)
            continue
        current[:] = [SyncProgress(entry.sequence, entry.dataset_graph, writer.statements, 0)]
        result.triples += _apply_entry(writer, entry, current)
        _set_high_water_mark(graph, entry.sequence, entry.submission_id)
        result.applied.append(entry.sequence)
        result.high_water_mark = entry.sequence
    result.statements = writer.statements
    result.seconds = time.monotonic() - started
    return result


def _report(
    progress: Callable[[SyncProgress], None] | None, current: list[SyncProgress], writer: ProjectionWriter
) -> None:
    if progress is not None and current:
        state = current[0]
        progress(SyncProgress(state.sequence, state.dataset_graph, writer.statements, state.triples))


def _apply_entry(writer: ProjectionWriter, entry: ChangeLogEntry, current: list[SyncProgress]) -> int:
    written = 0
    batch_size = writer.graph.settings.batch_size
    for batch in project(entry.dataset_graph, entry.triples(), batch_size=batch_size):
        writer.apply(batch, sequence=entry.sequence, mode=entry.mode)
        written += batch.triples
        current[:] = [SyncProgress(entry.sequence, entry.dataset_graph, writer.statements, written)]
    if entry.mode == "replace":
        writer.sweep(entry.dataset_graph, keep_sequence=entry.sequence)
    return written


def rebuild(
    graph: Neo4jGraph,
    all_graphs: Mapping[str, Iterable[Triple]] | Iterable[tuple[str, Iterable[Triple]]],
    *,
    sequence: int | None = None,
) -> SyncResult:
    """Clear the projection and project every named graph again (for example from the embedded store).

    ``sequence`` is the last change-log entry the given content includes; it becomes the high-water mark, so
    the next :func:`sync` continues after it (``None`` clears the mark: the next sync applies the whole log).
    Not atomic: readers see an empty or partial graph while it runs.
    """
    started = time.monotonic()
    pairs = all_graphs.items() if isinstance(all_graphs, Mapping) else all_graphs
    writer = ProjectionWriter(graph)
    writer.clear()
    stamp = 0 if sequence is None else sequence
    result = SyncResult()
    for graph_iri, triples in pairs:
        for batch in project(graph_iri, triples, batch_size=graph.settings.batch_size):
            writer.apply(batch, sequence=stamp, mode="append")
            result.triples += batch.triples
    _set_high_water_mark(graph, sequence, "rebuild")
    result.high_water_mark = sequence
    result.statements = writer.statements
    result.seconds = time.monotonic() - started
    return result
