"""``kg ontology check``: the shipped ontology passes; deliberately broken copies fail with the right message.

Broken copies are ``tmp_path`` copies of ``ontology/`` with one defect seeded each (an extra file or a line
appended to a real file). Reasoner tests need Java and take a few seconds each, so there are only a few and
they are marked ``slow``; alignment tests read the official vocabularies in ``../shared/reference`` (or
``$KG_SHARED_DIR/reference``) and skip with the reason when it is absent.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from kg_service.cli import main
from kg_service.ontology.check import (
    CHECK_ALIGNMENT,
    CHECK_DECLARATION,
    CHECK_INCONSISTENT,
    CHECK_QUALITY,
    CHECK_SYNTAX,
    CHECK_UNSATISFIABLE,
    JAVA_MISSING_EN,
    STEP_ALIGNMENT,
    STEP_QUALITY,
    STEP_REASONING,
    OntologyCheckReport,
    OntologyProblem,
    check_ontology,
)
from kg_service.ontology.reasoner import java_runtime

REPO_ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = REPO_ROOT / "ontology"
SHAPES_DIR = REPO_ROOT / "shapes"
QUALITY_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "ontology-quality"
CPS = "https://data.seoul.go.kr/cps/ontology#"
ID = "https://data.seoul.go.kr/cps/id/"

PREAMBLE = """\
@prefix cps:  <https://data.seoul.go.kr/cps/ontology#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sosa: <http://www.w3.org/ns/sosa/> .
"""

needs_java = pytest.mark.skipif(java_runtime() is None, reason=f"reasoner tests skipped: {JAVA_MISSING_EN}")


def shared_reference_dir() -> Path | None:
    """``$KG_SHARED_DIR/reference`` or ``../shared/reference`` beside the repository, if it exists."""
    reference = Path(os.environ.get("KG_SHARED_DIR", REPO_ROOT.parent / "shared")) / "reference"
    return reference if reference.is_dir() else None


def require_shared_reference() -> Path:
    reference = shared_reference_dir()
    if reference is None:
        pytest.skip(
            "official vocabulary copies not available: ../shared/reference is absent "
            "(set KG_SHARED_DIR to the shared/ directory to run the alignment tests)"
        )
    return reference


def copy_ontology(tmp_path: Path) -> Path:
    """A private copy of the shipped ontology (``ontology/`` with ``reference/``) to break."""
    copy = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY_DIR, copy)
    return copy


def seed(ontology: Path, name: str, turtle: str) -> Path:
    """Add a file with the standard prefixes and ``turtle`` to an ontology copy."""
    path = ontology / name
    path.write_text(PREAMBLE + turtle, encoding="utf-8")
    return path


def run_check(
    ontology: Path, *, reasoner: bool = False, reference: Path | None = None
) -> OntologyCheckReport:
    return check_ontology(
        ontology, shapes_dir=SHAPES_DIR, reference_vocabularies_dir=reference, reasoner=reasoner
    )


def problems_about(report: OntologyCheckReport, check: str, term: str | None) -> list[OntologyProblem]:
    return [p for p in report.problems if p.check == check and p.term == term]


def describe(problems: tuple[OntologyProblem, ...] | list[OntologyProblem]) -> str:
    return "\n".join(f"{p.check} {p.term} [{p.file}:{p.line}] {p.message_en}" for p in problems[:40])


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ``KG_*`` settings from the developer's shell (``KG_SHARED_DIR`` is kept: it says where shared is)."""
    for name in list(os.environ):
        if name.startswith("KG_") and name != "KG_SHARED_DIR":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "kg-data"))


# --- the shipped ontology -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_shipped_ontology_has_no_errors() -> None:
    reasoner = java_runtime() is not None
    report = run_check(ONTOLOGY_DIR, reasoner=reasoner, reference=shared_reference_dir())
    assert not report.errors, f"{len(report.errors)} errors in ontology/:\n{describe(report.errors)}"
    assert report.complete, [(s.name, s.reason_en) for s in report.steps if s.status == "failed"]
    assert report.step(STEP_QUALITY).status == "ran"
    if reasoner:
        assert report.step(STEP_REASONING).status == "ran"
    else:
        pytest.skip(f"ontology/ has no errors, but the reasoning step did not run: {JAVA_MISSING_EN}")


# --- the meta-shapes: a good and a bad example ----------------------------------------------------------------


def test_good_example_meets_every_quality_shape() -> None:
    report = run_check(QUALITY_FIXTURES / "good")
    assert report.problems == (), describe(report.problems)


