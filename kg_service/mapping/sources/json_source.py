"""JSON reader: Open API responses (RealtimeCityAir, IotVdata017) and JSON exports as a :class:`SourceTable`.

An iterator in a small JSONPath subset picks the items; each item becomes one row:

- nested objects are flattened to dotted keys (``{"location": {"type": "Point"}}`` → ``location.type``);
- lists (of scalars or of anything else) are kept as compact JSON text (``[126.97,37.56]``);
- numbers keep the text they have in the file (``25.0`` stays ``"25.0"``), booleans are ``"true"`` /
  ``"false"``, ``null`` and empty strings are ``None``, other strings are stripped of surrounding whitespace;
- an item that is not an object (a bare number or string) becomes one column named ``$``.

``__row`` is the 1-based position of the item among the items the iterator matched.

The JSONPath subset: ``$`` (the document; a top-level array is iterated), ``$.a.b`` (an array found there is
iterated), ``$.a.b[*]``, ``$[*]``, ``$.a['b c'][*]`` / ``$["b c"]`` (quoted names), ``$.a[0]`` (index) and
``$.a.*`` (every member). Recursive descent (``$..x``) and filters are not supported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, TypeAlias

from kg_service.errors import MappingRuleError, SourceDataError
from kg_service.mapping.source_spec import SourceSpec
from kg_service.mapping.source_table import SourceTable
from kg_service.mapping.sources.encoding import DecodedText, decode_source, report_bad_lines
from kg_service.mapping.sources.rows import (
    MAX_NESTING_DEPTH,
    ProblemLog,
    Row,
    check_row_limit,
    empty_table,
    table_from_rows,
)

SCALAR_COLUMN: Final = "$"
"""Column name of items that are not objects."""


class JsonNumber(str):
    """A JSON number kept exactly as written in the file (``25.0``, ``1e-3``), so nothing is reformatted."""

    __slots__ = ()

    def as_float(self) -> float:
        """The number as a float (for coordinates)."""
        return float(self)


JsonValue: TypeAlias = bool | str | JsonNumber | list["JsonValue"] | dict[str, "JsonValue"] | None


# ---------------------------------------------------------------------------------------------- parsing
def load_json(
    data: bytes, encoding: str, *, file_name: str, log: ProblemLog
) -> tuple[JsonValue, DecodedText]:
    """Decode and parse a JSON document, numbers kept as :class:`JsonNumber`.

    An empty document (no bytes, or only whitespace) parses as ``None``.

    :raises SourceDataError: not JSON, or nested deeper than :data:`MAX_NESTING_DEPTH`.
    """
    decoded = decode_source(data, encoding, file_name=file_name)
    report_bad_lines(decoded, log)
    text = decoded.text
    if not text.strip():
        return None, decoded
    try:
        document: JsonValue = json.loads(
            text, parse_float=JsonNumber, parse_int=JsonNumber, parse_constant=JsonNumber
        )
    except json.JSONDecodeError as exc:
        raise SourceDataError(
            f"{file_name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            f"{file_name} 파일이 올바른 JSON이 아닙니다: {exc.lineno}번째 줄 {exc.colno}번째 글자 ({exc.msg})",
            hint="check the file with a JSON validator; an API error page saved as .json is a common cause",
        ) from None
    except RecursionError:
        raise _too_deep(file_name) from None
    if nesting_depth(document) > MAX_NESTING_DEPTH:
        raise _too_deep(file_name)
    return document, decoded


def _too_deep(file_name: str) -> SourceDataError:
    return SourceDataError(
        f"{file_name} is nested deeper than {MAX_NESTING_DEPTH} levels, which is refused as unsafe",
        f"{file_name} 파일의 중첩 깊이가 {MAX_NESTING_DEPTH}단계를 넘어 안전을 위해 거부합니다",
        hint="department data is never this deep; check that the right file was sent",
    )


def nesting_depth(value: JsonValue) -> int:
    """Depth of nested arrays and objects (a scalar is 0, ``[]`` is 1), computed without recursion.

    >>> nesting_depth({"a": [1, {"b": []}]})
    4
    """
    deepest = 0
    stack: list[tuple[JsonValue, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: list[JsonValue] = list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_NESTING_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


# ---------------------------------------------------------------------------------------------- JSONPath
@dataclass(frozen=True, slots=True)
class _Member:
    name: str


@dataclass(frozen=True, slots=True)
class _Index:
    index: int


@dataclass(frozen=True, slots=True)
class _Wildcard:
    pass


_Step = _Member | _Index | _Wildcard


def parse_iterator(expression: str | None) -> list[_Step]:
    """Compile a JSONPath iterator of the supported subset.

    >>> parse_iterator("$.IotVdata017.row[*]")
    [_Member(name='IotVdata017'), _Member(name='row'), _Wildcard()]
    >>> parse_iterator("$.a['b c'][0]")
    [_Member(name='a'), _Member(name='b c'), _Index(index=0)]

    :raises MappingRuleError: the expression is outside the subset.
    """
    text = (expression or "$").strip()
    if not text.startswith("$"):
        raise _bad_path(text, "it must start with '$'")
    steps: list[_Step] = []
    i = 1
    while i < len(text):
        char = text[i]
        if text.startswith("..", i):
            raise _bad_path(text, "recursive descent '..' is not supported")
        if char == ".":
            j = i + 1
            while j < len(text) and text[j] not in ".[":
                j += 1
            name = text[i + 1 : j].strip()
            if not name:
                raise _bad_path(text, f"a name is missing after '.' at position {i + 1}")
            steps.append(_Wildcard() if name == "*" else _Member(name))
            i = j
        elif char == "[":
            close, step = _bracket(text, i)
            steps.append(step)
            i = close + 1
        else:
            raise _bad_path(text, f"unexpected '{char}' at position {i + 1}")
    return steps


def _bracket(text: str, start: int) -> tuple[int, _Step]:
    inner_start = start + 1
    if inner_start < len(text) and text[inner_start] in "'\"":
        quote = text[inner_start]
        end = text.find(quote, inner_start + 1)
        if end == -1 or end + 1 >= len(text) or text[end + 1] != "]":
            raise _bad_path(text, f"unclosed quoted name at position {start + 1}")
        return end + 1, _Member(text[inner_start + 1 : end])
    close = text.find("]", inner_start)
    if close == -1:
        raise _bad_path(text, f"unclosed '[' at position {start + 1}")
    inner = text[inner_start:close].strip()
    if inner == "*":
        return close, _Wildcard()
    try:
        return close, _Index(int(inner))
    except ValueError:
        raise _bad_path(text, f"'[{inner}]' is not supported (use [*], [n] or ['name'])") from None


def _bad_path(expression: str, reason: str) -> MappingRuleError:
    return MappingRuleError(
        f"the JSON iterator {expression!r} is not supported: {reason}",
        f"JSON 반복자 {expression!r}을(를) 지원하지 않습니다: {reason}",
        hint="use forms like $, $[*], $.RealtimeCityAir.row[*] or $.a['name with spaces'][*]",
    )


def select_items(document: JsonValue, steps: list[_Step]) -> list[JsonValue]:
    """The items an iterator picks; an array reached by a path that does not end in ``[*]`` is iterated."""
    nodes: list[JsonValue] = [document]
    for step in steps:
        found: list[JsonValue] = []
        for node in nodes:
            if isinstance(step, _Member):
                if isinstance(node, dict) and step.name in node:
                    found.append(node[step.name])
            elif isinstance(step, _Index):
                if isinstance(node, list) and -len(node) <= step.index < len(node):
                    found.append(node[step.index])
            elif isinstance(node, list):
                found.extend(node)
            elif isinstance(node, dict):
                found.extend(node.values())
        nodes = found
    if steps and isinstance(steps[-1], _Wildcard):
        return nodes
    items: list[JsonValue] = []
    for node in nodes:
        if isinstance(node, list):
            items.extend(node)
        else:
            items.append(node)
    return items


# ---------------------------------------------------------------------------------------------- values
def scalar_text(value: JsonValue) -> str | None:
    """A JSON value as a cell string (lists and objects as compact JSON).

    >>> [scalar_text(v) for v in (JsonNumber("25.0"), True, None, "  ", " 중구 ", [JsonNumber("1.50"), "가"])]
    ['25.0', 'true', None, None, '중구', '[1.50,"가"]']
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, JsonNumber):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return to_json_text(value)


