"""Parsing the two template syntaxes into :class:`~kg_service.mapping.rules.TemplatePart` tuples.

- YARRRML: ``https://data.seoul.go.kr/cps/id/sensor/$(시리얼)``. Column names may contain spaces, Korean and
  parentheses (``$(초미세먼지 (㎍/㎥))``): a reference ends at the ``)`` that balances its ``$(``, or — when the
  rule file declares its columns — after the longest declared column name that fits. ``\\$(`` is a literal ``$(``.
- RML: ``http://example.com/{$.Name}``; ``\\{``, ``\\}`` and ``\\\\`` are literal braces and backslash.

Both raise :class:`~kg_service.errors.MappingRuleError` naming the file and line for unbalanced or empty
references.

>>> parse_yarrrml_template("obs/$(초미세먼지 (㎍/㎥))/x", location=SourceLocation("r.yaml", 3))
(TemplateText(text='obs/'), TemplateColumn(column='초미세먼지 (㎍/㎥)'), TemplateText(text='/x'))
>>> parse_rml_template("http://ex.com/{a}\\\\{b\\\\}", location=SourceLocation("m.ttl"))
(TemplateText(text='http://ex.com/'), TemplateColumn(column='a'), TemplateText(text='{b}'))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kg_service.errors import MappingRuleError
from kg_service.mapping.rules import SourceLocation, TemplateColumn, TemplatePart, TemplateText


def _error(
    location: SourceLocation, template: str, what_en: str, what_ko: str, hint: str
) -> MappingRuleError:
    return MappingRuleError(
        f"{location}: template {template!r}: {what_en}",
        f"{location.ko()}: 템플릿 {template!r}: {what_ko}",
        hint=hint,
    )


def _append_text(parts: list[TemplatePart], text: str) -> None:
    if not text:
        return
    if parts and isinstance(parts[-1], TemplateText):
        parts[-1] = TemplateText(parts[-1].text + text)
    else:
        parts.append(TemplateText(text))


def parse_yarrrml_template(
    text: str, *, location: SourceLocation, known_columns: Sequence[str] = ()
) -> tuple[TemplatePart, ...]:
    """Split a YARRRML template into text and ``$(column)`` parts."""
    parts: list[TemplatePart] = []
    literal: list[str] = []
    i = 0
    n = len(text)
    by_length = sorted(known_columns, key=len, reverse=True)
    while i < n:
        if text.startswith("\\$(", i):
            literal.append("$(")
            i += 3
            continue
        if not text.startswith("$(", i):
            literal.append(text[i])
            i += 1
            continue
        start = i + 2
        column = next((c for c in by_length if c and text.startswith(c + ")", start)), None)
        if column is not None:
            end = start + len(column)
        else:
            depth = 1
            end = start
            while end < n:
                ch = text[end]
                if ch == "(":
                    depth += 1
                elif ch == ")":
                    depth -= 1
                    if depth == 0:
                        break
                end += 1
            if end >= n:
                raise _error(
                    location,
                    text,
                    f"'$(' at character {i + 1} has no matching ')'",
                    f"{i + 1}번째 문자의 '$(' 에 짝이 맞는 ')' 가 없습니다",
                    "close every $( with ), or declare the column names under 'columns:' when a name contains "
                    "unbalanced parentheses",
                )
            column = text[start:end]
        if not column.strip():
            raise _error(
                location,
                text,
                f"empty reference '$()' at character {i + 1}",
                f"{i + 1}번째 문자에 빈 참조 '$()' 가 있습니다",
                "write the column name inside $( )",
            )
        _append_text(parts, "".join(literal))
        literal.clear()
        parts.append(TemplateColumn(column))
        i = end + 1
    _append_text(parts, "".join(literal))
    return tuple(parts)


def parse_rml_template(
    text: str, *, location: SourceLocation, reference: Callable[[str], str] = str
) -> tuple[TemplatePart, ...]:
    """Split an RML/R2RML template into text and ``{reference}`` parts.

    ``reference`` turns the text between braces into a column name (for JSONPath, ``$.Name`` → ``Name``).
    """
    parts: list[TemplatePart] = []
    buf: list[str] = []
    in_ref = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n and text[i + 1] in "{}\\":
                buf.append(text[i + 1])
                i += 2
                continue
            raise _error(
                location,
                text,
                f"invalid escape '\\{text[i + 1 : i + 2]}' at character {i + 1}",
                f"{i + 1}번째 문자의 이스케이프 '\\{text[i + 1 : i + 2]}' 가 올바르지 않습니다",
                "only \\{, \\} and \\\\ may be escaped in a template",
            )
        if ch == "{":
            if in_ref:
                raise _error(
                    location,
                    text,
                    f"'{{' inside a reference at character {i + 1}",
                    f"{i + 1}번째 문자: 참조 안에 '{{' 가 있습니다",
                    "escape literal braces as \\{ and \\}",
                )
            _append_text(parts, "".join(buf))
            buf.clear()
            in_ref = True
        elif ch == "}":
            if not in_ref:
                raise _error(
                    location,
                    text,
                    f"'}}' without '{{' at character {i + 1}",
                    f"{i + 1}번째 문자의 '}}' 에 짝이 맞는 '{{' 가 없습니다",
                    "escape literal braces as \\{ and \\}",
                )
            name = "".join(buf)
            if not name:
                raise _error(
                    location,
                    text,
                    "empty reference '{}'",
                    "빈 참조 '{}' 가 있습니다",
                    "name a column in braces",
                )
            parts.append(TemplateColumn(reference(name)))
            buf.clear()
            in_ref = False
        else:
            buf.append(ch)
        i += 1
    if in_ref:
        raise _error(
            location,
            text,
            "'{' has no matching '}'",
            "'{' 에 짝이 맞는 '}' 가 없습니다",
            "close every { with }, or escape literal braces as \\{",
        )
    _append_text(parts, "".join(buf))
    return tuple(parts)


def template_source(parts: Sequence[TemplatePart]) -> str:
    """The template written back in YARRRML form, for messages.

    >>> template_source((TemplateText("a/"), TemplateColumn("b")))
    'a/$(b)'
    """
    return "".join(p.text if isinstance(p, TemplateText) else f"$({p.column})" for p in parts)
