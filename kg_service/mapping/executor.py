"""Running a checked rule set over source tables: vectorised, in row batches, streaming N-Triples.

Every triples map is compiled once into polars expressions (:mod:`kg_service.mapping.term_compiler`); each batch
of rows is then turned into N-Triples lines with ``pl.concat_str`` column by column — there is no Python loop
over rows or cells. A melted map is evaluated once per melted column with that column's constants folded into
the expressions, so a wide S-DoT row becomes twenty observations without copying the frame.

Deduplication is exact within each batch (64-bit hashes, confirmed on the strings that collide). Without a
``sink`` everything is held and deduplicated once more at the end, so the result is exact. With a ``sink`` and
several batches, a stream of lines that repeats (entity-like: the same sensor on every row) is remembered across
batches and written once; a stream whose lines were all distinct in its first batch (one subject per row, like
observations) is not remembered, so a source row repeated far apart may be written twice — loading into the store, which holds a set,
removes it. :attr:`MappingResult.exact_deduplication` says which case applied.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Final

import numpy as np
import polars as pl

from kg_service.errors import MappingRuleError
from kg_service.mapping.mapping_result import LINEAGE_SCHEMA, MappingResult
from kg_service.mapping.rules import (
    MELT_PREFIX,
    MELT_VALUE,
    NATURAL_DATATYPE_PREFIX,
    RDF_TYPE,
    Constant,
    PredicateObjectMap,
    Reference,
    RefObjectMap,
    RuleSet,
    TermMap,
    TriplesMap,
    referenced_columns,
)
from kg_service.mapping.source_table import ROW_COLUMN, CellProblem, Severity, SourceTable
from kg_service.mapping.term_compiler import Check, Compiled, Piece, TermCompiler, concat

if TYPE_CHECKING:
    from kg_service.spatial import AreaIndex

LINES_PER_BATCH: Final = 2_000_000
"""Target number of N-Triples lines produced per batch of rows (bounds memory while mapping)."""

MAX_PROBLEMS_PER_CODE: Final = 1000
"""Problems kept per problem code; the rest are counted in one summary problem."""

MAX_REMEMBERED_LINES: Final = 1_000_000
"""Lines of repeating streams remembered across batches (all streams together) in sink mode."""

REMEMBER_SMALL_STREAMS: Final = 100
"""A stream with at most this many distinct lines in its first batch is remembered even without repeats."""

_PARENT_SUBJECT: Final = "__parent_subject"


# --- problems ----------------------------------------------------------------------------------------------------


@dataclass
class _ProblemLog:
    """Problems of one run: deduplicated by (file, row, column, code), at most a thousand per code."""

    problems: list[CellProblem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seen: set[tuple[str, int | None, str | None, str]] = field(default_factory=set)

    def full(self, code: str) -> bool:
        return self.counts.get(code, 0) >= MAX_PROBLEMS_PER_CODE

    def add(self, problem: CellProblem) -> None:
        key = (problem.file, problem.row, problem.column, problem.code)
        if key in self.seen:
            return
        self.seen.add(key)
        count = self.counts.get(problem.code, 0) + 1
        self.counts[problem.code] = count
        if count <= MAX_PROBLEMS_PER_CODE:
            self.problems.append(problem)

    def count_more(self, code: str, n: int) -> None:
        self.counts[code] = self.counts.get(code, 0) + n

    def finish(self) -> list[CellProblem]:
        result = list(self.problems)
        for code, count in self.counts.items():
            if count > MAX_PROBLEMS_PER_CODE:
                more = count - MAX_PROBLEMS_PER_CODE
                result.append(
                    CellProblem(
                        file=self.problems[0].file if self.problems else "",
                        row=None,
                        column=None,
                        value=None,
                        code="problems-truncated",
                        message_en=f"{more} more problems with code '{code}' were not listed "
                        f"(first {MAX_PROBLEMS_PER_CODE} shown)",
                        message_ko=f"코드 '{code}'의 문제 {more}건은 더 표시하지 않았습니다 "
                        f"(처음 {MAX_PROBLEMS_PER_CODE}건만 표시)",
                        severity="warning",
                    )
                )
        return result


# --- plans -------------------------------------------------------------------------------------------------------


@dataclass
class _JoinLines:
    """Lines whose object is another map's subject, found by joining on computed keys."""

    parent: str
    parent_keys: tuple[TermMap, ...]
    child_keys: list[str]
    lines: list[tuple[str, pl.Expr]]


