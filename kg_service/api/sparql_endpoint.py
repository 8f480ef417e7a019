"""The read-only SPARQL 1.1 Protocol endpoint (``/sparql``), for editors and admins.

- Requests: ``GET ?query=…``, ``POST`` with ``application/sparql-query`` (the body is the query) or
  ``application/x-www-form-urlencoded`` (``query=…``); ``default-graph-uri`` and ``named-graph-uri`` may be
  given. Without ``default-graph-uri`` the default graph is the union of all named graphs (all data lives in
  named graphs: ontology, reference, one per dataset).
- Only queries (SELECT, ASK, CONSTRUCT, DESCRIBE): the store's *query* parser is the only one used, so an
  update cannot run; updates (also sent as ``update=`` or ``application/sparql-update``) get 400 with a
  message saying the endpoint is read-only. ``SERVICE`` is refused, because Oxigraph would make the server
  fetch the named URL.
- Answers: ``application/sparql-results+json`` (default), ``text/csv`` for SELECT; N-Triples (default) or
  Turtle for CONSTRUCT/DESCRIBE, chosen from ``Accept``.
- Bounds: a query runs in one of a few worker threads. Oxigraph cannot cancel a running query, so the result
  is read row by row and reading stops after ``sparql_max_rows`` rows (``KG-Result-Truncated: true`` says so)
  or at the time limit (then 503). When every worker is busy the answer is 503 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from kg_service.api.http_errors import RequestRejectedError, rejected_response
from kg_service.api.limits import INTERNAL_MESSAGE, RequestLimits
from kg_service.api.principal import Principal
from kg_service.store.embedded import EmbeddedStore
from kg_service.vocab import PREFIXES

logger = logging.getLogger("kg_service.api.sparql")

SPARQL_JSON: Final = "application/sparql-results+json"
CSV: Final = "text/csv"
N_TRIPLES: Final = "application/n-triples"
TURTLE: Final = "text/turtle"
SOLUTION_TYPES: Final = (SPARQL_JSON, "application/json", CSV)
GRAPH_TYPES: Final = (N_TRIPLES, TURTLE)
TRUNCATED_HEADER: Final = "KG-Result-Truncated"
MAX_ROWS_HEADER: Final = "KG-Result-Max-Rows"
ROWS_HEADER: Final = "KG-Result-Rows"

# Strings, IRIs and comments are blanked out before looking for keywords, so that a keyword inside a literal
# (for example a label that says "SERVICE") is not mistaken for one.
_OPAQUE: Final = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n]*",
    re.DOTALL,
)
_SERVICE: Final = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.IGNORECASE)
_UPDATE: Final = re.compile(
    r"\A\s*(?:(?:PREFIX\s+[\w.-]*:|BASE)\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SparqlAnswer:
    """A serialised query result."""

    body: bytes
    media_type: str
    rows: int
    truncated: bool


class SparqlEndpoint:
    """Runs read-only queries against the embedded store with bounded threads, rows and time."""

    def __init__(self, store: EmbeddedStore, limits: RequestLimits, *, workers: int = 2) -> None:
        self._store = store
        self._limits = limits
        self._slots = threading.BoundedSemaphore(workers)
        self._closed = False

    def close(self) -> None:
        """Stop accepting queries; one still running in Oxigraph finishes on its own (its thread is a daemon)."""
        self._closed = True

    async def handle(self, request: Request, principal: Principal) -> Response:
        """Answer one SPARQL Protocol request from an already authorised ``principal``."""
        try:
            query, default_graphs, named_graphs = await _read_request(request)
            _refuse_unsafe(query)
            answer = await self._run(query, default_graphs, named_graphs, request.headers.get("accept", ""))
        except RequestRejectedError as error:
            headers = {"Retry-After": "5"} if error.status == 503 else None
            return rejected_response(error, headers)
        logger.info(
            "SPARQL query by %s/%s: %d rows%s",
            principal.department,
            principal.token_id,
            answer.rows,
            " (truncated)" if answer.truncated else "",
        )
        headers = {
            ROWS_HEADER: str(answer.rows),
            MAX_ROWS_HEADER: str(self._limits.sparql_max_rows),
            TRUNCATED_HEADER: "true" if answer.truncated else "false",
            "Vary": "Accept",
        }
        return Response(answer.body, media_type=answer.media_type, headers=headers)

    async def _run(
        self, query: str, default_graphs: list[ox.NamedNode], named_graphs: list[ox.NamedNode], accept: str
    ) -> SparqlAnswer:
        if self._closed or not self._slots.acquire(blocking=False):
            raise RequestRejectedError(
                503,
                "BUSY",
                "the SPARQL endpoint is busy with other queries",
                "SPARQL 엔드포인트가 다른 쿼리를 처리하고 있습니다",
                hint="retry in a few seconds",
            )
        timeout = self._limits.request_timeout_seconds
        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[SparqlAnswer] = loop.create_future()

        def deliver(answer: SparqlAnswer | None, error: BaseException | None) -> None:
            if outcome.done():  # the request timed out already
                return
            if error is not None:
                outcome.set_exception(error)
            else:
                outcome.set_result(answer)  # type: ignore[arg-type]

        def hand_over(answer: SparqlAnswer | None, error: BaseException | None) -> None:
            # RuntimeError: the event loop has stopped, so nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(deliver, answer, error)

        def work() -> None:
            # A daemon thread, not a pool: Oxigraph cannot cancel a query, and a runaway one must neither
            # block the server's shutdown nor take more than its one slot.
            try:
                answer = _evaluate(
                    self._store,
                    query,
                    default_graphs,
                    named_graphs,
                    accept,
                    self._limits.sparql_max_rows,
                    timeout,
                )
            except RequestRejectedError as error:
                hand_over(None, _detached(error))
            except Exception:
                logger.exception("SPARQL query failed")
                hand_over(
                    None, _detached(RequestRejectedError(500, "INTERNAL", INTERNAL_MESSAGE, INTERNAL_MESSAGE))
                )
            else:
                hand_over(answer, None)
            finally:
                self._slots.release()

        threading.Thread(target=work, name="kg-sparql", daemon=True).start()
        try:
            return await asyncio.wait_for(outcome, timeout=timeout)
        except TimeoutError:
            raise _timeout(timeout) from None


def _detached(error: RequestRejectedError) -> RequestRejectedError:
    """A copy of ``error`` with no traceback or context: those hold the worker's frames, whose Oxigraph
    result objects must be dropped on the worker thread (pyoxigraph refuses to drop them elsewhere).
    """
    return RequestRejectedError(
        error.status, error.problem_code, error.message, error.message_ko, hint=error.hint
    )


def _timeout(seconds: float) -> RequestRejectedError:
    return RequestRejectedError(
        503,
        "TIMEOUT",
        f"the query did not finish within {seconds:g} seconds",
        f"쿼리가 {seconds:g}초 안에 끝나지 않았습니다",
        hint="narrow the query (GRAPH, LIMIT, more specific patterns)",
    )


async def _read_request(request: Request) -> tuple[str, list[ox.NamedNode], list[ox.NamedNode]]:
    params = request.query_params
    default_uris = params.getlist("default-graph-uri")
    named_uris = params.getlist("named-graph-uri")
    if request.method == "GET":
        if "update" in params:
            raise _update_rejected()
        queries = params.getlist("query")
    elif request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/sparql-query":
            try:
                queries = [(await request.body()).decode("utf-8")]
            except UnicodeDecodeError:
                raise _bad_request("the query is not valid UTF-8", "쿼리가 올바른 UTF-8이 아닙니다") from None
        elif content_type == "application/x-www-form-urlencoded":
            form = await request.form()
            if "update" in form:
                raise _update_rejected()
            queries = [str(value) for value in form.getlist("query")]
            default_uris += [str(value) for value in form.getlist("default-graph-uri")]
            named_uris += [str(value) for value in form.getlist("named-graph-uri")]
        elif content_type == "application/sparql-update":
            raise _update_rejected()
        else:
            raise RequestRejectedError(
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                f"unsupported content type {content_type or '(none)'!r}",
                f"지원하지 않는 콘텐츠 유형입니다: {content_type or '(없음)'!r}",
                hint="send application/sparql-query or application/x-www-form-urlencoded",
            )
    else:  # pragma: no cover - the route accepts GET and POST only
        raise _bad_request("use GET or POST", "GET 또는 POST를 사용하십시오")
    if len(queries) != 1 or not queries[0].strip():
        raise _bad_request(
            "send exactly one non-empty 'query'",
            "비어 있지 않은 'query'를 하나만 보내십시오",
            hint="GET /sparql?query=SELECT…",
        )
    return queries[0], _graph_nodes(default_uris), _graph_nodes(named_uris)


def _graph_nodes(uris: Sequence[str]) -> list[ox.NamedNode]:
    nodes = []
    for uri in uris:
        try:
            nodes.append(ox.NamedNode(uri))
        except ValueError:
            raise _bad_request(
                f"not a graph IRI: {uri[:200]!r}", f"그래프 IRI가 아닙니다: {uri[:200]!r}"
            ) from None
    return nodes


def _refuse_unsafe(query: str) -> None:
    significant = _OPAQUE.sub(" ", query)
    if _UPDATE.search(significant):
        raise _update_rejected()
    if _SERVICE.search(significant):
        raise RequestRejectedError(
            400,
            "SPARQL_SERVICE_REJECTED",
            "SERVICE (federated query) is not allowed on this endpoint",
            "이 엔드포인트에서는 SERVICE(연합 쿼리)를 사용할 수 없습니다",
            hint="query only the data in this store",
        )


def _evaluate(
    store: EmbeddedStore,
    query: str,
    default_graphs: list[ox.NamedNode],
    named_graphs: list[ox.NamedNode],
    accept: str,
    max_rows: int,
    timeout: float,
) -> SparqlAnswer:
    deadline = (time.monotonic() + timeout, timeout)
    options: dict[str, Any] = {}
    if default_graphs:
        options["default_graph"] = default_graphs
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = named_graphs
    try:
        result = store.raw.query(query, **options)
    except SyntaxError as error:
        if _UPDATE.search(_OPAQUE.sub(" ", query)):
            raise _update_rejected() from None
        raise RequestRejectedError(
            400,
            "SPARQL_SYNTAX",
            f"the SPARQL query does not parse: {error}",
            f"SPARQL 쿼리 구문 오류: {error}",
            hint="only SELECT, ASK, CONSTRUCT and DESCRIBE queries are accepted",
        ) from None
    except OSError as error:
        raise RequestRejectedError(
            500, "STORE", f"the store could not answer: {error}", f"저장소가 응답하지 못했습니다: {error}"
        ) from None
    try:
        if isinstance(result, ox.QueryBoolean):
            return _boolean_answer(bool(result), accept)
        if isinstance(result, ox.QuerySolutions):
            return _solutions_answer(result, accept, max_rows, deadline)
        return _graph_answer(result, accept, max_rows, deadline)
    except OSError as error:
        raise RequestRejectedError(
            500, "STORE", f"the store could not answer: {error}", f"저장소가 응답하지 못했습니다: {error}"
        ) from None


def _bounded(rows: Iterable[Any], max_rows: int, deadline: tuple[float, float]) -> tuple[list[Any], bool]:
    """At most ``max_rows`` rows, and whether there were more; gives up at the deadline (monotonic, seconds)."""
    taken: list[Any] = []
    for row in rows:
        if len(taken) >= max_rows:
            return taken, True
        if time.monotonic() > deadline[0]:
            raise _timeout(deadline[1])
        taken.append(row)
    return taken, False


def _boolean_answer(value: bool, accept: str) -> SparqlAnswer:
    media = _negotiate(accept, (SPARQL_JSON, "application/json"), "ASK")
    body = json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    return SparqlAnswer(body, media, 1, False)


def _solutions_answer(
    result: ox.QuerySolutions, accept: str, max_rows: int, deadline: tuple[float, float]
) -> SparqlAnswer:
    media = _negotiate(accept, SOLUTION_TYPES, "SELECT")
    names = [variable.value for variable in result.variables]
    rows, truncated = _bounded(result, max_rows, deadline)
    if media == CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if row[i] is None else _csv_value(row[i]) for i in range(len(names))])
        return SparqlAnswer(
            buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8", len(rows), truncated
        )
    bindings = [
        {name: _json_term(row[i]) for i, name in enumerate(names) if row[i] is not None} for row in rows
    ]
    payload = {"head": {"vars": names}, "results": {"bindings": bindings}}
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return SparqlAnswer(
        body, SPARQL_JSON if media == SPARQL_JSON else "application/json", len(rows), truncated
    )


def _graph_answer(
    result: ox.QueryTriples, accept: str, max_rows: int, deadline: tuple[float, float]
) -> SparqlAnswer:
    media = _negotiate(accept, GRAPH_TYPES, "CONSTRUCT/DESCRIBE")
    triples, truncated = _bounded(result, max_rows, deadline)
    if media == TURTLE:
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
        return SparqlAnswer(body, "text/turtle; charset=utf-8", len(triples), truncated)
    body = "".join(f"{triple} .\n" for triple in triples).encode("utf-8")
    return SparqlAnswer(body, N_TRIPLES, len(triples), truncated)


def _negotiate(accept: str, offered: Sequence[str], kind: str) -> str:
    """The offered media type the ``Accept`` header prefers (the first offered when it accepts anything)."""
    if not accept.strip():
        return offered[0]
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")[:50]):
        media, *params = (piece.strip() for piece in part.split(";"))
        media = media.lower()
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        for candidate in offered:
            if media in (candidate, "*/*", f"{candidate.split('/')[0]}/*"):
                choice = offered[0] if media == "*/*" else candidate
                rank = (quality, -position, choice)
                if best is None or rank[:2] > best[:2]:
                    best = rank
                break
    if best is None:
        raise RequestRejectedError(
            406,
            "NOT_ACCEPTABLE",
            f"cannot answer a {kind} query as {accept[:200]!r}; available: {', '.join(offered)}",
            f"{kind} 쿼리 결과를 {accept[:200]!r} 형식으로 줄 수 없습니다. 가능한 형식: {', '.join(offered)}",
            hint="change the Accept header",
        )
    return best[2]


def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        literal: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            literal["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            literal["datatype"] = term.datatype.value
        return literal
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    return {"type": "literal", "value": str(term)}  # pragma: no cover - no other term kinds exist


def _csv_value(term: Any) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def _bad_request(message: str, message_ko: str, *, hint: str = "") -> RequestRejectedError:
    return RequestRejectedError(400, "BAD_REQUEST", message, message_ko, hint=hint)


def _update_rejected() -> RequestRejectedError:
    return RequestRejectedError(
        400,
        "SPARQL_UPDATE_REJECTED",
        "this SPARQL endpoint is read-only: updates are not accepted",
        "이 SPARQL 엔드포인트는 읽기 전용입니다. 갱신(update)은 받지 않습니다",
        hint="data changes only through validated submissions (the GraphQL API or the kg command)",
    )
