"""The mapping façade: load a rule file, read a source file, check the rules against its header, map it.

>>> from pathlib import Path
>>> load_rules(Path("rules.txt"))
Traceback (most recent call last):
...
kg_service.errors.MappingRuleError: rules.txt: unknown rule file type '.txt' (rules.txt: 알 수 없는 규칙 파일 형식 '.txt') — hint: use .yaml/.yml (YARRRML) or .ttl (RML)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import polars as pl

from kg_service.errors import MappingRuleError
from kg_service.mapping.executor import execute
from kg_service.mapping.mapping_result import LINEAGE_SCHEMA, MappingResult
from kg_service.mapping.rml import load_rml_file
from kg_service.mapping.rule_check import check_rules
from kg_service.mapping.rules import NATURAL_DATATYPE_PREFIX, RuleSet
from kg_service.mapping.source_spec import SourceSpec
from kg_service.mapping.source_table import CellProblem, SourceTable
from kg_service.mapping.yarrrml import load_yarrrml_file

if TYPE_CHECKING:
    from kg_service.spatial import AreaIndex

SourceReader = Callable[..., SourceTable]
"""``read_source(data, spec, *, file_name, max_rows)`` of :mod:`kg_service.mapping.sources`."""


def load_rules(path: Path) -> RuleSet:
    """Load a rule file by its extension: ``.yaml``/``.yml`` YARRRML, ``.ttl`` RML.

    Raises :class:`MappingRuleError` for an unknown extension or any syntax problem (with file and line).
    """
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return load_yarrrml_file(path)
    if suffix == ".ttl":
        return load_rml_file(path)
    raise MappingRuleError(
        f"{path}: unknown rule file type '{suffix}'",
        f"{path}: 알 수 없는 규칙 파일 형식 '{suffix}'",
        hint="use .yaml/.yml (YARRRML) or .ttl (RML)",
    )


def _default_reader() -> SourceReader:
    try:
        from kg_service.mapping.sources import read_source
    except ImportError as exc:  # the readers are a sibling package; say so plainly if it is missing
        raise MappingRuleError(
            "the source readers (kg_service.mapping.sources) are not available",
            "원본 파일 읽기 모듈(kg_service.mapping.sources)을 찾을 수 없습니다",
            hint="install the complete kg-service package",
        ) from exc
    reader: SourceReader = read_source
    return reader


def map_file(
    rules_path: Path,
    data: bytes,
    *,
    file_name: str,
    ontology_terms: Collection[str] | None = None,
    dataset_graph: str | None = None,
    sink: BinaryIO | None = None,
    max_rows: int | None = None,
    reader: SourceReader | None = None,
    area_index: AreaIndex | None = None,
) -> MappingResult:
    """Map one source file with one rule file: load rules → read the file → check rules with its header → execute.

    ``ontology_terms`` (see :func:`kg_service.mapping.rule_check.load_ontology_terms`) enables the check that every
    ``cps:`` term used is declared. ``reader`` defaults to :func:`kg_service.mapping.sources.read_source`.
    ``area_index`` serves ``kgf:districtCode``/``kgf:dongCode`` (default: the committed reference areas).
    Columns the rules declare under ``alternatives`` are read under the rules' names (see
    :func:`under_rule_names`); problems, source columns and lineage still name the file's own columns.
    Raises :class:`MappingRuleError` when the rules are wrong (including columns missing from the file) and the
    reader's errors when the file cannot be read at all; bad rows are problems in the result.
    """
    rule_set = load_rules(rules_path)
    check_rules(rule_set, ontology_terms=ontology_terms)
    if len({src.key for src in rule_set.sources}) > 1:
        raise MappingRuleError(
            f"{rules_path}: the rules read {len(rule_set.sources)} sources; map_file maps one file",
            f"{rules_path}: 규칙이 소스 {len(rule_set.sources)}개를 읽습니다. map_file은 파일 하나만 변환합니다",
            hint="use kg_service.mapping.executor.execute with one table per source",
        )
    spec: SourceSpec = rule_set.source
    read = reader or _default_reader()
    table = read(data, spec, file_name=file_name, max_rows=max_rows)
    table, original_names = under_rule_names(rule_set, table)
    check_rules(rule_set, ontology_terms=ontology_terms, source_columns=table.columns)
    if not original_names:
        return execute(rule_set, table, dataset_graph=dataset_graph, sink=sink, area_index=area_index)
    reader_problems, table.problems = table.problems, []
    result = execute(rule_set, table, dataset_graph=dataset_graph, sink=sink, area_index=area_index)
    return with_file_names(result, original_names, reader_problems)


def under_rule_names(rule_set: RuleSet, table: SourceTable) -> tuple[SourceTable, dict[str, str]]:
    """The table with columns renamed to the names the rules use, where the rules declare them as
    ``alternatives`` (a field renamed between API generations), and the way back (rule name → file's name).

    >>> from kg_service.mapping.rules import RuleSet
    >>> import polars as pl
    >>> rules = RuleSet(name="x", file="x.yaml", sources=(), triples_maps=(),
    ...                 column_alternatives=(("MSRMT_DT", ("MSRDT",)),))
    >>> table, back = under_rule_names(rules, SourceTable("a.json", pl.DataFrame({"MSRDT": ["202105111500"]}),
    ...                                                   ["MSRDT"]))
    >>> table.columns, back
    (['MSRMT_DT'], {'MSRMT_DT': 'MSRDT'})
    """
    renames = rule_set.alternative_renames(table.columns)
    if not renames:
        return table, {}
    frame_renames = dict(renames)
    for actual, name in renames.items():
        if NATURAL_DATATYPE_PREFIX + actual in table.frame.columns:
            frame_renames[NATURAL_DATATYPE_PREFIX + actual] = NATURAL_DATATYPE_PREFIX + name
    renamed = SourceTable(
        table.file,
        table.frame.rename(frame_renames),
        [renames.get(column, column) for column in table.columns],
        table.problems,
        table.encoding,
    )
    return renamed, {name: actual for actual, name in renames.items()}


def with_file_names(
    result: MappingResult, original_names: Mapping[str, str], reader_problems: list[CellProblem]
) -> MappingResult:
    """``result`` of a table read :func:`under_rule_names`, with problems, source columns and lineage naming the
    file's own columns again; ``reader_problems`` (already in the file's names) go first, as ``execute`` does."""

    def original(column: str | None) -> str | None:
        return original_names.get(column, column) if column is not None else None

    problems = reader_problems + [replace(p, column=original(p.column)) for p in result.problems]
    source_columns = {
        key: tuple(original_names.get(c, c) for c in columns)
        for key, columns in result.source_columns.items()
    }
    factory = result.lineage_factory

    def lineage() -> pl.DataFrame:
        frame = factory() if factory is not None else pl.DataFrame(schema=LINEAGE_SCHEMA)
        return frame.with_columns(
            pl.col("column").cast(pl.String).replace(dict(original_names)).cast(LINEAGE_SCHEMA["column"])
        )

    return MappingResult(
        ntriples=result.ntriples,
        triple_count=result.triple_count,
        problems=problems,
        source_columns=source_columns,
        exact_deduplication=result.exact_deduplication,
        lineage_factory=lineage,
    )
