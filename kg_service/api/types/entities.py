"""Entities: any IRI of the graph, with its types, every identifier it is known by, and its links."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from kg_service.api.errors import call
from kg_service.api.pagination import (
    AFTER_DESCRIPTION,
    FIRST_DESCRIPTION,
    Connection,
    decode_offset,
    offset_connection,
    page_size,
)
from kg_service.api.types.common import EntityKind, Info, LangString, Reference
from kg_service.api.types.organisation import OrganisationNode, wrap
from kg_service.api.types.sensors import Sensor
from kg_service.api.types.spatial import District, SpatialObject
from kg_service.queries import model


@strawberry.enum(description="식별자를 찾은 곳 / Where an identifier was found.")
class IdentifierSource(enum.Enum):
    """Where an identifier comes from."""

    IDENTIFIER_NODE = "identifier-node"
    PROPERTY = "property"
    CORRESPONDS_TO = "corresponds-to"


@strawberry.enum(description="링크 방향 / Direction of a link, seen from the entity.")
class LinkDirection(enum.Enum):
    """Link direction."""

    OUTGOING = "outgoing"
    INCOMING = "incoming"


@strawberry.type(description="개체가 알려진 식별자 하나 / One identifier an entity is known by.")
class KnownIdentifier:
    """An identifier."""

    value: str = strawberry.field(description="식별자 값 / The identifier.")
    scheme: str | None = strawberry.field(
        description="식별 체계(부여한 플랫폼·기관 IRI) / Identifier scheme: IRI of the issuing platform or organisation."
    )
    scheme_label: LangString = strawberry.field(description="식별 체계 이름 / Name of the scheme.")
    source: IdentifierSource = strawberry.field(
        description="식별자 노드, 속성, 또는 대응 개체(cps:correspondsTo) / Identifier node, shortcut property or corresponding entity."
    )
    property: str | None = strawberry.field(
        description="속성 IRI(속성일 때) / Property IRI (for shortcut properties)."
    )
    holder: str = strawberry.field(
        description="식별자를 가진 개체(대응 개체면 그 IRI) / Entity carrying the identifier (the corresponding entity's IRI when found through one)."
    )


@strawberry.type(description="개체의 링크(트리플) 하나 / One link (triple) of an entity.")
class Link:
    """A link."""

    record: strawberry.Private[model.Link]

    @strawberry.field(description="술어 IRI / Predicate IRI.")
    def predicate(self) -> str:
        """The predicate."""
        return self.record.predicate

    @strawberry.field(description="술어 이름 / Predicate name.")
    def predicate_label(self) -> LangString:
        """The predicate's label."""
        return LangString.of(self.record.predicate_label)

    @strawberry.field(description="방향 / Direction.")
    def direction(self) -> LinkDirection:
        """The direction."""
        return LinkDirection(self.record.direction)

    @strawberry.field(
        description="반대쪽 개체의 IRI(리터럴이면 null) / IRI of the other end (null for a literal)."
    )
    def node_iri(self) -> str | None:
        """The other node's IRI."""
        return self.record.node

    @strawberry.field(description="반대쪽 개체 / The other end, as an entity.")
    async def node(self, info: Info) -> Entity | None:
        """The other node."""
        if self.record.node is None or self.record.node.startswith("_:"):
            return None
        record = await info.context.loaders.entity.load(self.record.node)
        return Entity(record=record) if record else None

    @strawberry.field(description="리터럴 값 / Literal value.")
    def literal(self) -> str | None:
        """The literal."""
        return self.record.literal

    @strawberry.field(description="리터럴 자료형 IRI / Literal datatype IRI.")
    def datatype(self) -> str | None:
        """The datatype."""
        return self.record.datatype

    @strawberry.field(description="리터럴 언어 태그 / Literal language tag.")
    def language(self) -> str | None:
        """The language."""
        return self.record.language

    @strawberry.field(description="트리플이 있는 이름 있는 그래프 / Named graph holding the triple.")
    def graph(self) -> str:
        """The graph."""
        return self.record.graph


@strawberry.type(description="지식그래프의 개체 / An entity of the knowledge graph.")
class Entity:
    """An entity."""

    record: strawberry.Private[model.EntityRecord]

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

    @strawberry.field(description="유형(rdf:type) / Types (rdf:type).")
    def types(self) -> list[Reference]:
        """The types."""
        return [Reference.of(t) for t in self.record.types]

    @strawberry.field(description="기술된 이름 있는 그래프 / Named graphs describing it.")
    def graphs(self) -> list[str]:
        """The graphs."""
        return list(self.record.graphs)

    @strawberry.field(
        description="플랫폼 간 모든 식별자(식별자 노드, 속성, 대응 개체) / Every identifier across platforms (identifier nodes, shortcut properties, corresponding entities)."
    )
    async def identifiers(self, info: Info) -> list[KnownIdentifier]:
        """Identifiers."""
        found = await info.context.loaders.identifiers.load(self.record.iri)
        return [
            KnownIdentifier(
                value=i.value,
                scheme=i.scheme,
                scheme_label=LangString.of(i.scheme_label),
                source=IdentifierSource(i.source),
                property=i.property,
                holder=i.holder,
            )
            for i in found
        ]

    async def _links(
        self, info: Info, direction: str, first: int | None, after: str | None
    ) -> Connection[Link]:
        size = page_size(first)
        kind = f"links:{direction}:{self.record.iri}"
        start = decode_offset(after, kind)
        page = await call(info.context.queries.links, self.record.iri, direction, start, size)  # type: ignore[arg-type]
        return offset_connection([Link(record=link) for link in page.links], kind, start, page.has_more)

    @strawberry.field(description="나가는 링크(이 개체가 주어) / Outgoing links (the entity is the subject).")
    async def outgoing_links(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Link]:
        """Outgoing links."""
        return await self._links(info, "outgoing", first, after)

    @strawberry.field(
        description="들어오는 링크(이 개체가 목적어) / Incoming links (the entity is the object)."
    )
    async def incoming_links(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Link]:
        """Incoming links."""
        return await self._links(info, "incoming", first, after)

    @strawberry.field(description="센서이면 센서로 / As a sensor, when it is one.")
    async def as_sensor(self, info: Info) -> Sensor | None:
        """As a sensor."""
        record = await info.context.loaders.sensor.load(self.record.iri)
        return Sensor(record=record) if record else None

    @strawberry.field(description="공간객체이면 공간객체로 / As a spatial object, when it is one.")
    async def as_spatial_object(self, info: Info) -> SpatialObject | None:
        """As a spatial object."""
        record = await info.context.loaders.spatial_object.load(self.record.iri)
        return SpatialObject(record=record) if record else None

    @strawberry.field(description="자치구이면 자치구로 / As a district, when it is one.")
    async def as_district(self, info: Info) -> District | None:
        """As a district."""
        record = await info.context.loaders.district(self.record.iri)
        return District(record=record) if record else None

    @strawberry.field(
        description="조직 계층의 대상이면 그 유형으로(부서, 시스템, 데이터셋, …) / As an organisation-layer node (department, system, dataset, …)."
    )
    async def as_organisation_node(self, info: Info) -> OrganisationNode | None:
        """As an organisation node."""
        node = (await info.context.loaders.organisation()).node(self.record.iri)
        return wrap(node) if node else None
