"""Read access to the embedded store for the query layer: parameterised SELECTs and index lookups.

Two ways in, both free of user text in query strings:

- :meth:`StoreReader.select` runs one of the named SPARQL queries of this package with values bound through
  SEP-0007 substitution (each bound variable appears in the query's projection).
- :meth:`StoreReader.quads` reads Oxigraph's quad indexes for a pattern (subject, predicate, object in any
  named graph). Batched lookups over a list of IRIs use one index read per IRI instead of a VALUES block, so
  no IRI is ever written into query text; an index read costs microseconds, a SPARQL query parse and plan
  about a millisecond.

The store is read in whatever graph holds a triple: queries wrap each triple pattern in its own
``GRAPH ?gN { … }`` because the store's default graph is empty (everything lives in named graphs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Final, Protocol, cast

import pyoxigraph as ox
from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.term import Identifier

from kg_service.queries.model import Text
from kg_service.vocab import CPS, GEO, SOSA

RDF_TYPE: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL: Final = "http://www.w3.org/2000/01/rdf-schema#label"
WGS: Final = "http://www.w3.org/2003/01/geo/wgs84_pos#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
CPS_NS: Final = str(CPS)
GEO_NS: Final = str(GEO)
SOSA_NS: Final = str(SOSA)
ID_NS: Final = "https://data.seoul.go.kr/cps/id/"
DATASET_GRAPH_NS: Final = "https://data.seoul.go.kr/cps/graph/dataset/"
XSD_DECIMAL: Final = URIRef(XSD + "decimal")
XSD_DATE_TIME: Final = URIRef(XSD + "dateTime")

QuadPattern = Callable[
    [
        ox.NamedNode | ox.BlankNode | None,
        ox.NamedNode | None,
        ox.NamedNode | ox.BlankNode | ox.Literal | None,
        None,
    ],
    Iterator[ox.Quad],
]

#: The SPARQL prefixes every named query of this package starts with.
PROLOGUE: Final = """PREFIX cps: <https://data.seoul.go.kr/cps/ontology#>
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


