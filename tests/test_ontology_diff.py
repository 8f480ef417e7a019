"""``kg ontology diff``: each kind of seeded change is detected and classed compatible or breaking, with a reason.

Every test copies the repository's ontology/, shapes/ and mappings/ twice into ``tmp_path`` (OLD and NEW, see
``tests/ontology_changes.py``) and seeds one change into NEW.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from ontology_changes import CPS_NS, append, edit, make_tree, rename_everywhere, set_version

from kg_service.cli import main
from kg_service.ontology.diff import OntologyDiff, TermChange, diff_trees
from kg_service.ontology.trees import is_revision_syntax, open_tree, tree_from_directory

SENSOR = CPS_NS + "Sensor"
URBAN_SENSOR = CPS_NS + "UrbanSensor"


@pytest.fixture
def trees(tmp_path: Path) -> tuple[Path, Path]:
    return make_tree(tmp_path / "old"), make_tree(tmp_path / "new")


def diff_of(old: Path, new: Path) -> OntologyDiff:
    return diff_trees(tree_from_directory(old), tree_from_directory(new))


def only(changes: tuple[TermChange, ...], **expected: object) -> TermChange:
    found = [c for c in changes if all(getattr(c, k) == v for k, v in expected.items())]
    assert len(found) == 1, f"expected one change with {expected}, found {found}"
    return found[0]


def test_identical_versions_have_no_changes(trees: tuple[Path, Path]) -> None:
    result = diff_of(*trees)
    assert result.changes == () and result.shape_changes == ()
    assert not result.breaking and result.required_bump == "none" and result.exit_code() == 0


def test_rename_without_deprecation_is_breaking_and_not_reported_as_removal(trees: tuple[Path, Path]) -> None:
    old, new = trees
    rename_everywhere(new / "ontology", "Sensor", "UrbanSensor")
    result = diff_of(old, new)
    rename = only(result.changes, kind="renamed")
    assert (rename.term, rename.replaced_by, rename.breaking) == (SENSOR, URBAN_SENSOR, True)
    assert "dct:isReplacedBy" in rename.reason_en and "dct:isReplacedBy" in rename.reason_ko
    # References to the renamed class (domains of locatedIn, inDistrict …, the sub-class EnvironmentalSensor)
    # follow the rename and are not reported as changes of their own.
    assert result.of_kind("removed") == () and result.of_kind("added") == ()
    assert [c for c in result.changes if c.kind == "changed"] == []
    assert result.renames == {SENSOR: URBAN_SENSOR}
    assert result.required_bump == "major" and result.exit_code() == 1


def test_rename_keeping_the_old_term_deprecated_is_compatible_but_flagged(trees: tuple[Path, Path]) -> None:
    old, new = trees
    append(
        new / "ontology" / "core.ttl",
        """
cps:UrbanSensor
    a owl:Class ;
    rdfs:label "센서"@ko , "sensor"@en ;
    skos:definition "하나 이상의 관측 속성을 측정하여 관측값을 만들어내는 장치."@ko ,
                    "A device that measures one or more observable properties and produces observations."@en .

