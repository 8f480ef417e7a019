"""Checks of a rule set before any data is mapped: what the rules say, against the ontology and the file header.

Syntax errors (YAML, Turtle, templates, unknown keys and prefixes) are raised while a rule file is read; this
module checks the model that came out of it:

- every function exists, gets its required parameters, no unknown ones, constants where constants are needed
  (a factor, a table name, an EPSG code) and valid constant values;
- term types make sense (no literal subjects or graphs, no constant blank nodes), language tags are well formed,
  datatypes are IRIs, JSONPath iterators are well formed;
- mapping references, melts and derived columns exist, derived columns do not refer to themselves;
- a class, property or individual in the ``cps:`` namespace is declared in the ontology (``ontology_terms``);
- with the source header known, every referenced column exists ("did you mean" for near misses) and every
  ``required`` column is present.

All issues are collected; :func:`check_rules` raises one :class:`RuleCheckError` listing them, each with file,
line and what to fix, in English and Korean.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kg_service.errors import MappingRuleError
from kg_service.mapping.function_library.lookups import BUILT_IN_TABLES
from kg_service.mapping.functions import resolve_function
from kg_service.mapping.rules import (
    KGF,
    MELT_COLUMN,
    MELT_PREFIX,
    MELT_VALUE,
    RDF_TYPE,
    Constant,
    DerivedColumn,
    FunctionCall,
    Melt,
    Reference,
    RefObjectMap,
    RuleSet,
    SourceLocation,
    Template,
    TermMap,
    TriplesMap,
    nested_term_maps,
    referenced_columns,
    term_maps_of,
)
from kg_service.mapping.source_table import ROW_COLUMN
from kg_service.mapping.terms import IRI_FORBIDDEN, is_absolute_iri, is_language_tag
from kg_service.vocab import CPS

CPS_NAMESPACE: Final = str(CPS)
_JSONPATH_ITERATOR: Final = re.compile(
    r"^\$(?:\.\.?(?:[A-Za-z_][\w\-]*|\*)|\[(?:\*|\d+|'[^']*'|\"[^\"]*\")\])*$"
)
MAX_LISTED_ISSUES: Final = 20

SourceColumns = Sequence[str] | Mapping[str, Sequence[str]]
"""The header of the (only) source, or the header of each logical source by key."""


@dataclass(frozen=True, slots=True)
class RuleIssue:
    """One thing wrong with a rule set, where it was written and what to do."""

    location: SourceLocation
    message_en: str
    message_ko: str
    hint: str = ""
    suggestion_en: str = ""
    suggestion_ko: str = ""

    def __str__(self) -> str:
        tail = f"; {self.suggestion_en}" if self.suggestion_en else ""
        return f"{self.message_en} at {self.location}{tail}"

    def korean(self) -> str:
        """The issue in Korean with its location."""
        tail = f". {self.suggestion_ko}" if self.suggestion_ko else ""
        return f"{self.location.ko()}: {self.message_ko}{tail}"


class RuleCheckError(MappingRuleError):
    """A rule set failed its checks; ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[RuleIssue]) -> None:
        self.issues = list(issues)
        shown = self.issues[:MAX_LISTED_ISSUES]
        more = len(self.issues) - len(shown)
        if len(shown) == 1:
            en, ko = str(shown[0]), shown[0].korean()
        else:
            en = f"{len(self.issues)} problems in the mapping rules: " + "; ".join(
                f"{i}) {issue}" for i, issue in enumerate(shown, 1)
            )
            ko = f"매핑 규칙에 문제 {len(self.issues)}건: " + "; ".join(
                f"{i}) {issue.korean()}" for i, issue in enumerate(shown, 1)
            )
            if more:
                en += f"; and {more} more"
                ko += f"; 외 {more}건"
        hints = "; ".join(dict.fromkeys(i.hint for i in shown if i.hint))
        super().__init__(en, ko, hint=hints)


