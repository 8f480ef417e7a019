"""The mapping façade: load a rule file, read a source file, check the rules against its header, map it.

>>> from pathlib import Path
>>> load_rules(Path("rules.txt"))
Traceback (most recent call last):
...
kg_service.errors.MappingRuleError: rules.txt: unknown rule file type '.txt' (rules.txt: 알 수 없는 규칙 파일 형식 '.txt') — hint: use .yaml/.yml (YARRRML) or .ttl (RML)
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from kg_service.errors import MappingRuleError
from kg_service.mapping.executor import execute
from kg_service.mapping.mapping_result import MappingResult
from kg_service.mapping.rml import load_rml_file
from kg_service.mapping.rule_check import check_rules
from kg_service.mapping.rules import RuleSet
from kg_service.mapping.source_spec import SourceSpec
from kg_service.mapping.source_table import SourceTable
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
    check_rules(rule_set, ontology_terms=ontology_terms, source_columns=table.columns)
    return execute(rule_set, table, dataset_graph=dataset_graph, sink=sink, area_index=area_index)
