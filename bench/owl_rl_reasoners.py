"""OWL 2 RL materialisation: reasonable (Rust) against owlrl (pure Python) on the ontology plus sensor data.

Why: queries that need inferred types and super-properties (``cps:EnvironmentalSensor`` → ``cps:Sensor`` →
``sosa:Sensor``, ``cps:inDistrict`` → ``cps:locatedIn`` → ``geo:sfWithin``, range typing) either run over a
materialised graph or spell the hierarchy out. :func:`kg_service.ontology.reasoning.materialise` uses the
faster of the two engines that agree.

Data: a synthetic graph that follows ``docs/VOCABULARY-CONTRACT.md`` (sensors with two types, serial, platform,
model, WGS84 geometry and coordinates, district and dong, observed properties and a platform identifier node;
observations with sensor, property, feature of interest, decimal result, result time, QUDT unit and source
dataset), 20 triples per sensor and 8 per observation, generated deterministically, plus the ontology
(``ontology/*.ttl``, about 1,600 triples).

Each engine runs in a child process of its own (wall time and peak memory of the process measured by
:mod:`bench._measure`); the child reports the time spent reasoning alone (the graph is built before the clock
starts) and how many triples the closure adds. Correctness: on a small case (2 sensors, 4 observations) the two
engines must infer the same triples about data resources, after comparing literals as RDF 1.1 terms (a plain
literal and the same ``xsd:string`` literal are one term) and setting aside owlrl's reflexive ``owl:sameAs``
and ``rdf:type owl:Thing``.

Run: ``python -m bench.owl_rl_reasoners [--triples 10000,50000] [--runs 3] [--time-limit 900]``.
Exit codes: 0 finished and the engines agree, 1 they disagree or an engine failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from bench._measure import own_peak_rss_bytes, run_measured
from kg_service.ontology.sources import load_ontology_graph

REPO_ROOT = Path(__file__).resolve().parents[1]
CPS = Namespace("https://data.seoul.go.kr/cps/ontology#")
ID = Namespace("https://data.seoul.go.kr/cps/id/")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
ENGINES = ("reasonable", "owlrl")
PROPERTIES = (("PM10", "MicroGM-PER-M3"), ("PM25", "MicroGM-PER-M3"), ("AirTemperature", "DEG_C"))
DISTRICTS = tuple(str(code) for code in range(11110, 11750, 10))[:25]
TRIPLES_PER_SENSOR = 20
TRIPLES_PER_OBSERVATION = 8
Triple = tuple[Node, Node, Node]


def sensor_graph(sensors: int, observations: int) -> Graph:
    """The synthetic data: ``sensors`` sensors and ``observations`` observations spread over them."""
    graph = Graph()
    add = graph.add
    platform = ID["platform/s-dot"]
    for index in range(sensors):
        serial = f"V02Q{index:07d}"
        sensor = ID[f"sensor/{serial}"]
        geometry = ID[f"geometry/sensor-{serial}"]
        identifier = ID[f"identifier/s-dot/{serial}"]
        district = DISTRICTS[index % len(DISTRICTS)]
        lon, lat = 126.9 + (index % 100) / 1000, 37.5 + (index // 100) / 1000
        add((sensor, RDF.type, CPS.Sensor))
        add((sensor, RDF.type, CPS.EnvironmentalSensor))
        add((sensor, CPS.sdotSerial, Literal(serial)))
        add((sensor, CPS.hostedOnPlatform, platform))
        add((sensor, CPS.modelName, Literal("SDOT001")))
        add((sensor, GEO.hasGeometry, geometry))
        add((geometry, RDF.type, GEO.Geometry))
        wkt = f"<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT({lon:.4f} {lat:.4f})"
        add((geometry, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral)))
        add((sensor, WGS.lat, Literal(f"{lat:.4f}", datatype=XSD.decimal)))
        add((sensor, WGS.long, Literal(f"{lon:.4f}", datatype=XSD.decimal)))
        add((sensor, CPS.inDistrict, ID[f"district/{district}"]))
        add((sensor, CPS.inDong, ID[f"dong/{district}101"]))
        for name, _unit in PROPERTIES:
            add((sensor, CPS.observesProperty, CPS[name]))
        add((sensor, CPS.hasIdentifier, identifier))
        add((identifier, RDF.type, CPS.PlatformIdentifier))
        add((identifier, CPS.identifierValue, Literal(serial)))
        add((identifier, CPS.identifierScheme, platform))
    for index in range(observations):
        sensor_index = index % sensors
        serial = f"V02Q{sensor_index:07d}"
        name, unit = PROPERTIES[index % len(PROPERTIES)]
        hour = index // (sensors * len(PROPERTIES))
        stamp = f"2020-05-{1 + hour // 24:02d}T{hour % 24:02d}:00:00+09:00"
        key = f"202005{1 + hour // 24:02d}T{hour % 24:02d}00"
        observation = ID[f"observation/{serial}/{name}/{key}"]
        add((observation, RDF.type, SOSA.Observation))
        add((observation, SOSA.madeBySensor, ID[f"sensor/{serial}"]))
        add((observation, SOSA.observedProperty, CPS[name]))
        add(
            (
                observation,
                SOSA.hasFeatureOfInterest,
                ID[f"district/{DISTRICTS[sensor_index % len(DISTRICTS)]}"],
            )
        )
        add((observation, SOSA.hasSimpleResult, Literal(f"{10 + index % 50}.0", datatype=XSD.decimal)))
        add((observation, SOSA.resultTime, Literal(stamp, datatype=XSD.dateTime)))
        add((observation, CPS.unit, UNIT[unit]))
        add((observation, CPS.sourceDataset, ID["dataset/sdot-hourly"]))
    return graph


def sized_graph(triples: int) -> Graph:
    """About ``triples`` data triples: one sensor per 22.5 observations (250 sensors for 50,000 triples)."""
    sensors = max(2, triples // 200)
    observations = max(0, (triples - sensors * TRIPLES_PER_SENSOR) // TRIPLES_PER_OBSERVATION)
    return sensor_graph(sensors, observations)


def closure(engine: str, graph: Graph) -> set[Triple]:
    """The triples ``engine`` adds to ``graph`` (normalised: see :func:`normal`)."""
    before = {normal(t) for t in graph}
    if engine == "reasonable":
        import reasonable

        reasoner = reasonable.PyReasoner()
        reasoner.from_graph(graph)
        return {normal(t) for t in reasoner.reason()} - before
    import owlrl

    copy = Graph()
    for triple in graph:
        copy.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(copy)
    return {normal(t) for t in copy} - before


def normal(triple: Triple) -> Triple:
    """RDF 1.1: a plain literal and the same ``xsd:string`` literal are one term."""
    subject, predicate, obj = triple
    if isinstance(obj, Literal) and obj.datatype == XSD.string and not obj.language:
        obj = Literal(str(obj))
    return subject, predicate, obj


def about_data(triples: set[Triple]) -> set[Triple]:
    """Inferred triples about data resources, without owlrl's trivia (reflexive sameAs, owl:Thing typing)."""
    return {
        (s, p, o)
        for s, p, o in triples
        if isinstance(s, URIRef)
        and str(s).startswith(str(ID))
        and not (p == OWL.sameAs and s == o)
        and not (p == RDF.type and o == OWL.Thing)
    }


