"""The organisation layer in one snapshot: departments, systems, platforms, services, businesses, datasets,
standards and the seven CPS functions, with the links between them.

This layer is small (hundreds of nodes even for the whole city), so it is read in three SPARQL queries and
then answered in memory: the linkage table, the platform linkage matrix, who uses a sensor's data and the
standards reports all work on an :class:`OrganisationSnapshot`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from kg_service.queries.entities import DCAT_NS, DCT_NS, KIND_BY_CLASS, ORG_NS, SKOS_NS, kind_of
from kg_service.queries.model import EntityKind, OrgNode, SubmissionOutcome, Text
from kg_service.queries.reader import (
    CPS_NS,
    RDFS_LABEL,
    StoreReader,
    dataset_of_graph,
    local_name,
    row_int,
    row_iri,
    row_text,
    text_of,
)

ORGANISATION_CLASSES: Final = (
    CPS_NS + "InformationSystem",
    CPS_NS + "CityPlatform",
    CPS_NS + "CityService",
    CPS_NS + "DepartmentBusiness",
    CPS_NS + "Dataset",
    DCAT_NS + "Dataset",
    CPS_NS + "Department",
    CPS_NS + "Organization",
    CPS_NS + "StandardsBody",
    CPS_NS + "Standard",
    CPS_NS + "CPSFunction",
)

#: Predicates read into the snapshot (literal values and links).
P_LABEL: Final = RDFS_LABEL
P_TITLE: Final = DCT_NS + "title"
P_IDENTIFIER: Final = DCT_NS + "identifier"
P_PUBLISHER: Final = DCT_NS + "publisher"
P_DCT_CONFORMS: Final = DCT_NS + "conformsTo"
P_NOTATION: Final = SKOS_NS + "notation"
P_OPERATED_BY: Final = CPS_NS + "operatedBy"
P_OWNED_BY: Final = CPS_NS + "ownedBy"
P_PROVIDES: Final = CPS_NS + "providesDataset"
P_USES: Final = CPS_NS + "usesDataset"
P_LINKS_TO: Final = CPS_NS + "linksToPlatform"
P_HOSTED_ON: Final = CPS_NS + "hostedOnPlatform"
P_SERVES: Final = CPS_NS + "servesFunction"
P_DEPENDS_ON: Final = CPS_NS + "dependsOnSystem"
P_PART_OF_BUSINESS: Final = CPS_NS + "partOfBusiness"
P_CLAIMS: Final = CPS_NS + "claimsStandard"
P_CONFORMS: Final = CPS_NS + "conformsToStandard"
P_ISSUED_BY: Final = CPS_NS + "issuedBy"
P_STANDARD_ID: Final = CPS_NS + "standardIdentifier"
P_UPDATE_CYCLE: Final = CPS_NS + "updateCycle"
P_SUB_ORG: Final = ORG_NS + "subOrganizationOf"
CODE_PREDICATES: Final = (
    CPS_NS + "departmentCode",
    CPS_NS + "systemCode",
    CPS_NS + "serviceCode",
    CPS_NS + "businessCode",
    P_NOTATION,
    P_IDENTIFIER,
)
_READ_PREDICATES: Final = (
    P_LABEL,
    P_TITLE,
    P_IDENTIFIER,
    P_PUBLISHER,
    P_DCT_CONFORMS,
    P_NOTATION,
    P_OPERATED_BY,
    P_OWNED_BY,
    P_PROVIDES,
    P_USES,
    P_LINKS_TO,
    P_HOSTED_ON,
    P_SERVES,
    P_DEPENDS_ON,
    P_PART_OF_BUSINESS,
    P_CLAIMS,
    P_CONFORMS,
    P_ISSUED_BY,
    P_STANDARD_ID,
    P_UPDATE_CYCLE,
    P_SUB_ORG,
    *CODE_PREDICATES[:4],
)


def _iri_list(iris: Iterable[str]) -> str:
    # Constant IRIs of this module (never a caller's value) written into the query text.
    return ", ".join(f"<{iri}>" for iri in iris)


ORGANISATION_TRIPLES: Final = f"""
SELECT ?node ?class ?p ?o WHERE {{
  GRAPH ?g0 {{ ?node a ?class }}
  FILTER(?class IN ({_iri_list(ORGANISATION_CLASSES)}))
  GRAPH ?g1 {{ ?node ?p ?o }}
  FILTER(?p IN ({_iri_list(sorted(set(_READ_PREDICATES)))}))
}}
"""

#: The last submission per dataset, by ``cps:submittedAt`` or ``prov:startedAtTime`` (the pipeline's PROV-O
#: record uses the latter; ``cps:submittedAt`` is its sub-property).
LAST_SUBMISSIONS: Final = """
SELECT ?dataset ?submission ?at ?status WHERE {
  { SELECT ?dataset (MAX(?at0) AS ?at) WHERE {
      GRAPH ?g0 { ?s0 cps:targetDataset ?dataset }
      GRAPH ?g1 { ?s0 ?p0 ?at0 }
      FILTER(?p0 IN (cps:submittedAt, prov:startedAtTime))
    } GROUP BY ?dataset }
  GRAPH ?g2 { ?submission cps:targetDataset ?dataset }
  GRAPH ?g3 { ?submission ?p1 ?at }
  FILTER(?p1 IN (cps:submittedAt, prov:startedAtTime))
  OPTIONAL { GRAPH ?g4 { ?submission cps:submissionStatus ?status } }
}
"""

SENSORS_PER_GRAPH: Final = """
SELECT ?g (COUNT(DISTINCT ?sensor) AS ?n) WHERE {
  GRAPH ?g { ?sensor a ?sensorClass }
  FILTER(?sensorClass IN (cps:Sensor, cps:EnvironmentalSensor))
} GROUP BY ?g
"""

#: Submission statuses that mean the submitted data conformed to the shapes (and those that mean it did not).
CONFORMED_STATUSES: Final = frozenset({"committed", "validated", "accepted"})
NOT_CONFORMED_STATUSES: Final = frozenset({"rejected"})
_ORG_KINDS: Final = frozenset(kind for iri, kind in KIND_BY_CLASS if iri in ORGANISATION_CLASSES)


@dataclass(frozen=True)
class OrganisationSnapshot:
    """The organisation layer in memory, with the lookups the linkage reports need."""

    nodes: dict[str, OrgNode]
    last_submissions: dict[str, SubmissionOutcome]
    sensors_per_dataset: dict[str, int]
    _incoming: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        incoming: dict[tuple[str, str], set[str]] = defaultdict(set)
        for node in self.nodes.values():
            for predicate, targets in node.links.items():
                for target in targets:
                    incoming[(target, predicate)].add(node.iri)
        self._incoming.update({key: tuple(sorted(value)) for key, value in incoming.items()})

    def of_kind(self, *kinds: EntityKind) -> list[OrgNode]:
        """Nodes of the given kinds, sorted by code (then IRI)."""
        return sorted(
            (node for node in self.nodes.values() if node.kind in kinds), key=lambda n: (n.code or "", n.iri)
        )

    def node(self, iri: str) -> OrgNode | None:
        """The node with this IRI, if it is part of the organisation layer."""
        return self.nodes.get(iri)

    def linking_to(self, target: str, predicate: str) -> tuple[str, ...]:
        """IRIs of the nodes that link to ``target`` with ``predicate``."""
        return self._incoming.get((target, predicate), ())

    def functions(self) -> list[OrgNode]:
        """The CPS functions ordered by ``skos:notation`` (1–7)."""
        nodes = self.of_kind(EntityKind.CPS_FUNCTION)
        return sorted(nodes, key=lambda n: (_notation_key(n.value(P_NOTATION)), n.iri))

    def department_by_code(self, code: str) -> OrgNode | None:
        """The department with this ``cps:departmentCode``."""
        return next((n for n in self.of_kind(EntityKind.DEPARTMENT) if n.code == code), None)

    def department_of(self, iri: str) -> str | None:
        """The department operating or owning a node (``cps:operatedBy``, ``cps:ownedBy``, ``dct:publisher``)."""
        node = self.nodes.get(iri)
        if node is None:
            return None
        for predicate in (P_OPERATED_BY, P_OWNED_BY, P_PUBLISHER):
            for target in node.linked(predicate):
                if target in self.nodes:
                    return target
        return None

    def platforms_of(self, iri: str) -> tuple[str, ...]:
        """City platforms a system, service or dataset links to or is hosted on (a platform is on itself)."""
        node = self.nodes.get(iri)
        if node is None:
            return ()
        found = set(node.linked(P_LINKS_TO)) | set(node.linked(P_HOSTED_ON))
        if node.kind is EntityKind.PLATFORM:
            found.add(iri)
        return tuple(sorted(p for p in found if self._is_platform(p)))

    def _is_platform(self, iri: str) -> bool:
        node = self.nodes.get(iri)
        return node is not None and node.kind is EntityKind.PLATFORM

    def providers_of(self, dataset: str) -> tuple[str, ...]:
        """Systems (and other nodes) that ``cps:providesDataset`` the dataset."""
        return self.linking_to(dataset, P_PROVIDES)

    def users_of(self, dataset: str) -> tuple[str, ...]:
        """Systems, services and businesses that ``cps:usesDataset`` the dataset."""
        return self.linking_to(dataset, P_USES)

    def services_depending_on(self, system: str) -> tuple[str, ...]:
        """City services that ``cps:dependsOnSystem`` the system."""
        return tuple(
            iri for iri in self.linking_to(system, P_DEPENDS_ON) if self.nodes[iri].kind is EntityKind.SERVICE
        )

    def standards_of(self, iri: str) -> tuple[tuple[str, bool], ...]:
        """Standards a node conforms to (confirmed = True) or claims (False)."""
        node = self.nodes.get(iri)
        if node is None:
            return ()
        confirmed = set(node.linked(P_CONFORMS)) | set(node.linked(P_DCT_CONFORMS))
        claimed = set(node.linked(P_CLAIMS)) - confirmed
        return tuple(sorted([(s, True) for s in confirmed] + [(s, False) for s in claimed]))


def _notation_key(notation: str | None) -> tuple[int, str]:
    if notation is not None and notation.isdigit():
        return int(notation), notation
    return 1_000_000, notation or ""


def load_snapshot(reader: StoreReader) -> OrganisationSnapshot:
    """Read the organisation layer (three SPARQL queries)."""
    classes: dict[str, set[str]] = defaultdict(set)
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    label_terms: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for row in reader.select(ORGANISATION_TRIPLES):
        node, cls, predicate = row_iri(row, "node"), row_iri(row, "class"), row_iri(row, "p")
        if node is None or cls is None or predicate is None:
            continue
        classes[node].add(cls)
        target, literal = row_iri(row, "o"), row_text(row, "o")
        if target is not None:
            links[node][predicate].add(target)
        elif literal is not None:
            if predicate in (P_LABEL, P_TITLE):
                if row["o"] not in label_terms[node][predicate]:
                    label_terms[node][predicate].append(row["o"])
            else:
                values[node][predicate].add(literal)
    nodes: dict[str, OrgNode] = {}
    for iri, types in classes.items():
        kind = kind_of(types)
        if kind not in _ORG_KINDS:
            continue
        node_values = {p: tuple(sorted(v)) for p, v in values[iri].items()}
        label = text_of(label_terms[iri][P_LABEL])
        title = text_of(label_terms[iri][P_TITLE])
        if title.ko is not None or title.en is not None:
            node_values[P_TITLE + "@ko"] = (title.ko,) if title.ko else ()
            node_values[P_TITLE + "@en"] = (title.en,) if title.en else ()
        if label.ko is None and label.en is None:
            label = title
        nodes[iri] = OrgNode(
            iri=iri,
            kind=kind,
            code=_code(iri, node_values),
            label=label,
            links={p: tuple(sorted(t)) for p, t in links[iri].items()},
            values=node_values,
        )
    return OrganisationSnapshot(nodes, _last_submissions(reader), _sensors_per_dataset(reader))


def _code(iri: str, values: dict[str, tuple[str, ...]]) -> str:
    for predicate in CODE_PREDICATES:
        found = values.get(predicate)
        if found:
            return found[0]
    return local_name(iri)  # datasets, standards, platforms, organisations: the IRI's last segment


def _last_submissions(reader: StoreReader) -> dict[str, SubmissionOutcome]:
    found: dict[str, SubmissionOutcome] = {}
    for row in reader.select(LAST_SUBMISSIONS):
        dataset, submission, at = row_iri(row, "dataset"), row_iri(row, "submission"), row_text(row, "at")
        if dataset is None or submission is None or at is None:
            continue
        status = (row_text(row, "status") or "").strip().lower()
        conformed = (
            True if status in CONFORMED_STATUSES else False if status in NOT_CONFORMED_STATUSES else None
        )
        outcome = SubmissionOutcome(dataset, submission, at, status or "unknown", conformed)
        current = found.get(dataset)
        if current is None or outcome.submission > current.submission:
            found[dataset] = outcome
    return found


def _sensors_per_dataset(reader: StoreReader) -> dict[str, int]:
    found: dict[str, int] = {}
    for row in reader.select(SENSORS_PER_GRAPH):
        graph = row_iri(row, "g")
        dataset = dataset_of_graph(graph) if graph else None
        if dataset is not None:
            found[dataset] = row_int(row, "n")
    return found


def title_of(node: OrgNode) -> Text:
    """A dataset's ``dct:title`` (falls back to its label)."""
    ko, en = node.value(P_TITLE + "@ko"), node.value(P_TITLE + "@en")
    return Text(ko, en) if ko is not None or en is not None else node.label
