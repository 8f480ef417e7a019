"""SHACL-SPARQL query text: the checks SHACL requires, ``$PATH``, and binding ``$this`` for all focus nodes.

pySHACL runs a ``sh:select`` query once per focus node with ``$this`` pre-bound. The engine runs it once for
all focus nodes: it adds a sub-select that binds ``?this`` to every focus node as the first element of the
``WHERE`` group (so ``OPTIONAL``, ``FILTER`` and ``BIND`` later in the group see it, as they would see a
pre-bound value) and adds ``?this`` to the projection. SHACL's own restrictions on these queries (no
``MINUS``, ``VALUES``, ``SERVICE``, no ``AS $this``, sub-selects must return ``$this``) are what make the
join equivalent to pre-binding. A query whose answer depends on how many focus nodes it sees at once
(aggregates not grouped by ``$this``, ``LIMIT``, ``OFFSET``, sub-selects) is run per focus node with
pyoxigraph substitutions instead: still native, only slower.

The text is scanned with a small tokenizer (strings, IRIs and comments are never mistaken for keywords).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Literal

Mode = Literal["bulk", "each"]

_TOKEN: Final = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?:[\w\-.:%\u00B7-\uFFFF]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_AGGREGATES: Final = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})
_PREBOUND: Final = frozenset({"this", "shapesGraph", "currentShape"})


class UnsupportedQueryError(ValueError):
    """A ``sh:select`` query breaks a rule of SHACL-SPARQL (section 5.3.1 of the SHACL specification)."""


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical token of a SPARQL query."""

    kind: str
    text: str
    start: int
    end: int


def tokens(query: str) -> list[Token]:
    """The tokens of ``query`` (whitespace and comments included, so offsets cover the whole text)."""
    found: list[Token] = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "punct"
        found.append(Token(kind, match.group(), match.start(), match.end()))
    return found


def _significant(all_tokens: Iterable[Token]) -> Iterator[Token]:
    return (token for token in all_tokens if token.kind not in ("ws", "comment"))


def check_supported(query: str) -> None:
    """Raise :class:`UnsupportedQueryError` for what SHACL-SPARQL forbids in a ``sh:select`` query."""
    significant = list(_significant(tokens(query)))
    words = [token.text.upper() for token in significant if token.kind == "word"]
    for keyword in ("MINUS", "VALUES", "SERVICE"):
        if keyword in words:
            raise UnsupportedQueryError(f"a SPARQL constraint must not contain {keyword}")
    for index, token in enumerate(significant[:-1]):
        following = significant[index + 1]
        if (
            token.kind == "word"
            and token.text.upper() == "AS"
            and following.kind == "var"
            and following.text[1:] in _PREBOUND
        ):
            raise UnsupportedQueryError(f"a SPARQL constraint must not re-bind {following.text} with AS")
    if uses_variable(query, "shapesGraph"):
        raise UnsupportedQueryError(
            "$shapesGraph is not supported (the shapes graph is not part of the dataset)"
        )
    selects = [
        index
        for index, token in enumerate(significant)
        if token.kind == "word" and token.text.upper() == "SELECT"
    ]
    for index in selects[1:]:
        projection = _projection(significant, index)
        names = {token.text[1:] for token in projection if token.kind == "var"}
        if any(token.text == "*" for token in projection):
            raise UnsupportedQueryError("a nested SELECT * does not return the pre-bound variables")
        if "this" not in names:
            raise UnsupportedQueryError("a nested SELECT must return $this")


def uses_variable(query: str, name: str) -> bool:
    """Whether ``?name`` or ``$name`` occurs in the query (outside strings, IRIs and comments)."""
    return any(token.kind == "var" and token.text[1:] == name for token in tokens(query))


def substitute_path(query: str, path: str) -> str:
    """Replace ``$PATH`` (or ``?PATH``) by the SPARQL form of the shape's path."""
    return "".join(
        path if token.kind == "var" and token.text[1:] == "PATH" else token.text for token in tokens(query)
    )


