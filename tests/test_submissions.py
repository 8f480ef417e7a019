"""The submission pipeline's guarantees: commit or reject with a located report, nothing lost, atomic,
idempotent, crash-safe under kill -9 at every step, serialised under concurrency, limits, provenance.

Uses the tests' own small catalogue (tests/fixtures/submissions) so that the guarantees are tested apart from
the production mappings and shapes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg_service.bootstrap import initialise_store
from kg_service.cli import main
from kg_service.config import Settings, load_settings
from kg_service.errors import AuthorizationError, LimitExceededError, NotFoundError
from kg_service.store.embedded import EmbeddedStore
from kg_service.submissions.service import FAULT_INJECTION_VARIABLE, SubmissionService
from kg_service.vocab import dataset_graph

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
SENSORS = "시리얼,위도,경도\nV02Q1940001,37.5665,126.9780\nV02Q1940002,37.4979,127.0286\n".encode()
READINGS = (
    "시리얼,시각,미세먼지\n"
    "V02Q1940001,2025-07-14T13:00:00+09:00,31.5\n"
    "V02Q1940002,2025-07-14T13:00:00+09:00,28\n"
).encode()
BAD_READINGS = (
    "시리얼,시각,미세먼지\n"
    "V02Q1940001,2025-07-14T13:00:00+09:00,1200\n"  # row 1: out of range
    "UNKNOWN0001,2025-07-14T13:00:00+09:00,20\n"  # row 2: unregistered sensor
    "V02Q1940002,2025-07-14T13:00:00+09:00,12..3\n"  # row 3: not a number
    "V02Q1940002,2025-07-14T14:00:00+09:00,600\n"  # row 4: suspicious only (warning)
).encode()


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """KG_* settings pointing at a fresh data directory and the tests' catalogue; yields the data directory."""
    for name in list(os.environ):
        if name.startswith("KG_") and name != "KG_SHARED_DIR":
            monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("KG_DATA_DIR", str(data_dir))
    monkeypatch.setenv("KG_MAPPINGS_DIR", str(FIXTURES / "mappings"))
    monkeypatch.setenv("KG_SHAPES_DIR", str(FIXTURES / "shapes"))
    yield data_dir


def _initialised(settings: Settings) -> None:
    store = EmbeddedStore.open(settings.store_dir)
    try:
        service = SubmissionService.open(settings, store)
        initialise_store(store, settings.ontology_dir, catalog=service.catalog)
    finally:
        store.close()


@pytest.fixture
def service(environment: Path) -> Iterator[SubmissionService]:
    settings = load_settings()
    _initialised(settings)
    store = EmbeddedStore.open(settings.store_dir)
    try:
        yield SubmissionService.open(settings, store)
    finally:
        store.close()


def _count(store: EmbeddedStore, graph: str) -> int:
    return sum(1 for _ in store.triples(graph))


def _sensors_then_readings(service: SubmissionService) -> None:
    assert (
        service.submit(
            department="digital-city", dataset="test-sensors", file_name="s.csv", data=SENSORS
        ).outcome
        == "committed"
    )


def test_a_valid_file_is_committed_with_provenance(service: SubmissionService) -> None:
    outcome = service.submit(
        department="digital-city", dataset="test-sensors", file_name="sensors.csv", data=SENSORS
    )
    assert outcome.outcome == "committed" and outcome.exit_code == 0
    assert outcome.record is not None and outcome.record.sequence == 1
    assert _count(service.store, str(dataset_graph("test-sensors"))) == outcome.triples == 12
    rows = service.store.select(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX cps: <https://data.seoul.go.kr/cps/ontology#>"
        " SELECT ?activity ?seq ?who WHERE { GRAPH ?g { ?activity a prov:Activity ; cps:commitSequence ?seq ;"
        " prov:wasAssociatedWith ?who } }"
    )
    assert [(int(r["seq"]), str(r["who"])) for r in rows] == [
        (1, "https://data.seoul.go.kr/cps/id/department/digital-city")
    ]
    assert service.payloads.get(outcome.record.content_sha256) == SENSORS


