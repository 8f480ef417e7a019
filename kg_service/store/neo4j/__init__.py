"""The Neo4j scale-out read backend: a property-graph projection of the RDF dataset, fed by the change log.

Modules, each with one job:

- :mod:`~kg_service.store.neo4j.connection`: settings, :func:`connect`, running Cypher, error mapping;
- :mod:`~kg_service.store.neo4j.dialect`: every difference between Neo4j 5 and the FalkorDB test server
  (DDL, parameter transport, quirks), detected once per connection;
- :mod:`~kg_service.store.neo4j.encoding`: RDF terms → labels, property keys, typed values, ledger entries;
- :mod:`~kg_service.store.neo4j.projection`: RDF → batches (:func:`project`) and back (:func:`export_rdf`);
- :mod:`~kg_service.store.neo4j.writer`: idempotent batched writes, replace-by-dataset sweep;
- :mod:`~kg_service.store.neo4j.sync`: the change-log consumer (:func:`sync`, :func:`rebuild`);
- :mod:`~kg_service.store.neo4j.changelog`: the change log read from the submission log and the deltas kept on
  disk, the side graphs refreshed by content, and the operations behind ``kg neo4j sync | rebuild | status``.

The query layer over this backend is :class:`kg_service.queries.cypher.Neo4jLinkageQueries`.

Importing this package does not import the ``neo4j`` driver (an optional extra, ``kg-service[neo4j]``);
:func:`connect` does, and says which extra to install when it is missing.
"""

from __future__ import annotations

from kg_service.store.neo4j.connection import Neo4jGraph, Neo4jSettings, connect
from kg_service.store.neo4j.projection import ProjectionBatch, export_rdf, project
from kg_service.store.neo4j.sync import (
    ChangeLogEntry,
    SyncProgress,
    SyncResult,
    high_water_mark,
    rebuild,
    sync,
)

__all__ = [
    "ChangeLogEntry",
    "Neo4jGraph",
    "Neo4jSettings",
    "ProjectionBatch",
    "SyncProgress",
    "SyncResult",
    "connect",
    "export_rdf",
    "high_water_mark",
    "project",
    "rebuild",
    "sync",
]
