"""Submissions over GraphQL: upload a file (multipart) to validate or submit it; list and read submissions.

The mutations call the same :class:`~kg_service.submissions.service.SubmissionService` as ``kg submit``.
Submitters may submit only to their own department's datasets; admins to any.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from kg_service.api.errors import BAD_USER_INPUT, user_error, user_errors
from kg_service.api.principal import DEMO_PRINCIPAL, Principal
from kg_service.api.resolvers.access import READER
from kg_service.api.types.common import Info
from kg_service.api.types.submissions import (
    Submission,
    SubmissionCommitted,
    SubmissionDuplicate,
    SubmissionRejected,
    SubmissionReportType,
    SubmissionResult,
    ValidationOutcome,
)
from kg_service.errors import NotFoundError
from kg_service.submissions.records import SubmissionLog
from kg_service.submissions.service import SubmissionOutcome, SubmissionService

_SERVICE_UNAVAILABLE = (
    "submissions are not available on this server",
    "이 서버에서는 제출을 받을 수 없습니다",
)


def _service(info: Info) -> SubmissionService:
    service = getattr(info.context, "submissions", None)
    if service is None:
        raise user_error(
            "UNAVAILABLE", *_SERVICE_UNAVAILABLE, hint="check the dataset catalogue (mappings/datasets.yaml)"
        )
    return service  # type: ignore[no-any-return]


def _log(info: Info) -> SubmissionLog | None:
    """The submission log (read side); ``None`` when this data directory has never taken a submission."""
    service = getattr(info.context, "submissions", None)
    if service is not None:
        return service.log  # type: ignore[no-any-return]
    path = info.context.settings.data_dir / "submissions.sqlite"
    return SubmissionLog(path) if path.exists() else None


def _submitter(info: Info) -> Principal:
    principal = info.context.principal
    if principal is None:
        if info.context.settings.auth_required:
            raise user_error("UNAUTHENTICATED", "authentication required", "인증이 필요합니다")
        principal = DEMO_PRINCIPAL
    if not principal.has_role("submitter"):
        raise user_error(
            "FORBIDDEN",
            "the submitter role is needed to submit or validate files",
            "파일을 제출하거나 검증하려면 submitter 권한이 필요합니다",
            hint="ask the Smart City Policy Bureau for a submitter token",
        )
    return principal


async def _read_upload(file: Upload, limit: int) -> tuple[str, bytes]:
    name = str(getattr(file, "filename", None) or "upload")
    reader = getattr(file, "read", None)
    if reader is None:
        raise user_error(
            BAD_USER_INPUT, "the file argument must be a multipart upload", "file은 업로드 파일이어야 합니다"
        )
    data = await reader(limit + 1)
    if len(data) > limit:
        raise user_error(
            "LIMIT_EXCEEDED",
            f"the file is larger than the limit of {limit:,} bytes",
            f"파일이 한도 {limit:,} 바이트보다 큽니다",
        )
    return name, bytes(data)


def _department_for(principal: Principal, department: str | None) -> tuple[str, bool]:
    if department is None or department == principal.department:
        return principal.department, principal.role == "admin"
    if principal.role != "admin":
        raise user_error(
            "FORBIDDEN",
            f"you may submit only for your own department ({principal.department})",
            f"자기 부서({principal.department})의 데이터만 제출할 수 있습니다",
        )
    return department, True


@strawberry.type
class SubmissionQuery:
    """Reading submissions."""

    @strawberry.field(description="제출 목록(최신순) / Submissions, newest first.", permission_classes=READER)
    async def submissions(
        self,
        info: Info,
        dataset: Annotated[str | None, strawberry.argument(description="데이터셋 / Dataset id.")] = None,
        department: Annotated[
            str | None, strawberry.argument(description="부서 코드 / Department code.")
        ] = None,
        first: Annotated[int, strawberry.argument(description="최대 개수(≤500) / At most (≤500).")] = 50,
        offset: Annotated[int, strawberry.argument(description="건너뛸 개수 / Skip.")] = 0,
    ) -> list[Submission]:
        if not 0 < first <= 500 or offset < 0 or offset > 1_000_000:
            raise user_error(
                BAD_USER_INPUT, "first must be 1–500 and offset ≥ 0", "first는 1–500, offset은 0 이상"
            )
        log = _log(info)
        if log is None:
            return []
        records = await asyncio.to_thread(
            log.recent,
            department=(department or None) and department[:100],
            dataset=(dataset or None) and dataset[:100],
            limit=first,
            offset=offset,
        )
        return [Submission(record=r) for r in records]

    @strawberry.field(
        description="제출 한 건과 보고서 / One submission with its report.", permission_classes=READER
    )
    async def submission(
        self, info: Info, id: Annotated[str, strawberry.argument(description="제출 식별자 / Submission id.")]
    ) -> Submission | None:
        log = _log(info)
        if log is None:
            return None
        try:
            record = await asyncio.to_thread(log.get, id[:200])
        except NotFoundError:
            return None
        return Submission(record=record)


@strawberry.type
class SubmissionMutation:
    """Submitting files."""

    @strawberry.mutation(
        description="파일을 제출합니다: 검증을 통과하면 원자적으로 반영하고, 아니면 행·열을 가리키는 보고서와 함께 거부합니다 / Submit a file: committed atomically when it validates, else rejected with a report pointing at rows and columns."
    )
    async def submit_dataset(
        self,
        info: Info,
        dataset: Annotated[str, strawberry.argument(description="데이터셋 식별자 / Dataset id.")],
        file: Annotated[
            Upload, strawberry.argument(description="업로드 파일(multipart) / The file (multipart upload).")
        ],
        department: Annotated[
            str | None,
            strawberry.argument(
                description="제출 부서(관리자만 다른 부서 지정) / Department (admins only may name another)."
            ),
        ] = None,
    ) -> SubmissionResult:
        principal = _submitter(info)
        service = _service(info)
        acting, any_department = _department_for(principal, department)
        name, data = await _read_upload(file, info.context.settings.max_upload_bytes)
        with user_errors():
            outcome = await asyncio.to_thread(
                service.submit,
                department=acting,
                dataset=dataset[:100],
                file_name=name,
                data=data,
                submitted_by=f"{principal.department}:{principal.token_id}",
                any_department=any_department,
            )
        return _result(outcome)

    @strawberry.mutation(
        description="저장하지 않고 매핑·검증만 합니다 / Map and validate a file without storing anything (dry run)."
    )
    async def validate_dataset(
        self,
        info: Info,
        dataset: Annotated[str, strawberry.argument(description="데이터셋 식별자 / Dataset id.")],
        file: Annotated[
            Upload, strawberry.argument(description="업로드 파일(multipart) / The file (multipart upload).")
        ],
        department: Annotated[
            str | None,
            strawberry.argument(
                description="부서(관리자만 다른 부서 지정) / Department (admins only may name another)."
            ),
        ] = None,
    ) -> ValidationOutcome:
        principal = _submitter(info)
        service = _service(info)
        acting, any_department = _department_for(principal, department)
        name, data = await _read_upload(file, info.context.settings.max_upload_bytes)
        with user_errors():
            outcome = await asyncio.to_thread(
                service.submit,
                department=acting,
                dataset=dataset[:100],
                file_name=name,
                data=data,
                any_department=any_department,
                dry_run=True,
            )
        return ValidationOutcome(
            valid=outcome.outcome == "valid",
            triples=outcome.triples,
            report=SubmissionReportType(report=outcome.report),
        )


def _result(outcome: SubmissionOutcome) -> SubmissionCommitted | SubmissionRejected | SubmissionDuplicate:
    assert outcome.record is not None
    submission = Submission(record=outcome.record)
    if outcome.outcome == "committed":
        return SubmissionCommitted(
            submission=submission, triples=outcome.triples, report=SubmissionReportType(report=outcome.report)
        )
    if outcome.outcome == "duplicate":
        return SubmissionDuplicate(submission=submission, duplicate_of=outcome.duplicate_of or "")
    return SubmissionRejected(submission=submission, report=SubmissionReportType(report=outcome.report))
