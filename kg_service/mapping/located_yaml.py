"""Safe YAML for rule files: small, no aliases, every mapping and list knowing where its values were written.

Rule files come from departments, so the loader refuses what YARRRML never needs and attackers like: files over
:data:`MAX_RULE_FILE_BYTES`, anchors and aliases (the "billion laughs" expansion), nesting deeper than
:data:`MAX_NESTING_DEPTH`, and duplicate keys (PyYAML would silently keep the last one). Errors are
:class:`~kg_service.errors.MappingRuleError` with the file and line.

Scalars stay text (``0.1`` is the string ``"0.1"``) except ``null``/``~``/empty and ``true``/``false``, so a
factor or a code is never rounded through a float.

>>> doc = load_located_yaml("a:\\n  b: [1, x]\\n", file="r.yaml")
>>> doc["a"]["b"], str(doc["a"].location_of("b"))
(['1', 'x'], 'r.yaml line 2, column 6')
"""

from __future__ import annotations

from typing import Any, Final

import yaml

from kg_service.errors import MappingRuleError
from kg_service.mapping.rules import SourceLocation

MAX_RULE_FILE_BYTES: Final = 1_000_000
"""Largest rule file accepted (real rule files are a few kilobytes)."""

MAX_NESTING_DEPTH: Final = 40
"""Deepest nesting of mappings and lists accepted."""


class LocatedMap(dict[str, Any]):
    """A YAML mapping that remembers where it and each of its values start."""

    location: SourceLocation
    value_locations: dict[str, SourceLocation]
    key_locations: dict[str, SourceLocation]

    def location_of(self, key: str) -> SourceLocation:
        """Where the value of ``key`` was written (the mapping's own location if absent)."""
        return self.value_locations.get(key, self.location)

    def key_location(self, key: str) -> SourceLocation:
        """Where ``key`` itself was written."""
        found: SourceLocation | None = getattr(self, "key_locations", {}).get(key)
        return found if found is not None else self.location_of(key)


class LocatedList(list[Any]):
    """A YAML sequence that remembers where it and each item start."""

    location: SourceLocation
    item_locations: list[SourceLocation]

    def location_of(self, index: int) -> SourceLocation:
        """Where item ``index`` was written."""
        return self.item_locations[index] if index < len(self.item_locations) else self.location


def location_of(value: Any, default: SourceLocation) -> SourceLocation:
    """The location of a located container, else ``default`` (plain scalars carry none)."""
    return value.location if isinstance(value, LocatedMap | LocatedList) else default


class _RuleFileLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases and deep nesting while composing."""

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.rule_file = file
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise MappingRuleError(
                f"{self.rule_file} line {mark.line + 1}: YAML aliases (*name) are not allowed in rule files",
                f"{self.rule_file} {mark.line + 1}행: 규칙 파일에는 YAML 별칭(*name)을 쓸 수 없습니다",
                hint="write the repeated part out in full; anchors and aliases are refused for safety",
            )
        self.depth += 1
        try:
            if self.depth > MAX_NESTING_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise MappingRuleError(
                    f"{self.rule_file} line {mark.line + 1}: nesting deeper than {MAX_NESTING_DEPTH} levels",
                    f"{self.rule_file} {mark.line + 1}행: 중첩이 {MAX_NESTING_DEPTH}단계보다 깊습니다",
                    hint="rule files are shallow; check for a runaway list or mapping",
                )
            node: yaml.Node | None = super().compose_node(parent, index)
            return node
        finally:
            self.depth -= 1


def _location(node: yaml.Node, file: str) -> SourceLocation:
    return SourceLocation(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: yaml.ScalarNode) -> Any:
    text = str(node.value)
    if node.tag == "tag:yaml.org,2002:null":
        return None
    if node.tag == "tag:yaml.org,2002:bool" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _convert(node: yaml.Node, file: str) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList(_convert(item, file) for item in node.value)
        items.location = _location(node, file)
        items.item_locations = [_location(item, file) for item in node.value]
        return items
    if isinstance(node, yaml.MappingNode):
        mapping = LocatedMap()
        mapping.location = _location(node, file)
        mapping.value_locations = {}
        mapping.key_locations = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, file)
            if not isinstance(key, str):
                raise MappingRuleError(
                    f"{_location(key_node, file)}: a key must be text, not {key!r}",
                    f"{_location(key_node, file).ko()}: 키는 글자여야 합니다 ({key!r})",
                    hint="quote the key",
                )
            if key in mapping:
                raise MappingRuleError(
                    f"{_location(key_node, file)}: key '{key}' appears twice in the same mapping",
                    f"{_location(key_node, file).ko()}: 같은 매핑에 키 '{key}'가 두 번 있습니다",
                    hint="remove or merge the duplicate key",
                )
            mapping[key] = _convert(value_node, file)
            mapping.value_locations[key] = _location(value_node, file)
            mapping.key_locations[key] = _location(key_node, file)
        return mapping
    raise MappingRuleError(f"{file}: unsupported YAML node", f"{file}: 지원하지 않는 YAML 노드", hint="")


def load_located_yaml(text: str, *, file: str) -> Any:
    """Parse one YAML document of a rule file into located mappings, lists and scalars.

    Raises :class:`MappingRuleError` for oversize files, YAML syntax errors (with line and column), aliases,
    deep nesting and duplicate keys.
    """
    size = len(text.encode("utf-8"))
    if size > MAX_RULE_FILE_BYTES:
        raise MappingRuleError(
            f"{file}: rule file is {size:,} bytes; the limit is {MAX_RULE_FILE_BYTES:,}",
            f"{file}: 규칙 파일이 {size:,}바이트로 한도 {MAX_RULE_FILE_BYTES:,}바이트를 넘습니다",
            hint="a rule file describes columns, not data; split it or remove pasted data",
        )
    loader = _RuleFileLoader(text, file)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file} line {mark.line + 1}, column {mark.column + 1}" if mark else file
        where_ko = f"{file} {mark.line + 1}행 {mark.column + 1}열" if mark else file
        problem = exc.problem or exc.context or "syntax error"
        raise MappingRuleError(
            f"{where}: YAML syntax error: {problem}",
            f"{where_ko}: YAML 구문 오류: {problem}",
            hint="check indentation, colons and quotes around that line",
        ) from exc
    except yaml.YAMLError as exc:
        raise MappingRuleError(
            f"{file}: cannot read YAML: {exc}",
            f"{file}: YAML을 읽을 수 없습니다: {exc}",
            hint="check the file",
        ) from exc
    finally:
        loader.dispose()
    if node is None:
        return None
    return _convert(node, file)