cps:Sensor owl:deprecated true ; dct:isReplacedBy cps:UrbanSensor .
""",
    )
    result = diff_of(old, new)
    rename = only(result.changes, kind="renamed")
    assert (rename.term, rename.replaced_by, rename.breaking, rename.flagged) == (
        SENSOR,
        URBAN_SENSOR,
        False,
        True,
    )
    assert "deprecated" in rename.reason_en
    assert not any(c.kind == "added" and c.term == URBAN_SENSOR for c in result.changes)
    assert not result.breaking and result.exit_code() == 0
    assert result.required_bump == "minor"


def test_rename_detected_by_identical_definition_even_with_new_labels(trees: tuple[Path, Path]) -> None:
    old, new = trees
    rename_everywhere(new / "ontology", "modelName", "deviceModel")
    edit(new / "ontology" / "core.ttl", '"모델명"@ko , "model name"@en', '"장치 모델"@ko , "device model"@en')
    rename = only(diff_of(old, new).changes, kind="renamed")
    assert rename.term == CPS_NS + "modelName" and rename.replaced_by == CPS_NS + "deviceModel"
    assert rename.breaking


def test_removed_term_is_breaking(trees: tuple[Path, Path]) -> None:
    old, new = trees
    core = new / "ontology" / "core.ttl"
    text = core.read_text(encoding="utf-8")
    start = text.index("cps:siteCategory\n")
    end = text.index("\n\n", start)
    core.write_text(text[:start] + text[end + 2 :], encoding="utf-8")
    # the alignment left behind does not keep the term alive
    result = diff_of(old, new)
    removed = only(result.changes, kind="removed")
    assert removed.term == CPS_NS + "siteCategory" and removed.breaking
    assert removed.term_type == "datatype-property"
    assert "삭제" in removed.reason_ko


def test_narrowed_range_is_breaking_and_widened_range_is_compatible(trees: tuple[Path, Path]) -> None:
    old, new = trees
    core = new / "ontology" / "core.ttl"
    edit(
        core,
        "rdfs:range [ a owl:Class ; owl:unionOf ( cps:LegalDong cps:AdministrativeDong ) ] .",
        "rdfs:range cps:LegalDong .",
    )
    edit(
        core,
        "    rdfs:domain [ a owl:Class ; owl:unionOf ( cps:Sensor cps:SpatialObject cps:AdministrativeArea ) ] ;\n"
        "    rdfs:range cps:District .",
        "    rdfs:domain [ a owl:Class ; owl:unionOf ( cps:Sensor cps:SpatialObject cps:AdministrativeArea ) ] ;\n"
        "    rdfs:range cps:AdministrativeArea .",
    )
    result = diff_of(old, new)
    narrowed = only(result.changes, term=CPS_NS + "inDong", aspect="range")
    assert narrowed.breaking and "narrowed" in narrowed.reason_en
    assert narrowed.old == "(cps:AdministrativeDong or cps:LegalDong)" and narrowed.new == "cps:LegalDong"
    widened = only(result.changes, term=CPS_NS + "inDistrict", aspect="range")
    assert not widened.breaking and "widened" in widened.reason_en
    assert result.breaking


def test_domain_and_datatype_changes_follow_the_hierarchies(trees: tuple[Path, Path]) -> None:
    old, new = trees
    core = new / "ontology" / "core.ttl"
    text = core.read_text(encoding="utf-8")
    model = text.index("cps:modelName\n")
    text = text[:model] + text[model:].replace(
        "rdfs:domain cps:Sensor ;", "rdfs:domain cps:EnvironmentalSensor ;", 1
    )
    floors = text.index("cps:floors\n")
    text = text[:floors] + text[floors:].replace("rdfs:range  xsd:integer .", "rdfs:range  xsd:decimal .", 1)
    height = text.index("cps:heightMetres\n")
    text = text[:height] + text[height:].replace("rdfs:range  xsd:decimal .", "rdfs:range  xsd:integer .", 1)
    core.write_text(text, encoding="utf-8")
    result = diff_of(old, new)
    assert only(
        result.changes, term=CPS_NS + "modelName", aspect="domain"
    ).breaking  # narrowed to a sub-class
    floors_change = only(result.changes, term=CPS_NS + "floors", aspect="datatype")
    assert not floors_change.breaking and (floors_change.old, floors_change.new) == (
        "xsd:integer",
        "xsd:decimal",
    )
    assert only(result.changes, term=CPS_NS + "heightMetres", aspect="datatype").breaking


def test_alignment_change_is_compatible_but_flagged(trees: tuple[Path, Path]) -> None:
    old, new = trees
    edit(
        new / "ontology" / "alignments.ttl",
        "cps:Sensor                 skos:closeMatch fw-device:Device .",
        "cps:Sensor                 skos:exactMatch fw-device:Device .",
    )
    result = diff_of(old, new)
    change = only(result.changes, term=SENSOR, aspect="alignment")
    assert not change.breaking and change.flagged
    assert "skos:exactMatch" in (change.new or "") and "skos:closeMatch" in (change.old or "")
    assert not result.breaking and result.required_bump == "minor"
    assert SENSOR in result.affected_terms()


def test_label_edit_is_a_patch_and_a_new_term_a_minor_change(trees: tuple[Path, Path]) -> None:
    old, new = trees
    edit(new / "ontology" / "core.ttl", '"모델명"@ko , "model name"@en', '"모델 이름"@ko , "model name"@en')
    result = diff_of(old, new)
    assert only(result.changes, aspect="label").breaking is False
    assert result.required_bump == "patch" and result.affected_terms() == {}
    append(
        new / "ontology" / "core.ttl",
        """
