"""SHACL property paths: one model, read from a shapes graph, written as SPARQL text or back to RDF.

The text form is SPARQL 1.1 property path syntax with IRIs in angle brackets (``^<p>``, ``<p>/<q>``,
``(<p>|<q>)*``), except that a path that is a single predicate is written as the bare IRI, so the common case
reads like any other IRI in a report. :func:`path_from_text` reads both back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from rdflib import RDF, BNode, Graph, URIRef
from rdflib.term import Identifier, Node

from kg_service.vocab import SH

Modifier = Literal["*", "+", "?"]


class PathError(ValueError):
    """A ``sh:path`` value is not a well-formed SHACL property path."""


@dataclass(frozen=True, slots=True)
class PredicatePath:
    """A predicate IRI: the values are the objects of the focus node."""

    iri: str


@dataclass(frozen=True, slots=True)
class InversePath:
    """``sh:inversePath``: the path walked backwards."""

    path: Path


@dataclass(frozen=True, slots=True)
class SequencePath:
    """An RDF list of two or more paths, walked one after the other."""

    steps: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class AlternativePath:
    """``sh:alternativePath``: the union of two or more paths."""

    options: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class RepeatPath:
    """``sh:zeroOrMorePath`` (``*``), ``sh:oneOrMorePath`` (``+``) or ``sh:zeroOrOnePath`` (``?``)."""

    path: Path
    modifier: Modifier


Path = PredicatePath | InversePath | SequencePath | AlternativePath | RepeatPath

_REPEATS: Final[dict[URIRef, Modifier]] = {
    SH.zeroOrMorePath: "*",
    SH.oneOrMorePath: "+",
    SH.zeroOrOnePath: "?",
}
_MAX_DEPTH: Final = 12


def read_path(graph: Graph, node: Node, _depth: int = 0) -> Path:
    """The path that ``node`` (the value of ``sh:path``) describes in ``graph``.

    Raises:
        PathError: the node is a literal, a list with fewer than two members, or a blank node without any
            of the SHACL path properties.
    """
    if _depth > _MAX_DEPTH:
        raise PathError("the property path is nested too deeply")
    if isinstance(node, URIRef):
        return PredicatePath(str(node))
    if not isinstance(node, BNode):
        raise PathError(f"a property path cannot be a literal: {node!r}")
    if (node, RDF.first, None) in graph:
        steps = tuple(read_path(graph, item, _depth + 1) for item in graph.items(node))
        if len(steps) < 2:
            raise PathError("a sequence path needs at least two members")
        return SequencePath(steps)
    inverse = list(graph.objects(node, SH.inversePath))
    if inverse:
        return InversePath(read_path(graph, inverse[0], _depth + 1))
    alternatives = list(graph.objects(node, SH.alternativePath))
    if alternatives:
        options = tuple(read_path(graph, item, _depth + 1) for item in graph.items(alternatives[0]))
        if len(options) < 2:
            raise PathError("an alternative path needs at least two members")
        return AlternativePath(options)
    for predicate, modifier in _REPEATS.items():
        inner = list(graph.objects(node, predicate))
        if inner:
            return RepeatPath(read_path(graph, inner[0], _depth + 1), modifier)
    raise PathError("a blank node used as sh:path has none of the SHACL path properties")


def path_to_text(path: Path) -> str:
    """The text form of a path (see the module docstring).

    >>> path_to_text(PredicatePath("http://www.w3.org/ns/sosa/resultTime"))
    'http://www.w3.org/ns/sosa/resultTime'
    >>> path_to_text(SequencePath((InversePath(PredicatePath("urn:a")), RepeatPath(PredicatePath("urn:b"), "*"))))
    '^<urn:a>/<urn:b>*'
    """
    if isinstance(path, PredicatePath):
        return path.iri
    return sparql_path(path)


def sparql_path(path: Path) -> str:
    """The path in SPARQL 1.1 property path syntax (full IRIs in angle brackets)."""
    if isinstance(path, PredicatePath):
        return f"<{path.iri}>"
    if isinstance(path, InversePath):
        return "^" + _primary(path.path, allow_repeat=True)
    if isinstance(path, SequencePath):
        return "/".join(_sequence_step(step) for step in path.steps)
    if isinstance(path, AlternativePath):
        return "|".join(_alternative_option(option) for option in path.options)
    return _primary(path.path, allow_repeat=False) + path.modifier


def path_from_text(text: str) -> Path:
    """Inverse of :func:`path_to_text`.

    >>> path_from_text("^<urn:a>/<urn:b>*")
    SequencePath(steps=(InversePath(path=PredicatePath(iri='urn:a')), RepeatPath(path=PredicatePath(iri='urn:b'), modifier='*')))
    """
    if not text.startswith(("<", "^", "(")):
        return PredicatePath(text)
    parser = _PathParser(text)
    path = parser.alternative()
    if parser.position != len(text):
        raise PathError(f"unexpected {text[parser.position :]!r} in property path {text!r}")
    return path


def write_path(graph: Graph, path: Path) -> Identifier:
    """Add the RDF form of ``path`` to ``graph`` and return its node (the IRI itself for a predicate path)."""
    if isinstance(path, PredicatePath):
        return URIRef(path.iri)
    node = BNode()
    if isinstance(path, InversePath):
        graph.add((node, SH.inversePath, write_path(graph, path.path)))
    elif isinstance(path, SequencePath):
        _write_list(graph, node, [write_path(graph, step) for step in path.steps])
    elif isinstance(path, AlternativePath):
        options = BNode()
        _write_list(graph, options, [write_path(graph, option) for option in path.options])
        graph.add((node, SH.alternativePath, options))
    else:
        predicate = next(key for key, value in _REPEATS.items() if value == path.modifier)
        graph.add((node, predicate, write_path(graph, path.path)))
    return node


def contains_sequence(path: Path) -> bool:
    """Whether a sequence occurs anywhere in ``path``."""
    if isinstance(path, SequencePath):
        return True
    if isinstance(path, PredicatePath):
        return False
    if isinstance(path, AlternativePath):
        return any(contains_sequence(option) for option in path.options)
    return contains_sequence(path.path)


def predicate_iris(path: Path) -> set[str]:
    """Every predicate IRI that occurs in ``path``."""
    if isinstance(path, PredicatePath):
        return {path.iri}
    if isinstance(path, SequencePath):
        return set().union(*(predicate_iris(step) for step in path.steps))
    if isinstance(path, AlternativePath):
        return set().union(*(predicate_iris(option) for option in path.options))
    return predicate_iris(path.path)


def _primary(path: Path, *, allow_repeat: bool) -> str:
    if isinstance(path, PredicatePath) or (allow_repeat and isinstance(path, RepeatPath)):
        return sparql_path(path)
    return f"({sparql_path(path)})"


def _sequence_step(path: Path) -> str:
    if isinstance(path, SequencePath | AlternativePath):
        return f"({sparql_path(path)})"
    return sparql_path(path)


def _alternative_option(path: Path) -> str:
    if isinstance(path, AlternativePath):
        return f"({sparql_path(path)})"
    return sparql_path(path)


def _write_list(graph: Graph, head: BNode, items: list[Identifier]) -> None:
    node: Identifier = head
    for index, item in enumerate(items):
        graph.add((node, RDF.first, item))
        rest: Identifier = BNode() if index < len(items) - 1 else RDF.nil
        graph.add((node, RDF.rest, rest))
        node = rest


class _PathParser:
    """Recursive descent over the text form (the SPARQL path grammar restricted to ``<IRI>`` primaries)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def alternative(self) -> Path:
        options = [self.sequence()]
        while self._accept("|"):
            options.append(self.sequence())
        return options[0] if len(options) == 1 else AlternativePath(tuple(options))

    def sequence(self) -> Path:
        steps = [self.element()]
        while self._accept("/"):
            steps.append(self.element())
        return steps[0] if len(steps) == 1 else SequencePath(tuple(steps))

    def element(self) -> Path:
        if self._accept("^"):
            return InversePath(self.element())
        primary = self.primary()
        if self.position < len(self.text) and self.text[self.position] in "*+?":
            modifier: Modifier = self.text[self.position]  # type: ignore[assignment]
            self.position += 1
            return RepeatPath(primary, modifier)
        return primary

    def primary(self) -> Path:
        if self._accept("("):
            inner = self.alternative()
            if not self._accept(")"):
                raise PathError(f"missing ')' in property path {self.text!r}")
            return inner
        if self._accept("<"):
            end = self.text.find(">", self.position)
            if end < 0:
                raise PathError(f"missing '>' in property path {self.text!r}")
            iri = self.text[self.position : end]
            self.position = end + 1
            return PredicatePath(iri)
        raise PathError(f"expected '<' or '(' at {self.position} in property path {self.text!r}")

    def _accept(self, char: str) -> bool:
        if self.text.startswith(char, self.position):
            self.position += 1
            return True
        return False
