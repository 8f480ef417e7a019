"""The compiled validation engine against pySHACL, the reference: identical results apart from the departures.

Every compiled constraint is checked on small data with violations (the plan must say the shape runs
natively, the results must equal pySHACL's), random data graphs are checked against a fixed set of shapes
(hypothesis), and each departure in ``kg_service.validation.departures`` has its own test here.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node
from shapely.geometry import box

from kg_service.validation import (
    DEPARTURES,
    EngineOnlyShapeError,
    ShapesGraphError,
    ValidationEngine,
    ValidationReport,
    ValidationResult,
    validate_with_pyshacl,
)
from kg_service.validation.functions import IN_SEOUL, within
from kg_service.validation.oracle import results_from_pyshacl
from kg_service.validation.paths import path_from_text, path_to_text, read_path
from kg_service.validation.terms import term_from_text, term_text
from kg_service.validation.xsd import RULES, XSD_NS, is_valid_lexical, sparql_valid_lexical
from kg_service.vocab import SH

EX = Namespace("http://example.org/")
PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

Key = tuple[Node, str, Node | None, Node, str, str]


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal it parses; these tests make many on purpose."""
    logging.disable(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


def turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def normal(term: Node | None) -> Node | None:
    """rdflib's canonical form of a literal, so both sides compare after the same normalisation."""
    if isinstance(term, Literal):
        return Literal(
            str(term), datatype=term.datatype, lang=term.language.lower() if term.language else None
        )
    return term


def keys(report: ValidationReport) -> set[Key]:
    return {
        (
            normal(term_from_text(r.focus_node)),  # type: ignore[misc]
            r.result_path or "",
            normal(term_from_text(r.value)) if r.value is not None else None,
            term_from_text(r.source_shape),
            r.source_constraint_component,
            r.custom_severity or r.severity,
        )
        for r in report.results
    }


def compare(shapes: Graph, data: Graph) -> tuple[ValidationReport, ValidationReport]:
    ours = ValidationEngine(shapes).validate(data)
    theirs = validate_with_pyshacl(shapes, data)
    assert keys(ours) == keys(theirs), (
        f"only ours: {keys(ours) - keys(theirs)}\nonly pySHACL: {keys(theirs) - keys(ours)}"
    )
    assert ours.conforms == theirs.conforms
    return ours, theirs


def components(report: ValidationReport) -> set[str]:
    return {r.source_constraint_component.removeprefix(str(SH)) for r in report.results}


# --- one case per compiled constraint ---------------------------------------------------------------------

DATA = """
ex:Sensor rdfs:subClassOf ex:Device .
ex:s1 a ex:Sensor ; ex:serial "V02Q1940043" ; ex:installed "2020-01-01"^^xsd:date ; ex:count 3 ;
      ex:value "12.5"^^xsd:decimal ; ex:label "센서"@ko , "sensor"@en ; ex:site ex:site1 ; ex:kind ex:pm .
ex:s2 a ex:Sensor ; ex:serial "x" , "y" ; ex:installed "2020-13-01"^^xsd:date ; ex:count "3"^^xsd:string ;
      ex:value 5000 , "abc"^^xsd:decimal ; ex:label "a"@en , "b"@en ; ex:site "site" ; ex:kind ex:noise ;
      ex:extra "e" .
ex:s3 a ex:Device ; ex:value "-1"^^xsd:double ; ex:site [ a ex:Site ] ; ex:label "c"@en-US .
ex:site1 a ex:Site ; ex:inverse ex:s1 .
ex:s4 a ex:Sensor ; ex:serial "V02Q0000001" ; ex:value 7 ; ex:equal ex:s4 ; ex:other ex:pm ; ex:kind ex:pm .
"""

CONSTRAINT_CASES: dict[str, str] = {
    "class": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:site ; sh:class ex:Site ] .",
    "class-node": "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:value ; sh:class ex:Sensor .",
    "datatype-decimal": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:value ; sh:datatype xsd:decimal ] .",
    "datatype-date": "ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ; sh:property [ sh:path ex:installed ; sh:datatype xsd:date ] .",
    "datatype-string": "ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ; sh:property [ sh:path ex:count ; sh:datatype xsd:string ] .",
    "datatype-langString": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path [ sh:alternativePath ( ex:label ex:serial ) ] ; sh:datatype rdf:langString ] .",
    "datatype-literal": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:site ; sh:datatype rdfs:Literal ] .",
    "nodeKind-IRI": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:site ; sh:nodeKind sh:IRI ] .",
    "nodeKind-BlankNodeOrLiteral": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:site ; sh:nodeKind sh:BlankNodeOrLiteral ] .",
    "nodeKind-node": "ex:S a sh:NodeShape ; sh:targetObjectsOf ex:site ; sh:nodeKind sh:IRIOrLiteral .",
    "minCount": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:serial ; sh:minCount 1 ] .",
    "minCount-2": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:serial ; sh:minCount 2 ] .",
    "maxCount": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:serial ; sh:maxCount 1 ] .",
    "maxCount-0": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:extra ; sh:maxCount 0 ] .",
    "min-max-count-same-path": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ;
        sh:property [ sh:path ex:value ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer ] ,
                    [ sh:path ex:value ; sh:maxInclusive 1000 ] .""",
    "minInclusive-integer": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:value ; sh:minInclusive 0 ] .",
    "maxInclusive-decimal": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:value ; sh:maxInclusive 1000.0 ] .",
    "minExclusive-double": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:value ; sh:minExclusive 0.0e0 ] .",
    "maxExclusive-date": 'ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:installed ; sh:maxExclusive "2021-01-01"^^xsd:date ] .',
    "range-string": 'ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:serial ; sh:minInclusive "W" ] .',
    "minLength": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:serial ; sh:minLength 2 ] .",
    "maxLength-iri-bnode": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:site ; sh:maxLength 24 ] .",
    "pattern-portable": 'ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:serial ; sh:pattern "^V02Q[0-9]{7}$" ] .',
    "pattern-python": 'ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:serial ; sh:pattern "^\\\\w\\\\d" ] .',
    "pattern-flags": 'ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:serial ; sh:pattern "^v02q" ; sh:flags "i" ] .',
    "pattern-iri": 'ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:site ; sh:pattern "site1$" ] .',
    "languageIn": 'ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:label ; sh:languageIn ( "en" ) ] .',
    "languageIn-wildcard": 'ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:site ; sh:languageIn ( "*" ) ] .',
    "uniqueLang": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:label ; sh:uniqueLang true ] .",
    "in": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:kind ; sh:in ( ex:pm ex:temperature ) ] .",
    "in-literals": 'ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:value ; sh:in ( 7 "12.5"^^xsd:decimal ) ] .',
    "hasValue": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:kind ; sh:hasValue ex:pm ] .",
    "hasValue-node": "ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ; sh:hasValue ex:s1 .",
    "equals": "ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ; sh:property [ sh:path ex:kind ; sh:equals ex:other ] .",
    "equals-node": "ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ; sh:equals ex:equal .",
    "disjoint": "ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ; sh:property [ sh:path ex:kind ; sh:disjoint ex:other ] .",
    "closed": """ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
        sh:property [ sh:path ex:serial ] , [ sh:path ex:installed ] , [ sh:path ex:count ] , [ sh:path ex:value ] .""",
    "node": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:site ; sh:node ex:SiteShape ] .
        ex:SiteShape a sh:NodeShape ; sh:class ex:Site ; sh:property [ sh:path ex:inverse ; sh:minCount 1 ] .""",
    "not": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:not ex:HasSerial .
        ex:HasSerial a sh:NodeShape ; sh:property [ sh:path ex:serial ; sh:minCount 1 ] .""",
    "and": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:and ( ex:A1 ex:A2 ) .
        ex:A1 sh:property [ sh:path ex:serial ; sh:minCount 1 ] . ex:A2 sh:property [ sh:path ex:value ; sh:maxCount 1 ] .""",
    "or": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:or ( ex:A1 ex:A2 ) .
        ex:A1 sh:property [ sh:path ex:serial ; sh:minCount 2 ] . ex:A2 sh:property [ sh:path ex:label ; sh:minCount 1 ] .""",
    "qualified": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ;
        sh:property [ sh:path ex:label ; sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ; sh:qualifiedMinCount 1 ;
                      sh:qualifiedMaxCount 1 ] .""",
    "qualified-disjoint": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ;
        sh:property [ sh:path ex:site ; sh:qualifiedValueShape [ sh:class ex:Site ] ; sh:qualifiedMinCount 1 ;
                      sh:qualifiedValueShapesDisjoint true ] ,
                    [ sh:path ex:site ; sh:qualifiedValueShape [ sh:nodeKind sh:IRI ] ; sh:qualifiedMaxCount 0 ;
                      sh:qualifiedValueShapesDisjoint true ] .""",
    "xone": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:xone ( ex:A1 ex:A2 ) .
        ex:A1 sh:property [ sh:path ex:serial ; sh:minCount 1 ] . ex:A2 sh:property [ sh:path ex:label ; sh:minCount 1 ] .""",
    "targetNode": 'ex:S a sh:NodeShape ; sh:targetNode ex:s1 , ex:nowhere , "lit" ; sh:nodeKind sh:IRI .',
    "targetObjectsOf": "ex:S a sh:NodeShape ; sh:targetObjectsOf ex:kind ; sh:in ( ex:pm ) .",
    "implicit-class-target": "ex:Site a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:inverse ; sh:minCount 1 ] .",
    "property-shape-target": "ex:S a sh:PropertyShape ; sh:targetClass ex:Sensor ; sh:path ex:serial ; sh:maxCount 1 .",
    "path-inverse": "ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ; sh:property [ sh:path [ sh:inversePath ex:inverse ] ; sh:minCount 1 ] .",
    "path-sequence": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ( ex:site rdf:type ) ; sh:hasValue ex:Site ] .",
    "path-alternative": "ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path [ sh:alternativePath ( ex:serial ex:label ) ] ; sh:maxCount 2 ] .",
    "path-repeat": "ex:S a sh:NodeShape ; sh:targetNode ex:s1 ; sh:property [ sh:path [ sh:zeroOrMorePath ex:site ] ; sh:nodeKind sh:BlankNode ] .",
    "nested-property": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ;
        sh:property [ sh:path ex:site ; sh:property [ sh:path ex:inverse ; sh:minCount 1 ] ] .""",
    "severity-message": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:severity sh:Warning ;
        sh:message "경고"@ko , "warning"@en ; sh:property [ sh:path ex:serial ; sh:severity sh:Info ; sh:minCount 1 ] .""",
    "deactivated": """ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:serial ; sh:minCount 5 ] ,
        [ sh:path ex:value ; sh:minCount 5 ; sh:deactivated true ] .""",
}


