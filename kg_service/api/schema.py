"""The GraphQL schema: the per-feature root query types merged into one ``Query``.

:func:`build_schema` builds it (no extensions: the app adds depth, cost and alias limits). The committed SDL
is ``schema.graphql`` at the repository root; regenerate it on purpose with::

    python -m kg_service.api.schema > schema.graphql

``kg_service.api.schema:schema`` (for ``strawberry export-schema``) is built on first access, not at import.
"""

from __future__ import annotations

import functools
import sys

import strawberry
from strawberry.file_uploads import Upload
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from kg_service.api.resolvers.entities import EntityQuery
from kg_service.api.resolvers.linkage import LinkageQuery
from kg_service.api.resolvers.observations import ObservationQuery
from kg_service.api.resolvers.ontology import OntologyQuery
from kg_service.api.resolvers.organisation import OrganisationQuery
from kg_service.api.resolvers.sensors import SensorQuery
from kg_service.api.resolvers.spatial import SpatialQuery
from kg_service.api.resolvers.standards import StandardsQuery
from kg_service.api.resolvers.submissions import SubmissionMutation, SubmissionQuery
from kg_service.api.types.organisation import (
    CityService,
    CPSFunction,
    Dataset,
    Department,
    DepartmentBusiness,
    InformationSystem,
    Platform,
)

DESCRIBED_UPLOAD = strawberry.scalar(
    name="Upload",
    description="멀티파트 요청으로 올린 파일 / A file sent in a multipart request (GraphQL multipart request spec).",
    parse_value=lambda value: value,
)

QUERY_TYPES: tuple[type, ...] = (
    EntityQuery,
    SensorQuery,
    SpatialQuery,
    ObservationQuery,
    OrganisationQuery,
    LinkageQuery,
    StandardsQuery,
    OntologyQuery,
    SubmissionQuery,
)


def build_schema() -> strawberry.Schema:
    """The service's GraphQL schema: the queries, and the submission mutations."""
    query = merge_types("Query", QUERY_TYPES)
    query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
        "서울시 도시 CPS 지식그래프 질의 / Queries of the Seoul urban CPS knowledge graph."
    )
    SubmissionMutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
        "데이터 제출과 검증 / Submitting and validating department files."
    )
    return strawberry.Schema(
        query=query,
        mutation=SubmissionMutation,
        config=StrawberryConfig(scalar_map={Upload: DESCRIBED_UPLOAD}),
        # Implementations of the OrganisationNode interface reachable only through it (asOrganisationNode).
        types=[
            Department,
            InformationSystem,
            Platform,
            Dataset,
            CityService,
            DepartmentBusiness,
            CPSFunction,
        ],
    )


@functools.cache
def _schema() -> strawberry.Schema:
    return build_schema()


def __getattr__(name: str) -> object:
    """``schema`` is built on first access (``strawberry export-schema kg_service.api.schema:schema``)."""
    if name == "schema":
        return _schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def printed_schema() -> str:
    """The SDL of :func:`build_schema`, as committed in ``schema.graphql`` (ends with one newline)."""
    return build_schema().as_str().rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(printed_schema())
