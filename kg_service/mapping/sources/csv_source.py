"""CSV reader: department CSV files (S-DoT exports, registry lists) as a :class:`SourceTable`.

Two paths give the same result:

- the fast path, for files without quote characters (S-DoT exports: a million 23-column rows in 3–4 seconds):
  field counts are checked line by line in Python, then polars parses the lines;
- the general path, for files with quoted fields: Python's :mod:`csv` module, whose quoting rules (RFC 4180,
  doubled quotes, quoted newlines) are the reference. Polars is not used there because it mis-splits quoted
  newlines and refuses stray quotes inside unquoted fields.

Blank lines (empty or only whitespace) are skipped and not counted: ``__row`` is the 1-based number of the data
record after the header. Problem messages also give the physical line number, which is what an editor shows.
Rows with too few fields keep ``None`` in the missing columns; rows with too many keep the first fields; both
raise a ``field-count`` problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import polars as pl

from kg_service.errors import MappingRuleError, SourceDataError
from kg_service.mapping.source_spec import SourceSpec
from kg_service.mapping.source_table import ROW_COLUMN, SourceTable
from kg_service.mapping.sources.encoding import (
    DecodedText,
    decode_source,
    invalid_bytes_text,
    line_problem_text,
)
from kg_service.mapping.sources.rows import ProblemLog, check_column_names, check_row_limit, empty_table

QUOTE: Final = '"'
_REPLACEMENT: Final = "\ufffd"


@dataclass(slots=True)
class _Parsed:
    """What either parsing path found: header, data, and where each data record starts."""

    header: list[str]
    header_line: int
    frame: pl.DataFrame | None = None
    records: list[list[str]] = field(default_factory=list)
    needs_strip: bool = True


class _FastPathUnsureError(Exception):
    """The fast path could not vouch for its result; the csv-module path must read the file."""


def read_csv(data: bytes, spec: SourceSpec, *, file_name: str, max_rows: int | None = None) -> SourceTable:
    """Read a CSV file; every value a stripped string, empty strings as ``None``.

    >>> from kg_service.mapping.source_spec import SourceSpec
    >>> t = read_csv("시리얼,hour\\nV02Q1940043, 0 \\n".encode("euc-kr"), SourceSpec("csv"), file_name="s.csv")
    >>> t.columns, t.frame.rows(), t.encoding
    (['시리얼', 'hour'], [('V02Q1940043', '0', 1)], 'cp949')

    :raises SourceDataError: the file is not text, or its header repeats a column name.
    :raises LimitExceededError: more than ``max_rows`` data rows.
    :raises MappingRuleError: the delimiter or header row in ``spec`` is unusable.
    """
    delimiter = _delimiter(spec)
    if spec.header_row < 1:
        raise MappingRuleError(
            f"header_row must be 1 or more, not {spec.header_row}",
            f"header_row는 1 이상이어야 합니다 (현재 {spec.header_row})",
            hint="count rows from 1; use 1 when the first line is the header",
        )
    decoded = decode_source(data, spec.encoding, file_name=file_name)
    log = ProblemLog(file_name)
    skipped, body = _skip_title_lines(decoded.text, spec.header_row - 1)
    parsed: _Parsed | None
    if QUOTE in body or not delimiter.isascii():
        parsed = _parse_with_csv_module(body, delimiter, skipped, file_name=file_name)
    else:
        try:
            parsed = _parse_fast(body, delimiter, skipped, log, max_rows, file_name=file_name)
        except _FastPathUnsureError:
            log = ProblemLog(file_name)
            parsed = _parse_with_csv_module(body, delimiter, skipped, file_name=file_name)
    if parsed is None:
        log.add(
            None,
            None,
            None,
            "empty",
            f"{file_name} is empty: no header and no data",
            f"{file_name} 파일이 비어 있습니다: 머리글도 데이터도 없습니다",
            "warning",
        )
        return empty_table(file_name, [], log.finish(), decoded.encoding)
    columns = _column_names(parsed.header, parsed.header_line, log, file_name=file_name)
    if parsed.frame is None:
        check_row_limit(len(parsed.records), max_rows, file_name=file_name)
        _check_field_counts(parsed, len(columns), body, delimiter, skipped, log)
        frame = _frame_from_records(parsed.records, len(columns))
    else:
        frame = parsed.frame
    frame = _tidy(frame, columns, strip=parsed.needs_strip)
    if frame.height == 0:
        log.add(
            None,
            None,
            None,
            "empty",
            f"{file_name} has a header but no data rows",
            f"{file_name} 파일에 머리글만 있고 데이터 행이 없습니다",
            "warning",
        )
    _report_bad_bytes(decoded, frame, columns, parsed.header_line, log)
    return SourceTable(file_name, frame, columns, log.finish(), decoded.encoding)


def _delimiter(spec: SourceSpec) -> str:
    delimiter = "\t" if spec.delimiter in ("\\t", "tab") else spec.delimiter
    if len(delimiter) != 1 or delimiter in (QUOTE, "\n", "\r"):
        raise MappingRuleError(
            f"the CSV delimiter must be one character other than a quote or newline, not {spec.delimiter!r}",
            f"CSV 구분자는 따옴표나 줄바꿈이 아닌 한 글자여야 합니다 (현재 {spec.delimiter!r})",
            hint="use ',' (comma), ';', '|' or '\\t' (tab)",
        )
    return delimiter


def _skip_title_lines(text: str, count: int) -> tuple[int, str]:
    """Drop ``count`` title lines above the header; return how many were dropped and the rest."""
    if count == 0:
        return 0, text
    parts = text.split("\n", count)
    if len(parts) <= count:
        return len(parts), ""
    return count, parts[-1]


def _is_blank(line: str) -> bool:
    return not line or line.isspace()


def _parse_fast(
    body: str,
    delimiter: str,
    skipped: int,
    log: ProblemLog,
    max_rows: int | None,
    *,
    file_name: str,
) -> _Parsed | None:
    """Parse a quote-free body with polars; ``None`` when there is not even a header.

    :raises _FastPathUnsureError: polars did not return one row per non-blank line.
    """
    lines = body.split("\n")
    data_index = [i for i, line in enumerate(lines) if line and not line.isspace()]  # blank lines are skipped
    if not data_index:
        return None
    header_index = data_index.pop(0)
    header = lines[header_index].split(delimiter)
    parsed = _Parsed(header=header, header_line=skipped + header_index + 1)
    check_row_limit(len(data_index), max_rows, file_name=file_name)
    width = len(header)
    separators = width - 1
    ragged = [
        (row, i) for row, i in enumerate(data_index, start=1) if lines[i].count(delimiter) != separators
    ]
    for row, i in ragged:
        fields = lines[i].split(delimiter)
        extra = fields[width:] if len(fields) > width else None
        _field_count_problem(log, row, skipped + i + 1, len(fields), width, extra, delimiter)
    if not data_index:
        parsed.frame = pl.DataFrame(schema={f"c{j}": pl.String() for j in range(width)})
        return parsed
    last = data_index[-1]
    if last - header_index == len(data_index):  # no blank lines among the data: one slice instead of a join
        start = sum(len(line) + 1 for line in lines[: header_index + 1])
        end = len(body) - sum(len(line) + 1 for line in lines[last + 1 :])
        text = body[start:end]
    else:
        text = "\n".join(lines[i] for i in data_index)
    try:
        frame = pl.read_csv(
            text.encode("utf-8"),
            has_header=False,
            separator=delimiter,
            quote_char=None,
            schema={f"c{j}": pl.String() for j in range(width)},
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        frame = None
    if frame is None or frame.height != len(data_index):
        raise _FastPathUnsureError
    parsed.frame = frame
    # Polars already gives null for empty fields; stripping is only needed when some field may carry
    # whitespace (for ASCII text: a space, tab, vertical tab or form feed anywhere in the data).
    parsed.needs_strip = not text.isascii() or any(c in text for c in " \t\x0b\x0c")
    return parsed


def _is_blank_record(record: list[str]) -> bool:
    return not record or (len(record) == 1 and _is_blank(record[0]))


def _parse_with_csv_module(body: str, delimiter: str, skipped: int, *, file_name: str) -> _Parsed | None:
    reader = csv.reader(
        io.StringIO(body), delimiter=delimiter, quotechar=QUOTE, doublequote=True, strict=False
    )
    try:
        everything = list(reader)  # one C-level pass; line numbers are worked out only if a row needs them
    except csv.Error as exc:
        line = skipped + reader.line_num
        raise SourceDataError(
            f"{file_name} cannot be read as CSV near line {line}: {exc}",
            f"{file_name} 파일을 CSV로 읽을 수 없습니다 ({line}번째 줄 부근): {exc}",
            hint="check the quotes on that line; a field with the delimiter or a newline must be in quotes",
        ) from None
    header_index = next((k for k, record in enumerate(everything) if not _is_blank_record(record)), None)
    if header_index is None:
        return None
    records = [record for record in everything[header_index + 1 :] if not _is_blank_record(record)]
    # Blank records are single lines, so the header starts right after them.
    return _Parsed(header=everything[header_index], header_line=skipped + header_index + 1, records=records)


def _record_start_lines(body: str, delimiter: str, skipped: int) -> list[int]:
    """Physical line where each non-blank record after the header starts (quoted fields may span lines)."""
    reader = csv.reader(
        io.StringIO(body), delimiter=delimiter, quotechar=QUOTE, doublequote=True, strict=False
    )
    starts: list[int] = []
    previous_end = 0
    for record in reader:
        start = skipped + previous_end + 1
        previous_end = reader.line_num
        if not _is_blank_record(record):
            starts.append(start)
    return starts[1:]


def _check_field_counts(
    parsed: _Parsed, width: int, body: str, delimiter: str, skipped: int, log: ProblemLog
) -> None:
    ragged = [row for row, record in enumerate(parsed.records, start=1) if len(record) != width]
    if not ragged:
        return
    lines = _record_start_lines(body, delimiter, skipped)
    for row in ragged:
        record = parsed.records[row - 1]
        extra = record[width:] if len(record) > width else None
        _field_count_problem(log, row, lines[row - 1], len(record), width, extra, delimiter)


def _field_count_problem(
    log: ProblemLog,
    row: int,
    line: int,
    count: int,
    width: int,
    extra: Sequence[str] | None,
    delimiter: str,
) -> None:
    if extra is None:
        en = f"row {row} (line {line}) has {count} fields but the header has {width}; the missing ones are empty"
        ko = f"{row}행({line}번째 줄)의 필드가 {count}개인데 머리글은 {width}개입니다; 빠진 필드는 빈 값으로 둡니다"
        value = None
    else:
        value = delimiter.join(extra)
        en = f"row {row} (line {line}) has {count} fields but the header has {width}; the extra ones are ignored"
        ko = f"{row}행({line}번째 줄)의 필드가 {count}개인데 머리글은 {width}개입니다; 남는 필드는 무시합니다"
    log.add(row, None, value, "field-count", en, ko)


def _column_names(header: Sequence[str], header_line: int, log: ProblemLog, *, file_name: str) -> list[str]:
    names: list[str] = []
    for position, raw in enumerate(header, start=1):
        name = raw.strip()
        if not name:
            name = f"column_{position}"
            log.add(
                None,
                name,
                None,
                "header-empty",
                f"column {position} of the header (line {header_line}) has no name; it is called '{name}'",
                f"머리글({header_line}번째 줄)의 {position}번째 열에 이름이 없어 '{name}'(으)로 부릅니다",
                "warning",
            )
        names.append(name)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        listed = ", ".join(f"'{n}'" for n in duplicates)
        raise SourceDataError(
            f"the header of {file_name} (line {header_line}) repeats column names: {listed}",
            f"{file_name}의 머리글({header_line}번째 줄)에 같은 열 이름이 반복됩니다: {listed}",
            hint="give every column a distinct name, or set header_row to the line that holds the header",
        )
    check_column_names(names, file_name=file_name)
    return names


def _frame_from_records(records: list[list[str]], width: int) -> pl.DataFrame:
    padded: list[Sequence[str | None]] = [
        record if len(record) == width else [*record[:width], *([None] * (width - len(record)))]
        for record in records
    ]
    return pl.DataFrame(padded, schema={f"c{j}": pl.String() for j in range(width)}, orient="row")


def _tidy(frame: pl.DataFrame, columns: list[str], *, strip: bool) -> pl.DataFrame:
    """Name the columns, strip values and turn empty strings into nulls (if ``strip``), add row numbers."""
    if strip:
        stripped = [pl.col(f"c{j}").str.strip_chars() for j in range(len(columns))]
        values = [
            pl.when(value.str.len_bytes() == 0).then(None).otherwise(value).alias(name)
            for value, name in zip(stripped, columns, strict=True)
        ]
    else:
        values = [pl.col(f"c{j}").alias(name) for j, name in enumerate(columns)]
    return frame.select(*values, pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias(ROW_COLUMN))


def _report_bad_bytes(
    decoded: DecodedText, frame: pl.DataFrame, columns: list[str], header_line: int, log: ProblemLog
) -> None:
    """One problem per cell holding a replaced byte; lines at or above the header are reported by line."""
    if not decoded.bad_lines:
        return
    for line in decoded.bad_lines:
        if line <= header_line:
            en, ko = line_problem_text(line, decoded.encoding)
            log.add(None, None, None, "encoding", en, ko)
    for name in columns:
        hits = frame.select(ROW_COLUMN, name).filter(pl.col(name).str.contains(_REPLACEMENT, literal=True))
        for row, value in hits.iter_rows():
            en, ko = invalid_bytes_text(
                decoded.encoding, where_en=f"row {row}, column '{name}'", where_ko=f"{row}행 '{name}' 열"
            )
            log.add(row, name, value, "encoding", en, ko)
