"""Loading the demo files through the same door as real data: each one is submitted to its dataset.

Order matters for referential integrity (sensors before their observations, road links before speeds).
Loading twice commits nothing new: each repeat is recorded as a duplicate of the first commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg_service.submissions.service import SubmissionOutcome, SubmissionService

#: (file name pattern, dataset) in load order; ``*`` patterns may match several files (sorted).
DEMO_SUBMISSIONS: tuple[tuple[str, str], ...] = (
    ("sdot_sensors.csv", "sdot-sensors"),
    ("sdot_hourly_*.csv", "sdot-hourly"),
    ("iotvdata017.json", "sdot-openapi"),
    ("realtimecityair_legacy.json", "air-quality-realtime"),
    ("smap_buildings_5186.geojson", "smap-buildings"),
    ("system_inventory.xlsx", "system-inventory"),
    ("ngsild_device_normalized.jsonld", "ngsi-ld-devices"),
    ("ngsild_airqualityobserved_normalized.jsonld", "ngsi-ld-air-quality"),
    ("ngsild_weatherobserved_keyvalues.jsonld", "ngsi-ld-weather"),
    ("road_links.csv", "road-links"),
    ("road_speed*.xml", "road-speed"),
)


@dataclass(frozen=True, slots=True)
class DemoLoad:
    """What happened to one demo file."""

    file: str
    dataset: str
    outcome: SubmissionOutcome


def load_demo_files(
    service: SubmissionService, directory: Path, *, progress: Callable[[str], None] | None = None
) -> list[DemoLoad]:
    """Submit every demo file in ``directory`` to its dataset, as the dataset's owning department."""
    loads: list[DemoLoad] = []
    for pattern, dataset in DEMO_SUBMISSIONS:
        if dataset not in service.catalog.datasets:
            continue
        department = service.catalog.get(dataset).department
        for path in sorted(directory.glob(pattern)):
            outcome = service.submit(
                department=department, dataset=dataset, file_name=path.name, data=path.read_bytes()
            )
            loads.append(DemoLoad(path.name, dataset, outcome))
            if progress is not None:
                progress(f"{outcome.outcome:9} {dataset:22} {path.name}: {outcome.report.summary('en')}")
    return loads
