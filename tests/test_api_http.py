"""The HTTP API against a real uvicorn server on a loopback port, talked to with httpx as a client would.

The GraphQL schema here is a small stand-in (``hello``, a self-nesting ``Node``, resolvers that fail in known
ways), so these tests pin the HTTP layer (auth, limits, error shape, SPARQL, metrics, GraphiQL) independently
of the real schema; ``test_real_schema_*`` check auth, limits and GraphiQL's introspection on
``build_schema()``, and ``test_kg_serve_*`` run the ``kg serve`` command itself in a subprocess.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import strawberry
import uvicorn
from graphql import get_introspection_query
from strawberry.file_uploads import Upload
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from kg_service.api.app import DEMO_BANNER, create_app
from kg_service.api.auth import TokenStore
from kg_service.api.graphiql import GRAPHIQL_DIR, VENDORED_ASSETS, file_integrity
from kg_service.api.principal import Principal
from kg_service.bootstrap import initialise_store
from kg_service.config import REPOSITORY_ROOT, Settings
from kg_service.errors import AuthorizationError, NotFoundError
from kg_service.store.embedded import EmbeddedStore

pytestmark = pytest.mark.timeout(300)

ONTOLOGY_DIR = REPOSITORY_ROOT / "ontology"


# -- stand-in schema ------------------------------------------------------------------------------------


@dataclass
class StandInContext:
    principal: Principal


@strawberry.type
class Node:
    name: str

    @strawberry.field
    def child(self) -> Node:
        return Node(name=f"{self.name}.c")

    @strawberry.field
    def children(self, first: int = 10) -> list[Node]:
        return [Node(name=f"{self.name}.{i}") for i in range(min(first, 3))]


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, info: Info[StandInContext, None]) -> str:
        return f"hello {info.context.principal.department}"

    @strawberry.field
    def node(self) -> Node:
        return Node(name="n")

    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError("secret internal detail at /srv/kg/config.py")

    @strawberry.field
    def missing(self) -> str:
        raise NotFoundError("no such dataset", "그런 데이터셋이 없습니다", hint="list the datasets first")

    @strawberry.field
    def admin_only(self, info: Info[StandInContext, None]) -> str:
        if not info.context.principal.has_role("admin"):
            raise AuthorizationError("admins only", "관리자만 가능합니다", hint="ask an admin")
        return "secret"

    @strawberry.field
    async def slow(self) -> str:
        await asyncio.sleep(3)
        return "late"


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def upload(self, file: Upload) -> int:
        return len(await file.read())  # type: ignore[attr-defined]


STAND_IN_SCHEMA = strawberry.Schema(
    query=Query, mutation=Mutation, config=StrawberryConfig(batching_config={"max_operations": 100})
)


def stand_in_context(principal: Principal, request: object) -> StandInContext:
    return StandInContext(principal)


class ServiceSettings(Settings):
    """The settings plus the limit fields the API reads (until config.py declares them)."""

    max_query_depth: int = 12
    max_aliases: int = 30
    max_query_cost: int = 50_000
    max_batch_operations: int = 10
    max_request_bytes: int = 100_000
    request_timeout_seconds: float = 30.0
    sparql_max_rows: int = 10_000


# -- a real server --------------------------------------------------------------------------------------


class RunningServer:
    """uvicorn serving ``app`` on a free loopback port in a background thread."""

    def __init__(self, app: object) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", http="h11", ws="none")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def stop(self) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(15)


@dataclass
class Tokens:
    reader: str
    editor: str
    revoked: str


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kg-api")


@pytest.fixture(scope="module")
def store(data_dir: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.open(data_dir / "store")
    initialise_store(opened, ONTOLOGY_DIR)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def tokens(data_dir: Path) -> Tokens:
    token_store = TokenStore.for_data_dir(data_dir)
    revoked = token_store.create("transport", "reader", "to be revoked")
    token_store.revoke(revoked.info.token_id)
    return Tokens(
        reader=token_store.create("transport", "reader", "tests").plaintext,
        editor=token_store.create("smart-city-policy", "editor", "tests").plaintext,
        revoked=revoked.plaintext,
    )


ServerFactory = Callable[..., RunningServer]


@pytest.fixture(scope="module")
def start_server(data_dir: Path, store: EmbeddedStore) -> Iterator[ServerFactory]:
    started: list[RunningServer] = []

    def start(
        *, store_override: EmbeddedStore | None = None, use_real_schema: bool = False, **overrides: object
    ) -> RunningServer:
        settings = ServiceSettings(data_dir=data_dir, **overrides)  # type: ignore[arg-type]
        if use_real_schema:
            app = create_app(settings, store_override or store)
        else:
            app = create_app(
                settings, store_override or store, schema=STAND_IN_SCHEMA, context_factory=stand_in_context
            )
        server = RunningServer(app)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def server(start_server: ServerFactory) -> RunningServer:
    return start_server()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post_graphql(server: RunningServer, query: str, token: str | None, **extra: object) -> httpx.Response:
    headers = bearer(token) if token else {}
    return server.client.post("/graphql", json={"query": query, **extra}, headers=headers)


def raw_status(server: RunningServer, request: bytes) -> int:
    """Send raw bytes and return the status code of the answer (for requests httpx refuses to build)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        # The server may answer and close before reading everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors", [])]


