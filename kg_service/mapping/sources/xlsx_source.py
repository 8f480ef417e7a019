"""XLSX reader: department spreadsheets as a :class:`SourceTable`.

The workbook is opened read-only with cached formula results (``data_only``), so a million-row sheet streams.
The header is sheet row ``spec.header_row`` (rows above it are titles); cells become strings:

- integers and integral floats without a spurious ``.0`` (``25.0`` → ``"25"``), other floats in Python's
  shortest form (``0.1``), booleans ``"true"`` / ``"false"``;
- dates ``2020-05-01``, date-times ``2020-05-01T13:00:00``, times ``13:00:00`` (ISO 8601); a date-time at
  midnight whose cell format shows no time is a date;
- text stripped, empty text ``None``; formula errors (``#DIV/0!``) ``None`` with a ``cell-error`` problem.

Rows with no value at all (blank or the empty part of a merged block) are skipped. ``__row`` is the data row
counted from the header (sheet row = ``header_row`` + ``__row``), so numbering matches the sheet even when
blank rows are skipped; problem messages give both, e.g. "row 3 (sheet row 5)".
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Sequence
from typing import Final
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from kg_service.errors import MappingRuleError, SourceDataError
from kg_service.mapping.source_spec import SourceSpec
from kg_service.mapping.source_table import SourceTable
from kg_service.mapping.sources.rows import ProblemLog, Row, check_row_limit, empty_table, table_from_rows

_UNREADABLE: Final = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    OSError,
    ParseError,
)
_LARGEST_EXACT_FLOAT_INTEGER: Final = 2**53


def cell_text(value: object, number_format: str | None = None) -> str | None:
    """A cell value as a string (see the module docstring).

    >>> [cell_text(v) for v in (25.0, 0.1, 3, True, "  중구 ", "", None)]
    ['25', '0.1', '3', 'true', '중구', None, None]
    >>> cell_text(dt.datetime(2020, 5, 1), "yyyy-mm-dd"), cell_text(dt.datetime(2020, 5, 1, 13), "yyyy-mm-dd h:mm")
    ('2020-05-01', '2020-05-01T13:00:00')
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _LARGEST_EXACT_FLOAT_INTEGER:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        fmt = (number_format or "").lower()
        if value.time() == dt.time(0) and value.tzinfo is None and "h" not in fmt and "s" not in fmt:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _iso_duration(value)
    text = str(value).strip()
    return text or None


def _iso_duration(value: dt.timedelta) -> str:
    """ISO 8601 duration of a timedelta (``PT1H2M``)."""
    seconds = value.total_seconds()
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = f"{int(hours)}H" if hours else ""
    parts += f"{int(minutes)}M" if minutes else ""
    parts += f"{secs:g}S" if secs or not parts else ""
    return f"{sign}PT{parts}"