@pytest.mark.parametrize("case", sorted(CONSTRAINT_CASES))
def test_compiled_constraint_matches_pyshacl(case: str) -> None:
    shapes = turtle(CONSTRAINT_CASES[case])
    engine = ValidationEngine(shapes)
    fallbacks = engine.plan().fallback
    assert not fallbacks, engine.plan().describe()
    ours, _ = compare(shapes, turtle(DATA))
    if case != "deactivated":
        assert ours.results, "the case should produce results"


def test_sparql_constraint_matches_pyshacl() -> None:
    shapes = turtle("""
        ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
        ex:S a sh:NodeShape ; sh:targetClass ex:Device ;
            sh:sparql [ sh:prefixes ex: ; sh:message "{?value} is too big"@en ;
                sh:select "SELECT $this ?value WHERE { $this ex:value ?value . FILTER (?value > 100) }" ] .
        ex:P a sh:PropertyShape ; sh:targetClass ex:Device ; sh:path ex:label ;
            sh:sparql [ sh:prefixes ex: ; sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER (LANG(?value) = 'en') }" ] .
        ex:Q a sh:NodeShape ; sh:targetClass ex:Sensor ;
            sh:sparql [ sh:prefixes ex: ;
                sh:select "SELECT $this (COUNT(?l) AS ?n) WHERE { $this ex:label ?l } GROUP BY $this HAVING (COUNT(?l) > 1)" ] .
        ex:R a sh:NodeShape ; sh:targetClass ex:Sensor ;
            sh:sparql [ sh:prefixes ex: ; sh:select "SELECT ?this WHERE { { $this ex:serial ?s } UNION { FILTER (bound($this)) } }" ] .
    """)
    engine = ValidationEngine(shapes)
    assert not engine.plan().fallback
    ours, _ = compare(shapes, turtle(DATA))
    message = next(r for r in ours.results if r.value and "5000" in r.value).messages
    assert message == {"en": "5000 is too big"}


