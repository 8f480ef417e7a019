"""Custom SPARQL functions for SHACL-SPARQL constraints that only the engine runs (GeoSPARQL-like checks).

pyoxigraph has no GeoSPARQL functions. :func:`within` makes a function that tells whether a WKT geometry lies
inside an area, with a shapely prepared geometry so that a million points cost a million fast predicate
calls. Register it under an IRI and call it from ``sh:select``::

    engine = ValidationEngine(shapes, custom_functions={IN_SEOUL: within(seoul_boundary)})

    SELECT $this ?value WHERE { $this geo:hasGeometry/geo:asWKT ?value .
                                FILTER (!cpsfn:inSeoul(?value)) }
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

import pyoxigraph as ox
import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from kg_service.vocab import CPS

IN_SEOUL: Final = str(CPS) + "fn/inSeoul"
"""IRI under which the service registers the "geometry lies in Seoul" function."""
CRS84: Final = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_CRS_PREFIX: Final = re.compile(r"^\s*<([^>]*)>\s*")


def within(
    area: BaseGeometry, *, crs: str = CRS84
) -> Callable[[ox.NamedNode | ox.BlankNode | ox.Literal], ox.Literal | None]:
    """A SPARQL function ``f(wkt) → xsd:boolean``: whether the geometry lies within ``area`` (boundary included).

    A WKT literal may start with a CRS IRI (GeoSPARQL ``<crs> POINT(…)``); it must be ``crs`` (default CRS84,
    longitude-latitude). Anything that is not a parseable WKT literal in that CRS gives no value (unbound), so
    a ``FILTER (!f(?wkt))`` reports it only if the query asks for it.

    >>> from shapely.geometry import box
    >>> inside = within(box(126.7, 37.4, 127.2, 37.7))
    >>> inside(ox.Literal("POINT(126.97 37.56)", datatype=ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")))
    <Literal value=true datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#boolean>>
    """
    prepared = prep(area)

    def function(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.Literal | None:
        if not isinstance(term, ox.Literal):
            return None
        text = term.value
        match = _CRS_PREFIX.match(text)
        if match:
            if match.group(1) != crs:
                return None
            text = text[match.end() :]
        try:
            geometry = shapely.from_wkt(text)
        except GEOSException:
            return None
        if geometry is None or geometry.is_empty:
            return None
        return ox.Literal(bool(prepared.covers(geometry)))

    return function
