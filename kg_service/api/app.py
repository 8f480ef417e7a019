"""The ASGI app: GraphQL, SPARQL, health, readiness and metrics, behind one auth and one set of limits.

Routes (``create_app``):
- ``/graphql``: GraphQL over HTTP (GET for queries, POST JSON, POST multipart for file uploads); a browser that
  opens it gets GraphiQL, served from bundled files (:mod:`kg_service.api.graphiql`).
- ``/sparql``: read-only SPARQL 1.1 Protocol for editors and admins (:mod:`kg_service.api.sparql_endpoint`).
- ``/healthz``: liveness, always 200. ``/readyz``: 200 when the store is open and holds the ontology graph,
  else 503. ``/metrics``: Prometheus text from a registry of this app's own.
- ``/linkage-table.csv`` and ``/linkage-table.xlsx`` (``?department=CODE``, all departments without it): the
  linkage table (연계테이블) for Excel, for any authenticated caller.
- ``/static/…``: the GraphiQL assets. ``/ngsi-ld/contexts/seoul-cps.jsonld``: the JSON-LD context that NGSI-LD
  exports name (vocabulary only, no data, so open like the health routes).

Authentication: every GraphQL request and every SPARQL request needs ``Authorization: Bearer <token>``
(:mod:`kg_service.api.auth`), except in demo mode, where the caller is :data:`DEMO_PRINCIPAL` and the start-up
log says so loudly. ``/healthz``, ``/readyz``, ``/metrics``, the JSON-LD context and the GraphiQL page hold no data and are open.
HTTP status: 401 (with ``WWW-Authenticate: Bearer``) when the request carries no valid token, 403 when the role
is too low for a route, 400 for a request refused before execution (syntax, validation, limits), 413 for a body
over the limit, 503 on time-out; a GraphQL request that ran answers 200, errors in ``errors`` with a code.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Final

import anyio.to_thread
import pyoxigraph as ox
from cross_web import HTTPException as StrawberryHTTPException
from graphql import GraphQLError, GraphQLSchema
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from kg_service.api.auth import TokenStore
from kg_service.api.context import RequestContext
from kg_service.api.graphiql import CONTENT_SECURITY_POLICY, STATIC_DIR, STATIC_MOUNT, graphiql_page
from kg_service.api.http_errors import (
    RequestRejectedError,
    error_response,
    forbidden_response,
    rejected_response,
    unauthenticated_response,
)
from kg_service.api.limits import (
    INTERNAL_MESSAGE,
    QueryTimeoutError,
    RequestLimits,
    check_document,
    format_error,
    operation_names,
    parse_document,
)
from kg_service.api.linkage_table_export import linkage_table_csv, linkage_table_xlsx
from kg_service.api.metrics import ServiceMetrics
from kg_service.api.principal import DEMO_PRINCIPAL, Principal
from kg_service.api.sparql_endpoint import SparqlEndpoint
from kg_service.errors import KGServiceError
from kg_service.queries.backend import close_queries, open_queries
from kg_service.queries.export import NGSI_LD_CONTEXT_PATH, project_context
from kg_service.queries.protocol import LinkageQueries
from kg_service.store.embedded import EmbeddedStore
from kg_service.vocab import ONTOLOGY_GRAPH

if TYPE_CHECKING:
    import strawberry
    from cross_web import AsyncHTTPRequestAdapter

    from kg_service.config import Settings
    from kg_service.submissions.service import SubmissionService

logger = logging.getLogger("kg_service.api")

DEMO_BANNER: Final = "DEMO MODE: authentication is OFF / 데모 모드: 인증이 꺼져 있습니다"
GRAPHQL_PATH: Final = "/graphql"
SPARQL_PATH: Final = "/sparql"
LINKAGE_CSV_PATH: Final = "/linkage-table.csv"
LINKAGE_XLSX_PATH: Final = "/linkage-table.xlsx"
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUTES: Final = frozenset(
    {
        GRAPHQL_PATH,
        SPARQL_PATH,
        "/healthz",
        "/readyz",
        "/metrics",
        NGSI_LD_CONTEXT_PATH,
        LINKAGE_CSV_PATH,
        LINKAGE_XLSX_PATH,
    }
)
# HTTP status of our errors on the plain routes (GraphQL carries the code in the body instead).
_HTTP_STATUS: Final = {"BAD_USER_INPUT": 400, "NOT_FOUND": 404, "FORBIDDEN": 403, "LIMIT_EXCEEDED": 413}
_FILE_NAME_SAFE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")

ContextFactory = Callable[[Principal, Request], Any]

# Strawberry's own refusals carry English reasons only; these give each a stable code and Korean.
_STRAWBERRY_REASONS: Final[dict[str, tuple[int, str, str]]] = {
    "Unable to parse request body as JSON": (400, "BAD_REQUEST", "요청 본문이 올바른 JSON이 아닙니다"),
    "Unsupported content type": (415, "UNSUPPORTED_MEDIA_TYPE", "지원하지 않는 콘텐츠 유형입니다"),
    "No GraphQL query found in the request": (400, "BAD_REQUEST", "요청에 GraphQL 쿼리가 없습니다"),
    "Batching is not enabled": (
        400,
        "BAD_REQUEST",
        "여러 작업을 한 번에 보내는 배치 요청은 지원하지 않습니다",
    ),
    "Too many operations": (400, "LIMIT_EXCEEDED", "한 요청에 작업이 너무 많습니다"),
    "File(s) missing in form data": (400, "BAD_REQUEST", "폼 데이터에 파일이 없습니다"),
    "Unable to parse the multipart body": (400, "BAD_REQUEST", "multipart 본문을 해석할 수 없습니다"),
}


class _Service:
    """What the routes share: settings, store, tokens, limits, metrics and the SPARQL runner."""

    def __init__(
        self,
        settings: Settings,
        store: EmbeddedStore,
        tokens: TokenStore,
        context_factory: ContextFactory,
    ) -> None:
        self.settings = settings
        self.store = store
        self.tokens = tokens
        self.demo = bool(settings.demo)
        self.limits = RequestLimits.from_settings(settings)
        self.metrics = ServiceMetrics(ROUTES)
        self.sparql = SparqlEndpoint(store, self.limits)
        self.context_factory = context_factory
        # A demo server (no auth) on loopback answers only to loopback names: see _HttpGuard.
        self.allowed_hosts = LOOPBACK_NAMES if self.demo and is_loopback_host(settings.host) else None

    async def principal_for(self, request: Request) -> Principal | None:
        """The caller of ``request``: the demo principal in demo mode, else whoever its token names."""
        if self.demo:
            return DEMO_PRINCIPAL
        header = request.headers.get("authorization")
        if not header:
            return None
        return await anyio.to_thread.run_sync(self.tokens.authenticate, header)

    def ready(self) -> tuple[bool, str]:
        """Whether the store answers and holds the ontology graph, with a reason."""
        try:
            pattern = self.store.raw.quads_for_pattern(None, None, None, ox.NamedNode(str(ONTOLOGY_GRAPH)))
            has_ontology = next(iter(pattern), None) is not None
        except OSError as exc:
            return False, f"store not readable: {exc}"
        if not has_ontology:
            return False, "the ontology graph is empty: run 'kg init'"
        return True, "ready"


def create_app(
    settings: Settings,
    store: EmbeddedStore,
    *,
    schema: strawberry.Schema | None = None,
    tokens: TokenStore | None = None,
    context_factory: ContextFactory | None = None,
    submissions: SubmissionService | None = None,
) -> Starlette:
    """Build the app over an open ``store``.

    Args:
        settings: the validated settings (demo mode, data directory, limits).
        store: the embedded store, opened by the caller (``kg serve`` opens it read-write) and closed by it.
        schema: the GraphQL schema; by default :func:`kg_service.api.schema.build_schema`.
        tokens: the token store; by default ``{data_dir}/tokens.sqlite``.
        context_factory: builds the GraphQL context from the principal and the request; by default a
            :class:`kg_service.api.context.RequestContext` over the configured backend (``KG_BACKEND``).
        submissions: the submission service; by default one over ``store`` with the dataset catalogue, or none
            (with a warning in the log) when the catalogue cannot be loaded.
    """
    if schema is None:
        from kg_service.api.schema import build_schema

        schema = build_schema()
    queries = open_queries(settings, store)
    if submissions is None:
        submissions = _open_submissions(settings, store)
    if context_factory is None:
        context_factory = _request_context_factory(settings, queries, submissions)
    service = _Service(settings, store, tokens or TokenStore.for_data_dir(settings.data_dir), context_factory)
    graphql_app = _GraphQLView(schema, service)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        ready, reason = await anyio.to_thread.run_sync(service.ready)
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "reason": reason}, status_code=200 if ready else 503
        )

    async def metrics(request: Request) -> Response:
        return Response(service.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    async def ngsi_ld_context(request: Request) -> Response:
        document = await anyio.to_thread.run_sync(project_context, queries)
        return JSONResponse(document, media_type="application/ld+json")

    async def linkage_table_download(request: Request) -> Response:
        principal = await service.principal_for(request)
        if principal is None:
            return unauthenticated_response(request.headers.get("authorization"))
        as_xlsx = request.url.path.endswith(".xlsx")
        department = request.query_params.get("department") or None
        try:
            table = await anyio.to_thread.run_sync(queries.linkage_table, department)
            body = await anyio.to_thread.run_sync(linkage_table_xlsx if as_xlsx else linkage_table_csv, table)
        except KGServiceError as error:
            return error_response(_HTTP_STATUS.get(error.code, 500), error)
        name = department if department and _FILE_NAME_SAFE.fullmatch(department) else "all"
        filename = f"linkage-table-{name}.{'xlsx' if as_xlsx else 'csv'}"
        return Response(
            body,
            media_type=XLSX_MEDIA_TYPE if as_xlsx else "text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    async def sparql(request: Request) -> Response:
        principal = await service.principal_for(request)
        if principal is None:
            return unauthenticated_response(request.headers.get("authorization"))
        if not principal.has_role("editor"):
            return forbidden_response("editor")
        return await service.sparql.handle(request, principal)

    routes: list[BaseRoute] = [
        Route(GRAPHQL_PATH, graphql_app),
        Route(SPARQL_PATH, sparql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route(NGSI_LD_CONTEXT_PATH, ngsi_ld_context, methods=["GET"]),
        Route(LINKAGE_CSV_PATH, linkage_table_download, methods=["GET"]),
        Route(LINKAGE_XLSX_PATH, linkage_table_download, methods=["GET"]),
        Mount(STATIC_MOUNT, StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    from kg_service.web import web_routes

    routes.extend(web_routes(settings, submissions=submissions))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if service.demo:
            for _ in range(3):
                logger.warning(DEMO_BANNER)
        try:
            yield
        finally:
            service.sparql.close()
            close_queries(queries)

    app = Starlette(
        routes=routes,
        middleware=[Middleware(_HttpGuard, service=service)],
        exception_handlers={Exception: _internal_error},
        lifespan=lifespan,
    )
    app.state.service = service
    return app


def _request_context_factory(
    settings: Settings, queries: LinkageQueries, submissions: SubmissionService | None
) -> ContextFactory:
    def build(principal: Principal, request: Request) -> Any:
        return RequestContext(
            queries=queries,
            principal=principal,
            settings=settings,
            base_url=str(request.base_url),
            submissions=submissions,
        )

    return build


def _open_submissions(settings: Settings, store: EmbeddedStore) -> SubmissionService | None:
    """The submission service, recovering what a crash interrupted; ``None`` if the catalogue is unusable."""
    from kg_service.submissions.service import SubmissionService

    try:
        service = SubmissionService.open(settings, store)
        service.recover()
    except KGServiceError as error:
        logger.warning("submissions are disabled: %s", error)
        return None
    return service


async def _internal_error(request: Request, exc: Exception) -> Response:
    error_id = uuid.uuid4().hex[:12]
    logger.error("unexpected error on %s (errorId %s)", request.url.path, error_id, exc_info=exc)
    payload = {
        "errors": [{"message": INTERNAL_MESSAGE, "extensions": {"code": "INTERNAL", "errorId": error_id}}]
    }
    return JSONResponse(payload, status_code=500)


# -- GraphQL -----------------------------------------------------------------------------------------------


class _GraphQLView(GraphQL[Any, None]):
    """Strawberry's ASGI view with our auth, limits, error shape, time limit and metrics."""

    def __init__(self, schema: strawberry.Schema, service: _Service) -> None:
        super().__init__(
            schema, graphql_ide="graphiql", allow_queries_via_get=True, multipart_uploads_enabled=True
        )
        self._service = service
        self._graphql_schema: GraphQLSchema = schema._schema

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # No subscriptions over WebSocket: refuse the handshake.
            await send({"type": "websocket.close", "code": 1008})
            return
        request = Request(scope, receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        service = self._service
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            return await self.render_graphql_ide(request)
        if len(request.scope.get("query_string", b"")) > service.limits.max_body_bytes:
            return rejected_response(_too_large(414, service.limits.max_body_bytes, "query string"))
        principal = await service.principal_for(request)
        if principal is None:
            return unauthenticated_response(request.headers.get("authorization"))
        request.state.principal = principal
        try:
            return await self.run(request)
        except RequestRejectedError as error:
            return rejected_response(error)
        except StrawberryHTTPException as error:
            status, code, message_ko = _STRAWBERRY_REASONS.get(
                error.reason, (error.status_code, "BAD_REQUEST", "요청을 처리할 수 없습니다")
            )
            return rejected_response(RequestRejectedError(status, code, error.reason, message_ko))
        except StarletteHTTPException as error:
            return rejected_response(
                RequestRejectedError(
                    error.status_code, "BAD_REQUEST", str(error.detail), "요청을 처리할 수 없습니다"
                )
            )

    async def render_graphql_ide(self, request: Request) -> Response:
        page = graphiql_page(request.scope.get("root_path", ""), demo=self._service.demo)
        return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})

    async def get_context(self, request: Any, response: Any) -> Any:
        principal = getattr(request.state, "principal", None)
        if principal is None:  # pragma: no cover - _respond authenticates before running
            raise RequestRejectedError(401, "UNAUTHENTICATED", "authentication required", "인증이 필요합니다")
        return self._service.context_factory(principal, request)

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        limit = self._service.limits.max_batch
        if isinstance(parsed, list) and len(parsed) > limit:
            raise RequestRejectedError(
                400,
                "LIMIT_EXCEEDED",
                f"a batch may hold at most {limit} operations; this one has {len(parsed)}",
                f"배치 요청에는 작업을 최대 {limit}개까지 넣을 수 있습니다 (받은 작업: {len(parsed)}개)",
                hint="send fewer operations per request",
            )
        return parsed

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Any,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        result = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        results = (
            result if isinstance(result, list) else [result] if isinstance(result, ExecutionResult) else []
        )
        statuses = [_status_of(item) for item in results]
        if statuses and all(status is not None for status in statuses):
            sub_response.status_code = max(status for status in statuses if status is not None)
        return result

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Any,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        service = self._service
        started = time.perf_counter()
        name = request_data.operation_name
        if isinstance(request_data.query, str):
            try:
                document = parse_document(request_data.query, service.limits)
            except GraphQLError as error:
                service.metrics.observe_operation(name, "rejected", time.perf_counter() - started)
                return ExecutionResult(data=None, errors=[error])
            names = operation_names(document)
            if name is None and len(names) == 1:
                name = names[0]
            variables = request_data.variables if isinstance(request_data.variables, dict) else None
            errors = check_document(document, self._graphql_schema, service.limits, variables)
            if errors:
                service.metrics.observe_operation(name, "rejected", time.perf_counter() - started)
                return ExecutionResult(data=None, errors=errors)
        timeout = service.limits.request_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                result = await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
        except TimeoutError:
            service.metrics.observe_operation(name, "timeout", time.perf_counter() - started)
            timed_out = QueryTimeoutError(
                f"the request did not finish within {timeout:g} seconds",
                f"요청이 {timeout:g}초 안에 끝나지 않았습니다",
                hint="ask for less data (smaller pages, fewer nested lists)",
            )
            return ExecutionResult(
                data=None, errors=[GraphQLError(timed_out.message, original_error=timed_out)]
            )
        outcome = "ok" if not result.errors else "rejected" if _status_of(result) == 400 else "error"
        service.metrics.observe_operation(name, outcome, time.perf_counter() - started)
        return result

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            mask = not self._service.demo
            response["errors"] = [format_error(error, mask_internal=mask) for error in result.errors]
        if result.extensions:
            response["extensions"] = result.extensions
        return response


