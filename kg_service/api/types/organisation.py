"""Departments, information systems, city platforms, datasets, city services, department businesses and the
seven CPS functions (the organisation layer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from kg_service.api.types.common import EntityKind, Info, LangString
from kg_service.api.types.standards import Standard, SubmissionOutcome
from kg_service.queries import model
from kg_service.queries.model import OrgNode
from kg_service.queries.organisation import (
    P_DEPENDS_ON,
    P_NOTATION,
    P_PART_OF_BUSINESS,
    P_PROVIDES,
    P_SERVES,
    P_UPDATE_CYCLE,
    P_USES,
    OrganisationSnapshot,
    title_of,
)
from kg_service.queries.reader import local_name

if TYPE_CHECKING:
    from collections.abc import Iterable


async def _snapshot(info: Info) -> OrganisationSnapshot:
    return await info.context.loaders.organisation()


@strawberry.interface(
    description="조직 계층의 대상(부서·시스템·플랫폼·데이터셋·서비스·업무·CPS 기능) / A node of the organisation layer."
)
class OrganisationNode:
    """Shared fields of the organisation layer's types."""

    node: strawberry.Private[OrgNode]

    @strawberry.field(description="식별 IRI / The IRI.")
    def iri(self) -> str:
        """The IRI."""
        return self.node.iri

    @strawberry.field(
        description="코드(부서코드, 시스템코드, 데이터셋 ID, …) / Code (department code, system code, dataset id, …)."
    )
    def code(self) -> str | None:
        """The code."""
        return self.node.code

    @strawberry.field(description="이름(한국어·영어) / Name in Korean and English.")
    def label(self) -> LangString:
        """The label."""
        return LangString.of(self.node.label)

    @strawberry.field(description="종류 / Kind.")
    def kind(self) -> EntityKind:
        """The kind."""
        return self.node.kind


def _nodes(snapshot: OrganisationSnapshot, iris: Iterable[str], *kinds: model.EntityKind) -> list[OrgNode]:
    found = [snapshot.node(iri) for iri in iris]
    return sorted(
        (n for n in found if n is not None and (not kinds or n.kind in kinds)),
        key=lambda n: (n.code or "", n.iri),
    )


def _owned_by(snapshot: OrganisationSnapshot, department: str, *kinds: model.EntityKind) -> list[OrgNode]:
    return [n for n in snapshot.of_kind(*kinds) if snapshot.department_of(n.iri) == department]


@strawberry.type(
    description="CPS 7대 기능 중 하나(연계테이블의 열) / One of the seven CPS functions (a linkage-table column)."
)
class CPSFunction(OrganisationNode):
    """A CPS function."""

    @strawberry.field(description="순서(skos:notation, 1–7) / Position 1–7 (skos:notation).")
    def notation(self) -> int | None:
        """The notation as a number."""
        value = self.node.value(P_NOTATION)
        return int(value) if value is not None and value.isdigit() else None

    @strawberry.field(description="온톨로지 이름(예: RealProblem) / Name in the ontology (e.g. RealProblem).")
    def name(self) -> str:
        """The local name."""
        return local_name(self.node.iri)


@strawberry.type(
    description="표준 준수(확인됨) 또는 준수 주장 / A standard conformed to (confirmed) or claimed."
)
class StandardClaim:
    """A standard and whether conformance is confirmed."""

    standard: Standard = strawberry.field(description="표준 / The standard.")
    confirmed: bool = strawberry.field(
        description="확인됨(cps:conformsToStandard)이면 참, 주장(cps:claimsStandard)이면 거짓 / True when confirmed, false when only claimed."
    )


def _claims(snapshot: OrganisationSnapshot, iri: str) -> list[StandardClaim]:
    claims = []
    for standard, confirmed in snapshot.standards_of(iri):
        node = snapshot.node(standard)
        if node is not None:
            claims.append(StandardClaim(standard=Standard.of(snapshot, node), confirmed=confirmed))
    return claims


def _functions(snapshot: OrganisationSnapshot, node: OrgNode) -> list[CPSFunction]:
    order = {f.iri: index for index, f in enumerate(snapshot.functions())}
    iris = sorted(node.linked(P_SERVES), key=lambda iri: order.get(iri, len(order)))
    return [CPSFunction(node=n) for n in (snapshot.node(i) for i in iris) if n is not None]


