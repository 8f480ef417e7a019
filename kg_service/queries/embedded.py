"""The query layer over the embedded Oxigraph store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from kg_service.queries import (
    areas,
    entities,
    inputs,
    observations,
    ontology_terms,
    organisation,
    paths,
    sensors,
    spatial_objects,
    standards,
)
from kg_service.queries.model import (
    DistrictRecord,
    EntityRecord,
    ExplanationPaths,
    ExternalVocabulary,
    IdentifierScheme,
    KnownIdentifier,
    LinkPage,
    MappingReport,
    ObservablePropertyRecord,
    ObservationAggregates,
    ObservationKey,
    ObservationRecord,
    ObservationSelector,
    OntologyInfo,
    OntologyTermRecord,
    SensorCount,
    SensorFilter,
    SensorRecord,
    SpatialObjectFilter,
    SpatialObjectRecord,
)
from kg_service.queries.organisation import OrganisationSnapshot
from kg_service.queries.protocol import LinkageReports
from kg_service.queries.reader import SelectStore, StoreReader


class EmbeddedLinkageQueries(LinkageReports):
    """:class:`~kg_service.queries.protocol.LinkageQueries` over an
    :class:`~kg_service.store.embedded.EmbeddedStore` (or any store with ``select`` and quad index reads).

    Stateless: nothing is cached between calls, so every call sees the store as it is. Per-request caching
    belongs to the caller (the GraphQL DataLoaders).

    >>> from kg_service.store.embedded import EmbeddedStore
    >>> EmbeddedLinkageQueries(EmbeddedStore.open(None)).districts()
    []
    """

    def __init__(self, store: SelectStore) -> None:
        self._reader = StoreReader(store)

    # -- entities --------------------------------------------------------------------------------------
    def entity(self, iri: str) -> EntityRecord | None:
        return entities.entity(self._reader, inputs.iri(iri))

    def entities(self, iris: Sequence[str]) -> Mapping[str, EntityRecord]:
        return entities.entities(self._reader, [inputs.iri(i) for i in iris])

    def find_by_identifier(self, scheme: IdentifierScheme, value: str) -> list[str]:
        return entities.find_by_identifier(self._reader, scheme, inputs.text(value, "value"))

    def identifiers(self, iri: str) -> list[KnownIdentifier]:
        return entities.identifiers(self._reader, inputs.iri(iri))

    def links(
        self, iri: str, direction: Literal["outgoing", "incoming"], offset: int, limit: int
    ) -> LinkPage:
        return entities.links(self._reader, inputs.iri(iri), direction, offset, limit)

    # -- sensors, space and areas ------------------------------------------------------------------------
    def find_sensors(self, criteria: SensorFilter) -> list[tuple[str, float | None]]:
        return sensors.find_sensors(self._reader, criteria)

    def sensors(self, iris: Sequence[str]) -> Mapping[str, SensorRecord]:
        return sensors.sensor_records(self._reader, [inputs.iri(i) for i in iris])

    def sensor_for_serial(self, serial: str) -> str | None:
        return sensors.sensor_for_serial(self._reader, serial)

    def latest_observations(
        self, sensor_iris: Sequence[str], prop: str | None
    ) -> Mapping[str, list[ObservationRecord]]:
        return sensors.latest_observations(self._reader, [inputs.iri(i) for i in sensor_iris], prop)

    def sensor_datasets(self, sensor_iris: Sequence[str]) -> Mapping[str, list[str]]:
        return sensors.sensor_datasets(self._reader, [inputs.iri(i) for i in sensor_iris])

    def observable_properties(self) -> list[ObservablePropertyRecord]:
        return sensors.observable_properties(self._reader)

    def resolve_property(self, name: str, field: str = "property") -> str:
        return sensors.resolve_property(self._reader, name, field)

    def find_spatial_objects(
        self, criteria: SpatialObjectFilter, after: str | None, limit: int
    ) -> tuple[list[str], bool]:
        return spatial_objects.find_spatial_objects(self._reader, criteria, after, limit)

    def spatial_objects(self, iris: Sequence[str]) -> Mapping[str, SpatialObjectRecord]:
        return spatial_objects.spatial_object_records(self._reader, [inputs.iri(i) for i in iris])

    def geometry_wkt(self, iris: Sequence[str]) -> Mapping[str, str]:
        found: dict[str, str] = {}
        for iri in dict.fromkeys(inputs.iri(i) for i in iris):
            wkt = areas.geometry_wkt(self._reader, iri)
            if wkt is not None:
                found[iri] = wkt
        return found

    def districts(self) -> list[DistrictRecord]:
        return areas.districts(self._reader)

    def district_sensor_counts(self) -> list[SensorCount]:
        return areas.sensor_counts(self._reader)

    # -- observations ------------------------------------------------------------------------------------
    def observation_page(
        self, selector: ObservationSelector, after: ObservationKey | None, limit: int
    ) -> tuple[list[ObservationRecord], bool]:
        return observations.observation_page(self._reader, selector, after, limit)

    def observation_aggregates(self, selector: ObservationSelector) -> ObservationAggregates:
        return observations.observation_aggregates(self._reader, selector)

    # -- organisation, paths, ontology ---------------------------------------------------------------------
    def organisation(self) -> OrganisationSnapshot:
        return organisation.load_snapshot(self._reader)

    def explanation_paths(self, source: str, target: str, max_length: int) -> ExplanationPaths:
        if not 1 <= max_length <= paths.MAX_LENGTH:
            raise inputs.QueryInputError(
                "maxLength", f"must be 1 to {paths.MAX_LENGTH}", f"1에서 {paths.MAX_LENGTH} 사이여야 합니다"
            )
        return paths.explanation_paths(
            self._reader, inputs.iri(source, "fromIri"), inputs.iri(target, "toIri"), max_length
        )

    def ontology_info(self) -> OntologyInfo:
        return ontology_terms.ontology_info(self._reader)

    def ontology_terms(self) -> list[OntologyTermRecord]:
        return ontology_terms.ontology_terms(self._reader)

    def standard_mappings(self, vocabularies: tuple[ExternalVocabulary, ...]) -> MappingReport:
        return standards.standard_mappings(self._reader, self.ontology_terms(), vocabularies)
