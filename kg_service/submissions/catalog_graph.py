"""The dataset catalogue as RDF (DCAT), kept in the catalog named graph so queries can ask about datasets."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import RDF, RDFS
from rdflib.term import Identifier

from kg_service.submissions.catalog import DatasetCatalog
from kg_service.vocab import CPS, DCAT, DCT, dataset_graph, instance_iri

Triple = tuple[Identifier, Identifier, Identifier]


def catalog_triples(catalog: DatasetCatalog) -> list[Triple]:
    """One ``cps:Dataset`` per catalogue entry, with owner, platforms, claimed standards and named graph."""
    triples: list[Triple] = []
    for definition in catalog.datasets.values():
        dataset = instance_iri("dataset", definition.id)
        department = instance_iri("department", definition.department)
        triples += [
            (dataset, RDF.type, CPS.Dataset),
            (dataset, RDF.type, DCAT.Dataset),
            (dataset, DCT.identifier, Literal(definition.id)),
            (dataset, RDFS.label, Literal(definition.title_ko, lang="ko")),
            (dataset, RDFS.label, Literal(definition.title_en, lang="en")),
            (dataset, DCT.title, Literal(definition.title_ko, lang="ko")),
            (dataset, DCT.title, Literal(definition.title_en, lang="en")),
            (dataset, DCT.publisher, department),
            (dataset, CPS.ownedBy, department),
            (dataset, DCT.accrualPeriodicity, Literal(definition.update_cycle)),
            (dataset, CPS.updateCycle, Literal(definition.update_cycle)),
            (dataset, RDFS.seeAlso, dataset_graph(definition.id)),
        ]
        for platform in definition.platforms:
            triples.append((dataset, CPS.hostedOnPlatform, instance_iri("platform", platform)))
        for standard in definition.conforms_to:
            triples.append((dataset, CPS.conformsToStandard, instance_iri("standard", standard)))
    return triples
