"""The query-layer contract every backend implements (embedded Oxigraph now, Neo4j later).

Primitive reads are backend-specific; the reports built on them (linkage table, platform matrix, sensor
usage, standards, exports) come from :class:`LinkageReports`, which a backend inherits, so every backend
gives the same answers from the same primitive results.

All methods are synchronous and read a consistent snapshot of the store per call. Values from callers are
validated (:mod:`kg_service.queries.inputs`) and reach the store only as bound terms or index keys.
Methods that take a list of IRIs are the batch entry points of the GraphQL DataLoaders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

from kg_service.queries import inputs, linkage, standards
from kg_service.queries.model import (
    DatasetConformance,
    DistrictRecord,
    EntityRecord,
    ExplanationPaths,
    ExternalVocabulary,
    IdentifierScheme,
    KnownIdentifier,
    LinkageTableRecord,
    LinkPage,
    MappingReport,
    ObservablePropertyRecord,
    ObservationAggregates,
    ObservationKey,
    ObservationRecord,
    ObservationSelector,
    OntologyInfo,
    OntologyTermRecord,
    PlatformPairLinkage,
    SensorCount,
    SensorFilter,
    SensorRecord,
    SensorUsage,
    SpatialObjectFilter,
    SpatialObjectRecord,
    StandardRecord,
)
from kg_service.queries.organisation import OrganisationSnapshot

ExportFormat = Literal["ngsi-ld-normalized", "ngsi-ld-key-values", "sensorthings"]


class LinkageQueries(Protocol):
    """Named, parameterised queries over the knowledge graph."""

    # -- entities --------------------------------------------------------------------------------------
    def entity(self, iri: str) -> EntityRecord | None:
        """What the graph says ``iri`` is (``None`` when nothing mentions it)."""
        ...

    def entities(self, iris: Sequence[str]) -> Mapping[str, EntityRecord]:
        """:meth:`entity` for many IRIs; unknown ones are left out."""
        ...

    def find_by_identifier(self, scheme: IdentifierScheme, value: str) -> list[str]:
        """IRIs of the entities known by ``value`` in ``scheme`` (direct holders first)."""
        ...

    def identifiers(self, iri: str) -> list[KnownIdentifier]:
        """Every identifier ``iri`` is known by, across platforms and corresponding entities."""
        ...

    def links(
        self, iri: str, direction: Literal["outgoing", "incoming"], offset: int, limit: int
    ) -> LinkPage:
        """A page of ``iri``'s links in a stable order."""
        ...

    # -- sensors, space and areas ------------------------------------------------------------------------
    def find_sensors(self, criteria: SensorFilter) -> list[tuple[str, float | None]]:
        """Sensors meeting every criterion, with the distance in metres when ``near`` was given."""
        ...

    def sensors(self, iris: Sequence[str]) -> Mapping[str, SensorRecord]:
        """Sensor records by IRI (batch)."""
        ...

    def sensor_for_serial(self, serial: str) -> str | None:
        """The sensor with this S-DoT serial."""
        ...

    def latest_observations(
        self, sensors: Sequence[str], prop: str | None
    ) -> Mapping[str, list[ObservationRecord]]:
        """Latest observation per property (or of ``prop``) of each sensor (batch)."""
        ...

    def sensor_datasets(self, sensors: Sequence[str]) -> Mapping[str, list[str]]:
        """Datasets holding each sensor's data (batch)."""
        ...

    def observable_properties(self) -> list[ObservablePropertyRecord]:
        """The observable properties of the ontology."""
        ...

    def resolve_property(self, name: str, field: str = "property") -> str:
        """An observable property's IRI from its local name, IRI or label (raises ``QueryInputError``)."""
        ...

    def find_spatial_objects(
        self, criteria: SpatialObjectFilter, after: str | None, limit: int
    ) -> tuple[list[str], bool]:
        """A page of spatial-object IRIs after ``after`` and whether more follow."""
        ...

    def spatial_objects(self, iris: Sequence[str]) -> Mapping[str, SpatialObjectRecord]:
        """Spatial-object records by IRI (batch)."""
        ...

    def geometry_wkt(self, iris: Sequence[str]) -> Mapping[str, str]:
        """The WKT literal of each entity's geometry (batch)."""
        ...

    def districts(self) -> list[DistrictRecord]:
        """Every district, by code."""
        ...

    def district_sensor_counts(self) -> list[SensorCount]:
        """Distinct sensors per district: overall, per platform and per property."""
        ...

    # -- observations ------------------------------------------------------------------------------------
    def observation_page(
        self, selector: ObservationSelector, after: ObservationKey | None, limit: int
    ) -> tuple[list[ObservationRecord], bool]:
        """A time-ordered page of observations and whether more follow."""
        ...

    def observation_aggregates(self, selector: ObservationSelector) -> ObservationAggregates:
        """Count, min, max, average and latest of the selected observations."""
        ...

    # -- organisation, paths, ontology ---------------------------------------------------------------------
    def organisation(self) -> OrganisationSnapshot:
        """The organisation layer (departments, systems, platforms, services, businesses, datasets, standards,
        CPS functions) in one snapshot."""
        ...

    def explanation_paths(self, source: str, target: str, max_length: int) -> ExplanationPaths:
        """Shortest link paths between two entities."""
        ...

    def ontology_info(self) -> OntologyInfo:
        """The ontology header."""
        ...

    def ontology_terms(self) -> list[OntologyTermRecord]:
        """The ontology's classes, properties and named individuals."""
        ...

    def standard_mappings(self, vocabularies: tuple[ExternalVocabulary, ...]) -> MappingReport:
        """Local terms mapped to the given external vocabularies, and coverage."""
        ...

    # -- reports (from LinkageReports) -----------------------------------------------------------------------
    def platform_linkage_matrix(self) -> list[PlatformPairLinkage]:
        """What links each pair of city platforms."""
        ...

    def linkage_table(self, department_code: str | None) -> LinkageTableRecord:
        """The linkage table of a department (all departments when ``None``)."""
        ...

    def who_uses_sensor(self, sensor: str) -> SensorUsage:
        """Datasets, systems, services and departments using a sensor's data."""
        ...

    def standards(self) -> list[StandardRecord]:
        """The standards of the reference data."""
        ...

    def datasets_conforming_to(self, standard: str) -> list[DatasetConformance]:
        """Datasets conforming to or claiming a standard (slug, IRI or identifier)."""
        ...

    def export_entity(self, iri: str, export_format: ExportFormat, context_url: str) -> dict[str, Any]:
        """An entity as NGSI-LD (normalized or key-values) or a sensor as OGC SensorThings JSON."""
        ...


