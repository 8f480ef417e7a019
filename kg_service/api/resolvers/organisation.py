"""Root fields: departments, systems, platforms, datasets, services and the CPS functions."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kg_service.api.errors import user_errors
from kg_service.api.resolvers.access import READER
from kg_service.api.types.common import Info
from kg_service.api.types.organisation import (
    CityService,
    CPSFunction,
    Dataset,
    Department,
    InformationSystem,
    Platform,
)
from kg_service.queries import inputs, model
from kg_service.queries.reader import local_name


@strawberry.type
class OrganisationQuery:
    """Organisation-layer queries."""

    @strawberry.field(description="부서(코드순) / Every department, by code.", permission_classes=READER)
    async def departments(self, info: Info) -> list[Department]:
        """Departments."""
        snapshot = await info.context.loaders.organisation()
        return [Department(node=n) for n in snapshot.of_kind(model.EntityKind.DEPARTMENT)]

    @strawberry.field(description="부서 하나 / One department by code.", permission_classes=READER)
    async def department(
        self, info: Info, code: Annotated[str, strawberry.argument(description="부서코드 / Department code.")]
    ) -> Department | None:
        """One department."""
        with user_errors():
            inputs.text(code, "code", 100)
        node = (await info.context.loaders.organisation()).department_by_code(code)
        return Department(node=node) if node else None

    @strawberry.field(
        description="정보시스템(코드순) / Every information system, by code.", permission_classes=READER
    )
    async def systems(self, info: Info) -> list[InformationSystem]:
        """Systems."""
        snapshot = await info.context.loaders.organisation()
        return [InformationSystem(node=n) for n in snapshot.of_kind(model.EntityKind.SYSTEM)]

    @strawberry.field(
        description="정보시스템 하나 / One information system by code.", permission_classes=READER
    )
    async def system(
        self, info: Info, code: Annotated[str, strawberry.argument(description="시스템코드 / System code.")]
    ) -> InformationSystem | None:
        """One system."""
        with user_errors():
            inputs.text(code, "code", 100)
        snapshot = await info.context.loaders.organisation()
        node = next((n for n in snapshot.of_kind(model.EntityKind.SYSTEM) if n.code == code), None)
        return InformationSystem(node=node) if node else None

    @strawberry.field(description="도시 플랫폼 / The city platforms.", permission_classes=READER)
    async def platforms(self, info: Info) -> list[Platform]:
        """Platforms."""
        snapshot = await info.context.loaders.organisation()
        return [Platform(node=n) for n in snapshot.of_kind(model.EntityKind.PLATFORM)]

    @strawberry.field(description="데이터셋(ID순) / Every dataset, by id.", permission_classes=READER)
    async def datasets(self, info: Info) -> list[Dataset]:
        """Datasets."""
        snapshot = await info.context.loaders.organisation()
        return [Dataset(node=n) for n in snapshot.of_kind(model.EntityKind.DATASET)]

    @strawberry.field(
        description="데이터셋 하나(ID 또는 IRI)와 제공·활용처 / One dataset by id or IRI, with its providers and users.",
        permission_classes=READER,
    )
    async def dataset(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="데이터셋 ID 또는 IRI / Dataset id or IRI.")],
    ) -> Dataset | None:
        """One dataset."""
        with user_errors():
            inputs.text(id, "id", inputs.MAX_IRI_LENGTH)
        snapshot = await info.context.loaders.organisation()
        for node in snapshot.of_kind(model.EntityKind.DATASET):
            if id in (node.iri, node.code, local_name(node.iri)):
                return Dataset(node=node)
        return None

    @strawberry.field(description="도시 서비스 / The city services.", permission_classes=READER)
    async def services(self, info: Info) -> list[CityService]:
        """Services."""
        snapshot = await info.context.loaders.organisation()
        return [CityService(node=n) for n in snapshot.of_kind(model.EntityKind.SERVICE)]

    @strawberry.field(
        description="CPS 7대 기능(번호순) / The seven CPS functions, in order.", permission_classes=READER
    )
    async def cps_functions(self, info: Info) -> list[CPSFunction]:
        """CPS functions."""
        return [CPSFunction(node=n) for n in (await info.context.loaders.organisation()).functions()]
