"""Writing projection batches to the graph server: idempotent, in statements that each stand on their own.

No statement here relies on another one's rollback. Every write is a function of what is already stored
and the batch: applying a batch twice, or re-running a half-applied entry from the start, ends in the same
graph. The write path per batch is read (the nodes it touches) → compute the nodes' new state in Python →
write only what changed, in four kinds of statement: ``MERGE … SET n = props`` for nodes, ``MERGE`` per
relationship type, ``SET``/``REMOVE`` per label, and ``MERGE`` of term mappings.

A replace of a named graph G by change-log entry S works without ever removing G first, so readers keep
seeing the old content until the new one is in: a node that S mentions is stamped with S in ``_gseq``, and the
first time S touches a node it drops that node's old G literals; relationships of G are stamped with S. When
all batches are in, :meth:`ProjectionWriter.sweep` deletes G's relationships not stamped S, takes G away from
nodes not stamped S (deleting nodes left in no graph) and recomputes the labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Literal

from kg_service.errors import StoreError
from kg_service.store.neo4j.connection import Neo4jGraph
from kg_service.store.neo4j.encoding import (
    GRAPH_SEQUENCE_PROPERTY,
    GRAPHS_PROPERTY,
    RDF_TYPE_KEY,
    RELATIONSHIP_GRAPH,
    RELATIONSHIP_SEQUENCE,
    RESOURCE_LABEL,
    TERM_MAPPING_LABEL,
    quote_name,
)
from kg_service.store.neo4j.projection import NODE_STATE_RETURN, NodeState, ProjectionBatch, load_terms

Mode = Literal["replace", "append"]

ROWS_PER_STATEMENT: Final = 500
DELETE_CHUNK: Final = 5000
_NO_SEQUENCE: Final = -1

_WRITE_NODES: Final = f"UNWIND $rows AS r MERGE (n:`{RESOURCE_LABEL}` {{iri: r.iri}}) SET n = r.props"
_READ_NODES: Final = f"UNWIND $keys AS k MATCH (n:`{RESOURCE_LABEL}` {{iri: k}}) " + NODE_STATE_RETURN
# Nodes of the graph not stamped with the sequence being kept (``_gseq`` runs parallel to ``graphs``).
_READ_STALE_NODES: Final = (
    f"MATCH (n:`{RESOURCE_LABEL}`) WHERE $graph IN n.`{GRAPHS_PROPERTY}` "
    f"WITH n, [i IN range(0, size(n.`{GRAPHS_PROPERTY}`) - 1) WHERE n.`{GRAPHS_PROPERTY}`[i] = $graph][0] AS at "
    f"WITH n, at WHERE n.`{GRAPH_SEQUENCE_PROPERTY}`[at] <> $sequence " + NODE_STATE_RETURN
)
# Nodes about to lose an rdf:type relationship of the graph (their labels must be recomputed).
_READ_RETYPED_KEYS: Final = (
    f"MATCH (n:`{RESOURCE_LABEL}`) WHERE $graph IN n.`{GRAPHS_PROPERTY}` "
    f"MATCH (n)-[r:`{RDF_TYPE_KEY}`]->() "
    f"WHERE r.`{RELATIONSHIP_GRAPH}` = $graph AND r.`{RELATIONSHIP_SEQUENCE}` <> $sequence "
    "RETURN DISTINCT n.iri AS iri"
)
_DELETE_NODES: Final = f"UNWIND $keys AS k MATCH (n:`{RESOURCE_LABEL}` {{iri: k}}) DETACH DELETE n"
_DELETE_STALE_RELATIONSHIPS: Final = (
    f"MATCH (n:`{RESOURCE_LABEL}`) WHERE $graph IN n.`{GRAPHS_PROPERTY}` "
    f"MATCH (n)-[r]->() WHERE r.`{RELATIONSHIP_GRAPH}` = $graph AND r.`{RELATIONSHIP_SEQUENCE}` <> $sequence "
    "WITH r LIMIT $limit DELETE r RETURN count(*) AS deleted"
)
_REGISTER_TERMS: Final = (
    f"UNWIND $terms AS t MERGE (m:`{TERM_MAPPING_LABEL}` {{key: t.key}}) ON CREATE SET m.iri = t.iri "
    "RETURN m.key AS key, m.iri AS iri"
)


def _relationship_statement(rel_type: str) -> str:
    return (
        f"UNWIND $pairs AS p MATCH (a:`{RESOURCE_LABEL}` {{iri: p[0]}}) MATCH (b:`{RESOURCE_LABEL}` {{iri: p[1]}}) "
        f"MERGE (a)-[x:{quote_name(rel_type)} {{`{RELATIONSHIP_GRAPH}`: $graph}}]->(b) "
        f"SET x.`{RELATIONSHIP_SEQUENCE}` = $sequence"
    )


def _label_statement(label: str, *, add: bool) -> str:
    action = "SET" if add else "REMOVE"
    return f"UNWIND $keys AS k MATCH (n:`{RESOURCE_LABEL}` {{iri: k}}) {action} n:{quote_name(label)}"


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ProjectionWriter:
    """Applies :class:`ProjectionBatch` es to one connection. ``on_statement`` is called after every write
    statement (progress reporting; tests use it to interrupt a sync at a chosen point).
    """

    def __init__(self, graph: Neo4jGraph, *, on_statement: Callable[[], None] | None = None) -> None:
        self.graph = graph
        self.terms: dict[str, str] = load_terms(graph)
        self._on_statement = on_statement
        self.statements = 0

    # -- statements ------------------------------------------------------------------------------------

    def _write(self, query: str, parameters: Mapping[str, Any]) -> list[dict[str, Any]]:
        rows = self.graph.run(query, parameters)
        self.statements += 1
        if self._on_statement is not None:
            self._on_statement()
        return rows

    def register_terms(self, terms: Mapping[str, str]) -> None:
        """Record names with their IRIs; refuses a name already recorded for another IRI."""
        new = sorted((key, iri) for key, iri in terms.items() if self.terms.get(key) != iri)
        for chunk in _chunks(new, ROWS_PER_STATEMENT):
            rows = self._write(_REGISTER_TERMS, {"terms": [{"key": k, "iri": i} for k, i in chunk]})
            for row in rows:
                key, iri = str(row["key"]), str(row["iri"])
                if terms.get(key, iri) != iri:
                    raise StoreError(
                        f"the graph name {key!r} already stands for <{iri}>, not <{terms[key]}>",
                        f"그래프 이름 {key!r}은(는) 이미 <{iri}>에 쓰이고 있습니다",
                        hint="a hash collision in the term encoding; report it with both IRIs",
                    )
                self.terms[key] = iri

    def read_nodes(self, keys: Sequence[str]) -> dict[str, NodeState]:
        """The stored state of the nodes with these keys (absent nodes are left out)."""
        found: dict[str, NodeState] = {}
        for chunk in _chunks(keys, ROWS_PER_STATEMENT * 2):
            for row in self.graph.run(_READ_NODES, {"keys": list(chunk)}):
                state = NodeState.from_record(row)
                found[state.key] = state
        return found

    # -- applying a batch ------------------------------------------------------------------------------

    def apply(self, batch: ProjectionBatch, *, sequence: int, mode: Mode) -> None:
        """Write one batch of graph ``batch.graph`` as part of change-log entry ``sequence``. Idempotent."""
        if sequence < 0:
            raise ValueError("change-log sequences are not negative")
        self.register_terms(batch.terms)
        stored = self.read_nodes(list(batch.nodes))
        changes = _Changes()
        for key, blank in batch.nodes.items():
            state = stored.get(key)
            if state is None:
                state = NodeState(key=key, blank=blank, labels={RESOURCE_LABEL})
            before_props, before_labels = state.properties, set(state.labels)
            if mode == "replace" and state.graphs.get(batch.graph) != sequence:
                state.drop_graph_literals(batch.graph)
            state.graphs[batch.graph] = sequence
            state.ledger |= batch.ledger.get(key, set())
            state.types |= batch.types.get(key, set())
            changes.record(state, before_props, before_labels, self.terms)
        self._write_nodes(changes)
        for rel_type, pairs in sorted(batch.relationships.items()):
            for chunk in _chunks(sorted(pairs), ROWS_PER_STATEMENT):
                self._write(
                    _relationship_statement(rel_type),
                    {"pairs": [list(p) for p in chunk], "graph": batch.graph, "sequence": sequence},
                )
        self._write_labels(changes)

    def sweep(self, graph_iri: str, *, keep_sequence: int | None) -> int:
        """Remove from ``graph_iri`` everything not stamped ``keep_sequence`` (everything when ``None``).

        Returns the number of nodes deleted because they were left in no graph. Idempotent.
        """
        sequence = _NO_SEQUENCE if keep_sequence is None else keep_sequence
        parameters = {"graph": graph_iri, "sequence": sequence}
        retyped = [str(row["iri"]) for row in self.graph.run(_READ_RETYPED_KEYS, parameters)]
        while True:
            rows = self._write(
                _DELETE_STALE_RELATIONSHIPS, {"graph": graph_iri, "sequence": sequence, "limit": DELETE_CHUNK}
            )
            if not rows or int(rows[0]["deleted"]) < DELETE_CHUNK:
                break
        changes = _Changes()
        orphans: list[str] = []
        states = {
            state.key: state
            for state in (NodeState.from_record(row) for row in self.graph.run(_READ_STALE_NODES, parameters))
        }
        missing = [key for key in retyped if key not in states]
        states.update(self.read_nodes(missing))
        for state in states.values():
            before_props, before_labels = state.properties, set(state.labels)
            if state.graphs.get(graph_iri) != sequence:
                state.graphs.pop(graph_iri, None)
                state.drop_graph_literals(graph_iri)
            if not state.graphs:
                orphans.append(state.key)
                continue
            changes.record(state, before_props, before_labels, self.terms)
        self._write_nodes(changes)
        self._write_labels(changes)
        for chunk in _chunks(sorted(orphans), DELETE_CHUNK):
            self._write(_DELETE_NODES, {"keys": list(chunk)})
        return len(orphans)

    def clear(self) -> None:
        """Delete every projected node, relationship and term mapping (the sync state stays)."""
        for label in (RESOURCE_LABEL, TERM_MAPPING_LABEL):
            while True:
                rows = self._write(
                    f"MATCH (n:`{label}`) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted",
                    {"limit": DELETE_CHUNK},
                )
                if not rows or int(rows[0]["deleted"]) < DELETE_CHUNK:
                    break
        self.terms = {}

    # -- internals -------------------------------------------------------------------------------------

    def _write_nodes(self, changes: _Changes) -> None:
        for chunk in _chunks(changes.rows, ROWS_PER_STATEMENT):
            self._write(_WRITE_NODES, {"rows": list(chunk)})

    def _write_labels(self, changes: _Changes) -> None:
        for (label, add), keys in sorted(changes.labels.items()):
            for chunk in _chunks(sorted(keys), ROWS_PER_STATEMENT * 2):
                self._write(_label_statement(label, add=add), {"keys": list(chunk)})


class _Changes:
    """Node rows and label changes collected for one batch or sweep."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.labels: dict[tuple[str, bool], list[str]] = defaultdict(list)

    def record(
        self,
        state: NodeState,
        before_props: Mapping[str, Any],
        before_labels: set[str],
        terms: Mapping[str, str],
    ) -> None:
        props = state.desired_properties(terms)
        if props != before_props:
            self.rows.append({"iri": state.key, "props": props})
        labels = state.desired_labels()
        for label in labels - before_labels:
            self.labels[(label, True)].append(state.key)
        for label in before_labels - labels:
            self.labels[(label, False)].append(state.key)
