"""The ontology itself: its header (version, version IRI) and its classes, properties and named individuals
with their Korean and English labels and definitions; label search."""

from __future__ import annotations

from collections import defaultdict
from typing import Final, Literal

from kg_service.queries import inputs
from kg_service.queries.model import OntologyInfo, OntologyTermRecord
from kg_service.queries.reader import StoreReader, row_iri, text_of
from kg_service.vocab import ONTOLOGY_IRI

ONTOLOGY_HEADER: Final = """
SELECT ?ontology ?versionIri ?version ?label ?definition WHERE {
  GRAPH ?g0 { ?ontology a owl:Ontology }
  OPTIONAL { GRAPH ?g1 { ?ontology owl:versionIRI ?versionIri } }
  OPTIONAL { GRAPH ?g2 { ?ontology owl:versionInfo ?version } }
  OPTIONAL { GRAPH ?g3 { ?ontology rdfs:label ?label } }
  OPTIONAL { GRAPH ?g4 { ?ontology skos:definition ?definition } }
}
"""

ONTOLOGY_TERMS: Final = """
SELECT ?term ?type ?label ?definition WHERE {
  GRAPH ?g0 { ?term a ?type }
  FILTER(?type IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty, owl:NamedIndividual))
  FILTER(isIRI(?term) && STRSTARTS(STR(?term), "https://data.seoul.go.kr/cps/ontology#"))
  OPTIONAL { GRAPH ?g1 { ?term rdfs:label ?label } }
  OPTIONAL { GRAPH ?g2 { ?term skos:definition ?definition } }
}
"""

TermKind = Literal["class", "object-property", "datatype-property", "annotation-property", "individual"]
_OWL: Final = "http://www.w3.org/2002/07/owl#"
_KINDS: Final[tuple[tuple[str, TermKind], ...]] = (
    (_OWL + "Class", "class"),
    (_OWL + "ObjectProperty", "object-property"),
    (_OWL + "DatatypeProperty", "datatype-property"),
    (_OWL + "AnnotationProperty", "annotation-property"),
    (_OWL + "NamedIndividual", "individual"),
)


def ontology_info(reader: StoreReader) -> OntologyInfo:
    """The ontology header (the project ontology's, when several ``owl:Ontology`` are loaded)."""
    rows = reader.select(ONTOLOGY_HEADER)
    wanted = str(ONTOLOGY_IRI)
    iris = sorted({iri for iri in (row_iri(r, "ontology") for r in rows) if iri is not None})
    chosen = wanted if wanted in iris else (iris[0] if iris else wanted)
    mine = [r for r in rows if row_iri(r, "ontology") == chosen]
    version_iri = next((row_iri(r, "versionIri") for r in mine if "versionIri" in r), None)
    version = next((str(r["version"]) for r in mine if "version" in r), None)
    return OntologyInfo(
        iri=chosen,
        version_iri=version_iri,
        version=version,
        label=text_of([r["label"] for r in mine if "label" in r]),
        definition=text_of([r["definition"] for r in mine if "definition" in r]),
    )


def ontology_terms(reader: StoreReader) -> list[OntologyTermRecord]:
    """Every class, property and named individual in the ``cps:`` namespace, by IRI (one query)."""
    kinds: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, list[object]] = defaultdict(list)
    definitions: dict[str, list[object]] = defaultdict(list)
    for row in reader.select(ONTOLOGY_TERMS):
        term, kind = row_iri(row, "term"), row_iri(row, "type")
        if term is None or kind is None:
            continue
        kinds[term].add(kind)
        if "label" in row and row["label"] not in labels[term]:
            labels[term].append(row["label"])
        if "definition" in row and row["definition"] not in definitions[term]:
            definitions[term].append(row["definition"])
    records = []
    for term, types in kinds.items():
        kind = next(name for iri, name in _KINDS if iri in types)
        records.append(OntologyTermRecord(term, kind, text_of(labels[term]), text_of(definitions[term])))
    return sorted(records, key=lambda r: r.iri)


def search_terms(terms: list[OntologyTermRecord], text: str, limit: int) -> list[OntologyTermRecord]:
    """Terms whose Korean or English label or local name contains ``text`` (case-insensitive); exact matches
    first, then prefixes, then the rest, each by IRI. Filtering happens here, never in query text.

    Raises:
        QueryInputError: ``text`` is empty or longer than 200 characters.
    """
    inputs.text(text, "text", inputs.MAX_SEARCH_LENGTH)
    wanted = text.strip().casefold()
    scored: list[tuple[int, str, OntologyTermRecord]] = []
    for term in terms:
        names = [n.casefold() for n in (term.label.ko, term.label.en, term.iri.rsplit("#", 1)[-1]) if n]
        if any(n == wanted for n in names):
            scored.append((0, term.iri, term))
        elif any(n.startswith(wanted) for n in names):
            scored.append((1, term.iri, term))
        elif any(wanted in n for n in names):
            scored.append((2, term.iri, term))
    return [term for _, _, term in sorted(scored, key=lambda item: item[:2])][:limit]
