"""Which named queries mention an ontology term, and which GraphQL fields reach those queries (static analysis).

The query layer (``kg_service/queries/*.py``) writes terms in SPARQL text (``cps:Sensor``, full IRIs) and in
Python (``CPS_NS + "Sensor"``, ``f"{CPS_NS}Sensor"``, ``CPS.Sensor``, ``CPS["Sensor"]``). :class:`CodeIndex`
parses the query and API packages with :mod:`ast` (nothing is imported or run), finds those mentions with the
definition that holds each (a module constant, a function or a ``Class.method``), and builds a reference graph
between definitions: a name refers to the definition of that name in its module or to what it was imported
from; ``module.name`` to that module's definition; ``obj.name`` to every method or attribute called ``name``
(which is how resolvers reach ``info.context.queries.find_sensors`` and ``loaders.sensor``).

A GraphQL field is a method decorated ``@strawberry.field``/``@strawberry.mutation`` in a class decorated
``@strawberry.type`` (or ``interface``/``input``), or a class attribute ``= strawberry.field(resolver=fn)``;
its GraphQL name is the ``name=`` given, else the Python name in camelCase (strawberry's default), and its type
is the class's ``name=`` or the class name. A field is reported for a query when the field's definition reaches
the query's definition in the graph. The analysis over-approximates (``obj.name`` matches every method called
``name``), which is the safe direction for an impact report.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from rdflib import Namespace

from kg_service import vocab

Key = tuple[str, str]
"""A definition: (module, name) — ``name`` is ``NAME``, ``function`` or ``Class.method``."""

_PREFIX_DECLARATION: Final = re.compile(r"PREFIX\s+([A-Za-z][\w\-]*)?:\s*<([^>\s]+)>", re.IGNORECASE)
_FIELD_DECORATORS: Final = ("strawberry.field", "strawberry.mutation", "strawberry.subscription")
_TYPE_DECORATORS: Final = ("strawberry.type", "strawberry.interface", "strawberry.input")
_VOCAB_NAMESPACES: Final = {
    name: str(value) for name, value in vars(vocab).items() if isinstance(value, Namespace) and name.isupper()
}


@dataclass(frozen=True, slots=True)
class CodeMention:
    """A term written in a module: where, in which definition, and how (``sparql`` text or ``python``)."""

    module: str
    file: str
    owner: str
    line: int
    iri: str
    form: str


@dataclass
class _Module:
    name: str
    path: Path
    tree: ast.Module
    imports: dict[str, Key] = field(
        default_factory=dict
    )  # local name → (module, name) for ``from m import x``
    module_aliases: dict[str, str] = field(
        default_factory=dict
    )  # local name → module for ``import``/``from p import m``
    strings: dict[str, str] = field(default_factory=dict)  # module constants holding a string


@dataclass
class CodeIndex:
    """Definitions, references and term mentions of a set of packages (see the module docstring)."""

    modules: dict[str, _Module]
    definitions: set[Key] = field(default_factory=set)
    references: dict[Key, set[Key]] = field(default_factory=lambda: defaultdict(set))
    by_attribute: dict[str, set[Key]] = field(default_factory=lambda: defaultdict(set))
    fields: dict[str, Key] = field(default_factory=dict)  # "Type.field" → definition

    @classmethod
    def build(cls, packages: Mapping[str, Path]) -> CodeIndex:
        """Index every ``*.py`` under each directory; ``packages`` maps a dotted package name to its directory.

        Files that are not valid Python are skipped (``kg ontology check`` is not the place to report them).
        """
        modules: dict[str, _Module] = {}
        for package, directory in packages.items():
            if directory is None or not directory.is_dir():
                continue
            for path in sorted(directory.rglob("*.py")):
                relative = path.relative_to(directory).with_suffix("")
                parts = [p for p in relative.parts if p != "__init__"]
                name = ".".join([package, *parts])
                try:
                    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
                except (SyntaxError, UnicodeDecodeError):
                    continue
                modules[name] = _Module(name, path, tree)
        index = cls(modules)
        for module in modules.values():
            index._read_imports(module)
        for module in modules.values():
            index._read_definitions(module)
        for module in modules.values():
            index._read_strings(module)
        return index

    # -- building -------------------------------------------------------------------------------------------

    def _read_imports(self, module: _Module) -> None:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                source = _short_module(node.module)
                for alias in node.names:
                    local = alias.asname or alias.name
                    submodule = f"{source}.{alias.name}"
                    if submodule in self.modules:
                        module.module_aliases[local] = submodule
                    else:
                        module.imports[local] = (source, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    target = _short_module(alias.name)
                    if target in self.modules:
                        module.module_aliases[alias.asname or alias.name] = target

    def _read_definitions(self, module: _Module) -> None:
        for statement in module.tree.body:
            # Methods of GraphQL types are entry points (strawberry calls them), never reached as ``obj.name``.
            graphql_type = isinstance(statement, ast.ClassDef) and any(
                _decorator_name(d).startswith(_TYPE_DECORATORS) for d in statement.decorator_list
            )
            for key, body, class_node in _definitions(module.name, statement):
                self.definitions.add(key)
                if "." in key[1] and not graphql_type:
                    self.by_attribute[key[1].rsplit(".", 1)[1]].add(key)
                for node in body:
                    self._read_references(module, key, node)
                if class_node is not None:
                    self._read_fields(module, key, class_node)
            if isinstance(statement, ast.ClassDef):
                self._read_instance_attributes(module, statement)

    def _read_instance_attributes(self, module: _Module, cls: ast.ClassDef) -> None:
        """``self.name = …`` in methods: attributes reachable as ``obj.name`` (DataLoaders, for instance)."""
        for method in cls.body:
            if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(method):
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [node.target]
                    if isinstance(node, ast.AnnAssign)
                    else []
                )
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "self"
                    ):
                        key = (module.name, f"{cls.name}.{target.attr}")
                        self.definitions.add(key)
                        self.by_attribute[target.attr].add(key)
                        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
                        if value is not None:
                            self._read_references(module, key, value)

    def _read_references(self, module: _Module, owner: Key, node: ast.AST) -> None:
        for child in ast.walk(node):
            if isinstance(child, ast.Name):
                target = self._resolve_name(module, child.id)
                if target is not None:
                    self.references[owner].add(target)
            elif isinstance(child, ast.Attribute):
                if isinstance(child.value, ast.Name) and child.value.id in module.module_aliases:
                    self.references[owner].add((module.module_aliases[child.value.id], child.attr))
                else:
                    self.references[owner].add(("*", child.attr))

    def _resolve_name(self, module: _Module, name: str) -> Key | None:
        if (module.name, name) in self.definitions:
            return module.name, name
        if name in module.imports:
            return module.imports[name]
        return None

    def _read_fields(self, module: _Module, class_key: Key, cls: ast.ClassDef) -> None:
        type_decorator = next(
            (d for d in cls.decorator_list if _decorator_name(d).startswith(_TYPE_DECORATORS)), None
        )
        if type_decorator is None:
            return
        type_name = _keyword(type_decorator, "name") or cls.name
        for statement in cls.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                decorator = next(
                    (d for d in statement.decorator_list if _decorator_name(d).startswith(_FIELD_DECORATORS)),
                    None,
                )
                if decorator is not None:
                    name = _keyword(decorator, "name") or _camel(statement.name)
                    self.fields[f"{type_name}.{name}"] = (module.name, f"{cls.name}.{statement.name}")
            elif isinstance(statement, ast.AnnAssign | ast.Assign) and isinstance(statement.value, ast.Call):
                call = statement.value
                if not _decorator_name(call).startswith(_FIELD_DECORATORS):
                    continue
                target = statement.target if isinstance(statement, ast.AnnAssign) else statement.targets[0]
                if not isinstance(target, ast.Name):
                    continue
                key = (module.name, f"{cls.name}.{target.id}")
                self.definitions.add(key)
                for keyword in call.keywords:
                    if keyword.arg == "resolver":
                        self._read_references(module, key, keyword.value)
                name = _keyword(call, "name") or _camel(target.id)
                self.fields[f"{type_name}.{name}"] = key

    def _read_strings(self, module: _Module) -> None:
        for statement in module.tree.body:
            target, value = _assignment(statement)
            if target is None or value is None:
                continue
            text = self._string_value(module, value)
            if text is not None:
                module.strings[target] = text

    def _string_value(self, module: _Module, node: ast.AST) -> str | None:
        """The value of a constant string expression: literals, known constants, ``str(NS)``, ``+`` and f-strings."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self._named_string(module, node.id)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "str"
            and node.args
        ):
            argument = node.args[0]
            if isinstance(argument, ast.Name):
                return _VOCAB_NAMESPACES.get(argument.id) or self._named_string(module, argument.id)
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._string_value(module, node.left), self._string_value(module, node.right)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.JoinedStr):
            parts: list[str] = []
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                elif isinstance(value, ast.FormattedValue):
                    inner = self._string_value(module, value.value)
                    if inner is None:
                        return None
                    parts.append(inner)
            return "".join(parts)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            namespace = (
                _VOCAB_NAMESPACES.get(node.value.id) if node.value.id in _vocab_names(module) else None
            )
            return namespace + node.attr if namespace is not None else None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            namespace = (
                _VOCAB_NAMESPACES.get(node.value.id) if node.value.id in _vocab_names(module) else None
            )
            key = node.slice
            if namespace is not None and isinstance(key, ast.Constant) and isinstance(key.value, str):
                return namespace + key.value
        return None

    def _named_string(self, module: _Module, name: str, depth: int = 0) -> str | None:
        if name in module.strings:
            return module.strings[name]
        if name in module.imports and depth < 5:
            source, original = module.imports[name]
            if source in self.modules:
                other = self.modules[source]
                if original not in other.strings:
                    for statement in other.tree.body:
                        target, value = _assignment(statement)
                        if target == original and value is not None:
                            text = self._string_value(other, value)
                            if text is not None:
                                other.strings[original] = text
                return self._named_string(other, original, depth + 1)
            if source == "vocab" and original in _VOCAB_NAMESPACES:
                return _VOCAB_NAMESPACES[original]
        return None

    # -- querying -------------------------------------------------------------------------------------------

    def mentions(
        self, wanted: Iterable[str], *, package: str, prefixes: Mapping[str, str]
    ) -> list[CodeMention]:
        """Where the IRIs in ``wanted`` are written in the modules of ``package``."""
        from kg_service.ontology.impact import find_mentions

        targets = set(wanted)
        found: list[CodeMention] = []
        for module in self.modules.values():
            if not (module.name == package or module.name.startswith(package + ".")):
                continue
            for owner, node in _owned_nodes(module.tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    text = node.value
                    local_prefixes = {
                        **prefixes,
                        **{p or "": ns for p, ns in _PREFIX_DECLARATION.findall(text)},
                    }
                    for mention in find_mentions(text, local_prefixes, targets, first_line=node.lineno):
                        found.append(
                            CodeMention(
                                module.name, module.path.name, owner, mention.line, mention.iri, "sparql"
                            )
                        )
                elif isinstance(node, ast.BinOp | ast.JoinedStr | ast.Attribute | ast.Subscript):
                    value = self._string_value(module, node)
                    if value is not None and value in targets:
                        found.append(
                            CodeMention(module.name, module.path.name, owner, node.lineno, value, "python")
                        )
        unique = {(m.module, m.owner, m.line, m.iri): m for m in found}
        return sorted(unique.values(), key=lambda m: (m.module, m.line, m.iri))

    def reach(self, start: Key) -> set[Key]:
        """Every definition ``start`` refers to, directly or indirectly."""
        seen: set[Key] = set()
        todo = [start]
        while todo:
            key = todo.pop()
            for target in self._targets(key):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    def _targets(self, key: Key) -> Iterator[Key]:
        for module, name in self.references.get(key, ()):
            if module == "*":
                yield from self.by_attribute.get(name, ())
            elif (module, name) in self.definitions:
                yield module, name

    def definition_of(self, module: str, owner: str) -> Key:
        """The indexed definition holding ``owner`` (a nested function belongs to its enclosing definition)."""
        parts = owner.split(".")
        while len(parts) > 1 and (module, ".".join(parts)) not in self.definitions:
            parts.pop()
        return module, ".".join(parts)

    def fields_reaching(self, key: Key) -> list[str]:
        """GraphQL fields (``Type.field``) whose resolvers reach ``key``."""
        reached: list[str] = []
        for name, definition in sorted(self.fields.items()):
            if definition == key or key in self._field_reach(definition):
                reached.append(name)
        return reached

    def _field_reach(self, definition: Key) -> set[Key]:
        cache: dict[Key, set[Key]] = self.__dict__.setdefault("_reach_cache", {})
        if definition not in cache:
            cache[definition] = self.reach(definition)
        return cache[definition]


def _definitions(
    module: str, statement: ast.stmt
) -> Iterator[tuple[Key, list[ast.AST], ast.ClassDef | None]]:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        yield (module, statement.name), [*statement.body, *statement.decorator_list], None
    elif isinstance(statement, ast.ClassDef):
        yield (module, statement.name), list(statement.bases), statement
        for item in statement.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                yield (module, f"{statement.name}.{item.name}"), list(item.body), None
    else:
        target, value = _assignment(statement)
        if target is not None and value is not None:
            yield (module, target), [value], None


def _assignment(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return statement.targets[0].id, statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    return None, None


def _owned_nodes(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    """Every expression node with the definition that holds it (docstrings and bare strings left out)."""

    def walk(node: ast.AST, owner: str) -> Iterator[tuple[str, ast.AST]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Expr) and isinstance(child.value, ast.Constant):
                continue
            name = owner
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{owner}.{child.name}" if owner else child.name
            elif owner == "" and isinstance(child, ast.Assign | ast.AnnAssign):
                target, _ = _assignment(child)
                name = target or owner
            yield name or "<module>", child
            yield from walk(child, name)

    yield from walk(tree, "")


def _short_module(dotted: str) -> str:
    return dotted.removeprefix("kg_service.")


def _vocab_names(module: _Module) -> set[str]:
    return {local for local, (source, _) in module.imports.items() if source == "vocab"}


def _decorator_name(node: ast.AST) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    try:
        return ast.unparse(target)
    except (AttributeError, ValueError):
        return ""


def _keyword(node: ast.AST, name: str) -> str | None:
    if isinstance(node, ast.Call):
        for keyword in node.keywords:
            if (
                keyword.arg == name
                and isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, str)
            ):
                return keyword.value.value
    return None


def _camel(name: str) -> str:
    """strawberry's default GraphQL name for a Python name.

    >>> _camel("latest_observations"), _camel("iri")
    ('latestObservations', 'iri')
    """
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
