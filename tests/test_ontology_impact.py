"""``kg ontology impact``: a seeded change is traced to the mapping rules (file and line), shapes, queries and
GraphQL fields that use it, and to the stored data that would stop conforming (per dataset and department).

OLD and NEW are ``tmp_path`` trees (``tests/ontology_changes.py``); the store is a temporary embedded store
with the ontology and one small dataset graph of two sensors (T2 has no model name and no coordinates).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ontology_changes import (
    CPS_NS,
    DATASET,
    DEPARTMENT,
    ID,
    append,
    edit,
    line_of,
    make_store,
    make_tree,
    rename_everywhere,
)

from kg_service.cli import main
from kg_service.ontology.diff import TermChange
from kg_service.ontology.impact import (
    STEP_STORED_DATA,
    ImpactReport,
    analyse_impact,
    find_mentions,
    graphql_fields,
    read_catalogue,
    scan_queries,
)
from kg_service.ontology.trees import tree_from_directory

SENSOR = CPS_NS + "Sensor"

NEW_REQUIRED_MODEL = """\
    sh:property common:LabelLanguageShape , [
        sh:path cps:modelName ;
        sh:minCount 1 ;
        sh:severity sh:Violation ;
        sh:message "모델명(cps:modelName)이 필요합니다."@ko , "The model name (cps:modelName) is required."@en
    ] ."""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    old, new = make_tree(tmp_path / "old"), make_tree(tmp_path / "new")
    data_dir = tmp_path / "data"
    make_store(data_dir, old)
    return old, new, data_dir


def impact(old: Path, new: Path, data_dir: Path | None, engine: str = "pyshacl") -> ImpactReport:
    return analyse_impact(
        tree_from_directory(old),
        tree_from_directory(new),
        store_dir=data_dir / "store" if data_dir else None,
        engine=engine,  # type: ignore[arg-type]
    )


def test_unchanged_standards_have_no_impact(setup: tuple[Path, Path, Path]) -> None:
    old, new, data_dir = setup
    report = impact(old, new, data_dir)
    assert report.uses == () and report.stored_uses == ()
    [dataset] = report.datasets
    assert (dataset.dataset, dataset.department, dataset.triples) == (DATASET, DEPARTMENT, 12)
    assert dataset.failing_old == 0 and dataset.newly_failing == 0  # the test data conforms to the shapes
    assert dataset.shapes_new == ("common.ttl",)
    assert all(step.status == "ran" for step in report.steps)
    assert report.exit_code() == 0


def test_rename_is_traced_to_mappings_shapes_queries_fields_and_stored_data(
    setup: tuple[Path, Path, Path],
) -> None:
    old, new, data_dir = setup
    rename_everywhere(new / "ontology", "Sensor", "UrbanSensor")
    report = impact(old, new, data_dir)
    assert report.breaking and report.exit_code() == 1

    [mapping] = [u for u in report.uses_of("mapping") if u.file == "test_sensors.yaml"]
    assert mapping.term == SENSOR and mapping.breaking
    assert mapping.line == line_of(new / "mappings" / "test_sensors.yaml", "[a, cps:Sensor]")
    assert "sensor" in mapping.context and "renamed" in mapping.change and "cps:UrbanSensor" in mapping.change

    shapes = {(u.file, u.context.split()[-1]) for u in report.uses_of("shape") if u.term == SENSOR}
    assert ("common.ttl", "sh:targetClass") in shapes
    [target] = [
        u for u in report.uses_of("shape") if u.file == "common.ttl" and "sh:targetClass" in u.context
    ]
    assert target.context.startswith("common:LocatedEntityShape")
    assert target.line == line_of(new / "shapes" / "common.ttl", "sh:targetClass cps:Sensor")

    [query] = [u for u in report.uses_of("query") if u.file == "sensor_queries.py"]
    assert query.context == "sensor_queries.SENSORS_IN_DISTRICT_QUERY"
    assert query.line == line_of(new / "kg_service" / "queries" / "sensor_queries.py", "?sensor a cps:Sensor")
    assert query.graphql_field == "SensorQuery.sensorsInDistrict"

    [stored] = report.stored_uses
    assert (stored.dataset, stored.department, stored.term, stored.triples) == (
        DATASET,
        DEPARTMENT,
        SENSOR,
        2,
    )
    assert stored.breaking


def test_deprecated_rename_is_only_flagged(setup: tuple[Path, Path, Path]) -> None:
    old, new, data_dir = setup
    append(
        new / "ontology" / "core.ttl",
        'cps:UrbanSensor a owl:Class ; rdfs:label "센서"@ko , "sensor"@en ;\n'
        '    skos:definition "도시 센서."@ko , "A city sensor."@en .\n'
        "cps:Sensor owl:deprecated true ; dct:isReplacedBy cps:UrbanSensor .\n",
    )
    report = impact(old, new, data_dir)
    uses = [u for u in report.uses if u.term == SENSOR]
    assert uses and not any(u.breaking for u in uses)
    assert report.stored_uses and not any(u.breaking for u in report.stored_uses)
    assert not report.breaking and report.exit_code() == 0


def test_removed_property_is_traced_to_the_rule_line_and_the_python_query(
    setup: tuple[Path, Path, Path],
) -> None:
    old, new, data_dir = setup
    rename_everywhere(new / "ontology", "modelName", "deviceModel")
    edit(new / "ontology" / "core.ttl", '"모델명"@ko , "model name"@en', '"장치 모델"@ko , "device model"@en')
    edit(new / "ontology" / "core.ttl", '"센서 장치의 모델명(예: SDOT001)."@ko', '"장치 모델."@ko')
    report = impact(old, new, data_dir)
    assert report.diff is not None and report.diff.of_kind("removed")  # labels and definition changed too
    [mapping] = [u for u in report.uses_of("mapping") if u.file == "test_sensors.yaml"]
    assert mapping.line == line_of(new / "mappings" / "test_sensors.yaml", "[cps:modelName, $(model)]")
    [query] = [u for u in report.uses_of("query") if u.file == "sensor_queries.py"]
    assert query.context == "sensor_queries.MODEL_NAME" and query.graphql_field == "SensorQuery.models"
    [stored] = report.stored_uses
    assert stored.term == CPS_NS + "modelName" and stored.triples == 1


def test_narrowed_range_affects_the_rule_that_produces_it(setup: tuple[Path, Path, Path]) -> None:
    old, new, data_dir = setup
    edit(
        new / "ontology" / "core.ttl",
        "rdfs:range [ a owl:Class ; owl:unionOf ( cps:LegalDong cps:AdministrativeDong ) ] .",
        "rdfs:range cps:LegalDong .",
    )
    report = impact(old, new, data_dir)
    [mapping] = [u for u in report.uses_of("mapping") if u.file == "test_sensors.yaml"]
    assert mapping.term == CPS_NS + "inDong" and mapping.breaking and "range" in mapping.change
    assert any(u.term == CPS_NS + "inDong" and u.file == "common.ttl" for u in report.uses_of("shape"))
    assert report.exit_code() == 1


def test_widened_range_has_no_breaking_impact(setup: tuple[Path, Path, Path]) -> None:
    old, new, data_dir = setup
    edit(
        new / "ontology" / "core.ttl",
        "    rdfs:range cps:District .",
        "    rdfs:range cps:AdministrativeArea .",
    )
    report = impact(old, new, data_dir)
    assert report.uses == () and not report.breaking and report.exit_code() == 0


def test_new_mandatory_property_counts_newly_failing_stored_nodes(setup: tuple[Path, Path, Path]) -> None:
    old, new, data_dir = setup
    edit(
        new / "shapes" / "common.ttl",
        "                common:PlatformLinkShape , common:IdentifierLinkShape , common:LabelLanguageShape .",
        "                common:PlatformLinkShape , common:IdentifierLinkShape ;\n" + NEW_REQUIRED_MODEL,
    )
    for engine in ("pyshacl", "auto"):
        report = impact(old, new, data_dir, engine)
        [dataset] = report.datasets
        assert (dataset.failing_old, dataset.failing_new, dataset.newly_failing) == (0, 1, 1), engine
        [example] = dataset.examples
        assert example.focus_node == f"{ID}sensor/T2"
        assert "model name" in example.message_en and "모델명" in example.message_ko
        assert report.by_department() == {DEPARTMENT: 1}
        assert report.exit_code() == 1
    assert report.diff is not None
    [required] = [s for s in report.diff.shape_changes if s.constraint == "sh:minCount"]
    assert required.breaking and required.path == "cps:modelName"


def test_alignment_change_is_reported_for_review_only(setup: tuple[Path, Path, Path]) -> None:
    old, new, data_dir = setup
    edit(
        new / "ontology" / "alignments.ttl",
        "cps:Sensor                 skos:closeMatch fw-device:Device .",
        "cps:Sensor                 skos:exactMatch fw-device:Device .",
    )
    report = impact(old, new, data_dir)
    assert report.uses and all(not u.breaking for u in report.uses)
    assert report.stored_uses == ()  # only removed and renamed terms count as stored uses
    assert report.exit_code() == 0


def test_without_a_store_the_data_step_is_skipped(tmp_path: Path) -> None:
    old, new = make_tree(tmp_path / "old"), make_tree(tmp_path / "new")
    report = impact(old, new, tmp_path / "nothing-here")
    step = next(s for s in report.steps if s.name == STEP_STORED_DATA)
    assert step.status == "skipped" and "no store" in step.reason_en
    assert report.exit_code() == 0


def test_cli_exit_codes_and_json(setup: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, new, data_dir = setup
    args = [
        "ontology",
        "impact",
        str(new),
        "--old",
        str(old),
        "--data-dir",
        str(data_dir),
        "--engine",
        "pyshacl",
    ]
    assert main(args) == 0
    capsys.readouterr()
    rename_everywhere(new / "ontology", "Sensor", "UrbanSensor")
    assert main([*args, "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["breaking"] is True and payload["exit_code"] == 1
    assert payload["summary"]["stored_term_uses"] == 1
    assert {u["artefact"] for u in payload["uses"]} == {"mapping", "shape", "query"}
    assert main(args) == 1
    out = capsys.readouterr().out
    assert (
        "매핑 규칙 / Mapping rules" in out
        and "test_sensors.yaml:" in out
        and "SensorQuery.sensorsInDistrict" in out
    )
    assert main(["ontology", "impact", str(new / "missing"), "--old", str(old)]) == 2
    assert main([*args[:-2], "--engine", "fastest"]) == 2


def test_mentions_skip_comments_and_partial_names() -> None:
    text = (
        "a: cps:Sensor\nb: cps:SensorType  # cps:Sensor\nc: <https://data.seoul.go.kr/cps/ontology#Sensor>.\n"
    )
    lines = [m.line for m in find_mentions(text, {"cps": CPS_NS}, [SENSOR])]
    assert lines == [1, 3]


def test_graphql_field_by_table_or_naming_convention(tmp_path: Path) -> None:
    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "linkage.py").write_text(
        'LINKAGE_TABLE_QUERY = "SELECT ?s WHERE { ?s a <https://data.seoul.go.kr/cps/ontology#Sensor> }"\n'
        'SENSOR_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a cps:Sensor }"\n'
        'GRAPHQL_FIELDS = {"SENSOR_COUNT": "Query.sensorCount"}\n',
        encoding="utf-8",
    )
    schema = tmp_path / "schema.graphql"
    schema.write_text(
        '"""The root."""\ntype Query {\n  linkageTable(department: ID): [Row!]!\n  sensorCount: Int!\n}\n'
        "type Row { system: String }\n",
        encoding="utf-8",
    )
    assert graphql_fields(schema) == {"Query.linkageTable", "Query.sensorCount", "Row.system"}
    change = TermChange(SENSOR, "removed", "term", "cps:Sensor", None, True, "removed", "삭제")
    notes: list[str] = []
    uses = scan_queries(queries, {SENSOR: (change,)}, api_dir=None, schema=schema, notes=notes)
    fields = {u.context: u.graphql_field for u in uses}
    assert fields == {
        "linkage.LINKAGE_TABLE_QUERY": "Query.linkageTable",
        "linkage.SENSOR_COUNT": "Query.sensorCount",
    }


def test_catalogue_is_read_leniently(tmp_path: Path) -> None:
    path = tmp_path / "datasets.yaml"
    path.write_text(
        "datasets:\n  a: {department: transport, shapes: traffic.ttl}\n  b: {shapes: [common.ttl, sdot.ttl]}\n",
        encoding="utf-8",
    )
    catalogue = read_catalogue(path)
    assert catalogue.shapes == {"a": ("traffic.ttl",), "b": ("common.ttl", "sdot.ttl")}
    assert catalogue.departments == {"a": "transport"}
    assert read_catalogue(tmp_path / "missing.yaml").shapes == {}