def test_sparql_result_bindings_path_and_failure() -> None:
    shapes = turtle("""
        ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ;
            sh:sparql [ sh:select "SELECT $this ?path ?value WHERE { $this ?path ?value . FILTER (?path = <http://example.org/extra>) }" ] .
    """)
    ours, _ = compare(shapes, turtle(DATA))
    assert {r.result_path for r in ours.results} == {"http://example.org/extra"}


# --- fallback ---------------------------------------------------------------------------------------------


def test_fallback_shape_runs_on_pyshacl_with_identical_results() -> None:
    shapes = turtle("""
        ex:S a sh:NodeShape ; sh:targetClass ex:Device ;
            sh:property [ sh:path ex:value ; sh:lessThanOrEquals ex:count ] ;
            sh:property ex:Native .
        ex:Native sh:path ex:serial ; sh:minCount 1 .
        ex:T a sh:NodeShape ; sh:targetClass ex:Sensor ; sh:property [ sh:path ex:value ; sh:lessThan ex:count ] ;
            sh:property [ sh:path ex:value ; sh:datatype rdfs:Datatype ] .
        ex:U a sh:NodeShape ; sh:targetObjectsOf ex:site ; sh:datatype rdfs:Datatype .
    """)
    engine = ValidationEngine(shapes)
    plan = engine.plan()
    routes = {shape.shape: shape.route for shape in plan.shapes}
    assert routes["http://example.org/S"] == "native"
    assert routes["http://example.org/Native"] == "native"
    assert routes["http://example.org/T"] == "native"
    assert routes["http://example.org/U"] == "pyshacl"
    reasons = " ".join(shape.reason or "" for shape in plan.fallback)
    assert "sh:lessThan" in reasons and "rdfs:Datatype" in reasons
    assert "pySHACL" in plan.describe()
    ours, _ = compare(shapes, turtle(DATA))
    assert {
        "LessThanConstraintComponent",
        "LessThanOrEqualsConstraintComponent",
        "DatatypeConstraintComponent",
    } <= components(ours)


