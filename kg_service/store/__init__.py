"""Graph stores: one protocol (:mod:`kg_service.store.base`), an embedded default and optional backends.

Backends are imported lazily by :func:`open_store`, so choosing the embedded store never imports the Neo4j
driver, and a missing optional extra gives a clear message naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg_service.config import Settings
    from kg_service.store.base import GraphStore


def open_store(settings: Settings, *, read_only: bool = False) -> GraphStore:
    """Open the store the settings choose (``KG_BACKEND``)."""
    if settings.backend == "embedded":
        from kg_service.store.embedded import EmbeddedStore

        return EmbeddedStore.open(settings.store_dir, read_only=read_only)
    from kg_service.errors import BackendUnavailableError

    raise BackendUnavailableError(
        "the Neo4j backend serves queries through the sync layer; open it with kg_service.store.neo4j",
        "Neo4j 백엔드는 동기화 계층을 통해 사용합니다",
        hint="use KG_BACKEND=embedded for the primary store",
    )
