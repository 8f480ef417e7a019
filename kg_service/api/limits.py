"""Limits on what one request may ask for, checked before anything runs, and how errors are shown.

A GraphQL document is parsed with a token cap and then measured before execution:
- depth: nesting of fields (fragments expanded), at most ``max_depth``;
- aliases: aliased fields, counted again for every spread of a fragment, at most ``max_aliases``;
- cost: each field costs 1, and the selections under a list field count once per item it may return: the
  ``first``/``limit`` argument when given (or its declared default), else the size a list is known to have
  (:data:`ASSUMED_LIST_SIZES`: seven CPS functions, 25 districts, …), else ``default_page_size``. A list directly
  under a paginated field (a connection's ``edges``/``nodes``) is not multiplied twice. At most ``max_cost``.
- introspection (``__schema``/``__type``) is exempt from depth and cost, since GraphiQL's own introspection
  query is 15 deep, but may nest its list fields at most three deep (``types { fields { args } }``), which
  stops the ``fields { type { fields { type ...`` explosion.
The HTTP layer adds a body-size cap, a batch-size cap, a time limit and an upload cap (:class:`RequestLimits`).

Errors leave the service in one shape: ``message`` (English), and ``extensions`` with a stable ``code``, and for
our own errors ``message_ko`` and ``hint`` (see :func:`format_error`). Outside demo mode an unexpected
exception is masked as ``INTERNAL`` with an ``errorId`` that finds the full traceback in the server log.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    parse,
)

from kg_service.errors import KGServiceError, LimitExceededError

logger = logging.getLogger("kg_service.api")

INTERNAL_MESSAGE: Final = "Internal server error / 내부 서버 오류"
PAGINATION_ARGUMENTS: Final = ("first", "limit")
INTROSPECTION_LIST_NESTING: Final = 3
# A fragment spread inside a fragment inside ... more than this many times is refused outright: real clients
# do not do it, and it keeps the measuring below from recursing without bound.
MAX_FRAGMENT_NESTING: Final = 30


#: Lists that take no page argument but whose length the schema bounds (or that stay small by nature): the
#: cost counts them at this size rather than ``default_page_size`` (the idea of the GraphQL cost
#: directives' ``@listSize(assumedSize:)``). Without these the linkage table (rows × 7 cells × contributors)
#: was estimated at about four million values and refused, though it holds a few thousand.
ASSUMED_LIST_SIZES: Final[Mapping[tuple[str, str], int]] = {
    ("Query", "cpsFunctions"): 7,  # the seven CPS functions
    ("LinkageTable", "functions"): 7,
    ("LinkageRow", "cells"): 7,  # one cell per CPS function
    ("LinkageCell", "contributors"): 10,  # what fills one cell of one row: a handful
    ("Query", "districts"): 25,  # Seoul's 25 autonomous districts
}


class QueryTimeoutError(LimitExceededError):
    """A request ran longer than the configured time limit."""

    code = "TIMEOUT"


@dataclass(frozen=True, slots=True)
class RequestLimits:
    """The limits of one app. Built from the settings with :meth:`from_settings`."""

    max_depth: int = 12
    max_aliases: int = 30
    max_cost: int = 50_000
    default_page_size: int = 100
    max_tokens: int = 10_000
    max_body_bytes: int = 100_000
    max_batch: int = 10
    request_timeout_seconds: float = 30.0
    max_upload_bytes: int = 200 * 1024 * 1024
    sparql_max_rows: int = 10_000

    @classmethod
    def from_settings(cls, settings: object) -> RequestLimits:
        """The limits named in the settings (``KG_MAX_QUERY_DEPTH`` …), defaults for those not there."""
        defaults = cls()

        def number(name: str, default: float) -> Any:
            value = getattr(settings, name, None)
            return default if value is None else value

        return cls(
            max_depth=int(number("max_query_depth", defaults.max_depth)),
            max_aliases=int(number("max_aliases", defaults.max_aliases)),
            max_cost=int(number("max_query_cost", defaults.max_cost)),
            default_page_size=int(number("default_page_size", defaults.default_page_size)),
            max_tokens=int(number("max_query_tokens", defaults.max_tokens)),
            max_body_bytes=int(number("max_request_bytes", defaults.max_body_bytes)),
            max_batch=int(number("max_batch_operations", defaults.max_batch)),
            request_timeout_seconds=float(
                number("request_timeout_seconds", defaults.request_timeout_seconds)
            ),
            max_upload_bytes=int(number("max_upload_bytes", defaults.max_upload_bytes)),
            sparql_max_rows=int(number("sparql_max_rows", defaults.sparql_max_rows)),
        )


def limit_error(message: str, message_ko: str, hint: str) -> GraphQLError:
    """A GraphQL error carrying a :class:`LimitExceededError` (code ``LIMIT_EXCEEDED``)."""
    return GraphQLError(message, original_error=LimitExceededError(message, message_ko, hint=hint))


def parse_document(query: str, limits: RequestLimits) -> DocumentNode:
    """Parse a GraphQL document, refusing one with more than ``max_tokens`` tokens or absurd nesting.

    Raises:
        GraphQLError: a syntax error, or a limit error (its ``original_error`` is a LimitExceededError).
    """
    try:
        return parse(query, no_location=False, max_tokens=limits.max_tokens)
    except GraphQLSyntaxError as error:
        if "nested too deeply" in error.message or "token limit" in error.message:
            raise limit_error(
                f"the query is too large or too deeply nested: {error.message}",
                "쿼리가 너무 크거나 너무 깊게 중첩되어 있습니다",
                hint=f"ask for fewer fields (at most {limits.max_tokens} tokens, depth {limits.max_depth})",
            ) from None
        raise


def check_document(
    document: DocumentNode,
    schema: GraphQLSchema,
    limits: RequestLimits,
    variables: Mapping[str, object] | None = None,
) -> list[GraphQLError]:
    """Measure ``document`` against ``limits``; the errors found (empty when it may run)."""
    return _DocumentMeasure(document, schema, limits, variables or {}).errors()


def operation_names(document: DocumentNode) -> list[str | None]:
    """The names of the operations in a document (``None`` for an anonymous one)."""
    return [
        definition.name.value if definition.name else None
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


class _DocumentMeasure:
    """Depth, aliases and cost of one document, with fragments expanded and cycles cut."""

    def __init__(
        self,
        document: DocumentNode,
        schema: GraphQLSchema,
        limits: RequestLimits,
        variables: Mapping[str, object],
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.variables = variables
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        self._alias_memo: dict[str, int] = {}
        self._depth_memo: dict[str, int] = {}
        self._cost_memo: dict[str, int] = {}

    def errors(self) -> list[GraphQLError]:
        try:
            return self._errors()
        except _FragmentsTooNestedError:
            return [
                limit_error(
                    f"fragments are nested more than {MAX_FRAGMENT_NESTING} deep, or spread in a cycle",
                    f"프래그먼트가 {MAX_FRAGMENT_NESTING}단계보다 깊게 중첩되었거나 순환합니다",
                    hint="inline the fragments or remove the cycle",
                )
            ]

    def _errors(self) -> list[GraphQLError]:
        limits = self.limits
        aliases = sum(self._aliases(op.selection_set, ()) for op in self.operations)
        if aliases > limits.max_aliases:
            return [
                limit_error(
                    f"the query uses {aliases} aliases; at most {limits.max_aliases} are allowed",
                    f"별칭(alias)을 {aliases}개 사용했습니다. 최대 {limits.max_aliases}개까지 허용됩니다",
                    hint="split the query into several requests",
                )
            ]
        depth = max((self._depth(op.selection_set, ()) for op in self.operations), default=0)
        if depth > limits.max_depth:
            return [
                limit_error(
                    f"the query is {depth} levels deep; at most {limits.max_depth} are allowed",
                    f"쿼리 깊이가 {depth}단계입니다. 최대 {limits.max_depth}단계까지 허용됩니다",
                    hint="ask for less nested data, or fetch the inner objects in a second query",
                )
            ]
        nesting = max(
            (self._introspection_nesting(op.selection_set, 0, False, ()) for op in self.operations), default=0
        )
        if nesting > INTROSPECTION_LIST_NESTING:
            return [
                limit_error(
                    f"introspection lists are nested {nesting} deep; at most {INTROSPECTION_LIST_NESTING}",
                    f"인트로스펙션 목록이 {nesting}단계 중첩되었습니다. 최대 {INTROSPECTION_LIST_NESTING}단계입니다",
                    hint="use the standard introspection query (GraphiQL sends it)",
                )
            ]
        cost = 0
        for op in self.operations:
            root = self._root_type(op)
            cost += self._cost(op.selection_set, root, False, ())
        if cost > limits.max_cost:
            return [
                limit_error(
                    f"the query may return about {cost} values; at most {limits.max_cost} are allowed",
                    f"쿼리가 약 {cost}개의 값을 반환할 수 있습니다. 최대 {limits.max_cost}개까지 허용됩니다",
                    hint="ask for smaller pages (first: …) or fewer nested lists",
                )
            ]
        return []

    # -- measures (each follows fragment spreads, memoised per fragment) ------------------------------

    def _aliases(self, selection_set: SelectionSetNode | None, path: tuple[str, ...]) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += (1 if selection.alias else 0) + self._aliases(selection.selection_set, path)
            elif isinstance(selection, InlineFragmentNode):
                total += self._aliases(selection.selection_set, path)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._through_fragment(selection, path, self._alias_memo, self._aliases)
        return total

    def _depth(self, selection_set: SelectionSetNode | None, path: tuple[str, ...]) -> int:
        if selection_set is None:
            return 0
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + self._depth(selection.selection_set, path))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self._depth(selection.selection_set, path))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self._through_fragment(selection, path, self._depth_memo, self._depth))
        return deepest

    def _through_fragment(
        self,
        spread: FragmentSpreadNode,
        path: tuple[str, ...],
        memo: dict[str, int],
        measure: Any,
    ) -> int:
        name = spread.name.value
        if name in memo:
            return memo[name]
        fragment = self.fragments.get(name)
        if fragment is None:
            return 0  # unknown fragment: validation reports it
        if name in path or len(path) >= MAX_FRAGMENT_NESTING:
            raise _FragmentsTooNestedError
        value: int = measure(fragment.selection_set, (*path, name))
        memo[name] = value
        return value

    def _introspection_nesting(
        self, selection_set: SelectionSetNode | None, lists: int, inside: bool, path: tuple[str, ...]
    ) -> int:
        if selection_set is None:
            return lists if inside else 0
        deepest = lists if inside else 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                now_inside = inside or name in ("__schema", "__type")
                is_list = now_inside and name in _INTROSPECTION_LISTS
                deepest = max(
                    deepest,
                    self._introspection_nesting(
                        selection.selection_set, lists + (1 if is_list else 0), now_inside, path
                    ),
                )
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(
                    deepest, self._introspection_nesting(selection.selection_set, lists, inside, path)
                )
            elif isinstance(selection, FragmentSpreadNode):
                # Not memoised: the answer depends on where the fragment is spread. The nesting cap on
                # fragments keeps this bounded (introspection fragments are few and shallow).
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                name = fragment.name.value
                if name in path or len(path) >= MAX_FRAGMENT_NESTING:
                    raise _FragmentsTooNestedError
                deepest = max(
                    deepest,
                    self._introspection_nesting(fragment.selection_set, lists, inside, (*path, name)),
                )
        return deepest

    def _cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        under_page: bool,
        path: tuple[str, ...],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field_cost(selection, parent, under_page, path)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self._cost(selection.selection_set, condition, under_page, path)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None:
                    continue
                # Memoised per fragment and page position: its type is fixed by its type condition.
                key = f"{name}|{under_page}"
                if key not in self._cost_memo:
                    if name in path or len(path) >= MAX_FRAGMENT_NESTING:
                        raise _FragmentsTooNestedError
                    condition = self.schema.get_type(fragment.type_condition.name.value)
                    self._cost_memo[key] = self._cost(
                        fragment.selection_set, condition, under_page, (*path, name)
                    )
                total += self._cost_memo[key]
        return total

    def _field_cost(
        self, node: FieldNode, parent: GraphQLNamedType | None, under_page: bool, path: tuple[str, ...]
    ) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 1  # introspection is bounded separately
        definition = _field_definition(parent, name)
        if definition is None:
            # Unknown field (validation will report it): count it and its children, no multiplier.
            return 1 + self._cost(node.selection_set, None, False, path)
        page = self._page_size(node, definition)
        returns_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        if page is not None:
            multiplier, children_under_page = page, True
        elif returns_list:
            assumed = ASSUMED_LIST_SIZES.get((parent.name, name)) if parent is not None else None
            if under_page:
                multiplier = 1
            else:
                multiplier = assumed if assumed is not None else self.limits.default_page_size
            children_under_page = False
        else:
            multiplier, children_under_page = 1, False
        child_type = get_named_type(definition.type)
        return 1 + multiplier * self._cost(node.selection_set, child_type, children_under_page, path)

    def _page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The page size a paginated field was asked for; ``None`` when the field takes no page argument."""
        for argument_name in PAGINATION_ARGUMENTS:
            if argument_name not in definition.args:
                continue
            for argument in node.arguments or ():
                if argument.name.value != argument_name:
                    continue
                value = argument.value
                if isinstance(value, IntValueNode):
                    return max(0, int(value.value))
                if isinstance(value, VariableNode):
                    given = self.variables.get(value.name.value)
                    if isinstance(given, int) and not isinstance(given, bool):
                        return max(0, given)
                return self.limits.default_page_size
            default = definition.args[argument_name].default_value
            if isinstance(default, int) and not isinstance(default, bool):
                return max(0, default)
            return self.limits.default_page_size
        return None

    def _root_type(self, operation: OperationDefinitionNode) -> GraphQLNamedType | None:
        kind = operation.operation.value
        if kind == "query":
            return self.schema.query_type
        if kind == "mutation":
            return self.schema.mutation_type
        return self.schema.subscription_type


