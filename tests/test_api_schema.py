"""The GraphQL schema, run in-process over the fixture graph: the committed SDL, real answers to every query,
pagination and cursors, batching (store queries per page), authentication, and hostile input."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import strawberry
from graph_fixture import fixture_store
from graphql import (
    ExecutionResult,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    get_named_type,
)
from rdflib.term import Identifier

from kg_service.api.context import RequestContext
from kg_service.api.linkage_table_export import EMPTY_CELL, linkage_table_csv, linkage_table_xlsx
from kg_service.api.principal import Principal
from kg_service.api.schema import build_schema as build_service_schema
from kg_service.api.schema import printed_schema
from kg_service.config import Settings
from kg_service.errors import KGServiceError
from kg_service.queries import EmbeddedLinkageQueries
from kg_service.store.embedded import EmbeddedStore

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = REPO_ROOT / "schema.graphql"
ID = "https://data.seoul.go.kr/cps/id/"
S43 = ID + "sensor/V02Q1940043"
READER = Principal(department="transport", role="reader", token_id="t-1")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]{2,}")


# -- plumbing -------------------------------------------------------------------------------------------


class CountingStore:
    """A store proxy that counts SPARQL queries and quad-index reads, and keeps every query text."""

    def __init__(self, store: EmbeddedStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self.selects = 0
        self.index_reads = 0
        self.texts: list[str] = []

    def select(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> Sequence[dict[str, Identifier]]:
        with self._lock:
            self.selects += 1
            self.texts.append(query)
        return self._store.select(query, bindings)

    def quads_for_pattern(self, *pattern: Any) -> Iterator[ox.Quad]:
        with self._lock:
            self.index_reads += 1
        return self._store.raw.quads_for_pattern(*pattern)

    def reset(self) -> None:
        with self._lock:
            self.selects = self.index_reads = 0
            self.texts = []


@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    store = fixture_store()
    yield store
    store.close()


@pytest.fixture(scope="module")
def counting(store: EmbeddedStore) -> CountingStore:
    return CountingStore(store)


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_service_schema()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(demo=False)


@pytest.fixture(scope="module")
def run(schema: strawberry.Schema, counting: CountingStore, settings: Settings) -> Any:
    queries = EmbeddedLinkageQueries(counting)

    def execute(
        query: str, variables: dict[str, Any] | None = None, principal: Principal | None = READER
    ) -> ExecutionResult:
        context = RequestContext(queries, principal, settings, base_url="https://kg.example.seoul.go.kr")
        return asyncio.run(schema.execute(query, variable_values=variables, context_value=context))

    return execute


def data(result: ExecutionResult) -> dict[str, Any]:
    assert not result.errors, [(e.message, e.extensions, e.original_error) for e in result.errors]
    assert result.data is not None
    return result.data


def codes(result: ExecutionResult) -> list[str | None]:
    return [(e.extensions or {}).get("code") for e in result.errors or []]


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# -- the committed schema ------------------------------------------------------------------------------


def test_committed_schema_is_current() -> None:
    printed = printed_schema()
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    if printed == committed:
        return
    lines = ["schema.graphql differs from the schema the code builds."]
    if committed:
        old, new = build_schema(committed), build_schema(printed)
        breaking = find_breaking_changes(old, new)
        dangerous = find_dangerous_changes(old, new)
        if breaking:
            lines.append("BREAKING changes (clients may fail; say so in the change note):")
            lines += [f"  - {change.type.name}: {change.description}" for change in breaking]
        else:
            lines.append("No breaking changes (additions or description edits only).")
        lines += [f"  ~ dangerous: {change.description}" for change in dangerous]
    lines.append(
        "If the change is intended, update the file on purpose: python -m kg_service.api.schema > schema.graphql"
    )
    pytest.fail("\n".join(lines))


def test_schema_is_built_on_demand_not_at_import() -> None:
    code = (
        "import kg_service.api.schema as s; assert s._schema.cache_info().currsize == 0;"
        " assert s.schema is s.schema; print(s._schema.cache_info().currsize)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.strip() == "1"


def _our_types(graphql_schema: GraphQLSchema) -> list[GraphQLNamedType]:
    builtin = {"String", "Int", "Float", "Boolean", "ID", "JSON", "Decimal"}
    return [
        t for name, t in graphql_schema.type_map.items() if not name.startswith("__") and name not in builtin
    ]


def test_every_type_field_and_argument_is_described_in_korean_and_english(schema: strawberry.Schema) -> None:
    missing = []
    for named in _our_types(schema._schema):
        if not (named.description and HANGUL.search(named.description) and LATIN.search(named.description)):
            missing.append(named.name)
        fields = getattr(named, "fields", None) or {}
        for field_name, field in fields.items():
            description = field.description or ""
            if not (HANGUL.search(description) and LATIN.search(description)):
                missing.append(f"{named.name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                description = arg.description or ""
                if not (HANGUL.search(description) and LATIN.search(description)):
                    missing.append(f"{named.name}.{field_name}({arg_name})")
    assert missing == []


# -- authentication --------------------------------------------------------------------------------------


def test_every_root_field_requires_a_principal(run: Any, schema: strawberry.Schema) -> None:
    root = schema._schema.query_type
    assert root is not None
    for name, field in root.fields.items():
        definition = field.extensions["strawberry-definition"]
        assert [p.__name__ for p in definition.permission_classes] == ["Authenticated"], name
    result = run("{ districts { code } platforms { code } ontology { version } }", principal=None)
    assert result.data is None or all(v is None for v in result.data.values())
    assert set(codes(result)) == {"UNAUTHENTICATED"}
    for query in ("{ departments { code } }", "{ standards { slug } }", "{ cpsFunctions { notation } }"):
        assert codes(run(query, principal=None)) == ["UNAUTHENTICATED"]


def test_demo_mode_answers_without_a_principal(schema: strawberry.Schema, store: EmbeddedStore) -> None:
    context = RequestContext(EmbeddedLinkageQueries(store), None, Settings(demo=True))
    result = asyncio.run(schema.execute('{ district(code: "11110") { nameKo } }', context_value=context))
    assert data(result) == {"district": {"nameKo": "종로구"}}


# -- real answers ------------------------------------------------------------------------------------------


def test_entity_by_identifier_with_identifiers_and_links(run: Any) -> None:
    result = data(
        run(
            """{ entityByIdentifier(scheme: NGSI_LD, value: "urn:ngsi-ld:Device:V02Q1940043") {
                 iri kind label { ko }
                 identifiers { value scheme source holder }
                 outgoingLinks(first: 50) { edges { node { predicate nodeIri literal } } pageInfo { hasNextPage } }
                 asSensor { serial district { code } }
               } }"""
        )
    )["entityByIdentifier"]
    assert (result["iri"], result["kind"]) == (S43, "SENSOR")
    assert {(i["value"], i["source"]) for i in result["identifiers"]} == {
        ("urn:ngsi-ld:Device:V02Q1940043", "IDENTIFIER_NODE"),
        ("V02Q1940043", "IDENTIFIER_NODE"),
        ("V02Q1940043", "PROPERTY"),
        ("SF-0001", "CORRESPONDS_TO"),
    }
    links = {
        (local(e["node"]["predicate"]), e["node"]["nodeIri"] or e["node"]["literal"])
        for e in result["outgoingLinks"]["edges"]
    }
    assert ("modelName", "SDOT001") in links
    assert ("inDong", ID + "dong/11110119") in links
    assert result["outgoingLinks"]["pageInfo"]["hasNextPage"] is False
    assert result["asSensor"] == {"serial": "V02Q1940043", "district": {"code": "11110"}}


def test_entity_links_page_with_cursors(run: Any) -> None:
    query = """query($after: String) { entity(iri: "https://data.seoul.go.kr/cps/id/district/11140") {
                 incomingLinks(first: 60, after: $after) { edges { cursor node { nodeIri predicate } }
                                                           pageInfo { hasNextPage endCursor hasPreviousPage } } } }"""
    seen: list[str] = []
    pairs: list[tuple[str, str]] = []
    after = None
    for _ in range(20):
        page = data(run(query, {"after": after}))["entity"]["incomingLinks"]
        seen += [e["node"]["nodeIri"] for e in page["edges"]]
        pairs += [(e["node"]["nodeIri"], e["node"]["predicate"]) for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # Jung-gu: 2 sensors x 3 properties x 48 hours of observations, 2 sensors, 1 building, 1 road link and its
    # legal dongs from the reference data (each dong twice: cps:inDistrict and cps:partOfArea)
    observations = [s for s in seen if "/observation/" in s]
    assert len(observations) == 2 * 3 * 48
    assert {ID + "sensor/V02Q1940101", ID + "building/B1114012600003", ID + "road-link/1210013300"} <= set(
        seen
    )
    assert len(pairs) == len(set(pairs))
    dongs = {s for s in seen if "/dong/1114" in s}
    assert len([s for s in seen if s in dongs]) == 2 * len(dongs) > 0


def test_sensors_filter_with_nested_fields(run: Any) -> None:
    result = data(
        run(
            """{ sensors(filter: {near: {lon: 126.9769, lat: 37.5725, radiusMetres: 1500}, platform: "s-dot"}) {
                 totalCount
                 edges { node { serial distanceMetres dong { code name { ko } } platform { code }
                                latestObservations(property: "PM25") { time value unitSymbol property { name } }
                                observedProperties { name } } } } }"""
        )
    )["sensors"]
    assert result["totalCount"] == 3
    nodes = [e["node"] for e in result["edges"]]
    assert [n["serial"] for n in nodes] == ["V02Q1940043", "V02Q1940101", "V02Q1940102"]
    assert [n["distanceMetres"] for n in nodes] == [0.0, 1220.26, 1437.61]
    assert nodes[1]["dong"] == {"code": "11140127", "name": {"ko": "명동2가"}}
    assert nodes[0]["latestObservations"] == [
        {
            "time": "2025-07-14T23:00:00+09:00",
            "value": "15.75",
            "unitSymbol": "µg/m³",
            "property": {"name": "PM25"},
        }
    ]
    assert [p["name"] for p in nodes[0]["observedProperties"]] == ["AirTemperature", "PM10", "PM25"]


def test_sensors_inside_and_near_spatial_objects(run: Any) -> None:
    inside = data(
        run(
            '{ sensors(filter: {insideSpatialObject: "%s"}) { edges { node { serial } } } }'
            % (ID + "building/B1111011900001")
        )
    )
    assert [e["node"]["serial"] for e in inside["sensors"]["edges"]] == ["V02Q1940043"]
    near = data(
        run(
            '{ sensors(filter: {nearSpatialObject: {iri: "%s", radiusMetres: 2000}}) { edges { node { displayName } } } }'
            % (ID + "building/B1168010500005")
        )
    )
    assert [e["node"]["displayName"] for e in near["sensors"]["edges"]] == [
        "V02Q1940202",
        "강남구 측정소 센서",
    ]


def test_who_uses_sensor(run: Any) -> None:
    result = data(
        run(
            """{ whoUsesSensor(serial: "V02Q1940043") { sensor { iri } datasets { code title { en } }
                 providingSystems { code } usingSystems { code label { ko } } services { code } departments { code } } }"""
        )
    )["whoUsesSensor"]
    assert result["sensor"]["iri"] == S43
    assert result["datasets"] == [{"code": "sdot-environment", "title": {"en": "S-DoT environmental data"}}]
    assert [s["code"] for s in result["providingSystems"]] == ["SYS-0001"]
    assert [s["code"] for s in result["usingSystems"]] == ["SYS-0002", "SYS-0003", "SYS-0006"]
    assert [s["code"] for s in result["services"]] == ["air-quality-alert", "heat-island-map"]
    assert [d["code"] for d in result["departments"]] == [
        "climate-environment",
        "smart-city-policy",
        "urban-planning",
    ]
    assert data(run('{ whoUsesSensor(serial: "V02Q0000000") { datasets { code } } }')) == {
        "whoUsesSensor": None
    }


def test_districts_with_counts(run: Any) -> None:
    result = data(
        run(
            """{ districts { code } district(code: "11680") { nameKo nameEn sensorCount
                 sensorCountsByPlatform { platform { code } count } sensorCountsByProperty { property { name } count } } }"""
        )
    )
    assert len(result["districts"]) == 25
    gangnam = result["district"]
    assert (gangnam["nameKo"], gangnam["nameEn"], gangnam["sensorCount"]) == ("강남구", "Gangnam-gu", 3)
    assert gangnam["sensorCountsByPlatform"] == [{"platform": {"code": "s-dot"}, "count": 2}]
    assert {(c["property"]["name"], c["count"]) for c in gangnam["sensorCountsByProperty"]} == {
        ("PM10", 3),
        ("PM25", 3),
        ("AirTemperature", 2),
    }


def test_spatial_objects(run: Any) -> None:
    result = data(
        run(
            """{ spatialObjects(filter: {containing: {lon: 126.9769, lat: 37.5725}}) {
                 edges { node { smapId kind label { ko } use floors heightMetres district { code } dong { code } } } } }"""
        )
    )["spatialObjects"]
    assert [e["node"] for e in result["edges"]] == [
        {
            "smapId": "B1111011900001",
            "kind": "BUILDING",
            "label": {"ko": "세종로 정부청사"},
            "use": "업무시설",
            "floors": 19,
            "heightMetres": 84.5,
            "district": {"code": "11110"},
            "dong": {"code": "11110119"},
        }
    ]
    query = """query($after: String) { spatialObjects(first: 2, after: $after, filter: {kind: BUILDING}) {
                 edges { node { smapId } } pageInfo { hasNextPage endCursor } } }"""
    ids: list[str] = []
    after = None
    while True:
        page = data(run(query, {"after": after}))["spatialObjects"]
        ids += [e["node"]["smapId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert ids == ["B1111011900001", "B1111016900002", "B1114012600003", "B1168010100004", "B1168010500005"]


def test_observations_with_aggregates_and_pages(run: Any) -> None:
    query = """query($after: String) { observations(districtCode: "11140", property: "PM10",
                   from: "2025-07-13T00:00:00+09:00", to: "2025-07-13T06:00:00+09:00", first: 5, after: $after) {
                 aggregates { count min max avg latest { time value sensorIri } }
                 edges { node { time value sensor { serial } } }
                 pageInfo { hasNextPage endCursor } } }"""
    first = data(run(query))["observations"]
    # Jung-gu: V02Q1940101 (i=2) and V02Q1940102 (i=3), hours 0–5: PM10 = 24 + 0.5h and 26 + 0.5h
    assert first["aggregates"] == {
        "count": 12,
        "min": "24",
        "max": "28.5",
        "avg": "26.25",
        "latest": {
            "time": "2025-07-13T05:00:00+09:00",
            "value": "28.5",
            "sensorIri": ID + "sensor/V02Q1940102",
        },
    }
    rows = [
        (e["node"]["time"][11:16], e["node"]["sensor"]["serial"], e["node"]["value"]) for e in first["edges"]
    ]
    assert rows == [
        ("00:00", "V02Q1940101", "24"),
        ("00:00", "V02Q1940102", "26"),
        ("01:00", "V02Q1940101", "24.5"),
        ("01:00", "V02Q1940102", "26.5"),
        ("02:00", "V02Q1940101", "25"),
    ]
    collected = len(first["edges"])
    after = first["pageInfo"]["endCursor"]
    while after:
        page = data(run(query, {"after": after}))["observations"]
        collected += len(page["edges"])
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert collected == 12


def test_organisation(run: Any) -> None:
    result = data(
        run(
            """{ departments { code } department(code: "urban-planning") { label { ko en } systems { code }
                   businesses { code functions { notation } } datasets { code } }
                 dataset(id: "smap-buildings") { title { ko } publisher { code } providers { code }
                   usedBySystems { code } platforms { code } standards { standard { slug } confirmed }
                   lastSubmission { status conformed submittedAt } sensorCount }
                 system(code: "SYS-0003") { operatedBy { code } providesDatasets { code } usesDatasets { code }
                   platforms { code } functions { notation label { ko } } standards { standard { identifier } confirmed }
                   services { code } }
                 cpsFunctions { notation label { ko } } }"""
        )
    )
    assert len(result["departments"]) == 11
    planning = result["department"]
    assert planning["label"] == {"ko": "도시공간본부", "en": "Urban Space Headquarters"}
    assert [s["code"] for s in planning["systems"]] == ["SYS-0004", "SYS-0006"]
    assert planning["businesses"] == [{"code": "BIZ-UP-01", "functions": [{"notation": 1}]}]
    assert [d["code"] for d in planning["datasets"]] == ["heat-island-analysis", "smap-buildings"]
    dataset = result["dataset"]
    assert dataset["title"] == {"ko": "S-Map 3차원 건물"}
    assert (dataset["publisher"]["code"], [p["code"] for p in dataset["providers"]]) == (
        "urban-planning",
        ["SYS-0004"],
    )
    assert [s["code"] for s in dataset["usedBySystems"]] == ["SYS-0005", "SYS-0006"]
    assert dataset["standards"] == [
        {"standard": {"slug": "citygml-3"}, "confirmed": True},
        {"standard": {"slug": "geosparql"}, "confirmed": False},
    ]
    assert dataset["lastSubmission"] == {
        "status": "committed",
        "conformed": True,
        "submittedAt": "2025-07-10T09:30:00+09:00",
    }
    system = result["system"]
    assert system["operatedBy"] == {"code": "climate-environment"}
    assert [d["code"] for d in system["usesDatasets"]] == ["realtime-city-air", "sdot-environment"]
    assert [p["code"] for p in system["platforms"]] == ["ai-analysis", "big-data"]
    assert [(f["notation"], f["label"]["ko"]) for f in system["functions"]] == [
        (5, "가상모델(가상화)"),
        (6, "의사결정"),
    ]
    assert system["standards"] == [{"standard": {"identifier": "ETSI GS CIM 009"}, "confirmed": False}]
    assert [s["code"] for s in system["services"]] == ["air-quality-alert"]
    assert [f["label"]["ko"] for f in result["cpsFunctions"]] == [
        "현실문제", "현실데이터", "현실모델링", "데이터전달", "가상모델(가상화)", "의사결정", "자율제어"
    ]  # fmt: skip


def test_platform_linkage_matrix(run: Any) -> None:
    result = data(
        run(
            """{ platformLinkageMatrix { platforms { code }
                 pairs { first { code } second { code } systemCount datasetCount systems { code }
                         datasets { dataset { code } homePlatform { code } users { code } } } } }"""
        )
    )["platformLinkageMatrix"]
    assert [p["code"] for p in result["platforms"]] == ["s-dot", "s-map", "big-data", "ai-analysis"]
    pairs = {(p["first"]["code"], p["second"]["code"]): p for p in result["pairs"]}
    assert len(pairs) == 6
    sdot_bigdata = pairs[("s-dot", "big-data")]
    assert (sdot_bigdata["systemCount"], sdot_bigdata["datasetCount"]) == (2, 1)
    assert sdot_bigdata["datasets"] == [
        {
            "dataset": {"code": "sdot-environment"},
            "homePlatform": {"code": "s-dot"},
            "users": [{"code": "SYS-0002"}, {"code": "SYS-0003"}],
        }
    ]
    assert (pairs[("s-map", "big-data")]["systemCount"], pairs[("s-map", "big-data")]["datasetCount"]) == (
        0,
        1,
    )


def test_explanation_path(run: Any) -> None:
    result = data(
        run(
            """{ explanationPath(fromIri: "https://data.seoul.go.kr/cps/id/service/air-quality-alert",
                                  toIri: "https://data.seoul.go.kr/cps/id/sensor/V02Q1940043", maxLength: 5) {
                 length truncated paths { length steps { source { iri kind } predicateLabel { ko en } target { iri label { ko } } forward } } } }"""
        )
    )["explanationPath"]
    assert (result["length"], result["truncated"], len(result["paths"])) == (3, False, 4)
    described = {
        tuple(
            (local(s["source"]["iri"]), s["predicateLabel"]["ko"], local(s["target"]["iri"]))
            for s in path["steps"]
        )
        for path in result["paths"]
    }
    assert (
        ("air-quality-alert", "의존 시스템", "SYS-0002"),
        ("SYS-0002", "활용 데이터셋", "sdot-environment"),
        ("sdot-environment", "출처 데이터셋", "V02Q1940043"),
    ) in described
    first_step = result["paths"][0]["steps"][0]
    assert first_step["source"]["kind"] == "SERVICE"


def test_linkage_table(run: Any) -> None:
    result = data(
        run(
            """{ linkageTable(departmentCode: "transport") { department { code }
                 functions { notation }
                 rows { kind code label { ko } cells { function { notation } filled sensorCount
                        contributors { iri kind relation } } } } }"""
        )
    )["linkageTable"]
    assert result["department"] == {"code": "transport"}
    assert [f["notation"] for f in result["functions"]] == [1, 2, 3, 4, 5, 6, 7]
    assert [(r["kind"], r["code"]) for r in result["rows"]] == [
        ("BUSINESS", "BIZ-TR-01"),
        ("SYSTEM", "SYS-0005"),
        ("SERVICE", "traffic-info"),
    ]
    system = result["rows"][1]
    filled = {
        c["function"]["notation"]: [(local(x["iri"]), x["relation"]) for x in c["contributors"]]
        for c in system["cells"]
    }
    assert filled[2] == [("SYS-0005", "SELF"), ("traffic-speed", "DATASET"), ("big-data", "PLATFORM")]
    assert filled[7] == [("SYS-0005", "SELF")]
    assert [c["filled"] for c in system["cells"]] == [False, True, True, True, False, True, True]
    assert filled[3] == [("smap-buildings", "DATASET")]
    assert filled[6] == [("traffic-info", "SERVICE")]


def test_standards(run: Any) -> None:
    result = data(
        run(
            """{ standards { slug identifier issuer { label { en } } }
                 datasetsConformingTo(standard: "sosa-ssn") { dataset { code } confirmed lastSubmission { status conformed } }
                 standardMappings(standardSlug: "sosa-ssn") { vocabularies mappedTermCount localTermCount coverage
                   mappings { localTerm relation externalTerm definedIn } }
                 geo: standardMappings(vocabulary: GEOSPARQL) { mappings { localTerm relation externalTerm } } }"""
        )
    )
    slugs = {s["slug"]: s for s in result["standards"]}
    assert len(slugs) == 19
    assert slugs["ngsi-ld"]["identifier"] == "ETSI GS CIM 009"
    assert (
        slugs["ngsi-ld"]["issuer"]["label"]["en"] == "European Telecommunications Standards Institute (ETSI)"
    )
    assert result["datasetsConformingTo"] == [
        {
            "dataset": {"code": "sdot-environment"},
            "confirmed": True,
            "lastSubmission": {"status": "committed", "conformed": True},
        },
        {
            "dataset": {"code": "realtime-city-air"},
            "confirmed": False,
            "lastSubmission": {"status": "rejected", "conformed": False},
        },
    ]
    report = result["standardMappings"]
    assert report["vocabularies"] == ["SOSA", "SSN"]
    assert report["mappedTermCount"] == 6
    assert report["coverage"] == pytest.approx(6 / report["localTermCount"], abs=1e-6)
    assert {(local(m["localTerm"]), m["relation"], local(m["externalTerm"])) for m in report["mappings"]} >= {
        ("Sensor", "SUBCLASS", "Sensor"),
        ("observesProperty", "SUBPROPERTY", "observes"),
        ("ControlAction", "CLOSE", "Actuation"),
    }
    assert {
        (local(m["localTerm"]), m["relation"], local(m["externalTerm"])) for m in result["geo"]["mappings"]
    } == {
        ("SpatialObject", "SUBCLASS", "Feature"),
        ("AdministrativeArea", "SUBCLASS", "Feature"),
        ("locatedIn", "SUBPROPERTY", "sfWithin"),
    }


def test_ontology_and_search(run: Any) -> None:
    result = data(
        run(
            """{ ontology { version versionIri label { en } classes { localName } properties { localName kind } }
                 searchOntology(text: "측정소") { localName label { ko en } kind } }"""
        )
    )
    ontology = result["ontology"]
    assert (ontology["version"], ontology["versionIri"]) == (
        "1.0.0",
        "https://data.seoul.go.kr/cps/ontology/1.0.0",
    )
    assert "MonitoringStation" in {c["localName"] for c in ontology["classes"]}
    assert {"kind": "object-property", "localName": "inDistrict"} in ontology["properties"]
    found = result["searchOntology"]
    assert found[0] == {
        "localName": "MonitoringStation",
        "label": {"ko": "측정소", "en": "monitoring station"},
        "kind": "class",
    }
    assert {t["localName"] for t in found} >= {"stationName", "stationCode", "monitoringStation"}


def test_export_entity(run: Any) -> None:
    result = data(
        run(
            """{ normalized: exportEntity(iri: "https://data.seoul.go.kr/cps/id/sensor/V02Q1940043", format: NGSI_LD_NORMALIZED)
                 keyValues: exportEntity(iri: "https://data.seoul.go.kr/cps/id/sensor/V02Q1940043", format: NGSI_LD_KEY_VALUES)
                 sta: exportEntity(iri: "https://data.seoul.go.kr/cps/id/sensor/V02Q1940043", format: SENSORTHINGS) }"""
        )
    )
    assert result["normalized"]["@context"] == [
        "https://kg.example.seoul.go.kr/ngsi-ld/contexts/seoul-cps.jsonld"
    ]
    assert result["normalized"]["serialNumber"] == {"type": "Property", "value": "V02Q1940043"}
    assert result["keyValues"]["serialNumber"] == "V02Q1940043"
    assert result["keyValues"]["location"] == {"type": "Point", "coordinates": [126.9769, 37.5725]}
    assert len(result["sta"]["Datastreams"]) == 3
    error = run(
        '{ exportEntity(iri: "https://data.seoul.go.kr/cps/id/sensor/NOPE", format: NGSI_LD_NORMALIZED) }'
    )
    assert codes(error) == ["NOT_FOUND"]
    error = run(
        '{ exportEntity(iri: "https://data.seoul.go.kr/cps/id/district/11110", format: SENSORTHINGS) }'
    )
    assert codes(error) == ["BAD_USER_INPUT"]


# -- pagination and cursors ------------------------------------------------------------------------------------


def test_sensor_pages_are_consistent(run: Any) -> None:
    query = "query($after: String) { sensors(first: 3, after: $after) { totalCount edges { cursor node { iri } } pageInfo { hasNextPage endCursor } } }"
    seen: list[str] = []
    after = None
    while True:
        page = data(run(query, {"after": after}))["sensors"]
        assert page["totalCount"] == 8
        seen += [e["node"]["iri"] for e in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 8


def test_bad_cursors_are_refused(run: Any) -> None:
    page = data(run("{ sensors(first: 2) { pageInfo { endCursor } } }"))["sensors"]
    cursor = page["pageInfo"]["endCursor"]
    tampered = cursor[:-1] + ("0" if cursor[-1] != "0" else "1")
    body, _, check = cursor.partition(".")
    forged_body = body[:-2] + ("AA" if body[-2:] != "AA" else "BB")
    other_list = data(
        run('{ sensors(first: 2, filter: {districtCode: "11110"}) { pageInfo { endCursor } } }')
    )
    other_cursor = other_list["sensors"]["pageInfo"]["endCursor"]
    for bad in (
        tampered,
        f"{forged_body}.{check}",
        "not-a-cursor",
        "",
        "....",
        "Zm9v.000000000000",
        "x" * 5000,
        other_cursor,
    ):
        result = run("query($a: String) { sensors(first: 2, after: $a) { totalCount } }", {"a": bad})
        assert codes(result) == ["BAD_CURSOR"], bad[:40]
    for query in (
        f'query($a: String) {{ observations(sensorIri: "{S43}", property: "PM10", from: "2025-07-13T00:00:00Z", to: "2025-07-14T00:00:00Z", after: $a) {{ edges {{ cursor }} }} }}',
        "query($a: String) { spatialObjects(after: $a) { edges { cursor } } }",
        f'query($a: String) {{ entity(iri: "{S43}") {{ outgoingLinks(after: $a) {{ edges {{ cursor }} }} }} }}',
    ):
        assert codes(run(query, {"a": cursor})) == ["BAD_CURSOR"]


@pytest.mark.parametrize("first", [0, -1, 501, 10_000])
def test_page_size_is_limited(run: Any, first: int) -> None:
    result = run("query($f: Int) { sensors(first: $f) { totalCount } }", {"f": first})
    assert codes(result) == ["BAD_USER_INPUT"]
    assert "500" in (result.errors or [])[0].message


# -- batching ------------------------------------------------------------------------------------------------------

PAGE_QUERY = """query($first: Int) { sensors(first: $first) { totalCount edges { node {
    serial district { code nameKo }
    systemsUsingData { code operatedBy { code label { ko } } }
    latestObservations { property { name } value time } } } } }"""


@pytest.fixture(scope="module")
def big(schema: strawberry.Schema, settings: Settings) -> Iterator[tuple[CountingStore, Any]]:
    store = fixture_store(extra_sensors=120)
    counting = CountingStore(store)
    queries = EmbeddedLinkageQueries(counting)

    def execute(query: str, variables: dict[str, Any]) -> ExecutionResult:
        context = RequestContext(queries, READER, settings)
        return asyncio.run(schema.execute(query, variable_values=variables, context_value=context))

    yield counting, execute
    store.close()


SELECT_BOUND = 12


def test_store_queries_per_page_do_not_grow_with_the_page(big: tuple[CountingStore, Any]) -> None:
    counting, execute = big
    measured: dict[int, tuple[int, int]] = {}
    for first in (10, 100):
        counting.reset()
        result = data(execute(PAGE_QUERY, {"first": first}))["sensors"]
        assert result["totalCount"] == 128
        assert len(result["edges"]) == first
        assert all(e["node"]["district"]["code"] and e["node"]["latestObservations"] for e in result["edges"])
        assert all(e["node"]["systemsUsingData"] for e in result["edges"])
        measured[first] = (counting.selects, counting.index_reads)
    print(f"store work per page (SPARQL queries, index reads): {measured}")
    assert measured[10][0] == measured[100][0] <= SELECT_BOUND
    # index reads grow with the page (a few per sensor and per observation read), never with field fan-out
    assert measured[100][1] < 12 * measured[10][1]


# -- hostile input -------------------------------------------------------------------------------------------------

HOSTILE_VALUES = (
    "x" * 1_000_000,
    '"} } ; DROP ALL',
    "<http://x> ",
    "# comment\n} } SELECT * WHERE { ?s ?p ?o }",
    "') || true #",
    "https://data.seoul.go.kr/cps/id/sensor/V02Q1940043> } ; DROP ALL ; #",
    "종로구 \u202e\u0000 🚀",
    "\ud800",
    "",
)

#: Every string argument of the schema, as a query that passes the value in the variable $v.
HOSTILE_TEMPLATES: dict[str, str] = {
    "entity.iri": "entity(iri: $v) { iri }",
    "entityByIdentifier.value": "entityByIdentifier(scheme: S_DOT, value: $v) { iri }",
    "entitiesByIdentifier.value": "entitiesByIdentifier(scheme: NGSI_LD, value: $v) { iri }",
    "exportEntity.iri": "exportEntity(iri: $v, format: NGSI_LD_NORMALIZED)",
    "sensors.after": "sensors(after: $v) { totalCount }",
    "sensors.filter.districtCode": "sensors(filter: {districtCode: $v}) { totalCount }",
    "sensors.filter.dongCode": "sensors(filter: {dongCode: $v}) { totalCount }",
    "sensors.filter.platform": "sensors(filter: {platform: $v}) { totalCount }",
    "sensors.filter.observedProperty": "sensors(filter: {observedProperty: $v}) { totalCount }",
    "sensors.filter.nearSpatialObject.iri": "sensors(filter: {nearSpatialObject: {iri: $v, radiusMetres: 10}}) { totalCount }",
    "sensors.filter.insideSpatialObject": "sensors(filter: {insideSpatialObject: $v}) { totalCount }",
    "sensor.iri": "sensor(iri: $v) { iri }",
    "sensor.serial": "sensor(serial: $v) { iri }",
    "whoUsesSensor.iri": "whoUsesSensor(iri: $v) { datasets { code } }",
    "whoUsesSensor.serial": "whoUsesSensor(serial: $v) { datasets { code } }",
    "district.code": "district(code: $v) { code }",
    "spatialObjects.after": "spatialObjects(after: $v) { edges { cursor } }",
    "spatialObjects.filter.districtCode": "spatialObjects(filter: {districtCode: $v}) { edges { cursor } }",
    "spatialObjects.filter.use": "spatialObjects(filter: {use: $v}) { edges { cursor } }",
    "spatialObject.iri": "spatialObject(iri: $v) { iri }",
    "observations.property": f'observations(sensorIri: "{S43}", property: $v, from: "2025-07-13T00:00:00Z", to: "2025-07-14T00:00:00Z") {{ edges {{ cursor }} }}',
    "observations.from": f'observations(sensorIri: "{S43}", property: "PM10", from: $v, to: "2025-07-14T00:00:00Z") {{ edges {{ cursor }} }}',
    "observations.to": f'observations(sensorIri: "{S43}", property: "PM10", from: "2025-07-13T00:00:00Z", to: $v) {{ edges {{ cursor }} }}',
    "observations.sensorIri": 'observations(sensorIri: $v, property: "PM10", from: "2025-07-13T00:00:00Z", to: "2025-07-14T00:00:00Z") { edges { cursor } }',
    "observations.districtCode": 'observations(districtCode: $v, property: "PM10", from: "2025-07-13T00:00:00Z", to: "2025-07-14T00:00:00Z") { edges { cursor } }',
    "observations.after": f'observations(sensorIri: "{S43}", property: "PM10", from: "2025-07-13T00:00:00Z", to: "2025-07-14T00:00:00Z", after: $v) {{ edges {{ cursor }} }}',
    "department.code": "department(code: $v) { code }",
    "system.code": "system(code: $v) { code }",
    "dataset.id": "dataset(id: $v) { code }",
    "explanationPath.fromIri": f'explanationPath(fromIri: $v, toIri: "{S43}") {{ length }}',
    "explanationPath.toIri": f'explanationPath(fromIri: "{S43}", toIri: $v) {{ length }}',
    "linkageTable.departmentCode": "linkageTable(departmentCode: $v) { rows { code } }",
    "datasetsConformingTo.standard": "datasetsConformingTo(standard: $v) { confirmed }",
    "standardMappings.standardSlug": "standardMappings(standardSlug: $v) { coverage }",
    "searchOntology.text": "searchOntology(text: $v) { iri }",
    # string arguments of nested fields
    "Sensor.latestObservations.property": "sensors(first: 1) { edges { node { latestObservations(property: $v) { value } } } }",
    "Entity.outgoingLinks.after": f'entity(iri: "{S43}") {{ outgoingLinks(after: $v) {{ edges {{ cursor }} }} }}',
    "Entity.incomingLinks.after": f'entity(iri: "{S43}") {{ incomingLinks(after: $v) {{ edges {{ cursor }} }} }}',
    "LangString.text.language": 'district(code: "11110") { name: dong { iri } }',
    "submissions.dataset": "submissions(dataset: $v) { id }",
    "submissions.department": "submissions(department: $v) { id }",
    "submission.id": "submission(id: $v) { id }",
}
# The submission mutations take an upload; their string arguments are tried with hostile values over HTTP in
# tests/test_submissions_api.py.
MUTATION_ARGUMENTS_TESTED_ELSEWHERE = {
    "SubmissionMutation.submitDataset.dataset",
    "SubmissionMutation.submitDataset.department",
    "SubmissionMutation.validateDataset.dataset",
    "SubmissionMutation.validateDataset.department",
}


def _string_arguments(graphql_schema: GraphQLSchema) -> set[str]:
    """Every String argument (and String field of an input argument) of every field, as ``field.arg[.sub]``
    for root fields and ``Type.field.arg`` for the others."""
    found: set[str] = set()

    def walk_input(prefix: str, input_type: GraphQLInputObjectType, depth: int = 0) -> None:
        for name, field in input_type.fields.items():
            named = get_named_type(field.type)
            if isinstance(named, GraphQLInputObjectType) and depth < 3:
                walk_input(f"{prefix}.{name}", named, depth + 1)
            elif named.name == "String":
                found.add(f"{prefix}.{name}")

    root = graphql_schema.query_type
    for type_name, named_type in graphql_schema.type_map.items():
        if type_name.startswith("__") or not isinstance(named_type, GraphQLObjectType):
            continue
        for field_name, field in named_type.fields.items():
            prefix = field_name if named_type is root else f"{type_name}.{field_name}"
            for arg_name, arg in field.args.items():
                named = get_named_type(arg.type)
                if isinstance(named, GraphQLInputObjectType):
                    walk_input(f"{prefix}.{arg_name}", named)
                elif named.name == "String":
                    found.add(f"{prefix}.{arg_name}")
    return found


def test_hostile_templates_cover_every_string_argument(schema: strawberry.Schema) -> None:
    missing = _string_arguments(schema._schema) - set(HOSTILE_TEMPLATES) - MUTATION_ARGUMENTS_TESTED_ELSEWHERE
    assert missing == set(), "add these to HOSTILE_TEMPLATES"


def _assert_clean(result: ExecutionResult, label: str) -> None:
    for error in result.errors or []:
        code = (error.extensions or {}).get("code")
        assert code in {"BAD_USER_INPUT", "BAD_CURSOR"}, (label, error.message[:200], code)
        original = error.original_error
        assert original is None or isinstance(original, (KGServiceError, type(error))), (
            label,
            repr(original)[:200],
        )


@pytest.mark.parametrize("argument", sorted(HOSTILE_TEMPLATES))
def test_hostile_strings_get_a_clean_answer(
    run: Any, store: EmbeddedStore, counting: CountingStore, argument: str
) -> None:
    body = HOSTILE_TEMPLATES[argument]
    if argument == "LangString.text.language":
        body = 'district(code: "11110") { code } platforms { label { text(language: $v) } }'
    query = f"query($v: String!) {{ {body} }}"
    before = store.dump_nquads()
    counting.reset()
    for value in HOSTILE_VALUES:
        result = run(query, {"v": value})
        _assert_clean(result, f"{argument}={value[:30]!r}")
    # no caller's text ever reaches the text of a query
    for value in HOSTILE_VALUES[1:-2]:
        assert not any(value in text for text in counting.texts), (argument, value)
    assert store.dump_nquads() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (
            "{ sensors(filter: {near: {lon: 126.97, lat: 37.57, radiusMetres: -1}}) { totalCount } }",
            "radiusMetres",
        ),
        (
            "{ sensors(filter: {near: {lon: 126.97, lat: 37.57, radiusMetres: 1e9}}) { totalCount } }",
            "radiusMetres",
        ),
        ("{ sensors(filter: {near: {lon: 926.97, lat: 37.57, radiusMetres: 10}}) { totalCount } }", "near"),
        (
            f'{{ sensors(filter: {{nearSpatialObject: {{iri: "{S43}", radiusMetres: 0}}}}) {{ totalCount }} }}',
            "nearSpatialObject.radiusMetres",
        ),
        (
            "{ spatialObjects(filter: {near: {lon: 126.97, lat: 37.57, radiusMetres: 50001}}) { edges { cursor } } }",
            "radiusMetres",
        ),
        (
            f'{{ observations(sensorIri: "{S43}", property: "PM10", from: "2025-07-13", to: "2025-07-14T00:00:00Z") {{ edges {{ cursor }} }} }}',
            "from",
        ),
        (
            f'{{ observations(sensorIri: "{S43}", property: "PM10", from: "2025-07-13T00:00:00", to: "2025-07-14T00:00:00Z") {{ edges {{ cursor }} }} }}',
            "from",
        ),
        (
            f'{{ observations(sensorIri: "{S43}", property: "PM10", from: "yesterday", to: "2025-07-14T00:00:00Z") {{ edges {{ cursor }} }} }}',
            "from",
        ),
        (
            f'{{ observations(sensorIri: "{S43}", property: "PM10", from: "2025-07-14T00:00:00Z", to: "2025-07-13T00:00:00Z") {{ edges {{ cursor }} }} }}',
            "to",
        ),
        (
            f'{{ observations(sensorIri: "{S43}", districtCode: "11110", property: "PM10", from: "2025-07-13T00:00:00Z", to: "2025-07-14T00:00:00Z") {{ edges {{ cursor }} }} }}',
            None,
        ),
        (
            f'{{ observations(sensorIri: "{S43}", property: "PM1", from: "2025-07-13T00:00:00Z", to: "2025-07-14T00:00:00Z") {{ edges {{ cursor }} }} }}',
            "property",
        ),
        (
            f'{{ explanationPath(fromIri: "{S43}", toIri: "{S43}", maxLength: 6) {{ length }} }}',
            "maxLength",
        ),
        ("{ standardMappings { coverage } }", None),
        (f'{{ sensor(iri: "{S43}", serial: "V02Q1940043") {{ iri }} }}', None),
    ],
)
def test_bad_input_is_refused_with_bad_user_input(run: Any, query: str, field: str | None) -> None:
    result = run(query)
    assert codes(result) == ["BAD_USER_INPUT"]
    if field is not None:
        assert (result.errors or [])[0].message.startswith(field + ":")
        assert "message_ko" in ((result.errors or [])[0].extensions or {})


# -- linkage table files -----------------------------------------------------------------------------------------


def test_linkage_table_csv_for_excel(store: EmbeddedStore) -> None:
    table = EmbeddedLinkageQueries(store).linkage_table("climate-environment")
    body = linkage_table_csv(table)
    assert body.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == [
        "부서코드 / Department code",
        "부서 / Department",
        "구분 / Kind",
        "코드 / Code",
        "이름 / Name",
    ]
    assert rows[0][5] == "1 현실문제 / real-world problem"
    assert rows[0][11] == "7 자율제어 / autonomous control"
    assert [r[3] for r in rows[1:]] == ["BIZ-ENV-01", "SYS-0002", "SYS-0003", "air-quality-alert"]
    business = rows[1]
    assert business[:3] == ["climate-environment", "기후환경본부", "업무 business"]
    assert business[5] == "미세먼지 저감 [자체 self]; 대기질 통합관리시스템 [시스템 system]"
    assert business[6].endswith("(센서 sensors: 8)")
    assert business[7] == EMPTY_CELL


def test_linkage_table_xlsx(store: EmbeddedStore) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    table = EmbeddedLinkageQueries(store).linkage_table(None)
    body = linkage_table_xlsx(table)
    assert body == linkage_table_xlsx(table)  # reproducible bytes
    sheet = openpyxl.load_workbook(io.BytesIO(body))["연계테이블"]
    assert sheet["A1"].value.startswith("연계테이블")
    assert sheet["F2"].value == "1 현실문제 / real-world problem"
    assert sheet.max_row == 2 + len(table.rows)
    codes_column = [sheet.cell(row=r, column=4).value for r in range(3, sheet.max_row + 1)]
    assert "SYS-0006" in codes_column and "s-dot" in codes_column
    values = [sheet.cell(row=r, column=c).value for r in range(3, sheet.max_row + 1) for c in range(6, 13)]
    assert EMPTY_CELL in values and all(v for v in values)
    assert sheet.freeze_panes == "F3"
