"""Linkage reports: the platform linkage matrix, explanation paths and the linkage table (연계테이블)."""

from __future__ import annotations

import enum

import strawberry

from kg_service.api.types.common import EntityKind, Info, LangString, Reference
from kg_service.api.types.organisation import CPSFunction, Dataset, Department, InformationSystem, Platform
from kg_service.queries import model
from kg_service.queries.reader import local_name


@strawberry.type(description="두 플랫폼을 잇는 데이터셋 / A dataset bridging two platforms.")
class DatasetBridge:
    """A bridging dataset."""

    record: strawberry.Private[model.DatasetBridge]

    @strawberry.field(description="데이터셋 / The dataset.")
    async def dataset(self, info: Info) -> Dataset | None:
        """The dataset."""
        node = (await info.context.loaders.organisation()).node(self.record.dataset)
        return Dataset(node=node) if node else None

    @strawberry.field(description="데이터셋이 있는 플랫폼 / Platform the dataset is at home on.")
    async def home_platform(self, info: Info) -> Platform | None:
        """The home platform."""
        node = (await info.context.loaders.organisation()).node(self.record.home_platform)
        return Platform(node=node) if node else None

    @strawberry.field(
        description="다른 플랫폼에서 이 데이터셋을 쓰는 시스템 / Systems on the other platform using it."
    )
    async def users(self, info: Info) -> list[InformationSystem]:
        """Using systems."""
        snapshot = await info.context.loaders.organisation()
        return [
            InformationSystem(node=n) for n in (snapshot.node(i) for i in self.record.users) if n is not None
        ]


@strawberry.type(description="두 도시 플랫폼 사이의 연계 / What links two city platforms.")
class PlatformPair:
    """A platform pair."""

    record: strawberry.Private[model.PlatformPairLinkage]

    @strawberry.field(description="첫째 플랫폼 / First platform.")
    async def first(self, info: Info) -> Platform | None:
        """The first platform."""
        node = (await info.context.loaders.organisation()).node(self.record.first)
        return Platform(node=node) if node else None

    @strawberry.field(description="둘째 플랫폼 / Second platform.")
    async def second(self, info: Info) -> Platform | None:
        """The second platform."""
        node = (await info.context.loaders.organisation()).node(self.record.second)
        return Platform(node=node) if node else None

    @strawberry.field(description="두 플랫폼 모두와 연계된 시스템 / Systems linked to both platforms.")
    async def systems(self, info: Info) -> list[InformationSystem]:
        """Systems linking both."""
        snapshot = await info.context.loaders.organisation()
        return [
            InformationSystem(node=n)
            for n in (snapshot.node(i) for i in self.record.systems)
            if n is not None
        ]

    @strawberry.field(description="두 플랫폼을 잇는 데이터셋 / Datasets bridging the two platforms.")
    def datasets(self) -> list[DatasetBridge]:
        """Bridging datasets."""
        return [DatasetBridge(record=b) for b in self.record.datasets]

    @strawberry.field(description="두 플랫폼 모두와 연계된 시스템 수 / Number of systems linked to both.")
    def system_count(self) -> int:
        """How many systems."""
        return len(self.record.systems)

    @strawberry.field(
        description="두 플랫폼을 잇는 데이터셋 수(서로 다른 것) / Number of distinct bridging datasets."
    )
    def dataset_count(self) -> int:
        """How many datasets."""
        return len({b.dataset for b in self.record.datasets})


@strawberry.type(description="플랫폼 연계 행렬 / The platform linkage matrix.")
class PlatformLinkageMatrix:
    """The matrix."""

    platforms: list[Platform] = strawberry.field(
        description="플랫폼(S-DoT, S-Map, 빅데이터, AI 분석 순) / The platforms, in the city's order."
    )
    pairs: list[PlatformPair] = strawberry.field(description="플랫폼 쌍마다의 연계 / Linkage for each pair.")


@strawberry.type(description="설명 경로의 한 단계 / One link of an explanation path.")
class PathStep:
    """A path step."""

    record: strawberry.Private[model.PathStep]

    async def _ref(self, info: Info, iri: str) -> Reference:
        entity = await info.context.loaders.entity.load(iri)
        label = entity.label if entity else model.Text()
        if label.ko is None and label.en is None:
            label = model.Text(None, local_name(iri))
        return Reference.of(model.TermRef(iri, label), entity.kind if entity else None)

    @strawberry.field(description="출발 개체 / Where the step starts.")
    async def source(self, info: Info) -> Reference:
        """The step's start."""
        return await self._ref(info, self.record.source)

    @strawberry.field(description="도착 개체 / Where the step ends.")
    async def target(self, info: Info) -> Reference:
        """The step's end."""
        return await self._ref(info, self.record.target)

    @strawberry.field(description="술어 IRI / Predicate IRI.")
    def predicate(self) -> str:
        """The predicate."""
        return self.record.predicate

    @strawberry.field(description="술어 이름 / Predicate name.")
    def predicate_label(self) -> LangString:
        """The predicate's label."""
        return LangString.of(self.record.predicate_label)

    @strawberry.field(
        description="트리플이 출발→도착 방향이면 참, 도착→출발이면 거짓 / True when the triple points from source to target, false when it points back."
    )
    def forward(self) -> bool:
        """Direction of the underlying triple."""
        return self.record.forward