def _normalised(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


def suggest_column(name: str, columns: Collection[str]) -> str | None:
    """The header column ``name`` most likely meant (same letters ignoring spaces and width, or close).

    >>> suggest_column("미세먼지(㎍/㎥)", ["초미세먼지 (㎍/㎥)", "미세먼지 (㎍/㎥)"])
    '미세먼지 (㎍/㎥)'
    """
    wanted = _normalised(name)
    for column in columns:
        if _normalised(column) == wanted:
            return column
    close = difflib.get_close_matches(name, list(columns), n=1, cutoff=0.6)
    return close[0] if close else None


def load_ontology_terms(ontology_dir: Path) -> frozenset[str]:
    """IRIs declared in the ontology files (subjects of ``rdf:type`` statements in ``ontology_dir/*.ttl``)."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    graph = Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return frozenset(str(s) for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef))


class _RuleChecker:
    def __init__(
        self, rule_set: RuleSet, ontology_terms: Collection[str] | None, source_columns: SourceColumns | None
    ) -> None:
        self.rule_set = rule_set
        self.ontology_terms = ontology_terms
        self.source_columns = source_columns
        self.issues: list[RuleIssue] = []
        self.derived = rule_set.derived()
        self.tables = {t.name for t in rule_set.lookups}

    def add(
        self,
        location: SourceLocation,
        en: str,
        ko: str,
        hint: str = "",
        suggestion: tuple[str, str] = ("", ""),
    ) -> None:
        self.issues.append(RuleIssue(location, en, ko, hint, suggestion[0], suggestion[1]))

    # --- IRIs ---------------------------------------------------------------------------------------------------

    def ontology_term(self, iri: str, location: SourceLocation, role: str) -> None:
        if self.ontology_terms is None or not iri.startswith(CPS_NAMESPACE) or iri in self.ontology_terms:
            return
        local = iri[len(CPS_NAMESPACE) :]
        declared = [t[len(CPS_NAMESPACE) :] for t in self.ontology_terms if t.startswith(CPS_NAMESPACE)]
        close = difflib.get_close_matches(local, declared, n=1)
        hint = f"did you mean cps:{close[0]}?" if close else "add the term to ontology/ or fix the name"
        self.add(
            location,
            f"{role} cps:{local} is not declared in the ontology",
            f"{role} cps:{local}은(는) 온톨로지에 선언되어 있지 않습니다",
            hint,
        )

    def constant_iri(self, value: str, location: SourceLocation, role: str) -> None:
        base = self.rule_set.base_iri
        if not is_absolute_iri(value) and not base:
            self.add(
                location,
                f"{role} '{value}' is not an absolute IRI and the rule file has no base",
                f"{role} '{value}'은(는) 절대 IRI가 아니고 규칙 파일에 base가 없습니다",
                "write a full IRI or a declared prefix",
            )
        elif re.search(IRI_FORBIDDEN, value):
            self.add(
                location,
                f"{role} '{value}' contains characters not allowed in an IRI",
                f"{role} '{value}'에 IRI에 쓸 수 없는 문자가 있습니다",
                "percent-encode spaces and quotes",
            )
        self.ontology_term(value, location, role)

    # --- term maps ----------------------------------------------------------------------------------------------

    def term(self, term: TermMap, role: str, tm: TriplesMap) -> None:
        for node in nested_term_maps(term):
            self._node(node, role if node is term else "argument", tm)

    def _node(self, node: TermMap, role: str, tm: TriplesMap) -> None:
        loc = node.location
        if role in ("subject", "predicate", "graph") and node.term_type == "literal":
            self.add(
                loc,
                f"a {role} cannot be a literal",
                f"{role}은(는) 리터럴일 수 없습니다",
                f"make the {role} an IRI",
            )
        if role in ("predicate", "graph") and node.term_type == "blank":
            self.add(
                loc,
                f"a {role} cannot be a blank node",
                f"{role}은(는) 빈 노드일 수 없습니다",
                f"make the {role} an IRI",
            )
        if isinstance(node, Constant):
            if node.term_type == "blank":
                self.add(
                    loc,
                    "a constant cannot be a blank node",
                    "상수는 빈 노드일 수 없습니다",
                    "use a template or an IRI",
                )
            elif node.term_type == "iri":
                self.constant_iri(node.value, loc, role)
        if node.language is not None and not is_language_tag(node.language):
            self.add(
                loc,
                f"'{node.language}' is not a valid language tag",
                f"'{node.language}'은(는) 올바른 언어 태그가 아닙니다",
                "use a tag such as ko, en or en-GB",
            )
        if node.language is not None and node.datatype is not None:
            self.add(
                loc,
                "a literal has either a language or a datatype, not both",
                "리터럴에는 언어와 데이터 타입 중 하나만 줄 수 있습니다",
                "",
            )
        if node.datatype is not None and not is_absolute_iri(node.datatype):
            self.add(
                loc,
                f"datatype '{node.datatype}' is not an IRI",
                f"데이터 타입 '{node.datatype}'은(는) IRI가 아닙니다",
                "write for example xsd:decimal",
            )
        if (
            node.datatype or node.language or node.datatype_map or node.language_map
        ) and node.term_type != "literal":
            self.add(
                loc,
                "only literals have a datatype or language",
                "데이터 타입·언어는 리터럴에만 줄 수 있습니다",
                "",
            )
        if isinstance(node, FunctionCall):
            self.function(node)
        if isinstance(node, Reference | Template):
            for column in referenced_columns(node):
                self.column(column, loc, tm)

    def function(self, call: FunctionCall) -> None:
        spec = resolve_function(call.function)
        loc = call.location
        if spec is None:
            name = call.function.replace(KGF, "kgf:")
            self.add(
                loc,
                f"unknown function '{name}'",
                f"알 수 없는 함수 '{name}'",
                "see mappings/README.md for the function library (kgf:decimal, kgf:koreanDateHour, …)",
            )
            return
        given: dict[str, int] = {}
        constants: dict[str, str] = {}
        for arg in call.arguments:
            param = spec.parameter(arg.parameter)
            if param is None:
                known = ", ".join(p.name for p in spec.parameters)
                self.add(
                    arg.location,
                    f"function kgf:{spec.name} has no parameter '{arg.parameter}'",
                    f"함수 kgf:{spec.name}에 매개변수 '{arg.parameter}'가 없습니다",
                    f"parameters: {known}",
                )
                continue
            given[param.name] = given.get(param.name, 0) + 1
            if given[param.name] > 1 and not param.repeatable:
                self.add(
                    arg.location,
                    f"parameter '{param.name}' of kgf:{spec.name} is given twice",
                    f"kgf:{spec.name}의 매개변수 '{param.name}'가 두 번 주어졌습니다",
                    "",
                )
            if param.role == "constant":
                if not isinstance(arg.value, Constant):
                    self.add(
                        arg.location,
                        f"parameter '{param.name}' of kgf:{spec.name} must be a constant, not a column",
                        f"kgf:{spec.name}의 매개변수 '{param.name}'는 열이 아니라 상수여야 합니다",
                        "write the value itself, for example 0.1",
                    )
                else:
                    constants[param.name] = arg.value.value
        missing = [p.name for p in spec.parameters if p.required and p.name not in given]
        if missing:
            count = sum(given.values())
            needed = sum(1 for p in spec.parameters if p.required)
            self.add(
                loc,
                f"kgf:{spec.name} needs {', '.join(missing)} ({count} argument(s) given, {needed} required)",
                f"kgf:{spec.name}에 {', '.join(missing)} 값이 필요합니다 ({count}개 주어짐, {needed}개 필요)",
                f"parameters: {', '.join(p.name for p in spec.parameters)}",
            )
        if spec.check_constants is not None:
            tables = {*self.tables, *BUILT_IN_TABLES}
            for param_name, en, ko in spec.check_constants(constants, tables):
                self.add(
                    loc, f"kgf:{spec.name} {param_name}: {en}", f"kgf:{spec.name} {param_name}: {ko}", ""
                )

    def column(self, column: str, location: SourceLocation, tm: TriplesMap) -> None:
        if column.startswith(MELT_PREFIX):
            if tm.melt is None:
                self.add(
                    location,
                    f"'{column}' is used but mapping '{tm.name}' has no melt",
                    f"'{column}'을(를) 썼지만 매핑 '{tm.name}'에 melt가 없습니다",
                    "add 'melt:' to the mapping",
                )
                return
            melt = self._melt(tm)
            if (
                melt is not None
                and column not in (MELT_COLUMN, MELT_VALUE)
                and column[len(MELT_PREFIX) :] not in melt.constant_keys
            ):
                self.add(
                    location,
                    f"melt '{melt.name}' has no constant '{column[len(MELT_PREFIX) :]}'",
                    f"melt '{melt.name}'에 상수 '{column[len(MELT_PREFIX) :]}'가 없습니다",
                    f"constants: {', '.join(melt.constant_keys) or 'none'}",
                )
            return
        if column in self.derived or column == ROW_COLUMN:
            return
        self.source_column(column, location, tm.logical_source)

    def header(self, source_key: str | None) -> Sequence[str] | None:
        if self.source_columns is None or isinstance(self.source_columns, Sequence):
            return self.source_columns
        if source_key is None:
            source_key = self.rule_set.sources[0].key if self.rule_set.sources else ""
        return self.source_columns.get(source_key)

    def source_column(
        self, column: str, location: SourceLocation, source_key: str | None = None, *, required: bool = False
    ) -> None:
        header = self.header(source_key)
        if header is None or column in header:
            return
        suggestion = suggest_column(column, header)
        en = (
            f"required column '{column}' is missing from the file"
            if required
            else f"unknown column '{column}'"
        )
        ko = f"필수 열 '{column}'이(가) 파일에 없습니다" if required else f"알 수 없는 열 '{column}'"
        self.add(
            location,
            en,
            ko,
            "column names must match the file's header exactly (spaces and brackets included)",
            (f"did you mean '{suggestion}'?", f"'{suggestion}'을(를) 뜻했나요?") if suggestion else ("", ""),
        )

    def _melt(self, tm: TriplesMap) -> Melt | None:
        try:
            return self.rule_set.melt(tm.melt) if tm.melt else None
        except KeyError:
            return None

    # --- the rule set -------------------------------------------------------------------------------------------

    def run(self) -> list[RuleIssue]:
        rs = self.rule_set
        for source in rs.sources:
            if (
                source.spec.kind == "json"
                and source.spec.iterator
                and not _JSONPATH_ITERATOR.match(source.spec.iterator)
            ):
                self.add(
                    source.location,
                    f"'{source.spec.iterator}' is not a JSONPath iterator this service reads",
                    f"'{source.spec.iterator}'은(는) 읽을 수 있는 JSONPath 반복자가 아닙니다",
                    "write for example $.IotVdata017.row[*]",
                )
        for column in rs.required_columns:
            self.source_column(column, rs.location, required=True)
        for melt in rs.melts:
            users: list[str | None] = [tm.logical_source for tm in rs.triples_maps if tm.melt == melt.name]
            for mc in melt.columns:
                for source_key in users or [None]:
                    self.source_column(mc.column, mc.location, source_key)
                for _key, value in mc.constants:
                    if value.startswith(CPS_NAMESPACE):
                        self.ontology_term(value, mc.location, "melt constant")
        for derived in rs.derived_columns:
            if derived.name in referenced_columns(derived.value) or self._derived_cycle(derived.name):
                self.add(
                    derived.location,
                    f"derived column '{derived.name}' refers to itself",
                    f"파생 열 '{derived.name}'이(가) 자기 자신을 참조합니다",
                    "",
                )
        names = [tm.name for tm in rs.triples_maps]
        for tm in rs.triples_maps:
            self.triples_map(tm, names)
        return self.issues

    def _derived_cycle(self, start: str) -> bool:
        seen: set[str] = set()
        stack = [start]
        while stack:
            name = stack.pop()
            derived = self.derived.get(name)
            if derived is None:
                continue
            for column in referenced_columns(derived.value):
                if column == start:
                    return True
                if column in self.derived and column not in seen:
                    seen.add(column)
                    stack.append(column)
        return False

    def triples_map(self, tm: TriplesMap, names: Sequence[str]) -> None:
        if tm.melt is not None and self._melt(tm) is None:
            self.add(
                tm.location,
                f"mapping '{tm.name}' uses unknown melt '{tm.melt}'",
                f"매핑 '{tm.name}'이(가) 알 수 없는 melt '{tm.melt}'를 씁니다",
                "",
            )
        self.term(tm.subject, "subject", tm)
        for derived in self._derived_used(tm):
            self.term(derived.value, "derived column", tm)
        for cls in tm.classes:
            self.constant_iri(cls, tm.location, "class")
        for g in tm.graphs:
            self.term(g, "graph", tm)
        for t in tm.skip_when_empty:
            self.term(t, "skip_when_empty", tm)
        for pom in tm.predicate_objects:
            is_type = any(isinstance(p, Constant) and p.value == RDF_TYPE for p in pom.predicates)
            for p in pom.predicates:
                self.term(p, "predicate", tm)
            for g in pom.graphs:
                self.term(g, "graph", tm)
            for t in pom.skip_when_empty:
                self.term(t, "skip_when_empty", tm)
            for obj in pom.objects:
                if isinstance(obj, RefObjectMap):
                    self.ref_object(obj, tm, names)
                else:
                    self.term(obj, "class" if is_type else "object", tm)

    def _derived_used(self, tm: TriplesMap) -> list[DerivedColumn]:
        used: dict[str, None] = {}
        pending = [c for _, t in term_maps_of(tm) for c in referenced_columns(t)]
        while pending:
            column = pending.pop()
            if column in self.derived and column not in used:
                used[column] = None
                pending.extend(referenced_columns(self.derived[column].value))
        return [self.derived[name] for name in used]

    def ref_object(self, obj: RefObjectMap, tm: TriplesMap, names: Sequence[str]) -> None:
        if obj.parent not in names:
            close = difflib.get_close_matches(obj.parent, list(names), n=1)
            self.add(
                obj.location,
                f"unknown mapping '{obj.parent}'",
                f"알 수 없는 매핑 '{obj.parent}'",
                f"did you mean '{close[0]}'?" if close else "",
            )
            return
        parent = self.rule_set.triples_map(obj.parent)
        if not obj.joins and (parent.logical_source != tm.logical_source or parent.melt != tm.melt):
            self.add(
                obj.location,
                f"mapping '{obj.parent}' reads another source; a join condition is needed",
                f"매핑 '{obj.parent}'은(는) 다른 소스를 읽으므로 조인 조건이 필요합니다",
                "add condition: {function: equal, parameters: [[str1, $(child column)], [str2, $(parent column)]]}",
            )
        for join in obj.joins:
            self.term(join.child, "join child", tm)
            self.term(join.parent, "join parent", parent)


def find_rule_issues(
    rule_set: RuleSet,
    *,
    ontology_terms: Collection[str] | None = None,
    source_columns: SourceColumns | None = None,
) -> list[RuleIssue]:
    """Every issue of ``rule_set`` (empty when it is fine). See the module docstring for what is checked."""
    return _RuleChecker(rule_set, ontology_terms, source_columns).run()


def check_rules(
    rule_set: RuleSet,
    *,
    ontology_terms: Collection[str] | None = None,
    source_columns: SourceColumns | None = None,
) -> None:
    """Raise :class:`RuleCheckError` listing every issue of ``rule_set``; return quietly when there is none.

    ``ontology_terms``: IRIs declared in the ontology (see :func:`load_ontology_terms`); ``None`` skips the
    ontology check. ``source_columns``: the file's header (or each logical source's header by key); ``None``
    skips the column checks.
    """
    issues = find_rule_issues(rule_set, ontology_terms=ontology_terms, source_columns=source_columns)
    if issues:
        raise RuleCheckError(issues)
