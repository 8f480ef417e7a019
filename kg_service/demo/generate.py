"""``kg demo generate``: write a deterministic set of demo files in each real department format.

The same options (scale, seed, days, start date, bad rate) give byte-identical files on the same library
versions. Each file draws from its own named random stream (:func:`~kg_service.demo.numbers.rng_for`), so the
files do not depend on each other's generation order.

What is written (see each writer module for the exact layout):

===========================================  =================================================================
file                                         module
===========================================  =================================================================
``sdot_sensors.csv``                         :mod:`kg_service.demo.sdot` (registry, UTF-8)
``sdot_hourly_YYYYMMDD.csv`` (one per day)   :mod:`kg_service.demo.sdot` (EUC-KR, the city's hourly format)
``iotvdata017.json``                         :mod:`kg_service.demo.sdot` (Open API, last day)
``realtimecityair_legacy.json``/``_current``  :mod:`kg_service.demo.air`
``smap_buildings_{5186,5179,4326}.geojson``  :mod:`kg_service.demo.smap`
``system_inventory.{xlsx,csv}``              :mod:`kg_service.demo.inventory`
``ngsild_*.jsonld``                          :mod:`kg_service.demo.ngsild`
``road_links.csv``, ``road_speed.xml``       :mod:`kg_service.demo.traffic`
``seeded-defects.json``                      defects seeded into the hourly CSV (``--bad-rate``)
``demo-manifest.json``                       every file above with format, encoding, rows, bytes, sha256
===========================================  =================================================================

The snapshot files (IotVdata017, RealtimeCityAir, NGSI-LD, road speeds) describe the last generated hour,
23:00 KST of the last day, and reuse that hour's S-DoT values, so the files agree with each other.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from kg_service.errors import ConfigurationError, KGServiceError

__all__ = [
    "DEFAULT_START",
    "MAX_BAD_RATE",
    "SCALES",
    "DemoFile",
    "DemoManifest",
    "DemoOptions",
    "ScaleProfile",
    "generate_demo",
]

Scale = Literal["small", "seoul"]


@dataclass(frozen=True)
class ScaleProfile:
    """How much of everything a scale generates."""

    sensors: int
    days: int
    buildings: int
    links: int
    systems: int


#: ``small`` is quick (tests, the run demo); ``seoul`` is the city's real size (1,100 sensors; 40 days of
#: hourly files = 1,056,000 rows, past the 1M mark the benchmarks need).
SCALES: Final[dict[str, ScaleProfile]] = {
    "small": ScaleProfile(sensors=30, days=1, buildings=200, links=200, systems=25),
    "seoul": ScaleProfile(sensors=1100, days=40, buildings=100_000, links=5000, systems=200),
}
DEFAULT_START: Final = date(2025, 7, 14)
MAX_BAD_RATE: Final = 0.5
MAX_DAYS: Final = 366
MANIFEST_NAME: Final = "demo-manifest.json"
DEFECTS_NAME: Final = "seeded-defects.json"
SNAPSHOT_HOUR: Final = 23


@dataclass(frozen=True)
class DemoOptions:
    """Options of one generation run; :meth:`validated` checks them and fills the scale's defaults.

    Attributes:
        scale: ``small`` or ``seoul``.
        seed: Non-negative integer; the same seed gives the same bytes.
        days: Number of daily hourly files; ``None`` takes the scale's default (1 small, 40 seoul).
        start: First day of the hourly files (default 2025-07-14).
        bad_rate: Share of hourly rows seeded with a defect, 0 to 0.5 (default 0).
    """

    scale: str = "small"
    seed: int = 0
    days: int | None = None
    start: date = DEFAULT_START
    bad_rate: float = 0.0

    def validated(self) -> DemoOptions:
        """The options with defaults filled in.

        Raises:
            ConfigurationError: an option is out of range (the message says which and what is allowed).

        >>> DemoOptions(scale="seoul").validated().days
        40
        >>> DemoOptions(scale="huge").validated()
        Traceback (most recent call last):
        ...
        kg_service.errors.ConfigurationError: unknown scale 'huge' (알 수 없는 규모입니다: 'huge') — hint: use one of: small, seoul
        """
        if self.scale not in SCALES:
            raise ConfigurationError(
                f"unknown scale {self.scale!r}",
                f"알 수 없는 규모입니다: {self.scale!r}",
                hint=f"use one of: {', '.join(SCALES)}",
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigurationError(
                f"seed must be a non-negative integer, got {self.seed!r}",
                f"시드는 0 이상의 정수여야 합니다: {self.seed!r}",
                hint="for example --seed 42",
            )
        days = SCALES[self.scale].days if self.days is None else self.days
        if not 1 <= days <= MAX_DAYS:
            raise ConfigurationError(
                f"days must be between 1 and {MAX_DAYS}, got {days}",
                f"일수는 1 이상 {MAX_DAYS} 이하여야 합니다: {days}",
                hint="for example --days 30",
            )
        if not 0.0 <= self.bad_rate <= MAX_BAD_RATE:
            raise ConfigurationError(
                f"bad rate must be between 0 and {MAX_BAD_RATE}, got {self.bad_rate}",
                f"불량 행 비율은 0 이상 {MAX_BAD_RATE} 이하여야 합니다: {self.bad_rate}",
                hint="for example --bad-rate 0.01 (1% of the hourly rows)",
            )
        return DemoOptions(
            scale=self.scale, seed=self.seed, days=days, start=self.start, bad_rate=self.bad_rate
        )

    @property
    def profile(self) -> ScaleProfile:
        """The scale's sizes."""
        return SCALES[self.scale]


