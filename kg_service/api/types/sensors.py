"""Sensors (S-DoT sensors and monitoring-station sensors) and who uses their data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from kg_service.api.errors import call
from kg_service.api.types.common import GeoPoint, Info, LangString, Reference
from kg_service.api.types.observations import ObservableProperty, Observation
from kg_service.api.types.organisation import CityService, Dataset, Department, InformationSystem, Platform
from kg_service.api.types.spatial import Area, District
from kg_service.queries import linkage
from kg_service.queries import model as records
from kg_service.queries.reader import local_name

if TYPE_CHECKING:
    from kg_service.api.types.entities import Entity


async def resolve_property_name(info: Info, name: str) -> str:
    """An observable property's IRI from a name, via the per-request catalogue (no store query per sensor);
    names the catalogue does not know go to the query layer, which raises ``BAD_USER_INPUT``."""
    catalogue = await info.context.loaders.observable_properties()
    wanted = name.strip().casefold()
    for record in catalogue.values():
        names = {record.iri.casefold(), record.notation.casefold()}
        names.update(t.casefold() for t in (record.label.ko, record.label.en) if t)
        if wanted in names:
            return record.iri
    return await call(info.context.queries.resolve_property, name)


@strawberry.type(
    description="센서(S-DoT 센서 또는 측정소 센서) / A sensor (an S-DoT sensor or a monitoring station's sensor)."
)
class Sensor:
    """A sensor."""

    record: strawberry.Private[records.SensorRecord]
    distance: strawberry.Private[float | None] = None

    @strawberry.field(description="식별 IRI / The IRI.")
    def iri(self) -> str:
        """The IRI."""
        return self.record.iri

    @strawberry.field(
        description="검색 중심까지의 거리(미터, 원 검색 결과일 때만) / Distance in metres to the search centre (radius searches only)."
    )
    def distance_metres(self) -> float | None:
        """Distance to the centre of the radius search that found the sensor."""
        return round(self.distance, 2) if self.distance is not None else None

    @strawberry.field(description="S-DoT 시리얼(예: V02Q1940043) / S-DoT serial (e.g. V02Q1940043).")
    def serial(self) -> str | None:
        """The serial."""
        return self.record.serial

    @strawberry.field(description="이름(rdfs:label) / Name (rdfs:label).")
    def label(self) -> LangString:
        """The label."""
        return LangString.of(self.record.label)

    @strawberry.field(
        description="표시 이름(이름, 없으면 시리얼) / Display name: the label, else the serial."
    )
    def display_name(self) -> str:
        """A name to show."""
        return self.record.label.best() or self.record.serial or local_name(self.record.iri)

    @strawberry.field(description="모델명 / Model name.")
    def model(self) -> str | None:
        """The model."""
        return self.record.model

    @strawberry.field(description="탑재 플랫폼 / Platform it is hosted on.")
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

    @strawberry.field(description="위치(WGS84) / Location (WGS84).")
    def location(self) -> GeoPoint | None:
        """The location."""
        return GeoPoint.of(self.record.location)

    @strawberry.field(
        description="설치된 측정소(측정소 센서일 때) / Monitoring station hosting it (station sensors)."
    )
    def station(self) -> Reference | None:
        """The station."""
        return (
            Reference.of(self.record.station, records.EntityKind.MONITORING_STATION)
            if self.record.station
            else None
        )

    @strawberry.field(description="관측 속성 / Properties it observes.")
    async def observed_properties(self, info: Info) -> list[ObservableProperty]:
        """Observed properties."""
        catalogue = await info.context.loaders.observable_properties()
        return [ObservableProperty.of(iri, catalogue) for iri in self.record.observed_properties]

    @strawberry.field(
        description="속성별 최신 관측(속성을 주면 그 속성만) / The latest observation per property (only `property` when given)."
    )
    async def latest_observations(
        self,
        info: Info,
        property: Annotated[
            str | None,
            strawberry.argument(
                description="관측 속성(PM10, PM25, … 또는 IRI) / Observed property (name or IRI)."
            ),
        ] = None,
    ) -> list[Observation]:
        """Latest observations."""
        prop = await resolve_property_name(info, property) if property is not None else None
        latest = await info.context.loaders.latest.load((self.record.iri, prop))
        return [Observation(record=r) for r in latest]

    @strawberry.field(description="이 센서의 데이터를 담은 데이터셋 / Datasets holding this sensor's data.")
    async def datasets(self, info: Info) -> list[Dataset]:
        """Datasets with this sensor's data."""
        snapshot = await info.context.loaders.organisation()
        iris = await info.context.loaders.sensor_datasets.load(self.record.iri) or []
        return [Dataset(node=n) for n in (snapshot.node(i) for i in iris) if n is not None]

    @strawberry.field(
        description="이 센서의 데이터를 활용하는 정보시스템 / Information systems that use datasets holding this sensor's data."
    )
    async def systems_using_data(self, info: Info) -> list[InformationSystem]:
        """Systems using this sensor's data."""
        snapshot = await info.context.loaders.organisation()
        iris = await info.context.loaders.sensor_datasets.load(self.record.iri) or []
        usage = linkage.sensor_usage(snapshot, self.record.iri, iris)
        return [
            InformationSystem(node=n)
            for n in (snapshot.node(i) for i in usage.using_systems)
            if n is not None
        ]

    @strawberry.field(
        description="이 센서를 개체로 보기(식별자, 링크) / This sensor as an entity (identifiers, links)."
    )
    async def entity(
        self, info: Info
    ) -> Annotated[Entity, strawberry.lazy("kg_service.api.types.entities")] | None:
        """The entity view."""
        from kg_service.api.types.entities import Entity

        record = await info.context.loaders.entity.load(self.record.iri)
        return Entity(record=record) if record else None


@strawberry.type(description="센서 데이터의 활용처 / Who uses a sensor's data.")
class SensorUsage:
    """Sensor usage."""

    usage: strawberry.Private[records.SensorUsage]
    sensor: Sensor = strawberry.field(description="센서 / The sensor.")

    async def _nodes(self, info: Info, iris: tuple[str, ...]) -> list[records.OrgNode]:
        snapshot = await info.context.loaders.organisation()
        return [n for n in (snapshot.node(i) for i in iris) if n is not None]

    @strawberry.field(description="센서 데이터를 담은 데이터셋 / Datasets holding the sensor's data.")
    async def datasets(self, info: Info) -> list[Dataset]:
        """Datasets."""
        return [Dataset(node=n) for n in await self._nodes(info, self.usage.datasets)]

    @strawberry.field(description="그 데이터셋을 제공하는 시스템 / Systems providing those datasets.")
    async def providing_systems(self, info: Info) -> list[InformationSystem]:
        """Providing systems."""
        return [InformationSystem(node=n) for n in await self._nodes(info, self.usage.providing_systems)]

    @strawberry.field(description="그 데이터셋을 활용하는 시스템 / Systems using those datasets.")
    async def using_systems(self, info: Info) -> list[InformationSystem]:
        """Using systems."""
        return [InformationSystem(node=n) for n in await self._nodes(info, self.usage.using_systems)]

    @strawberry.field(
        description="그 시스템에 의존하는 도시 서비스 / City services depending on those systems."
    )
    async def services(self, info: Info) -> list[CityService]:
        """Services."""
        return [CityService(node=n) for n in await self._nodes(info, self.usage.services)]

    @strawberry.field(description="관련 부서 / Departments running those systems and services.")
    async def departments(self, info: Info) -> list[Department]:
        """Departments."""
        return [Department(node=n) for n in await self._nodes(info, self.usage.departments)]
