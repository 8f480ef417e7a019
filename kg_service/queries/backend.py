"""Choosing the query backend: the embedded store (default) or Neo4j (``KG_BACKEND=neo4j``).

Either way the embedded store stays the write path: submissions are validated and committed there, and the
Neo4j projection is fed from its change log (``kg neo4j sync``). Only reads move to Neo4j.

The Neo4j backend is an optional extra (``pip install 'kg-service[neo4j]'``): its driver is imported when the
backend is opened, never when this module is.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kg_service.queries.embedded import EmbeddedLinkageQueries
from kg_service.queries.protocol import LinkageQueries

if TYPE_CHECKING:
    from kg_service.config import Settings
    from kg_service.store.embedded import EmbeddedStore

logger = logging.getLogger(__name__)


def open_queries(settings: Settings, store: EmbeddedStore) -> LinkageQueries:
    """The query layer the settings ask for, over ``store`` or over the Neo4j server of ``KG_NEO4J_URI``.

    For Neo4j this connects (checking the server and the credentials) and creates the lookup indexes the
    queries seek by; close it with :func:`close_queries` when the service stops.

    Raises:
        BackendUnavailableError: ``KG_BACKEND=neo4j`` but the ``neo4j`` driver is not installed (the message
            names the extra ``kg-service[neo4j]``), the server is unreachable or refuses the credentials.
    """
    if settings.backend == "embedded":
        return EmbeddedLinkageQueries(store)
    from kg_service.queries.cypher import Neo4jLinkageQueries
    from kg_service.queries.cypher.statements import QUERY_INDEXES
    from kg_service.store.neo4j.connection import connect
    from kg_service.store.neo4j.sync import high_water_mark

    graph = connect(settings)
    try:
        if graph.dialect is not None:
            graph.dialect.ensure_indexes(graph, QUERY_INDEXES)
        mark = high_water_mark(graph)
    except BaseException:
        graph.close()
        raise
    logger.info(
        "queries are answered by the %s backend at %s (projection up to change-log entry %s; "
        "'kg neo4j status' shows the lag, 'kg neo4j sync' applies the rest)",
        graph.kind,
        graph.settings.display_uri,
        mark if mark is not None else "none",
    )
    return Neo4jLinkageQueries(graph)


def close_queries(queries: LinkageQueries) -> None:
    """Release what :func:`open_queries` opened (the Neo4j connection; nothing for the embedded store, whose
    owner closes it)."""
    close = getattr(queries, "close", None)
    if callable(close):
        close()
