"""Where the ontology and reference data live on disk, and how they are read.

Layout (see ``ontology/README.md``): every ``*.ttl`` directly in the ontology directory belongs to the
ontology named graph; every ``*.ttl`` in ``reference/`` belongs to the reference named graph.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.term import Identifier

from kg_service.errors import OntologyError
from kg_service.store.terms import to_rdflib


@dataclass(frozen=True, slots=True)
class GraphSource:
    """The files that make up one named graph, and a hash of their content."""

    graph: str
    files: tuple[Path, ...]

    def content_hash(self) -> str:
        """SHA-256 over the files' names and bytes, in a fixed order."""
        digest = hashlib.sha256()
        for path in self.files:
            digest.update(path.name.encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
        return digest.hexdigest()


def ontology_files(ontology_dir: Path) -> tuple[Path, ...]:
    """The Turtle files of the ontology proper (not reference data), sorted by name."""
    _require_dir(ontology_dir)
    return tuple(sorted(p for p in ontology_dir.glob("*.ttl") if p.is_file()))


def reference_files(ontology_dir: Path) -> tuple[Path, ...]:
    """The Turtle files of the reference data, sorted by name."""
    _require_dir(ontology_dir)
    return tuple(sorted(p for p in (ontology_dir / "reference").glob("*.ttl") if p.is_file()))


def parse_turtle_files(files: tuple[Path, ...]) -> list[tuple[bytes, ox.RdfFormat]]:
    """Read and syntax-check Turtle files, raising :class:`OntologyError` with file, line and column."""
    documents: list[tuple[bytes, ox.RdfFormat]] = []
    for path in files:
        data = path.read_bytes()
        try:
            for _ in ox.parse(data, ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
                pass
        except SyntaxError as exc:
            raise OntologyError(
                f"{path}: Turtle syntax error: {exc}",
                f"{path}: Turtle 구문 오류: {exc}",
                hint="fix the file at the line and column given",
            ) from exc
        documents.append((data, ox.RdfFormat.TURTLE))
    return documents


def load_ontology_graph(ontology_dir: Path, *, with_reference: bool = False) -> Graph:
    """The ontology (and optionally the reference data) as one rdflib graph, for validation and reasoning."""
    graph = Graph()
    files = ontology_files(ontology_dir) + (reference_files(ontology_dir) if with_reference else ())
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise OntologyError(
                f"{path}: cannot parse: {exc}", f"{path}: 구문 분석 불가: {exc}", hint="fix the Turtle syntax"
            ) from exc
    return graph


def _require_dir(ontology_dir: Path) -> None:
    if not ontology_dir.is_dir():
        raise OntologyError(
            f"ontology directory not found: {ontology_dir}",
            f"온톨로지 디렉터리가 없습니다: {ontology_dir}",
            hint="set KG_ONTOLOGY_DIR to the repository's ontology/ directory",
        )


def read_turtle(path: Path) -> Graph:
    """One Turtle file as an rdflib graph, parsed by Oxigraph (several times faster than rdflib's parser).

    Blank nodes get fresh identifiers per file, so graphs of several files can be merged safely. Raises
    :class:`OntologyError` with the file, line and column of a syntax error.
    """
    graph = Graph()
    blanks: dict[str, BNode] = {}

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Identifier:
        if isinstance(node, ox.BlankNode):
            return blanks.setdefault(node.value, BNode())
        return to_rdflib(node)

    try:
        for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    except SyntaxError as exc:
        raise OntologyError(
            f"{path}: Turtle syntax error: {exc}",
            f"{path}: Turtle 구문 오류: {exc}",
            hint="fix the file at the line and column given",
        ) from exc
    except OSError as exc:
        raise OntologyError(
            f"cannot read {path}: {exc.strerror or exc}",
            f"{path}을(를) 읽을 수 없습니다: {exc.strerror or exc}",
            hint="check the path and its permissions",
        ) from exc
    return graph
