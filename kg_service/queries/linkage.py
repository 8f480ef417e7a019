"""Linkage reports over the organisation snapshot: the linkage table (연계테이블), the platform linkage matrix
and who uses a sensor's data. Pure functions: every backend computes them from the same snapshot."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final, Literal

from kg_service.queries.model import (
    DatasetBridge,
    EntityKind,
    LinkageCell,
    LinkageContributor,
    LinkageRow,
    LinkageTableRecord,
    OrgNode,
    PlatformPairLinkage,
    SensorUsage,
)
from kg_service.queries.organisation import (
    P_DEPENDS_ON,
    P_LINKS_TO,
    P_PART_OF_BUSINESS,
    P_PROVIDES,
    P_SERVES,
    P_USES,
    OrganisationSnapshot,
)

#: Order of the four city platforms in reports (as the city names them).
PLATFORM_ORDER: Final = ("s-dot", "s-map", "big-data", "ai-analysis")
_ROW_KINDS: Final = (EntityKind.BUSINESS, EntityKind.SYSTEM, EntityKind.PLATFORM, EntityKind.SERVICE)
Relation = Literal["self", "system", "dataset", "service", "platform"]


def _platform_rank(node: OrgNode) -> tuple[int, str]:
    code = node.code or ""
    return (PLATFORM_ORDER.index(code) if code in PLATFORM_ORDER else len(PLATFORM_ORDER), node.iri)


def platforms_in_order(snapshot: OrganisationSnapshot) -> list[OrgNode]:
    """The city platforms in the city's order (S-DoT, S-Map, big data, AI analysis, then any others)."""
    return sorted(snapshot.of_kind(EntityKind.PLATFORM), key=_platform_rank)


def platform_linkage_matrix(snapshot: OrganisationSnapshot) -> list[PlatformPairLinkage]:
    """For each pair of city platforms: the systems linked to both, and the datasets at home on one and used
    by a system on the other.

    A dataset is at home on the platforms it is hosted on or linked to; when it names none, on the platforms
    of the systems that provide it.
    """
    platforms = platforms_in_order(snapshot)
    systems = snapshot.of_kind(EntityKind.SYSTEM)
    on_platform = {s.iri: set(snapshot.platforms_of(s.iri)) for s in systems}
    datasets = snapshot.of_kind(EntityKind.DATASET)
    homes: dict[str, set[str]] = {}
    for dataset in datasets:
        home = set(snapshot.platforms_of(dataset.iri))
        if not home:
            for provider in snapshot.providers_of(dataset.iri):
                home.update(on_platform.get(provider, set()))
        homes[dataset.iri] = home
    pairs: list[PlatformPairLinkage] = []
    for first, second in itertools.combinations(platforms, 2):
        both = tuple(s for s in sorted(on_platform) if {first.iri, second.iri} <= on_platform[s])
        bridges: list[DatasetBridge] = []
        for dataset in datasets:
            users = [u for u in snapshot.users_of(dataset.iri) if u in on_platform]
            for home_platform, other in ((first.iri, second.iri), (second.iri, first.iri)):
                if home_platform not in homes[dataset.iri]:
                    continue
                across = tuple(u for u in users if other in on_platform[u])
                if across:
                    bridges.append(DatasetBridge(dataset.iri, home_platform, across))
        pairs.append(PlatformPairLinkage(first.iri, second.iri, both, tuple(bridges)))
    return pairs


def linkage_rows_for(snapshot: OrganisationSnapshot, department: OrgNode | None) -> list[OrgNode]:
    """The rows of a department's linkage table (every department's when ``None``): its businesses, systems,
    platforms and services, grouped by department code, then kind in that order, then code."""
    keyed: list[tuple[str, int, str, str, OrgNode]] = []
    for rank, kind in enumerate(_ROW_KINDS):
        for node in snapshot.of_kind(kind):
            owner = snapshot.department_of(node.iri)
            if department is not None and owner != department.iri:
                continue
            owner_node = snapshot.node(owner) if owner else None
            owner_code = owner_node.code or owner_node.iri if owner_node else "\uffff"
            keyed.append((owner_code, rank, node.code or "", node.iri, node))
    return [item[-1] for item in sorted(keyed, key=lambda item: item[:4])]


