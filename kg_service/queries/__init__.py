"""The query layer: named, parameterised queries over the knowledge graph (linkage, spatial, standards).

:class:`~kg_service.queries.protocol.LinkageQueries` is the contract; :class:`EmbeddedLinkageQueries` the
implementation over the embedded Oxigraph store. Results are the frozen dataclasses of
:mod:`kg_service.queries.model`. No query text ever contains a caller's value.
"""

from kg_service.queries.embedded import EmbeddedLinkageQueries
from kg_service.queries.inputs import QueryInputError
from kg_service.queries.protocol import ExportFormat, LinkageQueries, LinkageReports

__all__ = ["EmbeddedLinkageQueries", "ExportFormat", "LinkageQueries", "LinkageReports", "QueryInputError"]
