"""HTTP latency of six representative GraphQL queries on a Seoul-scale graph, with concurrent clients.

``python -m bench.api_latency [--days 30] [--properties 4] [--buildings 100000] [--requests 400]
[--clients 16] [--workdir DIR]``

1. Builds (untimed; cached in ``--workdir`` as long as the scale is unchanged) the synthetic Seoul graph of
   :mod:`bench.seoul_graph`: 1,100 S-DoT sensors in 25 districts / 467 legal dongs, hourly observations,
   S-Map buildings, 200 information systems; bulk-loaded into an on-disk EmbeddedStore after ``kg init``.
2. Starts ``uvicorn`` serving :func:`kg_service.api.app.create_app` (demo mode: no token) in a child process on
   a free loopback port, as ``kg serve`` does.
3. Runs ``--clients`` concurrent httpx clients; each of the six queries is sent ``--requests`` times (query by
   query, arguments rotating over sample sensors/districts), after a short warm-up.
4. Prints p50/p95/p99 and requests/s per query and writes ``bench/results_api.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final

import httpx
import numpy as np

from bench.seoul_graph import BuiltGraph, Scale, build_store

RESULTS: Final = Path(__file__).resolve().parent / "results_api.md"
GOAL_MS: Final = 50.0
GOAL_QUERIES: Final = ("entityByIdentifier", "sensorsInDistrict", "linkageTable")

ENTITY: Final = """query($value: String!) {
  entityByIdentifier(scheme: S_DOT, value: $value) {
    iri kind label { ko en } types { iri } identifiers { value }
  }
}"""
SENSORS_IN_DISTRICT: Final = """query($district: String!) {
  sensors(filter: {districtCode: $district}, first: 100) {
    totalCount
    edges { node { iri serial latestObservations { time value property { name } } } }
  }
}"""
SENSORS_NEAR: Final = """query($lon: Float!, $lat: Float!) {
  sensors(filter: {near: {lon: $lon, lat: $lat, radiusMetres: 2000}}, first: 50) {
    edges { node { iri serial distanceMetres district { code } } }
  }
}"""
OBSERVATION_AGGREGATE: Final = """query($sensor: String!, $from: String!, $to: String!) {
  observations(property: "PM10", sensorIri: $sensor, from: $from, to: $to, first: 1) {
    aggregates { count min max avg latest { time value } }
  }
}"""
LINKAGE_TABLE: Final = """query($department: String!) {
  linkageTable(departmentCode: $department) {
    department { code }
    rows { iri kind code cells { filled sensorCount contributors { iri kind } } }
  }
}"""
WHO_USES_SENSOR: Final = """query($serial: String!) {
  whoUsesSensor(serial: $serial) {
    sensor { iri }
    datasets { code } providingSystems { code } usingSystems { code } services { code } departments { code }
  }
}"""

QueryMaker = Callable[[int], dict[str, Any]]


def queries(built: BuiltGraph) -> dict[str, tuple[str, QueryMaker]]:
    """The six queries, each with a function from request number to variables (rotating over samples)."""
    from datetime import datetime, timedelta

    serials = built.serials
    points = built.sensor_points
    districts = built.districts
    last = datetime.fromisoformat(built.last_hour) + timedelta(hours=1)
    first = max(datetime.fromisoformat(built.first_hour), last - timedelta(days=7))
    window = {"from": first.isoformat(), "to": last.isoformat()}
    sensor_iri = "https://data.seoul.go.kr/cps/id/sensor/"

    def pick(items: list[Any], n: int) -> Any:
        return items[(n * 7919) % len(items)]

    return {
        "entityByIdentifier": (ENTITY, lambda n: {"value": pick(serials, n)}),
        "sensorsInDistrict": (SENSORS_IN_DISTRICT, lambda n: {"district": pick(districts, n)}),
        "sensorsNear": (
            SENSORS_NEAR,
            lambda n: {"lon": pick(points, n)[0], "lat": pick(points, n)[1]},
        ),
        "observationAggregate7d": (
            OBSERVATION_AGGREGATE,
            lambda n: {"sensor": sensor_iri + pick(serials, n), **window},
        ),
        "linkageTable": (LINKAGE_TABLE, lambda n: {"department": built.department}),
        "whoUsesSensor": (WHO_USES_SENSOR, lambda n: {"serial": pick(serials, n)}),
    }


def answer_is_non_empty(name: str, data: dict[str, Any]) -> bool:
    """Whether a query's answer holds something (so the benchmark never times empty answers)."""
    if name == "entityByIdentifier":
        return bool(data["entityByIdentifier"])
    if name in ("sensorsInDistrict", "sensorsNear"):
        return bool(data["sensors"]["edges"])
    if name == "observationAggregate7d":
        return int(data["observations"]["aggregates"]["count"]) > 0
    if name == "linkageTable":
        return bool(data["linkageTable"]["rows"])
    return bool(data["whoUsesSensor"] and data["whoUsesSensor"]["usingSystems"])