def _related(snapshot: OrganisationSnapshot, row: OrgNode) -> list[tuple[str, Relation]]:
    related: list[tuple[str, Relation]] = []
    if row.kind is EntityKind.BUSINESS:
        related += [(s, "system") for s in row.linked(P_DEPENDS_ON)]
        related += [(s, "service") for s in snapshot.linking_to(row.iri, P_PART_OF_BUSINESS)]
        related += [(d, "dataset") for d in row.linked(P_USES)]
    elif row.kind in (EntityKind.SYSTEM, EntityKind.PLATFORM):
        related += [(d, "dataset") for d in row.linked(P_PROVIDES) + row.linked(P_USES)]
        related += [(s, "service") for s in snapshot.services_depending_on(row.iri)]
        related += [(p, "platform") for p in row.linked(P_LINKS_TO)]
    elif row.kind is EntityKind.SERVICE:
        related += [(s, "system") for s in row.linked(P_DEPENDS_ON)]
        related += [(d, "dataset") for d in row.linked(P_USES)]
    return related


def linkage_table(snapshot: OrganisationSnapshot, department: OrgNode | None) -> LinkageTableRecord:
    """The linkage table of a department (or of every department): one row per business, system and service;
    one column per CPS function (by ``skos:notation``); each cell lists the row itself when it serves the
    function and the related systems, datasets, services and platforms that serve it, with the number of
    sensors whose data those datasets hold."""
    functions = tuple(snapshot.functions())
    rows: list[LinkageRow] = []
    for row in linkage_rows_for(snapshot, department):
        related = _related(snapshot, row)
        cells: list[LinkageCell] = []
        for function in functions:
            contributors: list[LinkageContributor] = []
            if function.iri in row.linked(P_SERVES):
                contributors.append(LinkageContributor(row.iri, row.kind, row.label, "self"))
            seen = {row.iri}
            sensors = 0
            for iri, relation in related:
                node = snapshot.node(iri)
                if node is None or iri in seen or function.iri not in node.linked(P_SERVES):
                    continue
                seen.add(iri)
                contributors.append(LinkageContributor(iri, node.kind, node.label, relation))
                if node.kind is EntityKind.DATASET:
                    sensors += snapshot.sensors_per_dataset.get(iri, 0)
            cells.append(LinkageCell(function.iri, tuple(contributors), sensors))
        owner = snapshot.department_of(row.iri)
        rows.append(LinkageRow(row, snapshot.node(owner) if owner else None, tuple(cells)))
    return LinkageTableRecord(functions, tuple(rows))


def sensor_usage(snapshot: OrganisationSnapshot, sensor: str, datasets: Sequence[str]) -> SensorUsage:
    """Who uses a sensor's data, given the datasets that hold it: the systems providing and using those
    datasets, the services depending on those systems, and the departments running them."""
    providing = sorted(
        {p for d in datasets for p in snapshot.providers_of(d) if _is(snapshot, p, EntityKind.SYSTEM)}
    )
    using = sorted({u for d in datasets for u in snapshot.users_of(d) if _is(snapshot, u, EntityKind.SYSTEM)})
    services = {s for system in providing + using for s in snapshot.services_depending_on(system)}
    services.update(u for d in datasets for u in snapshot.users_of(d) if _is(snapshot, u, EntityKind.SERVICE))
    departments = {
        dept
        for iri in [*providing, *using, *services]
        for dept in (snapshot.department_of(iri),)
        if dept is not None
    }
    return SensorUsage(
        sensor=sensor,
        datasets=tuple(sorted(datasets)),
        providing_systems=tuple(providing),
        using_systems=tuple(using),
        services=tuple(sorted(services)),
        departments=tuple(sorted(departments)),
    )


def _is(snapshot: OrganisationSnapshot, iri: str, kind: EntityKind) -> bool:
    node = snapshot.node(iri)
    return node is not None and (
        node.kind is kind or (kind is EntityKind.SYSTEM and node.kind is EntityKind.PLATFORM)
    )


__all__ = [
    "PLATFORM_ORDER",
    "linkage_rows_for",
    "linkage_table",
    "platform_linkage_matrix",
    "platforms_in_order",
    "sensor_usage",
]
