"""Compiling term maps of the rule model into polars expressions over a source frame.

One :class:`TermCompiler` serves one triples map in one *variant*: the plain rows, or — for a melted map — the
rows of one melted column, where ``__melt.value`` is that column and the ``__melt.*`` constants are literals
folded into the expressions (so melting never copies the frame). A variant compiler hands every term that does
not depend on the melted column to the *shared* compiler of its triples map, so such work (percent-encoding the
sensor serial, parsing the date and hour) is done once per row, not once per melted column.

Function results and validated values are *materialised*: each becomes a named column computed in a stage
(``with_columns``), so later expressions and the problem checks read it without recomputing. A :class:`Check`
says: where this materialised output is null although its input was present, report these issues.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import polars as pl

from kg_service.errors import MappingRuleError
from kg_service.mapping.functions import FunctionInputs, is_blank, resolve_function
from kg_service.mapping.rules import (
    MELT_COLUMN,
    MELT_PREFIX,
    MELT_VALUE,
    NATURAL_DATATYPE_PREFIX,
    RML_DEFAULT_GRAPH,
    XSD,
    Constant,
    FunctionCall,
    IriEncoding,
    MeltColumn,
    Reference,
    RowBlankNode,
    RuleSet,
    Template,
    TemplateText,
    TermMap,
    TriplesMap,
    referenced_columns,
)
from kg_service.mapping.source_table import ROW_COLUMN, Severity
from kg_service.mapping.terms import (
    ABSOLUTE_IRI,
    IRI_FORBIDDEN,
    LEXICAL_EXAMPLES,
    blank_label,
    blank_labels,
    encode_for_iri,
    escape_literal,
    is_absolute_iri,
    ntriples_literal,
    percent_encode,
    valid_lexical,
)

if TYPE_CHECKING:
    from kg_service.spatial import AreaIndex

_NULL: Final = pl.lit(None, dtype=pl.String)
_LANGUAGE_PATTERN: Final = r"^(?:[A-Za-z]{2,8}|[xXiI])(?:-[A-Za-z0-9]{1,8})*$"

Piece = str | pl.Expr
"""Part of a line or term: literal text (merged with its neighbours) or an expression."""


@dataclass(frozen=True)
class CheckIssue:
    """One kind of problem to report on a check's candidate rows."""

    mask: pl.Expr | None
    column: str | None
    value: pl.Expr
    code: str
    message_en: str
    message_ko: str
    severity: Severity = "error"


@dataclass(frozen=True)
class Check:
    """Candidate rows: ``output`` is null although ``present`` holds. Each issue's mask picks its rows."""

    output: str
    present: pl.Expr
    issues: tuple[CheckIssue, ...]


@dataclass
class Compiled:
    """An expression and the stage after which every column it reads exists (0 = source columns only)."""

    expr: pl.Expr
    level: int
    constant: str | None = None
    """The value when it is the same for every row (folded into the surrounding text)."""
    never_blank: bool = False
    """The value is null or has content (outputs of number and date functions), so blank means null."""


def concat(pieces: Sequence[Piece]) -> pl.Expr:
    """Concatenate pieces, merging neighbouring text; null if any expression is null."""
    merged: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + piece
        else:
            merged.append(piece)
    exprs = [pl.lit(p, dtype=pl.String) if isinstance(p, str) else p for p in merged]
    if len(exprs) == 1:
        return exprs[0]
    return pl.concat_str(exprs)


def _piece(compiled: Compiled) -> Piece:
    return compiled.constant if compiled.constant is not None else compiled.expr


