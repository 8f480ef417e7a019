"""Root fields: entities by IRI or by any platform's identifier, and entity exports (NGSI-LD, SensorThings)."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from kg_service.api.errors import call
from kg_service.api.resolvers.access import READER
from kg_service.api.types.common import Info
from kg_service.api.types.entities import Entity
from kg_service.queries import model

strawberry.enum(
    model.IdentifierScheme, description="식별 체계 / Identifier schemes an entity can be looked up by."
)
IdentifierScheme = model.IdentifierScheme


@strawberry.enum(description="내보내기 형식 / Export formats.")
class ExportFormat(enum.Enum):
    """Export formats."""

    NGSI_LD_NORMALIZED = "ngsi-ld-normalized"
    NGSI_LD_KEY_VALUES = "ngsi-ld-key-values"
    SENSORTHINGS = "sensorthings"


@strawberry.type
class EntityQuery:
    """Entity lookups."""

    @strawberry.field(
        description="IRI로 개체 찾기(없으면 null) / The entity with this IRI (null when nothing is known about it).",
        permission_classes=READER,
    )
    async def entity(
        self, info: Info, iri: Annotated[str, strawberry.argument(description="개체 IRI / Entity IRI.")]
    ) -> Entity | None:
        """An entity by IRI."""
        record = await call(info.context.queries.entity, iri)
        return Entity(record=record) if record else None

    @strawberry.field(
        description="어느 플랫폼의 식별자로든 개체 찾기(직접 가진 개체 우선) / The entity known by an identifier of any platform (direct holders first).",
        permission_classes=READER,
    )
    async def entity_by_identifier(
        self,
        info: Info,
        scheme: Annotated[IdentifierScheme, strawberry.argument(description="식별 체계 / Scheme.")],
        value: Annotated[str, strawberry.argument(description="식별자 값 / Identifier value.")],
    ) -> Entity | None:
        """An entity by identifier."""
        iris = await call(info.context.queries.find_by_identifier, scheme, value)
        if not iris:
            return None
        record = await info.context.loaders.entity.load(iris[0])
        return Entity(record=record) if record else None

    @strawberry.field(
        description="식별자로 찾은 모든 개체(대응 개체 포함) / Every entity known by the identifier, corresponding entities included.",
        permission_classes=READER,
    )
    async def entities_by_identifier(
        self,
        info: Info,
        scheme: Annotated[IdentifierScheme, strawberry.argument(description="식별 체계 / Scheme.")],
        value: Annotated[str, strawberry.argument(description="식별자 값 / Identifier value.")],
    ) -> list[Entity]:
        """All entities by identifier."""
        iris = await call(info.context.queries.find_by_identifier, scheme, value)
        records = await info.context.loaders.entity.load_many(iris)
        return [Entity(record=r) for r in records if r is not None]

    @strawberry.field(
        description="개체를 NGSI-LD(normalized, keyValues) 또는 OGC SensorThings(센서만) JSON으로 내보내기 / An entity as NGSI-LD (normalized or keyValues) or, for sensors, OGC SensorThings JSON.",
        permission_classes=READER,
    )
    async def export_entity(
        self,
        info: Info,
        iri: Annotated[str, strawberry.argument(description="개체 IRI / Entity IRI.")],
        format: Annotated[ExportFormat, strawberry.argument(description="형식 / Format.")],
    ) -> JSON:
        """An entity export."""
        exported = await call(
            info.context.queries.export_entity, iri, format.value, info.context.ngsi_ld_context_url
        )
        return JSON(exported)
