"""The Neo4j backend answers exactly as the embedded one: the fixture graph (tests/graph_fixture.py) in an
embedded store and, projected from that store, in the Bolt test server; every LinkageQueries method and every
GraphQL root query run on both with the same arguments and the same principal, results compared as JSON.

Two kinds of answer follow the order in which a store reads its indexes, which differs between stores by
nature (and is, for the embedded store, an accident of insertion order): the order of an entity's links, and
of several equally short explanation paths. Those are compared as sets (with complete pages), and link paging
is checked for covering every link exactly once; everything else must be equal as it stands.
"""

from __future__ import annotations

import asyncio
import builtins
import dataclasses
import enum
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLUnionType,
    OperationDefinitionNode,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    parse,
)
from graphql.language import FieldNode

from kg_service.api.context import RequestContext
from kg_service.api.principal import Principal
from kg_service.api.schema import build_schema
from kg_service.config import Settings
from kg_service.errors import BackendUnavailableError
from kg_service.queries import EmbeddedLinkageQueries, LinkageQueries
from kg_service.queries.backend import close_queries, open_queries
from kg_service.queries.cypher import Neo4jLinkageQueries
from kg_service.queries.cypher.statements import QUERY_INDEXES
from kg_service.queries.model import (
    Circle,
    ExternalVocabulary,
    GeoPoint,
    IdentifierScheme,
    ObservationKey,
    ObservationSelector,
    SensorFilter,
    SpatialObjectFilter,
)
from kg_service.store.embedded import EmbeddedStore
from kg_service.store.neo4j import Neo4jGraph
from kg_service.store.neo4j.changelog import rebuild_from_store, store_graphs
from tests import neo4j_server
from tests.graph_fixture import fixture_store
from tests.neo4j_server import BoltServer, wipe

# the session's Bolt server (defined beside the server helper, not in conftest.py)
bolt_server = neo4j_server.bolt_server

ID = "https://data.seoul.go.kr/cps/id/"
CPS = "https://data.seoul.go.kr/cps/ontology#"
S43 = ID + "sensor/V02Q1940043"
KST = timezone(timedelta(hours=9))
CONTEXT_URL = "https://kg.example.seoul.go.kr/ngsi-ld/contexts/seoul-cps.jsonld"
READER = Principal(department="transport", role="reader", token_id="t-parity")


class NoSubmissions:
    """A submission log with nothing committed (the fixture graphs are loaded directly)."""

    def committed_since(self, sequence: int) -> list[Any]:
        return []


# -- the two backends ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def embedded_store() -> Iterator[EmbeddedStore]:
    store = fixture_store()
    yield store
    store.close()


@pytest.fixture(scope="module")
def projected(bolt_server: BoltServer, embedded_store: EmbeddedStore) -> Iterator[Neo4jGraph]:
    graph = bolt_server.connect()
    try:
        wipe(graph)
        assert graph.dialect is not None
        graph.dialect.ensure_indexes(graph, QUERY_INDEXES)
        result = rebuild_from_store(graph, embedded_store, NoSubmissions())
        assert result.triples == sum(
            s.triples for s in embedded_store.graph_sizes() if s.graph in store_graphs(embedded_store)
        )
        yield graph
    finally:
        graph.close()


@pytest.fixture(scope="module")
def backends(embedded_store: EmbeddedStore, projected: Neo4jGraph) -> tuple[LinkageQueries, LinkageQueries]:
    return EmbeddedLinkageQueries(embedded_store), Neo4jLinkageQueries(projected)


# -- comparing -------------------------------------------------------------------------------------------------


