"""SHACL shapes for submitted data (``shapes/*.ttl``): well formed, documented, and right on their examples.

Driven by the manifest ``shapes/examples/expected.yaml``: for every shape file, the bundle of shape files a
dataset of that kind is validated with, extra context files, a conforming example and a non-conforming one
with the exact validation results it must produce, as (focus node, path, constraint component, severity,
source shape). pySHACL is the reference engine; when the fast engine (``kg_service.validation``) exists, every
example is run through it too and must give the same results.

The validation context is what a submission is checked against besides its own triples: the ontology
(``ontology/*.ttl``), the platforms, departments and standards, the IRIs and types of Seoul's districts and
dongs with the dongs' districts (from ``seoul-areas.ttl``, without the polygons), and the manifest's extra
context files (things committed earlier in other datasets). The context is unioned into the data graph rather
than passed as pySHACL's ``ont_graph``: pySHACL's ont_graph mix-in ("inoculate") recursively clones the
ontology's blank-node class expressions and takes more than fifteen minutes on this ontology; the union is what
the mix-in amounts to, without the cost.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pyshacl import validate
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

REPO_ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = REPO_ROOT / "shapes"
EXAMPLES_DIR = SHAPES_DIR / "examples"
MANIFEST = EXAMPLES_DIR / "expected.yaml"
ONTOLOGY_DIR = REPO_ROOT / "ontology"
REFERENCE_DIR = ONTOLOGY_DIR / "reference"

SH = Namespace("http://www.w3.org/ns/shacl#")
CPS = Namespace("https://data.seoul.go.kr/cps/ontology#")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ID_BASE = "https://data.seoul.go.kr/cps/id/"
SEVERITIES = {SH.Violation, SH.Warning, SH.Info}
#: Every example bundle together must validate within this many seconds with pySHACL (kept small on purpose).
PYSHACL_BUDGET_SECONDS = 60.0

Result = tuple[str, str | None, str, str, str]


def shared_dir() -> Path:
    """``../shared`` beside the repository, or ``KG_SHARED_DIR``."""
    return Path(os.environ.get("KG_SHARED_DIR", REPO_ROOT.parent / "shared"))


# --- Manifest -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExampleSet:
    """One shape file's bundle, examples and expected results (one entry of the manifest)."""

    name: str
    shape_file: str
    bundle: tuple[str, ...]
    context: tuple[str, ...]
    good: str
    bad: str
    expected: tuple[Result, ...]


@cache
def manifest() -> dict[str, Any]:
    document = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@cache
def prefixes() -> dict[str, str]:
    return dict(manifest()["prefixes"])


def example_sets() -> list[ExampleSet]:
    sets = []
    for name, entry in manifest()["examples"].items():
        expected = tuple(
            (
                str(item["focus"]),
                None if item.get("path") is None else str(item["path"]),
                str(item["component"]),
                str(item["severity"]),
                str(item["shape"]),
            )
            for item in entry["expected"]
        )
        sets.append(
            ExampleSet(
                name=name,
                shape_file=str(entry["shape_file"]),
                bundle=tuple(entry["bundle"]),
                context=tuple(entry.get("context", [])),
                good=str(entry["good"]),
                bad=str(entry["bad"]),
                expected=expected,
            )
        )
    return sets


EXAMPLE_SETS = example_sets()
SHAPE_FILES = sorted(path.name for path in SHAPES_DIR.glob("*.ttl"))


# --- Graphs ---------------------------------------------------------------------------------------------------


@cache
def shapes_graph(files: tuple[str, ...]) -> Graph:
    graph = Graph()
    for name in files:
        graph.parse(SHAPES_DIR / name, format="turtle")
    return graph


@cache
def reference_context() -> Graph:
    """Ontology, platforms, departments, standards, and the areas' IRIs, types and the dongs' districts."""
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    for name in ("platforms.ttl", "departments.ttl", "standards.ttl"):
        graph.parse(REFERENCE_DIR / name, format="turtle")
    areas = Graph().parse(REFERENCE_DIR / "seoul-areas.ttl", format="turtle")
    for area_class in (CPS.Metropolis, CPS.District, CPS.LegalDong, CPS.AdministrativeDong):
        for area in areas.subjects(RDF.type, area_class):
            graph.add((area, RDF.type, area_class))
            for district in areas.objects(area, CPS.inDistrict):
                graph.add((area, CPS.inDistrict, district))
    return graph