def child(engine: str, triples: int) -> None:
    """Child process: build the graph, reason with one engine, print one JSON line."""
    graph = load_ontology_graph(REPO_ROOT / "ontology") + sized_graph(triples)
    started = time.perf_counter()
    inferred = closure(engine, graph)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "engine": engine,
                "input_triples": len(graph),
                "reason_seconds": seconds,
                "inferred": len(inferred),
                "inferred_about_data": len(about_data(inferred)),
                "peak_rss_bytes": own_peak_rss_bytes(),
            }
        )
    )


def correctness() -> tuple[bool, dict[str, int], list[str]]:
    """Both engines on the small case; whether they infer the same data triples, counts, and differences."""
    graph = load_ontology_graph(REPO_ROOT / "ontology") + sensor_graph(2, 4)
    results = {engine: about_data(closure(engine, graph)) for engine in ENGINES}
    first, second = (results[e] for e in ENGINES)
    differences = [f"only {ENGINES[0]}: {t}" for t in sorted(first - second, key=str)[:10]]
    differences += [f"only {ENGINES[1]}: {t}" for t in sorted(second - first, key=str)[:10]]
    return first == second, {e: len(r) for e, r in results.items()}, differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.owl_rl_reasoners", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--triples", default="10000,50000", help="data sizes, comma-separated (default 10000,50000)"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per engine and size; the median is reported"
    )
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds before a run is stopped")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        sizes = [int(part) for part in args.triples.split(",") if part.strip()]
    except ValueError:
        parser.error("--triples takes whole numbers separated by commas")
    if args.child:
        child(args.child, sizes[0])
        return 0

    agree, counts, differences = correctness()
    print("Correctness, small case (2 sensors, 4 observations): inferred triples about data resources")
    print(
        f"  reasonable {counts['reasonable']}, owlrl {counts['owlrl']}: {'identical' if agree else 'DIFFERENT'}"
    )
    for line in differences:
        print(f"  {line}")
    print()
    print(
        f"{'data triples':>12}  {'engine':<10}  {'reason s':>9}  {'wall s':>7}  {'peak MiB':>8}  {'inferred':>9}  ratio"
    )
    failed = False
    loads: list[float] = []
    for size in sizes:
        medians: dict[str, float] = {}
        rows: dict[str, tuple[float, float, int, int]] = {}
        for engine in ENGINES:
            reports = []
            for _ in range(args.runs):
                measured = run_measured(
                    [
                        sys.executable,
                        "-m",
                        "bench.owl_rl_reasoners",
                        "--child",
                        engine,
                        "--triples",
                        str(size),
                    ],
                    cwd=REPO_ROOT,
                    time_limit=args.time_limit,
                )
                if not measured.ok:
                    print(
                        f"{size:>12}  {engine:<10}  failed: {measured.stopped or measured.stderr_tail[-300:]}"
                    )
                    failed = True
                    break
                loads += [measured.load_before, measured.load_after]
                report = json.loads(measured.stdout.strip().splitlines()[-1])
                peak = max(measured.peak_rss_bytes, int(report["peak_rss_bytes"]))
                reports.append(
                    (float(report["reason_seconds"]), measured.wall_seconds, peak, int(report["inferred"]))
                )
            if reports:
                medians[engine] = statistics.median(r[0] for r in reports)
                rows[engine] = (
                    medians[engine],
                    statistics.median(r[1] for r in reports),
                    max(r[2] for r in reports),
                    reports[0][3],
                )
        for engine, (reason_s, wall_s, peak, inferred) in rows.items():
            ratio = ""
            if engine == "owlrl" and "reasonable" in medians and medians["reasonable"] > 0:
                ratio = f"{medians['owlrl'] / medians['reasonable']:.1f}× slower than reasonable"
            print(
                f"{size:>12}  {engine:<10}  {reason_s:9.2f}  {wall_s:7.2f}  {peak / 2**20:8.0f}  {inferred:9d}  {ratio}"
            )
    print()
    print(
        "inferred = all triples the closure adds (owlrl also adds reflexive owl:sameAs and schema triples)."
    )
    if loads:
        print(f"load average during the runs: {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} CPUs")
    return 0 if agree and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
