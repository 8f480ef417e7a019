"""GraphQL types, one module per feature (entities, sensors, spatial, observations, organisation, linkage,
standards, ontology) plus the shared ones in :mod:`kg_service.api.types.common`."""