def _status_of(result: ExecutionResult) -> int | None:
    """400 for a request refused before execution, 503 for a time-out, ``None`` for one that ran."""
    errors = result.errors or []
    if any(isinstance(error.original_error, QueryTimeoutError) for error in errors):
        return 503
    if result.data is None and errors and all(error.path is None for error in errors):
        return 400
    return None


def _too_large(status: int, limit: int, what: str) -> RequestRejectedError:
    return RequestRejectedError(
        status,
        "LIMIT_EXCEEDED",
        f"the {what} is larger than {limit} bytes",
        f"{what}이(가) {limit}바이트를 넘습니다",
        hint="send a smaller request (large files go in a multipart upload)",
    )


# -- HTTP guard: body size, security headers, metrics ------------------------------------------------------


_DRAIN_MAX: Final = 4 * 1024 * 1024


class _BodyTooLargeError(Exception):
    """The request body grew past its limit while being read."""


class _HttpGuard:
    """Refuses oversized bodies (413, before or while reading), cross-origin uploads and (in loopback demo
    mode) requests for another host name, adds security headers and records metrics.

    Why the last two: bearer tokens are never sent by a browser on its own, so only requests that need no
    token can be forged from another site. Those are GraphQL multipart uploads (a form post needs no CORS
    preflight; refused when ``Origin`` names another site) and, in demo mode, everything; a demo server on
    loopback therefore answers only to ``localhost``/``127.0.0.1``/``[::1]`` (no DNS rebinding).
    """

    def __init__(self, app: ASGIApp, service: _Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET")
        limit = self._body_limit(scope)
        status = {"code": 500, "sent": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["sent"] = True
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                await _send_response(send_wrapper, scope, receive, refusal)
                return
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                await _drain(receive, declared)
                await _send_response(send_wrapper, scope, receive, _too_large(413, limit, "request body"))
                return
            await self.app(scope, _counting(receive, limit), send_wrapper)
        except _BodyTooLargeError:
            if not status["sent"]:
                await _drain(receive, _DRAIN_MAX)
                await _send_response(send_wrapper, scope, receive, _too_large(413, limit, "request body"))
        finally:
            self.service.metrics.observe_request(
                path, method, int(status["code"]), time.perf_counter() - started
            )

    def _refusal(self, scope: Scope) -> RequestRejectedError | None:
        headers = {key: value for key, value in scope.get("headers", []) if key in _GUARDED_HEADERS}
        host = headers.get(b"host", b"").decode("latin-1").lower()
        if self.service.allowed_hosts is not None and _host_name(host) not in self.service.allowed_hosts:
            return RequestRejectedError(
                400,
                "INVALID_HOST",
                "this demo server answers only to localhost",
                "이 데모 서버는 localhost 요청에만 응답합니다",
                hint="open http://127.0.0.1:<port>/graphql",
            )
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        origin = headers.get(b"origin")
        if (
            scope.get("method") == "POST"
            and content_type == b"multipart/form-data"
            and origin is not None
            and origin.decode("latin-1").lower().split("://", 1)[-1] != host
        ):
            return RequestRejectedError(
                403,
                "CROSS_ORIGIN_UPLOAD",
                "uploads from a page on another site are refused",
                "다른 사이트의 페이지에서 보낸 업로드는 받지 않습니다",
                hint="upload with an API client (curl, Python) or from this server's own pages",
            )
        return None

    def _body_limit(self, scope: Scope) -> int:
        limits = self.service.limits
        if scope.get("path") == GRAPHQL_PATH:
            for key, value in scope.get("headers", []):
                if key == b"content-type" and value.split(b";")[0].strip().lower() == b"multipart/form-data":
                    return limits.max_upload_bytes
        return limits.max_body_bytes


_GUARDED_HEADERS: Final = frozenset({b"host", b"content-type", b"origin"})
LOOPBACK_NAMES: Final = frozenset({"localhost", "127.0.0.1", "::1"})


def _host_name(host: str) -> str:
    """The name part of a ``Host`` header (``[::1]:8000`` → ``::1``, ``localhost:80`` → ``localhost``)."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` names only this machine (``localhost`` or a loopback address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _drain(receive: Receive, declared: int) -> None:
    """Read and drop the rest of a refused body (up to :data:`_DRAIN_MAX`), so that the client, still sending,
    reads the 413 instead of a connection reset. Larger bodies are cut off at once.
    """
    if declared > _DRAIN_MAX:
        return
    drained = 0
    while drained <= _DRAIN_MAX:
        message = await receive()
        if message["type"] != "http.request":
            return
        drained += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _counting(receive: Receive, limit: int) -> Receive:
    received = 0

    async def wrapped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _BodyTooLargeError
        return message

    return wrapped


async def _send_response(
    send: Callable[[Message], Awaitable[None]], scope: Scope, receive: Receive, error: RequestRejectedError
) -> None:
    response = rejected_response(error, {"Connection": "close"})
    await response(scope, receive, send)
