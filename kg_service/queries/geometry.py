"""Distances and shapes for the spatial queries: haversine, bounding boxes, GeoSPARQL WKT literals.

Radius searches run in two steps: a bounding box on ``wgs:lat``/``wgs:long`` inside SPARQL (bound decimal
values), then the exact great-circle distance here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M: Final = 6_371_008.8
CRS84_IRI: Final = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4326_IRI: Final = "http://www.opengis.net/def/crs/EPSG/0/4326"


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A longitude/latitude box (WGS84)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies in the box, edges included."""
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS84 points.

    >>> round(haversine_m(126.9769, 37.5725, 126.9780, 37.5725))
    97
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def box_around(lon: float, lat: float, radius_m: float) -> BoundingBox:
    """A box that contains every point within ``radius_m`` of (lon, lat) (slightly larger, never smaller)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M) * 1.001
    cos_lat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    dlon = min(dlat / cos_lat, 180.0)
    return BoundingBox(lon - dlon, max(lat - dlat, -90.0), lon + dlon, min(lat + dlat, 90.0))


def parse_wkt_literal(text: str) -> BaseGeometry | None:
    """A GeoSPARQL ``wktLiteral`` (``<CRS IRI> WKT`` or plain WKT in CRS84) as a lon/lat geometry.

    Returns ``None`` for text that is not WKT or names another CRS.

    >>> parse_wkt_literal("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(126.97 37.57)").x
    126.97
    """
    text = text.strip()
    swap = False
    if text.startswith("<"):
        crs, _, text = text[1:].partition(">")
        if crs == EPSG4326_IRI:
            swap = True
        elif crs != CRS84_IRI:
            return None
    try:
        geometry: BaseGeometry = shapely.from_wkt(text.strip())
    except (GEOSException, ValueError):
        return None
    if geometry is None or geometry.is_empty:
        return None
    if swap:
        geometry = shapely.transform(geometry, lambda coords: coords[:, ::-1])
    return geometry


def box_of(geometry: BaseGeometry) -> BoundingBox:
    """The bounding box of a lon/lat geometry."""
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return BoundingBox(float(min_lon), float(min_lat), float(max_lon), float(max_lat))
