"""The one internal rule model that every accepted mapping syntax compiles to.

YARRRML (:mod:`kg_service.mapping.yarrrml`) and RML Turtle (:mod:`kg_service.mapping.rml`) are only front ends:
each turns its file into a :class:`RuleSet` made of the frozen dataclasses below, and only this model is checked
(:mod:`kg_service.mapping.rule_check`) and executed (:mod:`kg_service.mapping.executor`), the way Morph-KGC
normalises every mapping dialect before running it.

A rule set says, for each *triples map*, how one row of a logical source becomes a subject, its classes and its
predicate-object pairs. Values come from *term maps*:

- :class:`Constant` — the same IRI or literal for every row;
- :class:`Reference` — the value of one column;
- :class:`Template` — text with ``{column}`` parts (values are percent-encoded when the result is an IRI);
- :class:`FunctionCall` — a function of the library (:mod:`kg_service.mapping.functions`) applied to other
  term maps;
- :class:`RowBlankNode` — a fresh blank node per row.

Every element keeps the :class:`SourceLocation` it was written at, so a message can say "mappings/x.yaml line 12".
Locations do not take part in equality: two rule files that say the same thing compile to equal models.

>>> t = Template(parts=(TemplateText("https://data.seoul.go.kr/cps/id/sensor/"), TemplateColumn("시리얼")))
>>> t.columns
('시리얼',)
>>> str(SourceLocation("mappings/sdot.yaml", 12, 5))
'mappings/sdot.yaml line 12, column 5'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias

from kg_service.mapping.source_spec import SourceSpec

RDF_TYPE: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
KGF: Final = "https://data.seoul.go.kr/cps/fn#"
"""Namespace of the function library (prefix ``kgf:``)."""

RML_DEFAULT_GRAPH: Final = "http://w3id.org/rml/defaultGraph"
"""A graph map with this constant puts triples in the default graph (RML ``rml:defaultGraph``)."""

MELT_PREFIX: Final = "__melt."
MELT_COLUMN: Final = "__melt.column"
"""Melted rows: the name of the source column the row's value came from."""
MELT_VALUE: Final = "__melt.value"
"""Melted rows: the value of that column."""

NATURAL_DATATYPE_PREFIX: Final = "__datatype."
"""A reader that knows a value's native type (a JSON number or boolean) may add a companion column
``__datatype.<column>`` holding the XSD datatype IRI; a reference to ``<column>`` without a declared datatype then
produces a typed literal, as RML's natural RDF literal mapping asks."""

TermType = Literal["iri", "blank", "literal"]
IriEncoding = Literal["uri", "iri", "none"]
"""How template values are made safe inside an IRI: ``uri`` percent-encodes everything but RFC 3986 unreserved
characters (the service's instance IRIs); ``iri`` also keeps non-ASCII letters (RFC 3987, RML ``rml:IRI``);
``none`` inserts values as they are (RML ``rml:UnsafeIRI``)."""


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a rule element was written: file, 1-based line and column, and a path inside the document."""

    file: str
    line: int | None = None
    column: int | None = None
    context: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f" line {self.line}"
            if self.column is not None:
                text += f", column {self.column}"
        if self.context:
            text += f" ({self.context})"
        return text

    def ko(self) -> str:
        """The location in Korean word order (``파일 12행 5열``)."""
        text = self.file
        if self.line is not None:
            text += f" {self.line}행"
            if self.column is not None:
                text += f" {self.column}열"
        if self.context:
            text += f" ({self.context})"
        return text


UNKNOWN_LOCATION: Final = SourceLocation("<rules>")


# --- term maps -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateText:
    """A constant piece of a template."""

    text: str


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    """A ``{column}`` piece of a template."""

    column: str


TemplatePart: TypeAlias = TemplateText | TemplateColumn


@dataclass(frozen=True, kw_only=True)
class TermMapBase:
    """What every term map has: the kind of term it makes, an optional datatype or language, its location.

    ``datatype_map`` and ``language_map`` compute the datatype IRI or language tag per row (RML
    ``rml:datatypeMap`` / ``rml:languageMap``); ``datatype`` and ``language`` are the constant forms.
    """

    term_type: TermType = "iri"
    datatype: str | None = None
    language: str | None = None
    datatype_map: TermMap | None = None
    language_map: TermMap | None = None
    iri_encoding: IriEncoding = "uri"
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class Constant(TermMapBase):
    """The same IRI, blank node label or literal for every row."""

    value: str


@dataclass(frozen=True, kw_only=True)
class Reference(TermMapBase):
    """The value of one column (``$(column)`` in YARRRML, ``rml:reference`` in RML)."""

    column: str


@dataclass(frozen=True, kw_only=True)
class Template(TermMapBase):
    """Constant text and column values, concatenated; a row with a null value in any column makes no term."""

    parts: tuple[TemplatePart, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the template reads, in order."""
        return tuple(p.column for p in self.parts if isinstance(p, TemplateColumn))


