"""Smoke test of ``bench/mapping_vs_morph_kgc.py``: our side only, in-process, on 2,000 generated S-DoT rows.

Morph-KGC is not installed here (the benchmark builds its own venv); this guards the parts that run without it:
the inputs (the wide rows as generated and the long CSV derived from them), both rule files of our engine giving
the same triples with the expected count, the output comparison, and the command line's usage errors (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from bench import mapping_vs_morph_kgc as bench
from kg_service.demo import DemoOptions, generate_demo

ROWS = 2_000
TRIPLES_PER_OBSERVATION = 6  # type, madeBySensor, observedProperty, hasSimpleResult, resultTime, unit
TRIPLES_PER_SENSOR = 2  # type, sdotSerial


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """2,000 wide rows (small scale, 3 days × 30 sensors × 24 hours = 2,160) and their long CSV."""
    folder = tmp_path_factory.mktemp("bench-mapping")
    generate_demo(folder / "demo", DemoOptions(scale="small", days=3))
    days = sorted((folder / "demo").glob("sdot_hourly_*.csv"))
    wide, long = folder / "sdot_wide.csv", folder / "sdot_long.csv"
    bench.write_wide(days, ROWS, wide)
    long_rows = bench.write_long(wide, bench.WIDE_RULES, long)
    return wide, long, long_rows


def test_wide_input_is_the_generated_rows_unchanged(inputs: tuple[Path, Path, int]) -> None:
    wide, _, _ = inputs
    data = wide.read_bytes()
    assert data.count(b"\r\n") == ROWS + 1  # header + rows, CRLF kept
    assert data.decode("cp949").startswith("시리얼,date,hour,초미세먼지 (㎍/㎥)")


def test_long_csv_has_one_row_per_measured_value(inputs: tuple[Path, Path, int]) -> None:
    _, long, long_rows = inputs
    frame = pl.read_csv(long, infer_schema=False)
    assert frame.columns == list(bench.LONG_COLUMNS)
    assert frame.height == long_rows
    assert 15 * ROWS < long_rows <= 20 * ROWS  # 20 measurements a row, minus blank and negative cells
    assert frame.filter(pl.col("value").str.starts_with("-")).height == 0
    assert frame["value"].str.contains(r"^\d+\.\d+$").all()  # canonical xsd:decimal
    assert frame["result_time"].str.contains(r"^\d{4}-\d\d-\d\dT\d\d:00:00\+09:00$").all()


@pytest.mark.parametrize("variant", ["long", "wide"])
def test_our_engine_makes_the_expected_triples(
    inputs: tuple[Path, Path, int], tmp_path: Path, variant: str
) -> None:
    wide, long, long_rows = inputs
    sensors = pl.read_csv(long, infer_schema=False)["시리얼"].n_unique()
    rules, source = (bench.LONG_RULES, long) if variant == "long" else (bench.WIDE_RULES, wide)
    report = bench.run_ours(rules, source, tmp_path / "out.nt")
    expected = TRIPLES_PER_OBSERVATION * long_rows + TRIPLES_PER_SENSOR * sensors
    assert report["lines"] == expected
    assert report["errors"] == 0
    hashed = bench.hash_output(tmp_path / "out.nt")
    assert (hashed.lines, hashed.distinct, hashed.parsed_all) == (expected, expected, True)


def test_both_rule_files_give_the_same_triples(inputs: tuple[Path, Path, int], tmp_path: Path) -> None:
    wide, long, _ = inputs
    bench.run_ours(bench.LONG_RULES, long, tmp_path / "long.nt")
    bench.run_ours(bench.WIDE_RULES, wide, tmp_path / "wide.nt")
    comparison = bench.compare_outputs(
        bench.hash_output(tmp_path / "long.nt"), bench.hash_output(tmp_path / "wide.nt")
    )
    assert comparison.identical, comparison


def test_comparison_ignores_spelling_and_names_real_differences(tmp_path: Path) -> None:
    decimal = "<http://www.w3.org/2001/XMLSchema#decimal>"
    (tmp_path / "a.nt").write_text(
        f'<http://x/s> <http://x/p> "12.0"^^{decimal} .\n<http://x/s> <http://x/q> "a" .\n', encoding="utf-8"
    )
    (tmp_path / "b.nt").write_text(
        f'<http://x/s>  <http://x/p> "12.0"^^{decimal}.\n<http://x/s> <http://x/q> "\\u0061" .\n',
        encoding="utf-8",
    )
    (tmp_path / "c.nt").write_text(f'<http://x/s> <http://x/p> "12.00"^^{decimal} .\n', encoding="utf-8")
    a, b, c = (bench.hash_output(tmp_path / f"{name}.nt") for name in "abc")
    assert bench.compare_outputs(a, b).identical
    different = bench.compare_outputs(a, c)
    assert not different.identical
    assert different.examples_other == [f'<http://x/s> <http://x/p> "12.00"^^{decimal} .']
    assert (different.only_reference, different.only_other) == (2, 1)


@pytest.mark.parametrize("rows", ["abc", "0", "-5", "10000,x", "10k", "", "99999999"])
def test_bad_rows_are_a_usage_error(rows: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--rows", rows])
    assert exit_info.value.code == 2
    assert "--rows" in capsys.readouterr().err


def test_bad_engine_and_process_count_are_usage_errors() -> None:
    for argv in (["--engines", "rdflib"], ["--morph-processes", "0"], ["--morph-processes", "many"]):
        with pytest.raises(SystemExit) as exit_info:
            bench.main(argv)
        assert exit_info.value.code == 2
