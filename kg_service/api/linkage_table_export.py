"""The linkage table (연계테이블) as files for Excel: CSV (UTF-8 with BOM, CRLF) and XLSX.

One row per business, system, platform and service; one column per CPS function (1 현실문제 … 7 자율제어) in
``skos:notation`` order. A cell lists what serves that function for the row (``name [relation]``), with the
number of sensors behind its datasets; an empty cell holds :data:`EMPTY_CELL`. The app serves these at
``/linkage-table.csv`` and ``/linkage-table.xlsx``::

    table = queries.linkage_table(department_code)
    body = linkage_table_csv(table)
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Final

import xlsxwriter

from kg_service.queries.model import EntityKind, LinkageCell, LinkageTableRecord
from kg_service.queries.organisation import P_NOTATION

#: What an empty cell shows (a dash, so an empty cell is visibly empty, not forgotten).
EMPTY_CELL: Final = "-"
SHEET_NAME: Final = "연계테이블"
_KIND_NAMES: Final = {
    EntityKind.BUSINESS: "업무 business",
    EntityKind.SYSTEM: "시스템 system",
    EntityKind.PLATFORM: "플랫폼 platform",
    EntityKind.SERVICE: "서비스 service",
}
_RELATION_NAMES: Final = {
    "self": "자체 self",
    "system": "시스템 system",
    "dataset": "데이터셋 dataset",
    "service": "서비스 service",
    "platform": "플랫폼 platform",
}
_FIXED_HEADERS: Final = (
    "부서코드 / Department code",
    "부서 / Department",
    "구분 / Kind",
    "코드 / Code",
    "이름 / Name",
)
#: A fixed creation time, so the same table always gives the same XLSX bytes.
_CREATED: Final = datetime(2025, 1, 1, 0, 0, 0)


def headers(table: LinkageTableRecord) -> list[str]:
    """The header row: the fixed columns, then ``{notation} {Korean} / {English}`` per CPS function."""
    columns = list(_FIXED_HEADERS)
    for function in table.functions:
        notation = function.value(P_NOTATION) or ""
        columns.append(f"{notation} {function.label.ko or ''} / {function.label.en or ''}".strip())
    return columns


def cell_text(cell: LinkageCell) -> str:
    """A cell as text: ``name [relation]`` joined by ``; `` and the sensor count, or :data:`EMPTY_CELL`.

    >>> cell_text(LinkageCell("f", (), 0))
    '-'
    """
    if not cell.filled:
        return EMPTY_CELL
    parts = [
        f"{c.label.best() or c.iri} [{_RELATION_NAMES.get(c.relation, c.relation)}]"
        for c in cell.contributors
    ]
    text = "; ".join(parts)
    if cell.sensor_count:
        text += f" (센서 sensors: {cell.sensor_count})"
    return text


def rows(table: LinkageTableRecord) -> list[list[str]]:
    """The table's rows as text, in the order of :func:`headers`."""
    result: list[list[str]] = []
    for row in table.rows:
        department = row.department
        result.append(
            [
                department.code or "" if department else "",
                department.label.best() or "" if department else "",
                _KIND_NAMES.get(row.subject.kind, row.subject.kind.value),
                row.subject.code or "",
                row.subject.label.best() or row.subject.iri,
                *(cell_text(cell) for cell in row.cells),
            ]
        )
    return result


def linkage_table_csv(table: LinkageTableRecord) -> bytes:
    """The linkage table as CSV: UTF-8 with a byte-order mark (so Excel reads Korean correctly), CRLF line
    ends, RFC 4180 quoting, one header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(headers(table))
    writer.writerows(rows(table))
    return buffer.getvalue().encode("utf-8-sig")


def linkage_table_xlsx(table: LinkageTableRecord, title: str | None = None) -> bytes:
    """The linkage table as an XLSX workbook: one sheet, a title row, a frozen header row, filled cells
    shaded, empty cells marked :data:`EMPTY_CELL` in grey."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    workbook.set_properties({"title": "연계테이블 / Linkage table", "created": _CREATED})
    sheet = workbook.add_worksheet(SHEET_NAME)
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    header_format = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
    )
    text_format = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
    filled_format = workbook.add_format(
        {"text_wrap": True, "valign": "top", "border": 1, "bg_color": "#E2EFDA"}
    )
    empty_format = workbook.add_format(
        {"valign": "top", "align": "center", "border": 1, "font_color": "#808080"}
    )
    columns = headers(table)
    sheet.write(0, 0, title or "연계테이블 (Linkage table): 부서 업무 × CPS 7대 기능", title_format)
    for index, name in enumerate(columns):
        sheet.write(1, index, name, header_format)
    fixed = len(_FIXED_HEADERS)
    for row_index, values in enumerate(rows(table), start=2):
        for column, value in enumerate(values):
            if column < fixed:
                sheet.write_string(row_index, column, value, text_format)
            elif value == EMPTY_CELL:
                sheet.write_string(row_index, column, value, empty_format)
            else:
                sheet.write_string(row_index, column, value, filled_format)
    sheet.set_column(0, 1, 18)
    sheet.set_column(2, 3, 14)
    sheet.set_column(4, 4, 28)
    sheet.set_column(fixed, max(fixed, len(columns) - 1), 30)
    sheet.freeze_panes(2, fixed)
    workbook.close()
    return output.getvalue()