@dataclass(frozen=True, kw_only=True)
class FunctionArgument:
    """One argument of a function call: the parameter's name and the term map giving its value."""

    parameter: str
    value: TermMap
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class FunctionCall(TermMapBase):
    """A function of the library applied to arguments (each itself a term map, often a constant)."""

    function: str
    arguments: tuple[FunctionArgument, ...] = ()

    def argument(self, parameter: str) -> TermMap | None:
        """The term map given for ``parameter`` (the first one, when repeated), or ``None``."""
        for arg in self.arguments:
            if arg.parameter == parameter:
                return arg.value
        return None


@dataclass(frozen=True, kw_only=True)
class RowBlankNode(TermMapBase):
    """A fresh blank node for every row (a subject map with term type blank node and no expression)."""


TermMap: TypeAlias = Constant | Reference | Template | FunctionCall | RowBlankNode


# --- triples maps ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class JoinCondition:
    """Rows join when the child map's value (this triples map) equals the parent map's value."""

    child: TermMap
    parent: TermMap
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class RefObjectMap:
    """The object is the subject of another triples map (``parent``), for rows meeting every join condition.

    Without join conditions both maps must read the same logical source and the same row gives both terms.
    """

    parent: str
    joins: tuple[JoinCondition, ...] = ()
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)


ObjectMap: TypeAlias = TermMap | RefObjectMap


@dataclass(frozen=True, kw_only=True)
class PredicateObjectMap:
    """Every predicate paired with every object, in every graph given (plus the subject's graphs)."""

    predicates: tuple[TermMap, ...]
    objects: tuple[ObjectMap, ...]
    graphs: tuple[TermMap, ...] = ()
    skip_when_empty: tuple[TermMap, ...] = ()
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class MeltColumn:
    """One wide column to melt, with the constant values its melted rows carry (``property``, ``unit``, …)."""

    column: str
    constants: tuple[tuple[str, str], ...] = ()
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)

    def constant(self, key: str) -> str | None:
        """The constant called ``key`` for this column, or ``None``."""
        return dict(self.constants).get(key)


@dataclass(frozen=True, kw_only=True)
class Melt:
    """Unpivot: one wide row becomes one row per listed column.

    Melted rows have the columns :data:`MELT_COLUMN` (the source column's name), :data:`MELT_VALUE` (its value)
    and ``__melt.<key>`` for each constant key. Rows whose value is blank are dropped unless ``keep_empty``.
    """

    name: str
    columns: tuple[MeltColumn, ...]
    keep_empty: bool = False
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)

    @property
    def constant_keys(self) -> tuple[str, ...]:
        """Every constant key used by any column, in first-seen order."""
        keys: dict[str, None] = {}
        for col in self.columns:
            for key, _ in col.constants:
                keys.setdefault(key, None)
        return tuple(keys)

    @property
    def output_columns(self) -> tuple[str, ...]:
        """The columns a melted row has beyond the source's own."""
        return (MELT_COLUMN, MELT_VALUE, *(MELT_PREFIX + key for key in self.constant_keys))