def test_logical_constraint_on_fallback_shape_falls_back() -> None:
    shapes = turtle("""
        ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:or ( ex:Q ex:R ) .
        ex:Q sh:property [ sh:path ex:value ; sh:lessThan ex:count ] .
        ex:R sh:property [ sh:path ex:serial ; sh:minCount 1 ] .
    """)
    plan = ValidationEngine(shapes).plan()
    assert [shape.shape for shape in plan.fallback if shape.has_targets] == ["http://example.org/S"]
    compare(shapes, turtle(DATA))


def test_recursive_shapes_fall_back() -> None:
    shapes = turtle("""
        ex:S a sh:NodeShape ; sh:targetClass ex:Device ; sh:property [ sh:path ex:site ; sh:node ex:S ] .
    """)
    plan = ValidationEngine(shapes).plan()
    assert any("recursive" in (shape.reason or "") for shape in plan.fallback)


# --- inputs ---------------------------------------------------------------------------------------------------


def _without_blank_nodes(graph: Graph) -> Graph:
    clean = Graph()
    for triple in graph:
        if not any(isinstance(term, BNode) for term in triple):
            clean.add(triple)
    return clean


@pytest.mark.parametrize("form", ["ntriples", "store"])
def test_input_forms_give_the_same_report(form: str) -> None:
    shapes = turtle(CONSTRAINT_CASES["min-max-count-same-path"] + CONSTRAINT_CASES["datatype-date"])
    data = _without_blank_nodes(turtle(DATA))
    ntriples = data.serialize(format="nt", encoding="utf-8")
    engine = ValidationEngine(shapes)
    expected = engine.validate(data)
    if form == "ntriples":
        got = engine.validate(ntriples)
    else:
        store = ox.Store()
        store.load(ntriples, ox.RdfFormat.N_TRIPLES)
        got = engine.validate(store)
    assert keys(got) == keys(expected)


def test_context_and_ontology_complete_the_data_graph() -> None:
    shapes = turtle(
        "ex:S a sh:NodeShape ; sh:targetClass ex:Obs ; sh:property [ sh:path ex:sensor ; sh:class ex:Device ] ."
    )
    ontology = turtle("ex:Sensor rdfs:subClassOf ex:Device . ex:Reading rdfs:subClassOf ex:Obs .")
    delta = (
        b"<http://example.org/o1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/Reading> .\n"
        b"<http://example.org/o1> <http://example.org/sensor> <http://example.org/known> .\n"
        b"<http://example.org/o2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/Reading> .\n"
        b"<http://example.org/o2> <http://example.org/sensor> <http://example.org/unknown> .\n"
    )
    context = b"<http://example.org/known> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/Sensor> .\n"
    engine = ValidationEngine(shapes, ontology=ontology)
    report = engine.validate(delta, context=context)
    assert [r.focus_node for r in report.results] == ["http://example.org/o2"]
    oracle = validate_with_pyshacl(shapes, delta, ontology=ontology, context=context)
    assert keys(report) == keys(oracle)


def test_malformed_ntriples_raise_syntax_error() -> None:
    engine = ValidationEngine(turtle("ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:nodeKind sh:IRI ."))
    with pytest.raises(SyntaxError):
        engine.validate(b"<http://example.org/a> <http://example.org/p> .\n")


# --- XSD lexical spaces (departure "xsd-lexical-space") -----------------------------------------------------

NT_DATETIMES = "\n".join(
    f'<http://example.org/o{i}> <http://example.org/time> "{lexical}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .'
    for i, lexical in enumerate(
        ["2024-05-01T13:00:00+09:00", "2024-05-01 13:00:00+09:00", "2024-05-01T13:00+09:00"]
    )
).encode()


def test_xsd_departure_datetime() -> None:
    shapes = turtle(
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:time ; sh:property [ sh:path ex:time ; sh:datatype xsd:dateTime ] ."
    )
    ours = ValidationEngine(shapes).validate(NT_DATETIMES)
    assert sorted(r.value or "" for r in ours.results) == [
        '"2024-05-01 13:00:00+09:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
        '"2024-05-01T13:00+09:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
    ]
    assert not ours.conforms
    # pySHACL (through rdflib) accepts both forms: this is the departure.
    assert validate_with_pyshacl(shapes, NT_DATETIMES).conforms