class LinkageReports:
    """The reports of :class:`LinkageQueries`, built from its primitive methods (inherit to get them)."""

    def organisation(self) -> OrganisationSnapshot:  # pragma: no cover - provided by the backend
        """Provided by the backend."""
        raise NotImplementedError

    def platform_linkage_matrix(self) -> list[PlatformPairLinkage]:
        """What links each pair of city platforms."""
        return linkage.platform_linkage_matrix(self.organisation())

    def linkage_table(self, department_code: str | None) -> LinkageTableRecord:
        """The linkage table of a department (all departments when ``None``).

        Raises:
            QueryInputError: no department has this code.
        """
        snapshot = self.organisation()
        department = None
        if department_code is not None:
            inputs.text(department_code, "departmentCode", 100)
            department = snapshot.department_by_code(department_code)
            if department is None:
                raise inputs.QueryInputError(
                    "departmentCode", "no department has this code", "이 코드의 부서가 없습니다"
                )
        return linkage.linkage_table(snapshot, department)

    def sensor_datasets(self, sensors: Sequence[str]) -> Mapping[str, list[str]]:  # pragma: no cover
        """Provided by the backend."""
        raise NotImplementedError

    def who_uses_sensor(self, sensor: str) -> SensorUsage:
        """Datasets, systems, services and departments using a sensor's data."""
        datasets = self.sensor_datasets([sensor]).get(sensor, [])
        return linkage.sensor_usage(self.organisation(), sensor, datasets)

    def standards(self) -> list[StandardRecord]:
        """The standards of the reference data."""
        return standards.standards(self.organisation())

    def datasets_conforming_to(self, standard: str) -> list[DatasetConformance]:
        """Datasets conforming to or claiming a standard (slug, IRI or identifier)."""
        snapshot = self.organisation()
        return standards.datasets_conforming_to(snapshot, standards.resolve_standard(snapshot, standard))

    def export_entity(self, iri: str, export_format: ExportFormat, context_url: str) -> dict[str, Any]:
        """An entity as NGSI-LD (normalized or key-values) or a sensor as OGC SensorThings JSON.

        Raises:
            QueryInputError: the IRI is malformed, or SensorThings was asked for something not a sensor.
            NotFoundError: nothing is known about the IRI.
        """
        from kg_service.queries import export

        return export.export_entity(self, iri, export_format, context_url)  # type: ignore[arg-type]