class SelectStore(Protocol):
    """What the reader needs of a store: the parameterised SELECT of :class:`~kg_service.store.base.GraphStore`."""

    def select(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> Sequence[dict[str, Identifier]]:
        """Run a named, parameterised SELECT."""
        ...


def _quad_reader(store: object) -> QuadPattern:
    """The store's quad index lookup: its own ``quads_for_pattern`` when it has one, else that of the
    pyoxigraph store it exposes as ``raw`` (:attr:`~kg_service.store.embedded.EmbeddedStore.raw`)."""
    method = getattr(store, "quads_for_pattern", None)
    if method is None:
        method = getattr(getattr(store, "raw", None), "quads_for_pattern", None)
    if method is None:
        raise TypeError(f"{type(store).__name__} offers no quad index lookups (quads_for_pattern or raw)")
    return cast(QuadPattern, method)


class StoreReader:
    """The query layer's view of an embedded store."""

    def __init__(self, store: SelectStore) -> None:
        self._store = store
        self._quads = _quad_reader(store)

    def select(self, query: str, **bindings: Identifier) -> Sequence[dict[str, Identifier]]:
        """Run a named query (``PROLOGUE`` is prepended) with ``bindings`` substituted."""
        return self._store.select(PROLOGUE + query, bindings or None)

    def quads(
        self,
        subject: str | None = None,
        predicate: str | None = None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | str | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching the pattern in any named graph (``None`` matches anything; strings are IRIs)."""
        subject_term = ox.NamedNode(subject) if subject is not None else None
        predicate_term = ox.NamedNode(predicate) if predicate is not None else None
        object_term = ox.NamedNode(obj) if isinstance(obj, str) else obj
        for quad in self._quads(subject_term, predicate_term, object_term, None):
            if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value.startswith(
                "urn:kg-service:"
            ):
                continue  # the store's own bookkeeping graphs (metadata, staging)
            yield quad

    def objects(self, subject: str, predicate: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        """Distinct objects of ``subject predicate ?o`` in any graph, in a stable order."""
        seen: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
        for quad in self.quads(subject, predicate, None):
            term = cast(ox.NamedNode | ox.BlankNode | ox.Literal, quad.object)
            seen.setdefault(str(term), term)
        return [seen[key] for key in sorted(seen)]

    def object_iris(self, subject: str, predicate: str) -> list[str]:
        """IRIs among the objects of ``subject predicate ?o``, sorted."""
        return sorted(
            term.value for term in self.objects(subject, predicate) if isinstance(term, ox.NamedNode)
        )

    def literal(self, subject: str, predicate: str) -> str | None:
        """The lexical form of the first literal object (stable order), or ``None``."""
        for term in self.objects(subject, predicate):
            if isinstance(term, ox.Literal):
                return term.value
        return None

    def subject_iris(self, predicate: str, obj: str | ox.Literal) -> list[str]:
        """IRIs of the subjects of ``?s predicate obj``, sorted."""
        return sorted(
            {
                quad.subject.value
                for quad in self.quads(None, predicate, obj)
                if isinstance(quad.subject, ox.NamedNode)
            }
        )

    def labels(self, subject: str) -> Text:
        """The Korean and English ``rdfs:label`` of ``subject``."""
        return text_of(self.objects(subject, RDFS_LABEL))

    def types(self, subject: str) -> list[str]:
        """The ``rdf:type`` IRIs of ``subject``, sorted."""
        return self.object_iris(subject, RDF_TYPE)


def text_of(literals: Sequence[object]) -> Text:
    """Pick a Korean and an English text out of literals (pyoxigraph or rdflib): ``@ko``, ``@en``; a literal
    without language fills Korean if it has Hangul, else English, when that language is still missing."""
    ko: str | None = None
    en: str | None = None
    plain: list[str] = []
    for term in literals:
        value, language = _literal_parts(term)
        if value is None:
            continue
        if language is not None and language.lower().startswith("ko"):
            ko = ko if ko is not None else value
        elif language is not None and language.lower().startswith("en"):
            en = en if en is not None else value
        elif language is None:
            plain.append(value)
    for value in plain:
        if any("\uac00" <= ch <= "\ud7a3" for ch in value):
            ko = ko if ko is not None else value
        else:
            en = en if en is not None else value
    return Text(ko, en)


def _literal_parts(term: object) -> tuple[str | None, str | None]:
    if isinstance(term, ox.Literal):
        return term.value, term.language
    if isinstance(term, RDFLiteral):
        return str(term), term.language
    return None, None


def row_iri(row: Mapping[str, Identifier], name: str) -> str | None:
    """The IRI bound to ``name`` in a SELECT row, or ``None`` (also when a literal is bound)."""
    value = row.get(name)
    return str(value) if isinstance(value, URIRef) else None


def row_text(row: Mapping[str, Identifier], name: str) -> str | None:
    """The lexical form of the literal bound to ``name``, or ``None``."""
    value = row.get(name)
    return str(value) if isinstance(value, RDFLiteral) else None


def row_int(row: Mapping[str, Identifier], name: str) -> int:
    """An integer bound to ``name`` (0 when unbound)."""
    value = row.get(name)
    return int(str(value)) if isinstance(value, RDFLiteral) else 0


def row_float(row: Mapping[str, Identifier], name: str) -> float | None:
    """A number bound to ``name`` as a float, or ``None`` when unbound or not a number."""
    number = row_decimal(row, name)
    return float(number) if number is not None else None


def row_decimal(row: Mapping[str, Identifier], name: str) -> Decimal | None:
    """A number bound to ``name`` as a Decimal, or ``None`` when unbound or not a number."""
    value = row.get(name)
    if not isinstance(value, RDFLiteral):
        return None
    return decimal_or_none(str(value))


def decimal_or_none(lexical: str) -> Decimal | None:
    """Parse an xsd numeric lexical form; ``None`` for anything else (NaN and infinities included)."""
    try:
        number = Decimal(lexical.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``.

    >>> local_name("https://data.seoul.go.kr/cps/ontology#PM10")
    'PM10'
    >>> local_name("https://data.seoul.go.kr/cps/id/standard/sosa-ssn")
    'sosa-ssn'
    """
    for separator in ("#", "/"):
        if separator in iri:
            iri = iri.rsplit(separator, 1)[1] or iri
    return iri


def dataset_of_graph(graph: str) -> str | None:
    """The dataset IRI a dataset graph belongs to (``graph/dataset/{id}`` → ``id/dataset/{id}``)."""
    if graph.startswith(DATASET_GRAPH_NS) and len(graph) > len(DATASET_GRAPH_NS):
        return ID_NS + "dataset/" + graph[len(DATASET_GRAPH_NS) :]
    return None
