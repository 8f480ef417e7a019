"""Standards: the standards of the reference data, which datasets conform to or claim them (with the outcome
of their last submission), and how the ontology's terms map to each external vocabulary."""

from __future__ import annotations

from typing import Final

from kg_service.queries import inputs
from kg_service.queries.model import (
    DatasetConformance,
    EntityKind,
    ExternalVocabulary,
    MappingRelation,
    MappingReport,
    OntologyTermRecord,
    StandardRecord,
    TermMapping,
    TermRef,
    Text,
)
from kg_service.queries.organisation import P_ISSUED_BY, P_STANDARD_ID, OrganisationSnapshot, title_of
from kg_service.queries.reader import CPS_NS, StoreReader, local_name, row_iri

ALIGNMENTS: Final = """
SELECT ?local ?relation ?external WHERE {
  GRAPH ?g { ?local ?relation ?external }
  FILTER(?relation IN (skos:exactMatch, skos:closeMatch, skos:broadMatch, skos:narrowMatch, skos:relatedMatch,
                       rdfs:subClassOf, rdfs:subPropertyOf, owl:equivalentClass, owl:equivalentProperty))
  FILTER(isIRI(?local) && isIRI(?external))
  FILTER(STRSTARTS(STR(?local), "https://data.seoul.go.kr/cps/ontology#"))
  FILTER(!STRSTARTS(STR(?external), "https://data.seoul.go.kr/cps/ontology#"))
}
"""

_SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
_RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
_OWL: Final = "http://www.w3.org/2002/07/owl#"
RELATIONS: Final = {
    _SKOS + "exactMatch": MappingRelation.EXACT,
    _SKOS + "closeMatch": MappingRelation.CLOSE,
    _SKOS + "broadMatch": MappingRelation.BROAD,
    _SKOS + "narrowMatch": MappingRelation.NARROW,
    _SKOS + "relatedMatch": MappingRelation.RELATED,
    _RDFS + "subClassOf": MappingRelation.SUBCLASS,
    _RDFS + "subPropertyOf": MappingRelation.SUBPROPERTY,
    _OWL + "equivalentClass": MappingRelation.EQUIVALENT,
    _OWL + "equivalentProperty": MappingRelation.EQUIVALENT,
}

#: The namespaces of each external vocabulary.
NAMESPACES: Final[dict[ExternalVocabulary, tuple[str, ...]]] = {
    ExternalVocabulary.SOSA: ("http://www.w3.org/ns/sosa/",),
    ExternalVocabulary.SSN: ("http://www.w3.org/ns/ssn/",),
    ExternalVocabulary.GEOSPARQL: ("http://www.opengis.net/ont/geosparql#", "http://www.opengis.net/ont/sf#"),
    ExternalVocabulary.ORG: ("http://www.w3.org/ns/org#",),
    ExternalVocabulary.DCAT: ("http://www.w3.org/ns/dcat#",),
    ExternalVocabulary.DCTERMS: ("http://purl.org/dc/terms/",),
    ExternalVocabulary.PROV: ("http://www.w3.org/ns/prov#",),
    ExternalVocabulary.SKOS: (_SKOS,),
    ExternalVocabulary.TIME: ("http://www.w3.org/2006/time#",),
    ExternalVocabulary.QUDT: ("http://qudt.org/schema/qudt/", "http://qudt.org/vocab/"),
    ExternalVocabulary.FIWARE: ("https://smartdatamodels.org/",),
    ExternalVocabulary.NGSI_LD: ("https://uri.etsi.org/ngsi-ld/", "https://smartdatamodels.org/"),
    ExternalVocabulary.SENSORTHINGS: ("http://www.opengis.net/spec/iot_sensing/",),
}

#: Which vocabularies each standard of the reference data (by slug) is about.
STANDARD_VOCABULARIES: Final[dict[str, tuple[ExternalVocabulary, ...]]] = {
    "sosa-ssn": (ExternalVocabulary.SOSA, ExternalVocabulary.SSN),
    "geosparql": (ExternalVocabulary.GEOSPARQL,),
    "w3c-org": (ExternalVocabulary.ORG,),
    "dcat-3": (ExternalVocabulary.DCAT, ExternalVocabulary.DCTERMS),
    "prov-o": (ExternalVocabulary.PROV,),
    "skos": (ExternalVocabulary.SKOS,),
    "owl-time": (ExternalVocabulary.TIME,),
    "qudt": (ExternalVocabulary.QUDT,),
    "fiware-sdm": (ExternalVocabulary.FIWARE,),
    "ngsi-ld": (ExternalVocabulary.NGSI_LD,),
    "sensorthings": (ExternalVocabulary.SENSORTHINGS,),
}

_STA: Final = "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel/"
#: Mappings the SensorThings exporter (:mod:`kg_service.queries.export`) applies; SensorThings has no RDF
#: vocabulary to align to, so these are stated here, next to the exporter's own choices.
EXPORTER_MAPPINGS: Final[tuple[tuple[str, MappingRelation, str], ...]] = (
    (CPS_NS + "Sensor", MappingRelation.CLOSE, _STA + "thing"),
    (CPS_NS + "Sensor", MappingRelation.CLOSE, _STA + "sensor"),
    (CPS_NS + "ObservableProperty", MappingRelation.CLOSE, _STA + "observed-property"),
    (CPS_NS + "Observation", MappingRelation.CLOSE, _STA + "observation"),
    (CPS_NS + "observesProperty", MappingRelation.RELATED, _STA + "datastream"),
    (CPS_NS + "unit", MappingRelation.CLOSE, _STA + "datastream/unitOfMeasurement"),
)
_COUNTED_KINDS: Final = frozenset({"class", "object-property", "datatype-property"})