def as_json(value: Any) -> Any:
    """Records as JSON-ready data (what the API serialises), so equal JSON means equal answers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def outcome(call: Callable[[], Any]) -> Any:
    """The JSON of an answer, or the error it raised (type, message, hint)."""
    try:
        return {"answer": as_json(call())}
    except Exception as error:
        return {"error": [type(error).__name__, str(error), getattr(error, "hint", "")]}


def sorted_json(value: Any) -> Any:
    """Every list sorted (for answers whose order follows index reads)."""
    if isinstance(value, dict):
        return {k: sorted_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((sorted_json(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def link_set(value: Any) -> Any:
    """A link page as the set of its links (blank nodes, named differently by each store, as one name)."""
    if "answer" not in value:
        return value
    links = value["answer"]["links"]
    for link in links:
        if link["node"] and link["node"].startswith("_:"):
            link["node"] = "_:blank"
    return {"links": sorted_json(links), "has_more": value["answer"]["has_more"]}


def path_set(value: Any) -> Any:
    """Explanation paths as a set (when more than one is shortest, their order is index order)."""
    return sorted_json(value)


# -- LinkageQueries methods ----------------------------------------------------------------------------------

DAY = datetime(2025, 7, 13, tzinfo=KST)
PM10 = CPS + "PM10"
JUNG_GU = ObservationSelector(PM10, DAY, DAY + timedelta(hours=6), district_code="11140")
S43_TWO_DAYS = ObservationSelector(PM10, DAY, DAY + timedelta(days=2), sensor=S43)

MethodCase = tuple[str, tuple[Any, ...], Callable[[Any], Any] | None]
METHOD_CASES: list[MethodCase] = [
    ("entity", (S43,), None),
    ("entity", (ID + "district/11140",), None),
    ("entity", (CPS + "Sensor",), None),
    ("entity", (ID + "nothing/here",), None),
    ("entity", ("not an iri",), None),
    ("entities", ([S43, ID + "building/B1111011900001", ID + "nothing/here", S43],), None),
    ("find_by_identifier", (IdentifierScheme.S_DOT, "V02Q1940043"), None),
    ("find_by_identifier", (IdentifierScheme.NGSI_LD, "urn:ngsi-ld:Device:V02Q1940043"), None),
    ("find_by_identifier", (IdentifierScheme.S_MAP, "SF-0001"), None),
    ("find_by_identifier", (IdentifierScheme.DISTRICT_CODE, "11110"), None),
    ("find_by_identifier", (IdentifierScheme.DONG_CODE, "11110119"), None),
    ("find_by_identifier", (IdentifierScheme.DEPARTMENT_CODE, "transport"), None),
    ("find_by_identifier", (IdentifierScheme.SYSTEM_CODE, "SYS-0001"), None),
    ("find_by_identifier", (IdentifierScheme.S_DOT, "x' }) MATCH (n) DETACH DELETE n //"), None),
    ("find_by_identifier", (IdentifierScheme.S_DOT, " "), None),
    ("identifiers", (S43,), None),
    ("identifiers", (ID + "facility/SF-0001",), None),
    ("identifiers", (ID + "district/11110",), None),
    ("links", (S43, "outgoing", 0, 500), link_set),
    ("links", (ID + "district/11140", "incoming", 0, 1000), link_set),
    ("links", (CPS + "Sensor", "outgoing", 0, 500), link_set),
    ("links", (ID + "nothing/here", "incoming", 0, 10), link_set),
    ("find_sensors", (SensorFilter(),), None),
    ("find_sensors", (SensorFilter(district_code="11110"),), None),
    ("find_sensors", (SensorFilter(dong_code="11140127", observed_property="PM25"),), None),
    ("find_sensors", (SensorFilter(near=Circle(126.9769, 37.5725, 1500), platform="s-dot"),), None),
    ("find_sensors", (SensorFilter(near=Circle(126.9769, 37.5725, 1500), platform="big-data"),), None),
    ("find_sensors", (SensorFilter(inside_object=ID + "building/B1111011900001"),), None),
    ("find_sensors", (SensorFilter(near_object=(ID + "building/B1168010500005", 2000.0)),), None),
    ("find_sensors", (SensorFilter(district_code="11680", observed_property="기온"),), None),
    ("find_sensors", (SensorFilter(platform="nope"),), None),
    ("find_sensors", (SensorFilter(district_code="1111"),), None),
    ("find_sensors", (SensorFilter(observed_property="no such property"),), None),
    ("find_sensors", (SensorFilter(near=Circle(200.0, 37.5, 100)),), None),
    ("sensors", ([S43, ID + "sensor/station-11110", ID + "building/B1111011900001"],), None),
    ("sensor_for_serial", ("V02Q1940043",), None),
    ("sensor_for_serial", ("V02Q0000000",), None),
    ("latest_observations", ([S43, ID + "sensor/station-11680", ID + "nothing/here"], None), None),
    ("latest_observations", ([S43, ID + "sensor/V02Q1940202"], CPS + "PM25"), None),
    ("sensor_datasets", ([S43, ID + "sensor/station-11110", ID + "nothing/here"],), None),
    ("observable_properties", (), None),
    ("resolve_property", ("PM10",), None),
    ("resolve_property", ("초미세먼지",), None),
    ("resolve_property", (CPS + "AirTemperature",), None),
    ("resolve_property", ("nothing like it",), None),
    ("find_spatial_objects", (SpatialObjectFilter(), None, 3), None),
    ("find_spatial_objects", (SpatialObjectFilter(), ID + "building/B1114012600003", 3), None),
    ("find_spatial_objects", (SpatialObjectFilter(district_code="11680"), None, 10), None),
    ("find_spatial_objects", (SpatialObjectFilter(use="업무시설"), None, 10), None),
    ("find_spatial_objects", (SpatialObjectFilter(containing=GeoPoint(126.9769, 37.5725)), None, 10), None),
    ("find_spatial_objects", (SpatialObjectFilter(near=Circle(126.9780, 37.5665, 3000)), None, 10), None),
    ("spatial_objects", ([ID + "building/B1111011900001", ID + "facility/SF-0001", S43],), None),
    ("geometry_wkt", ([ID + "building/B1111011900001", S43, ID + "district/11110"],), None),
    ("districts", (), None),
    ("district_sensor_counts", (), None),
    ("observation_page", (JUNG_GU, None, 5), None),
    (
        "observation_page",
        (JUNG_GU, ObservationKey("2025-07-13T02:00:00+09:00", ID + "observation/x"), 4),
        None,
    ),
    ("observation_page", (S43_TWO_DAYS, None, 500), None),
    ("observation_page", (S43_TWO_DAYS, ObservationKey("not a time", ""), 5), None),
    ("observation_page", (JUNG_GU, None, 0), None),
    ("observation_page", (ObservationSelector(PM10, DAY, DAY), None, 5), None),
    ("observation_aggregates", (JUNG_GU,), None),
    ("observation_aggregates", (S43_TWO_DAYS,), None),
    (
        "observation_aggregates",
        (ObservationSelector(CPS + "PM25", DAY, DAY + timedelta(days=9), "11680"),),
        None,
    ),
    ("organisation", (), None),
    ("explanation_paths", (ID + "service/air-quality-alert", S43, 5), path_set),
    ("explanation_paths", (ID + "department/transport", ID + "platform/s-map", 4), path_set),
    ("explanation_paths", (S43, S43, 3), None),
    ("explanation_paths", (S43, ID + "nothing/here", 3), None),
    ("explanation_paths", (S43, S43, 6), None),
    ("ontology_info", (), None),
    ("ontology_terms", (), None),
    ("standard_mappings", ((ExternalVocabulary.SOSA, ExternalVocabulary.SSN),), None),
    ("standard_mappings", ((ExternalVocabulary.NGSI_LD,),), None),
    ("standard_mappings", ((ExternalVocabulary.SENSORTHINGS,),), None),
    ("platform_linkage_matrix", (), None),
    ("linkage_table", (None,), None),
    ("linkage_table", ("transport",), None),
    ("linkage_table", ("no-such-department",), None),
    ("who_uses_sensor", (S43,), None),
    ("standards", (), None),
    ("datasets_conforming_to", ("sosa-ssn",), None),
    ("datasets_conforming_to", ("no such standard",), None),
    ("export_entity", (S43, "ngsi-ld-normalized", CONTEXT_URL), sorted_json),
    ("export_entity", (S43, "ngsi-ld-key-values", CONTEXT_URL), sorted_json),
    ("export_entity", (S43, "sensorthings", CONTEXT_URL), None),
    ("export_entity", (ID + "building/B1111011900001", "ngsi-ld-normalized", CONTEXT_URL), sorted_json),
    ("export_entity", (ID + "building/B1111011900001", "sensorthings", CONTEXT_URL), None),
]


def protocol_methods() -> set[str]:
    return {name for name in dir(LinkageQueries) if not name.startswith("_")}


def test_every_linkage_queries_method_has_a_parity_case() -> None:
    assert protocol_methods() - {name for name, _, _ in METHOD_CASES} == set()


@pytest.mark.parametrize(
    ("method", "args", "normalise"),
    METHOD_CASES,
    ids=[f"{name}-{index}" for index, (name, _, _) in enumerate(METHOD_CASES)],
)
def test_method_parity(
    backends: tuple[LinkageQueries, LinkageQueries],
    method: str,
    args: tuple[Any, ...],
    normalise: Callable[[Any], Any] | None,
) -> None:
    embedded, neo4j = backends
    expected = outcome(lambda: getattr(embedded, method)(*args))
    found = outcome(lambda: getattr(neo4j, method)(*args))
    if normalise is not None:
        expected, found = normalise(expected), normalise(found)
    assert found == expected


@pytest.mark.parametrize(
    ("iri", "direction"),
    [(ID + "district/11140", "incoming"), (S43, "outgoing"), (CPS + "PM10", "incoming")],
)
def test_link_pages_cover_every_link_once(
    backends: tuple[LinkageQueries, LinkageQueries], iri: str, direction: Any
) -> None:
    embedded, neo4j = backends
    everything = link_set(outcome(lambda: embedded.links(iri, direction, 0, 5000)))
    pages: list[Any] = []
    offset, more = 0, True
    while more:
        page = neo4j.links(iri, direction, offset, 37)
        pages.extend(page.links)
        offset, more = offset + 37, page.has_more
    walked = link_set({"answer": {"links": as_json(pages), "has_more": False}})
    assert walked == everything
    assert len(pages) == len({json.dumps(as_json(link), sort_keys=True) for link in pages})


def test_observation_pages_walk_alike(backends: tuple[LinkageQueries, LinkageQueries]) -> None:
    selector = ObservationSelector(PM10, DAY, DAY + timedelta(days=2), district_code="11110")
    walks = []
    for backend in backends:
        seen: list[Any] = []
        after = None
        while True:
            records, more = backend.observation_page(selector, after, 37)
            seen.extend(as_json(records))
            if not more:
                break
            after = ObservationKey(records[-1].time_text, records[-1].iri)
        walks.append(seen)
    assert walks[1] == walks[0] and len(walks[0]) == 3 * 48


def test_spatial_pages_walk_alike(backends: tuple[LinkageQueries, LinkageQueries]) -> None:
    walks = []
    for backend in backends:
        seen: list[str] = []
        after = None
        while True:
            found, more = backend.find_spatial_objects(SpatialObjectFilter(), after, 2)
            seen.extend(found)
            if not more:
                break
            after = found[-1]
        walks.append(seen)
    assert walks[1] == walks[0] and len(walks[0]) >= 5


# -- GraphQL: every root field --------------------------------------------------------------------------------

#: Arguments of fields that need them (or that must be given to return complete, comparable pages).
FIELD_ARGUMENTS: dict[tuple[str, str], str] = {
    ("Entity", "outgoingLinks"): "(first: 500)",
    ("Entity", "incomingLinks"): "(first: 500)",
    ("Sensor", "latestObservations"): "",
}
#: Fields left out of the generated selections (they are the same object seen again, or order-dependent in
#: ways compared elsewhere).
SKIPPED_FIELDS: set[tuple[str, str]] = set()


def q(query: str, *iris: str) -> str:
    """``query`` with each ``@`` replaced by the next IRI."""
    for iri in iris:
        query = query.replace("@", iri, 1)
    return query


GRAPHQL_CASES: dict[str, list[tuple[str, dict[str, Any] | None]]] = {
    "entity": [
        (q('{ entity(iri: "@") SELECTION }', S43), None),
        (q('{ entity(iri: "@") SELECTION }', ID + "district/11140"), None),
        (q('{ entity(iri: "@") { iri } }', ID + "nothing"), None),
        ('{ entity(iri: "bad iri") { iri } }', None),
    ],
    "entityByIdentifier": [
        ('{ entityByIdentifier(scheme: NGSI_LD, value: "urn:ngsi-ld:Device:V02Q1940043") SELECTION }', None),
        ('{ entityByIdentifier(scheme: DISTRICT_CODE, value: "11680") SELECTION }', None),
    ],
    "entitiesByIdentifier": [
        ('{ entitiesByIdentifier(scheme: S_DOT, value: "V02Q1940043") SELECTION }', None)
    ],
    "exportEntity": [
        (q('{ exportEntity(iri: "@", format: SENSORTHINGS) }', S43), None),
        (q('{ exportEntity(iri: "@", format: NGSI_LD_NORMALIZED) }', S43), None),
        (q('{ exportEntity(iri: "@", format: NGSI_LD_KEY_VALUES) }', ID + "building/B1111011900001"), None),
    ],
    "sensors": [
        ("{ sensors SELECTION }", None),
        ('{ sensors(first: 2, filter: {districtCode: "11110"}) SELECTION }', None),
        (
            '{ sensors(filter: {near: {lon: 126.9769, lat: 37.5725, radiusMetres: 1500}, platform: "s-dot"}) '
            "SELECTION }",
            None,
        ),
        (
            q('{ sensors(filter: {insideSpatialObject: "@"}) SELECTION }', ID + "building/B1111011900001"),
            None,
        ),
        ('{ sensors(filter: {platform: "nope"}) { totalCount } }', None),
    ],
    "sensor": [
        ('{ sensor(serial: "V02Q1940043") SELECTION }', None),
        (q('{ sensor(iri: "@") SELECTION }', ID + "sensor/station-11680"), None),
    ],
    "whoUsesSensor": [
        ('{ whoUsesSensor(serial: "V02Q1940043") SELECTION }', None),
        ('{ whoUsesSensor(serial: "V02Q0000000") SELECTION }', None),
    ],
    "districts": [("{ districts SELECTION }", None)],
    "district": [
        ('{ district(code: "11680") SELECTION }', None),
        ('{ district(code: "99999") SELECTION }', None),
    ],
    "spatialObjects": [
        ("{ spatialObjects SELECTION }", None),
        ("{ spatialObjects(filter: {containing: {lon: 126.9769, lat: 37.5725}}) SELECTION }", None),
        ("{ spatialObjects(first: 2, filter: {kind: BUILDING}) SELECTION }", None),
    ],
    "spatialObject": [(q('{ spatialObject(iri: "@") SELECTION }', ID + "building/B1111011900001"), None)],
    "observations": [
        (
            '{ observations(districtCode: "11140", property: "PM10", from: "2025-07-13T00:00:00+09:00", '
            'to: "2025-07-13T06:00:00+09:00", first: 5) SELECTION }',
            None,
        ),
        (
            q(
                '{ observations(sensorIri: "@", property: "기온", from: "2025-07-13T00:00:00+09:00", '
                'to: "2025-07-16T00:00:00+09:00", first: 100) SELECTION }',
                S43,
            ),
            None,
        ),
    ],
    "observableProperties": [("{ observableProperties SELECTION }", None)],
    "departments": [("{ departments SELECTION }", None)],
    "department": [('{ department(code: "transport") SELECTION }', None)],
    "systems": [("{ systems SELECTION }", None)],
    "system": [('{ system(code: "SYS-0002") SELECTION }', None)],
    "platforms": [("{ platforms SELECTION }", None)],
    "datasets": [("{ datasets SELECTION }", None)],
    "dataset": [('{ dataset(id: "sdot-environment") SELECTION }', None)],
    "services": [("{ services SELECTION }", None)],
    "cpsFunctions": [("{ cpsFunctions SELECTION }", None)],
    "platformLinkageMatrix": [("{ platformLinkageMatrix SELECTION }", None)],
    "explanationPath": [
        (
            q(
                '{ explanationPath(fromIri: "@", toIri: "@", maxLength: 5) SELECTION }',
                ID + "service/air-quality-alert",
                S43,
            ),
            None,
        )
    ],
    "linkageTable": [
        ('{ linkageTable(departmentCode: "transport") SELECTION }', None),
        ("{ linkageTable SELECTION }", None),
    ],
    "standards": [("{ standards SELECTION }", None)],
    "datasetsConformingTo": [('{ datasetsConformingTo(standard: "sosa-ssn") SELECTION }', None)],
    "standardMappings": [
        ("{ standardMappings(vocabulary: GEOSPARQL) SELECTION }", None),
        ("{ standardMappings(vocabulary: SENSORTHINGS) SELECTION }", None),
    ],
    "ontology": [("{ ontology SELECTION }", None)],
    "searchOntology": [('{ searchOntology(text: "측정소") SELECTION }', None)],
    "submissions": [("{ submissions SELECTION }", None)],
    "submission": [('{ submission(id: "sub-0") SELECTION }', None)],
}


def selection(output: GraphQLOutputType, depth: int) -> str:
    """A selection of every field reachable from ``output`` within ``depth`` levels (fields with required
    arguments only where :data:`FIELD_ARGUMENTS` gives them)."""
    named = get_named_type(output)
    if is_leaf_type(named):
        return ""
    if isinstance(named, GraphQLUnionType):
        parts = [f"... on {member.name} {selection(member, depth)}" for member in named.types]
        return "{ __typename " + " ".join(parts) + " }"
    assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
    parts = []
    for name, field in named.fields.items():
        key = (named.name, name)
        if key in SKIPPED_FIELDS:
            continue
        required = [a for a in field.args.values() if is_non_null_type(a.type) and a.default_value is None]
        if required and key not in FIELD_ARGUMENTS:
            continue
        arguments = FIELD_ARGUMENTS.get(key, "")
        if is_leaf_type(get_named_type(field.type)):
            parts.append(name + arguments)
        elif depth > 0:
            inner = selection(field.type, depth - 1)
            if inner:
                parts.append(f"{name}{arguments} {inner}")
    return "{ " + " ".join(parts) + " }" if parts else ""


def root_fields(query: str) -> set[str]:
    document = parse(query)
    names: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            names.update(
                s.name.value for s in definition.selection_set.selections if isinstance(s, FieldNode)
            )
    return names


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema()


def expanded(schema: strawberry.Schema, root: str, query: str) -> str:
    if "SELECTION" not in query:
        return query
    field = schema._schema.query_type.fields[root]
    return query.replace("SELECTION", selection(field.type, 4))


def test_every_root_field_has_a_graphql_parity_case(schema: strawberry.Schema) -> None:
    roots = set(schema._schema.query_type.fields)
    covered = {
        name for queries in GRAPHQL_CASES.values() for query, _ in queries for name in root_fields(query)
    }
    assert roots - covered == set(), "root fields without a parity case"
    assert set(GRAPHQL_CASES) <= roots


def as_sets(data: Any) -> Any:
    """An execution's data with link connections and explanation paths compared as sets (their order is the
    store's index order), link cursors (offsets into that order) dropped, blank nodes under one name, and the
    lists inside exported JSON sorted."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in {"outgoingLinks", "incomingLinks"} and isinstance(value, dict):
                edges = [{k: v for k, v in edge.items() if k != "cursor"} for edge in value.get("edges", [])]
                out[key] = as_sets({**value, "edges": sorted_json(as_sets(edges))})
            elif key in {"paths", "exportEntity"}:
                out[key] = sorted_json(as_sets(value))
            else:
                out[key] = as_sets(value)
        return out
    if isinstance(data, list):
        return [as_sets(v) for v in data]
    if isinstance(data, str) and data.startswith("_:"):
        return "_:blank"
    return data