BAD_EXAMPLE_PROBLEMS = [
    ("error", "https://data.seoul.go.kr/cps/ontology", "owl:versionIRI must be"),
    ("warning", "https://data.seoul.go.kr/cps/ontology", "owl:versionInfo does not match"),
    ("warning", "https://data.seoul.go.kr/cps/ontology", "header has no rdfs:label in English (@en)"),
    ("error", "https://data.seoul.go.kr/cps/ontology/extra", "owl:Ontology has no owl:versionIRI"),
    ("error", "https://data.seoul.go.kr/cps/ontology/extra", "owl:Ontology has no owl:versionInfo"),
    ("error", CPS + "NoKoLabel", "rdfs:label in Korean (@ko) is missing"),
    ("error", CPS + "NoEnDefinition", "skos:definition in English (@en) is missing"),
    ("warning", CPS + "openRelation", "object property has no rdfs:domain"),
    ("warning", CPS + "openRelation", "object property has no rdfs:range"),
    ("error", CPS + "untypedValue", "datatype property has no rdfs:range"),
    ("error", CPS + "TwoLabels", "more than one skos:prefLabel in the same language"),
    ("warning", CPS + "TwoLabels", "concept is in no concept scheme"),
    ("error", ID + "platform/s-map", "rdfs:label in English (@en) is missing"),
]


def test_bad_example_breaks_each_quality_rule_once() -> None:
    report = run_check(QUALITY_FIXTURES / "bad")
    found = sorted((p.severity, p.term or "", p.message_en) for p in report.problems)
    assert len(found) == len(BAD_EXAMPLE_PROBLEMS), describe(report.problems)
    for severity, term, message in BAD_EXAMPLE_PROBLEMS:
        assert any(s == severity and t == term and message in m for s, t, m in found), (
            severity,
            term,
            message,
        )
    for problem in report.problems:
        assert problem.check == CHECK_QUALITY
        assert problem.file == "core.ttl" and problem.line is not None
        assert problem.message_ko and problem.message_ko != problem.message_en


# --- seeded defects in copies of the shipped ontology ---------------------------------------------------------


def test_class_without_korean_label(tmp_path: Path) -> None:
    ontology = copy_ontology(tmp_path)
    seed(
        ontology,
        "zz-unlabelled.ttl",
        'cps:UnlabelledThing a owl:Class ;\n    rdfs:label "unlabelled thing"@en ;\n'
        '    skos:definition "한국어 레이블이 없는 클래스."@ko, "A class without a Korean label."@en .\n',
    )
    report = run_check(ontology)
    [problem] = problems_about(report, CHECK_QUALITY, CPS + "UnlabelledThing")
    assert problem.severity == "error"
    assert problem.message_en == "rdfs:label in Korean (@ko) is missing"
    assert problem.message_ko == "한국어(@ko) rdfs:label이 없습니다"
    assert (problem.file, problem.line) == ("zz-unlabelled.ttl", 6)


@pytest.mark.slow
@needs_java
def test_disjoint_superclasses_make_a_class_unsatisfiable(tmp_path: Path) -> None:
    ontology = copy_ontology(tmp_path)
    seed(
        ontology,
        "zz-broken.ttl",
        "cps:Sensor owl:disjointWith cps:Department .\n"
        "cps:Broken a owl:Class ;\n"
        '    rdfs:label "깨진 클래스"@ko, "broken class"@en ;\n'
        '    skos:definition "센서이자 부서."@ko, "Both a sensor and a department."@en ;\n'
        "    rdfs:subClassOf cps:Sensor, cps:Department .\n"
        "cps:BrokenChild a owl:Class ;\n"
        '    rdfs:label "깨진 하위 클래스"@ko, "broken child"@en ;\n'
        '    skos:definition "깨진 클래스의 하위 클래스."@ko, "A subclass of the broken class."@en ;\n'
        "    rdfs:subClassOf cps:Broken .\n",
    )
    report = run_check(ontology, reasoner=True)
    assert report.step(STEP_REASONING).status == "ran"
    unsatisfiable = [p for p in report.problems if p.check == CHECK_UNSATISFIABLE]
    assert {p.term for p in unsatisfiable} == {CPS + "Broken", CPS + "BrokenChild"}, describe(report.problems)
    [broken] = problems_about(report, CHECK_UNSATISFIABLE, CPS + "Broken")
    assert broken.severity == "error" and broken.file == "zz-broken.ttl" and broken.line == 7
    assert "it is a subclass of" in broken.message_en and "which are declared disjoint" in broken.message_en
    assert "cps:Sensor" in broken.message_en
    assert "충족 불가능" in broken.message_ko
    [child] = problems_about(report, CHECK_UNSATISFIABLE, CPS + "BrokenChild")
    assert "its superclass cps:Broken is unsatisfiable" in child.message_en


