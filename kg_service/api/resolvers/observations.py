"""Root fields: observations in a time window, and the observable properties."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from kg_service.api.errors import BAD_CURSOR, BAD_USER_INPUT, call, user_error, user_errors
from kg_service.api.pagination import Edge, PageInfo, decode_cursor, encode_cursor, page_size
from kg_service.api.resolvers.access import READER
from kg_service.api.resolvers.sensors import _list_kind
from kg_service.api.types.common import Info
from kg_service.api.types.observations import ObservableProperty, Observation, ObservationConnection
from kg_service.queries import inputs, model


def _key(position: Any) -> model.ObservationKey:
    if (
        isinstance(position, list)
        and len(position) == 2
        and all(isinstance(part, str) and len(part) <= inputs.MAX_IRI_LENGTH for part in position)
    ):
        return model.ObservationKey(position[0], position[1])
    raise user_error(BAD_CURSOR, "the cursor is not valid for this list", "이 목록에 맞지 않는 커서입니다")


@strawberry.type
class ObservationQuery:
    """Observation queries."""

    @strawberry.field(
        description="기간 안의 관측(시간순, 페이지 단위)과 집계. 센서 하나 또는 자치구의 모든 센서 / Observations in a time window, in time order, with aggregates: of one sensor or of every sensor in a district.",
        permission_classes=READER,
    )
    async def observations(
        self,
        info: Info,
        property: Annotated[
            str,
            strawberry.argument(
                description="관측 속성(PM10, PM25, AirTemperature 또는 IRI) / Observed property."
            ),
        ],
        from_: Annotated[
            str,
            strawberry.argument(
                name="from",
                description="시작(포함, ISO 8601, 시간대 필수) / Start, inclusive (ISO 8601 with zone).",
            ),
        ],
        to: Annotated[
            str,
            strawberry.argument(
                description="끝(제외, ISO 8601, 시간대 필수) / End, exclusive (ISO 8601 with zone)."
            ),
        ],
        sensor_iri: Annotated[str | None, strawberry.argument(description="센서 IRI / Sensor IRI.")] = None,
        district_code: Annotated[
            str | None, strawberry.argument(description="자치구 코드 / District code.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="페이지 크기(최대 500) / Page size (at most 500).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="이 커서 다음부터 / Start after this cursor.")
        ] = None,
    ) -> ObservationConnection:
        """Observations of a sensor or a district."""
        size = page_size(first)
        if (sensor_iri is None) == (district_code is None):
            raise user_error(
                BAD_USER_INPUT,
                "give exactly one of sensorIri or districtCode",
                "sensorIri와 districtCode 중 하나만 주세요",
            )
        with user_errors():
            start = inputs.date_time(from_, "from")
            end = inputs.date_time(to, "to")
            inputs.time_window(start, end)
            if sensor_iri is not None:
                inputs.iri(sensor_iri, "sensorIri")
            if district_code is not None:
                inputs.district_code(district_code)
        prop = await call(info.context.queries.resolve_property, property)
        selector = model.ObservationSelector(
            property=prop, start=start, end=end, sensor=sensor_iri, district_code=district_code
        )
        kind = _list_kind("observations", selector)
        key = _key(decode_cursor(after, kind)) if after is not None else None
        records, has_next = await call(info.context.queries.observation_page, selector, key, size)
        edges = [
            Edge(node=Observation(record=r), cursor=encode_cursor(kind, [r.time_text, r.iri]))
            for r in records
        ]
        page_info = PageInfo(
            has_next_page=has_next,
            has_previous_page=key is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return ObservationConnection(edges=edges, page_info=page_info, selector=selector)

    @strawberry.field(
        description="온톨로지의 관측 속성 / The ontology's observable properties.", permission_classes=READER
    )
    async def observable_properties(self, info: Info) -> list[ObservableProperty]:
        """Observable properties."""
        catalogue = await info.context.loaders.observable_properties()
        return [ObservableProperty.of(iri, catalogue) for iri in sorted(catalogue)]