_INTROSPECTION_LISTS: Final = frozenset(
    {"types", "fields", "inputFields", "interfaces", "possibleTypes", "enumValues", "args", "directives"}
)


class _FragmentsTooNestedError(Exception):
    """Fragments spread too deep or in a cycle (reported as a limit error)."""


def _field_definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None


# -- error shape --------------------------------------------------------------------------------------


def error_payload(error: KGServiceError) -> dict[str, Any]:
    """One of our errors as a GraphQL-shaped error object (used by the non-GraphQL routes too)."""
    return {"message": error.message, "extensions": error.as_dict()}


def format_error(error: GraphQLError, *, mask_internal: bool) -> dict[str, Any]:
    """A GraphQL error as the client sees it: our errors with their code, message_ko and hint; errors of the
    request itself (syntax, validation, argument values) as they are; anything unexpected masked when
    ``mask_internal``, always logged with its traceback under an ``errorId``.
    """
    formatted: dict[str, Any] = dict(error.formatted)
    extensions: dict[str, Any] = dict(error.extensions or {})
    original = _root_cause(error)
    if isinstance(original, KGServiceError):
        formatted["message"] = original.message
        formatted["extensions"] = {**extensions, **original.as_dict()}
        return formatted
    if original is None or isinstance(original, GraphQLError):
        if error.path is None:
            # Before execution: the request itself is wrong; graphql-core's messages are safe to show.
            extensions.setdefault("code", _request_error_code(error))
        else:
            extensions.setdefault("code", "INTERNAL")
        formatted["extensions"] = extensions
        return formatted
    if error.path is None:
        # Raised while coercing argument or variable values (a scalar's parser): the input is wrong.
        extensions.setdefault("code", "BAD_USER_INPUT")
        formatted["extensions"] = extensions
        return formatted
    error_id = uuid.uuid4().hex[:12]
    logger.error(
        "unexpected error at %s (errorId %s)",
        ".".join(str(p) for p in error.path),
        error_id,
        exc_info=(type(original), original, original.__traceback__),
    )
    if mask_internal:
        masked: dict[str, Any] = {
            "message": INTERNAL_MESSAGE,
            "extensions": {"code": "INTERNAL", "errorId": error_id},
        }
        for key in ("locations", "path"):
            if key in formatted:
                masked[key] = formatted[key]
        return masked
    formatted["extensions"] = {
        **extensions,
        "code": "INTERNAL",
        "errorId": error_id,
        "exception": type(original).__name__,
    }
    return formatted


def _root_cause(error: GraphQLError) -> BaseException | None:
    original: BaseException | None = error.original_error
    seen = 0
    while isinstance(original, GraphQLError) and original.original_error is not None and seen < 10:
        original = original.original_error
        seen += 1
    return original


def _request_error_code(error: GraphQLError) -> str:
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    message = error.message
    if (
        message.startswith("Variable '$")
        or " has invalid value" in message
        or "Expected value of type" in message
    ):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"
