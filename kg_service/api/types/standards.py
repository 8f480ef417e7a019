"""Standards, dataset conformance, and mappings of the ontology to external vocabularies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from kg_service.api.types.common import Info, LangString, Reference
from kg_service.queries import model, standards
from kg_service.queries.model import OrgNode
from kg_service.queries.organisation import OrganisationSnapshot

if TYPE_CHECKING:
    from kg_service.api.types.organisation import Dataset

strawberry.enum(
    model.ExternalVocabulary,
    description="온톨로지가 정렬된 외부 어휘 / External vocabularies the ontology is aligned (or exported) to.",
)
strawberry.enum(
    model.MappingRelation,
    description="대응 관계(SKOS 대응, 하위 클래스·속성, 동치) / How a local term relates to an external one.",
)
ExternalVocabulary = model.ExternalVocabulary
MappingRelation = model.MappingRelation


@strawberry.type(description="데이터셋의 마지막 제출 / The last submission to a dataset.")
class SubmissionOutcome:
    """A submission outcome."""

    submission: str = strawberry.field(description="제출 IRI / Submission IRI.")
    submitted_at: str = strawberry.field(description="제출 시각 / When it was submitted.")
    status: str = strawberry.field(description="상태(committed, rejected, …) / Status.")
    conformed: bool | None = strawberry.field(
        description="SHACL 형상에 적합했는지(상태로 판단할 수 없으면 null) / Whether the data conformed to the shapes (null when the status does not say)."
    )

    @staticmethod
    def of(outcome: model.SubmissionOutcome) -> SubmissionOutcome:
        """From the query layer."""
        return SubmissionOutcome(
            submission=outcome.submission,
            submitted_at=outcome.submitted_at,
            status=outcome.status,
            conformed=outcome.conformed,
        )


@strawberry.type(description="표준 / A standard of the reference data.")
class Standard:
    """A standard."""

    record: strawberry.Private[model.StandardRecord]

    @strawberry.field(description="식별 IRI / The IRI.")
    def iri(self) -> str:
        """The IRI."""
        return self.record.iri

    @strawberry.field(
        description="약칭(IRI의 마지막 부분, 예: sosa-ssn) / Short name (last IRI segment, e.g. sosa-ssn)."
    )
    def slug(self) -> str:
        """The slug."""
        return self.record.slug

    @strawberry.field(
        description="표준 번호(예: OGC 22-047r1) / The issuer's identifier (e.g. OGC 22-047r1)."
    )
    def identifier(self) -> str | None:
        """The identifier."""
        return self.record.identifier

    @strawberry.field(description="제목 / Title.")
    def title(self) -> LangString:
        """The title."""
        return LangString.of(self.record.title)

    @strawberry.field(description="이름 / Name.")
    def label(self) -> LangString:
        """The label."""
        return LangString.of(self.record.label)

    @strawberry.field(description="발행 기구 / Issuing standards body.")
    def issuer(self) -> Reference | None:
        """The issuer."""
        return Reference.of(self.record.issuer, model.EntityKind.ORGANIZATION) if self.record.issuer else None

    @strawberry.field(
        description="이 표준을 준수하거나 주장하는 데이터셋 / Datasets conforming to or claiming it."
    )
    async def datasets(self, info: Info) -> list[DatasetConformance]:
        """Conforming datasets."""
        snapshot = await info.context.loaders.organisation()
        return [
            DatasetConformance(record=c) for c in standards.datasets_conforming_to(snapshot, self.record.iri)
        ]

    @staticmethod
    def of(snapshot: OrganisationSnapshot, node: OrgNode) -> Standard:
        """From a snapshot node."""
        record = next((r for r in standards.standards(snapshot) if r.iri == node.iri), None)
        if record is None:
            record = model.StandardRecord(node.iri, node.code or node.iri, None, node.label, node.label, None)
        return Standard(record=record)


@strawberry.type(
    description="표준 준수 데이터셋과 마지막 제출 결과 / A dataset's conformance to a standard and its last submission."
)
class DatasetConformance:
    """A dataset conforming to or claiming a standard."""

    record: strawberry.Private[model.DatasetConformance]

    @strawberry.field(description="데이터셋 / The dataset.")
    async def dataset(
        self, info: Info
    ) -> Annotated[Dataset, strawberry.lazy("kg_service.api.types.organisation")] | None:
        """The dataset."""
        from kg_service.api.types.organisation import Dataset

        node = (await info.context.loaders.organisation()).node(self.record.dataset)
        return Dataset(node=node) if node else None

    @strawberry.field(description="표준 IRI / Standard IRI.")
    def standard_iri(self) -> str:
        """The standard."""
        return self.record.standard

    @strawberry.field(description="확인된 준수인지(아니면 주장) / Confirmed (true) or only claimed (false).")
    def confirmed(self) -> bool:
        """Whether confirmed."""
        return self.record.confirmed

    @strawberry.field(description="마지막 제출(없으면 null) / Last submission (null when none).")
    def last_submission(self) -> SubmissionOutcome | None:
        """The last submission."""
        outcome = self.record.last_submission
        return SubmissionOutcome.of(outcome) if outcome else None


@strawberry.type(
    description="로컬 용어와 외부 용어의 대응 하나 / One mapping of a local term to an external term."
)
class TermMapping:
    """A term mapping."""

    local_term: str = strawberry.field(description="로컬 용어 IRI / Local term IRI.")
    local_label: LangString = strawberry.field(description="로컬 용어 이름 / Local term name.")
    local_kind: str = strawberry.field(
        description="로컬 용어 종류(class, object-property, …) / Kind of local term."
    )
    relation: MappingRelation = strawberry.field(description="대응 관계 / How they relate.")
    external_term: str = strawberry.field(description="외부 용어 IRI / External term IRI.")
    defined_in: str = strawberry.field(
        description="정의된 곳(alignments: 온톨로지 정렬, exporter: 내보내기 규칙) / Where the mapping is defined."
    )


@strawberry.type(description="외부 어휘 대응 보고서 / Mappings to external vocabularies, with coverage.")
class StandardMappingReport:
    """A mapping report."""

    vocabularies: list[ExternalVocabulary] = strawberry.field(description="대상 어휘 / The vocabularies.")
    mappings: list[TermMapping] = strawberry.field(description="대응 목록 / The mappings.")
    local_term_count: int = strawberry.field(
        description="로컬 클래스·속성 수 / Local classes and properties."
    )
    mapped_term_count: int = strawberry.field(
        description="대응이 있는 로컬 클래스·속성 수 / Local classes and properties with a mapping."
    )
    coverage: float = strawberry.field(
        description="대응 비율(0–1) / Share of local classes and properties mapped (0–1)."
    )

    @staticmethod
    def of(report: model.MappingReport) -> StandardMappingReport:
        """From the query layer."""
        return StandardMappingReport(
            vocabularies=list(report.vocabularies),
            mappings=[
                TermMapping(
                    local_term=m.local_term,
                    local_label=LangString.of(m.local_label),
                    local_kind=m.local_kind,
                    relation=m.relation,
                    external_term=m.external_term,
                    defined_in=m.defined_in,
                )
                for m in report.mappings
            ],
            local_term_count=report.local_term_count,
            mapped_term_count=report.mapped_term_count,
            coverage=round(report.coverage, 6),
        )
