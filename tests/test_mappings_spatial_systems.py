"""The S-Map, system-inventory, NGSI-LD and road mapping rules and the functions they use.

Rule files: mappings/smap_buildings.yaml, system_inventory_{csv,xlsx}.yaml, ngsi_ld_{air_quality,device,weather}.yaml,
road_links.yaml, road_speed.yaml. Functions: kg_service/mapping/function_library/departments.py.

Fixture cases (tests/fixtures/mappings/{smap_buildings,system_inventory,ngsi_ld,road}/) hold small inputs in the
real formats and hand-checked expected graphs; the mapped graph must be isomorphic to the expected one (literals
compared by their exact lexical form) and the located problems must be exactly the listed ones. Then the
equivalences the rules promise (one building in three coordinate systems, XLSX = CSV, normalized = key-values),
the bad inputs, the demo generator's files, and SHACL (pySHACL) with the shapes of datasets.yaml.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyoxigraph as ox
import pytest
import shapely
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF

from kg_service.errors import MappingRuleError
from kg_service.mapping.engine import map_file
from kg_service.mapping.function_library import departments
from kg_service.mapping.functions import FunctionInputs, function_library
from kg_service.mapping.mapping_result import MappingResult, graphs_of_nquads
from kg_service.mapping.rule_check import load_ontology_terms
from kg_service.mapping.rules import KGF
from tests.conftest import REPO_ROOT
from tests.shacl_context import ontology_and_reference, shapes_graph, violations

MAPPINGS = REPO_ROOT / "mappings"
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "mappings"
ONTOLOGY_TERMS = load_ontology_terms(REPO_ROOT / "ontology")

CPS = "https://data.seoul.go.kr/cps/ontology#"
ID = "https://data.seoul.go.kr/cps/id/"
SOSA = "http://www.w3.org/ns/sosa/"
GEO = "http://www.opengis.net/ont/geosparql#"
WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
UNIT = "http://qudt.org/vocab/unit/"
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
XSD_DATETIME = URIRef("http://www.w3.org/2001/XMLSchema#dateTime")

ProblemKey = tuple[int | None, str | None, str, str]


def map_path(rules: str, path: Path) -> MappingResult:
    """Map a file with a rule file of mappings/, checking every ``cps:`` term against the ontology."""
    return map_file(MAPPINGS / rules, path.read_bytes(), file_name=path.name, ontology_terms=ONTOLOGY_TERMS)


def turtle_graph(path: Path) -> Graph:
    """A Turtle file as an rdflib graph whose literals keep their lexical form exactly as written."""
    ntriples = ox.serialize(
        ox.parse(path=str(path), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES
    )
    return graphs_of_nquads(ntriples or b"").get(None, Graph())


def assert_isomorphic(got: Graph, want: Graph) -> None:
    """Isomorphism, with the differing statements in the failure message."""
    if isomorphic(got, want):
        return
    g, w = to_isomorphic(got), to_isomorphic(want)
    extra = sorted(str(t) for t in (g - w))[:10]
    missing = sorted(str(t) for t in (w - g))[:10]
    pytest.fail(f"graphs differ\nunexpected: {extra}\nmissing: {missing}")


def problem_keys(result: MappingResult) -> set[ProblemKey]:
    return {(p.row, p.column, p.code, p.severity) for p in result.problems}


# --- fixture cases --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One fixture case: rules, input, expected graph (``None``: checked by a dedicated test) and the exact located
    problems (row, column, code, severity)."""

    directory: str
    rules: str
    input: str
    expected: str | None
    problems: frozenset[ProblemKey] = frozenset()

    @property
    def path(self) -> Path:
        return FIXTURES / self.directory / self.input

    def __str__(self) -> str:
        return f"{self.directory}/{self.input}"


