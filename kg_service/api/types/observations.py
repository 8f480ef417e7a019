"""Observable properties, observations and their aggregates."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from kg_service.api.pagination import Edge, PageInfo
from kg_service.api.types.common import Info, LangString, Reference
from kg_service.queries import model
from kg_service.queries.export import UNITS
from kg_service.queries.reader import local_name

if TYPE_CHECKING:
    from kg_service.api.types.sensors import Sensor


@strawberry.type(description="관측 속성(PM10, 기온, …) / An observable property (PM10, air temperature, …).")
class ObservableProperty:
    """An observable property."""

    iri: str = strawberry.field(description="식별 IRI / The IRI.")
    name: str = strawberry.field(description="온톨로지 이름(예: PM10) / Name in the ontology (e.g. PM10).")
    label: LangString = strawberry.field(description="이름 / Its name.")
    unit: str | None = strawberry.field(description="기본 단위(QUDT IRI) / Default unit (QUDT IRI).")

    @staticmethod
    def of(iri: str, records: dict[str, model.ObservablePropertyRecord]) -> ObservableProperty:
        """From the catalogue (or the bare IRI when the ontology does not define it)."""
        record = records.get(iri)
        if record is None:
            return ObservableProperty(
                iri=iri, name=local_name(iri), label=LangString(ko=None, en=local_name(iri)), unit=None
            )
        return ObservableProperty(
            iri=iri, name=record.notation, label=LangString.of(record.label), unit=record.unit
        )


@strawberry.type(description="관측 하나 / One observation: a sensor's value of one property at one time.")
class Observation:
    """An observation."""

    record: strawberry.Private[model.ObservationRecord]

    @strawberry.field(description="식별 IRI / The IRI.")
    def iri(self) -> str:
        """The IRI."""
        return self.record.iri

    @strawberry.field(description="결과 시각(ISO 8601, 시간대 포함) / Result time (ISO 8601 with zone).")
    def time(self) -> str:
        """The result time."""
        return self.record.time_text

    @strawberry.field(description="관측값(정확한 십진수) / The result as an exact decimal.")
    def value(self) -> Decimal:
        """The exact value."""
        return self.record.value

    @strawberry.field(description="관측값(부동소수점) / The result as a float.")
    def number(self) -> float:
        """The value as a float."""
        return float(self.record.value)

    @strawberry.field(description="단위(QUDT IRI) / Unit (QUDT IRI).")
    def unit(self) -> str | None:
        """The unit."""
        return self.record.unit

    @strawberry.field(description="단위 기호(예: ㎍/㎥는 µg/m³) / Unit symbol (e.g. µg/m³).")
    def unit_symbol(self) -> str | None:
        """The unit's symbol."""
        return (
            UNITS.get(local_name(self.record.unit), ("", local_name(self.record.unit)))[1]
            if self.record.unit
            else None
        )

    @strawberry.field(description="관측 속성 / The observed property.")
    async def property(self, info: Info) -> ObservableProperty:
        """The observed property."""
        return ObservableProperty.of(self.record.property, await info.context.loaders.observable_properties())

    @strawberry.field(description="센서 IRI / IRI of the sensor.")
    def sensor_iri(self) -> str:
        """The sensor's IRI."""
        return self.record.sensor

    @strawberry.field(description="센서 / The sensor.")
    async def sensor(
        self, info: Info
    ) -> Annotated[Sensor, strawberry.lazy("kg_service.api.types.sensors")] | None:
        """The sensor."""
        from kg_service.api.types.sensors import Sensor

        record = await info.context.loaders.sensor.load(self.record.sensor)
        return Sensor(record=record) if record else None

    @strawberry.field(description="관심 대상(보통 자치구) / Feature of interest (usually the district).")
    async def feature_of_interest(self, info: Info) -> Reference | None:
        """The feature of interest."""
        if self.record.feature is None:
            return None
        entity = await info.context.loaders.entity.load(self.record.feature)
        label = entity.label if entity else model.Text()
        return Reference.of(model.TermRef(self.record.feature, label), entity.kind if entity else None)

    @strawberry.field(description="출처 데이터셋 IRI / IRI of the source dataset.")
    def dataset_iri(self) -> str | None:
        """The source dataset."""
        return self.record.dataset


@strawberry.type(
    description="관측 집계(저장소에서 xsd:decimal로 계산) / Aggregates of the selected observations (computed by the store over xsd:decimal)."
)
class ObservationAggregates:
    """Observation aggregates."""

    count: int = strawberry.field(description="관측 수 / Number of observations.")
    min: Decimal | None = strawberry.field(description="최솟값 / Minimum.")
    max: Decimal | None = strawberry.field(description="최댓값 / Maximum.")
    avg: Decimal | None = strawberry.field(description="평균 / Average.")
    latest: Observation | None = strawberry.field(description="가장 최근 관측 / The latest observation.")

    @staticmethod
    def of(record: model.ObservationAggregates) -> ObservationAggregates:
        """From the query layer."""
        return ObservationAggregates(
            count=record.count,
            min=record.minimum,
            max=record.maximum,
            avg=record.average,
            latest=Observation(record=record.latest) if record.latest else None,
        )


@strawberry.type(
    description="시간순 관측 목록과 집계 / Observations in time order, a page at a time, with aggregates."
)
class ObservationConnection:
    """A page of observations."""

    edges: list[Edge[Observation]] = strawberry.field(
        description="이 페이지의 관측 / Observations of this page."
    )
    page_info: PageInfo = strawberry.field(description="페이지 정보 / Page information.")
    selector: strawberry.Private[model.ObservationSelector]

    @strawberry.field(
        description="선택한 기간 전체의 집계 / Aggregates over the whole selection (not just this page)."
    )
    async def aggregates(self, info: Info) -> ObservationAggregates:
        """Aggregates over the selection."""
        from kg_service.api.errors import call

        return ObservationAggregates.of(
            await call(info.context.queries.observation_aggregates, self.selector)
        )
