"""Seoul urban CPS knowledge-graph service (서울시 도시 사이버물리시스템 지식그래프 서비스).

The semantic interoperability layer between S-DoT, S-Map, the big-data platform and the systems each
department runs: one ontology, one knowledge graph, one validated way in, one query API out.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kg-service")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
