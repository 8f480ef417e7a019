"""Types shared by every feature: bilingual text, points, entity kinds, references."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry

from kg_service.api.context import RequestContext
from kg_service.queries import model

Info: TypeAlias = strawberry.Info[RequestContext, None]

# strawberry.enum registers the GraphQL enum on the query layer's own enum class, which the types then use.
strawberry.enum(
    model.EntityKind,
    description="개체의 종류(rdf:type에서 가장 구체적인 것) / What kind of thing an entity is (most specific rdf:type).",
)
EntityKind = model.EntityKind


@strawberry.type(description="한국어와 영어로 된 글 / A text in Korean and English.")
class LangString:
    """A bilingual text."""

    ko: str | None = strawberry.field(description="한국어 / Korean.")
    en: str | None = strawberry.field(description="영어 / English.")

    @strawberry.field(
        description="요청한 언어로, 없으면 다른 언어로 / In the asked language, else the other one."
    )
    def text(
        self,
        language: Annotated[
            str, strawberry.argument(description="언어(ko 또는 en) / Language (ko or en).")
        ] = "ko",
    ) -> str | None:
        """The text in ``language`` (``ko`` or ``en``), else in the other language."""
        return model.Text(self.ko, self.en).best("en" if language.lower().startswith("en") else "ko")

    @staticmethod
    def of(text: model.Text) -> LangString:
        """From a query-layer text."""
        return LangString(ko=text.ko, en=text.en)


@strawberry.type(description="WGS84 좌표(경도, 위도) / A WGS84 point (longitude, latitude).")
class GeoPoint:
    """A point."""

    lon: float = strawberry.field(description="경도 / Longitude.")
    lat: float = strawberry.field(description="위도 / Latitude.")

    @staticmethod
    def of(point: model.GeoPoint | None) -> GeoPoint | None:
        """From a query-layer point."""
        return GeoPoint(lon=point.lon, lat=point.lat) if point else None


@strawberry.type(description="IRI와 이름으로 가리킨 대상 / A thing referred to by IRI and name.")
class Reference:
    """A reference to any entity."""

    iri: str = strawberry.field(description="식별 IRI / The IRI.")
    label: LangString = strawberry.field(description="이름 / Its name.")
    kind: EntityKind | None = strawberry.field(description="종류(알 때) / Its kind, when known.")

    @staticmethod
    def of(ref: model.TermRef, kind: model.EntityKind | None = None) -> Reference:
        """From a query-layer reference."""
        return Reference(iri=ref.iri, label=LangString.of(ref.label), kind=kind)


@strawberry.input(description="원: 중심(WGS84)과 반지름 / A circle: centre (WGS84) and radius.")
class NearInput:
    """A circle for radius searches."""

    lon: float = strawberry.field(description="중심 경도 / Longitude of the centre.")
    lat: float = strawberry.field(description="중심 위도 / Latitude of the centre.")
    radius_metres: float = strawberry.field(
        description="반지름(미터, 0 초과 50,000 이하) / Radius in metres (more than 0, at most 50,000)."
    )

    def circle(self) -> model.Circle:
        """As a query-layer circle."""
        return model.Circle(self.lon, self.lat, self.radius_metres)


@strawberry.input(description="점(WGS84) / A point (WGS84).")
class PointInput:
    """A point argument."""

    lon: float = strawberry.field(description="경도 / Longitude.")
    lat: float = strawberry.field(description="위도 / Latitude.")