def test_xsd_departure_with_rdflib_input_that_keeps_the_lexical_form() -> None:
    data = Graph()
    data.add((EX.o, EX.time, Literal("2024-05-01 13:00:00+09:00", datatype=XSD.dateTime, normalize=False)))
    shapes = turtle(
        "ex:S a sh:NodeShape ; sh:targetNode ex:o ; sh:property [ sh:path ex:time ; sh:datatype xsd:dateTime ] ."
    )
    assert components(ValidationEngine(shapes).validate(data)) == {"DatatypeConstraintComponent"}


@pytest.mark.parametrize(
    ("lexical", "datatype", "valid"),
    [
        ("2024-05-01T13:00:00+09:00", "dateTime", True),
        ("2024-05-01 13:00:00+09:00", "dateTime", False),
        ("2024-05-01T13:00+09:00", "dateTime", False),
        ("2024-02-29T24:00:00Z", "dateTime", True),
        ("2023-02-29T00:00:00", "dateTime", False),
        ("10000-01-01T00:00:00", "dateTime", True),
        ("2024-05-01T13:00:00", "dateTimeStamp", False),
        ("2024-05-01", "date", True),
        ("2024-5-01", "date", False),
        ("12.5", "decimal", True),
        ("1e5", "decimal", False),
        ("NaN", "decimal", False),
        ("+5", "integer", True),
        ("1_000", "integer", False),
        (" 12", "integer", False),
        ("128", "byte", False),
        ("-128", "byte", True),
        ("-1", "nonNegativeInteger", False),
        ("-0", "nonNegativeInteger", True),
        ("1e5", "double", True),
        ("INF", "double", True),
        ("inf", "double", False),
        ("1", "boolean", True),
        ("yes", "boolean", False),
        ("2024", "gYear", True),
        ("24", "gYear", False),
        ("--02-29", "gMonthDay", True),
        ("--02-30", "gMonthDay", False),
        ("P1DT2H", "duration", True),
        ("P", "duration", False),
        ("P1DT", "duration", False),
        ("en-US", "language", True),
        ("en_US", "language", False),
        ("a  b", "token", False),
        ("0a1B", "hexBinary", True),
        ("abc", "hexBinary", False),
        ("aGVsbG8=", "base64Binary", True),
        ("anything", "string", True),
    ],
)
def test_xsd_lexical_rules_agree_in_python_and_sparql(lexical: str, datatype: str, valid: bool) -> None:
    assert is_valid_lexical(lexical, XSD_NS + datatype) is valid
    if datatype in RULES:
        store = ox.Store()
        query = f"SELECT ({sparql_valid_lexical('?v', datatype)} AS ?ok) WHERE {{ BIND({ox.Literal(lexical)} AS ?v) }}"
        solutions = store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        assert next(iter(solutions))[0] == ox.Literal(valid)


# --- the other departures -----------------------------------------------------------------------------------