def test_a_bad_file_is_rejected_with_rows_and_columns_and_kept(service: SubmissionService) -> None:
    _sensors_then_readings(service)
    outcome = service.submit(
        department="climate-environment", dataset="test-readings", file_name="bad.csv", data=BAD_READINGS
    )
    assert outcome.outcome == "rejected" and outcome.exit_code == 1
    assert _count(service.store, str(dataset_graph("test-readings"))) == 0
    by_row = {(e.row, e.severity): e for e in outcome.report.entries}
    assert by_row[(1, "Violation")].column == "미세먼지" and by_row[(1, "Violation")].value == "1200.0"
    assert "0" in by_row[(1, "Violation")].message_en and by_row[(1, "Violation")].message_ko
    assert (2, "Violation") in by_row  # unknown sensor: referential integrity against the stored registry
    assert by_row[(3, "Violation")].column == "미세먼지" and by_row[(3, "Violation")].value == "12..3"
    assert by_row[(4, "Warning")].column == "미세먼지"
    assert outcome.report.rejected_rows() == 3
    assert "3 rows rejected" in outcome.report.summary("en") and "행 거부" in outcome.report.summary("ko")
    record = service.log.get(outcome.record.id)  # type: ignore[union-attr]
    assert record.status == "rejected" and record.report is not None
    assert service.payloads.get(record.content_sha256) == BAD_READINGS
    fixed = service.submit(
        department="climate-environment", dataset="test-readings", file_name="fixed.csv", data=READINGS
    )
    assert fixed.outcome == "committed"


def test_warnings_do_not_reject(service: SubmissionService) -> None:
    _sensors_then_readings(service)
    data = "시리얼,시각,미세먼지\nV02Q1940001,2025-07-14T13:00:00+09:00,600\n".encode()
    outcome = service.submit(
        department="climate-environment", dataset="test-readings", file_name="w.csv", data=data
    )
    assert outcome.outcome == "committed"
    assert [e.severity for e in outcome.report.entries] == ["Warning"]


def test_the_same_file_twice_is_committed_once(service: SubmissionService) -> None:
    first = service.submit(department="digital-city", dataset="test-sensors", file_name="a.csv", data=SENSORS)
    second = service.submit(
        department="digital-city", dataset="test-sensors", file_name="b.csv", data=SENSORS
    )
    assert second.outcome == "duplicate" and second.duplicate_of == first.record.id  # type: ignore[union-attr]
    assert [r.sequence for r in service.log.recent() if r.sequence] == [1]


def test_replace_and_append_semantics(service: SubmissionService) -> None:
    _sensors_then_readings(service)
    one = "시리얼,위도,경도\nV02Q1940009,37.5665,126.9780\n".encode()
    service.submit(department="digital-city", dataset="test-sensors", file_name="one.csv", data=one)
    serials = {
        str(o)
        for s, p, o in service.store.triples(str(dataset_graph("test-sensors")))
        if p.endswith("sdotSerial")
    }
    assert serials == {"V02Q1940009"}  # replaced
    service.submit(department="digital-city", dataset="test-sensors", file_name="s.csv", data=SENSORS)
    service.submit(
        department="climate-environment", dataset="test-readings", file_name="r1.csv", data=READINGS
    )
    later = READINGS.replace(b"13:00", b"14:00")
    service.submit(department="climate-environment", dataset="test-readings", file_name="r2.csv", data=later)
    assert _count(service.store, str(dataset_graph("test-readings"))) == 2 * 2 * 5  # appended


def test_dry_run_stores_nothing(service: SubmissionService) -> None:
    before = service.store.dump_nquads()
    outcome = service.submit(
        department="digital-city", dataset="test-sensors", file_name="s.csv", data=SENSORS, dry_run=True
    )
    assert outcome.outcome == "valid" and outcome.record is None
    assert service.store.dump_nquads() == before and service.log.recent() == []