def context_graph(extra: Iterable[str]) -> Graph:
    graph = Graph()
    graph += reference_context()
    for name in extra:
        graph.parse(EXAMPLES_DIR / name, format="turtle")
    return graph


def data_with_context(example: str, extra: Iterable[str]) -> Graph:
    graph = context_graph(extra)
    graph.parse(EXAMPLES_DIR / example, format="turtle")
    return graph


# --- Results as comparable tuples -------------------------------------------------------------------------------


def compact(node: Node | None) -> str:
    """``<sensor/V02Q1940043>`` for instance IRIs, ``prefix:name`` where the manifest has the prefix."""
    assert node is not None, "a validation result lacks a required term"
    if isinstance(node, URIRef):
        text = str(node)
        if text.startswith(ID_BASE):
            return f"<{text[len(ID_BASE) :]}>"
        for prefix, namespace in sorted(prefixes().items(), key=lambda item: -len(item[1])):
            if text.startswith(namespace) and re.fullmatch(r"[A-Za-z0-9_-]+", text[len(namespace) :]):
                return f"{prefix}:{text[len(namespace) :]}"
        return f"<{text}>"
    return node.n3()


def render_path(graph: Graph, path: Node | None) -> str | None:
    """A SHACL path as text: ``p``, ``p/q`` (sequence), ``^p`` (inverse), ``p|q`` (alternative)."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return compact(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + str(render_path(graph, inverse))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(str(render_path(graph, step)) for step in Collection(graph, alternatives))
    if graph.value(path, RDF.first) is not None:
        return "/".join(str(render_path(graph, step)) for step in Collection(graph, path))
    for modifier, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, modifier)
        if inner is not None:
            return f"({render_path(graph, inner)}){mark}"
    raise AssertionError(f"unknown path form {path!r}")


def report_results(report: Graph) -> list[Result]:
    results = []
    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(report_node, SH.result):
            results.append(
                (
                    compact(report.value(result, SH.focusNode)),
                    render_path(report, report.value(result, SH.resultPath)),
                    compact(report.value(result, SH.sourceConstraintComponent)),
                    compact(report.value(result, SH.resultSeverity)),
                    compact(report.value(result, SH.sourceShape)),
                )
            )
    return sorted(results, key=repr)


def run_pyshacl(example_set: ExampleSet, example: str) -> tuple[list[Result], Graph, float]:
    data = data_with_context(example, example_set.context)
    started = time.perf_counter()
    _, report, _ = validate(data, shacl_graph=shapes_graph(example_set.bundle), inference="none")
    return report_results(report), report, time.perf_counter() - started


@cache
def pyshacl_outcome(name: str, which: str) -> tuple[tuple[Result, ...], Graph, float]:
    """pySHACL's results, report graph and time for one example (each example is validated once per session)."""
    example_set = next(item for item in EXAMPLE_SETS if item.name == name)
    results, report, seconds = run_pyshacl(
        example_set, example_set.good if which == "good" else example_set.bad
    )
    return tuple(results), report, seconds


def describe(results: Iterable[Result]) -> str:
    return "\n".join(f"  {result}" for result in results) or "  (none)"


# --- The manifest covers every shape file -----------------------------------------------------------------------


def test_manifest_covers_every_shape_file() -> None:
    assert sorted(item.shape_file for item in EXAMPLE_SETS) == SHAPE_FILES
    for item in EXAMPLE_SETS:
        assert item.shape_file in item.bundle, f"{item.name}: the bundle must contain its own file"
        for name in (item.good, item.bad, *item.context):
            assert (EXAMPLES_DIR / name).is_file(), f"{item.name}: missing example file {name}"
        assert item.expected, f"{item.name}: the bad example must list its expected results"


# --- Shapes graphs are valid SHACL --------------------------------------------------------------------------------


@cache
def shacl_shacl_results() -> tuple[tuple[str, str], ...]:
    """SHACL-for-SHACL over all shape files together: (focus node, message) of every result.

    All files at once, because a kind file reuses common.ttl's property shapes by IRI (their sh:path lives in
    common.ttl), and because one run over the union is several times faster than one per bundle.
    """
    shacl_shacl = shared_dir() / "reference" / "ontologies" / "shacl-vocab" / "shacl-shacl.ttl"
    if not shacl_shacl.is_file():
        pytest.skip(
            f"SHACL-for-SHACL not available at {shacl_shacl}: the shapes are only checked for Turtle syntax "
            "and by the tests below (set KG_SHARED_DIR to the shared/ directory)"
        )
    meta = Graph().parse(shacl_shacl, format="turtle")
    _, report, _ = validate(shapes_graph(tuple(SHAPE_FILES)), shacl_graph=meta, inference="none")
    return tuple(
        (compact(report.value(result, SH.focusNode)), str(report.value(result, SH.resultMessage)))
        for result in report.objects(None, SH.result)
    )


