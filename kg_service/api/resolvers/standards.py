"""Root fields: standards, datasets conforming to a standard, mappings to external vocabularies."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kg_service.api.errors import BAD_USER_INPUT, call, user_error, user_errors
from kg_service.api.resolvers.access import READER
from kg_service.api.types.common import Info
from kg_service.api.types.standards import (
    DatasetConformance,
    ExternalVocabulary,
    Standard,
    StandardMappingReport,
)
from kg_service.queries import model, standards


@strawberry.type
class StandardsQuery:
    """Standards queries."""

    @strawberry.field(
        description="표준(약칭순) / The standards of the reference data, by slug.", permission_classes=READER
    )
    async def standards(self, info: Info) -> list[Standard]:
        """Standards."""
        snapshot = await info.context.loaders.organisation()
        return [Standard(record=r) for r in standards.standards(snapshot)]

    @strawberry.field(
        description="표준을 준수(확인)하거나 주장하는 데이터셋과 마지막 제출의 적합 여부 / Datasets conforming to (confirmed) or claiming a standard, with the conformance of their last submission.",
        permission_classes=READER,
    )
    async def datasets_conforming_to(
        self,
        info: Info,
        standard: Annotated[
            str,
            strawberry.argument(
                description="표준 약칭(sosa-ssn), IRI 또는 번호 / Standard slug, IRI or identifier."
            ),
        ],
    ) -> list[DatasetConformance]:
        """Conforming datasets."""
        snapshot = await info.context.loaders.organisation()
        with user_errors():
            iri = standards.resolve_standard(snapshot, standard)
        return [DatasetConformance(record=c) for c in standards.datasets_conforming_to(snapshot, iri)]

    @strawberry.field(
        description="외부 어휘(SOSA, GeoSPARQL, …) 또는 표준 약칭에 대응된 로컬 용어와 대응 비율 / Local terms mapped to an external vocabulary (or the vocabularies of a standard), how, and coverage.",
        permission_classes=READER,
    )
    async def standard_mappings(
        self,
        info: Info,
        vocabulary: Annotated[
            ExternalVocabulary | None, strawberry.argument(description="외부 어휘 / External vocabulary.")
        ] = None,
        standard_slug: Annotated[
            str | None,
            strawberry.argument(description="표준 약칭(예: sosa-ssn) / Standard slug (e.g. sosa-ssn)."),
        ] = None,
    ) -> StandardMappingReport:
        """Mappings to external vocabularies."""
        if (vocabulary is None) == (standard_slug is None):
            raise user_error(
                BAD_USER_INPUT,
                "give exactly one of vocabulary or standardSlug",
                "vocabulary와 standardSlug 중 하나만 주세요",
            )
        if vocabulary is not None:
            vocabularies: tuple[model.ExternalVocabulary, ...] = (vocabulary,)
        else:
            assert standard_slug is not None
            with user_errors():
                vocabularies = standards.vocabularies_for_standard(standard_slug)
        report = await call(info.context.queries.standard_mappings, vocabularies)
        return StandardMappingReport.of(report)