def test_who_may_submit_what(service: SubmissionService) -> None:
    with pytest.raises(AuthorizationError):
        service.submit(department="transport", dataset="test-sensors", file_name="s.csv", data=SENSORS)
    with pytest.raises(NotFoundError):
        service.submit(department="digital-city", dataset="no-such-dataset", file_name="s.csv", data=SENSORS)
    with pytest.raises(NotFoundError):
        service.submit(department="no-such-dept", dataset="test-sensors", file_name="s.csv", data=SENSORS)
    admin = service.submit(
        department="transport", dataset="test-sensors", file_name="s.csv", data=SENSORS, any_department=True
    )
    assert admin.outcome == "committed"


def test_limits(environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_MAX_UPLOAD_BYTES", "2048")
    monkeypatch.setenv("KG_MAX_ROWS", "3")
    monkeypatch.setenv("KG_MAX_TRIPLES", "10")
    settings = load_settings()
    _initialised(settings)
    store = EmbeddedStore.open(settings.store_dir)
    try:
        service = SubmissionService.open(settings, store)
        with pytest.raises(LimitExceededError):
            service.submit(
                department="digital-city", dataset="test-sensors", file_name="x.csv", data=b"x" * 4096
            )
        assert service.log.recent() == []  # an oversized file is refused before it is stored
        many = "시리얼,위도,경도\n" + "".join(f"V02Q19400{i:02d},37.5665,126.978\n" for i in range(5))
        rows = service.submit(
            department="digital-city", dataset="test-sensors", file_name="m.csv", data=many.encode()
        )
        assert rows.outcome == "rejected" and "3" in rows.report.entries[0].message_en
        two = service.submit(
            department="digital-city", dataset="test-sensors", file_name="t.csv", data=SENSORS
        )
        assert two.outcome == "rejected" and "10" in two.report.entries[0].message_en  # 12 triples > 10
    finally:
        store.close()


def test_concurrent_submissions_are_serialised_and_none_is_lost(service: SubmissionService) -> None:
    _sensors_then_readings(service)
    errors: list[BaseException] = []

    def submit(hour: int) -> None:
        try:
            data = READINGS.replace(b"T13:00", f"T{hour:02d}:00".encode())
            outcome = service.submit(
                department="climate-environment", dataset="test-readings", file_name=f"h{hour}.csv", data=data
            )
            assert outcome.outcome == "committed"
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(hour,)) for hour in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = sorted(r.sequence for r in service.log.recent(limit=100) if r.sequence is not None)
    assert sequences == list(range(1, 10))
    assert _count(service.store, str(dataset_graph("test-readings"))) == 8 * 2 * 5


def test_readers_never_see_half_a_replace(service: SubmissionService) -> None:
    big = "시리얼,위도,경도\n" + "".join(f"V02Q19{i:05d},37.5665,126.978\n" for i in range(3000))
    small = "시리얼,위도,경도\n" + "".join(f"V02Q18{i:05d},37.5665,126.978\n" for i in range(1000))
    service.submit(department="digital-city", dataset="test-sensors", file_name="big.csv", data=big.encode())
    graph = str(dataset_graph("test-sensors"))
    seen: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(_count(service.store, graph))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        service.submit(
            department="digital-city", dataset="test-sensors", file_name="small.csv", data=small.encode()
        )
        service.submit(
            department="digital-city", dataset="test-sensors", file_name="big.csv", data=big.encode()
        )
    finally:
        stop.set()
        reader.join()
    assert seen <= {3000 * 6, 1000 * 6}, seen


# -- crash safety: a real kill -9 at each step, then recovery in a new process ---------------------------------

_CHILD = """
import sys
from pathlib import Path
from kg_service.config import load_settings
from kg_service.store.embedded import EmbeddedStore
from kg_service.submissions.service import SubmissionService
settings = load_settings()
store = EmbeddedStore.open(settings.store_dir)
service = SubmissionService.open(settings, store)
if sys.argv[1] == "recover":
    done = service.recover()
    print(",".join(f"{r.id}:{r.status}:{r.sequence}" for r in done))
else:
    outcome = service.submit(department="climate-environment", dataset="test-readings", file_name="r.csv",
                             data=Path(sys.argv[2]).read_bytes())
    print(outcome.outcome)
store.close()
"""


