"""Mapping throughput and peak memory against Morph-KGC on generated S-DoT hourly rows, with output equality.

Morph-KGC is the reference RML engine; it pins rdflib<7.3, pyoxigraph<0.4 and pandas<3, so it is installed in a
virtual environment of its own under the work directory (``{workdir}/morph-venv``, created once) and run through
its command line. Each engine runs in its own child process; wall time and peak memory of that process tree are
measured by :mod:`bench._measure`.

Inputs (made once per row count, cached in the work directory, never timed): the first N rows of the S-DoT
hourly CSV files that ``kg demo generate --scale seoul`` writes (26,400 rows per day, EUC-KR), and from them
a *long* CSV in UTF-8 with one row per sensor × hour × measured property. Morph-KGC reads only UTF-8 CSV and
RML has no unpivot, so the long CSV is the one input both engines can map with the same rule file
(``bench/rules/sdot_long.rml.ttl``: templates and references only). The runs per row count:

1. ``morph-kgc``: Morph-KGC, long CSV, ``sdot_long.rml.ttl``;
2. ``ours-long``: our engine, the same long CSV and the same RML file (the like-for-like comparison);
3. ``ours-wide``: our engine on the wide EUC-KR rows as generated with the service's S-DoT rules
   (``bench/rules/sdot_wide.yaml``: melt, ``kgf:`` number and date functions, skip rules) — the whole job the
   long CSV's preparation did outside the timer, done inside it.

All three must produce the same triples. Outputs are compared as sets, with the first finished output of the same
rows (Morph-KGC's): every line is hashed to 128 bits (two seeded 64-bit polars hashes) chunk by chunk, the
distinct hashes are spilled to 16 bucket files and compared bucket by bucket (so 20-GB outputs are compared with
about 2 GB of memory); lines found in only one output are then parsed with pyoxigraph and compared in canonical
N-Triples form, so a different spelling of the same term (``"12.0"^^xsd:decimal``, IRI or literal escapes) is not
a difference, and the first real differences are printed. Every output is also parsed with pyoxigraph (whole up
to 3 GiB, evenly spaced pieces beyond) to show it is valid N-Triples.

Morph-KGC runs with its default ``number_of_processes`` (2 × CPUs) unless ``--morph-processes`` lists others
(``default,1``); a setting whose memory, scaled linearly from the previous row count, would exceed the machine's
RAM is not run at that size. Ratios use the Morph-KGC run hardest for us: its fastest for throughput, its most
frugal for memory (our peak RSS against its peak PSS).

Throughput is distinct triples / wall seconds of the engine's process (start-up, reading, mapping and writing
N-Triples included). Results go to ``bench/results_mapping.md`` (``--results``) and ``{workdir}/results.json``.

Run: ``python -m bench.mapping_vs_morph_kgc [--rows 10000,100000,1000000] [--workdir DIR]
[--morph-processes default,1]``; ``--report-only`` writes the Markdown again from ``{workdir}/results.json``.
Exit codes: 0 finished (outputs identical), 1 finished with different outputs or a failed engine, 2 usage error.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import polars as pl

from bench._measure import Measurement, own_peak_rss_bytes, run_measured

HERE: Final = Path(__file__).resolve().parent
RULES: Final = HERE / "rules"
LONG_RULES: Final = RULES / "sdot_long.rml.ttl"
WIDE_RULES: Final = RULES / "sdot_wide.yaml"
DEFAULT_RESULTS: Final = HERE / "results_mapping.md"
DEFAULT_ROWS: Final = (10_000, 100_000, 1_000_000)
ROWS_PER_DAY: Final = 26_400  # kg demo generate --scale seoul: 1,100 sensors × 24 hours per day file
MAX_ROWS: Final = 5_000_000
WIDE_ENCODING: Final = "cp949"
LONG_COLUMNS: Final = ("시리얼", "property", "unit", "hour_key", "result_time", "value")
ENGINES: Final = ("morph-kgc", "ours-long", "ours-wide")
CHUNK_BYTES: Final = 32 * 1024 * 1024
MIB: Final = 1024 * 1024


# --- arguments -------------------------------------------------------------------------------------------------


def parse_rows(text: str) -> tuple[int, ...]:
    """``10000,100000,1000000`` → row counts; each a positive whole number up to :data:`MAX_ROWS`.

    >>> parse_rows("10000, 1_000")
    (10000, 1000)
    >>> parse_rows("10k")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '10k' is not a whole number of rows (write 10000,100000)
    """
    counts: list[int] = []
    for part in text.split(","):
        item = part.strip()
        if not item.replace("_", "").isdigit():
            raise argparse.ArgumentTypeError(f"'{item}' is not a whole number of rows (write 10000,100000)")
        count = int(item)
        if not 0 < count <= MAX_ROWS:
            raise argparse.ArgumentTypeError(f"{count} rows is out of range (1 to {MAX_ROWS:,})")
        counts.append(count)
    return tuple(counts)


def parse_processes(text: str) -> tuple[int | None, ...]:
    """``default,1`` → ``(None, 1)``: Morph-KGC process counts to run (``None`` = Morph-KGC's default).

    >>> parse_processes("default,1")
    (None, 1)
    """
    values: list[int | None] = []
    for part in text.split(","):
        item = part.strip()
        if item == "default":
            values.append(None)
        elif item.isdigit() and int(item) > 0:
            values.append(int(item))
        else:
            raise argparse.ArgumentTypeError(f"'{item}' is not 'default' or a positive number of processes")
    return tuple(values)


def parse_engines(text: str) -> tuple[str, ...]:
    """A comma-separated subset of :data:`ENGINES`, kept in the order of :data:`ENGINES`."""
    wanted = {part.strip() for part in text.split(",") if part.strip()}
    unknown = wanted - set(ENGINES)
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(f"engines must be among {', '.join(ENGINES)}; got {text!r}")
    return tuple(name for name in ENGINES if name in wanted)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.mapping_vs_morph_kgc",
        description="Our mapping engine against Morph-KGC on generated S-DoT hourly rows "
        "(throughput, peak memory, identical output).",
    )
    parser.add_argument(
        "--rows",
        type=parse_rows,
        default=DEFAULT_ROWS,
        help="comma-separated row counts of the wide S-DoT CSV (default 10000,100000,1000000)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "kg-bench-mapping",
        help="cache for generated data, inputs, outputs and Morph-KGC's virtual environment",
    )
    parser.add_argument(
        "--engines", type=parse_engines, default=ENGINES, help=f"subset of {','.join(ENGINES)}"
    )
    parser.add_argument(
        "--time-limit", type=float, default=45 * 60, help="seconds before a run is stopped (default 2700)"
    )
    parser.add_argument(
        "--memory-cap-gb",
        type=float,
        default=22.0,
        help="a run whose process tree exceeds this resident memory is stopped (default 22; a run is also "
        "stopped when the machine has less than 2 GiB available)",
    )
    parser.add_argument(
        "--morph-processes",
        type=parse_processes,
        default=(None,),
        help="Morph-KGC's number_of_processes, one run per value: 'default' (its own, 2 × CPU count) or a "
        "whole number; e.g. default,1 (default: default)",
    )
    parser.add_argument("--morph-spec", default="morph-kgc", help="pip requirement for Morph-KGC's venv")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="Markdown results file")
    parser.add_argument("--keep-outputs", action="store_true", help="keep the N-Triples outputs")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="only write the Markdown results again from {workdir}/results.json (no runs)",
    )
    parser.add_argument(
        "--child-ours", nargs=3, metavar=("RULES", "INPUT", "OUTPUT"), help=argparse.SUPPRESS
    )  # internal: the child process that runs our engine
    return parser


# --- our engine (runs in the child process) -------------------------------------------------------------------


def run_ours(rules: Path, source: Path, output: Path) -> dict[str, Any]:
    """Map ``source`` with ``rules`` through :func:`kg_service.mapping.engine.map_file`, N-Triples to ``output``.

    Returns the lines written, problem counts and the engine's own time (reading included).
    """
    from kg_service.mapping.engine import map_file

    started = time.perf_counter()
    with output.open("wb") as sink:
        result = map_file(rules, source.read_bytes(), file_name=source.name, sink=sink)
    problems: dict[str, int] = {}
    for problem in result.problems:
        problems[problem.code] = problems.get(problem.code, 0) + 1
    return {
        "lines": result.triple_count,
        "problems": problems,
        "errors": sum(1 for p in result.problems if p.severity == "error"),
        "exact_deduplication": result.exact_deduplication,
        "engine_seconds": round(time.perf_counter() - started, 3),
        "vm_hwm_bytes": own_peak_rss_bytes(),
    }


# --- inputs ----------------------------------------------------------------------------------------------------


def ensure_demo_files(workdir: Path, rows: int) -> list[Path]:
    """The generated hourly files covering ``rows`` rows (generated once with ``kg demo generate``)."""
    days = math.ceil(rows / ROWS_PER_DAY)
    demo = workdir / "demo"
    files = sorted(demo.glob("sdot_hourly_*.csv"))
    if len(files) < days:
        kg = Path(sys.executable).with_name("kg")
        command = [str(kg)] if kg.exists() else [sys.executable, "-m", "kg_service.cli"]
        print(f"generating {days} days of S-DoT hourly files into {demo} …", flush=True)
        subprocess.run(
            [*command, "demo", "generate", "--scale", "seoul", "--days", str(days), "-q", str(demo)],
            check=True,
        )
        files = sorted(demo.glob("sdot_hourly_*.csv"))
    return files[:days]


def write_wide(day_files: Sequence[Path], rows: int, path: Path) -> None:
    """The header and the first ``rows`` data lines of the day files, bytes unchanged (EUC-KR, CRLF)."""
    header: bytes | None = None
    taken = 0
    with path.open("wb") as out:
        for day_file in day_files:
            lines = day_file.read_bytes().splitlines(keepends=True)
            if header is None:
                header = lines[0]
                out.write(header)
            elif lines[0] != header:
                raise ValueError(f"{day_file}: header differs from the first day file's")
            body = lines[1 : 1 + rows - taken]
            out.writelines(body)
            taken += len(body)
            if taken == rows:
                return
    raise ValueError(f"the day files hold {taken} rows, fewer than {rows}")


def _melt_table(rules: Path) -> pl.DataFrame:
    """Column → property and unit local names, in rule order, read from the ``melts`` of the wide rules."""
    import yaml

    spec = yaml.safe_load(rules.read_text(encoding="utf-8"))
    entries = spec["melts"]["measurements"]
    prefixes = {"property": "cps:", "unit": "unit:"}
    for entry in entries:
        for key, prefix in prefixes.items():
            if not entry[key].startswith(prefix):
                raise ValueError(f"{rules}: melt {key} {entry[key]!r} does not start with {prefix}")
    return pl.DataFrame(
        {
            "column": [e["column"] for e in entries],
            "order": list(range(len(entries))),
            "property": [e["property"].removeprefix("cps:") for e in entries],
            "unit": [e["unit"].removeprefix("unit:") for e in entries],
        },
        schema_overrides={"order": pl.UInt32},
    )


def canonical_non_negative_decimal(raw: pl.Expr) -> pl.Expr:
    """Canonical xsd:decimal text of a plain decimal (``2`` → ``2.0``), null for blank or negative values.

    Written here independently of the engine's ``kgf:nonNegativeDecimal`` so the long CSV does not borrow the
    code it is compared with. Values that are not plain decimals must be rejected by the caller first.

    >>> frame = pl.DataFrame({"v": ["2", "12.13333333", "-3.5", "", "007.50", "-0.0", None]})
    >>> frame.select(canonical_non_negative_decimal(pl.col("v"))).to_series().to_list()
    ['2.0', '12.13333333', None, None, '7.5', '0.0', None]
    """
    text = raw.str.strip_chars()
    body = text.str.strip_chars_start("+-")
    whole = body.str.extract(r"^(\d*)", 1).str.strip_chars_start("0")
    whole = pl.when(whole == "").then(pl.lit("0")).otherwise(whole)
    fraction = body.str.extract(r"\.(\d*)$", 1).fill_null("").str.strip_chars_end("0")
    fraction = pl.when(fraction == "").then(pl.lit("0")).otherwise(fraction)
    negative = text.str.starts_with("-") & ~((whole == "0") & (fraction == "0"))
    return (
        pl.when((text != "") & ~negative)
        .then(pl.concat_str([whole, pl.lit("."), fraction]))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def write_long(wide: Path, rules: Path, path: Path) -> int:
    """The long UTF-8 CSV of the wide rows (one row per non-blank, non-negative measurement); returns its rows."""
    melts = _melt_table(rules)
    text = wide.read_bytes().decode(WIDE_ENCODING)
    frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    measured = melts["column"].to_list()
    missing = [c for c in ["시리얼", "date", "hour", *measured] if c not in frame.columns]
    if missing:
        raise ValueError(f"{wide}: columns {missing} missing")
    plain = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"
    for column in measured:
        values = frame[column].str.strip_chars()
        bad = values.filter(values.is_not_null() & (values != "") & ~values.str.contains(plain))
        if bad.len():
            raise ValueError(
                f"{wide}: column {column!r} has values that are not plain decimals: {bad.head(3)}"
            )
    parts = pl.col("date").str.strip_chars().str.split(".")
    stamp = pl.datetime(
        parts.list.get(0).cast(pl.Int32), parts.list.get(1).cast(pl.Int8), parts.list.get(2).cast(pl.Int8)
    ) + pl.duration(hours=pl.col("hour").str.strip_chars().cast(pl.Int64))
    keyed = frame.with_row_index("row").with_columns(
        pl.col("시리얼").str.strip_chars(),
        (stamp.dt.strftime("%Y-%m-%dT%H:%M:%S") + pl.lit("+09:00")).alias("result_time"),
        stamp.dt.strftime("%Y%m%dT%H").alias("hour_key"),
    )
    if keyed.select((pl.col("시리얼").is_null() | pl.col("result_time").is_null()).any()).item():
        raise ValueError(f"{wide}: rows without serial, date or hour (generate without --bad-rate)")
    long = (
        keyed.unpivot(index=["row", "시리얼", "hour_key", "result_time"], on=measured, variable_name="column")
        .join(melts, on="column", how="left")
        .with_columns(canonical_non_negative_decimal(pl.col("value")).alias("value"))
        .filter(pl.col("value").is_not_null())
        .sort(["row", "order"])
        .select(LONG_COLUMNS)
    )
    long.write_csv(path)
    return long.height


@dataclass(frozen=True)
class Inputs:
    """The cached inputs of one row count."""

    rows: int
    wide: Path
    long: Path
    long_rows: int


def ensure_inputs(workdir: Path, rows: int) -> Inputs:
    """Make (once) the wide and long CSV of ``rows`` rows under ``{workdir}/rows-{rows}``."""
    folder = workdir / f"rows-{rows}"
    meta = folder / "inputs.json"
    wide, long = folder / "sdot_wide.csv", folder / "sdot_long.csv"
    if meta.is_file() and wide.is_file() and long.is_file():
        saved = json.loads(meta.read_text(encoding="utf-8"))
        return Inputs(rows, wide, long, int(saved["long_rows"]))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    write_wide(ensure_demo_files(workdir, rows), rows, wide)
    long_rows = write_long(wide, WIDE_RULES, long)
    seconds = round(time.perf_counter() - started, 1)
    meta.write_text(
        json.dumps({"rows": rows, "long_rows": long_rows, "prepare_seconds": seconds}), encoding="utf-8"
    )
    print(
        f"inputs for {rows:,} rows: {long_rows:,} long rows ({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    return Inputs(rows, wide, long, long_rows)


# --- Morph-KGC ---------------------------------------------------------------------------------------------------


def ensure_morph_venv(workdir: Path, spec: str) -> tuple[Path, str]:
    """Morph-KGC's own virtual environment (created once); returns its python and Morph-KGC's version."""
    venv = workdir / "morph-venv"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "from importlib.metadata import version; print(version('morph-kgc'))"]
    if python.exists():
        found = subprocess.run(probe, capture_output=True, text=True, check=False)
        if found.returncode == 0:
            return python, found.stdout.strip()
    print(f"creating {venv} and installing {spec} …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", spec], check=True)
    found = subprocess.run(probe, capture_output=True, text=True, check=True)
    return python, found.stdout.strip()


def morph_config(inputs: Inputs, output: Path, processes: int | None) -> str:
    """Morph-KGC's .ini: the long CSV as the rule file's source, N-Triples to ``output``."""
    lines = [
        "[CONFIGURATION]",
        f"output_file: {output}",
        "output_format: N-TRIPLES",
        "logging_level: WARNING",
    ]
    if processes is not None:
        lines.append(f"number_of_processes: {processes}")
    lines += ["", "[SDOTLong]", f"mappings: {LONG_RULES}", f"file_path: {inputs.long}", ""]
    return "\n".join(lines)


# --- output comparison --------------------------------------------------------------------------------------------
#
# Two stages, so that a 100-million-triple output is compared in minutes and bounded memory:
# 1. every line of each output is hashed to 128 bits (two seeded 64-bit polars hashes), chunk by chunk; the hashes
#    are spilled to disk in BUCKETS parts (by their low bits), so the sets of distinct hashes are built and compared
#    one part at a time (the benchmark process stays near a gigabyte even for 20-GB outputs); equal sets mean
#    equal sets of lines;
# 2. only the lines that are not in both outputs are parsed with pyoxigraph and re-serialised as canonical
#    N-Triples; they count as a difference only if their canonical forms differ too (so "12.0"^^xsd:decimal
#    written two ways, or a different IRI or literal escape, is not a difference).
# Separately, each output is parsed with pyoxigraph (all of it up to VALIDATE_BYTES, otherwise evenly spaced
# chunks adding up to that) to show it is valid N-Triples.

HASH_SEEDS: Final = (0x5EED, 0xC0FFEE)
VALIDATE_BYTES: Final = 3 * 1024**3
CANONICAL_LIMIT: Final = 5_000_000
"""Differing lines canonicalised at most; beyond this the outputs are reported as different without it."""


BUCKETS: Final = 16
HASH_CHUNK_BYTES: Final = 128 * 1024 * 1024


def _lines(chunk: bytes) -> pl.Series:
    """The non-blank lines of a piece of N-Triples (no quoting; a separator N-Triples never leaves unescaped)."""
    frame = pl.read_csv(
        chunk, has_header=False, separator="\x1f", quote_char=None, schema={"line": pl.String}
    )
    return frame["line"].filter(frame["line"].str.strip_chars() != "")


def _hashes(lines: pl.Series) -> pl.DataFrame:
    return pl.DataFrame({"h1": lines.hash(HASH_SEEDS[0]), "h2": lines.hash(HASH_SEEDS[1])})


@dataclass
class HashedOutput:
    """The distinct lines of one output as 128-bit hashes in :data:`BUCKETS` files, and how much of it
    pyoxigraph parsed."""

    path: Path
    hash_dir: Path
    lines: int
    distinct: int
    parsed_lines: int = 0
    parsed_all: bool = True

    def bucket(self, number: int) -> pl.DataFrame:
        return pl.read_ipc(self.hash_dir / f"{number:02d}.arrow")

    def remove(self) -> None:
        """Delete the output and its hashes."""
        self.path.unlink(missing_ok=True)
        shutil.rmtree(self.hash_dir, ignore_errors=True)


def _sampled_chunks(path: Path, budget: int) -> Iterator[bytes]:
    """Evenly spaced pieces of about :data:`CHUNK_BYTES` adding up to about ``budget`` bytes, the first and the
    last included, each trimmed to whole lines."""
    size = path.stat().st_size
    count = max(2, budget // CHUNK_BYTES)
    starts = sorted({round(i * max(0, size - CHUNK_BYTES) / (count - 1)) for i in range(count)})
    with path.open("rb") as handle:
        for start in starts:
            handle.seek(start)
            block = handle.read(CHUNK_BYTES)
            if start:  # begin after the first line end: the piece may start inside a line
                block = block[block.find(b"\n") + 1 :]
            if start + CHUNK_BYTES < size:
                block = block[: block.rfind(b"\n") + 1]
            if block.strip():
                yield block


def _contiguous_chunks(path: Path, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    rest = b""
    with path.open("rb") as handle:
        while block := handle.read(size):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            if cut:
                yield block[:cut]
    if rest.strip():
        yield rest + b"\n"


def validate_with_pyoxigraph(path: Path, budget: int = VALIDATE_BYTES) -> tuple[int, bool]:
    """Parse the output (all of it, or evenly spaced chunks adding up to ``budget`` bytes) with pyoxigraph.

    Returns (lines parsed, whether that was the whole file); raises ``SyntaxError`` on invalid N-Triples.
    """
    import collections

    import pyoxigraph as ox

    whole = path.stat().st_size <= budget
    parsed = 0
    for chunk in _contiguous_chunks(path) if whole else _sampled_chunks(path, budget):
        parsed += chunk.count(b"\n")
        collections.deque(ox.parse(chunk, ox.RdfFormat.N_TRIPLES), maxlen=0)
    return parsed, whole


def hash_output(path: Path) -> HashedOutput:
    """Hash every line of ``path`` into bucket files next to it; validate it with pyoxigraph."""
    hash_dir = path.with_name(path.name + ".hashes")
    shutil.rmtree(hash_dir, ignore_errors=True)
    pieces = hash_dir / "pieces"
    pieces.mkdir(parents=True)
    lines = 0
    for index, chunk in enumerate(_contiguous_chunks(path, HASH_CHUNK_BYTES)):
        hashes = _hashes(_lines(chunk))
        lines += hashes.height
        parts = hashes.unique().with_columns((pl.col("h1") % BUCKETS).alias("bucket"))
        for (number,), part in parts.partition_by("bucket", as_dict=True, include_key=False).items():
            part.write_ipc(pieces / f"{number:02d}-{index:05d}.arrow")
    distinct = 0
    for number in range(BUCKETS):
        files = sorted(pieces.glob(f"{number:02d}-*.arrow"))
        bucket = (
            pl.concat([pl.read_ipc(f) for f in files]).unique()
            if files
            else pl.DataFrame(schema={"h1": pl.UInt64, "h2": pl.UInt64})
        )
        bucket.write_ipc(hash_dir / f"{number:02d}.arrow")
        distinct += bucket.height
        for f in files:
            f.unlink()
    pieces.rmdir()
    parsed, whole = validate_with_pyoxigraph(path)
    return HashedOutput(path, hash_dir, lines, distinct, parsed, whole)


def _lines_with_hashes(path: Path, wanted: pl.DataFrame) -> list[str]:
    found: list[str] = []
    for chunk in _contiguous_chunks(path, HASH_CHUNK_BYTES):
        lines = _lines(chunk)
        frame = _hashes(lines).with_columns(lines.alias("line"))
        found += frame.join(wanted, on=["h1", "h2"], how="semi")["line"].to_list()
    return found


def _canonical(lines: Sequence[str]) -> dict[str, str]:
    """Canonical N-Triples (pyoxigraph) of each line → the line as written."""
    import pyoxigraph as ox

    found: dict[str, str] = {}
    for line in lines:
        quads = list(ox.parse(line.encode("utf-8"), ox.RdfFormat.N_QUADS))
        text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
        for canonical in text.decode("utf-8").splitlines():
            found.setdefault(canonical, line)
    return found


@dataclass
class Comparison:
    """Two outputs compared as sets of triples."""

    identical: bool
    only_reference: int
    only_other: int
    respelt: int = 0
    examples_reference: list[str] = field(default_factory=list)
    examples_other: list[str] = field(default_factory=list)


def compare_outputs(reference: HashedOutput, other: HashedOutput, limit: int = 5) -> Comparison:
    """Set comparison of two outputs (see the comment above); on a difference, up to ``limit`` lines each."""
    only_ref: list[pl.DataFrame] = []
    only_other: list[pl.DataFrame] = []
    for number in range(BUCKETS):
        ours, theirs = reference.bucket(number), other.bucket(number)
        only_ref.append(ours.join(theirs, on=["h1", "h2"], how="anti"))
        only_other.append(theirs.join(ours, on=["h1", "h2"], how="anti"))
    missing_hashes, extra_hashes = pl.concat(only_ref), pl.concat(only_other)
    if missing_hashes.height == 0 and extra_hashes.height == 0:
        return Comparison(True, 0, 0)
    if missing_hashes.height + extra_hashes.height > CANONICAL_LIMIT:
        return Comparison(
            False,
            missing_hashes.height,
            extra_hashes.height,
            examples_reference=_lines_with_hashes(reference.path, missing_hashes.head(limit)),
            examples_other=_lines_with_hashes(other.path, extra_hashes.head(limit)),
        )
    ref_lines = _canonical(_lines_with_hashes(reference.path, missing_hashes))
    other_lines = _canonical(_lines_with_hashes(other.path, extra_hashes))
    missing = [ref_lines[c] for c in ref_lines if c not in other_lines]
    extra = [other_lines[c] for c in other_lines if c not in ref_lines]
    return Comparison(
        not missing and not extra,
        len(missing),
        len(extra),
        respelt=len(ref_lines) - len(missing),
        examples_reference=missing[:limit],
        examples_other=extra[:limit],
    )


# --- runs ---------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One engine on one row count."""

    rows: int
    engine: str
    label: str
    input: str
    rules: str
    seconds: float | None = None
    peak_rss_mib: float | None = None
    peak_pss_mib: float | None = None
    processes: int | None = None
    load: tuple[float, float] | None = None
    lines: int | None = None
    triples: int | None = None
    stopped: str | None = None
    returncode: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    identical_to_reference: bool | None = None
    reference: str | None = None
    differences: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.stopped is None and self.returncode == 0

    @property
    def triples_per_second(self) -> float | None:
        if not self.finished or not self.triples or not self.seconds:
            return None
        return self.triples / self.seconds


def _measure_to_run(run: Run, measured: Measurement) -> None:
    run.seconds = round(measured.wall_seconds, 3)
    run.peak_rss_mib = round(measured.peak_rss_bytes / MIB, 1)
    run.peak_pss_mib = round(measured.peak_pss_bytes / MIB, 1)
    run.processes = measured.processes_seen
    run.load = (round(measured.load_before, 1), round(measured.load_after, 1))
    run.stopped = measured.stopped
    run.returncode = measured.returncode
    if not measured.ok:
        run.detail["stderr_tail"] = measured.stderr_tail[-1500:]


def _morph_label(processes: int | None) -> str:
    return f"(processes: {'default, 2 × CPUs' if processes is None else processes})"


def total_memory_bytes() -> int:
    """``MemTotal`` of the machine."""
    with Path("/proc/meminfo").open() as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return 0


def run_engine(
    engine: str,
    inputs: Inputs,
    out_dir: Path,
    args: argparse.Namespace,
    morph: tuple[Path, str] | None,
    morph_processes: int | None = None,
) -> tuple[Run, Path]:
    """Run one engine on one row count in its own child process; returns the run and its output path."""
    limits = {
        "time_limit": args.time_limit,
        "memory_cap_bytes": int(args.memory_cap_gb * 1024**3),
        # stop before the machine runs short: the kernel's OOM killer might pick another user's process
        "min_available_bytes": 2 * 1024**3,
    }
    if engine == "morph-kgc":
        assert morph is not None
        python, version = morph
        name = f"morph-kgc-{'default' if morph_processes is None else morph_processes}"
        output = out_dir / f"{name}.nt"  # one name per setting: the first output is kept as the reference
        output.unlink(missing_ok=True)
        config = out_dir / f"{name}.ini"
        config.write_text(morph_config(inputs, output, morph_processes), encoding="utf-8")
        run = Run(
            inputs.rows,
            engine,
            f"Morph-KGC {version} {_morph_label(morph_processes)}",
            "long CSV, UTF-8",
            LONG_RULES.name,
        )
        measured = run_measured([str(python), "-m", "morph_kgc", str(config)], cwd=out_dir, **limits)
        _measure_to_run(run, measured)
        return run, output
    rules, source, label, described = (
        (LONG_RULES, inputs.long, "ours (same RML file)", "long CSV, UTF-8")
        if engine == "ours-long"
        else (WIDE_RULES, inputs.wide, "ours (S-DoT YARRRML: melt + kgf:)", "wide CSV as generated, EUC-KR")
    )
    output = out_dir / f"{engine}.nt"
    run = Run(inputs.rows, engine, label, described, rules.name)
    argv = [
        sys.executable,
        "-m",
        "bench.mapping_vs_morph_kgc",
        "--child-ours",
        str(rules),
        str(source),
        str(output),
    ]
    measured = run_measured(argv, cwd=HERE.parent, **limits)
    _measure_to_run(run, measured)
    if measured.ok:
        run.detail.update(json.loads(measured.stdout.strip().splitlines()[-1]))
        # the child's own high-water mark catches a peak between two samples
        run.peak_rss_mib = max(run.peak_rss_mib or 0.0, round(run.detail["vm_hwm_bytes"] / MIB, 1))
    return run, output


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _morph_baselines(runs: Sequence[Run], rows: int) -> tuple[Run | None, Run | None]:
    """Morph-KGC's fastest and its most frugal finished run at ``rows`` (each ratio uses the harder one)."""
    finished = [r for r in runs if r.engine == "morph-kgc" and r.rows == rows and r.finished]
    if not finished:
        return None, None
    fastest = min(finished, key=lambda r: r.seconds or math.inf)
    frugal = min(finished, key=lambda r: r.peak_pss_mib or math.inf)
    return fastest, frugal


def ratios(runs: Sequence[Run], run: Run) -> tuple[float | None, float | None]:
    """(throughput ours/Morph-KGC, memory ours/Morph-KGC) of one of our runs, each against the Morph-KGC run
    of the same rows that makes it hardest: its fastest for throughput, its most frugal for memory, and our
    peak RSS against its peak PSS (its forked workers' shared pages counted once)."""
    fastest, frugal = _morph_baselines(runs, run.rows)
    if run.engine == "morph-kgc" or not run.finished or fastest is None or frugal is None:
        return None, None
    assert fastest.seconds and run.seconds and run.peak_rss_mib and frugal.peak_pss_mib
    return fastest.seconds / run.seconds, run.peak_rss_mib / frugal.peak_pss_mib


THROUGHPUT_TARGET: Final = 5.0
MEMORY_TARGET: Final = 0.2


def verdict(runs: Sequence[Run]) -> list[str]:
    """The issue's targets (≥ 5× throughput, ≤ 1/5 peak memory, same triples) at the largest row count at which
    Morph-KGC finished."""
    finished = [r.rows for r in runs if r.engine == "morph-kgc" and r.finished]
    if not finished:
        return ["- No Morph-KGC run finished, so no ratio was measured (see the notes above for bounds)."]
    rows = max(finished)
    lines = [f"At {rows:,} rows (targets: throughput ≥ {THROUGHPUT_TARGET:g}×, memory ≤ {MEMORY_TARGET:g}×):"]
    for run in (r for r in runs if r.rows == rows and r.engine != "morph-kgc"):
        throughput, memory = ratios(runs, run)
        if throughput is None or memory is None:
            lines.append(f"- {run.label}: did not finish ({run.stopped or f'exit {run.returncode}'}).")
            continue
        met = {True: "met", False: "**not met**"}
        lines.append(
            f"- {run.label} on the {run.input}: throughput {throughput:.1f}× "
            f"({met[throughput >= THROUGHPUT_TARGET]}), memory {memory:.2f}× ({met[memory <= MEMORY_TARGET]}), "
            f"same triples: {'yes' if run.identical_to_reference else '**no**'}."
        )
    return lines


def results_table(runs: Sequence[Run]) -> list[str]:
    """The Markdown table: one line per run; ratios of our runs against Morph-KGC at the same row count."""
    header = (
        "| rows (wide) | triples | engine | input | seconds | triples/s | peak RSS MiB | peak PSS MiB "
        "| throughput ours/Morph-KGC | memory ours/Morph-KGC | identical output | load avg |"
    )
    lines = [header, "|" + "---|" * 12]
    for run in runs:
        throughput_ratio, memory_ratio = ratios(runs, run)
        if run.finished:
            seconds = f"{run.seconds:,.2f}"
            tps = f"{run.triples_per_second:,.0f}" if run.triples_per_second else "—"
        else:
            why = run.stopped or f"exit {run.returncode}"
            if run.stopped == "skipped":
                seconds = f"not run: {run.detail['why']}"
            elif run.stopped:
                seconds = f"> {run.seconds:,.0f} (stopped: {why})"
            else:
                seconds = f"failed ({why})"
            tps = "—"
        identical = {True: "yes", False: "**no**", None: "reference" if run.finished else "—"}[
            run.identical_to_reference
        ]
        load = "—" if run.load is None else f"{run.load[0]:.1f}→{run.load[1]:.1f}"
        lines.append(
            f"| {run.rows:,} | {run.triples or 0:,} | {run.label} | {run.input} | {seconds} | {tps} "
            f"| {_mib(run.peak_rss_mib)} | {_mib(run.peak_pss_mib)} | {_ratio(throughput_ratio)} "
            f"| {_ratio(memory_ratio)} | {identical} | {load} |"
        )
    return lines


def extrapolation(runs: Sequence[Run]) -> list[str]:
    """For a Morph-KGC run stopped by a limit: measured bounds, and a linear fit clearly marked as such."""
    notes: list[str] = []
    for run in runs:
        if run.engine != "morph-kgc" or run.finished:
            continue
        if run.stopped == "skipped":
            notes.append(f"- {run.rows:,} rows: {run.label} was not run: {run.detail['why']}.")
            continue
        assert run.seconds is not None
        why = run.stopped or f"exit {run.returncode}"
        notes.append(
            f"- {run.rows:,} rows: {run.label} did not finish ({why}) after {run.seconds:,.0f} s, having reached "
            f"{_mib(run.peak_rss_mib)} MiB RSS / {_mib(run.peak_pss_mib)} MiB PSS."
        )
        for mine in (r for r in runs if r.rows == run.rows and r.engine.startswith("ours") and r.finished):
            assert mine.seconds is not None
            notes.append(
                f"  - measured bounds for {mine.label}: throughput ≥ {run.seconds / mine.seconds:.1f}× "
                f"Morph-KGC's (it had not finished); memory ≤ "
                f"{(mine.peak_rss_mib or 0) / (run.peak_pss_mib or 1):.2f}× of what Morph-KGC had already used."
            )
        finished = sorted(
            (r for r in runs if r.label == run.label and r.finished and r.rows < run.rows),
            key=lambda r: r.rows,
        )
        if len(finished) >= 2:
            a, b = finished[-2], finished[-1]
            assert a.seconds and b.seconds and a.peak_pss_mib and b.peak_pss_mib
            per_row = (b.seconds - a.seconds) / (b.rows - a.rows)
            seconds = b.seconds + per_row * (run.rows - b.rows)
            memory = b.peak_pss_mib + (b.peak_pss_mib - a.peak_pss_mib) / (b.rows - a.rows) * (
                run.rows - b.rows
            )
            notes.append(
                f"  - EXTRAPOLATION, not a measurement: straight lines through its {a.rows:,}- and {b.rows:,}-row "
                f"runs give about {seconds:,.0f} s and {memory:,.0f} MiB PSS for {run.rows:,} rows."
            )
    return notes


def environment() -> dict[str, str]:
    """Machine and versions, for the results file."""
    commit = subprocess.run(
        ["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(HERE.parent), "status", "--porcelain", "--", "kg_service"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    memory = round(total_memory_bytes() / 1024**3)
    from importlib.metadata import version

    return {
        "commit": commit + (" (kg_service has uncommitted changes)" if dirty else ""),
        "machine": f"{os.cpu_count()} CPUs, {memory} GiB RAM, {platform.platform()}",
        "python": platform.python_version(),
        "ours": f"polars {version('polars')}, pyoxigraph {version('pyoxigraph')}",
    }


def _parsed_summary(runs: Sequence[Run]) -> str:
    partial = [
        f"{r.detail['pyoxigraph_parsed_lines']:,} of {r.lines:,} lines of {r.label} at {r.rows:,} rows"
        for r in runs
        if r.finished and r.lines and not r.detail.get("pyoxigraph_parsed_all", True)
    ]
    if not partial:
        return "every output was parsed whole by pyoxigraph without error."
    return (
        "outputs up to 3 GiB were parsed whole by pyoxigraph without error; of the larger ones, evenly spaced "
        "32-MiB pieces (first and last included) were parsed: " + "; ".join(partial) + "."
    )


def write_results(
    path: Path, runs: Sequence[Run], env: dict[str, str], command: str, morph: str | None
) -> None:
    """The Markdown results file (the lead merges it into BENCHMARKS.md)."""
    text = [
        "# Mapping: our engine against Morph-KGC (S-DoT hourly rows)",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {env['machine']}. Python {env['python']}; ours: {env['ours']}; "
        f"Morph-KGC: {morph or 'not run'} in its own venv (its own pinned rdflib, pandas, pyoxigraph). "
        f"Commit {env['commit']}.",
        "",
        *results_table(runs),
        "",
        *verdict(runs),
        "",
        *extrapolation(runs),
        "",
        "## Inputs and rules (why the outputs can be equal)",
        "",
        "- rows: the first N rows of the S-DoT hourly CSV files `kg demo generate --scale seoul` writes "
        "(EUC-KR, CRLF, 23 columns, 26,400 rows a day).",
        "- Morph-KGC reads CSV as UTF-8 only, and RML cannot unpivot a wide row into one observation per "
        "column, nor drop an observation whose value is blank or negative (it drops rows per triple, not per "
        "subject). So the benchmark derives, once and untimed, a *long* UTF-8 CSV: one row per sensor × hour × "
        "measured property, with the value in canonical xsd:decimal form (blank and negative cells dropped, as "
        "`kgf:nonNegativeDecimal` does) and the time as xsd:dateTime (`2025.7.14` + hour → "
        "`2025-07-14T13:00:00+09:00`). This derivation is written in the benchmark independently of the "
        "engine's functions.",
        "- Morph-KGC and 'ours (same RML file)' read that long CSV with one and the same rule file, "
        "`bench/rules/sdot_long.rml.ttl` (templates and references only): the like-for-like comparison.",
        "- 'ours (S-DoT YARRRML: melt + kgf:)' reads the wide EUC-KR rows as generated with "
        "`bench/rules/sdot_wide.yaml` (the service's S-DoT rules: melt, `kgf:` number and date functions, "
        "skip rules), so it also does, inside the timer, the work the long CSV's preparation did outside it for "
        "Morph-KGC.",
        "",
        "## Measurement",
        "",
        "- Each engine runs in a child process of its own. seconds: wall time of that process (start-up, "
        "reading, mapping, writing N-Triples to a file). triples: distinct triples of the output; "
        "triples/s = triples / seconds.",
        "- peak RSS: the largest resident memory of the process tree (Morph-KGC forks workers; summed over "
        "them, and never below one process's kernel high-water mark VmHWM), sampled every 0.1 s; our child "
        "also reports its own VmHWM. peak PSS: the same with pages shared between processes divided among them.",
        "- Ratios use, for each metric, the Morph-KGC setting that is hardest for us at the same row count: its "
        "fastest run for throughput, its most frugal for memory, and our peak RSS against its peak PSS.",
        "- Morph-KGC runs with its default `number_of_processes` (2 × CPUs) and with 1. A setting is not run when "
        "its peak memory, scaled linearly from its previous row count, would exceed the machine's RAM. Every run "
        "is stopped at the time limit, above the memory cap, or when the machine has less than 2 GiB available.",
        "- identical output: outputs compared as sets with the first finished output of the same rows (Morph-KGC's): "
        "every line hashed to 128 bits and the distinct hashes compared in 16 buckets; lines found in only one "
        "output would then be parsed with pyoxigraph and compared in canonical N-Triples form (so a different "
        "spelling of the same term is not a difference). Validity: " + _parsed_summary(runs),
        "",
        "## Caveats",
        "",
        "- One run per cell, on a machine that may be shared: the load-average column (1-minute, before → "
        "after each run) shows other work running at the same time, which slows every engine; short runs are "
        "the noisiest, the ratios at the largest row count the least.",
        "- At 10,000 rows fixed costs (interpreter start-up, imports, thread pools) dominate both engines; our "
        "process's resident memory there is larger than Morph-KGC's single-process run.",
        "- The long CSV's derivation (decoding, unpivoting, number and date canonicalisation) is not timed for "
        "Morph-KGC (its time is `prepare_seconds` in `{workdir}/rows-N/inputs.json`).",
        "",
    ]
    path.write_text("\n".join(text), encoding="utf-8")


def _projected_too_big(runs: Sequence[Run], engine: str, processes: int | None, rows: int) -> Run | None:
    """A skipped run, if this setting's peak memory, scaled linearly from its largest smaller finished run, would
    exceed the machine's memory (Morph-KGC's default forks 2 × CPU workers that each hold a rule's data)."""
    label = _morph_label(processes) if engine == "morph-kgc" else None
    earlier = [r for r in runs if r.engine == engine and r.finished and r.rows < rows]
    if label is not None:
        earlier = [r for r in earlier if r.label.endswith(label)]
    if not earlier:
        return None
    last = max(earlier, key=lambda r: r.rows)
    projected = (last.peak_pss_mib or 0) * rows / last.rows
    total = total_memory_bytes() / MIB
    if projected <= total:
        return None
    skipped = Run(rows, engine, last.label, last.input, last.rules, stopped="skipped")
    skipped.detail["why"] = (
        f"projected {projected / 1024:,.0f} GiB (linear from {last.rows:,} rows) > {total / 1024:,.0f} GiB RAM"
    )
    return skipped


def _discard(hashed: HashedOutput, *, keep_output: bool) -> None:
    """Delete an output's hashes, and the output itself unless asked to keep it (they reach 20 GB)."""
    if keep_output:
        shutil.rmtree(hashed.hash_dir, ignore_errors=True)
    else:
        hashed.remove()


def _print_run(run: Run) -> None:
    state = "ok" if run.finished else (run.stopped or f"exit {run.returncode}")
    tps = f"{run.triples_per_second:,.0f} triples/s" if run.triples_per_second else ""
    print(
        f"  {run.label:<40} {state:<10} {run.seconds or 0:>9.2f} s  {run.triples or 0:>12,} triples  {tps:>22}  "
        f"peak RSS {_mib(run.peak_rss_mib):>7} MiB  PSS {_mib(run.peak_pss_mib):>7} MiB",
        flush=True,
    )
    if run.detail.get("why"):
        print(f"    not run: {run.detail['why']}", flush=True)
    if not run.finished and run.detail.get("stderr_tail"):
        print("    " + run.detail["stderr_tail"].strip().replace("\n", "\n    ")[-1200:], flush=True)


def benchmark(args: argparse.Namespace) -> int:
    """Prepare inputs, run the engines row count by row count, compare outputs, write the results."""
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    morph = ensure_morph_venv(workdir, args.morph_spec) if "morph-kgc" in args.engines else None
    runs: list[Run] = []
    all_identical = True
    for rows in args.rows:
        inputs = ensure_inputs(workdir, rows)
        out_dir = workdir / f"rows-{rows}" / "out"
        out_dir.mkdir(exist_ok=True)
        print(f"\n{rows:,} rows ({inputs.long_rows:,} long rows):", flush=True)
        reference: tuple[Run, HashedOutput] | None = None
        plan = [
            (engine, processes)
            for engine in args.engines
            for processes in (args.morph_processes if engine == "morph-kgc" else (None,))
        ]
        for engine, processes in plan:
            skip = _projected_too_big(runs, engine, processes, rows)
            if skip is not None:
                runs.append(skip)
                _print_run(skip)
                continue
            run, output = run_engine(engine, inputs, out_dir, args, morph, processes)
            runs.append(run)
            if run.finished:
                hashed = hash_output(output)
                run.lines, run.triples = hashed.lines, hashed.distinct
                run.detail["pyoxigraph_parsed_lines"] = hashed.parsed_lines
                run.detail["pyoxigraph_parsed_all"] = hashed.parsed_all
                if reference is None:
                    reference = (run, hashed)
                else:
                    comparison = compare_outputs(reference[1], hashed)
                    run.reference = reference[0].label
                    run.identical_to_reference = comparison.identical
                    if not comparison.identical:
                        all_identical = False
                        run.differences = asdict(comparison)
                    _discard(hashed, keep_output=args.keep_outputs)
            else:
                all_identical = False
                if not args.keep_outputs:
                    output.unlink(missing_ok=True)
            _print_run(run)
            if run.differences:
                print(
                    f"    differs from {run.reference}: {json.dumps(run.differences, ensure_ascii=False)[:2000]}"
                )
        if reference is not None:
            _discard(reference[1], keep_output=args.keep_outputs)
    env = environment()
    command = "python -m bench.mapping_vs_morph_kgc " + " ".join(
        [f"--rows {','.join(str(r) for r in args.rows)}", f"--workdir {args.workdir}"]
        + ([f"--engines {','.join(args.engines)}"] if tuple(args.engines) != ENGINES else [])
        + (
            [
                f"--morph-processes {','.join('default' if p is None else str(p) for p in args.morph_processes)}"
            ]
            if args.morph_processes != (None,)
            else []
        )
    )
    print()
    for line in results_table(runs) + extrapolation(runs):
        print(line)
    write_results(args.results, runs, env, command, morph[1] if morph else None)
    (workdir / "results.json").write_text(
        json.dumps(
            {
                "environment": env,
                "command": command,
                "morph": morph[1] if morph else None,
                "runs": [asdict(r) for r in runs],
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    print(f"\nresults written to {args.results} and {workdir / 'results.json'}")
    return 0 if all_identical else 1


def report_again(args: argparse.Namespace) -> int:
    """Write the Markdown results again from ``{workdir}/results.json`` (after changing the report's text)."""
    source = args.workdir / "results.json"
    if not source.is_file():
        print(f"{source} not found: run the benchmark first", file=sys.stderr)
        return 2
    saved = json.loads(source.read_text(encoding="utf-8"))
    runs = []
    for item in saved["runs"]:
        item["load"] = tuple(item["load"]) if item.get("load") else None
        runs.append(Run(**item))
    write_results(args.results, runs, saved["environment"], saved["command"], saved.get("morph"))
    print(f"results written to {args.results}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; see the module docstring for exit codes."""
    args = build_parser().parse_args(argv)
    if args.child_ours:
        rules, source, output = (Path(p) for p in args.child_ours)
        print(json.dumps(run_ours(rules, source, output)))
        return 0
    if args.report_only:
        return report_again(args)
    if shutil.which("git") is None:
        print("note: git not found; the commit is not recorded", file=sys.stderr)
    return benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