def to_json_text(value: JsonValue) -> str:
    """Compact JSON (no spaces, non-ASCII kept) with numbers exactly as read."""
    return "".join(_json_chunks(value))


def _json_chunks(value: JsonValue) -> Iterator[str]:
    if value is None:
        yield "null"
    elif isinstance(value, bool):
        yield "true" if value else "false"
    elif isinstance(value, JsonNumber):
        yield str(value)
    elif isinstance(value, str):
        yield json.dumps(value, ensure_ascii=False)
    elif isinstance(value, list):
        yield "["
        for position, item in enumerate(value):
            if position:
                yield ","
            yield from _json_chunks(item)
        yield "]"
    else:
        yield "{"
        for position, (key, item) in enumerate(value.items()):
            if position:
                yield ","
            yield json.dumps(key, ensure_ascii=False)
            yield ":"
            yield from _json_chunks(item)
        yield "}"


def to_plain(value: JsonValue) -> object:
    """The value with :class:`JsonNumber` turned into ``int``/``float`` (for shapely and other libraries)."""
    if isinstance(value, JsonNumber):
        try:
            return int(value)
        except ValueError:
            return float(value)
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    return value


def flatten_object(
    obj: dict[str, JsonValue],
    *,
    row: int,
    log: ProblemLog,
    prefix: str = "",
    into: Row | None = None,
) -> Row:
    """Flatten an object into dotted keys (see the module docstring); key clashes raise a warning.

    >>> log = ProblemLog("x.json")
    >>> flatten_object({"a": {"b": JsonNumber("1")}, "c": [True]}, row=1, log=log)
    {'a.b': '1', 'c': '[true]'}
    """
    out: Row = {} if into is None else into
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flatten_object(value, row=row, log=log, prefix=f"{name}.", into=out)
            continue
        if name in out:
            log.add(
                row,
                name,
                scalar_text(value),
                "duplicate-key",
                f"row {row}: the key '{name}' occurs twice after flattening nested objects; the later one is kept",
                f"{row}행: 중첩 객체를 펼친 뒤 '{name}' 키가 두 번 나옵니다; 뒤의 값을 사용합니다",
                "warning",
            )
        out[name] = scalar_text(value)
    return out


