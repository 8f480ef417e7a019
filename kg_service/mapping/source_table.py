"""The tabular form every source reader produces and the rule executor consumes.

A source file of any kind becomes a :class:`SourceTable`: one row per iteration (CSV line, JSON array item,
XML element, GeoJSON feature, spreadsheet row, NGSI-LD entity), every value a string (``None`` when absent),
and the 1-based data row it came from, so every triple and every problem can point back at file, row and column.
Reading never raises for bad rows: problems are collected as :class:`CellProblem` data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

import polars as pl

ROW_COLUMN: Final = "__row"
"""Name of the column holding the 1-based data row (header not counted) in every :class:`SourceTable` frame."""

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One located problem in a source file, in words a data steward can act on."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    code: str
    message_en: str
    message_ko: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, object]:
        """The problem as JSON-ready data."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "message": self.message_en,
            "message_ko": self.message_ko,
            "severity": self.severity,
        }


@dataclass(slots=True)
class SourceTable:
    """A source file as a table of strings.

    ``frame`` has one ``pl.String`` column per source field (names exactly as in the source: Korean headers,
    JSON keys, dotted paths for nested JSON such as ``location.coordinates``) plus :data:`ROW_COLUMN`
    (``pl.UInt32``). ``columns`` lists the source fields in source order.
    """

    file: str
    frame: pl.DataFrame
    columns: list[str]
    problems: list[CellProblem] = field(default_factory=list)
    encoding: str | None = None