def test_literal_identity_departure() -> None:
    shapes = turtle(
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; sh:in ( 1 ) ] ."
    )
    data = (
        b'<http://example.org/a> <http://example.org/n> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    ours = ValidationEngine(shapes).validate(data)
    assert [r.value for r in ours.results] == ['"01"^^<http://www.w3.org/2001/XMLSchema#integer>']
    assert validate_with_pyshacl(shapes, data).conforms  # rdflib read "01" as "1"


def test_sparql_unprojected_this() -> None:
    shapes = turtle("""ex:S a sh:NodeShape ; sh:targetNode ex:s2 ;
        sh:sparql [ sh:select "SELECT ?x WHERE { $this <http://example.org/extra> ?x }" ] .""")
    ours = ValidationEngine(shapes).validate(turtle(DATA))
    assert [r.focus_node for r in ours.results] == ["http://example.org/s2"]
    assert validate_with_pyshacl(shapes, turtle(DATA)).conforms  # pySHACL drops the solution


@pytest.mark.parametrize("clause", ["MINUS { $this ex:p ?o }", "VALUES ?o { 1 }", "BIND (1 AS ?this)"])
def test_unsupported_sparql_refused_when_built(clause: str) -> None:
    shapes = turtle(f"""ex:S a sh:NodeShape ; sh:targetNode ex:nothing ;
        sh:sparql [ sh:select "PREFIX ex: <http://example.org/> SELECT $this WHERE {{ $this ?p ?o . {clause} }}" ] .""")
    with pytest.raises(ShapesGraphError):
        ValidationEngine(shapes)


def test_nested_property_shapes() -> None:
    shapes = turtle("""ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ;
        sh:property [ sh:path ex:kind ; sh:property [ sh:path ex:unit ; sh:minCount 1 ] ] .""")
    report = ValidationEngine(shapes).validate(turtle(DATA))
    assert [r.focus_node for r in report.results] == ["http://example.org/noise", "http://example.org/pm"]
    compare(shapes, turtle(DATA))


def test_sparql_evaluation_departures() -> None:
    shapes = turtle("""ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ;
        sh:sparql [ sh:select "SELECT $this ?value WHERE { $this <http://example.org/n> ?value }" ] ;
        sh:property [ sh:path ex:n ; sh:datatype xsd:int ] .""")
    data = b'<http://example.org/a> <http://example.org/n> "+7"^^<http://www.w3.org/2001/XMLSchema#int> .\n'
    report = ValidationEngine(shapes).validate(data)
    # sh:datatype sees the literal as written and accepts it; the SPARQL query sees Oxigraph's canonical form.
    assert [r.value for r in report.results] == ['"7"^^<http://www.w3.org/2001/XMLSchema#integer>']
    # Comparing an ill-typed literal is an error in SPARQL 1.1 (Oxigraph); rdflib's engine orders it instead.
    compared = turtle("""ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ;
        sh:sparql [ sh:select "SELECT $this WHERE { $this <http://example.org/n> ?v . FILTER (?v > 5) }" ] .""")
    ill_typed = (
        b'<http://example.org/a> <http://example.org/n> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    assert ValidationEngine(compared).validate(ill_typed).conforms
    assert not validate_with_pyshacl(compared, ill_typed).conforms
    # A BIND in a UNION branch must agree with the outer binding (SPARQL 1.1); rdflib lets it pass.
    table = turtle("""ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:kind ;
        sh:sparql [ sh:select \"\"\"SELECT $this ?value WHERE { $this <http://example.org/kind> ?kind ;
              <http://example.org/value> ?value .
            { { BIND (<http://example.org/pm> AS ?kind) BIND (1000 AS ?max) }
              UNION { BIND (<http://example.org/noise> AS ?kind) BIND (140 AS ?max) } }
            FILTER (?value > ?max) }\"\"\" ] .""")
    readings = turtle("ex:a ex:kind ex:pm ; ex:value 500 . ex:b ex:kind ex:noise ; ex:value 500 .")
    assert [r.focus_node for r in ValidationEngine(table).validate(readings).results] == [
        "http://example.org/b"
    ]
    assert len(validate_with_pyshacl(table, readings).results) == 2


def test_every_departure_names_an_existing_test() -> None:
    names = set(globals())
    for departure in DEPARTURES:
        assert departure.test.split("::")[1] in names, departure.key


# --- custom functions (engine-only) --------------------------------------------------------------------------

GEO_SHAPES = """
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
ex: sh:declare [ sh:prefix "cpsfn" ; sh:namespace "https://data.seoul.go.kr/cps/ontology#fn/"^^xsd:anyURI ] ,
               [ sh:prefix "geo" ; sh:namespace "http://www.opengis.net/ont/geosparql#"^^xsd:anyURI ] .
ex:InSeoul a sh:NodeShape ; sh:targetSubjectsOf geo:asWKT ;
    sh:message "위치가 서울 밖입니다"@ko , "the location is outside Seoul"@en ;
    sh:sparql [ sh:prefixes ex: ;
        sh:select "SELECT $this ?value WHERE { $this geo:asWKT ?value . FILTER (!cpsfn:inSeoul(?value)) }" ] .
"""
GEO_DATA = b"""<http://example.org/g1> <http://www.opengis.net/ont/geosparql#asWKT> "POINT(126.978 37.566)"^^<http://www.opengis.net/ont/geosparql#wktLiteral> .
<http://example.org/g2> <http://www.opengis.net/ont/geosparql#asWKT> "POINT(129.07 35.18)"^^<http://www.opengis.net/ont/geosparql#wktLiteral> .
"""


def test_custom_function_is_engine_only() -> None:
    shapes = turtle(GEO_SHAPES)
    functions = {IN_SEOUL: within(box(126.76, 37.41, 127.19, 37.72))}
    engine = ValidationEngine(shapes, custom_functions=functions)
    assert engine.plan().native[0].engine_only
    report = engine.validate(GEO_DATA)
    assert [r.focus_node for r in report.results] == ["http://example.org/g2"]
    assert report.results[0].messages["ko"] == "위치가 서울 밖입니다"
    with pytest.raises(EngineOnlyShapeError):
        validate_with_pyshacl(shapes, GEO_DATA, custom_functions=functions)
    assert validate_with_pyshacl(shapes, GEO_DATA, custom_functions=functions, skip_engine_only=True).conforms


def test_engine_only_shape_must_compile() -> None:
    shapes = turtle(GEO_SHAPES + "ex:InSeoul sh:lessThan ex:other .")
    with pytest.raises(ShapesGraphError, match="engine-only"):
        ValidationEngine(shapes, custom_functions={IN_SEOUL: within(box(0, 0, 1, 1))})


# --- report -------------------------------------------------------------------------------------------------------


def test_report_forms_and_acceptance() -> None:
    shapes = turtle("""ex:S a sh:NodeShape ; sh:targetClass ex:Device ;
        sh:property [ sh:path ex:value ; sh:maxInclusive 1000 ; sh:severity sh:Warning ] ,
                    [ sh:path [ sh:inversePath ex:inverse ] ; sh:maxCount 0 ; sh:severity sh:Info ] .""")
    report = ValidationEngine(shapes).validate(turtle(DATA))
    assert report.accepted and report.conforms and not report.shacl_conforms and not report.has_violations
    warning = report.by_severity("Warning")[0]
    assert warning.messages == {
        "en": "value 5000 is above the maximum 1000",
        "ko": "값 5000이 최댓값 1000보다 큽니다",
    }
    graph = report.to_rdf_graph()
    assert (None, SH.conforms, Literal(False)) in graph
    parsed = Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    again = ValidationReport.from_results(results_from_pyshacl(parsed, shapes))
    assert {key[:3] + key[4:] for key in keys(again)} == {key[:3] + key[4:] for key in keys(report)}
    assert {r.result_path for r in again.results} == {
        "http://example.org/value",
        "^<http://example.org/inverse>",
    }
    data = json.loads(report.to_json())
    assert data["accepted"] is True and data["shacl_conforms"] is False
    assert {r["severity"] for r in data["results"]} == {"Warning", "Info"}


def test_report_rejects_inconsistent_conforms() -> None:
    result = ValidationResult("urn:a", None, None, "urn:s", str(SH.MinCountConstraintComponent), "Violation")
    with pytest.raises(ValueError, match="conforms"):
        ValidationReport(conforms=True, results=[result])
    assert not ValidationReport.from_results([result, result]).conforms
    assert len(ValidationReport.from_results([result, result]).results) == 1


def test_terms_and_paths_round_trip() -> None:
    for term in (
        EX.a,
        BNode("b1"),
        Literal("7", datatype=XSD.int),
        Literal("값", lang="ko"),
        Literal("plain"),
    ):
        assert term_from_text(term_text(term)) == term
    path_graph = turtle(
        "ex:S sh:path ( [ sh:inversePath ex:a ] [ sh:alternativePath ( ex:b [ sh:oneOrMorePath ex:c ] ) ] ) ."
    )
    path = read_path(path_graph, path_graph.value(EX.S, SH.path))
    assert path_from_text(path_to_text(path)) == path
    assert path_to_text(path) == "^<http://example.org/a>/(<http://example.org/b>|<http://example.org/c>+)"


# --- random data against a fixed set of shapes (hypothesis) ------------------------------------------------

PROPERTY_SHAPES = turtle("""
ex:B rdfs:subClassOf ex:A .
ex:S a sh:NodeShape ; sh:targetClass ex:A ;
    sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 2 ; sh:datatype xsd:integer ] ,
                [ sh:path ex:p ; sh:minInclusive 0 ; sh:maxExclusive 10.5 ] ,
                [ sh:path ex:q ; sh:maxCount 1 ; sh:nodeKind sh:IRI ; sh:class ex:A ] ,
                [ sh:path ex:r ; sh:minLength 2 ; sh:maxLength 4 ; sh:pattern "^[a-c]" ; sh:languageIn ( "en" ) ] ,
                [ sh:path ex:r ; sh:uniqueLang true ; sh:in ( "ab"@en "abc" ex:s0 ) ] ,
                [ sh:path [ sh:inversePath ex:q ] ; sh:maxCount 1 ; sh:node ex:T ] ,
                [ sh:path ( ex:q ex:p ) ; sh:hasValue 1 ] .
ex:T a sh:NodeShape ; sh:or ( [ sh:class ex:B ] [ sh:property [ sh:path ex:p ; sh:minCount 2 ] ] ) .
ex:U a sh:NodeShape ; sh:targetSubjectsOf ex:r ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
    sh:property [ sh:path ex:p ] , [ sh:path ex:q ] , [ sh:path ex:r ] ;
    sh:not [ sh:property [ sh:path ex:q ; sh:equals ex:p ] ] .
ex:V a sh:NodeShape ; sh:targetObjectsOf ex:q ;
    sh:sparql [ sh:select "SELECT $this ?value WHERE { $this <http://example.org/r> ?value . FILTER (isLiteral(?value) && (DATATYPE(?value) = xsd:string || LANG(?value) != '') && STRLEN(STR(?value)) > 2) }" ] ,
        [ sh:select "SELECT $this WHERE { $this <http://example.org/p> ?v . FILTER (DATATYPE(?v) = xsd:decimal && ?v > 5) }" ] .
""")
SUBJECTS = [EX[f"s{i}"] for i in range(4)]
OBJECTS: list[Node] = [
    *SUBJECTS,
    Literal(0),
    Literal(5),
    Literal(-3),
    Literal(12),
    Literal("10.5", datatype=XSD.decimal),
    Literal("2.25", datatype=XSD.decimal),
    Literal("1.0E1", datatype=XSD.double),
    Literal("abc", datatype=XSD.integer),
    Literal("7", datatype=XSD.int),
    Literal("ab", lang="en"),
    Literal("abc", lang="en"),
    Literal("b", lang="ko"),
    Literal("abc"),
    Literal("abcde"),
    Literal("zz"),
    Literal(True),
    Literal("2024-05-01", datatype=XSD.date),
    BNode("n1"),
]
TRIPLES = st.tuples(
    st.sampled_from([*SUBJECTS, BNode("n1")]),
    st.sampled_from([EX.p, EX.q, EX.r, EX.z, RDF.type]),
    st.sampled_from([*OBJECTS, EX.A, EX.B]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TRIPLES, min_size=1, max_size=14))
def test_random_graphs_match_pyshacl(triples: list[tuple[Node, URIRef, Node]]) -> None:
    data = Graph()
    for triple in triples:
        data.add(triple)
    data.add((EX.B, RDFS.subClassOf, EX.A))
    logging.disable(logging.CRITICAL)
    compare(PROPERTY_SHAPES, data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TRIPLES, min_size=1, max_size=14))
def test_random_ntriples_match_pyshacl(triples: list[tuple[Node, URIRef, Node]]) -> None:
    data = Graph()
    for triple in triples:
        if not any(isinstance(term, BNode) for term in triple):
            data.add(triple)
    data.add((EX.B, RDFS.subClassOf, EX.A))
    ntriples = data.serialize(format="nt", encoding="utf-8")
    logging.disable(logging.CRITICAL)
    ours = ValidationEngine(PROPERTY_SHAPES).validate(ntriples)
    theirs = validate_with_pyshacl(PROPERTY_SHAPES, ntriples)
    assert keys(ours) == keys(theirs)


def test_property_shapes_compile_natively() -> None:
    assert not ValidationEngine(PROPERTY_SHAPES).plan().fallback


def test_repository_shapes_compile_natively(repo_root: Path) -> None:
    files = sorted((repo_root / "shapes").glob("*.ttl"))
    if not files:
        pytest.skip("no shapes in shapes/")
    graph = Graph()
    for file in files:
        graph.parse(file, format="turtle")
    plan = ValidationEngine(graph).plan()
    assert not plan.fallback, plan.describe()


def test_blank_node_constants_fall_back_to_pyshacl() -> None:
    # Data and shapes in one graph, as in the W3C suite: constraints can name the data's blank nodes.
    graph = turtle("""
        ex:a ex:p _:b1 ; ex:q _:b1 . ex:c ex:p _:b2 . _:b1 a _:Class .
        ex:S1 a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:in ( _:b1 ) ] .
        ex:S2 a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:hasValue _:b1 ] .
        ex:S3 a sh:NodeShape ; sh:targetNode _:b2 ; sh:nodeKind sh:IRI .
        ex:S4 a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:class _:Class ] .
        ex:S5 a sh:NodeShape ; sh:targetSubjectsOf ex:q ; sh:property [ sh:path ex:q ;
            sh:sparql [ sh:select "SELECT $this WHERE { FILTER (!sameTerm($currentShape, $currentShape)) }" ] ] .
    """)
    plan = ValidationEngine(graph).plan()
    assert len([shape for shape in plan.fallback if "blank" in (shape.reason or "")]) == 5
    ours, _ = compare(graph, graph)
    assert {
        "InConstraintComponent",
        "HasValueConstraintComponent",
        "NodeKindConstraintComponent",
    } <= components(ours)


def test_unchecked_iris_load_faster_with_the_same_results() -> None:
    shapes = turtle(CONSTRAINT_CASES["min-max-count-same-path"])
    ntriples = _without_blank_nodes(turtle(DATA)).serialize(format="nt", encoding="utf-8")
    checked = ValidationEngine(shapes).validate(ntriples)
    assert keys(ValidationEngine(shapes, check_iris=False).validate(ntriples)) == keys(checked)
    with pytest.raises(SyntaxError):
        ValidationEngine(shapes).validate(
            b"<http://example.org/a b> <http://example.org/p> <http://example.org/c> .\n"
        )