@dataclass(frozen=True)
class DemoFile:
    """One written file, as listed in the manifest."""

    path: str
    format: str
    media_type: str
    encoding: str
    rows: int
    bytes: int
    sha256: str
    description: str


@dataclass(frozen=True)
class DemoManifest:
    """What a run wrote (also written as ``demo-manifest.json``, without timings)."""

    options: DemoOptions
    files: list[DemoFile] = field(default_factory=list)
    defects: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The manifest as JSON-ready data (deterministic: no timings, no absolute paths)."""
        profile = self.options.profile
        return {
            "generator": "kg demo generate",
            "scale": self.options.scale,
            "seed": self.options.seed,
            "days": self.options.days,
            "start": self.options.start.isoformat(),
            "bad_rate": self.options.bad_rate,
            "sizes": asdict(profile),
            "seeded_defects": self.defects,
            "files": [asdict(item) for item in sorted(self.files, key=lambda item: item.path)],
        }


class _Writer:
    """Writes files into the output directory and records them for the manifest."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files: list[DemoFile] = []

    def write(
        self, name: str, data: bytes, *, fmt: str, media_type: str, encoding: str, rows: int, description: str
    ) -> None:
        path = self.out_dir / name
        temporary = path.with_name(f".{name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
        self.files.append(
            DemoFile(
                name,
                fmt,
                media_type,
                encoding,
                rows,
                len(data),
                hashlib.sha256(data).hexdigest(),
                description,
            )
        )


def _prepare_directory(out_dir: Path) -> None:
    """Create the output directory; remove files a previous run listed in its manifest (and only those)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigurationError(
            f"{out_dir} is a file, not a directory",
            f"{out_dir} 은(는) 디렉터리가 아니라 파일입니다",
            hint="give a directory to write the demo files into (it is created if missing)",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = out_dir / MANIFEST_NAME
    if not manifest.is_file():
        return
    try:
        previous = json.loads(manifest.read_text(encoding="utf-8"))
        names = [str(item["path"]) for item in previous.get("files", [])]
    except (ValueError, KeyError, TypeError, AttributeError):
        return  # not our manifest: leave everything alone
    for name in names:
        candidate = out_dir / name
        if candidate.parent == out_dir and candidate.is_file():
            candidate.unlink()


def generate_demo(
    out_dir: Path, options: DemoOptions, *, progress: Callable[[str], None] | None = None
) -> DemoManifest:
    """Generate every demo file into ``out_dir`` and write ``demo-manifest.json``.

    Args:
        out_dir: Output directory; created if missing. Files listed by an earlier run's manifest there are
            replaced (stale daily files from a longer earlier run are removed).
        options: What to generate; validated here.
        progress: Called with a short message as each group of files is written.

    Returns:
        The manifest, with per-group timings in seconds.

    Raises:
        ConfigurationError: bad options, or ``out_dir`` is a file.
        KGServiceError: a file could not be written (disk full, permissions).
    """
    import time

    from kg_service.demo import air, inventory, ngsild, sdot, smap, traffic
    from kg_service.demo.geography import load_geography

    options = options.validated()
    profile = options.profile
    seed = options.seed
    days = options.days or profile.days
    say = progress or (lambda _message: None)
    timings: dict[str, float] = {}
    _prepare_directory(out_dir)
    writer = _Writer(out_dir)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        say(f"{name}: {timings[name]:.2f} s")

    try:
        geography = load_geography()
        network = sdot.build_network(seed, profile.sensors, geography)
        writer.write(
            "sdot_sensors.csv",
            sdot.registry_csv(network),
            fmt="csv",
            media_type="text/csv",
            encoding="utf-8",
            rows=network.sensors.height,
            description="S-DoT sensor registry (시리얼,위도,경도)",
        )
        lap("sensors")

        defects: list[sdot.SeededDefect] = []
        last_day: sdot.DayValues | None = None
        hourly_rows = 0
        for offset in range(days):
            day = options.start + timedelta(days=offset)
            values = sdot.generate_day(network, day, seed)
            data, seeded = sdot.hourly_csv(network, values, seed=seed, bad_rate=options.bad_rate)
            rows = network.sensors.height * 24
            hourly_rows += rows
            defects.extend(seeded)
            writer.write(
                sdot.hourly_file_name(day),
                data,
                fmt="csv",
                media_type="text/csv",
                encoding="cp949",
                rows=rows,
                description=f"S-DoT hourly averages {day.isoformat()} (EUC-KR, city format)",
            )
            last_day = values
        assert last_day is not None  # days >= 1
        writer.write(
            DEFECTS_NAME,
            (
                json.dumps([defect.as_dict() for defect in defects], ensure_ascii=False, indent=1) + "\n"
            ).encode(),
            fmt="json",
            media_type="application/json",
            encoding="utf-8",
            rows=len(defects),
            description="defects seeded into the hourly CSV files (file, line, row, column, value, kind)",
        )
        lap(f"hourly ({hourly_rows:,} rows)")

        observed = datetime(last_day.day.year, last_day.day.month, last_day.day.day, SNAPSHOT_HOUR)
        data, rows = sdot.iotvdata017_json(network, last_day, seed=seed)
        writer.write(
            "iotvdata017.json",
            data,
            fmt="json",
            media_type="application/json",
            encoding="utf-8",
            rows=rows,
            description="S-DoT Open API IotVdata017 response (every sensor and hour of the last day)",
        )
        hour_values = sdot.latest_hour_values(last_day, SNAPSHOT_HOUR)
        readings = air.station_readings(
            seed,
            sdot.district_means(network, hour_values["pm10"]),
            sdot.district_means(network, hour_values["pm25"]),
        )
        for legacy in (True, False):
            name = f"realtimecityair_{'legacy' if legacy else 'current'}.json"
            writer.write(
                name,
                air.realtimecityair_json(readings, observed, legacy=legacy),
                fmt="json",
                media_type="application/json",
                encoding="utf-8",
                rows=len(readings),
                description=f"RealtimeCityAir response, {'legacy (MSRDT…)' if legacy else 'current (MSRMT_DT…)'} "
                "field names",
            )
        lap("api snapshots")

        aq = ngsild.airquality_entities(readings, network.sensors, hour_values, observed)
        ngsi_files = (
            (
                "ngsild_airqualityobserved_normalized.jsonld",
                ngsild.airquality_normalized(aq),
                "NGSI-LD AirQualityObserved, normalized",
            ),
            ("ngsild_airqualityobserved_keyvalues.jsonld", aq, "NGSI-LD AirQualityObserved, key-values"),
            (
                "ngsild_device_normalized.jsonld",
                ngsild.device_entities(network.sensors),
                "NGSI-LD Device (S-DoT sensors), normalized",
            ),
            (
                "ngsild_weatherobserved_keyvalues.jsonld",
                ngsild.weather_entities(network.sensors, hour_values, observed),
                "NGSI-LD WeatherObserved (S-DoT sensors), key-values",
            ),
        )
        for name, entities, description in ngsi_files:
            writer.write(
                name,
                ngsild.dump_entities(entities),
                fmt="json-ld",
                media_type="application/ld+json",
                encoding="utf-8",
                rows=len(entities),
                description=description,
            )
        lap("ngsi-ld")

        buildings = smap.build_buildings(seed, profile.buildings, geography)
        for epsg in (5186, 5179, 4326):
            data, rows = smap.buildings_geojson(
                buildings, epsg, limit=None if epsg == 5186 else smap.SMALL_FILE_FEATURES
            )
            writer.write(
                f"smap_buildings_{epsg}.geojson",
                data,
                fmt="geojson",
                media_type="application/geo+json",
                encoding="utf-8",
                rows=rows,
                description=f"S-Map style building footprints, EPSG:{epsg}",
            )
        lap("buildings")

        systems = inventory.build_inventory(seed, profile.systems)
        writer.write(
            "system_inventory.xlsx",
            inventory.inventory_xlsx(systems),
            fmt="xlsx",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            encoding="binary",
            rows=len(systems),
            description=f"department information-system inventory (title row 1, header row {inventory.HEADER_ROW})",
        )
        writer.write(
            "system_inventory.csv",
            inventory.inventory_csv(systems),
            fmt="csv",
            media_type="text/csv",
            encoding="utf-8",
            rows=len(systems),
            description="department information-system inventory",
        )
        lap("inventory")

        links = traffic.build_links(seed, profile.links, geography)
        writer.write(
            "road_links.csv",
            traffic.links_csv(links),
            fmt="csv",
            media_type="text/csv",
            encoding="utf-8",
            rows=len(links.link_id),
            description="road links with end-node coordinates (WGS84)",
        )
        writer.write(
            "road_speed.xml",
            traffic.speed_xml(links, seed, observed),
            fmt="xml",
            media_type="application/xml",
            encoding="utf-8",
            rows=len(links.link_id),
            description="TOPIS-style TrafficInfo road-link speeds",
        )
        lap("traffic")

        manifest = DemoManifest(options=options, files=writer.files, defects=len(defects), seconds=timings)
        (out_dir / MANIFEST_NAME).write_bytes(
            (json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        )
    except OSError as exc:
        raise KGServiceError(
            f"could not write the demo files into {out_dir}: {exc.strerror or exc}",
            f"데모 파일을 {out_dir} 에 쓸 수 없습니다: {exc.strerror or exc}",
            hint="check that the directory is writable and the disk has space",
        ) from exc
    return manifest