@pytest.mark.slow
@pytest.mark.parametrize("point", ["staged", "mapped", "validated", "store-staged", "store-committed"])
def test_kill_9_at_each_step_then_recovery_commits_exactly_once(
    environment: Path, tmp_path: Path, point: str
) -> None:
    settings = load_settings()
    _initialised(settings)
    store = EmbeddedStore.open(settings.store_dir)
    try:
        SubmissionService.open(settings, store).submit(
            department="digital-city", dataset="test-sensors", file_name="s.csv", data=SENSORS
        )
    finally:
        store.close()
    payload = tmp_path / "readings.csv"
    payload.write_bytes(READINGS)
    env = {**os.environ, FAULT_INJECTION_VARIABLE: point}
    crashed = subprocess.run(
        [sys.executable, "-c", _CHILD, "submit", str(payload)], env=env, capture_output=True, timeout=120
    )
    assert crashed.returncode == -9, crashed.stderr.decode()[-2000:]
    env.pop(FAULT_INJECTION_VARIABLE)
    recovered = subprocess.run(
        [sys.executable, "-c", _CHILD, "recover"], env=env, capture_output=True, text=True, timeout=120
    )
    assert recovered.returncode == 0, recovered.stderr[-2000:]
    assert ":committed:2" in recovered.stdout
    again = subprocess.run(
        [sys.executable, "-c", _CHILD, "recover"], env=env, capture_output=True, text=True, timeout=120
    )
    assert again.stdout.strip() == ""  # nothing left to do
    store = EmbeddedStore.open(settings.store_dir, read_only=True)
    try:
        assert _count(store, str(dataset_graph("test-readings"))) == 2 * 5  # once, not twice
        activities = store.select(
            "PREFIX cps: <https://data.seoul.go.kr/cps/ontology#> SELECT ?a ?seq WHERE { GRAPH ?g { ?a cps:commitSequence ?seq } }"
        )
        assert sorted(int(r["seq"]) for r in activities) == [1, 2]
        assert not any(str(g.graph).startswith("urn:kg-service:staging") for g in store.graph_sizes())
    finally:
        store.close()


# -- the command line ---------------------------------------------------------------------------------------


def test_cli_submit_validate_and_listings(
    environment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _initialised(load_settings())
    sensors = tmp_path / "sensors.csv"
    sensors.write_bytes(SENSORS)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_READINGS)
    assert main(["validate", "--department", "digital-city", "--dataset", "test-sensors", str(sensors)]) == 0
    assert main(["submit", "--department", "digital-city", "--dataset", "test-sensors", str(sensors)]) == 0
    capsys.readouterr()
    code = main(["submit", "-d", "climate-environment", "-s", "test-readings", "--json", str(bad)])
    assert code == 1
    result = json.loads(capsys.readouterr().out)
    entries = result["report"]["entries"]
    assert {(e["row"], e["column"]) for e in entries if e["severity"] == "Violation"} >= {
        (1, "미세먼지"),
        (3, "미세먼지"),
    }
    assert main(["submit", "-d", "transport", "-s", "test-readings", str(bad)]) == 2
    assert "오류" in capsys.readouterr().err
    assert main(["submit", "-d", "digital-city", "-s", "test-sensors", str(tmp_path / "missing.csv")]) == 2
    capsys.readouterr()
    assert main(["datasets"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("test-readings\t")
    assert main(["departments"]) == 0
    assert "digital-city\t" in capsys.readouterr().out
    assert main(["submissions"]) == 0
    listing = capsys.readouterr().out.splitlines()
    rejected_id = next(line.split("\t")[0] for line in listing if "\trejected\t" in line)
    assert main(["submission", rejected_id]) == 0
    assert "row 1" in capsys.readouterr().out
    assert main(["submission", "sub-does-not-exist"]) == 2


def test_bad_catalogue_is_refused_at_start(
    environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(FIXTURES / "mappings", mappings)
    (mappings / "datasets.yaml").write_text("datasets:\n  BAD ID:\n    mode: sometimes\n", encoding="utf-8")
    monkeypatch.setenv("KG_MAPPINGS_DIR", str(mappings))
    assert main(["datasets"]) == 2