@pytest.mark.slow
@needs_java
def test_individual_in_disjoint_classes_makes_the_ontology_inconsistent(tmp_path: Path) -> None:
    ontology = copy_ontology(tmp_path)
    seed(
        ontology,
        "reference/zz-inconsistent.ttl",
        "cps:Sensor owl:disjointWith cps:Department .\n"
        "<https://data.seoul.go.kr/cps/id/sensor/V00BROKEN01> a cps:Sensor, cps:Department ;\n"
        '    rdfs:label "센서이자 부서"@ko, "sensor and department"@en .\n',
    )
    report = run_check(ontology, reasoner=True)
    inconsistent = [p for p in report.problems if p.check == CHECK_INCONSISTENT]
    assert [p.term for p in inconsistent] == [ID + "sensor/V00BROKEN01"], describe(report.problems)
    [problem] = inconsistent
    assert problem.severity == "error"
    assert (problem.file, problem.line) == ("reference/zz-inconsistent.ttl", 7)
    assert problem.message_en.startswith("the ontology is inconsistent")
    assert "id:sensor/V00BROKEN01 is a cps:" in problem.message_en and "cps:Sensor" in problem.message_en
    assert "which are declared disjoint" in problem.message_en
    assert "모순" in problem.message_ko


def test_alignment_typo_names_the_iri_and_suggests_the_right_one(tmp_path: Path) -> None:
    reference = require_shared_reference()
    ontology = copy_ontology(tmp_path)
    alignments = ontology / "alignments.ttl"
    text = alignments.read_text(encoding="utf-8")
    typo_line = text.count("\n") + (1 if text.endswith("\n") else 2)
    alignments.write_text(
        text.rstrip("\n") + "\n<https://data.seoul.go.kr/cps/ontology#Observation> "
        "<http://www.w3.org/2000/01/rdf-schema#seeAlso> <http://www.w3.org/ns/sosa/madeBySenser> .\n",
        encoding="utf-8",
    )
    seed(
        ontology,
        "zz-unverifiable.ttl",
        "cps:Sensor skos:closeMatch <https://smartdatamodels.org/dataModel.Building/NoSuchModel> .\n",
    )
    report = run_check(ontology, reference=reference)
    assert report.step(STEP_ALIGNMENT).status == "ran"
    [typo] = problems_about(report, CHECK_ALIGNMENT, "http://www.w3.org/ns/sosa/madeBySenser")
    assert typo.severity == "error"
    assert (typo.file, typo.line) == ("alignments.ttl", typo_line)
    assert typo.message_en == (
        "sosa:madeBySenser is not defined in the official SOSA vocabulary — did you mean sosa:madeBySensor?"
    )
    assert "sosa:madeBySensor을(를) 뜻했나요?" in typo.message_ko
    # A FIWARE model with no local @context cannot be verified: a warning, not an error.
    [fiware] = problems_about(
        report, CHECK_ALIGNMENT, "https://smartdatamodels.org/dataModel.Building/NoSuchModel"
    )
    assert fiware.severity == "warning" and "cannot verify" in fiware.message_en


def test_alignment_step_is_skipped_without_the_reference_vocabularies(tmp_path: Path) -> None:
    report = run_check(QUALITY_FIXTURES / "good", reference=tmp_path / "no-such-reference")
    step = report.step(STEP_ALIGNMENT)
    assert step.status == "skipped"
    assert "official vocabulary copies not found" in step.reason_en and step.reason_ko


def test_undeclared_cps_term_is_reported_with_the_closest_declared_one(tmp_path: Path) -> None:
    ontology = copy_ontology(tmp_path)
    seed(ontology, "zz-typo.ttl", "cps:Sensor rdfs:subClassOf cps:Sensr .\n")
    report = run_check(ontology)
    [problem] = problems_about(report, CHECK_DECLARATION, CPS + "Sensr")
    assert problem.severity == "error" and problem.file == "zz-typo.ttl"
    assert problem.message_en.endswith("did you mean cps:Sensor?")