@strawberry.type(description="서울시 부서 / A department of Seoul Metropolitan Government.")
class Department(OrganisationNode):
    """A department."""

    @strawberry.field(description="운영하는 정보시스템 / Information systems it operates.")
    async def systems(self, info: Info) -> list[InformationSystem]:
        """Systems operated by the department."""
        snapshot = await _snapshot(info)
        return [
            InformationSystem(node=n) for n in _owned_by(snapshot, self.node.iri, model.EntityKind.SYSTEM)
        ]

    @strawberry.field(description="운영하는 도시 플랫폼 / City platforms it operates.")
    async def platforms(self, info: Info) -> list[Platform]:
        """Platforms operated by the department."""
        snapshot = await _snapshot(info)
        return [Platform(node=n) for n in _owned_by(snapshot, self.node.iri, model.EntityKind.PLATFORM)]

    @strawberry.field(description="부서 업무 / The department's businesses.")
    async def businesses(self, info: Info) -> list[DepartmentBusiness]:
        """Businesses owned by the department."""
        snapshot = await _snapshot(info)
        return [
            DepartmentBusiness(node=n) for n in _owned_by(snapshot, self.node.iri, model.EntityKind.BUSINESS)
        ]

    @strawberry.field(description="운영하는 도시 서비스 / City services it operates.")
    async def services(self, info: Info) -> list[CityService]:
        """Services operated by the department."""
        snapshot = await _snapshot(info)
        return [CityService(node=n) for n in _owned_by(snapshot, self.node.iri, model.EntityKind.SERVICE)]

    @strawberry.field(description="발행·관리하는 데이터셋 / Datasets it publishes or curates.")
    async def datasets(self, info: Info) -> list[Dataset]:
        """Datasets of the department."""
        snapshot = await _snapshot(info)
        return [Dataset(node=n) for n in _owned_by(snapshot, self.node.iri, model.EntityKind.DATASET)]


@strawberry.interface(
    description="정보시스템과 도시 플랫폼의 공통 필드 / What information systems and city platforms share."
)
class SystemNode(OrganisationNode):
    """Fields shared by information systems and city platforms."""

    @strawberry.field(description="운영 부서 / The department operating it.")
    async def operated_by(self, info: Info) -> Department | None:
        """The operating department."""
        snapshot = await _snapshot(info)
        department = snapshot.department_of(self.node.iri)
        node = snapshot.node(department) if department else None
        return Department(node=node) if node else None

    @strawberry.field(description="제공하는 데이터셋 / Datasets it provides.")
    async def provides_datasets(self, info: Info) -> list[Dataset]:
        """Provided datasets."""
        snapshot = await _snapshot(info)
        return [
            Dataset(node=n) for n in _nodes(snapshot, self.node.linked(P_PROVIDES), model.EntityKind.DATASET)
        ]

    @strawberry.field(description="활용하는 데이터셋 / Datasets it uses.")
    async def uses_datasets(self, info: Info) -> list[Dataset]:
        """Used datasets."""
        snapshot = await _snapshot(info)
        return [Dataset(node=n) for n in _nodes(snapshot, self.node.linked(P_USES), model.EntityKind.DATASET)]

    @strawberry.field(description="연계·탑재된 도시 플랫폼 / City platforms it links to or runs on.")
    async def platforms(self, info: Info) -> list[Platform]:
        """Linked platforms."""
        snapshot = await _snapshot(info)
        return [Platform(node=n) for n in _nodes(snapshot, snapshot.platforms_of(self.node.iri))]

    @strawberry.field(description="수행하는 CPS 기능(번호 순) / CPS functions it serves, by notation.")
    async def functions(self, info: Info) -> list[CPSFunction]:
        """Served CPS functions."""
        return _functions(await _snapshot(info), self.node)

    @strawberry.field(description="준수하거나 준수를 주장하는 표준 / Standards it conforms to or claims.")
    async def standards(self, info: Info) -> list[StandardClaim]:
        """Standards conformed to or claimed."""
        return _claims(await _snapshot(info), self.node.iri)

    @strawberry.field(description="이 시스템에 의존하는 도시 서비스 / City services that depend on it.")
    async def services(self, info: Info) -> list[CityService]:
        """Dependent services."""
        snapshot = await _snapshot(info)
        return [CityService(node=n) for n in _nodes(snapshot, snapshot.services_depending_on(self.node.iri))]

    @strawberry.field(description="이 시스템에 의존하는 부서 업무 / Department businesses that depend on it.")
    async def businesses(self, info: Info) -> list[DepartmentBusiness]:
        """Dependent businesses."""
        snapshot = await _snapshot(info)
        iris = snapshot.linking_to(self.node.iri, P_DEPENDS_ON)
        return [DepartmentBusiness(node=n) for n in _nodes(snapshot, iris, model.EntityKind.BUSINESS)]

    @strawberry.field(description="갱신 주기 / Update cycle.")
    def update_cycle(self) -> str | None:
        """The update cycle."""
        return self.node.value(P_UPDATE_CYCLE)


