"""Validation time, throughput and peak memory of our engine against plain pySHACL on S-DoT hourly deltas.

Two measurements in one run, on the same data:

(a) **engine vs pySHACL.** ``kg demo generate --scale seoul --bad-rate 0.01`` writes S-DoT hourly CSV files
    (26,400 rows per day, 1% seeded bad values) and the sensor registry. For each ``--days`` value the first
    N day files are mapped once with the service's rules (``mappings/sdot_hourly.yaml``, falling back to
    ``tests/fixtures/mapping/sdot_hourly_test.yaml``), untimed, into one delta. Then, each in a child process
    of its own (wall time and peak RSS by :mod:`bench._measure`):

    - ``engine``: what :meth:`SubmissionService._validate` does: the delta in a store, the entities it refers
      to, their ``rdf:type`` triples from the stored graph plus the ontology as context
      (:mod:`kg_service.submissions.context`), then ``ValidationEngine(shapes, ontology=...,
      check_iris=False).validate(delta, context=...)``;
    - ``pyshacl``: :func:`kg_service.validation.oracle.validate_with_pyshacl` (plain ``pyshacl.validate``, no
      inference) on the same delta, the same shapes and the same ontology (``ont_graph``). The ``rdf:type``
      triples of the referenced stored entities (sensors, districts; a few thousand) are added to its data
      graph as well, so both see the same data graph and their results can be compared; rdflib parsing is
      inside its time. It gets a time limit (``--pyshacl-time-limit``); if it does not finish, the report says
      so and gives the engine's number and a lower bound of the ratio.

    The results are compared as sets of (focus node, path, constraint component, severity).

(b) **stored-graph independence.** The engine's validation (context building included) of the 1-day delta
    against a store holding the ontology, reference data and sensor registry, and against the same store plus
    ``--stored-triples`` synthetic observation triples (bulk-loaded into an on-disk store in the work
    directory, untimed). The context only pulls referenced entities, so the ratio should stay near 1.0
    (goal: below 1.2).

Run: ``python -m bench.validation_vs_pyshacl [--days 1,10] [--stored-triples 10000000] [--workdir DIR]``.
Results: ``bench/results_validation.md`` (``--results``) and ``{workdir}/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
ROOT: Final = HERE.parent
SHAPES: Final = tuple(ROOT / "shapes" / name for name in ("common.ttl", "observations.ttl", "sdot.ttl"))
ONTOLOGY_DIR: Final = ROOT / "ontology"
HOURLY_RULES: Final = ROOT / "mappings" / "sdot_hourly.yaml"
HOURLY_RULES_FALLBACK: Final = ROOT / "tests" / "fixtures" / "mapping" / "sdot_hourly_test.yaml"
SENSOR_RULES: Final = ROOT / "mappings" / "sdot_sensors.yaml"
DEFAULT_RESULTS: Final = HERE / "results_validation.md"
SENSORS_GRAPH: Final = "https://data.seoul.go.kr/cps/graph/dataset/sdot-sensors"
STORED_GRAPH: Final = "https://data.seoul.go.kr/cps/graph/dataset/sdot-hourly-history"
MIB: Final = 1024 * 1024

Key = tuple[str, str, str, str]


# --- the core (in-process) -------------------------------------------------------------------------------


def load_shapes(paths: Sequence[Path] = SHAPES) -> Any:
    from rdflib import Graph

    shapes = Graph()
    for path in paths:
        shapes.parse(path, format="turtle")
    return shapes


def ontology_of(store: Any) -> tuple[bytes, Any]:
    """The ontology graph of the store as N-Triples and as an rdflib graph (as the service caches it)."""
    from rdflib import Graph

    from kg_service.submissions import context as validation_context
    from kg_service.vocab import ONTOLOGY_GRAPH

    ntriples = validation_context.graph_as_ntriples(store, [str(ONTOLOGY_GRAPH)])
    graph = Graph()
    graph.parse(data=ntriples.decode("utf-8"), format="nt")
    return ntriples, graph


def result_keys(report: Any) -> list[Key]:
    return [
        (str(r.focus_node), r.result_path or "", str(r.source_constraint_component), str(r.severity))
        for r in report.results
    ]


@dataclass
class EngineRun:
    compile_seconds: float
    context_seconds: float
    validate_seconds: float
    context_triples_bytes: int
    referenced: int
    keys: list[Key]

    @property
    def seconds(self) -> float:
        """Context building + validation (what a submission waits for; the engine is compiled once)."""
        return self.context_seconds + self.validate_seconds


def engine_validate(store: Any, delta: bytes, shapes: Any | None = None) -> EngineRun:
    """Validate ``delta`` as :meth:`SubmissionService._validate` does, against ``store`` (an EmbeddedStore)."""
    from kg_service.submissions import context as validation_context
    from kg_service.validation.engine import ValidationEngine

    shapes = load_shapes() if shapes is None else shapes
    ontology_ntriples, ontology_graph = ontology_of(store)
    started = time.perf_counter()
    engine = ValidationEngine(shapes, ontology=ontology_graph, check_iris=False)
    compiled = time.perf_counter()
    delta_store = validation_context.delta_store(delta)
    referenced = validation_context.referenced_entities(delta_store)
    context = validation_context.context_ntriples(store, referenced, ontology_ntriples)
    del delta_store
    contexted = time.perf_counter()
    report = engine.validate(delta, context=context)
    finished = time.perf_counter()
    return EngineRun(
        compile_seconds=compiled - started,
        context_seconds=contexted - compiled,
        validate_seconds=finished - contexted,
        context_triples_bytes=len(context),
        referenced=len(referenced),
        keys=result_keys(report),
    )


def pyshacl_validate(store: Any, delta: bytes, shapes: Any | None = None) -> tuple[float, float, list[Key]]:
    """Plain pySHACL on the delta (+ the referenced stored entities' types), shapes and ontology.

    Returns (parse seconds, validate seconds, result keys)."""
    from rdflib import Graph

    from kg_service.submissions import context as validation_context
    from kg_service.validation.oracle import validate_with_pyshacl
    from kg_service.validation.terms import quiet_rdflib_literals

    shapes = load_shapes() if shapes is None else shapes
    _, ontology_graph = ontology_of(store)
    delta_store = validation_context.delta_store(delta)
    types = validation_context.context_ntriples(
        store, validation_context.referenced_entities(delta_store), b""
    )
    del delta_store
    started = time.perf_counter()
    data = Graph()
    with quiet_rdflib_literals():
        data.parse(data=(delta + types).decode("utf-8"), format="nt")
    parsed = time.perf_counter()
    report = validate_with_pyshacl(shapes, data, ontology=ontology_graph)
    finished = time.perf_counter()
    return parsed - started, finished - parsed, result_keys(report)


def compare(engine: Iterable[Key], pyshacl: Iterable[Key]) -> dict[str, Any]:
    ours, theirs = Counter(engine), Counter(pyshacl)
    only_ours = sorted(set(ours) - set(theirs))
    only_theirs = sorted(set(theirs) - set(ours))
    return {
        "identical": not only_ours and not only_theirs,
        "engine_results": sum(ours.values()),
        "pyshacl_results": sum(theirs.values()),
        "engine_distinct": len(ours),
        "pyshacl_distinct": len(theirs),
        "only_engine": len(only_ours),
        "only_pyshacl": len(only_theirs),
        "only_engine_examples": [list(k) for k in only_ours[:5]],
        "only_pyshacl_examples": [list(k) for k in only_theirs[:5]],
        "only_engine_by_component": dict(Counter(k[2].rsplit("#", 1)[-1] for k in only_ours)),
        "only_pyshacl_by_component": dict(Counter(k[2].rsplit("#", 1)[-1] for k in only_theirs)),
    }


# --- preparation (untimed) -------------------------------------------------------------------------------


def hourly_rules() -> Path:
    return HOURLY_RULES if HOURLY_RULES.exists() else HOURLY_RULES_FALLBACK


def map_rows(rules: Path, data: bytes, file_name: str) -> bytes:
    from kg_service.mapping.engine import map_file

    try:
        return map_file(rules, data, file_name=file_name).ntriples
    except Exception:
        if rules != HOURLY_RULES:
            raise
        return map_file(HOURLY_RULES_FALLBACK, data, file_name=file_name).ntriples


def generate_demo(workdir: Path, days: int) -> Path:
    demo = workdir / f"demo-{days}d"
    if not (demo / "sdot_sensors.csv").exists():
        subprocess.run(
            [sys.executable, "-c", "import sys; from kg_service.cli import main; sys.exit(main())", "demo", "generate", "--scale", "seoul",
             "--days", str(days), "--bad-rate", "0.01", str(demo)],
            check=True, cwd=ROOT,
        )  # fmt: skip
    return demo


def prepare_delta(demo: Path, days: int, workdir: Path) -> Path:
    out = workdir / f"delta-{days}d.nt"
    if out.exists():
        return out
    files = sorted(demo.glob("sdot_hourly_*.csv"))[:days]
    if len(files) < days:
        raise SystemExit(f"only {len(files)} day files in {demo}")
    with out.with_suffix(".part").open("wb") as stream:
        for path in files:
            stream.write(map_rows(hourly_rules(), path.read_bytes(), path.name))
    out.with_suffix(".part").replace(out)
    return out


def populate_store(store: Any, sensors_nt: bytes) -> None:
    """Ontology and reference graphs (``kg init``) and the sensor registry, into an open EmbeddedStore."""
    import pyoxigraph as ox

    from kg_service.bootstrap import initialise_store

    initialise_store(store, ONTOLOGY_DIR)
    store.raw.bulk_load(sensors_nt, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(SENSORS_GRAPH))


def prepare_store(path: Path, sensors_nt: bytes, stored_triples: int) -> Path:
    """Ontology + reference data + sensor registry, plus ``stored_triples`` synthetic observation triples."""
    import pyoxigraph as ox

    from kg_service.store.embedded import EmbeddedStore

    marker = path / "bench-ready"
    if marker.exists():
        return path
    if path.exists():
        shutil.rmtree(path)
    store = EmbeddedStore.open(path)
    populate_store(store, sensors_nt)
    if stored_triples > 0:
        source = path.parent / f"synthetic-{stored_triples}.nq"
        with source.open("wb") as stream:
            for chunk in _synthetic_observations(stored_triples):
                stream.write(chunk)
        store.raw.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
        source.unlink()
    store.raw.optimize()
    store.close()
    marker.write_text(str(stored_triples))
    return path


def _synthetic_observations(triples: int, chunk: int = 200_000) -> Iterable[bytes]:
    """Observations of earlier years (2020+) for the same kinds of sensors: 8 triples per observation."""
    cps, sosa, xsd = (
        "https://data.seoul.go.kr/cps/",
        "http://www.w3.org/ns/sosa/",
        "http://www.w3.org/2001/XMLSchema#",
    )
    graph = f"<{STORED_GRAPH}>"
    observations = (triples + 7) // 8
    produced = 0
    lines: list[str] = []
    for i in range(observations):
        sensor = f"V02Q{1940000 + i % 1100}"
        hour = i // 1100
        stamp = f"2020{1 + (hour // 720) % 12:02d}{1 + (hour // 24) % 28:02d}T{hour % 24:02d}00"
        obs = f"<{cps}id/observation/{sensor}/PM25/{stamp}H{hour // 8064}>"
        time_text = (
            f"2020-{1 + (hour // 720) % 12:02d}-{1 + (hour // 24) % 28:02d}T{hour % 24:02d}:00:00+09:00"
        )
        lines += [
            f"{obs} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{sosa}Observation> {graph} .\n",
            f"{obs} <{sosa}madeBySensor> <{cps}id/sensor/{sensor}> {graph} .\n",
            f"{obs} <{sosa}observedProperty> <{cps}id/property/PM25> {graph} .\n",
            f'{obs} <{sosa}resultTime> "{time_text}"^^<{xsd}dateTime> {graph} .\n',
            f'{obs} <{sosa}phenomenonTime> "{time_text}"^^<{xsd}dateTime> {graph} .\n',
            f'{obs} <{cps}ontology#value> "{i % 97}.5"^^<{xsd}decimal> {graph} .\n',
            f"{obs} <{cps}ontology#unit> <http://qudt.org/vocab/unit/MicroGM-PER-M3> {graph} .\n",
            f'{obs} <http://www.w3.org/2000/01/rdf-schema#label> "obs {i}" {graph} .\n',
        ]
        produced += 8
        if len(lines) >= chunk:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


# --- child processes -------------------------------------------------------------------------------------


def child(kind: str, store_path: Path, delta_path: Path, keys_out: Path) -> None:
    from bench._measure import own_peak_rss_bytes
    from kg_service.store.embedded import EmbeddedStore

    store = EmbeddedStore.open(store_path, read_only=True)
    delta = delta_path.read_bytes()
    shapes = load_shapes()
    if kind == "engine":
        run = engine_validate(store, delta, shapes)
        keys = run.keys
        info: dict[str, Any] = {
            "compile_seconds": run.compile_seconds,
            "context_seconds": run.context_seconds,
            "validate_seconds": run.validate_seconds,
            "seconds": run.seconds,
            "referenced": run.referenced,
        }
    else:
        parse_s, validate_s, keys = pyshacl_validate(store, delta, shapes)
        info = {"parse_seconds": parse_s, "validate_seconds": validate_s, "seconds": parse_s + validate_s}
    keys_out.write_text(json.dumps(keys))
    info["results"] = len(keys)
    info["own_peak_rss_bytes"] = own_peak_rss_bytes()
    print(json.dumps(info))


def measured(kind: str, store: Path, delta: Path, keys_out: Path, time_limit: float | None) -> dict[str, Any]:
    from bench._measure import run_measured

    argv = [sys.executable, "-m", "bench.validation_vs_pyshacl", "--child", kind,
            "--child-store", str(store), "--child-delta", str(delta), "--child-keys", str(keys_out)]  # fmt: skip
    m = run_measured(argv, cwd=ROOT, time_limit=time_limit, min_available_bytes=1024**3)
    out: dict[str, Any] = {
        "ok": m.ok, "stopped": m.stopped, "returncode": m.returncode, "wall_seconds": m.wall_seconds,
        "peak_rss_bytes": m.peak_rss_bytes, "load": [m.load_before, m.load_after],
    }  # fmt: skip
    if m.ok:
        info = json.loads(m.stdout.strip().splitlines()[-1])
        out.update(info)
        out["peak_rss_bytes"] = max(m.peak_rss_bytes, info["own_peak_rss_bytes"])
    else:
        out["stderr_tail"] = m.stderr_tail[-1500:]
    return out


# --- the run ---------------------------------------------------------------------------------------------


def count_triples(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 24), b""))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.validation_vs_pyshacl", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--days", default="1,10", help="day counts of S-DoT hourly input (default 1,10)")
    parser.add_argument("--stored-triples", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--pyshacl-time-limit", type=float, default=1200.0, help="seconds (default 1200)")
    parser.add_argument("--skip-pyshacl", action="store_true")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--child", choices=("engine", "pyshacl"), help=argparse.SUPPRESS)
    parser.add_argument("--child-store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-delta", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-keys", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.child_store, args.child_delta, args.child_keys)
        return 0
    try:
        days = sorted({int(d) for d in args.days.split(",")})
    except ValueError:
        parser.error("--days: comma-separated whole numbers")
    workdir = args.workdir or Path(tempfile.gettempdir()) / "kg-bench-validation"
    workdir.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    demo = generate_demo(workdir, max(days))
    sensors_nt = map_rows(SENSOR_RULES, (demo / "sdot_sensors.csv").read_bytes(), "sdot_sensors.csv")
    deltas = {d: prepare_delta(demo, d, workdir) for d in days}
    empty_store = prepare_store(workdir / "store-empty", sensors_nt, 0)
    print(f"prepared inputs in {time.perf_counter() - t0:.1f} s", flush=True)

    rows: list[dict[str, Any]] = []
    comparisons: dict[int, dict[str, Any]] = {}
    for d in days:
        triples = count_triples(deltas[d])
        keys_engine = workdir / f"keys-engine-{d}d.json"
        engine = measured("engine", empty_store, deltas[d], keys_engine, None)
        rows.append({"case": f"{d} day(s)", "engine": "ours", "triples": triples, **engine})
        print(json.dumps(rows[-1], default=str)[:600], flush=True)
        if args.skip_pyshacl:
            continue
        keys_pyshacl = workdir / f"keys-pyshacl-{d}d.json"
        pys = measured("pyshacl", empty_store, deltas[d], keys_pyshacl, args.pyshacl_time_limit)
        rows.append({"case": f"{d} day(s)", "engine": "pyshacl", "triples": triples, **pys})
        print(json.dumps(rows[-1], default=str)[:600], flush=True)
        if engine["ok"] and pys["ok"]:
            comparisons[d] = compare(
                map(tuple, json.loads(keys_engine.read_text())),
                map(tuple, json.loads(keys_pyshacl.read_text())),
            )
            print(json.dumps(comparisons[d])[:1500], flush=True)

    stored: dict[str, Any] = {}
    if args.stored_triples > 0:
        t1 = time.perf_counter()
        full_store = prepare_store(workdir / f"store-{args.stored_triples}", sensors_nt, args.stored_triples)
        print(f"stored store ready in {time.perf_counter() - t1:.1f} s", flush=True)
        d = min(days)
        empty_run = measured("engine", empty_store, deltas[d], workdir / "keys-stored-empty.json", None)
        full_run = measured("engine", full_store, deltas[d], workdir / "keys-stored-full.json", None)
        stored = {
            "stored_triples": args.stored_triples, "days": d, "empty": empty_run, "full": full_run,
            "ratio": full_run["seconds"] / empty_run["seconds"] if empty_run["ok"] and full_run["ok"] else None,
            "same_results": (workdir / "keys-stored-empty.json").read_text()
            == (workdir / "keys-stored-full.json").read_text() if empty_run["ok"] and full_run["ok"] else None,
        }  # fmt: skip
        print(json.dumps(stored, default=str)[:800], flush=True)

    command = "python -m bench.validation_vs_pyshacl " + " ".join(
        a for a in (sys.argv[1:] if argv is None else argv)
    )
    payload = {"rows": rows, "comparisons": comparisons, "stored": stored, "command": command,
               "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine_note(),
               "pyshacl_time_limit": args.pyshacl_time_limit}  # fmt: skip
    (workdir / "results.json").write_text(json.dumps(payload, indent=2, default=str))
    args.results.write_text(render(payload))
    print(render(payload))
    return 0


def machine_note() -> str:
    import pyoxigraph
    import pyshacl
    import rdflib

    mem = 0
    with Path("/proc/meminfo").open() as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024 // 1024
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), {mem} GiB RAM, "
            f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, "
            f"pyshacl {pyshacl.__version__}, rdflib {rdflib.__version__}")  # fmt: skip


def render(p: dict[str, Any]) -> str:
    lines = [
        "# Validation: our engine vs pySHACL", "",
        f"- Date: {p['date']}", f"- Command: `{p['command']}`", f"- Machine: {p['machine']}",
        "- Input: `kg demo generate --scale seoul --bad-rate 0.01` S-DoT hourly CSV (26,400 rows/day), mapped once "
        "(untimed) with `mappings/sdot_hourly.yaml`; shapes common.ttl + observations.ttl + sdot.ttl; ontology "
        "graph of a store made by `initialise_store` + the sensor registry.",
        "- ours: context building (delta store, referenced entities, their stored `rdf:type` triples + ontology) "
        "+ `ValidationEngine(..., check_iris=False).validate` — compile time reported separately, not in seconds.",
        "- pyshacl: rdflib parse of delta (+ referenced entities' types) + `pyshacl.validate` (inference none, "
        "ont_graph = ontology) via `validate_with_pyshacl`.",
        "- Each run in its own child process; peak RSS = max(sampled tree RSS, child's VmHWM).", "",
        "| case | engine | triples | seconds | triples/s | peak RSS MiB | results | notes |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    by_case: dict[str, dict[str, dict[str, Any]]] = {}
    for r in p["rows"]:
        by_case.setdefault(r["case"], {})[r["engine"]] = r
        if r["ok"]:
            secs, note = r["seconds"], ""
            if r["engine"] == "ours":
                note = f"context {r['context_seconds']:.1f} s + validate {r['validate_seconds']:.1f} s (compile {r['compile_seconds']:.2f} s)"
            else:
                note = f"parse {r['parse_seconds']:.1f} s + validate {r['validate_seconds']:.1f} s"
            lines.append(f"| {r['case']} | {r['engine']} | {r['triples']:,} | {secs:.1f} | {r['triples'] / secs:,.0f} | "
                         f"{r['peak_rss_bytes'] / MIB:,.0f} | {r['results']:,} | {note} |")  # fmt: skip
        else:
            why = (f"did not finish within {p['pyshacl_time_limit'] / 60:.0f} min" if r["stopped"] == "time-limit"
                   else f"stopped: {r['stopped'] or 'exit ' + str(r['returncode'])}")  # fmt: skip
            lines.append(f"| {r['case']} | {r['engine']} | {r['triples']:,} | > {r['wall_seconds']:.0f} (wall) | – | "
                         f"≥ {r['peak_rss_bytes'] / MIB:,.0f} | – | {why} |")  # fmt: skip
    lines += ["", "| case | pyshacl / ours (time) | violation sets |", "|---|---:|---|"]
    for case, engines in by_case.items():
        ours, theirs = engines.get("ours"), engines.get("pyshacl")
        if not ours or not theirs or not ours["ok"]:
            continue
        d = int(case.split()[0])
        if theirs["ok"]:
            ratio = f"{theirs['seconds'] / ours['seconds']:.1f}×"
            c = p["comparisons"].get(d) or p["comparisons"].get(str(d))
            sets = ("identical" if c["identical"] else
                    f"differ: {c['only_engine']} only ours {c['only_engine_by_component']}, "
                    f"{c['only_pyshacl']} only pyshacl {c['only_pyshacl_by_component']}")  # fmt: skip
            sets += f" ({c['engine_distinct']:,} distinct results)"
        else:
            ratio = f"≥ {theirs['wall_seconds'] / ours['seconds']:.0f}× (lower bound)"
            sets = "not compared (pyshacl did not finish)"
        lines.append(f"| {case} | {ratio} | {sets} |")
    s = p.get("stored") or {}
    if s:
        lines += ["", f"## Stored-graph independence ({s['days']} day delta)", "",
                  "| store | seconds (context + validate) | context s | peak RSS MiB |", "|---|---:|---:|---:|"]  # fmt: skip
        for name, run in (("empty (ontology + reference + sensors)", s["empty"]),
                          (f"+ {s['stored_triples']:,} stored triples", s["full"])):  # fmt: skip
            if run["ok"]:
                lines.append(
                    f"| {name} | {run['seconds']:.1f} | {run['context_seconds']:.2f} | {run['peak_rss_bytes'] / MIB:,.0f} |"
                )
            else:
                lines.append(f"| {name} | failed ({run['stopped'] or run['returncode']}) | – | – |")
        if s["ratio"] is not None:
            lines += [
                "",
                f"Ratio stored / empty: **{s['ratio']:.2f}** (goal < 1.2); same results: {s['same_results']}.",
            ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