# -- authentication -------------------------------------------------------------------------------------


def test_graphql_requires_a_token(server: RunningServer) -> None:
    response = post_graphql(server, "{ hello }", None)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert codes(response) == ["UNAUTHENTICATED"]
    error = response.json()["errors"][0]
    assert error["extensions"]["message_ko"] and error["extensions"]["hint"]


@pytest.mark.parametrize("which", ["bad", "revoked", "wrong scheme"])
def test_bad_or_revoked_tokens_are_refused(server: RunningServer, tokens: Tokens, which: str) -> None:
    header = {
        "bad": "Bearer kg_0123456789ab_" + "x" * 43,
        "revoked": f"Bearer {tokens.revoked}",
        "wrong scheme": f"Basic {tokens.reader}",
    }[which]
    response = server.client.post("/graphql", json={"query": "{ hello }"}, headers={"Authorization": header})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert codes(response) == ["UNAUTHENTICATED"]


def test_a_good_token_gets_an_answer_as_its_department(server: RunningServer, tokens: Tokens) -> None:
    response = post_graphql(server, "{ hello }", tokens.reader)
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "hello transport"}}
    via_get = server.client.get("/graphql", params={"query": "{ hello }"}, headers=bearer(tokens.reader))
    assert via_get.status_code == 200
    assert via_get.json()["data"]["hello"] == "hello transport"


def test_role_too_low_is_forbidden_in_graphql(server: RunningServer, tokens: Tokens) -> None:
    response = post_graphql(server, "{ adminOnly }", tokens.editor)
    assert response.status_code == 200
    assert codes(response) == ["FORBIDDEN"]
    assert response.json()["errors"][0]["extensions"]["message_ko"] == "관리자만 가능합니다"


def test_demo_mode_needs_no_token_and_says_so(
    start_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="kg_service.api"):
        demo = start_server(demo=True)
    assert any(DEMO_BANNER in record.getMessage() for record in caplog.records)
    response = post_graphql(demo, "{ hello }", None)
    assert response.status_code == 200
    assert response.json()["data"]["hello"] == "hello smart-city-policy"
    sparql = demo.client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert sparql.status_code == 200


# -- limits -----------------------------------------------------------------------------------------------


def nested(depth: int) -> str:
    """A query ``depth`` fields deep: node { child { child … { name } } }."""
    inner = "name"
    for _ in range(depth - 2):
        inner = f"child {{ {inner} }}"
    return f"{{ node {{ {inner} }} }}"


def test_depth_limit(server: RunningServer, tokens: Tokens) -> None:
    assert post_graphql(server, nested(12), tokens.reader).status_code == 200
    response = post_graphql(server, nested(13), tokens.reader)
    assert response.status_code == 400
    assert codes(response) == ["LIMIT_EXCEEDED"]
    assert response.json()["errors"][0]["extensions"]["message_ko"]


