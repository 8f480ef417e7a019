"""Demo data in every real department format (``kg demo generate``).

The generator writes, deterministically from a seed, the files departments send to the service: the S-DoT
sensor registry and hourly averages (EUC-KR, the city's exact header), the S-DoT and RealtimeCityAir Open API
responses, S-Map style building footprints in three CRSs, a department system inventory (XLSX and CSV),
FIWARE NGSI-LD entities and a TOPIS-style road speed feed, with a manifest and, on request, seeded defects.
No real data is copied: every value is generated in the published layouts
(``shared/reference/seoul-sdot/COLUMNS.md``).

Importing this package is cheap; the heavy modules load when :func:`generate_demo` runs.
"""

from __future__ import annotations

from kg_service.demo.generate import SCALES, DemoFile, DemoManifest, DemoOptions, generate_demo

__all__ = ["SCALES", "DemoFile", "DemoManifest", "DemoOptions", "generate_demo"]