@pytest.mark.parametrize("shape_file", SHAPE_FILES)
def test_shapes_graph_is_valid_shacl(shape_file: str) -> None:
    """Each file passes SHACL-for-SHACL (the W3C shapes graph for shapes graphs)."""
    results = shacl_shacl_results()
    own = {compact(node) for node in shapes_graph((shape_file,)).subjects()}
    mine = [result for result in results if result[0] in own or result[0].startswith("_:")]
    assert not mine, mine


@pytest.mark.parametrize("shape_file", SHAPE_FILES)
def test_shapes_load_in_pyshacl(shape_file: str) -> None:
    """pySHACL accepts the file's bundle as a shapes graph (catches SPARQL syntax errors and bad prefixes)."""
    bundle = next(item.bundle for item in EXAMPLE_SETS if item.shape_file == shape_file)
    conforms, _, text = validate(Graph(), shacl_graph=shapes_graph(bundle), inference="none")
    assert conforms, text


# --- Messages, labels, names, severities ---------------------------------------------------------------------------


def named_shapes(graph: Graph) -> Iterator[URIRef]:
    for shape_class in (SH.NodeShape, SH.PropertyShape):
        for shape in graph.subjects(RDF.type, shape_class):
            if isinstance(shape, URIRef):
                yield shape


def languages(graph: Graph, subject: Node, predicate: URIRef) -> Counter[str | None]:
    return Counter(
        value.language if isinstance(value, Literal) else "<not a literal>"
        for value in graph.objects(subject, predicate)
    )


@pytest.mark.parametrize("shape_file", SHAPE_FILES)
def test_every_message_is_in_korean_and_english(shape_file: str) -> None:
    graph = shapes_graph((shape_file,))
    subjects = set(graph.subjects(SH.message, None))
    assert subjects, "no sh:message at all"
    for subject in subjects:
        langs = languages(graph, subject, SH.message)
        assert langs == Counter({"ko": 1, "en": 1}), f"{compact(subject)}: sh:message languages {dict(langs)}"


@pytest.mark.parametrize("shape_file", SHAPE_FILES)
def test_every_shape_has_labels_severity_and_a_message(shape_file: str) -> None:
    """Named shapes: rdfs:label @ko/@en, an explicit severity, and a message on the shape or its SPARQL constraints.

    A shape that holds sh:sparql carries its messages on the constraints only: pySHACL reports a shape's
    messages next to the constraint's, so messages on both would be shown twice.
    """
    graph = shapes_graph((shape_file,))
    shapes = list(named_shapes(graph))
    assert shapes
    for shape in shapes:
        name = compact(shape)
        assert languages(graph, shape, RDFS.label) == Counter({"ko": 1, "en": 1}), (
            f"{name}: rdfs:label @ko and @en"
        )
        severities = list(graph.objects(shape, SH.severity))
        assert len(severities) == 1 and severities[0] in SEVERITIES, f"{name}: severity {severities}"
        constraints = list(graph.objects(shape, SH.sparql))
        if constraints:
            assert not list(graph.objects(shape, SH.message)), (
                f"{name}: message belongs on the SPARQL constraint"
            )
            for constraint in constraints:
                assert languages(graph, constraint, SH.message) == Counter({"ko": 1, "en": 1}), name
                assert languages(graph, constraint, RDFS.label) == Counter({"ko": 1, "en": 1}), name
        else:
            assert languages(graph, shape, SH.message) == Counter({"ko": 1, "en": 1}), f"{name}: sh:message"
        if (shape, RDF.type, SH.PropertyShape) in graph:
            assert languages(graph, shape, SH.name) == Counter({"ko": 1, "en": 1}), (
                f"{name}: sh:name @ko and @en"
            )


@pytest.mark.parametrize("shape_file", SHAPE_FILES)
def test_severities_are_violation_warning_or_info(shape_file: str) -> None:
    graph = shapes_graph((shape_file,))
    assert set(graph.objects(None, SH.severity)) <= SEVERITIES


