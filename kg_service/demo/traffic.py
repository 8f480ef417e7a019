"""Road links and a TOPIS-style road-link speed feed (Seoul Open API ``TrafficInfo``, XML).

``road_links.csv`` (UTF-8, LF, header line 1)
    ``link_id,도로명,시작노드,종료노드,자치구코드,시작경도,시작위도,종료경도,종료위도``. Links come in pairs, one
    per direction, over the same two nodes. ``link_id`` has 10 digits: area prefix (``100`` + the district's
    position in code order, 0–24), segment number (5), direction (``0`` forward, ``1`` reverse) and ``0``
    (``1220003800``); node ids are the area prefix + a 7-digit number. Coordinates: WGS84, 7 decimals; both
    ends lie inside the link's district.
``road_speed.xml``
    ``<TrafficInfo><list_total_count/><RESULT><CODE/><MESSAGE/></RESULT><row><link_id/><prcs_spd/>
    <prcs_trv_time/><observed_at/></row>…</TrafficInfo>`` (``observed_at``: the project's addition, ISO 8601 Korea time,
    because the feed itself carries no time per row): speed km/h with one decimal, travel time in whole seconds
    (link length / speed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from xml.sax.saxutils import escape

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer

from kg_service.demo.geography import DISTRICT_CODES, SeoulGeography, dong_stem
from kg_service.demo.numbers import rng_for

__all__ = ["LINK_HEADER", "RoadLinks", "build_links", "links_csv", "speed_xml"]

LINK_HEADER: Final = "link_id,도로명,시작노드,종료노드,자치구코드,시작경도,시작위도,종료경도,종료위도"
#: Road class → (share, length range m, free-flow speed range km/h).
ROAD_CLASSES: Final = (
    ("대로", 0.15, (400.0, 900.0), (40.0, 65.0)),
    ("로", 0.45, (250.0, 600.0), (25.0, 45.0)),
    ("길", 0.40, (120.0, 350.0), (14.0, 28.0)),
)


@dataclass(frozen=True)
class RoadLinks:
    """Generated links (both directions), in file order.

    Attributes:
        link_id, name, start_node, end_node, district_code: Strings as written.
        start, end: (links, 2) arrays of longitude, latitude.
        length_m: Link length in metres (EPSG:5186).
        road_class: Index into :data:`ROAD_CLASSES`.
    """

    link_id: list[str]
    name: list[str]
    start_node: list[str]
    end_node: list[str]
    district_code: list[str]
    start: NDArray[np.float64]
    end: NDArray[np.float64]
    length_m: NDArray[np.float64]
    road_class: NDArray[np.int64]


def build_links(seed: int, count: int, geography: SeoulGeography) -> RoadLinks:
    """Draw ``count`` links (``count // 2`` two-way segments) inside Seoul's dongs."""
    rng = rng_for(seed, "road-links")
    segments = max(1, count // 2)
    areas = np.array([dong.weight for dong in geography.dongs])
    dong_index = np.sort(rng.choice(len(geography.dongs), size=segments, p=areas / areas.sum()))
    lons, lats = geography.sample_points(rng, dong_index)
    to_5186 = Transformer.from_crs(4326, 5186, always_xy=True)
    to_4326 = Transformer.from_crs(5186, 4326, always_xy=True)
    xs, ys = to_5186.transform(lons, lats)

    shares = np.array([road[1] for road in ROAD_CLASSES])
    road_class = rng.choice(len(ROAD_CLASSES), size=segments, p=shares)
    length_range = np.array([road[2] for road in ROAD_CLASSES])[road_class]
    length = length_range[:, 0] + (length_range[:, 1] - length_range[:, 0]) * rng.random(segments)
    end_lon = np.empty(segments)
    end_lat = np.empty(segments)
    pending = np.arange(segments)
    for _attempt in range(40):
        angle = rng.uniform(0, 2 * np.pi, len(pending))
        ex = xs[pending] + length[pending] * np.cos(angle)
        ey = ys[pending] + length[pending] * np.sin(angle)
        lon, lat = to_4326.transform(ex, ey)
        inside = np.array(
            [
                shapely.contains_xy(geography.dongs[int(dong_index[p])].region, x, y)
                for p, x, y in zip(pending, lon, lat, strict=True)
            ],
            dtype=bool,
        )
        end_lon[pending[inside]] = lon[inside]
        end_lat[pending[inside]] = lat[inside]
        pending = pending[~inside]
        length[pending] *= 0.8  # small dongs: try shorter links
        if len(pending) == 0:
            break
    if len(pending):  # still outside after shrinking: join two points of the same dong instead
        far_lon, far_lat = geography.sample_points(rng, dong_index[pending])
        end_lon[pending] = far_lon
        end_lat[pending] = far_lat
    start = np.round(np.column_stack([lons, lats]), 7)
    end = np.round(np.column_stack([end_lon, end_lat]), 7)
    sx, sy = to_5186.transform(start[:, 0], start[:, 1])
    ex, ey = to_5186.transform(end[:, 0], end[:, 1])
    segment_length = np.hypot(ex - sx, ey - sy)

    district_position = {code: position for position, code in enumerate(DISTRICT_CODES)}
    serial_in_area: dict[str, int] = {}
    picks = rng.integers(1, 60, segments).tolist()
    link_id: list[str] = []
    names: list[str] = []
    start_node: list[str] = []
    end_node: list[str] = []
    districts: list[str] = []
    starts: list[NDArray[np.float64]] = []
    ends: list[NDArray[np.float64]] = []
    lengths: list[float] = []
    classes: list[int] = []
    for segment in range(segments):
        dong = geography.dongs[int(dong_index[segment])]
        prefix = f"{100 + district_position[dong.district_code]:03d}"
        number = serial_in_area.get(prefix, 0) + 1
        serial_in_area[prefix] = number
        kind = ROAD_CLASSES[int(road_class[segment])][0]
        stem = dong_stem(dong.name_ko)
        name = (
            f"{stem}대로"
            if kind == "대로"
            else (f"{stem}로" if kind == "로" else f"{stem}로{picks[segment]}길")
        )
        node_a = f"{prefix}{2 * number - 1:07d}"
        node_b = f"{prefix}{2 * number:07d}"
        for direction in (0, 1):
            link_id.append(f"{prefix}{number:05d}{direction}0")
            names.append(name)
            start_node.append(node_a if direction == 0 else node_b)
            end_node.append(node_b if direction == 0 else node_a)
            districts.append(dong.district_code)
            starts.append(start[segment] if direction == 0 else end[segment])
            ends.append(end[segment] if direction == 0 else start[segment])
            lengths.append(float(segment_length[segment]))
            classes.append(int(road_class[segment]))
    return RoadLinks(
        link_id=link_id,
        name=names,
        start_node=start_node,
        end_node=end_node,
        district_code=districts,
        start=np.array(starts),
        end=np.array(ends),
        length_m=np.array(lengths),
        road_class=np.array(classes, dtype=np.int64),
    )


def links_csv(links: RoadLinks) -> bytes:
    """``road_links.csv`` (UTF-8, LF)."""
    lines = [LINK_HEADER]
    for index, link in enumerate(links.link_id):
        lines.append(
            f"{link},{links.name[index]},{links.start_node[index]},{links.end_node[index]},"
            f"{links.district_code[index]},{links.start[index, 0]:.7f},{links.start[index, 1]:.7f},"
            f"{links.end[index, 0]:.7f},{links.end[index, 1]:.7f}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def link_speeds(
    links: RoadLinks, seed: int, observed: datetime
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Speeds (km/h, one decimal) and travel times (s) of every link at ``observed``."""
    rng = rng_for(seed, f"road-speed-{observed:%Y%m%d%H}")
    free_range = np.array([road[3] for road in ROAD_CLASSES])[links.road_class]
    free_flow = free_range[:, 0] + (free_range[:, 1] - free_range[:, 0]) * rng.random(len(links.link_id))
    hour = observed.hour
    rush = 0.55 if hour in (7, 8, 9, 17, 18, 19) else (0.8 if 10 <= hour <= 20 else 1.0)
    congestion = np.clip(rush * rng.lognormal(0, 0.2, len(links.link_id)), 0.15, 1.0)
    speed = np.maximum(3.0, np.round(free_flow * congestion, 1))
    travel = np.maximum(1, np.round(links.length_m / (speed / 3.6))).astype(np.int64)
    return speed, travel


def speed_xml(links: RoadLinks, seed: int, observed: datetime) -> bytes:
    """``road_speed.xml``: the TrafficInfo response for every link (UTF-8, one element per line)."""
    speed, travel = link_speeds(links, seed, observed)
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        "<TrafficInfo>",
        f"<list_total_count>{len(links.link_id)}</list_total_count>",
        "<RESULT>",
        "<CODE>INFO-000</CODE>",
        f"<MESSAGE>{escape('정상 처리되었습니다')}</MESSAGE>",
        "</RESULT>",
    ]
    for link, value, seconds in zip(links.link_id, speed.tolist(), travel.tolist(), strict=True):
        parts.append(
            f"<row>\n<link_id>{link}</link_id>\n<prcs_spd>{value}</prcs_spd>\n"
            f"<prcs_trv_time>{seconds}</prcs_trv_time>\n"
            f"<observed_at>{observed.strftime('%Y-%m-%dT%H:%M:%S')}+09:00</observed_at>\n</row>"
        )
    parts.append("</TrafficInfo>")
    return ("\n".join(parts) + "\n").encode("utf-8")
