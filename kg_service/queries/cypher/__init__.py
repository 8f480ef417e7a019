"""The query layer over the Neo4j backend (Cypher), giving the same answers as the embedded one.

Importing this package does not import the ``neo4j`` driver; opening a connection does
(:func:`kg_service.store.neo4j.connect`).
"""

from kg_service.queries.cypher.neo4j import Neo4jLinkageQueries

__all__ = ["Neo4jLinkageQueries"]
