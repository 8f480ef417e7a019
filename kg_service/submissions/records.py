"""The durable record of every submission, in SQLite (WAL mode) beside the store.

States: ``staged`` → ``mapped`` → ``validated`` → ``committed`` | ``rejected`` (or ``failed`` when the
submission could not be processed at all). Every committed submission also gets the next number of the change
log (``sequence``), which orders commits for replication (Neo4j sync).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from kg_service.errors import NotFoundError

SubmissionStatus = Literal["staged", "mapped", "validated", "committed", "rejected", "duplicate", "failed"]
FINAL_STATES: frozenset[str] = frozenset({"committed", "rejected", "duplicate", "failed"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submission (
    id TEXT PRIMARY KEY,
    department TEXT NOT NULL,
    dataset TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    rules_version TEXT NOT NULL,
    shapes_version TEXT NOT NULL,
    mode TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL DEFAULT '',
    report TEXT,
    sequence INTEGER UNIQUE,
    duplicate_of TEXT
);
CREATE INDEX IF NOT EXISTS submission_by_content ON submission (dataset, content_sha256, status);
CREATE INDEX IF NOT EXISTS submission_by_status ON submission (status);
"""


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    """One submission as recorded."""

    id: str
    department: str
    dataset: str
    file_name: str
    content_sha256: str
    size_bytes: int
    rules_version: str
    shapes_version: str
    mode: str
    submitted_by: str
    status: SubmissionStatus
    created_at: str
    updated_at: str
    counts: dict[str, int] = field(default_factory=dict)
    summary: str = ""
    report: dict[str, object] | None = None
    sequence: int | None = None
    duplicate_of: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The record as JSON-ready data."""
        return asdict(self)


class SubmissionLog:
    """Submission records in ``{data_dir}/submissions.sqlite``. Safe for several threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
        finally:
            db.close()

    def create(
        self,
        *,
        department: str,
        dataset: str,
        file_name: str,
        content_sha256: str,
        size_bytes: int,
        rules_version: str,
        shapes_version: str,
        mode: str,
        submitted_by: str,
    ) -> SubmissionRecord:
        """Record a newly staged submission (its payload is already stored durably)."""
        now = _now()
        submission_id = f"sub-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        with self._connect() as db:
            db.execute(
                "INSERT INTO submission (id, department, dataset, file_name, content_sha256, size_bytes,"
                " rules_version, shapes_version, mode, submitted_by, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'staged', ?, ?)",
                (
                    submission_id,
                    department,
                    dataset,
                    file_name,
                    content_sha256,
                    size_bytes,
                    rules_version,
                    shapes_version,
                    mode,
                    submitted_by,
                    now,
                    now,
                ),
            )
        return self.get(submission_id)

    def advance(
        self,
        submission_id: str,
        status: SubmissionStatus,
        *,
        counts: dict[str, int] | None = None,
        summary: str | None = None,
        report: dict[str, object] | None = None,
        duplicate_of: str | None = None,
    ) -> SubmissionRecord:
        """Move a submission to ``status``, recording what is known so far."""
        with self._connect() as db:
            db.execute(
                "UPDATE submission SET status = ?, updated_at = ?, counts = COALESCE(?, counts),"
                " summary = COALESCE(?, summary), report = COALESCE(?, report),"
                " duplicate_of = COALESCE(?, duplicate_of) WHERE id = ?",
                (
                    status,
                    _now(),
                    None if counts is None else json.dumps(counts, sort_keys=True),
                    summary,
                    None if report is None else json.dumps(report, ensure_ascii=False),
                    duplicate_of,
                    submission_id,
                ),
            )
        return self.get(submission_id)

    def mark_committed(self, submission_id: str, sequence: int) -> SubmissionRecord:
        """Record that the submission's commit is in the store, with its change-log number."""
        with self._connect() as db:
            db.execute(
                "UPDATE submission SET status = 'committed', sequence = ?, updated_at = ? WHERE id = ?",
                (sequence, _now(), submission_id),
            )
        return self.get(submission_id)

    def next_sequence(self) -> int:
        """The change-log number the next commit gets (callers hold the commit lock)."""
        with self._connect() as db:
            row = db.execute("SELECT COALESCE(MAX(sequence), 0) + 1 FROM submission").fetchone()
        return int(row[0])

    def get(self, submission_id: str) -> SubmissionRecord:
        """One submission, or :class:`NotFoundError`."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM submission WHERE id = ?", (submission_id,)).fetchone()
        if row is None:
            raise NotFoundError(
                f"no submission {submission_id!r}",
                f"제출 {submission_id!r}이(가) 없습니다",
                hint="list submissions with 'kg submissions'",
            )
        return _record(row)

    def recent(
        self, *, department: str | None = None, dataset: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[SubmissionRecord]:
        """Submissions, newest first, optionally for one department or dataset."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM submission WHERE (? IS NULL OR department = ?) AND (? IS NULL OR dataset = ?)"
                " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                (department, department, dataset, dataset, limit, offset),
            ).fetchall()
        return [_record(row) for row in rows]

    def committed_duplicate(
        self, *, dataset: str, content_sha256: str, rules_version: str, shapes_version: str, mode: str
    ) -> SubmissionRecord | None:
        """The committed submission that makes this one a no-op, if any.

        For an ``append`` dataset any earlier commit of the same bytes under the same rules and shapes (adding
        the same triples again changes nothing). For a ``replace`` dataset only the latest commit counts: sending
        back an older file after another one replaced it is a real change and is committed again.
        """
        with self._connect() as db:
            if mode == "replace":
                row = db.execute(
                    "SELECT * FROM submission WHERE dataset = ? AND status = 'committed'"
                    " ORDER BY sequence DESC LIMIT 1",
                    (dataset,),
                ).fetchone()
            else:
                row = db.execute(
                    "SELECT * FROM submission WHERE dataset = ? AND content_sha256 = ? AND status = 'committed'"
                    " ORDER BY sequence LIMIT 1",
                    (dataset, content_sha256),
                ).fetchone()
        if row is None:
            return None
        record = _record(row)
        same = (
            record.content_sha256 == content_sha256
            and record.rules_version == rules_version
            and record.shapes_version == shapes_version
        )
        return record if same else None

    def unfinished(self) -> list[SubmissionRecord]:
        """Submissions a crash interrupted (not in a final state), oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM submission WHERE status NOT IN ('committed', 'rejected', 'duplicate', 'failed')"
                " ORDER BY created_at"
            ).fetchall()
        return [_record(row) for row in rows]

    def committed_since(self, sequence: int) -> list[SubmissionRecord]:
        """Committed submissions with a change-log number above ``sequence``, in commit order."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM submission WHERE status = 'committed' AND sequence > ? ORDER BY sequence",
                (sequence,),
            ).fetchall()
        return [_record(row) for row in rows]

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        finally:
            db.close()


def _record(row: sqlite3.Row) -> SubmissionRecord:
    return SubmissionRecord(
        id=row["id"],
        department=row["department"],
        dataset=row["dataset"],
        file_name=row["file_name"],
        content_sha256=row["content_sha256"],
        size_bytes=row["size_bytes"],
        rules_version=row["rules_version"],
        shapes_version=row["shapes_version"],
        mode=row["mode"],
        submitted_by=row["submitted_by"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        counts=json.loads(row["counts"]),
        summary=row["summary"],
        report=json.loads(row["report"]) if row["report"] else None,
        sequence=row["sequence"],
        duplicate_of=row["duplicate_of"],
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