@strawberry.type(description="정보시스템 / An information system a department operates.")
class InformationSystem(SystemNode):
    """An information system."""


@strawberry.type(
    description="도시 플랫폼(S-DoT, S-Map, 빅데이터, AI 분석) / A city platform (S-DoT, S-Map, big data, AI analysis)."
)
class Platform(SystemNode):
    """A city platform."""

    @strawberry.field(
        description="이 플랫폼과 연계된 정보시스템 / Information systems linked to this platform."
    )
    async def linked_systems(self, info: Info) -> list[InformationSystem]:
        """Systems linked to or hosted on the platform."""
        snapshot = await _snapshot(info)
        return [
            InformationSystem(node=n)
            for n in snapshot.of_kind(model.EntityKind.SYSTEM)
            if self.node.iri in snapshot.platforms_of(n.iri)
        ]


@strawberry.type(description="데이터셋 / A dataset (one named graph of the knowledge graph).")
class Dataset(OrganisationNode):
    """A dataset."""

    @strawberry.field(description="제목(dct:title) / Title (dct:title).")
    def title(self) -> LangString:
        """The title."""
        return LangString.of(title_of(self.node))

    @strawberry.field(description="발행 부서 / Publishing department.")
    async def publisher(self, info: Info) -> Department | None:
        """The publisher."""
        snapshot = await _snapshot(info)
        department = snapshot.department_of(self.node.iri)
        node = snapshot.node(department) if department else None
        return Department(node=node) if node else None

    @strawberry.field(description="이 데이터셋을 제공하는 정보시스템 / Information systems that provide it.")
    async def providers(self, info: Info) -> list[InformationSystem]:
        """Providers."""
        snapshot = await _snapshot(info)
        return [InformationSystem(node=n) for n in _nodes(snapshot, snapshot.providers_of(self.node.iri))]

    @strawberry.field(description="이 데이터셋을 활용하는 정보시스템 / Information systems that use it.")
    async def used_by_systems(self, info: Info) -> list[InformationSystem]:
        """Using systems."""
        snapshot = await _snapshot(info)
        iris = snapshot.users_of(self.node.iri)
        return [
            InformationSystem(node=n)
            for n in _nodes(snapshot, iris, model.EntityKind.SYSTEM, model.EntityKind.PLATFORM)
        ]

    @strawberry.field(description="이 데이터셋을 활용하는 도시 서비스 / City services that use it.")
    async def used_by_services(self, info: Info) -> list[CityService]:
        """Using services."""
        snapshot = await _snapshot(info)
        return [
            CityService(node=n)
            for n in _nodes(snapshot, snapshot.users_of(self.node.iri), model.EntityKind.SERVICE)
        ]

    @strawberry.field(description="이 데이터셋을 활용하는 부서 업무 / Department businesses that use it.")
    async def used_by_businesses(self, info: Info) -> list[DepartmentBusiness]:
        """Using businesses."""
        snapshot = await _snapshot(info)
        iris = snapshot.users_of(self.node.iri)
        return [DepartmentBusiness(node=n) for n in _nodes(snapshot, iris, model.EntityKind.BUSINESS)]

    @strawberry.field(description="탑재·연계 플랫폼 / Platforms it is hosted on or linked to.")
    async def platforms(self, info: Info) -> list[Platform]:
        """Platforms."""
        snapshot = await _snapshot(info)
        return [Platform(node=n) for n in _nodes(snapshot, snapshot.platforms_of(self.node.iri))]

    @strawberry.field(description="수행하는 CPS 기능 / CPS functions it serves.")
    async def functions(self, info: Info) -> list[CPSFunction]:
        """Served functions."""
        return _functions(await _snapshot(info), self.node)

    @strawberry.field(description="준수하거나 준수를 주장하는 표준 / Standards it conforms to or claims.")
    async def standards(self, info: Info) -> list[StandardClaim]:
        """Standards."""
        return _claims(await _snapshot(info), self.node.iri)

    @strawberry.field(
        description="마지막 제출의 결과(SHACL 적합 여부) / Outcome of the last submission (shape conformance)."
    )
    async def last_submission(self, info: Info) -> SubmissionOutcome | None:
        """The last submission."""
        outcome = (await _snapshot(info)).last_submissions.get(self.node.iri)
        return SubmissionOutcome.of(outcome) if outcome else None

    @strawberry.field(
        description="이 데이터셋 그래프에 기술된 센서 수 / Number of sensors described in the dataset's graph."
    )
    async def sensor_count(self, info: Info) -> int:
        """Sensors in the dataset."""
        return (await _snapshot(info)).sensors_per_dataset.get(self.node.iri, 0)

    @strawberry.field(description="갱신 주기 / Update cycle.")
    def update_cycle(self) -> str | None:
        """The update cycle."""
        return self.node.value(P_UPDATE_CYCLE)


