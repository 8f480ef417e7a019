"""The in-memory store one validation runs on: delta, context and ontology in its default graph.

Loading is the hot path (the mapping engine produces millions of triples as N-Triples), so N-Triples bytes go
straight into Oxigraph: literal protection (:mod:`kg_service.validation.terms`) is one byte replacement over
the document, not a Python loop over triples. Only a document with an escaped quote right before an XSD
datatype (``\\"^^<http://www.w3.org/2001/XMLSchema#``) takes the exact, slower path through the parser.

Each document keeps its own blank nodes (labels are scoped to their document, as RDF says), except rdflib
graphs, whose blank node labels are kept as they are so that reports name the same nodes the caller has.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Final

import pyoxigraph as ox
from rdflib import Graph

from kg_service.validation.terms import PROTECTED_NS, XSD_NS, protect, store_quad, to_rdflib

DataInput = Graph | bytes | ox.Store
"""What can be validated: an rdflib graph, N-Triples bytes, or a pyoxigraph store (all its graphs)."""

NATIVE_GRAPH: Final = ox.NamedNode("urn:kg-service:validation:graph:native")
"""Where the data is copied with literals as Oxigraph stores them natively, for SHACL-SPARQL queries."""
_GRAPH_PREFIX: Final = "urn:kg-service:validation:graph:"
_XSD_TYPED: Final = b'"^^<' + XSD_NS.encode()
_PROTECTED_TYPED: Final = b'"^^<' + PROTECTED_NS.encode()
_STRING_TYPED: Final = (b'"^^<' + PROTECTED_NS.encode() + b"string>", b'"^^<' + XSD_NS.encode() + b"string>")
_UNSAFE: Final = b"\\" + _XSD_TYPED
_UNPROTECT: Final = f"""
INSERT {{ GRAPH <{{target}}> {{ ?s ?p ?written }} }}
WHERE {{
  {{source}}
  BIND(IF(isLiteral(?o) && STRSTARTS(STR(DATATYPE(?o)), "{PROTECTED_NS}"),
          STRDT(STR(?o), IRI(CONCAT("{XSD_NS}", STRAFTER(STR(DATATYPE(?o)), "{PROTECTED_NS}")))),
          ?o) AS ?written)
}}
"""


class ValidationDataset:
    """Delta, context and ontology of one validation, in one in-memory Oxigraph store.

    ``check_iris=False`` loads N-Triples without validating IRIs (Oxigraph's lenient mode, about 30% faster),
    for documents whose IRIs are valid by construction, such as the mapping engine's output.
    """

    def __init__(self, *, check_iris: bool = True) -> None:
        self.store = ox.Store()
        self.check_iris = check_iris
        self._documents_as_written: list[bytes] | None = []
        self._graph_numbers = itertools.count()
        self._documents = itertools.count()
        self._native_ready = False
        self._native_copies: dict[str, ox.NamedNode] = {}
        self.rdflib_sources: list[Graph] = []
        self.only_rdflib = True

    def add(self, data: DataInput) -> None:
        """Add a document (raises ``SyntaxError`` with line and column for malformed N-Triples)."""
        if isinstance(data, Graph):
            self.rdflib_sources.append(data)
            self._documents_as_written = None
            self.store.extend(store_quad(triple) for triple in data)
            return
        self.only_rdflib = False
        if isinstance(data, ox.Store):
            self._documents_as_written = None
            data = b"".join(
                data.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
                for graph in (ox.DefaultGraph(), *data.named_graphs())
            )
        self.add_ntriples(data)

    def add_ntriples(self, data: bytes) -> None:
        """Add an N-Triples document."""
        if not data:
            return
        if _UNSAFE in data:
            label = f"d{next(self._documents)}x"
            self.store.extend(_protected_quads(ox.parse(data, ox.RdfFormat.N_TRIPLES), label))
            self._documents_as_written = None
            return
        protected = data.replace(_XSD_TYPED, _PROTECTED_TYPED)
        if _STRING_TYPED[0] in protected:
            protected = protected.replace(*_STRING_TYPED)
        self.store.load(protected, ox.RdfFormat.N_TRIPLES, lenient=not self.check_iris)
        if self._documents_as_written is not None:
            self._documents_as_written.append(data)

    def add_quads(self, quads: Iterable[ox.Quad], *, source: Graph | None = None) -> None:
        """Add prepared quads (already in store form), for example the ontology cached by the engine.

        ``source`` is the rdflib graph they were made from, used as is by :meth:`rdflib_graph`.
        """
        self.store.extend(quads)
        self._documents_as_written = None
        if source is not None:
            self.rdflib_sources.append(source)
        else:
            self.only_rdflib = False

    def new_graph(self) -> ox.NamedNode:
        """A fresh graph name for a focus or value set."""
        return ox.NamedNode(f"{_GRAPH_PREFIX}{next(self._graph_numbers)}")

    def native_default_graph(self) -> ox.NamedNode:
        """The data with literals unprotected (made once, on first use).

        When every document came as N-Triples without blank nodes, they are simply loaded again into the
        native graph (faster than copying); otherwise one SPARQL update copies the default graph, which keeps
        blank nodes the same in both graphs.
        """
        if not self._native_ready:
            written = self._documents_as_written
            if written is not None and not any(b"_:" in document for document in written):
                for document in written:
                    self.store.load(
                        document, ox.RdfFormat.N_TRIPLES, to_graph=NATIVE_GRAPH, lenient=not self.check_iris
                    )
            else:
                source = "?s ?p ?o ."
                self.store.update(
                    _UNPROTECT.replace("{target}", NATIVE_GRAPH.value).replace("{source}", source)
                )
            self._native_ready = True
        return NATIVE_GRAPH

    def native_copy(self, graph: ox.NamedNode) -> ox.NamedNode:
        """An unprotected copy of a focus graph (focus nodes can be literals)."""
        if graph.value not in self._native_copies:
            target = self.new_graph()
            source = f"GRAPH <{graph.value}> {{ ?s ?p ?o }}"
            self.store.update(_UNPROTECT.replace("{target}", target.value).replace("{source}", source))
            self._native_copies[graph.value] = target
        return self._native_copies[graph.value]

    def rdflib_graph(self) -> Graph:
        """The data as one rdflib graph, for the pySHACL fallback.

        When everything was given as rdflib graphs, they are used as they are (a single graph is not even
        copied), so pySHACL sees exactly what the caller passed.
        """
        if self.only_rdflib and len(self.rdflib_sources) == 1:
            return self.rdflib_sources[0]
        graph = Graph()
        if self.only_rdflib:
            for source in self.rdflib_sources:
                for triple in source:
                    graph.add(triple)
            return graph
        for quad in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            graph.add(
                (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object, normalize=True))
            )
        return graph


def _protected_quads(quads: Iterator[ox.Quad], label: str) -> Iterator[ox.Quad]:
    """Quads in store form, with blank nodes renamed into this document's own label space."""

    def scoped(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(label + term.value)
        return protect(term)

    for quad in quads:
        yield ox.Quad(scoped(quad.subject), quad.predicate, scoped(quad.object))  # type: ignore[arg-type]