def test_syntax_error_is_a_problem_with_file_and_line(
    tmp_path: Path, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    ontology = copy_ontology(tmp_path)
    core = ontology / "core.ttl"
    text = core.read_text(encoding="utf-8").rstrip("\n") + "\n"
    broken_line = text.count("\n") + 2
    core.write_text(text + "\n<https://data.seoul.go.kr/cps/ontology#Oops> a ;\n", encoding="utf-8")

    report = run_check(ontology, reasoner=True)
    [problem] = [p for p in report.problems if p.check == CHECK_SYNTAX]
    assert (problem.severity, problem.file, problem.line) == ("error", "core.ttl", broken_line)
    assert problem.message_en.startswith(f"Turtle syntax error at line {broken_line}")
    assert problem.message_ko.startswith(f"Turtle 구문 오류 {broken_line}번째 줄")
    for step in (STEP_REASONING, STEP_QUALITY):
        assert report.step(step).status == "skipped"
        assert "core.ttl" in report.step(step).reason_en

    assert main(["ontology", "check", str(ontology), "--no-reasoner"]) == 1
    out = capsys.readouterr().out
    assert f"[core.ttl:{broken_line}]: Turtle syntax error" in out
    assert f"Turtle 구문 오류 {broken_line}번째 줄" in out


# --- the reasoner's environment -------------------------------------------------------------------------------


def test_without_java_only_the_reasoning_step_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    report = run_check(QUALITY_FIXTURES / "good", reasoner=True)
    step = report.step(STEP_REASONING)
    assert (step.status, step.reason_en) == ("skipped", JAVA_MISSING_EN)
    assert "default-jre-headless" in step.reason_ko
    assert report.step(STEP_QUALITY).status == "ran"
    assert report.exit_code() == 0


@needs_java
def test_a_reasoner_that_runs_out_of_time_fails_the_step(tmp_path: Path) -> None:
    report = check_ontology(
        QUALITY_FIXTURES / "good",
        shapes_dir=SHAPES_DIR,
        reference_vocabularies_dir=None,
        reasoner_timeout=0.05,
    )
    step = report.step(STEP_REASONING)
    assert step.status == "failed"
    assert "HermiT did not finish within 0.05 s" in step.reason_en
    assert not report.complete and report.exit_code() == 2


# --- the command line ------------------------------------------------------------------------------------------


def test_cli_exit_codes_and_json(
    tmp_path: Path, clean_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KG_ONTOLOGY_DIR", str(QUALITY_FIXTURES / "good"))  # DIR defaults to the setting
    assert main(["ontology", "check", "--no-reasoner"]) == 0
    out = capsys.readouterr().out
    assert f"ontology check: {QUALITY_FIXTURES / 'good'}" in out and "no problems — 문제 없음" in out
    assert "reasoning    skipped" in out and "--no-reasoner" in out

    assert main(["ontology", "check", str(QUALITY_FIXTURES / "bad"), "--no-reasoner", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["exit_code"] == 1
    assert report["summary"]["errors"] == sum(1 for p in report["problems"] if p["severity"] == "error") > 0
    assert {s["name"]: s["status"] for s in report["steps"]}["reasoning"] == "skipped"
    assert all(
        {"check", "severity", "term", "file", "line", "message_en", "message_ko"} <= set(p)
        for p in report["problems"]
    )

    assert main(["ontology", "check", str(QUALITY_FIXTURES / "bad"), "--no-reasoner"]) == 1
    out = capsys.readouterr().out
    assert "cps:NoKoLabel [core.ttl:18]: rdfs:label in Korean (@ko) is missing" in out
    assert "한국어(@ko) rdfs:label이 없습니다" in out
    assert "problems: 8 errors, 5 warnings — 문제 13건 (오류 8, 경고 5)" in out

    assert main(["ontology", "check", str(QUALITY_FIXTURES / "good"), "--no-reasoner", "--strict"]) == 0
    capsys.readouterr()

    assert main(["ontology", "check", str(tmp_path / "no-such-dir")]) == 2
    err = capsys.readouterr().err
    assert "ontology directory not found" in err and "온톨로지 디렉터리가 없습니다" in err

    assert main(["ontology", "check", "--shared-dir", str(tmp_path / "no-such-shared")]) == 2
    assert "--shared-dir" in capsys.readouterr().err


def test_human_output_folds_many_problems_with_the_same_message(
    tmp_path: Path, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(QUALITY_FIXTURES / "good", ontology)
    seed(
        ontology,
        "reference/zz-districts.ttl",
        "".join(f'<{ID}district/1111{n}> a cps:CityPlatform ; rdfs:label "구 {n}"@ko .\n' for n in range(8)),
    )
    assert main(["ontology", "check", str(ontology), "--no-reasoner"]) == 1
    out = capsys.readouterr().out
    assert out.count("rdfs:label in English (@en) is missing") == 6  # five shown, one in the fold line
    assert '… 3 more in reference/zz-districts.ttl with "rdfs:label in English (@en) is missing"' in out
    assert "8 problems: 8 errors, 0 warnings — 문제 8건 (오류 8, 경고 0)" in out

    assert main(["ontology", "check", str(ontology), "--no-reasoner", "--json"]) == 1
    assert len(json.loads(capsys.readouterr().out)["problems"]) == 8