@dataclass
class _Variant:
    """One compiled scope of a pass: the plain rows, or the rows of one melted column."""

    compiler: TermCompiler
    melt_column: str | None
    subject: Compiled
    lines: list[tuple[str, pl.Expr]] = field(default_factory=list)
    joins: list[_JoinLines] = field(default_factory=list)
    parent_keys: dict[tuple[TermMap, ...], list[str]] = field(default_factory=dict)


@dataclass
class _Pass:
    """Rows evaluated together: the main pass, or one per object reading multi-valued (list) columns."""

    explode: tuple[str, ...]
    shared: TermCompiler
    variants: list[_Variant]


@dataclass
class _MapPlan:
    """A compiled triples map."""

    triples_map: TriplesMap
    index: int
    table: SourceTable
    columns: list[str]
    passes: list[_Pass]

    def lines_per_row(self) -> int:
        return max(
            1, sum(len(v.lines) + sum(len(j.lines) for j in v.joins) for p in self.passes for v in p.variants)
        )


def _default_graph_piece(dataset_graph: str | None) -> Compiled | None:
    return Compiled(pl.lit(f"<{dataset_graph}>"), 0, f"<{dataset_graph}>") if dataset_graph else None


def _line(subject: Piece, predicate: Piece, obj: Piece, graph: Compiled | None) -> pl.Expr:
    pieces: list[Piece] = [subject, " ", predicate, " ", obj]
    if graph is not None:
        pieces += [" ", graph.constant if graph.constant is not None else graph.expr]
    pieces.append(" .")
    return concat(pieces)


def _piece(compiled: Compiled) -> Piece:
    return compiled.constant if compiled.constant is not None else compiled.expr


def _graph_union(
    first: list[Compiled | None], second: list[Compiled | None], default: Compiled | None
) -> list[Compiled | None]:
    graphs = first + second
    if not graphs:
        return [default]
    unique: list[Compiled | None] = []
    seen: set[str | None] = set()
    for g in graphs:
        key = None if g is None else g.constant
        if g is not None and g.constant is None:
            unique.append(g)
        elif key not in seen:
            seen.add(key)
            unique.append(g)
    return unique


