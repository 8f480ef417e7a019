"""Shared pieces of the source readers: the problem log, row limits and building a :class:`SourceTable`.

Every reader collects its rows as dictionaries of strings and hands them here, so every table has the same
shape: one ``pl.String`` column per source field in first-seen order, plus :data:`ROW_COLUMN` (``pl.UInt32``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import polars as pl

from kg_service.errors import LimitExceededError, SourceDataError
from kg_service.mapping.source_table import ROW_COLUMN, CellProblem, Severity, SourceTable

MAX_PROBLEMS_PER_CODE: Final = 1000
"""Problems kept per problem code; beyond it one summary problem says how many more there were.

A file in the wrong encoding or with a shifted column can produce a problem on every one of a million rows;
the first thousand locate the fault, the rest would only cost memory.
"""

MAX_NESTING_DEPTH: Final = 64
"""Deepest nesting accepted in JSON, GeoJSON, NGSI and XML documents (deeper input is refused as hostile)."""

Row = dict[str, str | None]


class ProblemLog:
    """Collects :class:`CellProblem` records for one file, keeping at most ``limit`` per code.

    >>> log = ProblemLog("a.csv", limit=1)
    >>> log.add(1, "x", "?", "encoding", "bad byte", "잘못된 바이트")
    >>> log.add(2, "x", "?", "encoding", "bad byte", "잘못된 바이트")
    >>> [p.code for p in log.finish()]
    ['encoding', 'problems-truncated']
    """

    def __init__(self, file: str, *, limit: int = MAX_PROBLEMS_PER_CODE) -> None:
        self.file = file
        self.limit = limit
        self._problems: list[CellProblem] = []
        self._counts: dict[str, int] = {}

    def add(
        self,
        row: int | None,
        column: str | None,
        value: str | None,
        code: str,
        message_en: str,
        message_ko: str,
        severity: Severity = "error",
    ) -> None:
        """Record one problem (dropped, but counted, once ``limit`` problems with this code were kept)."""
        count = self._counts.get(code, 0) + 1
        self._counts[code] = count
        if count <= self.limit:
            self._problems.append(
                CellProblem(self.file, row, column, value, code, message_en, message_ko, severity)
            )

    def extend(self, problems: Iterable[CellProblem]) -> None:
        """Add problems found elsewhere (for example by the decoder), subject to the same limit."""
        for p in problems:
            self.add(p.row, p.column, p.value, p.code, p.message_en, p.message_ko, p.severity)

    @property
    def has_errors(self) -> bool:
        """Whether any error-severity problem was recorded (kept or not)."""
        return any(p.severity == "error" for p in self._problems)

    def finish(self) -> list[CellProblem]:
        """The kept problems, plus one summary per code whose problems were truncated."""
        result = list(self._problems)
        for code, count in self._counts.items():
            if count > self.limit:
                more = count - self.limit
                result.append(
                    CellProblem(
                        self.file,
                        None,
                        None,
                        None,
                        "problems-truncated",
                        f"{more} more problems with code '{code}' were not listed (first {self.limit} shown)",
                        f"코드 '{code}'의 문제 {more}건은 더 표시하지 않았습니다 (처음 {self.limit}건만 표시)",
                        "warning",
                    )
                )
        return result


def check_row_limit(rows: int, max_rows: int | None, *, file_name: str) -> None:
    """Raise :class:`LimitExceededError` when ``rows`` is more than ``max_rows`` (``None`` = no limit)."""
    if max_rows is not None and rows > max_rows:
        raise LimitExceededError(
            f"{file_name} has more than {max_rows} data rows (found at least {rows})",
            f"{file_name} 파일의 데이터 행이 허용된 {max_rows}행을 넘습니다 (최소 {rows}행)",
            hint="split the file into smaller submissions, or ask the administrator to raise the row limit",
        )


def check_column_names(columns: Sequence[str], *, file_name: str) -> None:
    """Refuse a source field named like the reserved row column (it would hide the row numbers)."""
    if ROW_COLUMN in columns:
        raise SourceDataError(
            f"{file_name} has a field named '{ROW_COLUMN}', which is reserved for row numbers",
            f"{file_name} 파일에 행 번호용 예약 이름 '{ROW_COLUMN}' 필드가 있습니다",
            hint=f"rename the '{ROW_COLUMN}' field in the source file",
        )


def table_from_rows(
    file_name: str,
    rows: Sequence[Mapping[str, str | None]],
    *,
    row_numbers: Sequence[int] | None = None,
    columns: Sequence[str] | None = None,
    problems: list[CellProblem] | None = None,
    encoding: str | None = None,
) -> SourceTable:
    """Build a :class:`SourceTable` from row dictionaries.

    ``columns`` fixes the column order (and includes columns no row has); otherwise columns appear in the
    order they are first seen. ``row_numbers`` defaults to 1, 2, 3, ….

    >>> t = table_from_rows("x.json", [{"a": "1"}, {"b": "2", "a": None}])
    >>> t.columns, t.frame.rows()
    (['a', 'b'], [('1', None, 1), (None, '2', 2)])
    """
    if columns is None:
        seen: dict[str, None] = {}
        for row in rows:
            for key in row:
                seen.setdefault(key, None)
        ordered = list(seen)
    else:
        ordered = list(columns)
    check_column_names(ordered, file_name=file_name)
    numbers = list(row_numbers) if row_numbers is not None else list(range(1, len(rows) + 1))
    data: dict[str, list[str | None]] = {name: [row.get(name) for row in rows] for name in ordered}
    schema: dict[str, pl.DataType] = {name: pl.String() for name in ordered}
    frame = pl.DataFrame(data, schema=schema)
    frame = frame.with_columns(pl.Series(ROW_COLUMN, numbers, dtype=pl.UInt32))
    return SourceTable(file_name, frame, ordered, problems or [], encoding)


def empty_table(
    file_name: str, columns: Sequence[str], problems: list[CellProblem], encoding: str | None
) -> SourceTable:
    """A table with the given columns and no rows."""
    return table_from_rows(file_name, [], columns=columns, problems=problems, encoding=encoding)
