"""Root fields: platform linkage matrix, explanation paths, linkage table."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kg_service.api.errors import call
from kg_service.api.resolvers.access import READER
from kg_service.api.types.common import Info
from kg_service.api.types.linkage import (
    ExplanationPath,
    ExplanationPathResult,
    LinkageTable,
    PathStep,
    PlatformLinkageMatrix,
    PlatformPair,
)
from kg_service.api.types.organisation import Platform
from kg_service.queries import linkage


@strawberry.type
class LinkageQuery:
    """Linkage queries."""

    @strawberry.field(
        description="플랫폼 쌍마다 잇는 시스템과 데이터셋 / For each pair of city platforms, the systems and datasets that connect them.",
        permission_classes=READER,
    )
    async def platform_linkage_matrix(self, info: Info) -> PlatformLinkageMatrix:
        """The platform linkage matrix."""
        snapshot = await info.context.loaders.organisation()
        pairs = linkage.platform_linkage_matrix(snapshot)
        platforms = linkage.platforms_in_order(snapshot)
        return PlatformLinkageMatrix(
            platforms=[Platform(node=n) for n in platforms], pairs=[PlatformPair(record=p) for p in pairs]
        )

    @strawberry.field(
        description="두 개체 사이의 최단 링크 경로(최대 5단계) / The shortest chains of links between two entities (at most 5 links).",
        permission_classes=READER,
    )
    async def explanation_path(
        self,
        info: Info,
        from_iri: Annotated[str, strawberry.argument(description="출발 개체 IRI / Start IRI.")],
        to_iri: Annotated[str, strawberry.argument(description="도착 개체 IRI / End IRI.")],
        max_length: Annotated[
            int, strawberry.argument(description="최대 링크 수(1–5) / Most links (1–5).")
        ] = 4,
    ) -> ExplanationPathResult:
        """Explanation paths."""
        found = await call(info.context.queries.explanation_paths, from_iri, to_iri, max_length)
        return ExplanationPathResult(
            from_iri=from_iri,
            to_iri=to_iri,
            length=found.length,
            paths=[
                ExplanationPath(steps=[PathStep(record=s) for s in path], length=len(path))
                for path in found.paths
            ],
            explored_nodes=found.explored_nodes,
            truncated=found.truncated,
        )

    @strawberry.field(
        description="연계테이블: 부서의 업무·시스템·플랫폼·서비스 × CPS 7대 기능(부서를 안 주면 전체) / The linkage table of a department (all departments when none is given).",
        permission_classes=READER,
    )
    async def linkage_table(
        self,
        info: Info,
        department_code: Annotated[
            str | None, strawberry.argument(description="부서코드 / Department code.")
        ] = None,
    ) -> LinkageTable:
        """The linkage table."""
        table = await call(info.context.queries.linkage_table, department_code)
        snapshot = await info.context.loaders.organisation()
        department = snapshot.department_by_code(department_code) if department_code else None
        return LinkageTable.of(table, department)
