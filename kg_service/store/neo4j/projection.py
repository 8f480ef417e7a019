"""The property-graph projection of the RDF dataset: what nodes and relationships a named graph becomes, and
how the graph turns back into RDF.

Shape (names as in :mod:`kg_service.store.neo4j.encoding`):

- every IRI or blank node that occurs as subject or object is a node labelled ``Resource`` (``BlankNode`` as
  well for blank nodes) with the unique key ``iri`` (``_:`` + a graph-scoped hash for blank nodes), plus one
  label per ``rdf:type`` class IRI (``Sensor``, ``sosa__Observation``);
- ``graphs``: the named graphs that mention the node, sorted; ``_gseq``: beside each, the change-log sequence
  that last wrote the node in that graph (what lets a replace find what it no longer mentions);
- literal triples: the typed view (``cps__sdotSerial``, ``rdfs__label@ko``) and the exact ledger ``_lit``;
- every triple whose object is an IRI or blank node (``rdf:type`` included) is a relationship typed by the
  predicate's key with properties ``graph`` (the named graph) and ``_seq``; the same triple in two graphs is two
  relationships.

:func:`project` is pure: it cuts a named graph's triples into :class:`ProjectionBatch` es. Writing them is
:mod:`kg_service.store.neo4j.writer`'s job; :func:`export_rdf` reads the whole projection back as quads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from rdflib import BNode, Dataset, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.graph import Graph
from rdflib.namespace import RDF
from rdflib.term import Identifier

from kg_service.store.neo4j.encoding import (
    BLANK_NODE_LABEL,
    BLANK_NODE_PREFIX,
    GRAPH_SEQUENCE_PROPERTY,
    GRAPHS_PROPERTY,
    IRI_PROPERTY,
    LEDGER_PROPERTY,
    MULTI_VALUED_PROPERTY,
    RDF_TYPE_KEY,
    RESOURCE_LABEL,
    TERM_MAPPING_LABEL,
    PropertyValue,
    TypedValue,
    canonical_literals,
    class_label,
    combine_values,
    graph_id,
    instant_key,
    instant_of,
    language_key,
    ledger_entry,
    literal_parts,
    looks_like_date_time,
    node_key,
    parse_ledger_entry,
    property_key,
    typed_value,
)

if TYPE_CHECKING:
    from kg_service.store.neo4j.connection import Neo4jGraph

Triple = tuple[Identifier, Identifier, Identifier]

_XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
_RDF_TYPE: Final = str(RDF.type)


@dataclass
class ProjectionBatch:
    """A slice of one named graph's triples, in property-graph terms.

    ``nodes`` maps each node key the slice mentions to whether it is a blank node; ``ledger`` holds the literal
    triples per subject as ledger entries; ``relationships`` maps a relationship type to its ``(subject key,
    object key)`` pairs; ``types`` the class IRIs given to a node by ``rdf:type`` in the slice; ``terms`` every
    name the slice uses with the IRI it stands for.
    """

    graph: str
    nodes: dict[str, bool] = field(default_factory=dict)
    ledger: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    relationships: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    terms: dict[str, str] = field(default_factory=dict)
    triples: int = 0


def project(
    graph_iri: str, triples: Iterable[Triple], *, batch_size: int = 2000
) -> Iterator[ProjectionBatch]:
    """Cut the triples of the named graph ``graph_iri`` into batches of at most ``batch_size`` triples.

    Raises ``ValueError`` for a triple no property graph can hold (a literal or quoted triple as subject, a
    non-IRI predicate).
    """
    if not graph_iri:
        raise ValueError("the projection holds named graphs only; give the graph IRI")
    batch = ProjectionBatch(graph_iri)
    for subject, predicate, obj in triples:
        _add_triple(batch, subject, predicate, obj)
        if batch.triples >= batch_size:
            yield batch
            batch = ProjectionBatch(graph_iri)
    if batch.triples:
        yield batch


def _add_triple(batch: ProjectionBatch, subject: Identifier, predicate: Identifier, obj: Identifier) -> None:
    if not isinstance(subject, URIRef | BNode) or not isinstance(predicate, URIRef):
        raise ValueError(f"cannot project the triple ({subject!r}, {predicate!r}, …)")
    graph = batch.graph
    s_key = node_key(graph, subject)
    batch.nodes[s_key] = isinstance(subject, BNode)
    p_iri = str(predicate)
    key = property_key(p_iri)
    batch.terms[key] = p_iri
    if isinstance(obj, RDFLiteral):
        language, datatype = literal_parts(obj)
        if language is not None:
            language_key(key, language)  # validates the tag
            tag = "@" + language
        elif datatype == _XSD_STRING or datatype is None:
            tag = ""
        else:
            tag = property_key(datatype)
            batch.terms[tag] = datatype
        batch.ledger[s_key].add(ledger_entry(graph, key, tag, str(obj)))
    elif isinstance(obj, URIRef | BNode):
        o_key = node_key(graph, obj)
        batch.nodes[o_key] = isinstance(obj, BNode)
        batch.relationships[key].add((s_key, o_key))
        if p_iri == _RDF_TYPE and isinstance(obj, URIRef):
            label = class_label(str(obj))
            batch.terms[label] = str(obj)
            batch.types[s_key].add(str(obj))
    else:
        raise ValueError(f"cannot project the object {obj!r}")
    batch.triples += 1


# -- node state --------------------------------------------------------------------------------------------


@dataclass
class NodeState:
    """What the projection stores on one node, as read from or about to be written to the server."""

    key: str
    blank: bool
    graphs: dict[str, int] = field(default_factory=dict)
    ledger: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    properties: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> NodeState:
        """A node as returned by :data:`NODE_STATE_RETURN`."""
        props = dict(record["props"] or {})
        key = str(props.get(IRI_PROPERTY, record.get("iri")))
        graphs = list(props.get(GRAPHS_PROPERTY) or [])
        sequences = list(props.get(GRAPH_SEQUENCE_PROPERTY) or [])
        return cls(
            key=key,
            blank=key.startswith(BLANK_NODE_PREFIX),
            graphs=dict(zip(graphs, (int(s) for s in sequences), strict=False)),
            ledger=set(props.get(LEDGER_PROPERTY) or []),
            types={str(t) for t in record.get("types") or []},
            labels={str(label) for label in record.get("labels") or []},
            properties=props,
        )

    def drop_graph_literals(self, graph_iri: str) -> None:
        """Forget the literal triples this node has in ``graph_iri``."""
        gid = graph_id(graph_iri) + "\x1f"
        self.ledger = {entry for entry in self.ledger if not entry.startswith(gid)}

    def desired_labels(self) -> set[str]:
        """``Resource`` (+ ``BlankNode``) and one label per class IRI among its types."""
        labels = {RESOURCE_LABEL}
        if self.blank:
            labels.add(BLANK_NODE_LABEL)
        labels.update(class_label(t) for t in self.types if not t.startswith(BLANK_NODE_PREFIX))
        return labels

    def desired_properties(self, datatypes: Mapping[str, str]) -> dict[str, Any]:
        """Every property the node should have: key, membership, ledger and the typed view."""
        graphs = sorted(self.graphs)
        props: dict[str, Any] = {
            IRI_PROPERTY: self.key,
            GRAPHS_PROPERTY: graphs,
            GRAPH_SEQUENCE_PROPERTY: [self.graphs[g] for g in graphs],
        }
        if self.ledger:
            props[LEDGER_PROPERTY] = sorted(self.ledger)
        view = typed_view(self.ledger, datatypes)
        props.update(view)
        if any(isinstance(value, list) for value in view.values()):
            props[MULTI_VALUED_PROPERTY] = True
        props.update(instants(self.ledger, datatypes))
        return props


def typed_view(ledger: Iterable[str], datatypes: Mapping[str, str]) -> dict[str, PropertyValue]:
    """The typed properties for a node's ledger; ``datatypes`` maps datatype names to IRIs."""
    values: dict[str, list[tuple[TypedValue, str]]] = defaultdict(list)
    for entry in ledger:
        _, key, tag, lexical = parse_ledger_entry(entry)
        if tag.startswith("@"):
            values[language_key(key, tag[1:])].append((typed_value(lexical, tag[1:], None), lexical))
        elif not tag:
            values[key].append((typed_value(lexical, None, None), lexical))
        else:
            values[key].append((typed_value(lexical, None, datatypes.get(tag, tag)), lexical))
    return {name: combine_values(pairs) for name, pairs in values.items()}