@pytest.mark.parametrize("shape_file", SHAPE_FILES)
def test_sparql_constraints_are_portable(shape_file: str) -> None:
    """SELECT-based, with declared prefixes, none of the constructs SHACL forbids, no custom functions."""
    graph = shapes_graph((shape_file,))
    for constraint in set(graph.objects(None, SH.sparql)):
        query = str(graph.value(constraint, SH.select))
        name = compact(constraint)
        assert query.strip().upper().startswith("SELECT $THIS"), name
        assert graph.value(constraint, SH.prefixes) is not None, f"{name}: sh:prefixes"
        assert graph.value(constraint, SH.ask) is None and graph.value(constraint, SH.construct) is None, name
        for keyword in ("VALUES", "MINUS", "SERVICE", "$shapesGraph", "$currentShape"):
            assert keyword not in query, f"{name}: {keyword} is not allowed in a SPARQL constraint"
        for function in re.findall(r"\b([A-Za-z][\w-]*:[A-Za-z][\w-]*)\s*\(", query):
            raise AssertionError(f"{name}: custom function {function}")


# --- Plausible ranges -----------------------------------------------------------------------------------------------


def or_members(graph: Graph, shape: URIRef) -> list[Node]:
    members = graph.value(shape, SH["or"])
    assert members is not None, f"{compact(shape)} has no sh:or"
    return list(Collection(graph, members))


def bounds(graph: Graph, node: Node) -> dict[str, Decimal]:
    return {
        key: Decimal(str(graph.value(node, SH[key])))
        for key in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive")
        if graph.value(node, SH[key]) is not None
    }


def range_table() -> dict[
    str, tuple[dict[str, Decimal], dict[str, Decimal] | None, dict[str, Decimal] | None]
]:
    """Property → (plausible bounds, usual bounds, "beyond plausible" bounds of the warning shape)."""
    graph = shapes_graph(("observations.ttl",))
    obs = prefixes()["obs"]
    table: dict[str, Any] = {}
    for prop in reference_observables():
        local = str(prop)[len(str(CPS)) :]
        violation = URIRef(f"{obs}{local}RangeShape")
        warning = URIRef(f"{obs}{local}UnusualShape")
        assert (violation, RDF.type, SH.NodeShape) in graph, f"no plausible-range shape for cps:{local}"
        members = or_members(graph, violation)
        plausible = bounds(graph, members[2])
        usual: dict[str, Decimal] | None = None
        beyond: dict[str, Decimal] | None = None
        if (warning, RDF.type, SH.NodeShape) in graph:
            members = or_members(graph, warning)
            usual = bounds(graph, members[2])
            beyond_node = members[3]
            nested = graph.value(beyond_node, SH["or"])
            beyond = {}
            for part in Collection(graph, nested) if nested is not None else [beyond_node]:
                beyond |= bounds(graph, part)
        table[local] = (plausible, usual, beyond)
    return table


@cache
def reference_observables() -> tuple[URIRef, ...]:
    graph = reference_context()
    found = [node for node in graph.subjects(RDF.type, CPS.ObservableProperty) if isinstance(node, URIRef)]
    return tuple(sorted(found, key=str))


def test_every_observable_property_has_a_plausible_range() -> None:
    table = range_table()
    assert {str(node)[len(str(CPS)) :] for node in reference_observables()} <= set(table)


def test_warning_ranges_skip_exactly_the_values_the_violation_ranges_reject() -> None:
    """A value beyond the plausible range is reported once, as a violation: the two tables must agree."""
    for prop, (plausible, usual, beyond) in range_table().items():
        if usual is None or beyond is None:
            continue
        expected = {}
        if "maxInclusive" in plausible:
            expected["minExclusive"] = plausible["maxInclusive"]
        if "minInclusive" in plausible:
            expected["maxExclusive"] = plausible["minInclusive"]
        assert beyond == expected, (
            f"cps:{prop}: warning shape's 'beyond' {beyond} != plausible range {plausible}"
        )
        for key, value in usual.items():
            low, high = plausible.get("minInclusive"), plausible.get("maxInclusive")
            assert (low is None or value >= low) and (high is None or value <= high), (
                f"cps:{prop}: {key} {value}"
            )


