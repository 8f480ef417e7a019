"""The report of a submission: every problem located at file, row and column, in Korean and English.

Two kinds of problems end up here: cells the mapping could not turn into valid RDF (unparseable numbers,
impossible dates, …) and SHACL validation results on the mapped triples. Both are reported the same way, each
pointing back at the source through the mapping lineage, and grouped into a short summary such as
"312 rows rejected: 280 × PM10 out of range … in column 미세먼지 (㎍/㎥); 32 × unknown serial".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["Violation", "Warning", "Info"]
_MAX_LISTED = 10_000
"""At most this many problems are kept in a report; the counts and summary still cover all of them."""


@dataclass(frozen=True, slots=True)
class ReportEntry:
    """One located problem."""

    severity: Severity
    message_en: str
    message_ko: str
    file: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    focus_node: str | None = None
    path: str | None = None
    shape: str | None = None
    constraint: str | None = None
    source: Literal["mapping", "validation"] = "validation"

    def group_key(self) -> tuple[str, str, str | None]:
        """Entries with the same rule, severity and column are counted together in the summary."""
        return (self.severity, self.shape or self.constraint or self.message_en, self.column)


@dataclass(slots=True)
class SubmissionReport:
    """Everything found in one submission, as data."""

    entries: list[ReportEntry] = field(default_factory=list)
    total_entries: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_entries(cls, entries: Iterable[ReportEntry]) -> SubmissionReport:
        """Build a report, keeping the first :data:`_MAX_LISTED` entries in source order."""
        listed = sorted(
            entries, key=lambda e: (e.file, e.row if e.row is not None else -1, e.column or "", e.message_en)
        )
        counts: Counter[str] = Counter(entry.severity for entry in listed)
        return cls(entries=listed[:_MAX_LISTED], total_entries=len(listed), counts=dict(counts))

    @property
    def violations(self) -> int:
        return self.counts.get("Violation", 0)

    @property
    def accepted(self) -> bool:
        """A submission is accepted when nothing of severity Violation was found."""
        return self.violations == 0

    def rejected_rows(self) -> int:
        """How many distinct source rows hold at least one violation."""
        return len({(e.file, e.row) for e in self.entries if e.severity == "Violation" and e.row is not None})

    def summary(self, language: Literal["en", "ko"] = "en") -> str:
        """A short, human summary grouped by rule and column."""
        groups: Counter[tuple[str, str, str | None]] = Counter()
        example: dict[tuple[str, str, str | None], ReportEntry] = {}
        for entry in self.entries:
            key = entry.group_key()
            groups[key] += 1
            example.setdefault(key, entry)
        if not groups:
            return "no problems found" if language == "en" else "발견된 문제가 없습니다"
        parts = []
        for key, count in groups.most_common(8):
            entry = example[key]
            message = entry.message_en if language == "en" else entry.message_ko
            column = ""
            if entry.column:
                column = f" in column {entry.column}" if language == "en" else f" (열: {entry.column})"
            parts.append(f"{count} × {_generalise(message, entry.value)}{column}")
        if len(groups) > 8:
            rest = sum(count for _, count in groups.most_common()[8:])
            parts.append(f"{rest} more" if language == "en" else f"기타 {rest}건")
        violations = self.violations
        if language == "en":
            head = (
                f"{self.rejected_rows()} rows rejected ({violations} violations)"
                if violations
                else f"accepted with {self.total_entries} warnings or notes"
            )
        else:
            head = (
                f"{self.rejected_rows()}개 행 거부 (위반 {violations}건)"
                if violations
                else f"승인됨 (경고·참고 {self.total_entries}건)"
            )
        return f"{head}: " + "; ".join(parts)

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data (``row`` is the 1-based data row, header not counted)."""
        return {
            "accepted": self.accepted,
            "counts": self.counts,
            "total_entries": self.total_entries,
            "listed_entries": len(self.entries),
            "summary": self.summary("en"),
            "summary_ko": self.summary("ko"),
            "entries": [
                {
                    "severity": e.severity,
                    "message": e.message_en,
                    "message_ko": e.message_ko,
                    "file": e.file,
                    "row": e.row,
                    "column": e.column,
                    "value": e.value,
                    "focus_node": e.focus_node,
                    "path": e.path,
                    "shape": e.shape,
                    "constraint": e.constraint,
                    "source": e.source,
                }
                for e in self.entries
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SubmissionReport:
        """Rebuild a report stored with :meth:`as_dict`."""
        raw_entries = data.get("entries", [])
        entries = []
        for raw in raw_entries if isinstance(raw_entries, list) else []:
            entries.append(
                ReportEntry(
                    severity=raw["severity"],
                    message_en=raw["message"],
                    message_ko=raw["message_ko"],
                    file=raw["file"],
                    row=raw.get("row"),
                    column=raw.get("column"),
                    value=raw.get("value"),
                    focus_node=raw.get("focus_node"),
                    path=raw.get("path"),
                    shape=raw.get("shape"),
                    constraint=raw.get("constraint"),
                    source=raw.get("source", "validation"),
                )
            )
        counts = data.get("counts", {})
        total = data.get("total_entries", len(entries))
        return cls(
            entries=entries,
            total_entries=int(total) if isinstance(total, int) else len(entries),
            counts=dict(counts) if isinstance(counts, dict) else {},
        )


def entry_as_dict(entry: ReportEntry) -> dict[str, object]:
    """One entry as a plain dict (for tests and logs)."""
    return asdict(entry)


def _generalise(message: str, value: str | None) -> str:
    """Drop the concrete value from a message so that entries group under one wording."""
    if value and value in message and len(value) < 40:
        return message.replace(value, "…")
    return message


def merge_entries(*groups: Sequence[ReportEntry]) -> list[ReportEntry]:
    """All entries of several sources, in one list."""
    return [entry for group in groups for entry in group]