def test_depth_counts_through_fragments(server: RunningServer, tokens: Tokens) -> None:
    inner = "name"
    for _ in range(11):
        inner = f"child {{ {inner} }}"
    # node (1) > child in A (2) > eleven children in B (13) > name (14)
    query = (
        f"{{ node {{ ...A }} }} fragment A on Node {{ child {{ ...B }} }} fragment B on Node {{ {inner} }}"
    )
    response = post_graphql(server, query, tokens.reader)
    assert response.status_code == 400
    assert codes(response) == ["LIMIT_EXCEEDED"]


def test_fragment_cycles_are_refused_cleanly(server: RunningServer, tokens: Tokens) -> None:
    query = "{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }"
    response = post_graphql(server, query, tokens.reader)
    assert response.status_code == 400
    assert codes(response) in (["LIMIT_EXCEEDED"], ["GRAPHQL_VALIDATION_FAILED"])


def test_alias_limit(server: RunningServer, tokens: Tokens) -> None:
    thirty = " ".join(f"a{i}: hello" for i in range(30))
    assert post_graphql(server, f"{{ {thirty} }}", tokens.reader).status_code == 200
    response = post_graphql(server, f"{{ {thirty} extra: hello }}", tokens.reader)
    assert response.status_code == 400
    assert codes(response) == ["LIMIT_EXCEEDED"]


def test_aliases_in_a_fragment_count_per_spread(server: RunningServer, tokens: Tokens) -> None:
    fragment = "fragment F on Query { " + " ".join(f"a{i}: hello" for i in range(10)) + " }"
    spreads = " ".join(f"n{i}: node {{ name }} ...F" for i in range(3))
    response = post_graphql(server, f"{{ {spreads} }} {fragment}", tokens.reader)
    assert response.status_code == 400
    assert codes(response) == ["LIMIT_EXCEEDED"]


def test_cost_limit(server: RunningServer, tokens: Tokens) -> None:
    cheap = "{ node { children(first: 100) { children(first: 100) { name } } } }"
    assert post_graphql(server, cheap, tokens.reader).status_code == 200
    costly = "{ node { children(first: 1000) { children(first: 1000) { name } } } }"
    response = post_graphql(server, costly, tokens.reader)
    assert response.status_code == 400
    assert codes(response) == ["LIMIT_EXCEEDED"]
    by_variable = "query Q($n: Int!) { node { children(first: $n) { children(first: $n) { name } } } }"
    response = post_graphql(server, by_variable, tokens.reader, variables={"n": 1000})
    assert codes(response) == ["LIMIT_EXCEEDED"]


def test_batch_limit(server: RunningServer, tokens: Tokens) -> None:
    two = [{"query": "{ hello }"}, {"query": "query Named { hello }"}]
    response = server.client.post("/graphql", json=two, headers=bearer(tokens.reader))
    assert response.status_code == 200
    assert [item["data"]["hello"] for item in response.json()] == ["hello transport"] * 2
    eleven = [{"query": "{ hello }"}] * 11
    response = server.client.post("/graphql", json=eleven, headers=bearer(tokens.reader))
    assert response.status_code == 400
    assert codes(response) == ["LIMIT_EXCEEDED"]


def test_body_size_limit(server: RunningServer, tokens: Tokens) -> None:
    query = "{ hello }" + " " * 150_000
    response = post_graphql(server, query, tokens.reader)
    assert response.status_code == 413
    assert codes(response) == ["LIMIT_EXCEEDED"]


def test_query_string_size_limit(start_server: ServerFactory, tokens: Tokens) -> None:
    small = start_server(max_request_bytes=2_000)
    response = small.client.get(
        "/graphql", params={"query": "{ hello }" + " " * 3_000}, headers=bearer(tokens.reader)
    )
    assert response.status_code == 414
    assert codes(response) == ["LIMIT_EXCEEDED"]
    assert (
        small.client.get("/graphql", params={"query": "{ hello }"}, headers=bearer(tokens.reader)).status_code
        == 200
    )