def instants(ledger: Iterable[str], datatypes: Mapping[str, str]) -> dict[str, int]:
    """The derived ``_t_{key}`` instants of a node's ledger (see :mod:`kg_service.store.neo4j.encoding`): for
    each key, the instant of its first literal in the embedded store's order, when that literal names one."""
    by_key: dict[str, set[tuple[str, str | None, str | None]]] = defaultdict(set)
    for entry in ledger:
        _, key, tag, lexical = parse_ledger_entry(entry)
        if tag.startswith("@"):
            by_key[key].add((lexical, tag[1:], None))
        else:
            by_key[key].add((lexical, None, datatypes.get(tag, tag) if tag else None))
    found: dict[str, int] = {}
    for key, distinct in by_key.items():
        if not any(looks_like_date_time(lexical) for lexical, _, _ in distinct):
            continue
        literals = sorted(distinct, key=lambda literal: (literal[0], literal[1] or "", literal[2] or ""))
        if len(literals) == 1:
            lexical, _, datatype = literals[0]
        else:
            # Several values: the query layer reads the first by the canonical N-Triples form, as the
            # embedded store orders them (rare: a time is single-valued in the shapes).
            first = min(canonical_literals(literals), key=str)
            lexical, datatype = first.value, first.datatype.value if first.language is None else None
        instant = instant_of(lexical, datatype)
        if instant is not None:
            found[instant_key(key)] = instant
    return found