class _Planner:
    """Builds :class:`_MapPlan` objects from the rule model."""

    def __init__(
        self,
        rule_set: RuleSet,
        tables: Mapping[str, SourceTable],
        dataset_graph: str | None,
        area_index: AreaIndex | None = None,
    ) -> None:
        self.rule_set = rule_set
        self.tables = tables
        self.dataset_graph = dataset_graph
        self.area_index = area_index
        self.derived = rule_set.derived()
        self.parent_keys: dict[str, list[TermMap]] = {}
        for tm in rule_set.triples_maps:
            for pom in tm.predicate_objects:
                for obj in pom.objects:
                    if isinstance(obj, RefObjectMap):
                        self.parent_keys.setdefault(obj.parent, []).extend(j.parent for j in obj.joins)

    def source_columns_of(self, term: TermMap, melt_columns: Sequence[str] = ()) -> list[str]:
        """Source columns a term reads, through derived columns (``__melt.value`` → the melted columns)."""
        found: dict[str, None] = {}
        for column in referenced_columns(term):
            if column == MELT_VALUE:
                found.update(dict.fromkeys(melt_columns))
            elif column.startswith(MELT_PREFIX):
                continue
            elif column in self.derived:
                found.update(dict.fromkeys(self.source_columns_of(self.derived[column].value, melt_columns)))
            else:
                found[column] = None
        return list(found)

    def melt_columns(self, tm: TriplesMap) -> list[str]:
        return [c.column for c in self.rule_set.melt(tm.melt).columns] if tm.melt else []

    def all_terms(self, tm: TriplesMap) -> list[TermMap]:
        terms: list[TermMap] = [
            tm.subject,
            *tm.graphs,
            *tm.skip_when_empty,
            *self.parent_keys.get(tm.name, []),
        ]
        for pom in tm.predicate_objects:
            terms += [*pom.predicates, *pom.graphs, *pom.skip_when_empty]
            for obj in pom.objects:
                if isinstance(obj, RefObjectMap):
                    terms += [j.child for j in obj.joins]
                    if not obj.joins:
                        parent = self.rule_set.triples_map(obj.parent)
                        terms += [parent.subject, *parent.skip_when_empty]
                else:
                    terms.append(obj)
        return terms

    def plan(self, tm: TriplesMap, index: int) -> _MapPlan:
        table = self.tables[tm.logical_source]
        schema = table.frame.schema
        melt_columns = self.melt_columns(tm)
        needed: dict[str, None] = {}
        for term in self.all_terms(tm):
            needed.update(dict.fromkeys(self.source_columns_of(term, melt_columns)))
        needed.update(dict.fromkeys(melt_columns))
        missing = [c for c in needed if c not in schema]
        if missing and table.frame.height == 0:
            # A source with no rows may not even have a header (an empty JSON array): nothing to map.
            table = SourceTable(
                table.file,
                table.frame.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in missing]),
                table.columns,
                table.problems,
                table.encoding,
            )
            schema = table.frame.schema
            missing = []
        if missing:
            raise MappingRuleError(
                f"{tm.location}: mapping '{tm.name}' reads columns that {table.file} does not have: "
                + ", ".join(repr(c) for c in missing),
                f"{tm.location.ko()}: 매핑 '{tm.name}'이(가) {table.file}에 없는 열을 읽습니다: "
                + ", ".join(repr(c) for c in missing),
                hint="check the column names against the file's header (check_rules suggests close matches)",
            )
        columns = list(needed)
        columns += [
            NATURAL_DATATYPE_PREFIX + c for c in list(needed) if NATURAL_DATATYPE_PREFIX + c in schema
        ]
        columns.append(ROW_COLUMN)
        lists = {c for c in columns if isinstance(schema[c], pl.List)}
        subject_terms = [tm.subject, *tm.graphs, *tm.skip_when_empty]
        subject_lists = tuple(sorted({c for t in subject_terms for c in self.source_columns_of(t)} & lists))
        passes = [self._pass(tm, index, schema, subject_lists, None, with_classes=True)]
        for pom in tm.predicate_objects:
            for obj in pom.objects:
                if isinstance(obj, RefObjectMap):
                    continue
                own = tuple(
                    sorted(set(self.source_columns_of(obj, melt_columns)) & lists - set(subject_lists))
                )
                if own:
                    passes.append(
                        self._pass(tm, index, schema, subject_lists + own, (pom, obj), with_classes=False)
                    )
        return _MapPlan(tm, index, table, columns, passes)

    def _pass(
        self,
        tm: TriplesMap,
        index: int,
        schema: Mapping[str, pl.DataType],
        explode: tuple[str, ...],
        only: tuple[PredicateObjectMap, TermMap] | None,
        *,
        with_classes: bool,
    ) -> _Pass:
        pass_schema: dict[str, pl.DataType] = {}
        for name, dtype in schema.items():
            exploded = name in explode or name.removeprefix(NATURAL_DATATYPE_PREFIX) in explode
            pass_schema[name] = pl.String() if isinstance(dtype, pl.List) and exploded else dtype
        shared = TermCompiler(self.rule_set, tm, index, pass_schema, area_index=self.area_index)
        variants: list[_Variant] = []
        melt = self.rule_set.melt(tm.melt) if tm.melt else None
        if melt is None:
            variants.append(self._variant(tm, shared, None, only, with_classes))
        else:
            for i, column in enumerate(melt.columns):
                compiler = TermCompiler(
                    self.rule_set,
                    tm,
                    shared.plan_index,
                    pass_schema,
                    melt_column=column,
                    melt_index=i,
                    shared=shared,
                    area_index=self.area_index,
                )
                variants.append(self._variant(tm, compiler, column.column, only, with_classes))
        return _Pass(explode, shared, variants)

    def _variant(
        self,
        tm: TriplesMap,
        compiler: TermCompiler,
        melt_column: str | None,
        only: tuple[PredicateObjectMap, TermMap] | None,
        with_classes: bool,
    ) -> _Variant:
        skips = list(tm.skip_when_empty)
        melt = self.rule_set.melt(tm.melt) if tm.melt else None
        if melt is not None and not melt.keep_empty:
            skips.append(Reference(column=MELT_VALUE, term_type="literal"))
        subject = compiler.term(tm.subject, "subject")
        keep = compiler.keep(skips)
        if keep is not None:
            subject = compiler.materialise(
                pl.when(keep.expr).then(subject.expr), max(keep.level, subject.level)
            )
        elif subject.constant is None:
            subject = compiler.materialise(subject.expr, subject.level)
        variant = _Variant(compiler, melt_column, subject)
        default = _default_graph_piece(self.dataset_graph)
        tm_graphs = compiler.graph_terms(tm.graphs, self.dataset_graph)
        s = _piece(subject)
        stream = f"{tm.name}|{melt_column or ''}|"
        if with_classes:
            for g in tm_graphs or [default]:
                for cls in tm.classes:
                    variant.lines.append((stream + f"a {cls}", _line(s, f"<{RDF_TYPE}>", f"<{cls}>", g)))
        for pom_index, pom in enumerate(tm.predicate_objects):
            if only is not None and pom is not only[0]:
                continue
            pom_keep = compiler.keep(pom.skip_when_empty)
            graphs = _graph_union(tm_graphs, compiler.graph_terms(pom.graphs, self.dataset_graph), default)
            predicates = [compiler.term(p, "predicate") for p in pom.predicates]
            for obj_index, obj in enumerate(pom.objects):
                if only is not None and obj is not only[1]:
                    continue
                name = f"{stream}{pom_index}.{obj_index}"
                if isinstance(obj, RefObjectMap) and obj.joins:
                    variant.joins.append(
                        self._join_lines(compiler, name, s, obj, predicates, graphs, pom_keep)
                    )
                    continue
                if isinstance(obj, RefObjectMap):
                    parent = self.rule_set.triples_map(obj.parent)
                    o = compiler.term(parent.subject, "object")
                    parent_keep = compiler.keep(parent.skip_when_empty)
                    if parent_keep is not None:
                        o = Compiled(pl.when(parent_keep.expr).then(o.expr), max(o.level, parent_keep.level))
                else:
                    if only is None and self._reads_lists(obj, compiler):
                        continue
                    o = compiler.term(obj, "object")
                o_piece = _piece(o)
                if pom_keep is not None:
                    o_piece = pl.when(pom_keep.expr).then(o.expr)
                for p_index, predicate in enumerate(predicates):
                    for g_index, graph in enumerate(graphs):
                        variant.lines.append(
                            (f"{name}.{p_index}.{g_index}", _line(s, _piece(predicate), o_piece, graph))
                        )
        return variant

    def _reads_lists(self, obj: TermMap, compiler: TermCompiler) -> bool:
        return any(isinstance(compiler.schema.get(c), pl.List) for c in self.source_columns_of(obj))

    def _join_lines(
        self,
        compiler: TermCompiler,
        name: str,
        subject: Piece,
        obj: RefObjectMap,
        predicates: list[Compiled],
        graphs: list[Compiled | None],
        pom_keep: Compiled | None,
    ) -> _JoinLines:
        child_keys = []
        for join in obj.joins:
            key = compiler.value(join.child)
            materialised = compiler.materialise(key.expr, key.level)
            child_keys.append(materialised.expr.meta.output_name())
        parent_subject: pl.Expr = pl.col(_PARENT_SUBJECT)
        if pom_keep is not None:
            parent_subject = pl.when(pom_keep.expr).then(parent_subject)
        lines = [
            (f"{name}.{p_index}.{g_index}", _line(subject, _piece(predicate), parent_subject, graph))
            for p_index, predicate in enumerate(predicates)
            for g_index, graph in enumerate(graphs)
        ]
        return _JoinLines(obj.parent, tuple(j.parent for j in obj.joins), child_keys, lines)


