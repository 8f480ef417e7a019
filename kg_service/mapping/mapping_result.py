"""What running a rule set produces: N-Triples, problems, and the way back from a subject to file, row and rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

import polars as pl
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg_service.mapping.source_table import CellProblem

LINEAGE_SCHEMA: Final[dict[str, pl.DataType]] = {
    "subject": pl.String(),
    "rule": pl.Categorical(),
    "file": pl.Categorical(),
    "row": pl.UInt32(),
    "column": pl.Categorical(),
}
"""Columns of :attr:`MappingResult.lineage`. ``subject`` is the IRI (or ``_:label``) without angle brackets;
``column`` is the melted source column a subject was made from (null for maps without a melt)."""


@dataclass
class MappingResult:
    """The output of :func:`kg_service.mapping.executor.execute`.

    - ``ntriples``: UTF-8, one statement per line, deduplicated, in a deterministic order (triples maps in rule
      order, rows in source order). A line carries a fourth term (N-Quads) only where a graph applies, so
      without graph maps and without ``dataset_graph`` this is plain N-Triples. Empty when written to a sink.
    - ``triple_count``: statements written.
    - ``problems``: the reader's problems plus those found while mapping (bad cells, values that make no valid
      term), each naming file, row, column and value.
    - ``source_columns``: ``(rule, predicate IRI)`` → the source columns its objects are made from, so a report
      about a property of a subject can name a column.
    - ``exact_deduplication``: false only when output went to a sink in several batches, where lines of
      one-subject-per-row maps are deduplicated within each batch only (see ``execute``).
    - ``lineage``: computed on first access (it is not kept while mapping, so mapping a million rows does not
      pay for it): one row per (subject, rule, row); see :data:`LINEAGE_SCHEMA`.
    """

    ntriples: bytes
    triple_count: int
    problems: list[CellProblem]
    source_columns: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    exact_deduplication: bool = True
    lineage_factory: Callable[[], pl.DataFrame] | None = field(default=None, repr=False)
    _lineage: pl.DataFrame | None = field(default=None, repr=False)

    @property
    def lineage(self) -> pl.DataFrame:
        """Subject → rule, file, row (and melted column), computed once when first asked for."""
        if self._lineage is None:
            if self.lineage_factory is None:
                self._lineage = pl.DataFrame(schema=LINEAGE_SCHEMA)
            else:
                self._lineage = self.lineage_factory()
        return self._lineage

    def trace(self, subjects: Iterable[str]) -> pl.DataFrame:
        """The lineage rows of the given subjects (IRIs without angle brackets)."""
        wanted = pl.Series("subject", list(subjects), dtype=pl.String)
        return self.lineage.filter(pl.col("subject").is_in(wanted.implode()))

    @property
    def has_errors(self) -> bool:
        """Whether any error-severity problem was found."""
        return any(p.severity == "error" for p in self.problems)

    def to_rdflib_graphs(self) -> dict[str | None, Graph]:
        """The output as one rdflib graph per graph name (``None`` = default graph), for tests and small results."""
        return graphs_of_nquads(self.ntriples)

    def to_rdflib_graph(self) -> Graph:
        """Every statement as one rdflib graph (graph names dropped), for tests and small results."""
        union = Graph()
        for graph in self.to_rdflib_graphs().values():
            for triple in graph:
                union.add(triple)
        return union


_XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"


def _rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        # normalize=False keeps the lexical form exactly as written (rdflib would rewrite 15:00:00.5 otherwise).
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise ValueError(f"RDF-star triple terms are not produced by the engine: {term}")


def graphs_of_nquads(data: bytes) -> dict[str | None, Graph]:
    """Parse N-Quads (or N-Triples) strictly with pyoxigraph into rdflib graphs by graph name.

    Raises ``SyntaxError`` (with line and column) for anything that is not valid N-Quads.
    """
    graphs: dict[str | None, Graph] = {}
    for quad in ox.parse(data, ox.RdfFormat.N_QUADS):
        name = None if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name.value)
        graph = graphs.setdefault(name, Graph())
        graph.add((_rdflib_term(quad.subject), _rdflib_term(quad.predicate), _rdflib_term(quad.object)))
    return graphs
