"""RDF terms on the validation path: how they are kept in the validation store and how reports name them.

**Why literals are "protected".** A pyoxigraph ``Store`` does not keep every literal as written: it stores
valid XSD literals in canonical form (``"+5"`` → ``"5"``, ``"1e5"^^xsd:double`` → ``"100000"``), accepts some
forms XSD rejects (``"inf"^^xsd:double``) and stores the integer-derived datatypes (``xsd:int``, ``xsd:byte``,
``xsd:nonNegativeInteger``, …) as ``xsd:integer``. SHACL needs the literal as written: ``sh:datatype`` looks at
the datatype IRI and the lexical form, ``sh:pattern`` and ``sh:minLength`` at ``STR()``, ``sh:in`` at term
identity. So the validation store holds every literal whose datatype is in the XSD namespace (except
``xsd:string``, which is the simple literal) under a private datatype, ``urn:kg-service:validation:xsd#int``
for ``xsd:int``, which the store keeps verbatim. Queries that need the value (range constraints) rebuild it
with ``STRDT(STR(?v), xsd:…)``; SHACL-SPARQL constraints written by shape authors run on an unprotected copy.

**How reports name terms** (:func:`term_text`): an IRI as itself (``https://…``), a blank node as
``_:label``, a literal in N-Triples syntax (``"12.5"^^<http://www.w3.org/2001/XMLSchema#decimal>``). The three
cannot be confused: an IRI never starts with ``_:`` or ``"``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

XSD_NS: Final = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING: Final = XSD_NS + "string"
RDF_LANG_STRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
PROTECTED_NS: Final = "urn:kg-service:validation:xsd#"
"""Namespace of the private datatypes that keep XSD literals verbatim in the validation store."""

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def protected_datatype(datatype: str) -> str:
    """The datatype IRI a literal of ``datatype`` is stored under in the validation store.

    >>> protected_datatype("http://www.w3.org/2001/XMLSchema#int")
    'urn:kg-service:validation:xsd#int'
    >>> protected_datatype("http://www.opengis.net/ont/geosparql#wktLiteral")
    'http://www.opengis.net/ont/geosparql#wktLiteral'
    """
    if datatype.startswith(XSD_NS) and datatype != XSD_STRING:
        return PROTECTED_NS + datatype[len(XSD_NS) :]
    return datatype


def original_datatype(datatype: str) -> str:
    """Inverse of :func:`protected_datatype`."""
    if datatype.startswith(PROTECTED_NS):
        return XSD_NS + datatype[len(PROTECTED_NS) :]
    return datatype


def protect(term: OxTerm) -> OxTerm:
    """The store form of a term (see the module docstring); IRIs and blank nodes are unchanged."""
    if isinstance(term, ox.Literal) and term.language is None:
        datatype = term.datatype.value
        stored = protected_datatype(datatype)
        if stored != datatype:
            return ox.Literal(term.value, datatype=ox.NamedNode(stored))
    return term


def unprotect(term: OxTerm) -> OxTerm:
    """The term as written, from its store form."""
    if (
        isinstance(term, ox.Literal)
        and term.language is None
        and term.datatype.value.startswith(PROTECTED_NS)
    ):
        return ox.Literal(term.value, datatype=ox.NamedNode(original_datatype(term.datatype.value)))
    return term


def from_rdflib(term: Node, *, protected: bool = True) -> OxTerm:
    """An rdflib term as a pyoxigraph term, keeping blank node labels (in store form unless ``protected`` is false).

    >>> from_rdflib(Literal("5", datatype=URIRef(XSD_NS + "int")))
    <Literal value=5 datatype=<NamedNode value=urn:kg-service:validation:xsd#int>>
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(_blank_label(str(term)))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None:
            return ox.Literal(str(term))
        datatype = str(term.datatype)
        return ox.Literal(
            str(term), datatype=ox.NamedNode(protected_datatype(datatype) if protected else datatype)
        )
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: OxTerm | ox.Triple, *, normalize: bool = False) -> Identifier:
    """A pyoxigraph term (store form or not) as an rdflib term.

    ``normalize`` lets rdflib canonicalise the lexical form as its parsers do (what pySHACL sees); without it
    the literal keeps the lexical form as written.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = original_datatype(term.datatype.value)
        if datatype in (XSD_STRING, RDF_LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=normalize)
    raise TypeError(f"unsupported term: {term!r}")


def term_text(term: OxTerm | Node) -> str:
    """How reports name a term: IRI as itself, ``_:label``, or a literal in N-Triples syntax.

    >>> term_text(ox.NamedNode("https://data.seoul.go.kr/cps/id/sensor/V02Q1940043"))
    'https://data.seoul.go.kr/cps/id/sensor/V02Q1940043'
    >>> term_text(ox.Literal("12.5", datatype=ox.NamedNode(PROTECTED_NS + "decimal")))
    '"12.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    >>> term_text(Literal("값", lang="ko"))
    '"값"@ko'
    """
    if not isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        term = from_rdflib(term, protected=False)
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(unprotect(term))


def term_from_text(text: str) -> Identifier:
    """Inverse of :func:`term_text`, as an rdflib term (literals keep their lexical form).

    >>> term_from_text('"7"^^<http://www.w3.org/2001/XMLSchema#int>')
    rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#int'))
    """
    if text.startswith("_:"):
        return BNode(text[2:])
    if not text.startswith('"'):
        return URIRef(text)
    quads = list(ox.parse(f"<urn:kg-service:s> <urn:kg-service:p> {text} .", ox.RdfFormat.N_TRIPLES))
    if len(quads) != 1 or not isinstance(quads[0].object, ox.Literal):
        raise ValueError(f"not a literal in N-Triples syntax: {text!r}")
    return to_rdflib(quads[0].object)


def store_quad(triple: tuple[Node, Node, Node], graph: ox.NamedNode | None = None) -> ox.Quad:
    """An rdflib triple as a quad in store form (raises ``TypeError`` for a literal subject or predicate)."""
    subject, predicate, obj = (from_rdflib(term) for term in triple)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise TypeError(f"not an RDF triple: {triple!r}")
    return ox.Quad(subject, predicate, obj, graph)


def _blank_label(label: str) -> str:
    """A blank node label pyoxigraph accepts (rdflib labels almost always are; anything else is hex-encoded)."""
    try:
        ox.BlankNode(label)
    except ValueError:
        return "x" + label.encode("utf-8").hex()
    return label


class _DropLexicalWarnings(logging.Filter):
    """rdflib logs a traceback for every ill-typed literal it meets; here that is expected, not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


@contextmanager
def quiet_rdflib_literals() -> Iterator[None]:
    """Silence rdflib's warnings about ill-typed literals while the block runs (validation reports them)."""
    logger = logging.getLogger("rdflib.term")
    noise = _DropLexicalWarnings()
    logger.addFilter(noise)
    try:
        yield
    finally:
        logger.removeFilter(noise)
