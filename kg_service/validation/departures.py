"""Where the engine knowingly differs from pySHACL, the reference semantics (each with the test that shows it).

Apart from these, the engine's results are identical to pySHACL's (same focus node, path, value, source shape,
constraint component and severity); the tests compare them on every constraint, on random data, and on the
W3C SHACL test suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Departure:
    """One known difference from pySHACL."""

    key: str
    summary: str
    detail: str
    test: str


DEPARTURES: Final[tuple[Departure, ...]] = (
    Departure(
        "xsd-lexical-space",
        "Literals outside their XSD lexical space are ill-typed (sh:datatype violation; range constraints fail).",
        "rdflib accepts '2024-05-01 13:00:00+09:00'^^xsd:dateTime (space for T), a dateTime without seconds, "
        "'1_000' and ' 12' as xsd:integer, 'NaN' as xsd:decimal, and does not check xsd:gYear, xsd:gMonthDay, "
        "xsd:language, xsd:token or xsd:normalizedString; the engine follows XSD 1.1 (kg_service.validation.xsd). "
        "Conversely XSD 1.1 forms Python cannot represent (year 10000, 24:00:00) are valid here.",
        "tests/test_validation_engine.py::test_xsd_departure_datetime",
    ),
    Departure(
        "engine-only-functions",
        "SHACL-SPARQL constraints that call registered custom functions run only in the engine.",
        "pySHACL cannot call pyoxigraph custom functions such as cps:fn/inSeoul; validate_with_pyshacl refuses "
        "such shapes (EngineOnlyShapeError) or leaves them out with skip_engine_only=True, and the engine refuses "
        "to build if such a shape would have to fall back to pySHACL.",
        "tests/test_validation_engine.py::test_custom_function_is_engine_only",
    ),
    Departure(
        "literal-identity",
        "Typed literals are compared as written (RDF term equality), not after rdflib's canonicalisation.",
        "rdflib rewrites some lexical forms when it parses ('01'^^xsd:integer becomes '1'), so pySHACL finds "
        "'01' in sh:in ( 1 ) and reports '1' as the value. With N-Triples input the engine compares and reports "
        "the literal as submitted. Also: a simple literal and the same string typed xsd:string are one term "
        "(RDF 1.1), and language tags are compared and reported in lower case.",
        "tests/test_validation_engine.py::test_literal_identity_departure",
    ),
    Departure(
        "sparql-solutions",
        "Every solution of a SHACL-SPARQL query is a result, also when the query does not project $this.",
        "pySHACL drops solutions in which none of ?this, ?path, ?value is projected; SHACL section 5.3.2 makes "
        "each solution a result with $this as focus node.",
        "tests/test_validation_engine.py::test_sparql_unprojected_this",
    ),
    Departure(
        "sparql-checked-when-built",
        "SHACL-SPARQL queries that break section 5.3.1 (MINUS, VALUES, SERVICE, AS $this, …) are refused when "
        "the engine is built.",
        "pySHACL raises only when it first runs the query on a focus node.",
        "tests/test_validation_engine.py::test_unsupported_sparql_refused_when_built",
    ),
    Departure(
        "duplicate-results",
        "Identical results are reported once.",
        "pySHACL can repeat a result when a property shape is reached through several value nodes of a "
        "parent property shape; the engine's report is a set of results.",
        "tests/test_validation_engine.py::test_nested_property_shapes",
    ),
    Departure(
        "sparql-evaluation",
        "SHACL-SPARQL queries are evaluated by Oxigraph (SPARQL 1.1), on literals as Oxigraph stores them.",
        "rdflib's query engine evaluates top-down and departs from SPARQL 1.1 in places: a BIND inside a "
        "nested group or UNION branch ignores an outer binding of the same variable (so a table of ranges written "
        "as UNION branches of BINDs, as in shapes/observations.ttl, matches every row under pySHACL), and it "
        "orders ill-typed literals where comparing them is an error. Oxigraph keeps valid numbers and dates in canonical form ('1.0E1'^^xsd:double is "
        "'10', rdflib makes it '10.0') and stores xsd:int, xsd:byte and the other integer-derived types as "
        "xsd:integer, so STR() of such literals and values bound by sh:sparql queries can differ. Core "
        "constraints are not affected: they see literals as written.",
        "tests/test_validation_engine.py::test_sparql_evaluation_departures",
    ),
)