def item_row(item: JsonValue, *, row: int, log: ProblemLog) -> Row:
    """One iterated item as a row."""
    if isinstance(item, dict):
        return flatten_object(item, row=row, log=log)
    return {SCALAR_COLUMN: scalar_text(item)}


# ---------------------------------------------------------------------------------------------- reader
def read_json(data: bytes, spec: SourceSpec, *, file_name: str, max_rows: int | None = None) -> SourceTable:
    """Read a JSON document; one row per item picked by ``spec.iterator`` (default ``$``).

    >>> from kg_service.mapping.source_spec import SourceSpec
    >>> doc = b'{"R": {"row": [{"MSRSTE_NM": "\\xec\\xa4\\x91\\xea\\xb5\\xac", "PM10": 25.0}]}}'
    >>> t = read_json(doc, SourceSpec("json", iterator="$.R.row[*]"), file_name="a.json")
    >>> t.columns, t.frame.rows()
    (['MSRSTE_NM', 'PM10'], [('중구', '25.0', 1)])

    :raises SourceDataError: not JSON, or nested deeper than 64 levels.
    :raises LimitExceededError: more than ``max_rows`` items.
    :raises MappingRuleError: the iterator is outside the supported JSONPath subset.
    """
    steps = parse_iterator(spec.iterator)
    log = ProblemLog(file_name)
    document, decoded = load_json(data, spec.encoding, file_name=file_name, log=log)
    if document is None:
        log.add(
            None, None, None, "empty", f"{file_name} is empty", f"{file_name} 파일이 비어 있습니다", "warning"
        )
        return empty_table(file_name, [], log.finish(), decoded.encoding)
    items = select_items(document, steps)
    check_row_limit(len(items), max_rows, file_name=file_name)
    if not items:
        _no_match(document, spec.iterator or "$", log, file_name=file_name)
        return empty_table(file_name, [], log.finish(), decoded.encoding)
    rows = [item_row(item, row=number, log=log) for number, item in enumerate(items, start=1)]
    return table_from_rows(file_name, rows, problems=log.finish(), encoding=decoded.encoding)


def _no_match(document: JsonValue, iterator: str, log: ProblemLog, *, file_name: str) -> None:
    keys = ", ".join(list(document)[:10]) if isinstance(document, dict) else type(document).__name__
    en = f"the iterator {iterator} matched nothing in {file_name} (top level: {keys})"
    ko = f"반복자 {iterator}에 해당하는 항목이 {file_name}에 없습니다 (최상위: {keys})"
    result = _open_api_result(document)
    if result is not None:
        en += f"; the API answered {result}"
        ko += f"; API 응답: {result}"
    log.add(None, None, None, "iterator-no-match", en, ko, "warning")


def _open_api_result(document: JsonValue) -> str | None:
    """The ``RESULT`` code and message of a Seoul Open API envelope, when there is one."""
    candidates: list[JsonValue] = [document]
    if isinstance(document, dict):
        candidates.extend(document.values())
    for candidate in candidates:
        result = candidate.get("RESULT") if isinstance(candidate, dict) else None
        if isinstance(result, dict):
            return f"{scalar_text(result.get('CODE'))} {scalar_text(result.get('MESSAGE'))}"
    return None
