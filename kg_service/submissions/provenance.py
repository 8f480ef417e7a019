"""The PROV-O record of a submission, written into the system graph with (and atomically with) its data."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Identifier

from kg_service.submissions.catalog import DatasetDefinition
from kg_service.submissions.records import SubmissionRecord
from kg_service.vocab import CPS, DCT, PROV, dataset_graph, instance_iri

Triple = tuple[Identifier, Identifier, Identifier]


def submission_iri(submission_id: str) -> URIRef:
    """The IRI of a submission's PROV activity."""
    return instance_iri("submission", submission_id)


def provenance_triples(
    record: SubmissionRecord,
    definition: DatasetDefinition,
    *,
    status: str,
    sequence: int | None,
    ended_at: str,
) -> list[Triple]:
    """Who submitted what, when, from which file, with which rules and shapes, and what came of it."""
    activity = submission_iri(record.id)
    payload = instance_iri("file", record.content_sha256)
    rules = instance_iri("rules", f"{definition.id}@{record.rules_version}")
    shapes = instance_iri("shapes", f"{definition.id}@{record.shapes_version}")
    department = instance_iri("department", record.department)
    dataset = instance_iri("dataset", record.dataset)
    triples: list[Triple] = [
        (activity, RDF.type, PROV.Activity),
        (activity, RDF.type, CPS.Submission),
        (activity, DCT.identifier, Literal(record.id)),
        (activity, RDFS.label, Literal(f"제출 {record.id} ({record.dataset})", lang="ko")),
        (activity, RDFS.label, Literal(f"Submission {record.id} ({record.dataset})", lang="en")),
        (activity, PROV.startedAtTime, Literal(record.created_at, datatype=XSD.dateTime)),
        (activity, PROV.endedAtTime, Literal(ended_at, datatype=XSD.dateTime)),
        (activity, PROV.wasAssociatedWith, department),
        (activity, CPS.submittedBy, department),
        (activity, CPS.targetDataset, dataset),
        (activity, CPS.submissionStatus, Literal(status)),
        (activity, CPS.contentHash, Literal(record.content_sha256)),
        (activity, PROV.used, payload),
        (activity, PROV.used, rules),
        (activity, PROV.used, shapes),
        (payload, RDF.type, PROV.Entity),
        (payload, RDFS.label, Literal(record.file_name)),
        (payload, DCT.identifier, Literal(f"sha256:{record.content_sha256}")),
        (rules, RDF.type, PROV.Plan),
        (
            rules,
            RDFS.label,
            Literal(", ".join(p.name for p in definition.rules) + f" {record.rules_version}"),
        ),
        (shapes, RDF.type, PROV.Plan),
        (
            shapes,
            RDFS.label,
            Literal(", ".join(p.name for p in definition.shapes) + f" {record.shapes_version}"),
        ),
    ]
    if sequence is not None:
        triples.append((activity, CPS.commitSequence, Literal(sequence, datatype=XSD.integer)))
        triples.append((URIRef(dataset_graph(record.dataset)), PROV.wasGeneratedBy, activity))
    return triples
