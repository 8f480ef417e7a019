"""XML reader: XML Open API responses and feeds (road speeds, …) as a :class:`SourceTable`.

Parsing is done **only** with defusedxml, with DTDs refused outright: no entity expansion (billion laughs), no
external entities or DTDs (XXE), no network access. Such a file is refused with a :class:`SourceDataError`
naming the reason.

An iterator in a small XPath subset picks the elements; each becomes one row:

- attributes of the element as ``@name``;
- its own text (when not blank) as ``text()``;
- child elements by local tag name, grandchildren as dotted paths (``link.speed``), their attributes as
  ``link.@id``; a path that occurs several times in one element gives a JSON array of the texts;
- text is stripped; empty text is ``None``.

``__row`` is the 1-based position of the element among the matches, in document order.

XPath subset: ``/a/b/c`` (from the root), ``//c`` (anywhere), ``/a//c``, ``*`` (any element), prefixed names
``p:c`` resolved through the ``namespaces`` map, and Clark notation ``{uri}c``. An unprefixed name matches that
local name in any namespace (unlike XPath 1.0, so that feeds with a default namespace need no prefix map).
No iterator means every child element of the root. Predicates and other axes are not supported.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from kg_service.errors import MappingRuleError, SourceDataError
from kg_service.mapping.source_spec import SourceSpec
from kg_service.mapping.source_table import SourceTable
from kg_service.mapping.sources.encoding import AUTO, DecodedText, decode_source, report_bad_lines
from kg_service.mapping.sources.json_source import to_json_text
from kg_service.mapping.sources.rows import (
    MAX_NESTING_DEPTH,
    ProblemLog,
    Row,
    check_row_limit,
    empty_table,
    table_from_rows,
)

TEXT_COLUMN: Final = "text()"
_DECLARED_ENCODING: Final = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


# ---------------------------------------------------------------------------------------------- XPath subset
@dataclass(frozen=True, slots=True)
class _Step:
    descendant: bool
    name: str | None  # None: any element
    namespace: str | None  # None: any namespace (unprefixed name); "" never used


def parse_xpath(expression: str | None, namespaces: Mapping[str, str] | None = None) -> list[_Step] | None:
    """Compile an iterator of the supported XPath subset (``None``: the root's children).

    >>> parse_xpath("//row")
    [_Step(descendant=True, name='row', namespace=None)]
    >>> parse_xpath("/rsp/p:item", {"p": "urn:x"})[1]
    _Step(descendant=False, name='item', namespace='urn:x')

    :raises MappingRuleError: the expression is outside the subset, or uses an undeclared prefix.
    """
    if expression is None or not expression.strip():
        return None
    text = expression.strip()
    if not text.startswith("/"):
        raise _bad_xpath(text, "it must start with '/' or '//'")
    steps: list[_Step] = []
    for descendant, token in _tokens(text):
        if not token:
            raise _bad_xpath(text, "a step is empty")
        if any(c in token for c in "[]()@=| "):
            raise _bad_xpath(
                text, f"'{token}' is not a plain element name (predicates and axes are not supported)"
            )
        steps.append(_name_test(token, descendant, namespaces or {}, text))
    return steps


def _tokens(text: str) -> Iterator[tuple[bool, str]]:
    i = 0
    while i < len(text):
        descendant = text.startswith("//", i)
        i += 2 if descendant else 1
        if text.startswith("{", i):  # Clark notation may contain '/'
            close = text.find("}", i)
            if close == -1:
                raise _bad_xpath(text, "unclosed '{' in a namespace URI")
            end = text.find("/", close)
        else:
            end = text.find("/", i)
        end = len(text) if end == -1 else end
        yield descendant, text[i:end]
        i = end


def _name_test(step_text: str, descendant: bool, namespaces: Mapping[str, str], expression: str) -> _Step:
    if step_text == "*":
        return _Step(descendant, None, None)
    if step_text.startswith("{"):
        uri, _, local = step_text[1:].partition("}")
        return _Step(descendant, local, uri)
    prefix, colon, local = step_text.partition(":")
    if not colon:
        return _Step(descendant, step_text, None)
    if prefix not in namespaces:
        raise _bad_xpath(expression, f"the prefix '{prefix}' is not in the namespace map")
    return _Step(descendant, None if local == "*" else local, namespaces[prefix])


def _bad_xpath(expression: str, reason: str) -> MappingRuleError:
    return MappingRuleError(
        f"the XML iterator {expression!r} is not supported: {reason}",
        f"XML 반복자 {expression!r}을(를) 지원하지 않습니다: {reason}",
        hint="use forms like /response/body/items/item, //item or /p:feed/p:entry with a namespace map",
    )


def _split_tag(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return None, tag


def _matches(element: Element, step: _Step) -> bool:
    uri, local = _split_tag(element.tag)
    if step.name is not None and local != step.name:
        return False
    return step.namespace is None or uri == step.namespace


def select_elements(root: Element, steps: list[_Step] | None) -> list[Element]:
    """Elements matched by compiled steps, in document order, each once."""
    if steps is None:
        return list(root)  # the parser drops comments and processing instructions: only elements remain
    context: list[Element | None] = [None]  # None stands for the document node above the root
    for step in steps:
        found: list[Element] = []
        for node in context:
            if step.descendant:
                candidates: Iterator[Element] = root.iter() if node is None else _descendants(node)
            else:
                candidates = iter([root]) if node is None else iter(node)
            found.extend(e for e in candidates if _matches(e, step))
        context = list({id(e): e for e in found}.values())
    order = {id(e): i for i, e in enumerate(root.iter())}
    matched = [e for e in context if e is not None]
    return sorted(matched, key=lambda e: order[id(e)])


def _descendants(node: Element) -> Iterator[Element]:
    iterator = node.iter()
    next(iterator)  # the node itself
    return iterator


# ---------------------------------------------------------------------------------------------- reading
def read_xml(
    data: bytes,
    spec: SourceSpec,
    *,
    file_name: str,
    max_rows: int | None = None,
    namespaces: Mapping[str, str] | None = None,
) -> SourceTable:
    """Read an XML document; one row per element picked by ``spec.iterator``.

    >>> from kg_service.mapping.source_spec import SourceSpec
    >>> doc = '<r><link id="1"><speed>31.5</speed><road><name>세종대로</name></road></link></r>'.encode()
    >>> read_xml(doc, SourceSpec("xml", iterator="//link"), file_name="s.xml").frame.rows()
    [('1', '31.5', '세종대로', 1)]

    :raises SourceDataError: not well-formed XML, a DTD or entity declaration (refused for safety), or nested
        deeper than 64 levels.
    :raises LimitExceededError: more than ``max_rows`` matched elements.
    :raises MappingRuleError: the iterator is outside the supported XPath subset.
    """
    steps = parse_xpath(spec.iterator, namespaces)
    log = ProblemLog(file_name)
    decoded = _decode(data, spec, file_name=file_name)
    report_bad_lines(decoded, log)
    if not decoded.text.strip():
        log.add(
            None, None, None, "empty", f"{file_name} is empty", f"{file_name} 파일이 비어 있습니다", "warning"
        )
        return empty_table(file_name, [], log.finish(), decoded.encoding)
    root = _parse(decoded.text, file_name=file_name)
    _check_depth(root, file_name=file_name)
    elements = select_elements(root, steps)
    check_row_limit(len(elements), max_rows, file_name=file_name)
    if not elements:
        log.add(
            None,
            None,
            None,
            "iterator-no-match",
            f"the iterator {spec.iterator or '(children of the root)'} matched no element in {file_name} "
            f"(root element: {_split_tag(root.tag)[1]})",
            f"반복자 {spec.iterator or '(최상위 요소의 자식)'}에 해당하는 요소가 {file_name}에 없습니다 "
            f"(최상위 요소: {_split_tag(root.tag)[1]})",
            "warning",
        )
        return empty_table(file_name, [], log.finish(), decoded.encoding)
    rows = [element_row(element) for element in elements]
    return table_from_rows(file_name, rows, problems=log.finish(), encoding=decoded.encoding)


def _decode(data: bytes, spec: SourceSpec, *, file_name: str) -> DecodedText:
    """Use the encoding the mapping states, else the one the XML declaration states, else detect it."""
    encoding = spec.encoding
    if encoding.strip().lower() == AUTO:
        match = _DECLARED_ENCODING.match(data[:256])
        if match:
            declared = match.group(1).decode("ascii")
            try:
                encoding = codecs.lookup(declared).name
            except LookupError:
                encoding = AUTO
    return decode_source(data, encoding, file_name=file_name)


_ENTITY_DECLARATION: Final = re.compile(r"<!ENTITY\s+(%\s+)?[^\s>]+\s+(SYSTEM|PUBLIC)?", re.IGNORECASE)
_EXTERNAL_DTD: Final = re.compile(r"<!DOCTYPE\s+[^\s>\[]+\s+(SYSTEM|PUBLIC)", re.IGNORECASE)


def _dtd_reason(text: str) -> tuple[str, str]:
    """Why a document with a DTD is dangerous, in English and Korean."""
    entity = _ENTITY_DECLARATION.search(text)
    if entity is not None and entity.group(2):
        return (
            "it declares an external entity (XXE: it could read local files or reach the network)",
            "외부 엔티티를 선언합니다 (XXE: 로컬 파일을 읽거나 네트워크에 접속할 수 있음)",
        )
    if entity is not None:
        return (
            "it declares entities (entity expansion such as 'billion laughs' can exhaust memory)",
            "엔티티를 선언합니다 ('billion laughs' 같은 엔티티 확장으로 메모리가 고갈될 수 있음)",
        )
    if _EXTERNAL_DTD.search(text):
        return "it refers to an external DTD", "외부 DTD를 참조합니다"
    return "it declares a document type (<!DOCTYPE …>)", "문서 형식 선언(<!DOCTYPE …>)이 있습니다"


def _parse(text: str, *, file_name: str) -> Element:
    try:
        root: Element = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise _refused(file_name, *_dtd_reason(text)) from None
    except EntitiesForbidden as exc:
        raise _refused(
            file_name, f"it declares an entity ({exc.name})", f"엔티티를 선언합니다 ({exc.name})"
        ) from None
    except ExternalReferenceForbidden as exc:
        raise _refused(
            file_name,
            f"it refers to an external resource ({exc.sysid})",
            f"외부 자원을 참조합니다 ({exc.sysid})",
        ) from None
    except DefusedXmlException as exc:
        raise _refused(
            file_name, f"it uses a refused XML feature ({exc})", f"거부된 XML 기능을 사용합니다 ({exc})"
        ) from None
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]
        raise SourceDataError(
            f"{file_name} is not well-formed XML: {reason} at line {line}, column {column + 1}",
            f"{file_name} 파일이 올바른 XML이 아닙니다: {line}번째 줄 {column + 1}번째 글자 ({reason})",
            hint="check the file with an XML validator; an HTML error page saved as .xml is a common cause",
        ) from None
    return root


def _refused(file_name: str, reason_en: str, reason_ko: str) -> SourceDataError:
    return SourceDataError(
        f"{file_name} is refused for safety: {reason_en}; DTDs and entities are not allowed",
        f"{file_name} 파일을 안전을 위해 거부합니다: {reason_ko}; DTD와 엔티티는 허용되지 않습니다",
        hint="send the data without a DOCTYPE or entity declarations (XML Open API responses have none)",
    )


def _check_depth(root: Element, *, file_name: str) -> None:
    stack: list[tuple[Element, int]] = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_NESTING_DEPTH:
            raise SourceDataError(
                f"{file_name} is nested deeper than {MAX_NESTING_DEPTH} levels, which is refused as unsafe",
                f"{file_name} 파일의 중첩 깊이가 {MAX_NESTING_DEPTH}단계를 넘어 안전을 위해 거부합니다",
                hint="department data is never this deep; check that the right file was sent",
            )
        stack.extend((child, depth + 1) for child in element)


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


def element_row(element: Element) -> Row:
    """One matched element as a row (see the module docstring).

    >>> element_row(fromstring('<a k="v">t<b>1</b><b>2</b><c><d/></c></a>'))
    {'@k': 'v', 'text()': 't', 'b': '["1","2"]', 'c.d': None}
    """
    values: dict[str, list[str | None]] = {}
    for name, value in element.attrib.items():
        values.setdefault(f"@{_split_tag(name)[1]}", []).append(_text(value))
    own = _text(element.text)
    if own is not None:
        values.setdefault(TEXT_COLUMN, []).append(own)
    for child in element:
        _collect(child, "", values)
    row: Row = {}
    for name, texts in values.items():
        row[name] = texts[0] if len(texts) == 1 else to_json_text(list(texts))
    return row


def _collect(element: Element, prefix: str, values: dict[str, list[str | None]]) -> None:
    path = f"{prefix}{_split_tag(element.tag)[1]}"
    for name, value in element.attrib.items():
        values.setdefault(f"{path}.@{_split_tag(name)[1]}", []).append(_text(value))
    children = list(element)
    text = _text(element.text)
    if not children or text is not None:
        values.setdefault(path, []).append(text)
    for child in children:
        _collect(child, f"{path}.", values)