def execution(schema: strawberry.Schema, queries: LinkageQueries, query: str, variables: Any) -> Any:
    context = RequestContext(queries, READER, Settings(demo=False), base_url="https://kg.example.seoul.go.kr")
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=context))
    errors = sorted(
        json.dumps([e.message, e.path, (e.extensions or {}).get("code")], ensure_ascii=False)
        for e in result.errors or []
    )
    return {"data": as_sets(result.data), "errors": errors}


GRAPHQL_PARAMS = [
    (root, index, query, variables)
    for root, queries in GRAPHQL_CASES.items()
    for index, (query, variables) in enumerate(queries)
]


@pytest.mark.parametrize(
    ("root", "index", "query", "variables"),
    GRAPHQL_PARAMS,
    ids=[f"{root}-{index}" for root, index, _, _ in GRAPHQL_PARAMS],
)
def test_graphql_parity(
    schema: strawberry.Schema,
    backends: tuple[LinkageQueries, LinkageQueries],
    root: str,
    index: int,
    query: str,
    variables: dict[str, Any] | None,
) -> None:
    text = expanded(schema, root, query)
    embedded, neo4j = backends
    expected = execution(schema, embedded, text, variables)
    found = execution(schema, neo4j, text, variables)
    assert found == expected
    assert expected["data"] is not None or expected["errors"]