@strawberry.type(description="두 개체 사이의 링크 경로 하나 / One chain of links between two entities.")
class ExplanationPath:
    """A path."""

    steps: list[PathStep] = strawberry.field(description="단계 / The steps.")
    length: int = strawberry.field(description="링크 수 / Number of links.")


@strawberry.type(description="설명 경로 검색 결과 / Result of an explanation-path search.")
class ExplanationPathResult:
    """Path search result."""

    from_iri: str = strawberry.field(description="출발 IRI / Start IRI.")
    to_iri: str = strawberry.field(description="도착 IRI / End IRI.")
    length: int | None = strawberry.field(
        description="최단 경로 길이(없으면 null) / Shortest length (null when none found)."
    )
    paths: list[ExplanationPath] = strawberry.field(
        description="최단 경로들(최대 10개) / The shortest paths (at most 10)."
    )
    explored_nodes: int = strawberry.field(description="탐색한 개체 수 / Entities explored.")
    truncated: bool = strawberry.field(
        description="탐색 한도에 걸렸는지(그러면 결과가 불완전할 수 있음) / Whether a search bound was hit (results may then be incomplete)."
    )


@strawberry.enum(
    description="연계테이블 칸을 채운 대상과 행의 관계 / How a cell contributor relates to the row."
)
class ContributorRelation(enum.Enum):
    """Contributor relation."""

    SELF = "self"
    SYSTEM = "system"
    DATASET = "dataset"
    SERVICE = "service"
    PLATFORM = "platform"


@strawberry.type(description="연계테이블 칸을 채운 대상 / Something that fills a linkage-table cell.")
class LinkageContributor:
    """A cell contributor."""

    iri: str = strawberry.field(description="식별 IRI / The IRI.")
    kind: EntityKind = strawberry.field(description="종류 / Kind.")
    label: LangString = strawberry.field(description="이름 / Name.")
    relation: ContributorRelation = strawberry.field(description="행과의 관계 / Relation to the row.")


@strawberry.type(description="연계테이블의 칸(행 × CPS 기능) / A linkage-table cell (row × CPS function).")
class LinkageCell:
    """A cell."""

    function: CPSFunction = strawberry.field(description="CPS 기능(열) / The CPS function (column).")
    filled: bool = strawberry.field(
        description="채워졌는지(비었으면 거짓) / Whether anything serves this function for the row."
    )
    contributors: list[LinkageContributor] = strawberry.field(
        description="칸을 채운 대상 / What fills the cell."
    )
    sensor_count: int = strawberry.field(
        description="칸의 데이터셋에 데이터가 있는 센서 수 / Sensors whose data the cell's datasets hold."
    )


@strawberry.type(
    description="연계테이블의 행(업무·시스템·플랫폼·서비스) / A linkage-table row (business, system, platform or service)."
)
class LinkageRow:
    """A row."""

    iri: str = strawberry.field(description="식별 IRI / The IRI.")
    kind: EntityKind = strawberry.field(description="종류 / Kind.")
    code: str | None = strawberry.field(description="코드 / Code.")
    label: LangString = strawberry.field(description="이름 / Name.")
    department: Department | None = strawberry.field(description="부서 / Department.")
    cells: list[LinkageCell] = strawberry.field(
        description="CPS 기능 순(1–7)의 칸 / Cells in CPS-function order (1–7)."
    )


@strawberry.type(
    description="연계테이블: 부서 업무 × CPS 7대 기능 / The linkage table: department businesses × the seven CPS functions."
)
class LinkageTable:
    """The linkage table."""

    department: Department | None = strawberry.field(
        description="부서(전체면 null) / The department (null for all)."
    )
    functions: list[CPSFunction] = strawberry.field(
        description="열: CPS 기능(번호 순) / Columns: the CPS functions."
    )
    rows: list[LinkageRow] = strawberry.field(description="행 / Rows.")

    @staticmethod
    def of(table: model.LinkageTableRecord, department: model.OrgNode | None) -> LinkageTable:
        """From the query layer."""
        functions = {f.iri: CPSFunction(node=f) for f in table.functions}
        rows = [
            LinkageRow(
                iri=row.subject.iri,
                kind=row.subject.kind,
                code=row.subject.code,
                label=LangString.of(row.subject.label),
                department=Department(node=row.department) if row.department else None,
                cells=[
                    LinkageCell(
                        function=functions[cell.function],
                        filled=cell.filled,
                        contributors=[
                            LinkageContributor(
                                iri=c.iri,
                                kind=c.kind,
                                label=LangString.of(c.label),
                                relation=ContributorRelation(c.relation),
                            )
                            for c in cell.contributors
                        ],
                        sensor_count=cell.sensor_count,
                    )
                    for cell in row.cells
                ],
            )
            for row in table.rows
        ]
        return LinkageTable(
            department=Department(node=department) if department else None,
            functions=list(functions.values()),
            rows=rows,
        )