def standards(snapshot: OrganisationSnapshot) -> list[StandardRecord]:
    """Every standard of the reference data, by slug."""
    records: list[StandardRecord] = []
    for node in snapshot.of_kind(EntityKind.STANDARD):
        issuers = node.linked(P_ISSUED_BY)
        issuer_node = snapshot.node(issuers[0]) if issuers else None
        records.append(
            StandardRecord(
                iri=node.iri,
                slug=local_name(node.iri),
                identifier=node.value(P_STANDARD_ID),
                title=title_of(node),
                label=node.label,
                issuer=TermRef(issuer_node.iri, issuer_node.label) if issuer_node else None,
            )
        )
    return sorted(records, key=lambda r: r.slug)


def resolve_standard(snapshot: OrganisationSnapshot, name: str) -> str:
    """A standard named by slug (``sosa-ssn``), IRI or identifier (``OGC 22-047r1``), case ignored.

    Raises:
        QueryInputError: no standard has that name.
    """
    inputs.text(name, "standard", 300)
    wanted = name.strip().casefold()
    for record in standards(snapshot):
        if wanted in {record.iri.casefold(), record.slug.casefold(), (record.identifier or "").casefold()}:
            return record.iri
    raise inputs.QueryInputError(
        "standard",
        "unknown standard (use its slug, e.g. sosa-ssn, or its IRI)",
        "알 수 없는 표준입니다 (예: sosa-ssn 같은 약칭이나 IRI를 쓰세요)",
    )


def datasets_conforming_to(snapshot: OrganisationSnapshot, standard: str) -> list[DatasetConformance]:
    """Datasets that conform to (confirmed) or claim ``standard``, with their last submission's outcome."""
    found: list[DatasetConformance] = []
    for dataset in snapshot.of_kind(EntityKind.DATASET):
        for iri, confirmed in snapshot.standards_of(dataset.iri):
            if iri == standard:
                found.append(
                    DatasetConformance(
                        dataset.iri, standard, confirmed, snapshot.last_submissions.get(dataset.iri)
                    )
                )
    return sorted(found, key=lambda c: (not c.confirmed, c.dataset))


def vocabularies_for_standard(slug: str) -> tuple[ExternalVocabulary, ...]:
    """The external vocabularies a standard of the reference data stands for.

    Raises:
        QueryInputError: the slug names no standard with a vocabulary.
    """
    inputs.text(slug, "standardSlug", 100)
    found = STANDARD_VOCABULARIES.get(slug.strip().lower())
    if found is None:
        known = ", ".join(sorted(STANDARD_VOCABULARIES))
        raise inputs.QueryInputError(
            "standardSlug",
            f"no vocabulary for this standard; known: {known}",
            f"이 표준에 해당하는 어휘가 없습니다. 가능한 값: {known}",
        )
    return found


def vocabulary_of(iri: str) -> ExternalVocabulary | None:
    """The external vocabulary an IRI belongs to (the most specific when several match), if any."""
    best: tuple[int, ExternalVocabulary] | None = None
    for vocabulary, namespaces in NAMESPACES.items():
        if vocabulary is ExternalVocabulary.NGSI_LD:
            continue  # a union of FIWARE and the NGSI-LD core, not a namespace of its own
        for namespace in namespaces:
            if iri.startswith(namespace) and (best is None or len(namespace) > best[0]):
                best = (len(namespace), vocabulary)
    if best is None and iri.startswith(NAMESPACES[ExternalVocabulary.NGSI_LD][0]):
        return ExternalVocabulary.NGSI_LD
    return best[1] if best else None


def standard_mappings(
    reader: StoreReader, terms: list[OntologyTermRecord], vocabularies: tuple[ExternalVocabulary, ...]
) -> MappingReport:
    """Local terms mapped to the given vocabularies, how, and the share of local classes and properties
    mapped (one SPARQL query over the alignments)."""
    by_iri = {term.iri: term for term in terms}
    wanted: set[ExternalVocabulary] = set(vocabularies)
    if ExternalVocabulary.NGSI_LD in wanted:
        wanted.add(ExternalVocabulary.FIWARE)
    mappings: list[TermMapping] = []
    for row in reader.select(ALIGNMENTS):
        local, relation, external = row_iri(row, "local"), row_iri(row, "relation"), row_iri(row, "external")
        if local is None or relation is None or external is None or relation not in RELATIONS:
            continue
        vocabulary = vocabulary_of(external)
        if vocabulary is None or vocabulary not in wanted:
            continue
        mappings.append(_mapping(by_iri, local, RELATIONS[relation], external, "alignments"))
    if ExternalVocabulary.SENSORTHINGS in wanted:
        mappings.extend(_mapping(by_iri, loc, rel, ext, "exporter") for loc, rel, ext in EXPORTER_MAPPINGS)
    unique = sorted(
        {(m.local_term, m.relation.value, m.external_term): m for m in mappings}.values(),
        key=lambda m: (m.local_term, m.relation.value, m.external_term),
    )
    counted = [term for term in terms if term.kind in _COUNTED_KINDS]
    mapped_terms = {m.local_term for m in unique} & {t.iri for t in counted}
    return MappingReport(tuple(vocabularies), tuple(unique), len(counted), len(mapped_terms))


def _mapping(
    by_iri: dict[str, OntologyTermRecord], local: str, relation: MappingRelation, external: str, source: str
) -> TermMapping:
    term = by_iri.get(local)
    return TermMapping(
        local_term=local,
        local_label=term.label if term else Text(None, local_name(local)),
        local_kind=term.kind if term else "unknown",
        relation=relation,
        external_term=external,
        defined_in="exporter" if source == "exporter" else "alignments",
    )