# -- building -------------------------------------------------------------------------------------------


def ensure_graph(workdir: Path, scale: Scale) -> BuiltGraph:
    """The graph of ``scale`` in ``workdir/store``, built unless a previous run left the same scale there."""
    from kg_service.store.embedded import EmbeddedStore

    marker = workdir / "built.json"
    if marker.exists():
        built = BuiltGraph.load(marker)
        if built.scale == asdict(scale):
            print(f"reusing the graph in {workdir} ({built.triples['total']:,} triples)", flush=True)
            return built
    shutil.rmtree(workdir / "store", ignore_errors=True)
    marker.unlink(missing_ok=True)
    store = EmbeddedStore.open(workdir / "store")
    try:
        built = build_store(store, scale, log=lambda line: print("  " + line, flush=True))
    finally:
        store.close()
    built.save(marker)
    print(f"built {built.triples['total']:,} triples in {built.seconds:.0f} s", flush=True)
    return built


# -- serving --------------------------------------------------------------------------------------------


def serve(workdir: str, port: int) -> None:
    """Child process: serve the store in ``workdir`` with uvicorn as ``kg serve --demo`` does."""
    import uvicorn

    from kg_service.api.app import create_app
    from kg_service.config import Settings
    from kg_service.store.embedded import EmbeddedStore

    settings = Settings(data_dir=Path(workdir), demo=True, host="127.0.0.1", port=port, log_level="WARNING")
    store = EmbeddedStore.open(settings.store_dir)
    app = create_app(settings, store)
    uvicorn.run(app, host="127.0.0.1", port=port, http="h11", ws="none", lifespan="on", log_level="warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    code = f"from bench.api_latency import serve; serve({str(workdir)!r}, {port})"
    root = Path(__file__).resolve().parents[1]
    child = subprocess.Popen([sys.executable, "-c", code], cwd=root)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"the server exited with {child.returncode}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return child, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    child.terminate()
    raise RuntimeError("the server did not start")


# -- measuring ------------------------------------------------------------------------------------------


async def run_query(
    client: httpx.AsyncClient, name: str, text: str, make: QueryMaker, requests: int, clients: int
) -> tuple[list[float], list[str], float]:
    """Send ``requests`` requests of one query from ``clients`` concurrent workers: latencies (ms), failed
    answers and wall-clock seconds."""
    counter = iter(range(requests))
    latencies: list[float] = []
    failures: list[str] = []

    async def worker() -> None:
        for n in counter:
            body = {"query": text, "variables": make(n)}
            started = time.perf_counter()
            response = await client.post("/graphql", json=body)
            elapsed = (time.perf_counter() - started) * 1000
            payload = response.json()
            latencies.append(elapsed)
            if response.status_code != 200 or payload.get("errors"):
                # typically the service's own request timeout (HTTP 503, TIMEOUT) under queueing; counted
                # and reported, its latency stays in the percentiles
                failures.append(f"HTTP {response.status_code}: {json.dumps(payload)[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, failures, time.perf_counter() - started


async def measure(url: str, built: BuiltGraph, requests: int, clients: int) -> dict[str, dict[str, float]]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    results: dict[str, dict[str, float]] = {}
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        for name, (text, make) in queries(built).items():
            # warm-up and a check that the answer is not empty
            response = await client.post("/graphql", json={"query": text, "variables": make(0)})
            payload = response.json()
            if payload.get("errors") or not answer_is_non_empty(name, payload["data"]):
                raise RuntimeError(f"{name}: bad warm-up answer {json.dumps(payload)[:500]}")
            await run_query(client, name, text, make, min(requests, clients), clients)
            latencies, failures, wall = await run_query(client, name, text, make, requests, clients)
            values = np.array(latencies)
            results[name] = {
                "p50": float(np.percentile(values, 50)),
                "p95": float(np.percentile(values, 95)),
                "p99": float(np.percentile(values, 99)),
                "rps": len(values) / wall,
                "n": len(values),
                "failed": len(failures),
            }
            row = results[name]
            print(
                f"{name:24s} p50 {row['p50']:8.1f} ms  p95 {row['p95']:8.1f} ms  p99 {row['p99']:8.1f} ms  "
                f"{row['rps']:7.1f} req/s  failed {len(failures)}"
                + (f" (first: {failures[0]})" if failures else ""),
                flush=True,
            )
    return results


def report(
    results: dict[str, dict[str, float]], built: BuiltGraph, command: str, clients: int, requests: int
) -> str:
    scale = built.scale
    lines = [
        "# API latency on a Seoul-scale graph",
        "",
        f"Command: `{command}`",
        "",
        f"Scale actually run: {scale['sensors']:,} S-DoT sensors in {len(built.districts)} districts, "
        f"{scale['properties']} properties hourly for {scale['days']} days "
        f"({scale['sensors'] * scale['properties'] * scale['days'] * 24:,} observations), "
        f"{scale['buildings']:,} buildings, {scale['systems']} information systems; "
        f"{built.triples['total']:,} triples in the store "
        + "("
        + ", ".join(f"{k} {v:,}" for k, v in built.triples.items() if k != "total")
        + "). "
        f"Graph built and bulk-loaded in {built.seconds:.0f} s (not timed below).",
        "",
        f"Load: {clients} concurrent httpx clients, {requests} requests per query (after a warm-up), "
        "against uvicorn (h11, one worker process, demo mode) on loopback; "
        f"machine: {os.cpu_count()} cores. Client and server share the machine; load average (1 min) when the "
        f"measurement ended: {os.getloadavg()[0]:.1f} (anything well above {os.cpu_count()} means other work was "
        "competing for the CPU and the latencies are inflated).",
        "",
        "| query | p50 ms | p95 ms | p99 ms | requests/s | failed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in results.items():
        lines.append(
            f"| {name} | {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | {row['rps']:.1f} | {row['failed']:.0f}/{row['n']:.0f} |"
        )
    met = {name: results[name]["p95"] < GOAL_MS for name in GOAL_QUERIES if name in results}
    verdict = "met" if all(met.values()) else "NOT met"
    lines += [
        "",
        f"Goal (p95 < {GOAL_MS:.0f} ms for entity, sensors-in-district and linkage-table queries): **{verdict}** — "
        + ", ".join(
            f"{name} {'yes' if ok else 'no'} ({results[name]['p95']:.0f} ms)" for name, ok in met.items()
        )
        + ".",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api_latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--properties", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--sensors", type=int, default=1100)
    parser.add_argument("--systems", type=int, default=200)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.gettempdir()) / "kg-bench-api"
    workdir.mkdir(parents=True, exist_ok=True)
    scale = Scale(
        sensors=args.sensors,
        days=args.days,
        properties=args.properties,
        buildings=args.buildings,
        systems=args.systems,
    )
    built = ensure_graph(workdir, scale)
    child, url = start_server(workdir)
    try:
        results = asyncio.run(measure(url, built, args.requests, args.clients))
    finally:
        child.terminate()
        child.wait(30)
    command = "python -m bench.api_latency " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(results, built, command.strip(), args.clients, args.requests)
    args.output.write_text(text, encoding="utf-8")
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