def upload(
    server: RunningServer, token: str, size: int, headers: dict[str, str] | None = None
) -> httpx.Response:
    operations = {"query": "mutation Up($f: Upload!) { upload(file: $f) }", "variables": {"f": None}}
    return server.client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
        files={"0": ("rows.csv", b"x" * size, "text/csv")},
        headers={**bearer(token), **(headers or {})},
    )


def test_multipart_uploads_and_their_size_limit(start_server: ServerFactory, tokens: Tokens) -> None:
    small = start_server(max_upload_bytes=200_000)
    accepted = upload(small, tokens.reader, 150_000)  # over the 100 kB body limit, under the upload limit
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"data": {"upload": 150_000}}
    too_big = upload(small, tokens.reader, 300_000)
    assert too_big.status_code == 413
    assert codes(too_big) == ["LIMIT_EXCEEDED"]


def test_cross_origin_uploads_are_refused(server: RunningServer, tokens: Tokens) -> None:
    forged = upload(server, tokens.reader, 10, {"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert codes(forged) == ["CROSS_ORIGIN_UPLOAD"]
    same_site = upload(server, tokens.reader, 10, {"Origin": server.url})
    assert same_site.status_code == 200


def test_demo_mode_answers_only_to_loopback_names(start_server: ServerFactory) -> None:
    demo = start_server(demo=True)
    assert demo.client.get("/healthz", headers={"Host": f"localhost:{demo.port}"}).status_code == 200
    rebound = demo.client.post(
        "/graphql", json={"query": "{ hello }"}, headers={"Host": f"attacker.example:{demo.port}"}
    )
    assert rebound.status_code == 400
    assert codes(rebound) == ["INVALID_HOST"]


def test_request_time_limit(start_server: ServerFactory, tokens: Tokens) -> None:
    quick = start_server(request_timeout_seconds=0.5)
    response = post_graphql(quick, "{ slow }", tokens.reader)
    assert response.status_code == 503
    assert codes(response) == ["TIMEOUT"]


def test_standard_introspection_passes_the_limits(server: RunningServer, tokens: Tokens) -> None:
    query = get_introspection_query(descriptions=True, input_value_deprecation=True)
    response = post_graphql(server, query, tokens.reader)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_exploding_introspection_is_refused(server: RunningServer, tokens: Tokens) -> None:
    query = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    response = post_graphql(server, query, tokens.reader)
    assert response.status_code == 400
    assert codes(response) == ["LIMIT_EXCEEDED"]


# -- error shape and masking --------------------------------------------------------------------------------


def test_unexpected_errors_are_masked_in_production(server: RunningServer, tokens: Tokens) -> None:
    response = post_graphql(server, "{ hello boom }", tokens.reader)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None or body["data"].get("hello") == "hello transport"
    error = body["errors"][0]
    assert error["message"] == "Internal server error / 내부 서버 오류"
    assert error["extensions"]["code"] == "INTERNAL"
    assert re.fullmatch(r"[0-9a-f]{12}", error["extensions"]["errorId"])
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text and "config.py" not in response.text


def test_demo_mode_shows_what_went_wrong(start_server: ServerFactory) -> None:
    demo = start_server(demo=True)
    error = post_graphql(demo, "{ boom }", None).json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL"
    assert "secret internal detail" in error["message"]
    assert "Traceback" not in json.dumps(error)


def test_service_errors_keep_their_code_and_korean(server: RunningServer, tokens: Tokens) -> None:
    error = post_graphql(server, "{ missing }", tokens.reader).json()["errors"][0]
    assert error["message"] == "no such dataset"
    assert error["extensions"] == {
        "code": "NOT_FOUND",
        "message": "no such dataset",
        "message_ko": "그런 데이터셋이 없습니다",
        "hint": "list the datasets first",
    }


def test_request_errors_have_stable_codes(server: RunningServer, tokens: Tokens) -> None:
    assert codes(post_graphql(server, "{ hello", tokens.reader)) == ["GRAPHQL_PARSE_FAILED"]
    assert codes(post_graphql(server, "{ nope }", tokens.reader)) == ["GRAPHQL_VALIDATION_FAILED"]
    bad_variable = post_graphql(
        server,
        "query Q($n: Int!) { node { children(first: $n) { name } } }",
        tokens.reader,
        variables={"n": "x"},
    )
    assert bad_variable.status_code == 400
    assert codes(bad_variable) == ["BAD_USER_INPUT"]


# -- health, readiness, metrics ----------------------------------------------------------------------------


def test_healthz_and_readyz(server: RunningServer) -> None:
    assert server.client.get("/healthz").json() == {"status": "ok"}
    ready = server.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_readyz_is_503_before_kg_init(start_server: ServerFactory, tmp_path: Path) -> None:
    empty = EmbeddedStore.open(tmp_path / "empty-store")
    not_initialised = start_server(store_override=empty)
    try:
        response = not_initialised.client.get("/readyz")
        assert response.status_code == 503
        assert "kg init" in response.json()["reason"]
        assert not_initialised.client.get("/healthz").status_code == 200
    finally:
        not_initialised.stop()
        empty.close()


def test_metrics_count_operations_and_routes(server: RunningServer, tokens: Tokens) -> None:
    post_graphql(server, "query MetricsProbe { hello }", tokens.reader)
    text = server.client.get("/metrics").text
    assert 'kg_graphql_operations_total{operation="MetricsProbe",outcome="ok"} 1.0' in text
    assert 'kg_graphql_operation_duration_seconds_count{operation="MetricsProbe"} 1.0' in text
    assert re.search(r'kg_http_requests_total\{method="POST",route="/graphql",status="200"\} \d', text)
    assert 'kg_http_request_duration_seconds_bucket{le="0.005",route="/graphql"}' in text


def test_metrics_registries_are_per_app(start_server: ServerFactory, tokens: Tokens) -> None:
    other = start_server()
    assert "MetricsProbe" not in other.client.get("/metrics").text


# -- SPARQL --------------------------------------------------------------------------------------------------

SELECT_DEPARTMENTS = """
PREFIX cps: <https://data.seoul.go.kr/cps/ontology#>
SELECT ?code WHERE { ?d a cps:Department ; cps:departmentCode ?code } ORDER BY ?code
"""


def test_sparql_select_as_json_and_csv(server: RunningServer, tokens: Tokens) -> None:
    response = server.client.get(
        "/sparql", params={"query": SELECT_DEPARTMENTS}, headers=bearer(tokens.editor)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    body = response.json()
    assert body["head"]["vars"] == ["code"]
    codes_found = [row["code"]["value"] for row in body["results"]["bindings"]]
    assert "transport" in codes_found and "smart-city-policy" in codes_found
    assert response.headers["kg-result-truncated"] == "false"

    as_csv = server.client.post(
        "/sparql",
        content=SELECT_DEPARTMENTS.encode(),
        headers={**bearer(tokens.editor), "Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = as_csv.text.split("\r\n")
    assert lines[0] == "code" and "transport" in lines


def test_sparql_form_post_ask_and_construct(server: RunningServer, tokens: Tokens) -> None:
    ask = server.client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers=bearer(tokens.editor))
    assert ask.json() == {"head": {}, "boolean": True}
    construct = server.client.get(
        "/sparql",
        params={"query": "CONSTRUCT { ?d a ?t } WHERE { ?d a ?t } LIMIT 3"},
        headers={**bearer(tokens.editor), "Accept": "application/n-triples"},
    )
    assert construct.status_code == 200
    assert construct.headers["content-type"].startswith("application/n-triples")
    assert construct.text.count(" .\n") == 3


@pytest.mark.parametrize(
    "send",
    [
        {"params": {"query": "INSERT DATA { <urn:x> <urn:y> <urn:z> }"}},
        {"params": {"query": "DROP ALL"}},
        {"params": {"query": "PREFIX a: <urn:a#> # comment\n DELETE WHERE { ?s ?p ?o }"}},
        {"data": {"update": "DROP ALL"}},
        {"content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
    ],
    ids=["insert-data", "drop-all", "delete-where", "form-update", "sparql-update-body"],
)
def test_sparql_updates_are_refused_and_change_nothing(
    server: RunningServer, tokens: Tokens, store: EmbeddedStore, send: dict[str, object]
) -> None:
    before = hashlib.sha256(store.dump_nquads()).hexdigest()
    headers = {**bearer(tokens.editor), **send.pop("headers", {})}  # type: ignore[dict-item]
    method = "GET" if "params" in send else "POST"
    response = server.client.request(method, "/sparql", headers=headers, **send)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert codes(response) == ["SPARQL_UPDATE_REJECTED"]
    assert hashlib.sha256(store.dump_nquads()).hexdigest() == before


def test_sparql_service_is_refused(server: RunningServer, tokens: Tokens) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = server.client.get("/sparql", params={"query": query}, headers=bearer(tokens.editor))
    assert response.status_code == 400
    assert codes(response) == ["SPARQL_SERVICE_REJECTED"]
    in_a_string = 'SELECT ?x WHERE { BIND("SERVICE <x>" AS ?x) }'
    response = server.client.get("/sparql", params={"query": in_a_string}, headers=bearer(tokens.editor))
    assert response.status_code == 200


def test_sparql_auth(server: RunningServer, tokens: Tokens) -> None:
    query = {"query": "ASK { ?s ?p ?o }"}
    anonymous = server.client.get("/sparql", params=query)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    reader = server.client.get("/sparql", params=query, headers=bearer(tokens.reader))
    assert reader.status_code == 403
    assert codes(reader) == ["FORBIDDEN"]


def test_sparql_bad_requests(server: RunningServer, tokens: Tokens) -> None:
    client, auth = server.client, bearer(tokens.editor)
    assert codes(client.get("/sparql", params={"query": "SELEKT * {}"}, headers=auth)) == ["SPARQL_SYNTAX"]
    assert client.get("/sparql", headers=auth).status_code == 400
    wrong_type = client.post("/sparql", content=b"ASK {}", headers={**auth, "Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    unacceptable = client.get(
        "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={**auth, "Accept": "image/png"}
    )
    assert unacceptable.status_code == 406


def test_sparql_row_cap(start_server: ServerFactory, tokens: Tokens) -> None:
    capped = start_server(sparql_max_rows=5)
    response = capped.client.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=bearer(tokens.editor)
    )
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 5
    assert response.headers["kg-result-truncated"] == "true"
    assert response.headers["kg-result-max-rows"] == "5"


def test_sparql_time_limit(start_server: ServerFactory, tokens: Tokens) -> None:
    quick = start_server(request_timeout_seconds=0.2)
    heavy = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://data.seoul.go.kr/cps/graph/ontology> { ?a ?b ?c }"
        " GRAPH <https://data.seoul.go.kr/cps/graph/reference> { ?d ?e ?f } }"
    )
    response = quick.client.get("/sparql", params={"query": heavy}, headers=bearer(tokens.editor))
    assert response.status_code == 503
    assert codes(response) in (["TIMEOUT"], ["BUSY"])
    assert quick.client.get("/healthz").status_code == 200


# -- GraphiQL ------------------------------------------------------------------------------------------------


def test_graphiql_is_served_offline(server: RunningServer) -> None:
    page = server.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    urls = re.findall(r"https?://[^\s\"'<>)]+", page.text)
    assert [url for url in urls if not re.match(r"https?://(localhost|127\.0\.0\.1)(:\d+)?/", url)] == []
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(src.startswith("/static/graphiql/") or src.startswith("data:") for src in sources)
    for src in sources:
        if src.startswith("/static/"):
            asset = server.client.get(src)
            assert asset.status_code == 200, src
            assert len(asset.content) > 100


def test_bundled_graphiql_matches_the_pinned_hashes() -> None:
    for name, integrity in VENDORED_ASSETS.items():
        assert file_integrity(GRAPHIQL_DIR / name) == integrity, name
    strawberry_page = Path(strawberry.__file__).parent / "static" / "graphiql.html"
    if strawberry_page.exists():  # the same builds strawberry itself pins
        pinned = set(re.findall(r'integrity="(sha384-[^"]+)"', strawberry_page.read_text()))
        assert set(VENDORED_ASSETS.values()) <= pinned


# -- hostile inputs ------------------------------------------------------------------------------------------


def test_hostile_inputs_get_clean_4xx(server: RunningServer, tokens: Tokens) -> None:
    client, auth = server.client, bearer(tokens.reader)
    # A 1 MB query string (httpx refuses to build such a URL, so it goes over a raw socket).
    request_line = b"GET /graphql?query=%7Bhello%7D" + b"+" * 1_000_000 + b" HTTP/1.1\r\n"
    assert 400 <= raw_status(server, request_line + b"Host: localhost\r\n\r\n") < 500
    huge_post = client.post("/graphql", json={"query": "{ " + "hello " * 200_000 + "}"}, headers=auth)
    assert huge_post.status_code == 413

    deep = "{" + "node {" * 1000 + "name" + "}" * 1001
    response = post_graphql(server, deep, tokens.reader)
    assert response.status_code == 400
    assert codes(response) == ["LIMIT_EXCEEDED"]

    aliases = "{" + " ".join(f"a{i}:hello" for i in range(10_000)) + "}"
    response = post_graphql(server, aliases, tokens.reader)
    assert response.status_code in (400, 413)
    assert codes(response) == ["LIMIT_EXCEEDED"]

    malformed = client.post(
        "/graphql", content=b'{"query": "{ hello }"', headers={**auth, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert codes(malformed) == ["BAD_REQUEST"]

    wrong_type = client.post("/graphql", content=b"{ hello }", headers={**auth, "Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    assert codes(wrong_type) == ["UNSUPPORTED_MEDIA_TYPE"]

    not_an_object = client.post("/graphql", json={"query": 42}, headers=auth)
    assert not_an_object.status_code == 400

    long_header = client.post(
        "/graphql", json={"query": "{ hello }"}, headers={"Authorization": "Bearer " + "k" * 4000}
    )
    assert long_header.status_code == 401
    # uvicorn answers a 200 kB header with a bare 400 and closes; httpx cannot read that, so: raw socket.
    huge_header = b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + b"k" * 200_000
    assert 400 <= raw_status(server, huge_header + b"\r\nContent-Length: 0\r\n\r\n") < 500

    assert client.get("/healthz").status_code == 200
    assert post_graphql(server, "{ hello }", tokens.reader).status_code == 200


# -- the real schema -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_server(start_server: ServerFactory) -> RunningServer:
    return start_server(use_real_schema=True)


def test_real_schema_requires_a_token(real_server: RunningServer) -> None:
    response = post_graphql(real_server, "{ districts { code } }", None)
    assert response.status_code == 401
    assert codes(response) == ["UNAUTHENTICATED"]


def test_real_schema_answers_within_the_limits(real_server: RunningServer, tokens: Tokens) -> None:
    response = post_graphql(real_server, "query Districts { districts { code } }", tokens.reader)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert isinstance(body["data"]["districts"], list)
    assert 'operation="Districts",outcome="ok"' in real_server.client.get("/metrics").text


def test_real_schema_introspection_as_graphiql_sends_it(real_server: RunningServer, tokens: Tokens) -> None:
    query = get_introspection_query(
        descriptions=True, input_value_deprecation=True, specified_by_url=True, directive_is_repeatable=True
    )
    response = post_graphql(real_server, query, tokens.reader, operationName="IntrospectionQuery")
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()


def test_ngsi_ld_context_is_served(real_server: RunningServer) -> None:
    response = real_server.client.get("/ngsi-ld/contexts/seoul-cps.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    assert "@context" in response.json()


# -- kg serve ------------------------------------------------------------------------------------------------

# Runs the real ``kg`` entry point; registers ``serve`` and ``token`` itself when cli/__init__.py does not yet.
KG_LAUNCHER = """
import sys
from kg_service import cli
from kg_service.cli import serve, tokens
cli._register_commands()
if "serve" not in {command.name for command in cli.app.registered_commands}:
    serve.register(cli.app)
if "token" not in {group.name for group in cli.app.registered_groups}:
    cli.app.add_typer(tokens.app, name="token")
sys.exit(cli.main(sys.argv[1:]))
"""


def kg_command(*args: str, data_dir: Path) -> list[str]:
    return [sys.executable, "-c", KG_LAUNCHER, "--data-dir", str(data_dir), *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kg_env() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("KG_") or name == "KG_SHARED_DIR"
    }


@pytest.fixture(scope="module")
def served_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("kg-serve")
    store = EmbeddedStore.open(data_dir / "store")
    try:
        initialise_store(store, ONTOLOGY_DIR)
    finally:
        store.close()
    return data_dir


def test_kg_serve_runs_until_interrupted(served_data_dir: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        kg_command("serve", "--port", str(port), data_dir=served_data_dir),
        env=kg_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "kg serve did not start"
            time.sleep(0.2)
        assert httpx.get(f"{base}/readyz").status_code == 200
        assert httpx.post(f"{base}/graphql", json={"query": "{ districts { code } }"}).status_code == 401

        # Tokens can be issued while the server holds the store; the server accepts them at once.
        created = subprocess.run(
            kg_command(
                "token", "create", "--department", "transport", "--role", "reader", data_dir=served_data_dir
            ),
            env=kg_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert created.returncode == 0, created.stderr
        token = created.stdout.strip()
        answer = httpx.post(
            f"{base}/graphql", json={"query": "{ districts { code } }"}, headers=bearer(token), timeout=30
        )
        assert answer.status_code == 200 and "errors" not in answer.json()

        # A second server on the same data directory cannot open the store.
        second = subprocess.run(
            kg_command("serve", "--port", str(free_port()), data_dir=served_data_dir),
            env=kg_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2
        assert "error:" in second.stderr and "오류:" in second.stderr
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0


def test_kg_serve_demo_refuses_a_public_address(served_data_dir: Path) -> None:
    result = subprocess.run(
        kg_command(
            "serve", "--demo", "--host", "0.0.0.0", "--port", str(free_port()), data_dir=served_data_dir
        ),
        env=kg_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "demo mode has no authentication" in result.stderr
    assert "데모 모드는 인증이 없으므로" in result.stderr
    assert "--allow-remote-demo" in result.stderr


def test_kg_serve_demo_logs_loudly_and_stops_on_sigterm(served_data_dir: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        kg_command("serve", "--demo", "--port", str(port), data_dir=served_data_dir),
        env=kg_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": "{ districts { code } }"}
                )
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "kg serve --demo did not start"
                time.sleep(0.2)
        assert answer.status_code == 200 and "errors" not in answer.json()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0
    assert "DEMO MODE: authentication is OFF / 데모 모드: 인증이 꺼져 있습니다" in stderr


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_linkage_table_downloads(real_server: RunningServer, tokens: Tokens, suffix: str) -> None:
    path = f"/linkage-table.{suffix}"
    assert real_server.client.get(path).status_code == 401
    response = real_server.client.get(path, params={"department": "transport"}, headers=bearer(tokens.reader))
    assert response.status_code == 200, response.text
    assert 'filename="linkage-table-transport.' in response.headers["content-disposition"]
    if suffix == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads the Korean
        assert "부서코드 / Department code" in response.content.decode("utf-8-sig").splitlines()[0]
    else:
        assert response.content.startswith(b"PK")  # a zip container
    every = real_server.client.get(path, headers=bearer(tokens.reader))
    assert every.status_code == 200 and 'filename="linkage-table-all.' in every.headers["content-disposition"]
    unknown = real_server.client.get(path, params={"department": "nowhere"}, headers=bearer(tokens.reader))
    assert unknown.status_code == 400
    assert codes(unknown) == ["BAD_USER_INPUT"]
