"""The store protocol every backend implements.

Atomicity is part of the contract: each method documents whether it is all-or-nothing. Readers never see
half of an atomic write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rdflib.term import Identifier


@dataclass(frozen=True, slots=True)
class GraphSize:
    """Number of triples in one named graph (``graph`` is ``""`` for the default graph)."""

    graph: str
    triples: int


class GraphStore(Protocol):
    """A quad store partitioned into named graphs (ontology, reference data, one per dataset)."""

    def graph_sizes(self) -> list[GraphSize]:
        """Triples per named graph, sorted by graph IRI. Reads a consistent snapshot."""
        ...

    def replace_graph(self, graph: str, triples: Iterable[tuple[Identifier, Identifier, Identifier]]) -> int:
        """Replace the whole content of ``graph``. Atomic: readers see the old or the new content, never a mix.

        Returns the number of triples now in the graph.
        """
        ...

    def add_to_graph(self, graph: str, triples: Iterable[tuple[Identifier, Identifier, Identifier]]) -> int:
        """Add triples to ``graph``. Atomic. Returns the number of triples given."""
        ...

    def drop_graph(self, graph: str) -> None:
        """Remove ``graph`` and its triples. Atomic."""
        ...

    def graph_metadata(self, graph: str) -> Mapping[str, str]:
        """Small key/value metadata recorded with a graph (for example the content hash it was loaded from)."""
        ...

    def set_graph_metadata(self, graph: str, metadata: Mapping[str, str]) -> None:
        """Replace the metadata of ``graph``. Atomic."""
        ...

    def select(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> Sequence[dict[str, Identifier]]:
        """Run a named, parameterised SPARQL SELECT. Values come in through ``bindings``, never by formatting
        them into the query text (SEP-0007 substitution: each bound variable must appear in the SELECT
        projection). Returns rows of rdflib terms keyed by variable name.
        """
        ...

    def dump_nquads(self) -> bytes:
        """The whole dataset as sorted N-Quads (for comparison and backups of small stores)."""
        ...

    def close(self) -> None:
        """Flush and release the store."""
        ...
