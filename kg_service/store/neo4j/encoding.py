"""How RDF terms become property-graph names and values, and back.

Names (labels, relationship types, property keys) are built only from ``[A-Za-z0-9_]`` plus, for language
tagged literals, ``@`` and ``-``; every name is validated by :func:`quote_name` before it reaches Cypher text
and is always backtick-quoted there. Nothing from outside is ever interpolated unvalidated.

Term names (deterministic, so a rebuild and an incremental sync give the same names):

- property key / relationship type: ``{prefix}__{local}``, e.g. ``cps__sdotSerial``, ``sosa__madeBySensor``,
  ``rdf__type``. The prefix comes from a frozen table (:data:`PREFIXES`); a namespace outside it gets
  ``ns`` plus six base-32 characters of its SHA-256, so no registry order matters.
- label of a class: the bare local name for the home ontology (``cps:Sensor`` → ``Sensor``), the prefixed
  form otherwise (``sosa:Observation`` → ``sosa__Observation``). Home names that are reserved
  (:data:`RESERVED_LABELS`) or contain ``__`` take the prefixed form too.
- a local name that is not ``[A-Za-z][A-Za-z0-9_]*`` (hyphens, dots, Hangul, percent escapes, a leading digit)
  becomes its sanitised form plus ``_`` and eight hex characters of its SHA-256 (``cps__x_dong_code_1a2b3c4d``).
- language tagged literals: ``{key}@{tag}`` with the tag lower-cased (``rdfs__label@ko``).

Every name is recorded with its IRI in a ``TermMapping`` node, which is what turns names back into IRIs;
a second IRI claiming a recorded name is refused (a hash collision, never silently merged).

Literal values (the *typed view*, for queries): ``xsd:string`` and language strings → string; the integer
types → integer when within ±(2⁶³−1); ``xsd:decimal``/``double``/``float`` → float when finite; ``xsd:boolean``
→ boolean; everything else (``xsd:dateTime`` and the other date/time types, ``geo:wktLiteral``, custom
datatypes, ill-typed lexical forms, NaN/INF) → the lexical string (FalkorDB has no temporal type; ISO 8601
strings in UTC sort correctly). Several values of one key on one node → a sorted list; lists must be
homogeneous in Neo4j, so a key whose values mix types on one node holds the lexical strings instead.

Exactness: the typed view is lossy by nature (``"01"^^xsd:integer`` and ``"1"^^xsd:integer`` are both ``1``;
``xsd:decimal`` and ``xsd:double`` both become floats). Each node therefore also keeps a *literal ledger*
(``_lit``): one compact string per literal triple, ``{graph id}␟{key}␟{tag}␟{lexical form}``, where the tag is
empty for ``xsd:string``, ``@lang`` for language strings, or the datatype's term name. The ledger is what
:func:`~kg_service.store.neo4j.projection.export_rdf` reads, so RDF → graph → RDF is exact, and it records which
named graph each literal came from, so a dataset can be replaced without touching another dataset's values
on the same node.

Derived properties for the query layer (never exported; recomputed from the ledger on every write):

- ``_t_{key}``: the instant (microseconds since 1970-01-01 UTC, an integer) of the node's first literal of
  ``key`` (first as the embedded store orders them: by the canonical N-Triples form) when that literal reads
  as an ISO 8601 date-time with a time zone, e.g. ``_t_sosa__resultTime``. Time windows and "latest" are
  computed on it, since lexical forms in different time zones do not sort as instants.
- ``_mv``: ``true`` on a node where some typed-view key holds a list (several distinct values), so that
  equality lookups (index seeks on scalar values) can also find list members, among these few nodes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

import pyoxigraph as ox
from rdflib import BNode, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import RDF, XSD

from kg_service.vocab import CPS

TermRole = Literal["label", "key", "datatype"]
TypedValue = str | int | float | bool
PropertyValue = TypedValue | list[str] | list[int] | list[float] | list[bool]

#: Namespaces with fixed prefixes. Frozen and self-contained (not derived from ``vocab.PREFIXES``, which may
#: change): add entries for new namespaces, never rename or remove one, or names already written would no
#: longer match those computed for new triples.
PREFIXES_FROZEN: Final[dict[str, str]] = {
    "cps": "https://data.seoul.go.kr/cps/ontology#",
    "id": "https://data.seoul.go.kr/cps/id/",
    "sosa": "http://www.w3.org/ns/sosa/",
    "ssn": "http://www.w3.org/ns/ssn/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "geof": "http://www.opengis.net/def/function/geosparql/",
    "sf": "http://www.opengis.net/ont/sf#",
    "org": "http://www.w3.org/ns/org#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "ngsild": "https://uri.etsi.org/ngsi-ld/",
    "sdm": "https://smartdatamodels.org/",
    "sdmenv": "https://smartdatamodels.org/dataModel.Environment/",
    "sdmdev": "https://smartdatamodels.org/dataModel.Device/",
    "sdmwea": "https://smartdatamodels.org/dataModel.Weather/",
    "sdmbld": "https://smartdatamodels.org/dataModel.Building/",
    "sdmtra": "https://smartdatamodels.org/dataModel.Transportation/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "vann": "http://purl.org/vocab/vann/",
    "dcam": "http://purl.org/dc/dcam/",
    "void": "http://rdfs.org/ns/void#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "locn": "http://www.w3.org/ns/locn#",
}
PREFIXES_BY_NAMESPACE: Final[dict[str, str]] = {}
for _prefix, _namespace in sorted(PREFIXES_FROZEN.items()):
    PREFIXES_BY_NAMESPACE.setdefault(_namespace, _prefix)

HOME_NAMESPACE: Final = str(CPS)

#: Labels the projection itself uses; a class whose local name is one of these takes the prefixed form.
RESOURCE_LABEL: Final = "Resource"
BLANK_NODE_LABEL: Final = "BlankNode"
SYNC_STATE_LABEL: Final = "SyncState"
TERM_MAPPING_LABEL: Final = "TermMapping"
RESERVED_LABELS: Final = frozenset({RESOURCE_LABEL, BLANK_NODE_LABEL, SYNC_STATE_LABEL, TERM_MAPPING_LABEL})

#: Node properties the projection owns (never produced by :func:`property_key`, which always contains ``__``).
IRI_PROPERTY: Final = "iri"
GRAPHS_PROPERTY: Final = "graphs"
GRAPH_SEQUENCE_PROPERTY: Final = "_gseq"
LEDGER_PROPERTY: Final = "_lit"
INSTANT_PREFIX: Final = "_t_"
MULTI_VALUED_PROPERTY: Final = "_mv"
RELATIONSHIP_GRAPH: Final = "graph"
RELATIONSHIP_SEQUENCE: Final = "_seq"
BLANK_NODE_PREFIX: Final = "_:"

RDF_TYPE_KEY: Final = "rdf__type"

_SAFE_LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(@[a-z0-9]+(-[a-z0-9]+)*)?")
_LANGUAGE_TAG = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")
_LEDGER_SEPARATOR: Final = "\x1f"

_INTEGER_TYPES: Final = frozenset(
    str(XSD[name])
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "positiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)
_FLOAT_TYPES: Final = frozenset({str(XSD.decimal), str(XSD.double), str(XSD.float)})
_XSD_STRING: Final = str(XSD.string)
_XSD_BOOLEAN: Final = str(XSD.boolean)
_RDF_LANG_STRING: Final = str(RDF.langString)
_INTEGER_LEXICAL = re.compile(r"[+-]?[0-9]+")
_DECIMAL_LEXICAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DOUBLE_LEXICAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_INT64_LIMIT: Final = 2**63 - 1
_XSD_DATE_TIME: Final = str(XSD.dateTime)
_DATE_TIME_START = re.compile(r"\s*-?[0-9]{4,}-[0-9]{2}-[0-9]{2}")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def quote_name(name: str) -> str:
    """``name`` backtick-quoted for Cypher, after checking it is one the encoding can produce.

    >>> quote_name("rdfs__label@ko")
    '`rdfs__label@ko`'
    >>> quote_name("x` MATCH (n) DETACH DELETE n //")
    Traceback (most recent call last):
    ...
    ValueError: not a projection name: 'x` MATCH (n) DETACH DELETE n //'
    """
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a projection name: {name!r}")
    return f"`{name}`"


@functools.lru_cache(maxsize=65536)
def split_iri(iri: str) -> tuple[str, str]:
    """Namespace and local name of an IRI: the longest known namespace, else split after the last ``#``, ``/``
    or ``:``.

    >>> split_iri("http://www.w3.org/ns/sosa/Observation")
    ('http://www.w3.org/ns/sosa/', 'Observation')
    >>> split_iri("urn:example:thing")
    ('urn:example:', 'thing')
    """
    best = ""
    for namespace in PREFIXES_BY_NAMESPACE:
        if iri.startswith(namespace) and len(namespace) > len(best):
            best = namespace
    if best:
        return best, iri[len(best) :]
    cut = max(iri.rfind("#"), iri.rfind("/"), iri.rfind(":"))
    return iri[: cut + 1], iri[cut + 1 :]


@functools.lru_cache(maxsize=65536)
def namespace_prefix(namespace: str) -> str:
    """The prefix of a namespace: from the frozen table, else ``ns`` + six base-32 characters of its hash.

    >>> namespace_prefix("http://www.w3.org/2000/01/rdf-schema#")
    'rdfs'
    >>> namespace_prefix("http://example.com/vocab#")
    'nszaxofc'
    """
    known = PREFIXES_BY_NAMESPACE.get(namespace)
    if known is not None:
        return known
    digest = hashlib.sha256(namespace.encode("utf-8")).digest()
    return "ns" + base64.b32encode(digest).decode("ascii")[:6].lower()


def _local_name(local: str) -> str:
    if _SAFE_LOCAL.fullmatch(local):
        return local
    digest = hashlib.sha256(local.encode("utf-8")).hexdigest()[:8]
    sanitised = re.sub(r"[^A-Za-z0-9_]+", "_", local).strip("_")[:40]
    return f"x_{sanitised}_{digest}" if sanitised else f"x_{digest}"


@functools.lru_cache(maxsize=65536)
def property_key(iri: str) -> str:
    """Property key or relationship type of a predicate IRI.

    >>> property_key("https://data.seoul.go.kr/cps/ontology#sdotSerial")
    'cps__sdotSerial'
    >>> property_key("https://data.seoul.go.kr/cps/ontology#dong-code")
    'cps__x_dong_code_d5b192f0'
    """
    namespace, local = split_iri(iri)
    return f"{namespace_prefix(namespace)}__{_local_name(local)}"


@functools.lru_cache(maxsize=65536)
def class_label(iri: str) -> str:
    """Label of a class IRI: bare for the home ontology, prefixed otherwise.

    >>> class_label("https://data.seoul.go.kr/cps/ontology#Sensor")
    'Sensor'
    >>> class_label("http://www.w3.org/ns/sosa/Observation")
    'sosa__Observation'
    >>> class_label("https://data.seoul.go.kr/cps/ontology#Resource")
    'cps__Resource'
    """
    namespace, local = split_iri(iri)
    name = _local_name(local)
    if namespace == HOME_NAMESPACE and name not in RESERVED_LABELS and "__" not in name:
        return name
    return f"{namespace_prefix(namespace)}__{name}"


@functools.lru_cache(maxsize=65536)
def language_key(key: str, language: str) -> str:
    """Property key of a language tagged literal.

    >>> language_key("rdfs__label", "ko")
    'rdfs__label@ko'
    """
    if not _LANGUAGE_TAG.fullmatch(language):
        raise ValueError(f"not a language tag: {language!r}")
    return f"{key}@{language.lower()}"


@functools.lru_cache(maxsize=65536)
def graph_id(graph_iri: str) -> str:
    """Short, stable identifier of a named graph used inside ledger entries (12 hex characters)."""
    return hashlib.sha256(graph_iri.encode("utf-8")).hexdigest()[:12]


def blank_node_key(graph_iri: str, blank_id: str) -> str:
    """Stable key of a blank node: scoped to its named graph, so the same label in two submissions never
    merges two different things, and re-projecting the same input gives the same key.
    """
    digest = hashlib.sha256(f"{graph_iri}\x00{blank_id}".encode()).hexdigest()[:32]
    return BLANK_NODE_PREFIX + digest


def node_key(graph_iri: str, term: URIRef | BNode) -> str:
    """The ``iri`` property of the node for ``term``."""
    if isinstance(term, BNode):
        return blank_node_key(graph_iri, str(term))
    return str(term)


# -- literals ------------------------------------------------------------------------------------------


def escape_lexical(text: str) -> str:
    r"""Make a lexical form safe to store (FalkorDB strings end at NUL). Reversible.

    >>> unescape_lexical(escape_lexical("a\x00b\x01c"))
    'a\x00b\x01c'
    """
    return text.replace("\x01", "\x01\x01").replace("\x00", "\x010")


def unescape_lexical(text: str) -> str:
    """Inverse of :func:`escape_lexical`."""
    if "\x01" not in text:
        return text
    return re.sub("\x01(.)", lambda m: "\x00" if m.group(1) == "0" else m.group(1), text, flags=re.S)


def ledger_entry(graph_iri: str, key: str, tag: str, lexical: str) -> str:
    """One literal triple as a ledger string (see the module docstring)."""
    return _LEDGER_SEPARATOR.join((graph_id(graph_iri), key, tag, escape_lexical(lexical)))


def parse_ledger_entry(entry: str) -> tuple[str, str, str, str]:
    """``(graph id, key, tag, lexical)`` of a ledger string."""
    gid, key, tag, lexical = entry.split(_LEDGER_SEPARATOR, 3)
    return gid, key, tag, unescape_lexical(lexical)


def ledger_graph_id(entry: str) -> str:
    """The graph id of a ledger string, without parsing the rest."""
    return entry[: entry.index(_LEDGER_SEPARATOR)]


def literal_parts(literal: RDFLiteral) -> tuple[str | None, str | None]:
    """``(language, datatype IRI)`` of a literal; plain literals are ``xsd:string``."""
    if literal.language:
        return literal.language, None
    datatype = str(literal.datatype) if literal.datatype is not None else _XSD_STRING
    return None, datatype


def typed_value(lexical: str, language: str | None, datatype: str | None) -> TypedValue:
    """The typed-view value of a literal (see the module docstring).

    >>> typed_value("042", None, "http://www.w3.org/2001/XMLSchema#integer")
    42
    >>> typed_value("1.50", None, "http://www.w3.org/2001/XMLSchema#decimal")
    1.5
    >>> typed_value("2026-11-24T09:00:00Z", None, "http://www.w3.org/2001/XMLSchema#dateTime")
    '2026-11-24T09:00:00Z'
    """
    text = lexical.replace("\x00", "\ufffd")
    if language is not None or datatype in (None, _XSD_STRING, _RDF_LANG_STRING):
        return text
    stripped = lexical.strip()
    if datatype in _INTEGER_TYPES and _INTEGER_LEXICAL.fullmatch(stripped):
        number = int(stripped)
        return number if -_INT64_LIMIT <= number <= _INT64_LIMIT else text
    if datatype in _FLOAT_TYPES:
        pattern = _DECIMAL_LEXICAL if datatype == str(XSD.decimal) else _DOUBLE_LEXICAL
        if pattern.fullmatch(stripped):
            try:
                value = float(Decimal(stripped))
            except (InvalidOperation, OverflowError):  # pragma: no cover - the pattern admits only numbers
                return text
            return value if math.isfinite(value) else text
        return text
    if datatype == _XSD_BOOLEAN and stripped in ("true", "false", "1", "0"):
        return stripped in ("true", "1")
    return text


def combine_values(values: list[tuple[TypedValue, str]]) -> PropertyValue:
    """The property value for one key on one node from its ``(typed value, lexical form)`` pairs.

    One distinct value → that value; several → a sorted list, of the typed values when they share a type
    (integers and floats together become floats), else of the lexical forms.

    >>> combine_values([(2, "2"), (1, "01")])
    [1, 2]
    >>> combine_values([(1, "1"), ("x", "x")])
    ['1', 'x']
    """
    kinds = {type(value) for value, _ in values}
    distinct: list[TypedValue]
    if len(kinds) == 1:
        distinct = sorted({value for value, _ in values})
    elif kinds == {int, float}:
        distinct = sorted({float(value) for value, _ in values})
    else:
        distinct = sorted({lexical.replace("\x00", "\ufffd") for _, lexical in values})
    if len(distinct) == 1:
        return distinct[0]
    return distinct  # type: ignore[return-value]


# -- canonical forms and instants ----------------------------------------------------------------------

_CANONICAL_PREDICATE: Final = ox.NamedNode("urn:x-canonical:value")


def oxigraph_literal(lexical: str, language: str | None, datatype: str | None) -> ox.Literal:
    """A pyoxigraph literal (plain literals are ``xsd:string``)."""
    if language is not None:
        return ox.Literal(lexical, language=language)
    if datatype is None or datatype == _XSD_STRING:
        return ox.Literal(lexical)
    return ox.Literal(lexical, datatype=ox.NamedNode(datatype))


def canonical_literals(literals: Iterable[tuple[str, str | None, str | None]]) -> list[ox.Literal]:
    """``(lexical, language, datatype IRI)`` literals in the form the embedded store (Oxigraph) keeps them:
    ``"035.50"^^xsd:decimal`` becomes ``"35.5"``, ``"1"^^xsd:boolean`` ``"true"``, a date-time loses trailing
    zeros. Found by writing them to a scratch in-memory store, so it is exactly Oxigraph's normalisation.

    >>> [lit.value for lit in canonical_literals([("042", None, str(XSD.integer)), ("가", "ko", None)])]
    ['42', '가']
    """
    scratch = ox.Store()
    graph = ox.DefaultGraph()
    quads = [
        ox.Quad(
            ox.NamedNode(f"urn:x-canonical:{index}"), _CANONICAL_PREDICATE, oxigraph_literal(*literal), graph
        )
        for index, literal in enumerate(literals)
    ]
    scratch.extend(quads)
    found: dict[int, ox.Literal] = {}
    for quad in scratch.quads_for_pattern(None, _CANONICAL_PREDICATE, None, graph):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
            found[int(quad.subject.value.rsplit(":", 1)[1])] = quad.object
    return [found[index] for index in range(len(quads))]


def parse_instant(lexical: str) -> datetime | None:
    """An ISO 8601 date-time with a time zone as an aware datetime (what the query layer reads as a time);
    ``None`` for anything else.

    >>> parse_instant("2025-07-14T09:00:00+09:00").isoformat()
    '2025-07-14T09:00:00+09:00'
    >>> parse_instant("2025-07-14T09:00:00") is None
    True
    """
    try:
        moment = datetime.fromisoformat(lexical)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None and moment.utcoffset() is not None else None


def instant_microseconds(moment: datetime) -> int:
    """Microseconds since 1970-01-01T00:00:00Z (exact, no float rounding).

    >>> instant_microseconds(datetime(1970, 1, 1, 0, 0, 0, 5, tzinfo=UTC))
    5
    """
    return (moment - _EPOCH) // _MICROSECOND


def looks_like_date_time(lexical: str) -> bool:
    """Whether a lexical form starts like an ISO 8601 date (a cheap test before parsing)."""
    return _DATE_TIME_START.match(lexical) is not None


def instant_of(lexical: str, datatype: str | None) -> int | None:
    """The instant (:func:`instant_microseconds`) a literal's lexical form names, if it names one: read as it
    stands, or, for an ``xsd:dateTime`` the standard allows but Python does not read (``24:00:00``), in the
    canonical form the embedded store gives it."""
    if not looks_like_date_time(lexical):
        return None
    moment = parse_instant(lexical)
    if moment is None and datatype == _XSD_DATE_TIME:
        moment = parse_instant(canonical_literals([(lexical, None, datatype)])[0].value)
    return instant_microseconds(moment) if moment is not None else None


def instant_key(key: str) -> str:
    """The derived property holding the instant of ``key``.

    >>> instant_key("sosa__resultTime")
    '_t_sosa__resultTime'
    """
    return INSTANT_PREFIX + key