# --- deduplication -----------------------------------------------------------------------------------------------


@dataclass
class Lines:
    """A column of N-Triples lines with their 64-bit hashes (computed once, reused for every dedup step)."""

    text: pl.Series
    hashes: pl.Series

    @classmethod
    def of(cls, text: pl.Series) -> Lines:
        return cls(text, text.hash(seed=0))

    def __len__(self) -> int:
        return len(self.text)

    def keep(self, mask: pl.Series) -> Lines:
        return Lines(self.text.filter(mask), self.hashes.filter(mask))


def _first_occurrences(hashes: pl.Series, text_at: Callable[[pl.Series], pl.Series]) -> pl.Series | None:
    """Mask of first occurrences given hashes; ``None`` when nothing repeats.

    Only rows whose hash repeats are compared as text (``text_at`` fetches the text of those positions), so a
    hash collision never drops a line.
    """
    if hashes.n_unique() == len(hashes):
        return None
    repeated = hashes.is_duplicated()
    positions = repeated.arg_true()
    first_text = text_at(positions).is_first_distinct().to_numpy()
    keep = (~repeated).to_numpy().copy()
    keep[positions.to_numpy()] = first_text
    return pl.Series(keep, dtype=pl.Boolean)


def distinct(lines: Lines) -> Lines:
    """``lines`` without repeats, first occurrences in order (exact)."""
    if len(lines) < 2:
        return lines
    mask = _first_occurrences(lines.hashes, lines.text.gather)
    return lines if mask is None else lines.keep(mask)


