"""What Cypher returns, turned back into RDF: a small subgraph in a scratch Oxigraph store, read through the
same :class:`~kg_service.queries.reader.StoreReader` the embedded backend uses.

The projection keeps every literal exactly (the ``_lit`` ledger) and every relationship with its named graph,
so the quads rebuilt here are those of the embedded store; loading them into an in-memory Oxigraph store gives
them Oxigraph's canonical forms (``"035.50"^^xsd:decimal`` reads ``35.5`` on both backends) and lets the
embedded query code run over them unchanged. That is what makes the two backends answer alike: Cypher does
the selecting (indexes, traversals, time windows, pages) and the shared code computes the records.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import pyoxigraph as ox

from kg_service.errors import StoreError
from kg_service.queries.reader import StoreReader
from kg_service.store.embedded import EmbeddedStore
from kg_service.store.neo4j.connection import Neo4jGraph
from kg_service.store.neo4j.encoding import BLANK_NODE_PREFIX, graph_id, parse_ledger_entry
from kg_service.store.neo4j.projection import load_terms

#: A triple pattern that only says "this node is mentioned somewhere" (for entity existence checks); its graph
#: is not one of the store's bookkeeping graphs, which the reader hides.
MENTION_GRAPH: Final = ox.NamedNode("urn:x-kg-neo4j:mentioned")
_MENTIONS: Final = ox.NamedNode("urn:x-kg-neo4j:mentions")
_MENTIONER: Final = ox.NamedNode("urn:x-kg-neo4j:mentioner")

Row = Mapping[str, Any]
Term = ox.NamedNode | ox.BlankNode


class TermIndex:
    """Projection names (``cps__inDistrict``, ``xsd__decimal``) → IRIs, from the ``TermMapping`` nodes; read on
    first use and again when a name is missing (the sync may have added terms since). Thread-safe."""

    def __init__(self, graph: Neo4jGraph) -> None:
        self._graph = graph
        self._terms: dict[str, str] = {}
        self._lock = threading.Lock()

    def iri(self, name: str) -> str:
        """The IRI a projection name stands for.

        Raises:
            StoreError: the name is not recorded (a projection written by another version, or a bug).
        """
        found = self._terms.get(name)
        if found is not None:
            return found
        with self._lock:
            self._terms = load_terms(self._graph)
        found = self._terms.get(name)
        if found is None:
            raise StoreError(
                f"the Neo4j projection uses the name {name!r}, which no TermMapping records",
                f"Neo4j 투영에 기록되지 않은 이름 {name!r}이(가) 있습니다",
                hint="rebuild the projection: kg neo4j rebuild",
            )
        return found


def node_term(key: str) -> Term:
    """The RDF term of a node key (``_:…`` keys are blank nodes)."""
    if key.startswith(BLANK_NODE_PREFIX):
        return ox.BlankNode(key[len(BLANK_NODE_PREFIX) :])
    return ox.NamedNode(key)


def term_key(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """The node key of an RDF term (inverse of :func:`node_term`)."""
    if isinstance(term, ox.BlankNode):
        return BLANK_NODE_PREFIX + term.value
    return term.value


class Subgraph:
    """Quads collected from Cypher rows; :meth:`reader` loads them into a scratch store."""

    def __init__(self, terms: TermIndex) -> None:
        self.terms = terms
        self.quads: list[ox.Quad] = []
        self._with_literals: set[str] = set()
        self._with_links: set[str] = set()
        #: Sensors whose districts are already here (observation scopes).
        self.linked_sensors: set[str] = set()

    def __len__(self) -> int:
        return len(self.quads)

    # -- adding ----------------------------------------------------------------------------------------

    def add_literals(self, key: str, graphs: Sequence[str] | None, ledger: Iterable[str] | None) -> None:
        """The literal triples of node ``key`` from its ledger (``graphs`` resolves the ledger's graph ids)."""
        if not ledger:
            return
        subject = node_term(key)
        by_id = {graph_id(graph): graph for graph in graphs or ()}
        for entry in ledger:
            gid, name, tag, lexical = parse_ledger_entry(entry)
            graph = by_id.get(gid)
            if graph is None:
                continue  # a ledger entry of a graph the node has left (never written by the writer)
            if tag.startswith("@"):
                obj = ox.Literal(lexical, language=tag[1:])
            elif tag:
                obj = ox.Literal(lexical, datatype=ox.NamedNode(self.terms.iri(tag)))
            else:
                obj = ox.Literal(lexical)
            self.quads.append(ox.Quad(subject, ox.NamedNode(self.terms.iri(name)), obj, ox.NamedNode(graph)))

    def add_link(self, subject: str, rel_type: str, obj: str, graph: str) -> None:
        """One relationship as a quad."""
        self.quads.append(
            ox.Quad(
                node_term(subject),
                ox.NamedNode(self.terms.iri(rel_type)),
                node_term(obj),
                ox.NamedNode(graph),
            )
        )

    def add_node(self, row: Row) -> None:
        """A row of :func:`~kg_service.queries.cypher.statements.describe`: the node's literals and its
        outgoing relationships (each once per node, however many rows describe it)."""
        key = str(row["iri"])
        if key not in self._with_literals:
            self._with_literals.add(key)
            self.add_literals(key, row.get("graphs"), row.get("lit"))
        if key not in self._with_links:
            self._with_links.add(key)
            for rel_type, target, graph in row.get("out") or ():
                self.add_link(key, str(rel_type), str(target), str(graph))

    def add_nodes(self, rows: Iterable[Row]) -> list[str]:
        """:meth:`add_node` for each row; returns the rows' keys in order."""
        keys = []
        for row in rows:
            self.add_node(row)
            keys.append(str(row["iri"]))
        return keys

    def targets(self, rows: Iterable[Row], rel_types: Collection[str]) -> list[str]:
        """Keys of the nodes the described rows link to by one of ``rel_types`` (unquoted names), not yet
        holding their literals here, in order."""
        found: dict[str, None] = {}
        for row in rows:
            for rel_type, target, _ in row.get("out") or ():
                if rel_type in rel_types and str(target) not in self._with_literals:
                    found[str(target)] = None
        return list(found)

    def mention(self, key: str) -> None:
        """Record that node ``key`` exists (some triple mentions it), for existence checks."""
        self.quads.append(ox.Quad(_MENTIONER, _MENTIONS, node_term(key), MENTION_GRAPH))

    # -- reading ---------------------------------------------------------------------------------------

    def store(self) -> ox.Store:
        """A new in-memory Oxigraph store holding the quads (literals in canonical form)."""
        scratch = ox.Store()
        scratch.extend(self.quads)
        return scratch

    def reader(self) -> StoreReader:
        """The embedded query layer's reader over :meth:`store`."""
        return StoreReader(EmbeddedStore(self.store(), None, read_only=True))

    def ordered_reader(self) -> StoreReader:
        """A reader whose index reads come in a defined order (see :class:`OrderedQuads`), for the queries whose
        answer follows the order of index reads (links, paths)."""
        return StoreReader(OrderedQuads(self.store()))


class OrderedQuads:
    """An in-memory store whose pattern reads are sorted: by predicate name, then by the other term (its key,
    or its N-Triples form for literals), then by graph. The embedded store reads in its own index order,
    which no other store reproduces; this is this backend's stable order.
    """

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None,
        graph: None = None,
    ) -> Iterator[ox.Quad]:
        """The matching quads in the defined order."""
        from kg_service.store.neo4j.encoding import property_key

        found = list(self._store.quads_for_pattern(subject, predicate, obj, graph))
        incoming = subject is None and obj is not None

        def order(quad: ox.Quad) -> tuple[str, str, str]:
            other = quad.subject if incoming else quad.object
            text = str(other) if isinstance(other, ox.Literal) else term_key(other)  # type: ignore[arg-type]
            return property_key(quad.predicate.value), text, str(quad.graph_name)

        return iter(sorted(found, key=order))

    def select(self, query: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Not offered: the ordered view is for index reads only."""
        raise TypeError("OrderedQuads answers index reads only")