cps:chargingPoints
    a owl:DatatypeProperty ;
    rdfs:label "충전기 수"@ko , "number of charging points"@en ;
    skos:definition "시설에 설치된 전기차 충전기 수."@ko , "The number of EV charging points at a facility."@en ;
    rdfs:domain cps:Facility ;
    rdfs:range xsd:integer .
""",
    )
    result = diff_of(old, new)
    added = only(result.changes, kind="added")
    assert added.term == CPS_NS + "chargingPoints" and not added.breaking
    assert result.required_bump == "minor"


def test_new_disjointness_and_removed_super_class_are_breaking(trees: tuple[Path, Path]) -> None:
    old, new = trees
    append(new / "ontology" / "core.ttl", "cps:Sensor owl:disjointWith cps:SpatialObject .\n")
    edit(
        new / "ontology" / "core.ttl",
        "    a owl:Class ;\n    rdfs:subClassOf cps:Sensor ;",
        "    a owl:Class ;",
    )
    result = diff_of(old, new)
    disjoint = only(result.changes, term=SENSOR, aspect="disjointness")
    assert disjoint.breaking and "cps:SpatialObject" in (disjoint.new or "")
    hierarchy = only(result.changes, term=CPS_NS + "EnvironmentalSensor", aspect="hierarchy")
    assert hierarchy.breaking and hierarchy.old == "cps:Sensor"


def test_changed_unit_of_an_observable_property_is_breaking(trees: tuple[Path, Path]) -> None:
    old, new = trees
    observable = new / "ontology" / "observable-properties.ttl"
    text = observable.read_text(encoding="utf-8")
    start = text.index("cps:PM10\n")
    text = text[:start] + text[start:].replace(
        "cps:unit unit:MicroGM-PER-M3", "cps:unit unit:MilliGM-PER-M3", 1
    )
    observable.write_text(text, encoding="utf-8")
    change = only(diff_of(old, new).changes, term=CPS_NS + "PM10", aspect="value")
    assert change.breaking and "unit:MilliGM-PER-M3" in (change.new or "")


def test_new_required_property_in_a_shape_is_breaking(trees: tuple[Path, Path]) -> None:
    old, new = trees
    edit(
        new / "shapes" / "common.ttl",
        '    sh:path wgs:lat ;\n    sh:name "위도"@ko , "latitude"@en ;\n    sh:maxCount 1 ;',
        '    sh:path wgs:lat ;\n    sh:name "위도"@ko , "latitude"@en ;\n    sh:minCount 1 ;\n    sh:maxCount 1 ;',
    )
    edit(
        new / "shapes" / "common.ttl",
        '    sh:path wgs:long ;\n    sh:name "경도"@ko , "longitude"@en ;\n    sh:maxCount 1 ;\n',
        '    sh:path wgs:long ;\n    sh:name "경도"@ko , "longitude"@en ;\n',
    )
    result = diff_of(old, new)
    required = [s for s in result.shape_changes if s.constraint == "sh:minCount"]
    assert len(required) == 1 and required[0].breaking and required[0].shape == "common:LatitudeShape"
    assert "newly required" in required[0].reason_en and "필수" in required[0].reason_ko
    assert "sh:targetClass cps:Sensor" in required[0].targets and required[0].file == "common.ttl"
    loosened = [s for s in result.shape_changes if s.constraint == "sh:maxCount"]
    assert len(loosened) == 1 and not loosened[0].breaking
    assert result.breaking and result.changes == ()


def test_revision_strings_are_checked_before_git_sees_them() -> None:
    for good in ("HEAD", "HEAD~1", "HEAD^", "v1.0.0", "3f2a1bc", "origin/main"):
        assert is_revision_syntax(good), good
    for bad in (
        "--upload-pack=x",
        "-n",
        "HEAD..HEAD~2",
        "HEAD:ontology/core.ttl",
        "a b",
        "HEAD@{1}",
        ".",
        "x;y",
    ):
        assert not is_revision_syntax(bad), bad


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-C", str(repo), *args],
        check=True,
        capture_output=True,
    )


def test_cli_compares_git_revisions_with_exit_codes_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_tree(tmp_path / "repo")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "v1")
    _git(repo, "tag", "v1.0.0")
    set_version(repo / "ontology", "1.0.1")
    edit(repo / "ontology" / "core.ttl", '"모델명"@ko , "model name"@en', '"모델 이름"@ko , "model name"@en')
    _git(repo, "commit", "-q", "-am", "label")
    rename_everywhere(repo / "ontology", "Sensor", "UrbanSensor")
    _git(repo, "commit", "-q", "-am", "rename")

    assert main(["ontology", "diff", "v1.0.0", "HEAD~1", "--repo", str(repo), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["breaking"] is False and payload["required_bump"] == "patch"
    assert payload["old"]["version"] == "1.0.0" and payload["new"]["version"] == "1.0.1"

    assert main(["ontology", "diff", "HEAD~1", "HEAD", "--repo", str(repo), "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["exit_code"] == 1 and payload["summary"]["renamed"] == 1
    assert payload["changes"][0]["replaced_by"] == URBAN_SENSOR

    # the working tree against a revision, readable output with Korean and English headings
    assert main(["ontology", "diff", "v1.0.0", str(repo), "--repo", str(repo)]) == 1
    out = capsys.readouterr().out
    assert (
        "이름이 바뀐 용어 / Renamed terms" in out
        and "BREAKING" in out
        and "cps:Sensor → cps:UrbanSensor" in out
    )

    assert main(["ontology", "diff", "--", "--upload-pack=touch /tmp/x", "HEAD", "--repo", str(repo)]) == 2
    assert main(["ontology", "diff", "no-such-tag", "HEAD", "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert "오류" in err and "error" in err


def test_revision_files_are_read_without_touching_the_working_tree(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "v1")
    (repo / "ontology" / "core.ttl").write_text("not turtle", encoding="utf-8")  # uncommitted
    with open_tree("HEAD", repository=repo) as tree:
        assert tree.label.startswith("HEAD (") and tree.ontology_dir != repo / "ontology"
        assert (tree.ontology_dir / "core.ttl").read_text(encoding="utf-8").startswith("#")
        assert tree.shapes_dir is not None and (tree.shapes_dir / "common.ttl").is_file()
        assert tree.queries_dir is not None and (tree.queries_dir / "sensor_queries.py").is_file()
        extracted = tree.ontology_dir
    assert not extracted.exists()  # the temporary copy is gone


def test_cli_on_identical_directories_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = make_tree(tmp_path / "old"), make_tree(tmp_path / "new")
    assert main(["ontology", "diff", str(old), str(new)]) == 0
    assert "no changes — 변경 없음" in capsys.readouterr().out
    assert main(["ontology", "diff", str(old / "ontology"), str(new / "ontology"), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["changes"] == [] and payload["notes"]  # bare ontology directories: shapes not compared