def test_range_boundaries() -> None:
    """Values at and just beyond every bound: outside the plausible range gives that property's violation
    (and no warning), inside it but outside the usual range its warning, anything else nothing.

    Each property's pair of shapes is run on its own values (one small validation per property, so that the
    test stays fast); that a shape ignores other properties is shown by the examples.
    """
    graph = shapes_graph(("observations.ttl",))
    obs = prefixes()["obs"]
    epsilon = Decimal("0.001")
    for prop, (plausible, usual, _) in range_table().items():
        pair = Graph()
        for name in (f"{prop}RangeShape", f"{prop}UnusualShape", "ResultNotDecimalShape"):
            shape = URIRef(obs + name)
            for node in {shape} | _reachable(graph, shape):
                for triple in graph.triples((node, None, None)):
                    pair.add(triple)
        values: set[Decimal] = set()
        for bounds_of in (plausible, usual or {}):
            if "minInclusive" in bounds_of:
                values |= {bounds_of["minInclusive"], bounds_of["minInclusive"] - epsilon}
            if "maxInclusive" in bounds_of:
                values |= {bounds_of["maxInclusive"], bounds_of["maxInclusive"] + epsilon}
        data = Graph()
        expected: set[tuple[str, str]] = set()
        for index, value in enumerate(sorted(values)):
            node = URIRef(f"{ID_BASE}observation/bounds/{prop}/{index}")
            data.add((node, RDF.type, SOSA.Observation))
            data.add((node, SOSA.observedProperty, CPS[prop]))
            data.add((node, SOSA.hasSimpleResult, Literal(value, datatype=XSD.decimal)))
            if not _within(value, plausible):
                expected.add((compact(node), f"obs:{prop}RangeShape"))
            elif usual is not None and not _within(value, usual):
                expected.add((compact(node), f"obs:{prop}UnusualShape"))
        _, report, _ = validate(data, shacl_graph=pair, inference="none")
        assert {(focus, shape) for focus, _, _, _, shape in report_results(report)} == expected, prop


def test_zone_shapes_agree_with_realtimecityair() -> None:
    """The five zone shapes hold for the real RealtimeCityAir response, and each fires for a wrong zone."""
    sample = (
        shared_dir()
        / "reference"
        / "seoul-sdot"
        / "realtimecityair-sample"
        / "RealtimeCityAir_202105111500.json"
    )
    if not sample.is_file():
        pytest.skip(f"RealtimeCityAir sample not available at {sample} (set KG_SHARED_DIR)")
    rows = json.loads(sample.read_text(encoding="utf-8"))["RealtimeCityAir"]["row"]
    areas = Graph().parse(REFERENCE_DIR / "seoul-areas.ttl", format="turtle")
    district_of_name = {
        str(label): district
        for district in areas.subjects(RDF.type, CPS.District)
        for label in areas.objects(district, RDFS.label)
        if isinstance(label, Literal) and label.language == "ko"
    }
    zones = ["도심권", "서북권", "동북권", "서남권", "동남권"]
    zone_shape = dict(
        zip(zones, ("Central", "NorthWest", "NorthEast", "SouthWest", "SouthEast"), strict=True)
    )
    air = shapes_graph(("air_quality.ttl",))
    only_zones = Graph()
    for key in zone_shape.values():
        shape = URIRef(prefixes()["air"] + f"Zone{key}Shape")
        for node in {shape} | _reachable(air, shape):
            for triple in air.triples((node, None, None)):
                only_zones.add(triple)
    data = reference_context() + Graph()
    expected = set()
    assert len(rows) == 25
    for row in rows:
        district = district_of_name[row["MSRSTE_NM"]]
        right, wrong = row["MSRRGN_NM"], zones[(zones.index(row["MSRRGN_NM"]) + 1) % 5]
        for zone, suffix in ((right, "right"), (wrong, "wrong")):
            station = URIRef(f"{ID_BASE}station/{str(district).rsplit('/', 1)[1]}-{suffix}")
            data.add((station, RDF.type, CPS.MonitoringStation))
            data.add((station, CPS.inDistrict, district))
            data.add((station, CPS.zoneName, Literal(zone)))
        expected.add((compact(station), f"air:Zone{zone_shape[right]}Shape"))
    _, report, _ = validate(data, shacl_graph=only_zones, inference="none")
    assert {(focus, shape) for focus, _, _, _, shape in report_results(report)} == expected


def _within(value: Decimal, bounds_of: dict[str, Decimal]) -> bool:
    low, high = bounds_of.get("minInclusive"), bounds_of.get("maxInclusive")
    return (low is None or value >= low) and (high is None or value <= high)


def _reachable(graph: Graph, start: Node) -> set[Node]:
    seen: set[Node] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        for _, obj in graph.predicate_objects(node):
            if isinstance(obj, BNode) and obj not in seen:
                seen.add(obj)
                stack.append(obj)
    return seen


