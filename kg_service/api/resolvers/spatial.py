"""Root fields: districts and spatial objects."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kg_service.api.errors import BAD_CURSOR, call, user_error, user_errors
from kg_service.api.pagination import Connection, decode_cursor, keyed_connection, page_size
from kg_service.api.resolvers.access import READER
from kg_service.api.resolvers.sensors import _list_kind
from kg_service.api.types.common import EntityKind, Info, NearInput, PointInput
from kg_service.api.types.spatial import District, SpatialObject
from kg_service.queries import inputs, model


@strawberry.input(
    description="공간객체 검색 조건(모두 만족) / Which spatial objects to list (every given criterion must hold)."
)
class SpatialObjectFilter:
    """Spatial object criteria."""

    district_code: str | None = strawberry.field(default=None, description="자치구 코드 / District code.")
    use: str | None = strawberry.field(
        default=None, description="건물 용도(예: 업무시설) / Building use (e.g. 업무시설)."
    )
    kind: EntityKind | None = strawberry.field(
        default=None, description="종류(BUILDING, FACILITY, ROAD_LINK, …) / Kind."
    )
    near: NearInput | None = strawberry.field(
        default=None, description="중심점이 이 원 안 / Centre within this circle."
    )
    containing: PointInput | None = strawberry.field(
        default=None, description="기하가 이 점을 포함 / Geometry contains this point."
    )

    def criteria(self) -> model.SpatialObjectFilter:
        """As query-layer criteria."""
        return model.SpatialObjectFilter(
            district_code=self.district_code,
            use=self.use,
            kind=self.kind,
            near=self.near.circle() if self.near else None,
            containing=model.GeoPoint(self.containing.lon, self.containing.lat) if self.containing else None,
        )


@strawberry.type
class SpatialQuery:
    """District and spatial-object queries."""

    @strawberry.field(description="자치구(코드순) / Every district, by code.", permission_classes=READER)
    async def districts(self, info: Info) -> list[District]:
        """Every district."""
        return [District(record=r) for r in await info.context.loaders.districts()]

    @strawberry.field(
        description="자치구 하나 / One district by its 5-digit code.", permission_classes=READER
    )
    async def district(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="자치구 코드(예: 11110) / District code.")],
    ) -> District | None:
        """One district."""
        with user_errors():
            inputs.district_code(code, "code")
        return next(
            (District(record=r) for r in await info.context.loaders.districts() if r.code == code), None
        )

    @strawberry.field(
        description="공간객체 검색(IRI순) / Spatial objects meeting the filter, by IRI.",
        permission_classes=READER,
    )
    async def spatial_objects(
        self,
        info: Info,
        filter: Annotated[
            SpatialObjectFilter | None, strawberry.argument(description="검색 조건 / Criteria.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="페이지 크기(최대 500) / Page size (at most 500).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="이 커서 다음부터 / Start after this cursor.")
        ] = None,
    ) -> Connection[SpatialObject]:
        """Spatial object search."""
        size = page_size(first)
        criteria = filter.criteria() if filter else model.SpatialObjectFilter()
        kind = _list_kind("spatial-objects", criteria)
        position = decode_cursor(after, kind) if after is not None else None
        if position is not None and not isinstance(position, str):
            raise user_error(
                BAD_CURSOR, "the cursor is not valid for this list", "이 목록에 맞지 않는 커서입니다"
            )
        iris, has_next = await call(info.context.queries.find_spatial_objects, criteria, position, size)
        records = await info.context.loaders.spatial_object.load_many(iris)
        items = [(SpatialObject(record=r), r.iri) for r in records if r is not None]
        return keyed_connection(items, kind, position is not None, has_next)

    @strawberry.field(description="공간객체 하나 / One spatial object by IRI.", permission_classes=READER)
    async def spatial_object(
        self, info: Info, iri: Annotated[str, strawberry.argument(description="공간객체 IRI / IRI.")]
    ) -> SpatialObject | None:
        """One spatial object."""
        records = await call(info.context.queries.spatial_objects, [iri])
        return SpatialObject(record=records[iri]) if iri in records else None
