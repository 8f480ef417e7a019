"""The ontology: header, classes, properties and named individuals."""

from __future__ import annotations

import strawberry

from kg_service.api.types.common import Info, LangString
from kg_service.queries import model
from kg_service.queries.reader import local_name


@strawberry.type(
    description="온톨로지 용어(클래스·속성·개체) / A term of the ontology (class, property or named individual)."
)
class OntologyTerm:
    """An ontology term."""

    record: strawberry.Private[model.OntologyTermRecord]

    @strawberry.field(description="식별 IRI / The IRI.")
    def iri(self) -> str:
        """The IRI."""
        return self.record.iri

    @strawberry.field(description="로컬 이름(예: Sensor) / Local name (e.g. Sensor).")
    def local_name(self) -> str:
        """The local name."""
        return local_name(self.record.iri)

    @strawberry.field(
        description="종류(class, object-property, datatype-property, annotation-property, individual) / Kind of term."
    )
    def kind(self) -> str:
        """The kind."""
        return self.record.kind

    @strawberry.field(description="이름(rdfs:label) / Name (rdfs:label).")
    def label(self) -> LangString:
        """The label."""
        return LangString.of(self.record.label)

    @strawberry.field(description="정의(skos:definition) / Definition (skos:definition).")
    def definition(self) -> LangString:
        """The definition."""
        return LangString.of(self.record.definition)


@strawberry.type(description="서울시 도시 CPS 온톨로지 / The Seoul urban CPS ontology.")
class Ontology:
    """The ontology."""

    record: strawberry.Private[model.OntologyInfo]

    @strawberry.field(description="온톨로지 IRI / Ontology IRI.")
    def iri(self) -> str:
        """The IRI."""
        return self.record.iri

    @strawberry.field(description="버전 IRI / Version IRI.")
    def version_iri(self) -> str | None:
        """The version IRI."""
        return self.record.version_iri

    @strawberry.field(description="버전(owl:versionInfo) / Version (owl:versionInfo).")
    def version(self) -> str | None:
        """The version."""
        return self.record.version

    @strawberry.field(description="이름 / Name.")
    def label(self) -> LangString:
        """The label."""
        return LangString.of(self.record.label)

    @strawberry.field(description="정의 / Definition.")
    def definition(self) -> LangString:
        """The definition."""
        return LangString.of(self.record.definition)

    @strawberry.field(description="클래스 / Classes.")
    async def classes(self, info: Info) -> list[OntologyTerm]:
        """The classes."""
        return [
            OntologyTerm(record=t) for t in await info.context.loaders.ontology_terms() if t.kind == "class"
        ]

    @strawberry.field(description="객체·데이터·주석 속성 / Object, datatype and annotation properties.")
    async def properties(self, info: Info) -> list[OntologyTerm]:
        """The properties."""
        return [
            OntologyTerm(record=t)
            for t in await info.context.loaders.ontology_terms()
            if t.kind.endswith("property")
        ]

    @strawberry.field(
        description="이름 있는 개체(관측 속성, CPS 기능, …) / Named individuals (observable properties, CPS functions, …)."
    )
    async def individuals(self, info: Info) -> list[OntologyTerm]:
        """The named individuals."""
        return [
            OntologyTerm(record=t)
            for t in await info.context.loaders.ontology_terms()
            if t.kind == "individual"
        ]