@strawberry.type(description="도시 서비스 / A service the city provides.")
class CityService(OrganisationNode):
    """A city service."""

    @strawberry.field(description="운영 부서 / Operating department.")
    async def operated_by(self, info: Info) -> Department | None:
        """The operating department."""
        snapshot = await _snapshot(info)
        department = snapshot.department_of(self.node.iri)
        node = snapshot.node(department) if department else None
        return Department(node=node) if node else None

    @strawberry.field(description="의존하는 정보시스템 / Information systems it depends on.")
    async def depends_on(self, info: Info) -> list[InformationSystem]:
        """Systems depended on."""
        snapshot = await _snapshot(info)
        return [InformationSystem(node=n) for n in _nodes(snapshot, self.node.linked(P_DEPENDS_ON))]

    @strawberry.field(description="속한 부서 업무 / The department business it is part of.")
    async def business(self, info: Info) -> DepartmentBusiness | None:
        """The business."""
        snapshot = await _snapshot(info)
        nodes = _nodes(snapshot, self.node.linked(P_PART_OF_BUSINESS), model.EntityKind.BUSINESS)
        return DepartmentBusiness(node=nodes[0]) if nodes else None

    @strawberry.field(description="수행하는 CPS 기능 / CPS functions it serves.")
    async def functions(self, info: Info) -> list[CPSFunction]:
        """Served functions."""
        return _functions(await _snapshot(info), self.node)

    @strawberry.field(description="활용하는 데이터셋 / Datasets it uses.")
    async def uses_datasets(self, info: Info) -> list[Dataset]:
        """Used datasets."""
        snapshot = await _snapshot(info)
        return [Dataset(node=n) for n in _nodes(snapshot, self.node.linked(P_USES), model.EntityKind.DATASET)]


@strawberry.type(description="부서 업무(연계테이블의 행) / A department business (a linkage-table row).")
class DepartmentBusiness(OrganisationNode):
    """A department business."""

    @strawberry.field(description="주관 부서 / Lead department.")
    async def department(self, info: Info) -> Department | None:
        """The owning department."""
        snapshot = await _snapshot(info)
        department = snapshot.department_of(self.node.iri)
        node = snapshot.node(department) if department else None
        return Department(node=node) if node else None

    @strawberry.field(description="의존하는 정보시스템 / Information systems it depends on.")
    async def systems(self, info: Info) -> list[InformationSystem]:
        """Systems depended on."""
        snapshot = await _snapshot(info)
        return [InformationSystem(node=n) for n in _nodes(snapshot, self.node.linked(P_DEPENDS_ON))]

    @strawberry.field(description="이 업무에 속한 도시 서비스 / City services that are part of it.")
    async def services(self, info: Info) -> list[CityService]:
        """Services of the business."""
        snapshot = await _snapshot(info)
        iris = snapshot.linking_to(self.node.iri, P_PART_OF_BUSINESS)
        return [CityService(node=n) for n in _nodes(snapshot, iris, model.EntityKind.SERVICE)]

    @strawberry.field(description="활용하는 데이터셋 / Datasets it uses.")
    async def datasets(self, info: Info) -> list[Dataset]:
        """Used datasets."""
        snapshot = await _snapshot(info)
        return [Dataset(node=n) for n in _nodes(snapshot, self.node.linked(P_USES), model.EntityKind.DATASET)]

    @strawberry.field(description="수행하는 CPS 기능 / CPS functions it serves.")
    async def functions(self, info: Info) -> list[CPSFunction]:
        """Served functions."""
        return _functions(await _snapshot(info), self.node)


def wrap(node: OrgNode) -> OrganisationNode:
    """The GraphQL type for an organisation-layer node."""
    kinds: dict[model.EntityKind, type[OrganisationNode]] = {
        model.EntityKind.DEPARTMENT: Department,
        model.EntityKind.SYSTEM: InformationSystem,
        model.EntityKind.PLATFORM: Platform,
        model.EntityKind.DATASET: Dataset,
        model.EntityKind.SERVICE: CityService,
        model.EntityKind.BUSINESS: DepartmentBusiness,
        model.EntityKind.CPS_FUNCTION: CPSFunction,
    }
    return kinds.get(node.kind, InformationSystem)(node=node)
