"""Source readers: any department file → a :class:`~kg_service.mapping.source_table.SourceTable`.

:func:`read_source` picks the reader for ``spec.kind``. Every reader gives the same shape (string values,
``None`` for absent, a ``__row`` column, problems as data) and follows the same rules:

- bad rows, cells, bytes or geometries never raise: they become
  :class:`~kg_service.mapping.source_table.CellProblem` records (at most 1,000 per problem code, then a
  ``problems-truncated`` summary);
- :class:`~kg_service.errors.SourceDataError` means the file cannot be read at all (not JSON, not XML, not a
  workbook, refused as unsafe, a repeated header name);
- :class:`~kg_service.errors.LimitExceededError` means more than ``max_rows`` rows;
- :class:`~kg_service.errors.MappingRuleError` means the source description itself is unusable (an iterator
  outside the supported subset, an unknown encoding name, a two-character delimiter);
- nothing is fetched from the network.

Problem codes: ``empty``, ``encoding``, ``field-count``, ``header-empty``, ``duplicate-key``,
``iterator-no-match``, ``cell-error``, ``geometry``, ``crs``, ``crs-conflict``, ``crs-suspect``,
``ngsi-entity``, ``multi-attribute``, ``context-not-local``, ``problems-truncated``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final, Protocol

from kg_service.errors import MappingRuleError
from kg_service.mapping.source_spec import SourceSpec
from kg_service.mapping.source_table import SourceTable
from kg_service.mapping.sources.csv_source import read_csv
from kg_service.mapping.sources.geojson_source import read_geojson
from kg_service.mapping.sources.json_source import read_json
from kg_service.mapping.sources.ngsild_source import read_ngsild, resolve_term
from kg_service.mapping.sources.rows import check_row_limit
from kg_service.mapping.sources.xlsx_source import read_xlsx
from kg_service.mapping.sources.xml_source import read_xml


class _Reader(Protocol):
    def __call__(
        self, data: bytes, spec: SourceSpec, *, file_name: str, max_rows: int | None = None
    ) -> SourceTable: ...


_READERS: Final[Mapping[str, _Reader]] = {
    "csv": read_csv,
    "json": read_json,
    "xml": read_xml,
    "xlsx": read_xlsx,
    "geojson": read_geojson,
}

__all__ = [
    "read_csv",
    "read_geojson",
    "read_json",
    "read_ngsild",
    "read_source",
    "read_xlsx",
    "read_xml",
    "resolve_term",
]


def read_source(
    data: bytes,
    spec: SourceSpec,
    *,
    file_name: str,
    max_rows: int | None = None,
    context_dir: Path | None = None,
) -> SourceTable:
    """Read one department file as described by ``spec``.

    ``file_name`` is only used to label problems and messages. ``context_dir`` replaces the project's own
    JSON-LD context directory for NGSI-LD sources (see :mod:`kg_service.mapping.sources.ngsild_source`).

    >>> from kg_service.mapping.source_spec import SourceSpec
    >>> table = read_source(b"a,b\\n1,\\n", SourceSpec("csv"), file_name="x.csv")
    >>> table.frame.rows(), table.encoding
    ([('1', None, 1)], 'utf-8')

    :raises SourceDataError: the file cannot be read at all.
    :raises LimitExceededError: the file has more than ``max_rows`` rows.
    :raises MappingRuleError: ``spec`` cannot be applied (unknown kind, bad iterator, delimiter or encoding).
    """
    if spec.kind == "ngsi-ld":
        table = read_ngsild(data, spec, file_name=file_name, max_rows=max_rows, context_dir=context_dir)
    else:
        reader = _READERS.get(spec.kind)
        if reader is None:
            raise MappingRuleError(
                f"unknown source kind {spec.kind!r}",
                f"알 수 없는 원천 종류 {spec.kind!r}",
                hint="use one of csv, json, xml, xlsx, geojson, ngsi-ld",
            )
        table = reader(data, spec, file_name=file_name, max_rows=max_rows)
    check_row_limit(table.frame.height, max_rows, file_name=file_name)
    return table
