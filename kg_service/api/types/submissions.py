"""GraphQL types of submissions: records, reports and the outcome unions of the mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kg_service.submissions.records import SubmissionRecord
from kg_service.submissions.report import ReportEntry, SubmissionReport

_MAX_LISTED = 1000


@strawberry.type(
    description="제출 파일에서 찾은 문제 하나(원본 행·열 포함) / One problem found in a submitted file, located at source row and column."
)
class SubmissionProblem:
    """One located problem."""

    entry: strawberry.Private[ReportEntry]

    @strawberry.field(
        description="심각도: Violation(거부), Warning(경고), Info(참고) / Severity: Violation rejects, Warning and Info only report."
    )
    def severity(self) -> str:
        return self.entry.severity

    @strawberry.field(description="영어 설명 / Message in English.")
    def message(self) -> str:
        return self.entry.message_en

    @strawberry.field(description="한국어 설명 / Message in Korean.")
    def message_ko(self) -> str:
        return self.entry.message_ko

    @strawberry.field(description="원본 파일 이름 / Source file name.")
    def file(self) -> str:
        return self.entry.file

    @strawberry.field(
        description="데이터 행 번호(1부터, 머리글 제외) / 1-based data row (header not counted)."
    )
    def row(self) -> int | None:
        return self.entry.row

    @strawberry.field(description="원본 열 이름 / Source column.")
    def column(self) -> str | None:
        return self.entry.column

    @strawberry.field(description="문제가 된 값 / The offending value.")
    def value(self) -> str | None:
        return self.entry.value

    @strawberry.field(description="검증 대상 노드 IRI / Focus node IRI.")
    def focus_node(self) -> str | None:
        return self.entry.focus_node

    @strawberry.field(description="속성 경로 / Property path.")
    def path(self) -> str | None:
        return self.entry.path

    @strawberry.field(description="규칙을 정한 SHACL 형상 / The SHACL shape that fired.")
    def shape(self) -> str | None:
        return self.entry.shape

    @strawberry.field(
        description="제약 구성요소 또는 매핑 문제 코드 / Constraint component, or mapping problem code."
    )
    def constraint(self) -> str | None:
        return self.entry.constraint

    @strawberry.field(
        description="문제를 찾은 단계: mapping 또는 validation / Stage that found it: mapping or validation."
    )
    def stage(self) -> str:
        return self.entry.source


@strawberry.type(description="제출 검증 보고서 / The validation report of a submission.")
class SubmissionReportType:
    """A report."""

    report: strawberry.Private[SubmissionReport]

    @strawberry.field(description="위반이 없으면 참 / True when nothing of severity Violation was found.")
    def accepted(self) -> bool:
        return self.report.accepted

    @strawberry.field(description="위반 수 / Number of violations.")
    def violations(self) -> int:
        return self.report.counts.get("Violation", 0)

    @strawberry.field(description="경고 수 / Number of warnings.")
    def warnings(self) -> int:
        return self.report.counts.get("Warning", 0)

    @strawberry.field(description="참고 수 / Number of notes.")
    def infos(self) -> int:
        return self.report.counts.get("Info", 0)

    @strawberry.field(description="전체 문제 수 / Total number of problems.")
    def total(self) -> int:
        return self.report.total_entries

    @strawberry.field(description="영어 요약 / Summary in English.")
    def summary(self) -> str:
        return self.report.summary("en")

    @strawberry.field(description="한국어 요약 / Summary in Korean.")
    def summary_ko(self) -> str:
        return self.report.summary("ko")

    @strawberry.field(
        description="문제 목록(원본 순서, 최대 1000) / Problems in source order (at most 1000)."
    )
    def problems(
        self,
        first: Annotated[int, strawberry.argument(description="최대 개수 / At most this many.")] = 100,
        offset: Annotated[int, strawberry.argument(description="건너뛸 개수 / Skip this many.")] = 0,
    ) -> list[SubmissionProblem]:
        first = max(0, min(first, _MAX_LISTED))
        offset = max(0, offset)
        return [SubmissionProblem(entry=e) for e in self.report.entries[offset : offset + first]]


@strawberry.type(description="제출 기록 / A submission record.")
class Submission:
    """A submission."""

    record: strawberry.Private[SubmissionRecord]

    @strawberry.field(description="제출 식별자 / Submission id.")
    def id(self) -> str:
        return self.record.id

    @strawberry.field(description="제출 부서 코드 / Submitting department code.")
    def department(self) -> str:
        return self.record.department

    @strawberry.field(description="데이터셋 식별자 / Dataset id.")
    def dataset(self) -> str:
        return self.record.dataset

    @strawberry.field(description="파일 이름 / File name.")
    def file_name(self) -> str:
        return self.record.file_name

    @strawberry.field(description="파일 내용 SHA-256 / SHA-256 of the file.")
    def content_sha256(self) -> str:
        return self.record.content_sha256

    @strawberry.field(description="파일 크기(바이트) / File size in bytes.")
    def size_bytes(self) -> int:
        return self.record.size_bytes

    @strawberry.field(
        description="상태: staged, mapped, validated, committed, rejected, duplicate, failed / State."
    )
    def status(self) -> str:
        return self.record.status

    @strawberry.field(
        description="반영 방식: replace 또는 append / How a commit combines: replace or append."
    )
    def mode(self) -> str:
        return self.record.mode

    @strawberry.field(description="매핑 규칙 버전 / Mapping rules version.")
    def rules_version(self) -> str:
        return self.record.rules_version

    @strawberry.field(description="SHACL 형상 버전 / SHACL shapes version.")
    def shapes_version(self) -> str:
        return self.record.shapes_version

    @strawberry.field(description="접수 시각(UTC, ISO 8601) / Received at (UTC, ISO 8601).")
    def created_at(self) -> str:
        return self.record.created_at

    @strawberry.field(description="마지막 변경 시각 / Last change.")
    def updated_at(self) -> str:
        return self.record.updated_at

    @strawberry.field(description="트리플 수 / Triples mapped.")
    def triples(self) -> int | None:
        return self.record.counts.get("triples")

    @strawberry.field(description="변경 로그 순번(반영된 경우) / Change-log number when committed.")
    def sequence(self) -> int | None:
        return self.record.sequence

    @strawberry.field(description="같은 파일이 이미 반영된 제출 / The earlier submission this duplicates.")
    def duplicate_of(self) -> str | None:
        return self.record.duplicate_of

    @strawberry.field(description="요약 / Summary.")
    def summary(self) -> str:
        return self.record.summary

    @strawberry.field(description="검증 보고서 / Validation report.")
    def report(self) -> SubmissionReportType | None:
        if self.record.report is None:
            return None
        return SubmissionReportType(report=SubmissionReport.from_dict(self.record.report))


@strawberry.type(
    description="반영됨: 모든 트리플이 한 번에 반영되었습니다 / Committed: all triples were committed at once."
)
class SubmissionCommitted:
    """Committed."""

    submission: Submission = strawberry.field(description="제출 기록 / The submission.")
    triples: int = strawberry.field(description="반영된 트리플 수 / Triples committed.")
    report: SubmissionReportType = strawberry.field(
        description="경고·참고 포함 보고서 / Report (warnings, notes)."
    )


@strawberry.type(
    description="거부됨: 아무것도 반영되지 않았고 파일과 보고서는 보관됩니다 / Rejected: nothing was committed; the file and report are kept."
)
class SubmissionRejected:
    """Rejected."""

    submission: Submission = strawberry.field(description="제출 기록 / The submission.")
    report: SubmissionReportType = strawberry.field(description="위반 보고서 / Report of the violations.")


@strawberry.type(
    description="중복: 같은 파일이 이미 반영되었습니다 / Duplicate: the same file was already committed."
)
class SubmissionDuplicate:
    """Duplicate."""

    submission: Submission = strawberry.field(description="이번 제출 기록 / This submission's record.")
    duplicate_of: str = strawberry.field(description="먼저 반영된 제출 / The earlier committed submission.")


SubmissionResult = Annotated[
    SubmissionCommitted | SubmissionRejected | SubmissionDuplicate,
    strawberry.union("SubmissionResult", description="제출 결과 / What became of a submission."),
]


@strawberry.type(description="검증 결과(저장하지 않음) / Result of a dry-run validation (nothing stored).")
class ValidationOutcome:
    """A dry run."""

    valid: bool = strawberry.field(description="위반이 없으면 참 / True when nothing would be rejected.")
    triples: int = strawberry.field(description="매핑된 트리플 수 / Triples mapped.")
    report: SubmissionReportType = strawberry.field(description="보고서 / Report.")
