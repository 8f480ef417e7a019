"""Value comparison as pySHACL decides it, for the range constraints the engine cannot decide in SPARQL.

``sh:minInclusive`` and friends compile to native SPARQL comparisons only where Oxigraph and Python agree
(integer/decimal against an integer/decimal bound, double against a double bound, both lexically valid). Any
other value comes back to Python and is decided here with pySHACL's own rule (rdflib's ``Literal.eq`` and
ordering), after the engine's XSD lexical check (departure ``xsd-lexical-space``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pyoxigraph as ox
import rdflib

from kg_service.validation.terms import OxTerm, to_rdflib, unprotect
from kg_service.validation.xsd import is_valid_lexical


def range_decider(bound: rdflib.Literal, operator: str) -> Callable[[OxTerm], bool]:
    """pySHACL's range comparison (``compare_literal``), after this engine's XSD lexical check."""

    def decide(term: OxTerm) -> bool:
        if not isinstance(term, ox.Literal):
            return False
        written = unprotect(term)
        value = to_rdflib(written, normalize=True)
        assert isinstance(written, ox.Literal) and isinstance(value, rdflib.Literal)
        # XSD says ill-typed where rdflib found a value: the comparison fails (departure "xsd-lexical-space").
        # Where rdflib too finds no value, pySHACL's own ordering of ill-typed literals decides.
        if not value.ill_typed and not is_valid_lexical(written.value, written.datatype.value):
            return False
        return range_holds(value, bound, operator)

    return decide


def range_holds(value: rdflib.Literal, bound: rdflib.Literal, operator: str) -> bool:
    """Whether ``value operator bound`` holds the way pySHACL's range components decide it."""
    if isinstance(bound.value, str) != isinstance(value.value, str):
        return False
    try:
        order = _compare_literal(value, bound)
    except (TypeError, NotImplementedError):
        return False
    return {">": order > 0, ">=": order >= 0, "<": order < 0, "<=": order <= 0}[operator]


def _compare_literal(left: rdflib.Literal, right: rdflib.Literal) -> int:
    if left.eq(right):
        return 0
    if left.value.__class__ in (dt.datetime, dt.time):
        if left.value == right.value:
            return 0
        if left.value > right.value:
            return 1
    elif left > right:
        return 1
    return -1