# -- choosing the backend --------------------------------------------------------------------------------------


def backend_settings(bolt_server: BoltServer, backend: str) -> Settings:
    server = bolt_server.settings
    return Settings(
        demo=False,
        backend=backend,  # type: ignore[arg-type]
        neo4j_uri=server.uri,
        neo4j_user=server.user,
        neo4j_password=server.password,
        neo4j_database=server.database,
    )


def test_open_queries_chooses_the_backend(
    bolt_server: BoltServer, embedded_store: EmbeddedStore, projected: Neo4jGraph, schema: strawberry.Schema
) -> None:
    embedded = open_queries(backend_settings(bolt_server, "embedded"), embedded_store)
    assert isinstance(embedded, EmbeddedLinkageQueries)
    neo4j = open_queries(backend_settings(bolt_server, "neo4j"), embedded_store)
    try:
        assert isinstance(neo4j, Neo4jLinkageQueries)
        query = '{ district(code: "11680") { nameKo sensorCount } }'
        assert execution(schema, neo4j, query, None) == execution(schema, embedded, query, None)
    finally:
        close_queries(neo4j)
        close_queries(embedded)  # nothing to close: the caller owns the embedded store
    assert embedded.districts()


def test_a_missing_driver_names_the_extra(
    bolt_server: BoltServer, embedded_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_neo4j(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "neo4j" or name.startswith("neo4j."):
            raise ImportError("No module named 'neo4j'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_neo4j)
    with pytest.raises(BackendUnavailableError, match=r"kg-service\[neo4j\]"):
        open_queries(backend_settings(bolt_server, "neo4j"), embedded_store)