CASES = [
    Case("smap_buildings", "smap_buildings.yaml", "buildings_5186.geojson", "expected.ttl"),
    Case(
        "smap_buildings",
        "smap_buildings.yaml",
        "buildings_bad_5186.geojson",
        "buildings_bad.expected.ttl",
        frozenset(
            {
                (1, "SIG_CD", "district-mismatch", "warning"),
                (2, "GRND_FLR", "not-a-number", "error"),
                (3, "geometry", "geometry", "error"),
                (4, "geometry", "outside-seoul", "warning"),
                (5, "UFID", "missing-value", "error"),
            }
        ),
    ),
    Case("system_inventory", "system_inventory_csv.yaml", "inventory.csv", "expected.ttl"),
    Case("system_inventory", "system_inventory_xlsx.yaml", "inventory.xlsx", "expected.ttl"),
    Case(
        "system_inventory",
        "system_inventory_csv.yaml",
        "inventory_bad.csv",
        None,
        frozenset(
            {
                (1, "CPS기능", "not-in-code-table", "error"),
                (2, "연계플랫폼", "not-in-code-table", "error"),
                (3, "운영부서코드", "missing-value", "error"),
                (4, "제공데이터셋", "too-many-items", "error"),
                (5, "시스템코드", "missing-value", "error"),
            }
        ),
    ),
    Case("ngsi_ld", "ngsi_ld_air_quality.yaml", "air_quality.normalized.jsonld", "air_quality.expected.ttl"),
    Case("ngsi_ld", "ngsi_ld_air_quality.yaml", "air_quality.keyvalues.jsonld", "air_quality.expected.ttl"),
    Case("ngsi_ld", "ngsi_ld_device.yaml", "device.normalized.jsonld", "device.expected.ttl"),
    Case("ngsi_ld", "ngsi_ld_device.yaml", "device.keyvalues.jsonld", "device.expected.ttl"),
    Case("ngsi_ld", "ngsi_ld_weather.yaml", "weather.keyvalues.jsonld", "weather.expected.ttl"),
    Case("ngsi_ld", "ngsi_ld_weather.yaml", "weather.normalized.jsonld", "weather.expected.ttl"),
    Case(
        "ngsi_ld",
        "ngsi_ld_air_quality.yaml",
        "air_quality.bad.jsonld",
        None,
        frozenset(
            {
                (1, "@context", "context-not-local", "warning"),
                (1, "type", "unresolved-entity-type", "error"),
                (2, "type", "unexpected-entity-type", "error"),
                (3, "refDevice", "missing-value", "error"),
                (4, "pm10", "not-a-number", "error"),
                (5, "refDevice", "not-an-ngsi-id", "error"),
            }
        ),
    ),
    Case("road", "road_links.yaml", "road_links.csv", "road_links.expected.ttl"),
    Case(
        "road",
        "road_links.yaml",
        "road_links_bad.csv",
        None,
        frozenset(
            {
                (1, "자치구코드", "district-mismatch", "warning"),
                (2, "자치구코드", "not-in-code-table", "error"),
                (4, "종료경도", "not-a-coordinate", "error"),
            }
        ),
    ),
    Case("road", "road_speed.yaml", "road_speed.xml", "road_speed.expected.ttl"),
    Case(
        "road",
        "road_speed.yaml",
        "road_speed_bad.xml",
        None,
        frozenset(
            {
                (1, "prcs_spd", "not-a-number", "error"),
                (2, "prcs_spd", "not-a-number", "error"),
                (3, "observed_at", "not-a-date-time", "error"),
                (4, "link_id", "missing-value", "error"),
            }
        ),
    ),
]


