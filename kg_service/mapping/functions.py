"""The function library of the mapping rules: declared names, parameters, output datatypes, vectorised bodies.

A function is applied to whole columns at once. Its body receives polars expressions for its value parameters
and plain strings for its constant parameters, and returns an expression for the result plus the *issues* it can
find (each a boolean mask over rows with a bilingual message). The executor materialises the result column,
evaluates the masks and turns the flagged rows into :class:`~kg_service.mapping.source_table.CellProblem` records
that name file, row, column and value. A function never emits an invalid literal: a value it cannot read becomes
null (no triple) and, unless it was simply blank, a problem.

Functions are named by IRI in the ``kgf:`` namespace (:data:`~kg_service.mapping.rules.KGF`); rule files may
also write the bare local name (``decimal``). A few GREL names are accepted as aliases for portability.

>>> spec = resolve_function("https://data.seoul.go.kr/cps/fn#koreanDateHour")
>>> spec.name, [p.name for p in spec.parameters], spec.output_datatype
('koreanDateHour', ['date', 'hour'], 'http://www.w3.org/2001/XMLSchema#dateTime')
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Final, Literal

import polars as pl

from kg_service.mapping.rules import KGF
from kg_service.mapping.source_table import Severity

if TYPE_CHECKING:
    from kg_service.spatial import AreaIndex

GREL: Final = "http://users.ugent.be/~bjdmeest/function/grel.ttl#"


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of a function.

    ``role`` is ``value`` (a column, template or constant per row) or ``constant`` (must be written as a constant
    in the rule file: a factor, a table name, an EPSG code). A ``repeatable`` parameter may be given several times.
    """

    name: str
    role: Literal["value", "constant"] = "value"
    required: bool = True
    repeatable: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class FunctionIssue:
    """A problem a function can find in a row whose output is null.

    Issues are checked only on rows where the function produced no value (so a mask may be as costly as it
    likes: it never sees the well-formed majority). ``mask`` receives the function's output column and returns
    ``True`` for problem rows; rows where it is false for every issue (typically blank input) are silently empty.
    ``parameter`` names the argument whose column and value the problem reports. Messages may contain
    ``{value}``, replaced by the cell's value.
    """

    mask: Callable[[pl.Expr], pl.Expr]
    parameter: str
    code: str
    message_en: str
    message_ko: str
    severity: Severity = "error"


@dataclass(frozen=True, slots=True)
class FunctionOutput:
    """The result expression of a function call and the issues to check on it."""

    value: pl.Expr
    issues: tuple[FunctionIssue, ...] = ()


@dataclass(frozen=True, slots=True)
class FunctionInputs:
    """What a function body receives: expressions for value parameters, strings for constant parameters."""

    values: Mapping[str, tuple[pl.Expr, ...]]
    constants: Mapping[str, str]
    lookups: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    area_index: AreaIndex | None = None
    """Boundaries for ``kgf:districtCode``/``kgf:dongCode`` (``None``: the committed reference areas)."""

    def value(self, name: str) -> pl.Expr:
        """The expression of a single value parameter (a null literal when it was not given)."""
        given = self.values.get(name)
        return given[0] if given else pl.lit(None, dtype=pl.String)

    def constant(self, name: str, default: str | None = None) -> str | None:
        """The constant given for ``name``, or ``default``."""
        return self.constants.get(name, default)


ConstantCheck = Callable[[Mapping[str, str], Collection[str]], list[tuple[str, str, str]]]
"""Checks a call's constant arguments before any data is read, given the names of the rule file's lookup
tables; returns ``(parameter, message_en, message_ko)`` for each problem."""


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """A declared function: name, parameters, output, documentation and its vectorised body."""

    name: str
    parameters: tuple[Parameter, ...]
    body: Callable[[FunctionInputs], FunctionOutput]
    output_datatype: str | None = None
    output_is_iri: bool = False
    ntriples_safe: bool = False
    """The output never contains a character that needs escaping in N-Triples (numbers, dates)."""
    summary_en: str = ""
    summary_ko: str = ""
    example: str = ""
    check_constants: ConstantCheck | None = None

    @property
    def iri(self) -> str:
        """The function's IRI in the ``kgf:`` namespace."""
        return KGF + self.name

    def parameter(self, name: str) -> Parameter | None:
        """The parameter called ``name`` (matched on its local name), or ``None``."""
        local = local_name(name)
        return next((p for p in self.parameters if p.name == local), None)


def local_name(iri_or_name: str) -> str:
    """The part after the last ``#``, ``/`` or ``:`` (``kgf:value`` → ``value``).

    >>> local_name("https://data.seoul.go.kr/cps/fn#decimal"), local_name("kgf:value"), local_name("hour")
    ('decimal', 'value', 'hour')
    """
    for sep in ("#", "/", ":"):
        if sep in iri_or_name:
            iri_or_name = iri_or_name.rsplit(sep, 1)[1]
    return iri_or_name


def is_blank(expr: pl.Expr) -> pl.Expr:
    """True where a value is missing: null, empty or only whitespace."""
    return expr.is_null() | ~expr.str.contains(r"\S")


@cache
def function_library() -> Mapping[str, FunctionSpec]:
    """Every function by IRI (``kgf:`` names plus the GREL aliases). Built on first use."""
    from kg_service.mapping.function_library import (
        areas,
        departments,
        geometry,
        lookups,
        numeric,
        sdot_air,
        temporal,
        text,
    )

    specs: dict[str, FunctionSpec] = {}
    for module in (numeric, temporal, geometry, areas, lookups, text, sdot_air, departments):
        for spec in module.SPECS:
            specs[spec.iri] = spec
    for alias, name in text.GREL_ALIASES.items():
        specs[GREL + alias] = specs[KGF + name]
    return specs


def resolve_function(name: str) -> FunctionSpec | None:
    """The function named by a full IRI or a bare local name (``decimal``), or ``None``."""
    library = function_library()
    if name in library:
        return library[name]
    if ":" not in name:
        return library.get(KGF + name)
    return None


def parameter_for(spec: FunctionSpec, given: str, position: int) -> Parameter | None:
    """The parameter an argument is for: by name, or by ``position`` when the name is empty (inline calls).

    A repeatable parameter takes every positional argument from its position on (``kgf:concat($(a), $(b))``);
    parameters after it must be named. GREL's generic ``valueParameter`` names the first parameter.
    """
    if not given:
        for index, param in enumerate(spec.parameters):
            if param.repeatable and position >= index:
                return param  # a repeatable parameter takes every remaining positional argument
            if index == position:
                return param
        return None
    if local_name(given) == "valueParameter" and spec.parameters:
        return spec.parameters[0]
    return spec.parameter(given)
