"""``kg ontology reason`` (HermiT: inferred hierarchy, unsatisfiable classes) and OWL 2 RL materialisation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ontology_changes import CPS_NS, ID, REPO_ROOT, append, make_tree
from rdflib import RDF, Graph, Literal, URIRef

from kg_service.cli import main
from kg_service.ontology.check import JAVA_MISSING_EN
from kg_service.ontology.reasoner import java_runtime
from kg_service.ontology.reasoning import materialise, reason_about
from kg_service.ontology.sources import load_ontology_graph

needs_java = pytest.mark.skipif(java_runtime() is None, reason=f"reasoner tests skipped: {JAVA_MISSING_EN}")
SOSA = "http://www.w3.org/ns/sosa/"
GEO = "http://www.opengis.net/ont/geosparql#"

SEEDED = """
cps:SmartPole
    a owl:Class ;
    rdfs:label "스마트 폴"@ko , "smart pole"@en ;
    skos:definition "센서를 단 가로등."@ko , "A street light carrying sensors."@en ;
    rdfs:subClassOf [ a owl:Class ; owl:intersectionOf ( cps:Facility
        [ a owl:Restriction ; owl:onProperty cps:observesProperty ; owl:someValuesFrom cps:ObservableProperty ] ) ] .

cps:ImpossibleSensor
    a owl:Class ;
    rdfs:label "불가능한 센서"@ko , "impossible sensor"@en ;
    skos:definition "센서이면서 부서 업무인 것."@ko , "Both a sensor and a department business."@en ;
    rdfs:subClassOf cps:Sensor , cps:DepartmentBusiness .
"""


def sensor_data() -> Graph:
    data = Graph()
    sensor, district = URIRef(f"{ID}sensor/V1"), URIRef(f"{ID}district/11110")
    data.add((sensor, RDF.type, URIRef(CPS_NS + "EnvironmentalSensor")))
    data.add((sensor, URIRef(CPS_NS + "inDistrict"), district))
    data.add((sensor, URIRef(CPS_NS + "sdotSerial"), Literal("V1")))
    return data


def test_materialise_adds_what_queries_need() -> None:
    ontology = load_ontology_graph(REPO_ROOT / "ontology")
    inferred = materialise(sensor_data(), ontology=ontology)
    sensor = URIRef(f"{ID}sensor/V1")
    types = set(inferred.objects(sensor, RDF.type))
    assert {URIRef(CPS_NS + "Sensor"), URIRef(SOSA + "Sensor")} <= types
    assert (sensor, URIRef(CPS_NS + "locatedIn"), URIRef(f"{ID}district/11110")) in inferred
    assert (sensor, URIRef(GEO + "sfWithin"), URIRef(f"{ID}district/11110")) in inferred
    assert (
        URIRef(f"{ID}district/11110"),
        RDF.type,
        URIRef(CPS_NS + "District"),
    ) in inferred  # from the range
    assert (sensor, URIRef(CPS_NS + "localIdentifier"), Literal("V1")) in inferred  # plain literal kept plain
    assert all(not str(s).startswith(CPS_NS) for s in inferred.subjects())  # data only, no schema inferences


def test_materialise_agrees_with_owlrl_on_data_triples() -> None:
    owlrl = pytest.importorskip("owlrl")
    ontology = load_ontology_graph(REPO_ROOT / "ontology")
    ours = {t for t in materialise(sensor_data(), ontology=ontology) if str(t[0]).startswith(str(ID))}
    closure = Graph()
    for triple in sensor_data() + ontology:
        closure.add(triple)
    before = set(closure)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(
        closure
    )
    theirs = {
        (s, p, Literal(str(o)) if isinstance(o, Literal) and o.datatype is None and not o.language else o)
        for s, p, o in set(closure) - before
        if str(s).startswith(str(ID))
        and not (p == URIRef("http://www.w3.org/2002/07/owl#sameAs") and s == o)
        and not (p == RDF.type and o == URIRef("http://www.w3.org/2002/07/owl#Thing"))
    }
    assert ours == theirs


@pytest.mark.slow
@needs_java
def test_reasoning_shows_inferred_hierarchy_and_unsatisfiable_classes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = make_tree(tmp_path / "proposed")
    append(tree / "ontology" / "core.ttl", SEEDED)
    report = reason_about(tree / "ontology")
    assert report.status == "consistent"
    assert report.unsatisfiable == (CPS_NS + "ImpossibleSensor",)
    assert (CPS_NS + "SmartPole", CPS_NS + "Facility") in report.new_subsumptions
    pole = next(e for e in report.hierarchy if e.iri == CPS_NS + "SmartPole")
    assert pole.parents == (CPS_NS + "Facility",) and pole.inferred_parents == (CPS_NS + "Facility",)
    lines = report.tree_lines()
    assert any(line.strip() == "cps:SmartPole [inferred]" for line in lines)
    assert report.exit_code() == 1

    assert main(["ontology", "reason", str(tree), "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["unsatisfiable"] == [CPS_NS + "ImpossibleSensor"]
    assert main(["ontology", "reason", str(REPO_ROOT / "ontology")]) == 0
    out = capsys.readouterr().out
    assert "추론된 클래스 계층 / Inferred class hierarchy" in out and "cps:EnvironmentalSensor" in out
