"""Per-request DataLoaders: every field that needs the store for one of many parents goes through a loader,
so a page of 100 sensors costs the same number of store queries as a page of 10.

Batch loaders call the batch methods of :class:`~kg_service.queries.protocol.LinkageQueries` once per batch;
snapshot loaders (organisation layer, districts, observable properties, ontology terms) read once per
request and are shared by every field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from kg_service.api.errors import call
from kg_service.queries.model import (
    DistrictRecord,
    EntityRecord,
    KnownIdentifier,
    ObservablePropertyRecord,
    ObservationRecord,
    OntologyTermRecord,
    SensorCount,
    SensorRecord,
    SpatialObjectRecord,
)
from kg_service.queries.organisation import OrganisationSnapshot
from kg_service.queries.protocol import LinkageQueries

K = TypeVar("K")
V = TypeVar("V")

_ALL = "all"


def _batch(
    fetch: Callable[[Sequence[str]], Mapping[str, V]],
) -> Callable[[list[str]], Awaitable[list[V | None]]]:
    async def load(keys: list[str]) -> list[V | None]:
        found = await call(fetch, keys)
        return [found.get(key) for key in keys]

    return load


def _snapshot(fetch: Callable[[], V]) -> Callable[[list[str]], Awaitable[list[V]]]:
    async def load(keys: list[str]) -> list[V]:
        value = await call(fetch)
        return [value for _ in keys]

    return load


class Loaders:
    """The DataLoaders of one request."""

    def __init__(self, queries: LinkageQueries) -> None:
        self._queries = queries
        self.entity: DataLoader[str, EntityRecord | None] = DataLoader(_batch(queries.entities))
        self.sensor: DataLoader[str, SensorRecord | None] = DataLoader(_batch(queries.sensors))
        self.sensor_datasets: DataLoader[str, list[str] | None] = DataLoader(_batch(queries.sensor_datasets))
        self.spatial_object: DataLoader[str, SpatialObjectRecord | None] = DataLoader(
            _batch(queries.spatial_objects)
        )
        self.geometry: DataLoader[str, str | None] = DataLoader(_batch(queries.geometry_wkt))
        self.identifiers: DataLoader[str, list[KnownIdentifier]] = DataLoader(self._load_identifiers)
        self.latest: DataLoader[tuple[str, str | None], list[ObservationRecord]] = DataLoader(
            self._load_latest
        )
        self._organisation: DataLoader[str, OrganisationSnapshot] = DataLoader(
            _snapshot(queries.organisation)
        )
        self._districts: DataLoader[str, list[DistrictRecord]] = DataLoader(_snapshot(queries.districts))
        self._counts: DataLoader[str, list[SensorCount]] = DataLoader(
            _snapshot(queries.district_sensor_counts)
        )
        self._properties: DataLoader[str, list[ObservablePropertyRecord]] = DataLoader(
            _snapshot(queries.observable_properties)
        )
        self._terms: DataLoader[str, list[OntologyTermRecord]] = DataLoader(_snapshot(queries.ontology_terms))

    async def _load_identifiers(self, keys: list[str]) -> list[list[KnownIdentifier]]:
        def fetch() -> list[list[KnownIdentifier]]:
            return [self._queries.identifiers(key) for key in keys]

        return await call(fetch)

    async def _load_latest(self, keys: list[tuple[str, str | None]]) -> list[list[ObservationRecord]]:
        by_property: dict[str | None, list[str]] = defaultdict(list)
        for sensor, prop in keys:
            by_property[prop].append(sensor)
        found: dict[tuple[str, str | None], list[ObservationRecord]] = {}
        for prop, sensors in by_property.items():
            batch = await call(self._queries.latest_observations, sensors, prop)
            for sensor in sensors:
                found[(sensor, prop)] = list(batch.get(sensor, []))
        return [found.get(key, []) for key in keys]

    async def organisation(self) -> OrganisationSnapshot:
        """The organisation layer, read once per request."""
        return await self._organisation.load(_ALL)

    async def districts(self) -> list[DistrictRecord]:
        """Every district, read once per request."""
        return await self._districts.load(_ALL)

    async def district(self, iri: str) -> DistrictRecord | None:
        """A district by IRI (from the per-request district list)."""
        return next((d for d in await self.districts() if d.iri == iri), None)

    async def district_counts(self) -> list[SensorCount]:
        """Sensor counts per district, read once per request."""
        return await self._counts.load(_ALL)

    async def observable_properties(self) -> dict[str, ObservablePropertyRecord]:
        """Observable properties by IRI, read once per request."""
        return {record.iri: record for record in await self._properties.load(_ALL)}

    async def ontology_terms(self) -> list[OntologyTermRecord]:
        """The ontology's terms, read once per request."""
        return await self._terms.load(_ALL)