@dataclass
class TermCompiler:
    """Compiles the term maps of one triples map for one variant (see the module docstring)."""

    rule_set: RuleSet
    triples_map: TriplesMap
    plan_index: int
    schema: Mapping[str, pl.DataType]
    melt_column: MeltColumn | None = None
    melt_index: int | None = None
    shared: TermCompiler | None = None
    area_index: AreaIndex | None = None
    stages: list[list[tuple[str, pl.Expr]]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    _cache: dict[tuple[str, TermMap], Compiled] = field(default_factory=dict)
    _melt_memo: dict[TermMap, bool] = field(default_factory=dict)
    _counter: int = 0

    @property
    def base_iri(self) -> str | None:
        return self.triples_map.base_iri or self.rule_set.base_iri

    @property
    def prefix(self) -> str:
        tag = "s" if self.melt_index is None else f"v{self.melt_index}"
        return f"__t{self.plan_index}{tag}_"

    # --- bookkeeping --------------------------------------------------------------------------------------------

    def materialise(self, expr: pl.Expr, level: int) -> Compiled:
        """Compute ``expr`` as a named column in stage ``level``; return a reference usable from ``level + 1``."""
        self._counter += 1
        name = f"{self.prefix}{self._counter}"
        while len(self.stages) <= level:
            self.stages.append([])
        self.stages[level].append((name, expr))
        return Compiled(pl.col(name), level + 1)

    def depends_on_melt(self, term: TermMap) -> bool:
        """Whether ``term`` reads ``__melt.*`` columns (directly or through derived columns)."""
        if term in self._melt_memo:
            return self._melt_memo[term]
        self._melt_memo[term] = False  # guards against derived columns that refer to themselves
        derived = self.rule_set.derived()
        result = False
        for column in referenced_columns(term):
            if column.startswith(MELT_PREFIX):
                result = True
            elif column in derived and derived[column].value != term:
                result = self.depends_on_melt(derived[column].value)
            if result:
                break
        self._melt_memo[term] = result
        return result

    def _delegate(self, term: TermMap) -> bool:
        return self.shared is not None and not self.depends_on_melt(term)

    def _from_shared(self, compiled: Compiled) -> Compiled:
        return Compiled(compiled.expr, 0, compiled.constant, compiled.never_blank)

    # --- columns ------------------------------------------------------------------------------------------------

    def column(self, name: str) -> tuple[Compiled, str | None]:
        """A column by name (source, ``__melt.*`` or derived) and the source column to report problems on."""
        if name.startswith(MELT_PREFIX):
            if self.melt_column is None:
                raise MappingRuleError(
                    f"{self.triples_map.location}: '{name}' is used but mapping '{self.triples_map.name}' has no melt",
                    f"{self.triples_map.location.ko()}: '{name}'을(를) 썼지만 매핑 '{self.triples_map.name}'에 melt가 없습니다",
                    hint="add 'melt:' to the mapping or remove the __melt reference",
                )
            if name == MELT_VALUE:
                return Compiled(pl.col(self.melt_column.column), 0), self.melt_column.column
            if name == MELT_COLUMN:
                return Compiled(pl.lit(self.melt_column.column), 0, self.melt_column.column), None
            value = self.melt_column.constant(name[len(MELT_PREFIX) :])
            return (
                Compiled(pl.lit(value, dtype=pl.String), 0, value)
                if value is not None
                else Compiled(_NULL, 0)
            ), None
        derived = self.rule_set.derived().get(name)
        if derived is not None:
            columns = referenced_columns(derived.value)
            report = self.column(columns[0])[1] if columns else None
            return self.value(derived.value), report
        return Compiled(pl.col(name), 0), name

    # --- raw values ---------------------------------------------------------------------------------------------

    def value(self, term: TermMap) -> Compiled:
        """The raw value of ``term`` (lexical form, or IRI text with template values percent-encoded)."""
        if self._delegate(term):
            assert self.shared is not None
            return self._from_shared(self.shared.value(term))
        key = ("value", term)
        if key in self._cache:
            return self._cache[key]
        compiled = self._value(term)
        self._cache[key] = compiled
        return compiled

    def _value(self, term: TermMap) -> Compiled:
        if isinstance(term, Constant):
            return Compiled(pl.lit(term.value, dtype=pl.String), 0, term.value)
        if isinstance(term, Reference):
            return self.column(term.column)[0]
        if isinstance(term, Template):
            return self._template(term)
        if isinstance(term, FunctionCall):
            return self._function(term)
        return self._row_blank()

    def _row_blank(self) -> Compiled:
        parts: list[Piece] = [f"r{self.plan_index}x", pl.col(ROW_COLUMN).cast(pl.String)]
        if self.melt_index is not None:
            parts.append(f"x{self.melt_index}")
        return Compiled(concat(parts), 0)

    def _template(self, term: Template) -> Compiled:
        pieces: list[Piece] = []
        level = 0
        for part in term.parts:
            if isinstance(part, TemplateText):
                pieces.append(part.text)
                continue
            compiled = self.column(part.column)[0]
            level = max(level, compiled.level)
            if term.term_type == "iri":
                if compiled.constant is not None:
                    pieces.append(percent_encode(compiled.constant, term.iri_encoding))
                    continue
                compiled = self._encoded(part.column, term.iri_encoding)
                level = max(level, compiled.level)
            pieces.append(_piece(compiled))
        if all(isinstance(p, str) for p in pieces):
            text = "".join(p for p in pieces if isinstance(p, str))
            return Compiled(pl.lit(text), 0, text)
        return Compiled(concat(pieces), level)

    def _encoded(self, column: str, encoding: IriEncoding) -> Compiled:
        """The percent-encoded column, materialised once per scope and encoding."""
        probe = Reference(column=column, iri_encoding=encoding)
        if self._delegate(probe):
            assert self.shared is not None
            return self._from_shared(self.shared._encoded(column, encoding))
        key = ("encoded", probe)
        if key not in self._cache:
            compiled = self.column(column)[0]
            self._cache[key] = self.materialise(encode_for_iri(compiled.expr, encoding), compiled.level)
        return self._cache[key]

    def _function(self, call: FunctionCall) -> Compiled:
        spec = resolve_function(call.function)
        if spec is None:
            raise MappingRuleError(
                f"{call.location}: unknown function '{call.function}'",
                f"{call.location.ko()}: 알 수 없는 함수 '{call.function}'",
                hint="see mappings/README.md for the function library",
            )
        values: dict[str, list[pl.Expr]] = {}
        constants: dict[str, str] = {}
        sources: dict[str, tuple[pl.Expr, str | None]] = {}
        level = 0
        folded = True
        for arg in call.arguments:
            param = spec.parameter(arg.parameter)
            if param is not None and param.role == "constant":
                if isinstance(arg.value, Constant):
                    constants[param.name] = arg.value.value
                continue
            compiled = self.value(arg.value)
            level = max(level, compiled.level)
            folded = folded and compiled.constant is not None
            name = param.name if param is not None else arg.parameter
            values.setdefault(name, []).append(compiled.expr)
            report = self._report_column(arg.value)
            sources.setdefault(name, (compiled.expr, report))
        output = spec.body(
            FunctionInputs(
                values={k: tuple(v) for k, v in values.items()},
                constants=constants,
                lookups=self.rule_set.lookup_tables(),
                area_index=self.area_index,
            )
        )
        if folded:
            # Every input is the same on every row (melt constants): compute the value once.
            value = pl.select(output.value.alias("v")).to_series()[0] if values else None
            if value is None:
                return Compiled(_NULL, 0)
            return Compiled(pl.lit(str(value)), 0, str(value), spec.ntriples_safe)
        result = self.materialise(output.value, level)
        result = Compiled(result.expr, result.level, None, spec.ntriples_safe)
        if output.issues:
            present = (
                pl.any_horizontal([~is_blank(expr) for expr, _ in sources.values()])
                if sources
                else pl.lit(False)
            )
            issues = []
            for issue in output.issues:
                expr, report = sources.get(issue.parameter, (_NULL, None))
                issues.append(
                    CheckIssue(
                        mask=issue.mask(result.expr).fill_null(False),
                        column=report,
                        value=expr,
                        code=issue.code,
                        message_en=issue.message_en,
                        message_ko=issue.message_ko,
                        severity=issue.severity,
                    )
                )
            self.checks.append(Check(_name_of(result.expr), present, tuple(issues)))
        return result

    def _report_column(self, term: TermMap) -> str | None:
        for column in referenced_columns(term):
            report = self.column(column)[1]
            if report is not None:
                return report
        return None

    # --- N-Triples terms ----------------------------------------------------------------------------------------

    def term(self, term: TermMap, role: str) -> Compiled:
        """``term`` in N-Triples form (``<iri>``, ``_:label``, ``"literal"^^<dt>``); null where no term is made."""
        if self._delegate(term):
            assert self.shared is not None
            return self._from_shared(self.shared.term(term, role))
        key = ("term", term)
        if key in self._cache:
            return self._cache[key]
        if term.term_type == "iri":
            compiled = self._iri(term, role)
        elif term.term_type == "blank":
            compiled = self._blank(term)
        else:
            compiled = self._literal(term, role)
        if (
            compiled.constant is None
            and self.shared is None
            and self.melt_index is None
            and not isinstance(term, Constant)
        ):
            # In a shared scope (or an unmelted map) keep terms used by several lines as columns.
            compiled = self.materialise(compiled.expr, compiled.level)
        self._cache[key] = compiled
        return compiled

    def _resolve_relative(self, text: str) -> str:
        if is_absolute_iri(text) or not self.base_iri:
            return text
        return self.base_iri + text

    def _iri(self, term: TermMap, role: str) -> Compiled:
        if isinstance(term, Constant):
            iri = self._resolve_relative(term.value)
            return Compiled(pl.lit(f"<{iri}>"), 0, f"<{iri}>")
        raw = self.value(term)
        if raw.constant is not None:
            iri = self._resolve_relative(raw.constant)
            return Compiled(pl.lit(f"<{iri}>"), 0, f"<{iri}>")
        expr = raw.expr
        statically_absolute = (
            isinstance(term, Template)
            and bool(term.parts)
            and isinstance(term.parts[0], TemplateText)
            and is_absolute_iri(term.parts[0].text)
        )
        if not statically_absolute and self.base_iri:
            expr = (
                pl.when(expr.str.contains(ABSOLUTE_IRI))
                .then(expr)
                .otherwise(pl.concat_str([pl.lit(self.base_iri), expr]))
            )
        needs_check = not (isinstance(term, Template) and term.iri_encoding != "none" and statically_absolute)
        if needs_check:
            checked = pl.when(expr.str.contains(ABSOLUTE_IRI) & ~expr.str.contains(IRI_FORBIDDEN)).then(expr)
            validated = self.materialise(checked, raw.level)
            self._add_validity_check(
                validated,
                raw.expr,
                term,
                code="invalid-iri",
                en=f"'{{value}}' does not make a valid IRI for the {role}",
                ko=f"'{{value}}'(으)로는 {role}의 올바른 IRI를 만들 수 없습니다",
            )
            return Compiled(concat(["<", validated.expr, ">"]), validated.level)
        return Compiled(concat(["<", expr, ">"]), raw.level)

    def _blank(self, term: TermMap) -> Compiled:
        if isinstance(term, Constant):
            label = f"_:{blank_label(term.value)}"
            return Compiled(pl.lit(label), 0, label)
        raw = self.value(term)
        if isinstance(term, RowBlankNode):
            return Compiled(concat(["_:", raw.expr]), raw.level)
        return Compiled(concat(["_:", blank_labels(raw.expr)]), raw.level)

    def _literal(self, term: TermMap, role: str) -> Compiled:
        if isinstance(term, Constant) and term.datatype_map is None and term.language_map is None:
            text = ntriples_literal(term.value, term.datatype, term.language)
            return Compiled(pl.lit(text), 0, text)
        raw = self.value(term)
        value = raw.expr
        level = raw.level
        trusted = self._trusted(term)
        if term.datatype is not None and not trusted:
            stripped = value.str.strip_chars()
            ok = valid_lexical(stripped, term.datatype)
            if ok is not None:
                validated = self.materialise(pl.when(ok).then(stripped), level)
                example = LEXICAL_EXAMPLES.get(term.datatype, "")
                short = term.datatype.replace(XSD, "xsd:")
                self._add_validity_check(
                    validated,
                    value,
                    term,
                    code="invalid-literal",
                    en=f"'{{value}}' is not a valid {short} (for example {example})",
                    ko=f"'{{value}}'은(는) 올바른 {short} 값이 아닙니다 (예: {example})",
                    blank_is_missing=True,
                )
                value, level = validated.expr, validated.level
        escaped = value if trusted else escape_literal(value)
        quoted: list[Piece] = ['"', escaped, '"']
        if term.language is not None:
            return Compiled(concat([*quoted, f"@{term.language}"]), level)
        if term.language_map is not None:
            lang = self.value(term.language_map)
            checked = self.materialise(
                pl.when(lang.expr.str.contains(_LANGUAGE_PATTERN)).then(lang.expr), lang.level
            )
            self._add_validity_check(
                checked,
                lang.expr,
                term.language_map,
                code="invalid-language-tag",
                en="'{value}' is not a valid language tag (for example ko or en-GB)",
                ko="'{value}'은(는) 올바른 언어 태그가 아닙니다 (예: ko, en-GB)",
            )
            return Compiled(concat([*quoted, "@", checked.expr]), max(level, checked.level))
        if term.datatype is not None:
            return Compiled(concat([*quoted, f"^^<{term.datatype}>"]), level)
        if term.datatype_map is not None:
            datatype = self._iri(term.datatype_map, "datatype")
            return Compiled(concat([*quoted, "^^", _piece(datatype)]), max(level, datatype.level))
        if isinstance(term, Reference):
            natural = NATURAL_DATATYPE_PREFIX + term.column
            if natural in self.schema:
                suffix = (
                    pl.when(pl.col(natural).is_not_null())
                    .then(pl.concat_str([pl.lit("^^<"), pl.col(natural), pl.lit(">")]))
                    .otherwise(pl.lit(""))
                )
                return Compiled(concat([*quoted, suffix]), level)
        return Compiled(concat(quoted), level)

    def _trusted(self, term: TermMap) -> bool:
        """Whether the value comes from a function that already guarantees a safe, canonical lexical form."""
        call = term
        if isinstance(term, Reference):
            derived = self.rule_set.derived().get(term.column)
            if derived is None:
                return False
            call = derived.value
        if not isinstance(call, FunctionCall):
            return False
        spec = resolve_function(call.function)
        return spec is not None and spec.ntriples_safe and spec.output_datatype == term.datatype

    def _add_validity_check(
        self,
        validated: Compiled,
        raw: pl.Expr,
        term: TermMap,
        *,
        code: str,
        en: str,
        ko: str,
        blank_is_missing: bool = False,
    ) -> None:
        present = ~is_blank(raw) if blank_is_missing else raw.is_not_null()
        issue = CheckIssue(
            mask=None,
            column=self._report_column(term),
            value=raw,
            code=code,
            message_en=en,
            message_ko=ko,
        )
        self.checks.append(Check(_name_of(validated.expr), present, (issue,)))

    # --- rows to keep -------------------------------------------------------------------------------------------

    def keep(self, terms: Sequence[TermMap]) -> Compiled | None:
        """True where every term has a non-blank value (``skip_when_empty``); ``None`` when there are none."""
        if not terms:
            return None
        conditions = [self.value(t) for t in terms]
        expr = pl.all_horizontal(
            [c.expr.is_not_null() if c.never_blank else ~is_blank(c.expr) for c in conditions]
        )
        return Compiled(expr, max(c.level for c in conditions))

    def graph_terms(self, graphs: Sequence[TermMap], default: str | None) -> list[Compiled | None]:
        """Graph terms; ``None`` stands for the default graph (or ``default`` when given)."""
        result: list[Compiled | None] = []
        for g in graphs:
            if isinstance(g, Constant) and g.value == RML_DEFAULT_GRAPH:
                result.append(Compiled(pl.lit(f"<{default}>"), 0, f"<{default}>") if default else None)
            else:
                result.append(self.term(g, "graph"))
        return result


def _name_of(expr: pl.Expr) -> str:
    return expr.meta.output_name()


__all__ = ["Check", "CheckIssue", "Compiled", "TermCompiler", "concat"]
