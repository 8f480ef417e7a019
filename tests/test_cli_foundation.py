"""The ``kg`` command's foundation: --help, --version, init (idempotent), stats, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg_service import __version__
from kg_service.cli import main
from kg_service.config import load_settings
from kg_service.errors import ConfigurationError
from kg_service.store.embedded import EmbeddedStore
from kg_service.vocab import ONTOLOGY_GRAPH, REFERENCE_GRAPH


def test_help_and_version_through_the_console_script() -> None:
    kg = Path(sys.executable).with_name("kg")
    result = subprocess.run([str(kg), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "init" in result.stdout and "stats" in result.stdout and "ontology" in result.stdout
    result = subprocess.run([str(kg), "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert result.stdout.strip() == f"kg-service {__version__}"


def test_init_twice_changes_nothing(isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"]) == 0
    first = capsys.readouterr().out
    assert "loaded" in first
    store = EmbeddedStore.open(isolated_env / "store", read_only=True)
    before = store.dump_nquads()
    sizes = {s.graph: s.triples for s in store.graph_sizes()}
    store.close()
    del store
    assert sizes[str(ONTOLOGY_GRAPH)] > 500
    assert sizes[str(REFERENCE_GRAPH)] > 1000

    assert main(["init"]) == 0
    second = capsys.readouterr().out
    assert "unchanged" in second and "loaded" not in second
    store = EmbeddedStore.open(isolated_env / "store", read_only=True)
    assert store.dump_nquads() == before


def test_init_reloads_a_changed_ontology_atomically(
    isolated_env: Path, tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    ontology = tmp_path / "ontology"
    shutil.copytree(repo_root / "ontology", ontology)
    monkeypatch.setenv("KG_ONTOLOGY_DIR", str(ontology))
    assert main(["init"]) == 0
    core = ontology / "core.ttl"
    core.write_text(core.read_text(encoding="utf-8") + "\ncps:ExtraTerm a owl:Class .\n", encoding="utf-8")
    assert main(["init"]) == 0
    store = EmbeddedStore.open(isolated_env / "store", read_only=True)
    assert any("ExtraTerm" in str(s) for s, _, _ in store.triples(str(ONTOLOGY_GRAPH))), (
        "a changed ontology file must be reloaded"
    )


def test_init_refuses_broken_turtle_and_keeps_the_store(
    isolated_env: Path,
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shutil

    ontology = tmp_path / "ontology"
    shutil.copytree(repo_root / "ontology", ontology)
    monkeypatch.setenv("KG_ONTOLOGY_DIR", str(ontology))
    assert main(["init"]) == 0
    store = EmbeddedStore.open(isolated_env / "store", read_only=True)
    before = store.dump_nquads()
    store.close()
    del store
    (ontology / "core.ttl").write_text("@prefix broken <http://x> .\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["init"]) == 2
    err = capsys.readouterr().err
    assert "core.ttl" in err and "오류" in err and "hint:" in err
    store = EmbeddedStore.open(isolated_env / "store", read_only=True)
    assert store.dump_nquads() == before


def test_stats_prints_triples_per_named_graph(isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"]) == 0
    capsys.readouterr()
    assert main(["stats", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["graphs"][str(ONTOLOGY_GRAPH)] > 0
    assert payload["total"] == sum(payload["graphs"].values())
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert str(REFERENCE_GRAPH) in out and "total" in out


def test_stats_without_a_store_says_what_to_do(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats"]) == 2
    err = capsys.readouterr().err
    assert "kg init" in err


@pytest.mark.parametrize(
    ("variable", "value", "needle"),
    [
        ("KG_PORT", "99999", "KG_PORT"),
        ("KG_PORT", "eighty", "KG_PORT"),
        ("KG_BACKEND", "mongodb", "KG_BACKEND"),
        ("KG_LOG_LEVEL", "LOUD", "KG_LOG_LEVEL"),
        ("KG_HOST", "bad host", "KG_HOST"),
        ("KG_NEO4J_URI", "http://example.com", "KG_NEO4J_URI"),
        ("KG_MAX_ROWS", "-1", "KG_MAX_ROWS"),
        ("KG_DEMO", "perhaps", "KG_DEMO"),
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    needle: str,
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert needle in caught.value.message
    assert main(["stats"]) == 2
    assert needle in capsys.readouterr().err


def test_data_dir_that_is_a_file_is_refused(
    tmp_path: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "not-a-dir"
    afile.write_text("x")
    assert main(["--data-dir", str(afile), "init"]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_oversized_and_hostile_cli_arguments(isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    assert main(["--data-dir", "x" * 100_000, "stats"]) == 2
    assert main(["stats", "--json", "--unknown-flag"]) == 2


def test_second_writer_gets_a_clear_locked_error(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init"]) == 0
    code = (
        "import sys; from kg_service.store.embedded import EmbeddedStore; from pathlib import Path;"
        "s = EmbeddedStore.open(Path(sys.argv[1])); sys.stdout.write('open\\n'); sys.stdout.flush(); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(isolated_env / "store")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        capsys.readouterr()
        assert main(["init"]) == 2
        err = capsys.readouterr().err
        assert "another process" in err and "다른 프로세스" in err
    finally:
        holder.communicate("", timeout=30)