def distinct_across(parts: list[Lines]) -> list[Lines]:
    """Remove lines that already occurred in an earlier part (each part already distinct in itself)."""
    if len(parts) < 2:
        return parts
    sizes = [len(p) for p in parts]
    offsets = np.cumsum([0, *sizes])

    def text_at(positions: pl.Series) -> pl.Series:
        pos = positions.to_numpy()
        which = np.searchsorted(offsets, pos, side="right") - 1
        values = [
            parts[w].text[int(i - offsets[w])] for w, i in zip(which.tolist(), pos.tolist(), strict=True)
        ]
        return pl.Series(values, dtype=pl.String)

    mask = _first_occurrences(pl.concat([p.hashes for p in parts]), text_at)
    if mask is None:
        return parts
    return [p.keep(mask.slice(int(offsets[i]), sizes[i])) for i, p in enumerate(parts)]


def distinct_lines(lines: pl.Series) -> pl.Series:
    """``lines`` without repeats, first occurrences in order; exact (hash collisions are checked on the text).

    >>> distinct_lines(pl.Series(["a", "b", "a", "c", "b"])).to_list()
    ['a', 'b', 'c']
    """
    return distinct(Lines.of(lines)).text


@dataclass
class _Stream:
    """What is remembered of one stream of lines across batches (sink mode)."""

    remembered: pl.Series | None = None
    forgetful: bool = False


# --- running -----------------------------------------------------------------------------------------------------


def _apply_stages(frame: pl.DataFrame, compiler: TermCompiler) -> pl.DataFrame:
    for stage in compiler.stages:
        if stage:
            frame = frame.with_columns([expr.alias(name) for name, expr in stage])
    return frame