def pre_bind(query: str, name: str, value: str) -> str:
    """``query`` with the variable ``name`` replaced by the SPARQL term ``value`` everywhere (SHACL's pre-binding).

    So the query stays valid and still returns the variable: in the projection of the innermost ``SELECT``
    that returns it the variable becomes ``(value AS ?name)`` (outer projections keep the variable, now bound
    by the sub-select), in ``GROUP BY``/``ORDER BY`` ``(value)``, and ``BOUND(?name)`` becomes ``(true)``. Used for
    the queries run once per focus node: pyoxigraph's substitutions do not reach into nested groups,
    pre-binding does.
    """
    all_tokens = tokens(query)
    significant = [index for index, token in enumerate(all_tokens) if token.kind not in ("ws", "comment")]
    selects = sum(
        1 for i in significant if all_tokens[i].kind == "word" and all_tokens[i].text.upper() == "SELECT"
    )
    replacement: dict[int, str] = {}
    clause = ""
    seen_selects = 0
    for position, index in enumerate(significant):
        token = all_tokens[index]
        if token.kind == "word":
            upper = token.text.upper()
            if upper == "SELECT":
                seen_selects += 1
            if upper in ("SELECT", "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET"):
                clause = upper
            if upper == "BOUND" and _is_bound_call(all_tokens, significant, position, name):
                for offset in range(4):
                    replacement[significant[position + offset]] = "(true)" if offset == 0 else ""
            continue
        if token.text == "{":
            clause = "WHERE"
        if token.kind != "var" or token.text[1:] != name or index in replacement:
            continue
        if clause == "SELECT":
            innermost = seen_selects == selects
            replacement[index] = f"({value} AS ?{name})" if innermost else token.text
        elif clause in ("GROUP", "ORDER"):
            replacement[index] = f"({value})"
        else:
            replacement[index] = value
    return "".join(replacement.get(index, token.text) for index, token in enumerate(all_tokens))


def _is_bound_call(all_tokens: list[Token], significant: list[int], position: int, name: str) -> bool:
    following = [all_tokens[i] for i in significant[position + 1 : position + 4]]
    return (
        len(following) == 3
        and following[0].text == "("
        and following[1].kind == "var"
        and following[1].text[1:] == name
        and following[2].text == ")"
    )


def evaluation_mode(query: str) -> Mode:
    """``"bulk"`` when one evaluation over all focus nodes equals one evaluation per focus node.

    Besides aggregation and slicing, what decides is where ``$this`` occurs: directly in the ``WHERE`` group
    or inside ``EXISTS``/``NOT EXISTS`` (which see the current solution) is safe; inside any other nested
    group (a ``UNION`` branch, ``OPTIONAL``, ``GRAPH``, a plain ``{ }``) a ``FILTER`` would not see the
    focus node bound by the join, where pre-binding would have made it a constant.
    """
    significant = list(_significant(tokens(query)))
    words = [token.text.upper() for token in significant if token.kind == "word"]
    if words.count("SELECT") != 1 or "LIMIT" in words or "OFFSET" in words:
        return "each"
    if _this_in_nested_group(significant):
        return "each"
    grouped = _group_by_variables(significant)
    if grouped is not None:
        return "bulk" if "this" in grouped else "each"
    if "HAVING" in words or any(word in _AGGREGATES for word in words):
        return "each"
    return "bulk"


def bind_focus_nodes(query: str, focus_pattern: str) -> str:
    """``query`` with ``?this`` bound to every focus node (``focus_pattern`` binds ``?this``) and projected."""
    all_tokens = tokens(query)
    significant = list(_significant(all_tokens))
    select = next(
        (
            index
            for index, token in enumerate(significant)
            if token.kind == "word" and token.text.upper() == "SELECT"
        ),
        None,
    )
    brace = next((token for token in significant if token.text == "{"), None)
    if select is None or brace is None:
        raise UnsupportedQueryError("a SPARQL constraint must be a SELECT query with a WHERE group")
    projection = _projection(significant, select)
    insertions: list[tuple[int, str]] = [
        (brace.end, f" {{ SELECT DISTINCT ?this WHERE {{ {focus_pattern} }} }} ")
    ]
    projected = {token.text[1:] for token in projection if token.kind == "var"}
    if "this" not in projected and not any(token.text == "*" for token in projection):
        modifiers = [
            token
            for token in projection[:1]
            if token.kind == "word" and token.text.upper() in ("DISTINCT", "REDUCED")
        ]
        after = modifiers[0].end if modifiers else significant[select].end
        insertions.append((after, " ?this "))
    text = query
    for offset, addition in sorted(insertions, reverse=True):
        text = text[:offset] + addition + text[offset:]
    return text


