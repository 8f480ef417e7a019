"""Districts, dongs and spatial objects (buildings, facilities, road links)."""

from __future__ import annotations

import strawberry

from kg_service.api.types.common import EntityKind, GeoPoint, Info, LangString
from kg_service.api.types.observations import ObservableProperty
from kg_service.api.types.organisation import Platform
from kg_service.queries import model


@strawberry.type(description="동(법정동·행정동) 또는 구역 / A dong (legal or administrative) or other area.")
class Area:
    """An area reference."""

    iri: str = strawberry.field(description="식별 IRI / The IRI.")
    code: str | None = strawberry.field(description="코드 / Code.")
    name: LangString = strawberry.field(description="이름 / Name.")

    @staticmethod
    def of(area: model.AreaRef | None) -> Area | None:
        """From the query layer."""
        return Area(iri=area.iri, code=area.code, name=LangString.of(area.name)) if area else None


@strawberry.type(description="플랫폼별 센서 수 / Number of sensors on one platform.")
class PlatformSensorCount:
    """Sensors per platform."""

    platform: Platform = strawberry.field(description="플랫폼 / The platform.")
    count: int = strawberry.field(description="센서 수 / Number of sensors.")


@strawberry.type(description="관측 속성별 센서 수 / Number of sensors observing one property.")
class PropertySensorCount:
    """Sensors per property."""

    property: ObservableProperty = strawberry.field(description="관측 속성 / The property.")
    count: int = strawberry.field(description="센서 수 / Number of sensors.")


@strawberry.type(description="자치구(구) / An autonomous district (gu) of Seoul.")
class District:
    """A district."""

    record: strawberry.Private[model.DistrictRecord]

    @strawberry.field(description="식별 IRI / The IRI.")
    def iri(self) -> str:
        """The IRI."""
        return self.record.iri

    @strawberry.field(description="행정안전부 5자리 코드(예: 11110) / 5-digit MOIS code (e.g. 11110).")
    def code(self) -> str:
        """The code."""
        return self.record.code

    @strawberry.field(description="한국어 이름(예: 종로구) / Korean name (e.g. 종로구).")
    def name_ko(self) -> str | None:
        """Korean name."""
        return self.record.name.ko

    @strawberry.field(description="영어 이름(예: Jongno-gu) / English name (e.g. Jongno-gu).")
    def name_en(self) -> str | None:
        """English name."""
        return self.record.name.en

    @strawberry.field(description="면적(㎡) / Area in square metres.")
    def area_square_metres(self) -> float | None:
        """The area."""
        return self.record.area_m2

    @strawberry.field(
        description="경계(WKT, CRS84; 큼) / Boundary as WKT in CRS84 (large: ask only when needed)."
    )
    async def geometry_wkt(self, info: Info) -> str | None:
        """The boundary."""
        return await info.context.loaders.geometry.load(self.record.iri)

    async def _counts(self, info: Info) -> list[model.SensorCount]:
        return [c for c in await info.context.loaders.district_counts() if c.district == self.record.iri]

    @strawberry.field(description="센서 수 / Number of sensors in the district.")
    async def sensor_count(self, info: Info) -> int:
        """Sensors in the district."""
        return sum(c.count for c in await self._counts(info) if c.platform is None and c.property is None)

    @strawberry.field(description="플랫폼별 센서 수 / Sensors per platform.")
    async def sensor_counts_by_platform(self, info: Info) -> list[PlatformSensorCount]:
        """Sensors per platform."""
        snapshot = await info.context.loaders.organisation()
        result = []
        for count in await self._counts(info):
            node = snapshot.node(count.platform) if count.platform else None
            if node is not None:
                result.append(PlatformSensorCount(platform=Platform(node=node), count=count.count))
        return result

    @strawberry.field(description="관측 속성별 센서 수 / Sensors per observed property.")
    async def sensor_counts_by_property(self, info: Info) -> list[PropertySensorCount]:
        """Sensors per property."""
        properties = await info.context.loaders.observable_properties()
        return [
            PropertySensorCount(property=ObservableProperty.of(c.property, properties), count=c.count)
            for c in await self._counts(info)
            if c.property is not None
        ]


@strawberry.type(
    description="공간객체(건물, 시설물, 도로 링크 등) / A spatial object (building, facility, road link, …)."
)
class SpatialObject:
    """A spatial object."""

    record: strawberry.Private[model.SpatialObjectRecord]

    @strawberry.field(description="식별 IRI / The IRI.")
    def iri(self) -> str:
        """The IRI."""
        return self.record.iri

    @strawberry.field(description="종류 / Kind.")
    def kind(self) -> EntityKind:
        """The kind."""
        return self.record.kind

    @strawberry.field(description="이름 / Name.")
    def label(self) -> LangString:
        """The label."""
        return LangString.of(self.record.label)

    @strawberry.field(description="S-Map ID(건물은 UFID) / S-Map ID (UFID for buildings).")
    def smap_id(self) -> str | None:
        """The S-Map ID."""
        return self.record.smap_id

    @strawberry.field(description="건물 용도 / Building use.")
    def use(self) -> str | None:
        """The use."""
        return self.record.use

    @strawberry.field(description="지상 층수 / Floors above ground.")
    def floors(self) -> int | None:
        """Floors."""
        return self.record.floors

    @strawberry.field(description="높이(m) / Height in metres.")
    def height_metres(self) -> float | None:
        """Height."""
        return float(self.record.height_m) if self.record.height_m is not None else None

    @strawberry.field(description="탑재 플랫폼 / Platform it is managed on.")
    async def platform(self, info: Info) -> Platform | None:
        """The platform."""
        if self.record.platform is None:
            return None
        node = (await info.context.loaders.organisation()).node(self.record.platform.iri)
        return Platform(node=node) if node else None

    @strawberry.field(description="소재 자치구 / District it lies in.")
    async def district(self, info: Info) -> District | None:
        """The district."""
        if self.record.district is None:
            return None
        record = await info.context.loaders.district(self.record.district.iri)
        return District(record=record) if record else None

    @strawberry.field(description="소재 동 / Dong it lies in.")
    def dong(self) -> Area | None:
        """The dong."""
        return Area.of(self.record.dong)

    @strawberry.field(description="대표 위치(중심점) / Representative location (centroid).")
    def location(self) -> GeoPoint | None:
        """The location."""
        return GeoPoint.of(self.record.location)

    @strawberry.field(description="기하(WKT, CRS84) / Geometry as WKT in CRS84.")
    async def geometry_wkt(self, info: Info) -> str | None:
        """The geometry."""
        return await info.context.loaders.geometry.load(self.record.iri)
