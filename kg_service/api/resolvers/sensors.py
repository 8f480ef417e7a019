"""Root fields: sensor search, one sensor, and who uses a sensor's data."""

from __future__ import annotations

import hashlib
from typing import Annotated

import strawberry

from kg_service.api.errors import BAD_USER_INPUT, call, user_error
from kg_service.api.pagination import Connection, decode_offset, offset_connection, page_size
from kg_service.api.resolvers.access import READER
from kg_service.api.types.common import Info, NearInput
from kg_service.api.types.sensors import Sensor, SensorUsage
from kg_service.queries import model


@strawberry.input(description="공간객체 주변 / Around a spatial object.")
class NearObjectInput:
    """Near a spatial object."""

    iri: str = strawberry.field(description="공간객체 IRI / Spatial object IRI.")
    radius_metres: float = strawberry.field(
        description="반지름(미터, 최대 50,000) / Radius in metres (at most 50,000)."
    )


@strawberry.input(
    description="센서 검색 조건(모두 만족) / Which sensors to list (every given criterion must hold)."
)
class SensorFilter:
    """Sensor search criteria."""

    district_code: str | None = strawberry.field(
        default=None, description="자치구 코드(예: 11110) / District code."
    )
    dong_code: str | None = strawberry.field(
        default=None, description="법정동 코드(예: 11110119) / Legal dong code."
    )
    platform: str | None = strawberry.field(
        default=None, description="플랫폼 코드(s-dot, …) 또는 IRI / Platform code or IRI."
    )
    observed_property: str | None = strawberry.field(
        default=None,
        description="관측 속성(PM10, PM25, AirTemperature, … 또는 IRI) / Observed property name or IRI.",
    )
    near: NearInput | None = strawberry.field(default=None, description="이 원 안 / Within this circle.")
    near_spatial_object: NearObjectInput | None = strawberry.field(
        default=None, description="이 공간객체에서 반지름 안 / Within a radius of this spatial object."
    )
    inside_spatial_object: str | None = strawberry.field(
        default=None,
        description="이 공간객체(S-Map) 기하 안 / Inside this (S-Map) spatial object's geometry.",
    )

    def criteria(self) -> model.SensorFilter:
        """As query-layer criteria."""
        return model.SensorFilter(
            district_code=self.district_code,
            dong_code=self.dong_code,
            platform=self.platform,
            observed_property=self.observed_property,
            near=self.near.circle() if self.near else None,
            near_object=(self.near_spatial_object.iri, self.near_spatial_object.radius_metres)
            if self.near_spatial_object
            else None,
            inside_object=self.inside_spatial_object,
        )


def _list_kind(name: str, criteria: object) -> str:
    """Cursor kind bound to the search criteria, so a cursor cannot be replayed against another search."""
    return name + ":" + hashlib.sha256(repr(criteria).encode("utf-8")).hexdigest()[:12]


async def _sensor_iri(info: Info, iri: str | None, serial: str | None) -> str | None:
    if (iri is None) == (serial is None):
        raise user_error(BAD_USER_INPUT, "give exactly one of iri or serial", "iri와 serial 중 하나만 주세요")
    if iri is not None:
        return iri
    assert serial is not None
    return await call(info.context.queries.sensor_for_serial, serial)


@strawberry.type
class SensorQuery:
    """Sensor queries."""

    @strawberry.field(
        description="센서 검색(원 검색이면 거리순, 아니면 IRI순) / Sensors meeting the filter (by distance for radius searches, else by IRI).",
        permission_classes=READER,
    )
    async def sensors(
        self,
        info: Info,
        filter: Annotated[
            SensorFilter | None, strawberry.argument(description="검색 조건 / Criteria.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="페이지 크기(최대 500) / Page size (at most 500).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="이 커서 다음부터 / Start after this cursor.")
        ] = None,
    ) -> Connection[Sensor]:
        """Sensor search."""
        size = page_size(first)
        criteria = filter.criteria() if filter else model.SensorFilter()
        kind = _list_kind("sensors", criteria)
        start = decode_offset(after, kind)
        found = await call(info.context.queries.find_sensors, criteria)
        page = found[start : start + size]
        records = await info.context.loaders.sensor.load_many([iri for iri, _ in page])
        nodes = [
            Sensor(record=r, distance=d) for r, (_, d) in zip(records, page, strict=True) if r is not None
        ]
        return offset_connection(nodes, kind, start, start + size < len(found), len(found))

    @strawberry.field(
        description="센서 하나(IRI 또는 시리얼) / One sensor, by IRI or S-DoT serial.",
        permission_classes=READER,
    )
    async def sensor(
        self,
        info: Info,
        iri: Annotated[str | None, strawberry.argument(description="센서 IRI / Sensor IRI.")] = None,
        serial: Annotated[str | None, strawberry.argument(description="S-DoT 시리얼 / S-DoT serial.")] = None,
    ) -> Sensor | None:
        """One sensor."""
        sensor = await _sensor_iri(info, iri, serial)
        if sensor is None:
            return None
        record = await call(info.context.queries.sensors, [sensor])
        return Sensor(record=record[sensor]) if sensor in record else None

    @strawberry.field(
        description="센서 데이터를 쓰는 데이터셋·시스템·서비스·부서 / Datasets, systems, services and departments using a sensor's data.",
        permission_classes=READER,
    )
    async def who_uses_sensor(
        self,
        info: Info,
        iri: Annotated[str | None, strawberry.argument(description="센서 IRI / Sensor IRI.")] = None,
        serial: Annotated[str | None, strawberry.argument(description="S-DoT 시리얼 / S-DoT serial.")] = None,
    ) -> SensorUsage | None:
        """Who uses a sensor's data."""
        sensor = await _sensor_iri(info, iri, serial)
        if sensor is None:
            return None
        records = await call(info.context.queries.sensors, [sensor])
        if sensor not in records:
            return None
        usage = await call(info.context.queries.who_uses_sensor, sensor)
        return SensorUsage(usage=usage, sensor=Sensor(record=records[sensor]))
