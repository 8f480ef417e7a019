"""How to read one logical source: the part of a mapping rule that says what the input file is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SourceKind = Literal["csv", "json", "xml", "xlsx", "geojson", "ngsi-ld"]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """The logical source of a rule set.

    - ``kind``: the reference formulation (csv, json, xml, xlsx, geojson, ngsi-ld).
    - ``encoding``: text encoding, or ``"auto"`` (UTF-8 with or without BOM, else CP949/EUC-KR, detected).
    - ``iterator``: JSONPath for json (``$.IotVdata017.row[*]``; ``$`` or ``$[*]`` for a top-level array), XPath
      subset for xml (``/root/item``, ``//item``); ignored for csv/xlsx; geojson iterates features and ngsi-ld
      entities.
    - ``delimiter``: CSV field separator.
    - ``sheet``: XLSX sheet name (default: the first sheet).
    - ``crs``: EPSG code of coordinates when the file does not say (geojson); ``None`` means read it from the
      file's ``crs`` member, else EPSG:4326.
    - ``header_row``: 1-based row of the header in csv/xlsx (rows above it are titles or notes).
    """

    kind: SourceKind
    encoding: str = "auto"
    iterator: str | None = None
    delimiter: str = ","
    sheet: str | None = None
    crs: int | None = None
    header_row: int = 1