class _Run:
    """One execution of a rule set."""

    def __init__(
        self,
        rule_set: RuleSet,
        tables: Mapping[str, SourceTable],
        *,
        dataset_graph: str | None,
        sink: BinaryIO | None,
        batch_rows: int | None,
        area_index: AreaIndex | None = None,
    ) -> None:
        self.rule_set = rule_set
        self.tables = tables
        self.dataset_graph = dataset_graph
        self.sink = sink
        self.batch_rows = batch_rows
        self.planner = _Planner(rule_set, tables, dataset_graph, area_index)
        self.plans = [self.planner.plan(tm, i) for i, tm in enumerate(rule_set.triples_maps)]
        self.by_name = {p.triples_map.name: p for p in self.plans}
        self._register_parent_keys()
        self.problems = _ProblemLog()
        self.streams: dict[str, _Stream] = {}
        self.remembered = 0
        self.held: list[Lines] = []
        self.written = 0
        self.batches = 0
        self._parents: dict[tuple[str, tuple[TermMap, ...]], pl.DataFrame] = {}

    def _register_parent_keys(self) -> None:
        for plan in self.plans:
            for pass_ in plan.passes:
                for variant in pass_.variants:
                    for join in variant.joins:
                        parent = self.by_name[join.parent]
                        for parent_variant in parent.passes[0].variants:
                            if join.parent_keys in parent_variant.parent_keys:
                                continue
                            names = []
                            for key in join.parent_keys:
                                compiled = parent_variant.compiler.value(key)
                                materialised = parent_variant.compiler.materialise(
                                    compiled.expr, compiled.level
                                )
                                names.append(materialised.expr.meta.output_name())
                            parent_variant.parent_keys[join.parent_keys] = names

    # --- evaluation ---------------------------------------------------------------------------------------------

    def _batches(self, plan: _MapPlan) -> Iterator[pl.DataFrame]:
        frame = plan.table.frame
        size = self.batch_rows or max(1_000, LINES_PER_BATCH // plan.lines_per_row())
        if frame.height == 0:
            yield frame.select(plan.columns)
            return
        for offset in range(0, frame.height, size):
            yield frame.slice(offset, size).select(plan.columns)

    def _evaluate(
        self, plan: _MapPlan, pass_: _Pass, batch: pl.DataFrame, *, checks: bool = True
    ) -> Iterator[tuple[_Variant, pl.DataFrame]]:
        base = batch
        for column in pass_.explode:
            # One column at a time: two multi-valued references give every combination (a cartesian product).
            companion = NATURAL_DATATYPE_PREFIX + column
            base = base.explode([column, companion] if companion in base.columns else [column])
        shared = _apply_stages(base, pass_.shared)
        if checks:
            self._run_checks(plan, shared, pass_.shared.checks)
        for variant in pass_.variants:
            if variant.compiler is pass_.shared:
                yield variant, shared
                continue
            frame = _apply_stages(shared, variant.compiler)
            if checks:
                self._run_checks(plan, frame, variant.compiler.checks)
            yield variant, frame

    def _run_checks(self, plan: _MapPlan, frame: pl.DataFrame, checks: Sequence[Check]) -> None:
        for check in checks:
            candidates = frame.filter(pl.col(check.output).is_null())
            if candidates.height == 0:
                continue
            candidates = candidates.filter(check.present)
            if candidates.height == 0:
                continue
            for issue in check.issues:
                rows = candidates.filter(issue.mask) if issue.mask is not None else candidates
                if rows.height == 0:
                    continue
                if self.problems.full(issue.code):
                    self.problems.count_more(issue.code, rows.height)
                    continue
                found = rows.select(pl.col(ROW_COLUMN), issue.value.cast(pl.String).alias("value"))
                for row, value in found.head(MAX_PROBLEMS_PER_CODE).iter_rows():
                    self.problems.add(
                        self._problem(
                            plan,
                            row,
                            issue.column,
                            value,
                            issue.code,
                            issue.message_en,
                            issue.message_ko,
                            issue.severity,
                        )
                    )
                if found.height > MAX_PROBLEMS_PER_CODE:
                    self.problems.count_more(issue.code, found.height - MAX_PROBLEMS_PER_CODE)

    @staticmethod
    def _problem(
        plan: _MapPlan,
        row: int | None,
        column: str | None,
        value: str | None,
        code: str,
        en: str,
        ko: str,
        severity: Severity,
    ) -> CellProblem:
        shown = "" if value is None else value
        return CellProblem(
            file=plan.table.file,
            row=row,
            column=column,
            value=value,
            code=code,
            message_en=f"{en.replace('{value}', shown)} (rule '{plan.triples_map.name}')",
            message_ko=f"{ko.replace('{value}', shown)} (규칙 '{plan.triples_map.name}')",
            severity=severity,
        )

    def _parent_frame(self, parent_name: str, keys: tuple[TermMap, ...]) -> pl.DataFrame:
        cache_key = (parent_name, keys)
        if cache_key in self._parents:
            return self._parents[cache_key]
        parent = self.by_name[parent_name]
        pieces = []
        for batch in self._batches(parent):
            for variant, frame in self._evaluate(parent, parent.passes[0], batch, checks=False):
                names = variant.parent_keys[keys]
                pieces.append(
                    frame.select(
                        variant.subject.expr.alias(_PARENT_SUBJECT),
                        *[pl.col(n).alias(f"__parent_key{i}") for i, n in enumerate(names)],
                    ).filter(pl.col(_PARENT_SUBJECT).is_not_null())
                )
        result = pl.concat(pieces).unique(maintain_order=True) if pieces else pl.DataFrame()
        self._parents[cache_key] = result
        return result

    def _variant_lines(self, variant: _Variant, frame: pl.DataFrame) -> list[tuple[str, pl.Series]]:
        produced: list[tuple[str, pl.Series]] = []
        if variant.lines:
            out = frame.select([expr.alias(f"l{i}") for i, (_, expr) in enumerate(variant.lines)])
            for (stream, _), column in zip(variant.lines, out.get_columns(), strict=True):
                produced.append((stream, column.drop_nulls()))
        for join in variant.joins:
            parent = self._parent_frame(join.parent, join.parent_keys)
            if parent.height == 0:
                continue
            needed: dict[str, None] = {}
            for _, expr in join.lines:
                needed.update(dict.fromkeys(n for n in expr.meta.root_names() if n != _PARENT_SUBJECT))
            needed.update(dict.fromkeys(join.child_keys))
            joined = frame.select(list(needed)).join(
                parent,
                left_on=join.child_keys,
                right_on=[f"__parent_key{i}" for i in range(len(join.child_keys))],
                how="inner",
                maintain_order="left",
            )
            out = joined.select([expr.alias(f"l{i}") for i, (_, expr) in enumerate(join.lines)])
            for (stream, _), column in zip(join.lines, out.get_columns(), strict=True):
                produced.append((stream, column.drop_nulls()))
        return produced

    # --- output -------------------------------------------------------------------------------------------------

    def _stream_lines(self, stream: str, text: pl.Series) -> Lines:
        lines = distinct(Lines.of(text))
        if self.sink is None:
            return lines
        state = self.streams.setdefault(stream, _Stream())
        if state.forgetful:
            return lines
        if state.remembered is None:
            repeats = len(lines) < len(text)
            tiny = len(lines) <= REMEMBER_SMALL_STREAMS
            if not (repeats or tiny) or self.remembered + len(lines) > MAX_REMEMBERED_LINES:
                state.forgetful = True
                return lines
            state.remembered = lines.text
            self.remembered += len(lines)
            return lines
        fresh = lines.keep(~lines.text.is_in(state.remembered.implode()))
        if self.remembered + len(fresh) > MAX_REMEMBERED_LINES:
            state.forgetful = True
            self.remembered -= len(state.remembered)
            state.remembered = None
        else:
            state.remembered = pl.concat([state.remembered, fresh.text])
            self.remembered += len(fresh)
        return fresh

    def _emit(self, batch: list[Lines]) -> None:
        batch = [part for part in distinct_across(batch) if len(part)]
        if self.sink is None:
            self.held.extend(batch)
            return
        if batch:
            _write_lines(self.sink, batch)
            self.written += sum(len(part) for part in batch)

    def run(self) -> MappingResult:
        for plan in self.plans:
            for batch in self._batches(plan):
                self.batches += 1
                batch_lines: list[Lines] = []
                for pass_ in plan.passes:
                    for variant, frame in self._evaluate(plan, pass_, batch):
                        for stream, lines in self._variant_lines(variant, frame):
                            if len(lines):
                                batch_lines.append(self._stream_lines(stream, lines))
                self._emit(batch_lines)
        data = b""
        if self.sink is None:
            held = distinct_across(list(self.held))
            self.held = []
            buffer = io.BytesIO()
            total = sum(len(part) for part in held)
            if total:
                _write_lines(buffer, [part for part in held if len(part)])
            data = buffer.getvalue()
            self.written = total
        reader_problems = [p for table in _unique_tables(self.tables) for p in table.problems]
        return MappingResult(
            ntriples=data,
            triple_count=self.written,
            problems=reader_problems + self.problems.finish(),
            source_columns=self._source_columns(),
            exact_deduplication=self.sink is None or self.batches <= len(self.plans),
            lineage_factory=self._lineage,
        )

    def _source_columns(self) -> dict[tuple[str, str], tuple[str, ...]]:
        result: dict[tuple[str, str], tuple[str, ...]] = {}
        for plan in self.plans:
            tm = plan.triples_map
            melt_columns = self.planner.melt_columns(tm)
            for pom in tm.predicate_objects:
                columns: dict[str, None] = {}
                for obj in pom.objects:
                    terms = [j.child for j in obj.joins] if isinstance(obj, RefObjectMap) else [obj]
                    for term in terms:
                        columns.update(dict.fromkeys(self.planner.source_columns_of(term, melt_columns)))
                for predicate in pom.predicates:
                    if isinstance(predicate, Constant):
                        key = (tm.name, predicate.value)
                        result[key] = tuple(dict.fromkeys([*result.get(key, ()), *columns]))
        return result

    def _lineage(self) -> pl.DataFrame:
        pieces = []
        for plan in self.plans:
            for batch in self._batches(plan):
                for variant, frame in self._evaluate(plan, plan.passes[0], batch, checks=False):
                    subject = variant.subject.expr
                    pieces.append(
                        frame.select(
                            subject.str.strip_prefix("<").str.strip_suffix(">").alias("subject"),
                            pl.lit(plan.triples_map.name).alias("rule"),
                            pl.lit(plan.table.file).alias("file"),
                            pl.col(ROW_COLUMN).cast(pl.UInt32).alias("row"),
                            pl.lit(variant.melt_column, dtype=pl.String).alias("column"),
                        )
                        .filter(pl.col("subject").is_not_null())
                        .unique(maintain_order=True)
                        .cast(LINEAGE_SCHEMA)  # type: ignore[arg-type]
                    )
        if not pieces:
            return pl.DataFrame(schema=LINEAGE_SCHEMA)
        return pl.concat(pieces)


def _write_lines(sink: BinaryIO, parts: list[Lines]) -> None:
    """Write lines, one per line, UTF-8 (polars' CSV writer with one unquoted column writes them verbatim)."""
    frames = [pl.DataFrame({"line": part.text}) for part in parts]
    pl.concat(frames, rechunk=False).write_csv(sink, include_header=False, quote_style="never")


def _unique_tables(tables: Mapping[str, SourceTable]) -> list[SourceTable]:
    seen: dict[int, SourceTable] = {}
    for table in tables.values():
        seen.setdefault(id(table), table)
    return list(seen.values())


def tables_for(rule_set: RuleSet, table: SourceTable | Mapping[str, SourceTable]) -> dict[str, SourceTable]:
    """The table of every logical source: one table serves all, or a mapping gives one per source key."""
    if isinstance(table, SourceTable):
        return {src.key: table for src in rule_set.sources}
    missing = [src.key for src in rule_set.sources if src.key not in table]
    if missing:
        raise MappingRuleError(
            f"{rule_set.file}: no table given for logical source(s) {', '.join(missing)}",
            f"{rule_set.file}: 논리 소스 {', '.join(missing)}의 표가 주어지지 않았습니다",
            hint="pass one SourceTable per logical source key",
        )
    return {src.key: table[src.key] for src in rule_set.sources}


def execute(
    rule_set: RuleSet,
    table: SourceTable | Mapping[str, SourceTable],
    *,
    dataset_graph: str | None = None,
    sink: BinaryIO | None = None,
    batch_rows: int | None = None,
    area_index: AreaIndex | None = None,
) -> MappingResult:
    """Map source rows to RDF with a (checked) rule set.

    - ``table``: the source table, or one table per logical source key (rule sets with joins between files).
    - ``dataset_graph``: the named graph for statements whose rule gives no graph; ``None`` = default graph
      (plain N-Triples).
    - ``sink``: write N-Triples there as it is produced instead of holding it (``ntriples`` is then empty).
    - ``batch_rows``: rows per batch (default: sized so a batch yields about two million lines).
    - ``area_index``: district and dong boundaries for ``kgf:districtCode``/``kgf:dongCode`` (default: the
      committed reference areas, loaded only if those functions are used).

    Raises :class:`~kg_service.errors.MappingRuleError` when the rules read columns the table lacks or name
    unknown functions; bad cells are problems in the result, never exceptions.
    """
    tables = tables_for(rule_set, table)
    run = _Run(
        rule_set, tables, dataset_graph=dataset_graph, sink=sink, batch_rows=batch_rows, area_index=area_index
    )
    return run.run()


__all__ = ["LINES_PER_BATCH", "MappingResult", "distinct_lines", "execute", "tables_for"]