#: RETURN clause that reads a node as :meth:`NodeState.from_record` expects (``n`` bound to the node).
NODE_STATE_RETURN: Final = (
    f"RETURN n.iri AS iri, labels(n) AS labels, properties(n) AS props, "
    f"[(n)-[t:`{RDF_TYPE_KEY}`]->(c) | c.iri] AS types"
)


# -- export ------------------------------------------------------------------------------------------------


def load_terms(graph: Neo4jGraph) -> dict[str, str]:
    """Every recorded name with the IRI it stands for."""
    rows = graph.run(f"MATCH (m:`{TERM_MAPPING_LABEL}`) RETURN m.key AS key, m.iri AS iri")
    return {str(row["key"]): str(row["iri"]) for row in rows}


def export_rdf(graph: Neo4jGraph) -> Dataset:
    """The whole projection back as an RDF dataset: one named graph per graph the projection holds.

    Literals come from the ledgers, so lexical forms, datatypes and language tags are exactly those projected
    (``xsd:string`` literals come back as simple literals, as in RDF 1.1 and Oxigraph). Blank nodes come back
    as blank nodes named by their keys. Reads everything into memory: for verification, backups of small
    graphs and tests, not for serving queries.
    """
    terms = load_terms(graph)
    dataset = Dataset()
    contexts: dict[str, Graph] = {}

    def context(iri: str) -> Graph:
        found = contexts.get(iri)
        if found is None:
            found = contexts[iri] = dataset.graph(URIRef(iri))
        return found

    for row in graph.run(
        f"MATCH (n:`{RESOURCE_LABEL}`) WHERE n.`{LEDGER_PROPERTY}` IS NOT NULL "
        f"RETURN n.iri AS iri, n.`{GRAPHS_PROPERTY}` AS graphs, n.`{LEDGER_PROPERTY}` AS ledger"
    ):
        subject = _term(str(row["iri"]))
        by_id = {graph_id(g): g for g in row["graphs"] or []}
        for entry in row["ledger"] or []:
            gid, key, tag, lexical = parse_ledger_entry(entry)
            if tag.startswith("@"):
                obj = RDFLiteral(lexical, lang=tag[1:])
            elif tag:
                obj = RDFLiteral(lexical, datatype=URIRef(terms[tag]))
            else:
                obj = RDFLiteral(lexical)
            context(by_id[gid]).add((subject, URIRef(terms[key]), obj))
    for row in graph.run(
        f"MATCH (a:`{RESOURCE_LABEL}`)-[r]->(b:`{RESOURCE_LABEL}`) "
        "RETURN a.iri AS s, type(r) AS p, b.iri AS o, r.graph AS g"
    ):
        context(str(row["g"])).add((_term(str(row["s"])), URIRef(terms[str(row["p"])]), _term(str(row["o"]))))
    return dataset


def _term(key: str) -> URIRef | BNode:
    return BNode(key[len(BLANK_NODE_PREFIX) :]) if key.startswith(BLANK_NODE_PREFIX) else URIRef(key)