@dataclass(frozen=True, kw_only=True)
class DerivedColumn:
    """A named value computed per row (usually a function call) that templates can use like a column."""

    name: str
    value: TermMap
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class LogicalSource:
    """What a triples map iterates over: the input file's description and the key its table is passed under."""

    key: str
    spec: SourceSpec
    path: str | None = None
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class TriplesMap:
    """How one row of ``logical_source`` becomes triples about one subject."""

    name: str
    subject: TermMap
    logical_source: str
    classes: tuple[str, ...] = ()
    predicate_objects: tuple[PredicateObjectMap, ...] = ()
    graphs: tuple[TermMap, ...] = ()
    melt: str | None = None
    skip_when_empty: tuple[TermMap, ...] = ()
    base_iri: str | None = None
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class LookupTable:
    """A code table written in the rule file (``lookups:``), used by ``kgf:lookup``."""

    name: str
    entries: tuple[tuple[str, str], ...]
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)

    def as_dict(self) -> dict[str, str]:
        """The entries as a dictionary."""
        return dict(self.entries)


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    """A whole rule file in the internal model.

    ``required_columns`` must exist in the source header; ``declared_columns`` (optional) lists the columns the
    author expects, which also disambiguates ``$(…)`` references whose names contain parentheses.
    ``column_alternatives`` pairs a column name the rules use with other names the same field has in some files
    (``MSRMT_DT`` ← ``MSRDT``: a field an API renamed); see :meth:`alternative_renames`.
    """

    name: str
    file: str
    sources: tuple[LogicalSource, ...]
    triples_maps: tuple[TriplesMap, ...]
    prefixes: Mapping[str, str] = field(default_factory=dict)
    base_iri: str | None = None
    melts: tuple[Melt, ...] = ()
    derived_columns: tuple[DerivedColumn, ...] = ()
    lookups: tuple[LookupTable, ...] = ()
    required_columns: tuple[str, ...] = ()
    declared_columns: tuple[str, ...] = ()
    column_alternatives: tuple[tuple[str, tuple[str, ...]], ...] = ()
    location: SourceLocation = field(default=UNKNOWN_LOCATION, compare=False, repr=False)

    @property
    def source(self) -> SourceSpec:
        """The spec of the first (for YARRRML files usually the only) logical source."""
        return self.sources[0].spec

    def logical_source(self, key: str) -> LogicalSource:
        """The logical source called ``key`` (``KeyError`` when there is none)."""
        for src in self.sources:
            if src.key == key:
                return src
        raise KeyError(key)

    def triples_map(self, name: str) -> TriplesMap:
        """The triples map called ``name`` (``KeyError`` when there is none)."""
        for tm in self.triples_maps:
            if tm.name == name:
                return tm
        raise KeyError(name)

    def melt(self, name: str) -> Melt:
        """The melt called ``name`` (``KeyError`` when there is none)."""
        for m in self.melts:
            if m.name == name:
                return m
        raise KeyError(name)

    def lookup_tables(self) -> dict[str, dict[str, str]]:
        """The rule file's lookup tables by name."""
        return {t.name: t.as_dict() for t in self.lookups}

    def derived(self) -> dict[str, DerivedColumn]:
        """The derived columns by name."""
        return {d.name: d for d in self.derived_columns}

    def alternative_renames(self, header: Sequence[str]) -> dict[str, str]:
        """Header column → the name the rules use, for each rule name the header lacks but has an alternative of.

        The first alternative present wins; a header that has the rules' own name keeps it.

        >>> rules = RuleSet(name="x", file="x.yaml", sources=(), triples_maps=(),
        ...                 column_alternatives=(("MSRMT_DT", ("MSRDT",)), ("PM", ("PM10",))))
        >>> rules.alternative_renames(["MSRDT", "PM", "PM10"])
        {'MSRDT': 'MSRMT_DT'}
        """
        present = set(header)
        renames: dict[str, str] = {}
        for name, alternatives in self.column_alternatives:
            if name in present:
                continue
            found = next((alt for alt in alternatives if alt in present and alt not in renames), None)
            if found is not None:
                renames[found] = name
        return renames


# --- walking the model -----------------------------------------------------------------------------------------


def nested_term_maps(term: TermMap) -> Iterator[TermMap]:
    """``term`` and every term map inside it (function arguments, datatype and language maps), depth first."""
    yield term
    if isinstance(term, FunctionCall):
        for arg in term.arguments:
            yield from nested_term_maps(arg.value)
    if term.datatype_map is not None:
        yield from nested_term_maps(term.datatype_map)
    if term.language_map is not None:
        yield from nested_term_maps(term.language_map)


def referenced_columns(term: TermMap) -> tuple[str, ...]:
    """Every column name ``term`` reads (directly or through functions and datatype/language maps), in order.

    >>> referenced_columns(FunctionCall(function=KGF + "decimal", arguments=(
    ...     FunctionArgument(parameter="value", value=Reference(column="기온 (℃)")),)))
    ('기온 (℃)',)
    """
    seen: dict[str, None] = {}
    for node in nested_term_maps(term):
        if isinstance(node, Reference):
            seen.setdefault(node.column, None)
        elif isinstance(node, Template):
            for col in node.columns:
                seen.setdefault(col, None)
    return tuple(seen)


def term_maps_of(tm: TriplesMap) -> Iterator[tuple[str, TermMap]]:
    """Every top-level term map of a triples map with a short role label (for checks and messages)."""
    yield "subject", tm.subject
    for g in tm.graphs:
        yield "graph", g
    for t in tm.skip_when_empty:
        yield "skip_when_empty", t
    for pom in tm.predicate_objects:
        for p in pom.predicates:
            yield "predicate", p
        for o in pom.objects:
            if isinstance(o, RefObjectMap):
                for j in o.joins:
                    yield "join child", j.child
            else:
                yield "object", o
        for g in pom.graphs:
            yield "graph", g
        for t in pom.skip_when_empty:
            yield "skip_when_empty", t