@pytest.fixture(scope="module")
def mapped() -> dict[str, MappingResult]:
    return {str(case): map_path(case.rules, case.path) for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fixture_problems_are_exactly_the_listed_ones(case: Case, mapped: dict[str, MappingResult]) -> None:
    result = mapped[str(case)]
    assert problem_keys(result) == set(case.problems)
    assert all(p.file == case.input for p in result.problems)


@pytest.mark.parametrize("case", [c for c in CASES if c.expected], ids=str)
def test_fixture_maps_to_the_hand_checked_graph(case: Case, mapped: dict[str, MappingResult]) -> None:
    assert case.expected is not None
    assert_isomorphic(
        mapped[str(case)].to_rdflib_graph(), turtle_graph(FIXTURES / case.directory / case.expected)
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_typed_literal_is_canonical_and_every_subject_traces_to_a_row(
    case: Case, mapped: dict[str, MappingResult]
) -> None:
    result = mapped[str(case)]
    graph = result.to_rdflib_graph()
    for obj in graph.objects():
        if isinstance(obj, Literal) and obj.datatype in (XSD_DECIMAL, XSD_INTEGER, XSD_DATETIME):
            assert obj.value is not None, obj  # rdflib parses every lexical form the engine writes
            if obj.datatype == XSD_DECIMAL:
                assert "." in str(obj) and not str(obj).startswith("+"), obj
            if obj.datatype == XSD_DATETIME:
                assert str(obj).endswith("+09:00") and len(str(obj)) == 25, obj
    lineage = result.lineage
    traced = set(lineage["subject"].to_list())
    assert {str(s) for s in graph.subjects()} <= traced
    assert lineage["row"].null_count() == 0


# --- S-Map buildings: one building, three coordinate systems --------------------------------------------------------


def _coordinates_close(a: Literal, b: Literal) -> bool:
    if a.datatype == XSD_DECIMAL and b.datatype == XSD_DECIMAL:
        return abs(float(a) - float(b)) <= 2e-7
    if str(a.datatype) == GEO + "wktLiteral" and str(b.datatype) == GEO + "wktLiteral":
        ga, gb = (shapely.from_wkt(str(x).split(">", 1)[1]) for x in (a, b))
        ca, cb = shapely.get_coordinates(ga), shapely.get_coordinates(gb)
        return ga.geom_type == gb.geom_type and ca.shape == cb.shape and bool(np.allclose(ca, cb, atol=2e-7))
    return a == b


def assert_same_up_to_rounding(got: Graph, want: Graph) -> None:
    """The same statements, coordinates (wgs:lat/long, WKT) equal to within 2e-7° (about 2 cm)."""
    exact = {(s, p, o) for s, p, o in got if not isinstance(o, Literal) or o.datatype != XSD_DECIMAL}
    assert {t for t in exact if str(t[1]) != GEO + "asWKT"} == {
        t
        for t in want
        if (not isinstance(t[2], Literal) or t[2].datatype != XSD_DECIMAL) and str(t[1]) != GEO + "asWKT"
    }
    for s, p, o in got:
        if isinstance(o, Literal) and (o.datatype == XSD_DECIMAL or str(p) == GEO + "asWKT"):
            others = list(want.objects(s, p))
            assert len(others) == 1 and isinstance(others[0], Literal), (s, p)
            if str(p) in (WGS + "lat", WGS + "long", GEO + "asWKT"):
                assert _coordinates_close(o, others[0]), (s, p, o, others[0])
            else:
                assert o == others[0], (s, p)
    assert len(got) == len(want)


@pytest.mark.parametrize("crs", ["5179", "4326"])
def test_the_same_buildings_in_another_crs_give_the_same_triples(crs: str) -> None:
    fixtures = FIXTURES / "smap_buildings"
    reference = map_path("smap_buildings.yaml", fixtures / "buildings_5186.geojson")
    other = map_path("smap_buildings.yaml", fixtures / f"buildings_{crs}.geojson")
    assert other.problems == []
    assert_same_up_to_rounding(other.to_rdflib_graph(), reference.to_rdflib_graph())


def test_a_crs_the_service_does_not_know_is_reported_on_the_crs_cell() -> None:
    data = (FIXTURES / "smap_buildings" / "buildings_5186.geojson").read_bytes()
    data = data.replace(b"EPSG::5186", b"EPSG::999999")
    result = map_file(
        MAPPINGS / "smap_buildings.yaml", data, file_name="b.geojson", ontology_terms=ONTOLOGY_TERMS
    )
    assert {(p.row, p.column, p.code) for p in result.problems if p.code == "unknown-crs"} == {
        (1, "crs", "unknown-crs"),
        (2, "crs", "unknown-crs"),
        (3, "crs", "unknown-crs"),
    }
    assert not list(result.to_rdflib_graph().objects(None, URIRef(GEO + "asWKT")))


# --- system inventory: XLSX = CSV ---------------------------------------------------------------------------------


def test_the_xlsx_and_csv_rule_files_differ_only_in_their_source() -> None:
    def body(name: str) -> dict[str, object]:
        document = yaml.safe_load((MAPPINGS / name).read_text(encoding="utf-8"))
        document.pop("sources")
        document.pop("name")
        return dict(document)

    assert body("system_inventory_csv.yaml") == body("system_inventory_xlsx.yaml")


def test_a_cell_with_more_items_than_the_rule_reads_maps_none_of_them(
    mapped: dict[str, MappingResult],
) -> None:
    graph = mapped["system_inventory/inventory_bad.csv"].to_rdflib_graph()
    system = URIRef(ID + "system/SYS-0104")
    assert (system, RDF.type, URIRef(CPS + "InformationSystem")) in graph
    assert list(graph.objects(system, URIRef(CPS + "providesDataset"))) == []
    # The known items of a list with an unknown one are still mapped; the unknown one is the located error.
    functions = set(graph.objects(URIRef(ID + "system/SYS-0101"), URIRef(CPS + "servesFunction")))
    assert functions == {URIRef(CPS + "RealData")}
    platforms = set(graph.objects(URIRef(ID + "system/SYS-0102"), URIRef(CPS + "linksToPlatform")))
    assert platforms == {URIRef(ID + "platform/big-data")}
    assert list(graph.objects(URIRef(ID + "system/SYS-0103"), URIRef(CPS + "operatedBy"))) == []


def test_every_cps_function_code_and_name_maps_to_its_concept() -> None:
    scheme = Graph().parse(REPO_ROOT / "ontology" / "cps-functions.ttl")
    notation = URIRef("http://www.w3.org/2004/02/skos/core#notation")
    by_code = {
        str(code): str(concept).rsplit("#", 1)[1] for concept, code in scheme.subject_objects(notation)
    }
    assert len(by_code) == 7
    table = yaml.safe_load((MAPPINGS / "system_inventory_csv.yaml").read_text(encoding="utf-8"))["lookups"]
    assert {k: v for k, v in table["cps-function"].items() if k.isdigit()} == by_code
    assert set(table["cps-function"].values()) == set(by_code.values())
    platforms = Graph().parse(REPO_ROOT / "ontology" / "reference" / "platforms.ttl")
    known = {str(p).rsplit("/", 1)[1] for p in platforms.subjects(RDF.type, URIRef(CPS + "CityPlatform"))}
    assert set(table["platform"].values()) <= known


# --- NGSI-LD ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a network connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield


def test_an_unknown_context_is_never_fetched_and_its_entity_is_reported(no_network: None) -> None:
    result = map_path("ngsi_ld_air_quality.yaml", FIXTURES / "ngsi_ld" / "air_quality.bad.jsonld")
    assert (1, "type", "unresolved-entity-type", "error") in problem_keys(result)
    context = next(p for p in result.problems if p.code == "context-not-local")
    assert context.value == "https://example.org/contexts/air-quality.jsonld"
    graph = result.to_rdflib_graph()
    identifiers = {str(o) for o in graph.objects(None, URIRef(CPS + "identifierValue"))}
    assert "urn:ngsi-ld:AirQualityObserved:Bad-1" not in identifiers  # not mapped at all
    assert "urn:ngsi-ld:Device:V02Q1940012" not in identifiers  # a Device is not an air-quality entity
    # Entity 4's PM10 was not a number: its other eight measurements are still observations.
    bad4 = URIRef(ID + "identifier/ngsi-ld/urn%3Angsi-ld%3AAirQualityObserved%3ABad-4")
    assert len(set(graph.subjects(URIRef(CPS + "hasIdentifier"), bad4))) == 8


def test_relative_humidity_fraction_becomes_per_cent(mapped: dict[str, MappingResult]) -> None:
    graph = mapped["ngsi_ld/air_quality.keyvalues.jsonld"].to_rdflib_graph()
    obs = URIRef(ID + "observation/V02Q1940012/RelativeHumidity/20250714T2300")
    assert graph.value(obs, URIRef(SOSA + "hasSimpleResult")) == Literal("83.63", datatype=XSD_DECIMAL)
    assert graph.value(obs, URIRef(CPS + "unit")) == URIRef(UNIT + "PERCENT")


def test_the_ngsi_device_and_the_sdot_registry_describe_a_sensor_alike(tmp_path: Path) -> None:
    """The same sensor from the registry CSV and from NGSI-LD: identical position, geometry and district triples."""
    registry = tmp_path / "sdot_sensors.csv"
    registry.write_text("시리얼,위도,경도\nV02Q1940012,37.55610633,127.0092604\n", encoding="utf-8")
    from_registry = map_path("sdot_sensors.yaml", registry).to_rdflib_graph()
    from_ngsi = map_path(
        "ngsi_ld_device.yaml", FIXTURES / "ngsi_ld" / "device.normalized.jsonld"
    ).to_rdflib_graph()
    sensor = URIRef(ID + "sensor/V02Q1940012")
    geometry = URIRef(ID + "geometry/sensor-V02Q1940012")
    for subject, predicate in [
        (sensor, WGS + "lat"),
        (sensor, WGS + "long"),
        (sensor, CPS + "inDistrict"),
        (sensor, CPS + "inDong"),
        (sensor, CPS + "sdotSerial"),
        (sensor, GEO + "hasGeometry"),
        (geometry, GEO + "asWKT"),
    ]:
        values = set(from_registry.objects(subject, URIRef(predicate)))
        assert values and values == set(from_ngsi.objects(subject, URIRef(predicate))), predicate


# --- road links and speeds --------------------------------------------------------------------------------------------


def test_a_speed_feed_without_observation_times_is_refused_before_mapping() -> None:
    with pytest.raises(MappingRuleError) as caught:
        map_path("road_speed.yaml", FIXTURES / "road" / "road_speed_without_time.xml")
    assert "observed_at" in str(caught.value)


def test_speed_observations_name_the_link_and_its_virtual_sensor(mapped: dict[str, MappingResult]) -> None:
    graph = mapped["road/road_speed.xml"].to_rdflib_graph()
    observations = set(graph.subjects(RDF.type, URIRef(SOSA + "Observation")))
    assert len(observations) == 3
    for obs in observations:
        link = graph.value(obs, URIRef(SOSA + "hasFeatureOfInterest"))
        sensor = graph.value(obs, URIRef(SOSA + "madeBySensor"))
        assert str(link).startswith(ID + "road-link/")
        assert graph.value(sensor, URIRef(CPS + "locatedIn")) == link
        assert graph.value(obs, URIRef(SOSA + "observedProperty")) == URIRef(CPS + "TrafficSpeed")


# --- the functions ----------------------------------------------------------------------------------------------------


def run_function(
    name: str, columns: Mapping[str, Sequence[str | None]], **constants: str
) -> list[str | None]:
    """Evaluate one function body on a small frame (each parameter a column of the same name)."""
    spec = function_library()[KGF + name]
    frame = pl.DataFrame({c: list(v) for c, v in columns.items()}, schema=dict.fromkeys(columns, pl.String))
    inputs = FunctionInputs(values={c: (pl.col(c),) for c in columns}, constants=constants)
    values: list[str | None] = frame.select(spec.body(inputs).value.alias("out")).to_series().to_list()
    return values


def test_both_new_function_modules_are_registered() -> None:
    library = function_library()
    for spec in departments.SPECS:
        assert library[spec.iri] is spec
    assert KGF + "hourOfDay" in library  # the S-DoT engineer's module (sdot_air) next to this one


def test_list_item_trims_skips_empty_items_and_refuses_long_lists() -> None:
    lists = [" a ; b ;; c ", "a;b;c;d;e", None, "x"]
    assert run_function("listItem", {"list": lists, "position": ["3"] * 4}, limit="4") == [
        "c",
        None,
        None,
        None,
    ]
    assert run_function("listItem", {"list": lists, "position": ["1"] * 4}, limit="4") == [
        "a",
        None,
        None,
        "x",
    ]
    assert run_function("listItem", {"list": ["a|b"], "position": ["2"]}, limit="2", separator="|") == ["b"]


def test_unit_conversion_is_exact_and_refuses_unknown_pairs() -> None:
    values = ["0.8363", "12", "33.0", "0.5", "7", "1"]
    codes = ["C62", "61", "GQ", "GP", "XYZ", "C62"]
    units = [
        UNIT + "PERCENT",
        "unit:PPM",
        "MicroGM-PER-M3",
        UNIT + "MicroGM-PER-M3",
        UNIT + "PPM",
        UNIT + "UNITLESS",
    ]
    assert run_function("fromUnitCode", {"value": values, "unitCode": codes, "unit": units}) == [
        "83.63",
        "0.012",
        "33.0",
        "500.0",
        None,
        "1.0",
    ]


def test_district_check_keeps_the_computed_code_unless_the_declared_one_differs() -> None:
    out = run_function(
        "checkDistrict",
        {"code": ["11110", "11110", "11110", None], "declared": ["11110", " ", "11140", "11110"]},
    )
    assert out == ["11110", "11110", None, None]


def test_reprojection_handles_each_rows_crs_and_centroids_keep_written_points() -> None:
    out = run_function(
        "reprojectWkt",
        {"wkt": ["POINT (198000 551000)", "POINT (198000 551000)", "POINT (126.97 37.56)", "POLYGON ((0 0, 1 1))"],
         "crs": ["5186", "EPSG:5179", None, "4326"]},
    )  # fmt: skip
    assert out[0] is not None and out[0].startswith(
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT (126.97"
    )
    assert out[1] is not None and out[1] != out[0]  # the same numbers mean another place in EPSG:5179
    assert out[2] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT (126.97 37.56)"
    assert out[3] is None  # not a polygon
    assert run_function("centroidLatitude", {"wkt": ["POINT (127.0092604 37.55610633)"]}) == ["37.55610633"]
    assert run_function("centroidLongitude", {"wkt": ["LINESTRING (126.97 37.58, 126.99 37.6)"]}) == [
        "126.98"
    ]
    line = run_function(
        "lineWkt",
        {"startLon": ["126.9784760"], "startLat": ["37.5834287"], "endLon": ["127"], "endLat": ["37.6"]},
    )
    assert line == [
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> LINESTRING (126.978476 37.5834287, 127.0 37.6)"
    ]


def test_ngsi_functions() -> None:
    ids = ["urn:ngsi-ld:Device:V02Q1940043", "URN:NGSI-LD:Device:A:B", "urn:ngsi-ld:Sensor:X", "V02Q1940043"]
    assert run_function("ngsiLocalId", {"urn": ids}, type="Device") == ["V02Q1940043", "A:B", None, None]
    device = "https://smartdatamodels.org/dataModel.Device/Device"
    types = run_function(
        "ngsiType",
        {"type": ["Device", "Device", "Device"], "typeIri": [device, None, device + "Model"]},
        expected=device,
    )
    assert types == ["Device", None, None]
    required = run_function("requiredValue", {"value": [" x ", "", None], "of": ["a", "a", None]})
    assert required == ["x", None, None]


def test_every_new_function_is_documented_in_the_readme() -> None:
    readme = (MAPPINGS / "README.md").read_text(encoding="utf-8")
    for spec in departments.SPECS:
        assert f"| `kgf:{spec.name}` |" in readme, spec.name


# --- the catalogue and the demo generator's files -----------------------------------------------------------------------

RULES_OF = {
    "smap-buildings": ["smap_buildings.yaml"],
    "system-inventory": ["system_inventory_xlsx.yaml", "system_inventory_csv.yaml"],
    "ngsi-ld-air-quality": ["ngsi_ld_air_quality.yaml"],
    "ngsi-ld-devices": ["ngsi_ld_device.yaml"],
    "ngsi-ld-weather": ["ngsi_ld_weather.yaml"],
    "road-links": ["road_links.yaml"],
    "road-speed": ["road_speed.yaml"],
}


def test_the_catalogue_names_these_rule_files_and_their_datasets() -> None:
    catalogue = yaml.safe_load((MAPPINGS / "datasets.yaml").read_text(encoding="utf-8"))["datasets"]
    for dataset, files in RULES_OF.items():
        rules = catalogue[dataset]["rules"]
        named = sorted(rules.values()) if isinstance(rules, dict) else [rules]
        assert named == sorted(files)
        for name in files:
            text = (MAPPINGS / name).read_text(encoding="utf-8")
            if "sourceDataset" in text:
                assert f"id:dataset/{dataset}~iri" in text


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg_service.demo.generate import DemoOptions, generate_demo

    out = tmp_path_factory.mktemp("demo")
    generate_demo(
        out, DemoOptions(scale="small", seed=0, start=date(2025, 7, 14), bad_rate=0.0), progress=None
    )
    return out


DEMO_FILES = [
    ("smap_buildings.yaml", "smap_buildings_5186.geojson"),
    ("smap_buildings.yaml", "smap_buildings_5179.geojson"),
    ("smap_buildings.yaml", "smap_buildings_4326.geojson"),
    ("system_inventory_xlsx.yaml", "system_inventory.xlsx"),
    ("system_inventory_csv.yaml", "system_inventory.csv"),
    ("ngsi_ld_air_quality.yaml", "ngsild_airqualityobserved_normalized.jsonld"),
    ("ngsi_ld_air_quality.yaml", "ngsild_airqualityobserved_keyvalues.jsonld"),
    ("ngsi_ld_device.yaml", "ngsild_device_normalized.jsonld"),
    ("ngsi_ld_weather.yaml", "ngsild_weatherobserved_keyvalues.jsonld"),
    ("road_links.yaml", "road_links.csv"),
]


@pytest.mark.parametrize(("rules", "name"), DEMO_FILES)
def test_demo_files_map_without_problems(demo: Path, rules: str, name: str) -> None:
    result = map_path(rules, demo / name)
    assert result.problems == []
    assert result.triple_count > 0


def test_demo_forms_agree(demo: Path) -> None:
    xlsx = map_path("system_inventory_xlsx.yaml", demo / "system_inventory.xlsx").to_rdflib_graph()
    csv = map_path("system_inventory_csv.yaml", demo / "system_inventory.csv").to_rdflib_graph()
    assert_isomorphic(xlsx, csv)
    assert len(set(xlsx.subjects(RDF.type, URIRef(CPS + "InformationSystem")))) == 25
    normalized = map_path("ngsi_ld_air_quality.yaml", demo / "ngsild_airqualityobserved_normalized.jsonld")
    keyvalues = map_path("ngsi_ld_air_quality.yaml", demo / "ngsild_airqualityobserved_keyvalues.jsonld")
    assert_isomorphic(normalized.to_rdflib_graph(), keyvalues.to_rdflib_graph())
    full = map_path("smap_buildings.yaml", demo / "smap_buildings_5186.geojson").to_rdflib_graph()
    for crs in ("5179", "4326"):
        part = map_path("smap_buildings.yaml", demo / f"smap_buildings_{crs}.geojson").to_rdflib_graph()
        subjects = set(part.subjects())
        assert len(set(part.subjects(RDF.type, URIRef(CPS + "Building")))) == 12
        same = Graph()
        for triple in full:
            if triple[0] in subjects:
                same.add(triple)
        assert_same_up_to_rounding(part, same)


def test_demo_speed_feed_maps_once_it_carries_a_time(demo: Path, tmp_path: Path) -> None:
    """The TOPIS feed has no per-row time; the generator's demo feed adds the `observed_at` element, and it maps."""
    with_time = (demo / "road_speed.xml").read_text(encoding="utf-8")
    assert with_time.count("<observed_at>") == with_time.count("<row>") > 0
    path = tmp_path / "road_speed.xml"
    path.write_text(with_time, encoding="utf-8")
    result = map_path("road_speed.yaml", path)
    assert result.problems == []
    graph = result.to_rdflib_graph()
    links = map_path("road_links.yaml", demo / "road_links.csv").to_rdflib_graph()
    known = set(links.subjects(RDF.type, URIRef(CPS + "RoadLink")))
    observed = set(graph.objects(None, URIRef(SOSA + "hasFeatureOfInterest")))
    assert len(observed) == 200 and observed <= known


# --- SHACL (pySHACL) with the shapes datasets.yaml names ------------------------------------------------------------


@pytest.fixture(scope="module")
def context() -> Graph:
    """Ontology plus reference data (see tests/shacl_context.py)."""
    return ontology_and_reference()


def fixture_graph(directory: str, rules: str, name: str) -> Graph:
    return map_path(rules, FIXTURES / directory / name).to_rdflib_graph()


@pytest.mark.slow
def test_building_shapes_accept_the_buildings_and_reject_the_broken_ones(context: Graph) -> None:
    shapes = shapes_graph("common.ttl", "spatial_objects.ttl")
    good = fixture_graph("smap_buildings", "smap_buildings.yaml", "buildings_5186.geojson")
    assert violations(good, shapes, context) == set()
    bad = fixture_graph("smap_buildings", "smap_buildings.yaml", "buildings_bad_5186.geojson")
    found = {(focus.rsplit("/", 1)[1], shape) for focus, shape in violations(bad, shapes, context)}
    invalid, suwon = "1114014200106850000000000012", "4111110100100010000000000001"
    assert found == {
        (invalid, "GeometryRequiredShape"),  # the self-intersecting footprint was not mapped
        (invalid, "LatitudeRequiredShape"),
        (invalid, "LongitudeRequiredShape"),
        (invalid, "InsideSeoulShape"),
        (suwon, "InsideSeoulShape"),  # outside Seoul: no district …
        (suwon, "LatitudeShape"),  # … and a latitude south of Seoul's box
    }


@pytest.mark.slow
def test_system_shapes_accept_the_inventory(context: Graph) -> None:
    # systems.ttl uses common.ttl's label shapes (its header names the bundle common.ttl + systems.ttl).
    shapes = shapes_graph("common.ttl", "systems.ttl")
    graph = fixture_graph("system_inventory", "system_inventory_xlsx.yaml", "inventory.xlsx")
    assert violations(graph, shapes, context) == set()
    bad = fixture_graph("system_inventory", "system_inventory_csv.yaml", "inventory_bad.csv")
    assert violations(bad, shapes, context) == {(ID + "system/SYS-0103", "OperatorRequiredShape")}


@pytest.mark.slow
def test_ngsi_shapes_accept_devices_and_their_observations(context: Graph) -> None:
    """Each dataset as it is submitted: alone, with what the graph already holds (the devices) as context."""
    shapes = shapes_graph("common.ttl", "observations.ttl", "ngsi_ld.ttl")
    devices = fixture_graph("ngsi_ld", "ngsi_ld_device.yaml", "device.keyvalues.jsonld")
    assert violations(devices, shapes, context) == set()
    known = Graph()
    for sensor in ("V02Q1940001", "V02Q1940012", "V02Q1940017"):  # V02Q1940001: from the S-DoT registry
        known.add((URIRef(ID + "sensor/" + sensor), RDF.type, URIRef(CPS + "Sensor")))
    for rules, name in [
        ("ngsi_ld_air_quality.yaml", "air_quality.normalized.jsonld"),
        ("ngsi_ld_weather.yaml", "weather.keyvalues.jsonld"),
    ]:
        assert violations(fixture_graph("ngsi_ld", rules, name), shapes, context + known) == set()


@pytest.mark.slow
def test_traffic_shapes_accept_links_and_speeds_and_want_known_links(context: Graph) -> None:
    shapes = shapes_graph("common.ttl", "observations.ttl", "traffic.ttl")
    links = fixture_graph("road", "road_links.yaml", "road_links.csv")
    speeds = fixture_graph("road", "road_speed.yaml", "road_speed.xml")
    assert violations(links + speeds, shapes, context) == set()
    unknown = {shape for _, shape in violations(speeds, shapes, context)}
    assert unknown == {"LinkKnownShape"}