def declared_prefixes(query: str) -> dict[str, str]:
    """``PREFIX p: <ns>`` declarations in the query itself."""
    significant = list(_significant(tokens(query)))
    declared: dict[str, str] = {}
    for index, token in enumerate(significant[:-2]):
        if token.kind == "word" and token.text.upper() == "PREFIX":
            name, namespace = significant[index + 1], significant[index + 2]
            if name.kind == "pname" and namespace.kind == "iri":
                declared[name.text.rstrip(":")] = namespace.text[1:-1]
    return declared


def referenced_iris(query: str, prefixes: Mapping[str, str]) -> set[str]:
    """Every IRI the query names, written in full or as a prefixed name (expanded with ``prefixes``)."""
    known = {**prefixes, **declared_prefixes(query)}
    found: set[str] = set()
    for token in _significant(tokens(query)):
        if token.kind == "iri":
            found.add(token.text[1:-1])
        elif token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix in known:
                found.add(known[prefix] + local)
    return found


def _this_in_nested_group(significant: list[Token]) -> bool:
    groups: list[str] = []
    for index, token in enumerate(significant):
        if token.text == "{":
            previous = significant[index - 1].text.upper() if index else ""
            groups.append("exists" if previous == "EXISTS" else "group")
        elif token.text == "}" and groups:
            groups.pop()
        elif (
            token.kind == "var"
            and token.text[1:] == "this"
            and len(groups) > 1
            and "exists" not in groups[1:]
        ):
            return True
    return False


def _projection(significant: list[Token], select_index: int) -> list[Token]:
    """The tokens between ``SELECT`` and the ``WHERE`` keyword, ``FROM`` or the opening brace."""
    projection: list[Token] = []
    for token in significant[select_index + 1 :]:
        if token.text == "{" or (token.kind == "word" and token.text.upper() in ("WHERE", "FROM")):
            break
        projection.append(token)
    return projection


def _group_by_variables(significant: list[Token]) -> set[str] | None:
    """The plain variables of the top-level ``GROUP BY`` clause, or ``None`` without one."""
    for index, token in enumerate(significant[:-1]):
        if (
            token.kind == "word"
            and token.text.upper() == "GROUP"
            and significant[index + 1].text.upper() == "BY"
        ):
            names: set[str] = set()
            depth = 0
            for following in significant[index + 2 :]:
                if following.text == "(":
                    depth += 1
                elif following.text == ")":
                    depth -= 1
                elif depth == 0 and following.kind == "word":
                    break
                elif depth == 0 and following.kind == "var":
                    names.add(following.text[1:])
            return names
    return None


_PORTABLE_REGEX_TOKEN: Final = re.compile(
    r"""
    \\[!-/:-@\[-`{-~]                                  # an escaped ASCII punctuation character
  | \[\^?(?:\\[!-/:-@\[-`{-~]|[^\\\[\]\x00-\x1f])+\]       # a character class without class escapes
  | \{[0-9]+(?:,[0-9]*)?\}                                # a counted repetition
  | \(\?:                                                 # a non-capturing group
  | [()|^$.*+?]                                          # structure and repetition
  | [^\\\[\]{}()|^$.*+?\x00-\x1f]                          # any other literal character
    """,
    re.VERBOSE,
)


def portable_regex(pattern: str) -> bool:
    r"""Whether ``pattern`` means the same in Python's ``re`` and in the Rust ``regex`` crate (Oxigraph).

    Conservative: escapes of letters (``\d``, ``\w``, ``\b``), lookaround, back-references, inline flags
    and ``{,n}`` are not portable.

    >>> portable_regex(r"^http://qudt\.org/vocab/unit/")
    True
    >>> portable_regex(r"^\d{4}$")
    False
    """
    if re.search(r"\(\?(?!:)", pattern):
        return False
    position = 0
    while position < len(pattern):
        match = _PORTABLE_REGEX_TOKEN.match(pattern, position)
        if match is None:
            return False
        position = match.end()
    return True