# --- Examples ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("example_set", EXAMPLE_SETS, ids=lambda item: item.name)
def test_good_example_conforms(example_set: ExampleSet) -> None:
    """The good example gives no result at all: no violation, and no warning or info either."""
    results, _, _ = pyshacl_outcome(example_set.name, "good")
    assert not results, f"{example_set.good} should give no results, got:\n{describe(results)}"


@pytest.mark.parametrize("example_set", EXAMPLE_SETS, ids=lambda item: item.name)
def test_bad_example_gives_exactly_the_expected_results(example_set: ExampleSet) -> None:
    results, _, _ = pyshacl_outcome(example_set.name, "bad")
    got, want = Counter(results), Counter(example_set.expected)
    assert got == want, (
        f"{example_set.bad}\nunexpected:\n{describe(sorted((got - want).elements(), key=repr))}"
        f"\nmissing:\n{describe(sorted((want - got).elements(), key=repr))}"
    )


@pytest.mark.parametrize("example_set", EXAMPLE_SETS, ids=lambda item: item.name)
def test_bad_example_exercises_its_own_shape_file(example_set: ExampleSet) -> None:
    own = shapes_graph((example_set.shape_file,))
    own_shapes = {compact(shape) for shape in named_shapes(own)}
    fired = {shape for *_, shape in example_set.expected}
    assert fired & own_shapes, f"{example_set.bad} fires none of {example_set.shape_file}'s shapes"
    assert {severity for _, _, _, severity, _ in example_set.expected} >= {"sh:Violation"}


def test_messages_reach_the_report_in_both_languages() -> None:
    """A SPARQL message template is filled in (no '{?…}' left) and a Core message keeps its language tag."""
    _, report, _ = pyshacl_outcome("observations", "bad")
    messages = [message for message in report.objects(None, SH.resultMessage) if isinstance(message, Literal)]
    assert messages
    assert not [message for message in messages if "{?" in message or "{$" in message]
    assert {message.language for message in messages} >= {"ko", "en"}


def test_reference_data_conforms_to_every_shape_file() -> None:
    """The context itself (ontology and all reference data, polygons included) passes every file's shapes.

    One run over all files together: the reference data holds no observation, so the observation-kind files,
    which are alternatives for a dataset, do not meet here.
    """
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(REFERENCE_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    conforms, _, text = validate(graph, shacl_graph=shapes_graph(tuple(SHAPE_FILES)), inference="none")
    assert conforms, text


def test_pyshacl_is_fast_on_the_examples() -> None:
    """Time pySHACL on every example (reported with ``-s``); all of them together stay within the budget."""
    total = 0.0
    for item in EXAMPLE_SETS:
        for which in ("good", "bad"):
            _, _, seconds = pyshacl_outcome(item.name, which)
            total += seconds
            print(f"pyshacl {item.name}-{which}: {seconds:.2f} s")
    print(f"pyshacl all examples: {total:.2f} s")
    assert total < PYSHACL_BUDGET_SECONDS


# --- The fast engine gives the same results ---------------------------------------------------------------------


def fast_engine() -> Any:
    try:
        module = importlib.import_module("kg_service.validation")
    except ModuleNotFoundError:
        pytest.skip("fast engine not present")
    engine_class = getattr(module, "ValidationEngine", None)
    if engine_class is None:
        pytest.skip("fast engine not present")
    return engine_class


def fast_engine_results(engine_class: Any, example_set: ExampleSet, example: str) -> list[Result]:
    """Run one example through ``kg_service.validation.ValidationEngine`` and read its report as SHACL RDF.

    The engine is built from the bundle's shapes graph and given the submission's triples and the context
    (ontology, reference data, the manifest's context files) separately, as the submission pipeline does.
    """
    engine = engine_class(shapes_graph(example_set.bundle))
    data = Graph().parse(EXAMPLES_DIR / example, format="turtle")
    report = engine.validate(data, context=context_graph(example_set.context))
    if not hasattr(report, "to_rdf_graph"):
        pytest.skip(f"fast engine API not recognised: {type(report).__name__} has no to_rdf_graph()")
    return report_results(report.to_rdf_graph())


@pytest.mark.parametrize("which", ["good", "bad"])
@pytest.mark.parametrize("example_set", EXAMPLE_SETS, ids=lambda item: item.name)
def test_fast_engine_agrees_with_pyshacl(example_set: ExampleSet, which: str) -> None:
    engine_class = fast_engine()
    example = example_set.good if which == "good" else example_set.bad
    reference, _, _ = pyshacl_outcome(example_set.name, which)
    assert Counter(fast_engine_results(engine_class, example_set, example)) == Counter(reference)