def read_xlsx(data: bytes, spec: SourceSpec, *, file_name: str, max_rows: int | None = None) -> SourceTable:
    """Read one sheet of an XLSX workbook (``spec.sheet``, default the first).

    :raises SourceDataError: not an XLSX workbook, unknown sheet (the message lists the sheets), or a header
        that repeats a column name.
    :raises LimitExceededError: more than ``max_rows`` data rows.
    :raises MappingRuleError: ``spec.header_row`` is below 1.
    """
    if spec.header_row < 1:
        raise MappingRuleError(
            f"header_row must be 1 or more, not {spec.header_row}",
            f"header_row는 1 이상이어야 합니다 (현재 {spec.header_row})",
            hint="count sheet rows from 1, as the spreadsheet shows them",
        )
    log = ProblemLog(file_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions; nothing to act on
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except _UNREADABLE as exc:
            raise _unreadable(file_name, exc) from None
        try:
            return _read_sheet(workbook, spec, log, file_name=file_name, max_rows=max_rows)
        except _UNREADABLE as exc:
            raise _unreadable(file_name, exc) from None
        finally:
            workbook.close()


def _unreadable(file_name: str, exc: BaseException) -> SourceDataError:
    return SourceDataError(
        f"{file_name} cannot be read as an XLSX workbook: {type(exc).__name__}: {exc}",
        f"{file_name} 파일을 XLSX 통합 문서로 읽을 수 없습니다: {type(exc).__name__}: {exc}",
        hint="open it in a spreadsheet program and save it as 'Excel Workbook (.xlsx)'; old .xls files are "
        "not supported",
    )


def _read_sheet(
    workbook: openpyxl.Workbook, spec: SourceSpec, log: ProblemLog, *, file_name: str, max_rows: int | None
) -> SourceTable:
    names = list(workbook.sheetnames)
    name = spec.sheet if spec.sheet is not None else (names[0] if names else None)
    if name is None or name not in names:
        listed = ", ".join(f"'{n}'" for n in names) or "(none)"
        raise SourceDataError(
            f"{file_name} has no sheet named '{spec.sheet}'; its sheets are: {listed}",
            f"{file_name}에 '{spec.sheet}' 시트가 없습니다; 시트 목록: {listed}",
            hint="set the mapping's sheet to one of the listed names (spelling and spaces must match)",
        )
    sheet = workbook[name]
    if not hasattr(sheet, "iter_rows"):
        raise SourceDataError(
            f"sheet '{name}' of {file_name} is a chart, not a table of cells",
            f"{file_name}의 '{name}' 시트는 셀 표가 아니라 차트입니다",
            hint="set the mapping's sheet to the sheet that holds the data",
        )
    reset = getattr(sheet, "reset_dimensions", None)
    if reset is not None:  # read-only sheets trust the file's stated size, which some exporters get wrong
        reset()
    header: list[str] | None = None
    rows: list[Row] = []
    numbers: list[int] = []
    for sheet_row, cells in enumerate(sheet.iter_rows(min_row=spec.header_row), start=spec.header_row):
        if header is None:
            header = _header(cells, sheet_row, log, file_name=file_name)
            if not header:
                break
            continue
        values = [_cell_value(cell, sheet_row - spec.header_row, sheet_row, header, log) for cell in cells]
        if all(v is None for v in values):
            continue
        row_number = sheet_row - spec.header_row
        numbers.append(row_number)
        check_row_limit(len(numbers), max_rows, file_name=file_name)
        rows.append({column: values[j] if j < len(values) else None for j, column in enumerate(header)})
        extra = [v for v in values[len(header) :] if v is not None]
        if extra:
            log.add(
                row_number,
                None,
                ", ".join(extra),
                "field-count",
                f"row {row_number} (sheet row {sheet_row}) has values right of the last header column; "
                "they are ignored",
                f"{row_number}행(시트 {sheet_row}행)의 머리글 마지막 열 오른쪽에 값이 있어 무시합니다",
                "warning",
            )
    if not header:
        log.add(
            None,
            None,
            None,
            "empty",
            f"header row {spec.header_row} of sheet '{name}' in {file_name} is blank or beyond the last row",
            f"{file_name}의 '{name}' 시트 머리글 행({spec.header_row}행)이 비어 있거나 마지막 행 다음입니다",
            "warning",
        )
        return empty_table(file_name, [], log.finish(), None)
    if not rows:
        log.add(
            None,
            None,
            None,
            "empty",
            f"sheet '{name}' of {file_name} has no data rows below header row {spec.header_row}",
            f"{file_name}의 '{name}' 시트에 머리글({spec.header_row}행) 아래 데이터가 없습니다",
            "warning",
        )
        return empty_table(file_name, header, log.finish(), None)
    return table_from_rows(file_name, rows, row_numbers=numbers, columns=header, problems=log.finish())


def _cell_value(cell: object, row: int, sheet_row: int, header: Sequence[str], log: ProblemLog) -> str | None:
    value = getattr(cell, "value", None)
    if value is None:
        return None
    if getattr(cell, "data_type", None) == "e":
        column_index = getattr(cell, "column", None)
        column = (
            header[column_index - 1]
            if isinstance(column_index, int) and column_index <= len(header)
            else None
        )
        log.add(
            row,
            column,
            str(value),
            "cell-error",
            f"row {row} (sheet row {sheet_row}), column '{column}': the formula result is an error ({value})",
            f"{row}행(시트 {sheet_row}행) '{column}' 열: 수식 결과가 오류입니다 ({value})",
        )
        return None
    return cell_text(value, getattr(cell, "number_format", None))


def _header(cells: Sequence[object], sheet_row: int, log: ProblemLog, *, file_name: str) -> list[str]:
    texts = [cell_text(getattr(cell, "value", None)) for cell in cells]
    while texts and texts[-1] is None:
        texts.pop()
    names: list[str] = []
    for position, text in enumerate(texts, start=1):
        if text is None:
            text = f"column_{position}"
            log.add(
                None,
                text,
                None,
                "header-empty",
                f"column {position} of the header (sheet row {sheet_row}) has no name; it is called '{text}'",
                f"머리글(시트 {sheet_row}행)의 {position}번째 열에 이름이 없어 '{text}'(으)로 부릅니다",
                "warning",
            )
        names.append(text)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        listed = ", ".join(f"'{n}'" for n in duplicates)
        raise SourceDataError(
            f"the header of {file_name} (sheet row {sheet_row}) repeats column names: {listed}",
            f"{file_name}의 머리글(시트 {sheet_row}행)에 같은 열 이름이 반복됩니다: {listed}",
            hint="give every column a distinct name, or set header_row to the row that holds the header",
        )
    return names
