"""Root fields: the ontology and label search."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kg_service.api.errors import call, user_errors
from kg_service.api.pagination import page_size
from kg_service.api.resolvers.access import READER
from kg_service.api.types.common import Info
from kg_service.api.types.ontology import Ontology, OntologyTerm
from kg_service.queries.ontology_terms import search_terms


@strawberry.type
class OntologyQuery:
    """Ontology queries."""

    @strawberry.field(
        description="온톨로지(버전, 클래스, 속성) / The ontology: version, classes and properties.",
        permission_classes=READER,
    )
    async def ontology(self, info: Info) -> Ontology:
        """The ontology."""
        return Ontology(record=await call(info.context.queries.ontology_info))

    @strawberry.field(
        description="한국어·영어 이름으로 온톨로지 용어 찾기(대소문자 무시, 부분 일치, 200자 이내) / Ontology terms whose Korean or English name contains the text (case-insensitive, at most 200 characters).",
        permission_classes=READER,
    )
    async def search_ontology(
        self,
        info: Info,
        text: Annotated[
            str,
            strawberry.argument(description="찾을 글(200자 이내) / Text to find (at most 200 characters)."),
        ],
        first: Annotated[
            int | None, strawberry.argument(description="최대 개수(최대 500) / At most this many (≤ 500).")
        ] = None,
    ) -> list[OntologyTerm]:
        """Label search."""
        limit = page_size(first)
        with user_errors():
            search_terms([], text, limit)  # checks the text before anything is read
        terms = await info.context.loaders.ontology_terms()
        with user_errors():
            found = search_terms(terms, text, limit)
        return [OntologyTerm(record=t) for t in found]
