"""Ontology versions: ``MAJOR.MINOR.PATCH``, the version IRI that names each one, and the ontology header.

Every published version has a version IRI ``https://data.seoul.go.kr/cps/ontology/{MAJOR.MINOR.PATCH}``
(``docs/VOCABULARY-CONTRACT.md``); the header in ``ontology/core.ttl`` carries it as ``owl:versionIRI`` together
with the same number as ``owl:versionInfo``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from rdflib import OWL, RDF, Graph, URIRef

from kg_service.vocab import ONTOLOGY_IRI

VERSION_IRI_BASE: Final = str(ONTOLOGY_IRI) + "/"
_SEMVER: Final = re.compile(r"^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$")


@dataclass(frozen=True, slots=True, order=True)
class SemanticVersion:
    """A ``MAJOR.MINOR.PATCH`` version number, ordered numerically.

    >>> SemanticVersion.parse("1.10.0") > SemanticVersion.parse("1.9.3")
    True
    >>> str(SemanticVersion.parse("2.0.0").iri)
    'https://data.seoul.go.kr/cps/ontology/2.0.0'
    >>> SemanticVersion.parse("1.0") is None
    True
    """

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> SemanticVersion | None:
        """The version written as ``text``, or ``None`` when it is not exactly ``MAJOR.MINOR.PATCH``."""
        match = _SEMVER.match(text.strip())
        if match is None:
            return None
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3)))

    @classmethod
    def from_iri(cls, iri: str) -> SemanticVersion | None:
        """The version a version IRI names, or ``None`` when ``iri`` is not one of ours."""
        if not iri.startswith(VERSION_IRI_BASE):
            return None
        return cls.parse(iri[len(VERSION_IRI_BASE) :])

    @property
    def iri(self) -> URIRef:
        """The version IRI of this version."""
        return URIRef(f"{VERSION_IRI_BASE}{self}")

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True, slots=True)
class OntologyHeader:
    """What the ``owl:Ontology`` header of a version says about its version.

    ``version`` is set only when ``owl:versionIRI`` and ``owl:versionInfo`` are both present, well formed and
    agree; ``problems`` says (in English and Korean) what is wrong otherwise.
    """

    version_iri: str | None
    version_info: str | None
    version: SemanticVersion | None
    problems: tuple[tuple[str, str], ...] = ()


def read_header(graph: Graph) -> OntologyHeader:
    """Read the version of the ontology ``https://data.seoul.go.kr/cps/ontology`` from ``graph``."""
    subject = URIRef(ONTOLOGY_IRI)
    if (subject, RDF.type, OWL.Ontology) not in graph:
        return OntologyHeader(
            None,
            None,
            None,
            ((f"no owl:Ontology header for <{subject}>", f"<{subject}>의 owl:Ontology 머리말이 없습니다"),),
        )
    iris = sorted(str(o) for o in graph.objects(subject, OWL.versionIRI))
    infos = sorted(str(o) for o in graph.objects(subject, OWL.versionInfo))
    problems: list[tuple[str, str]] = []
    if len(iris) != 1:
        problems.append(
            (
                f"the header needs exactly one owl:versionIRI (found {len(iris)})",
                f"머리말에는 owl:versionIRI가 정확히 하나 있어야 합니다({len(iris)}개 있음)",
            )
        )
    if len(infos) != 1:
        problems.append(
            (
                f"the header needs exactly one owl:versionInfo (found {len(infos)})",
                f"머리말에는 owl:versionInfo가 정확히 하나 있어야 합니다({len(infos)}개 있음)",
            )
        )
    version_iri = iris[0] if iris else None
    version_info = infos[0] if infos else None
    version: SemanticVersion | None = None
    if len(iris) == 1 and len(infos) == 1:
        from_iri = SemanticVersion.from_iri(iris[0])
        from_info = SemanticVersion.parse(infos[0])
        if from_iri is None:
            problems.append(
                (
                    f"owl:versionIRI <{iris[0]}> is not {VERSION_IRI_BASE}MAJOR.MINOR.PATCH",
                    f"owl:versionIRI <{iris[0]}>이(가) {VERSION_IRI_BASE}MAJOR.MINOR.PATCH 형식이 아닙니다",
                )
            )
        if from_info is None:
            problems.append(
                (
                    f"owl:versionInfo {infos[0]!r} is not MAJOR.MINOR.PATCH",
                    f"owl:versionInfo {infos[0]!r}이(가) MAJOR.MINOR.PATCH 형식이 아닙니다",
                )
            )
        if from_iri is not None and from_info is not None:
            if from_iri != from_info:
                problems.append(
                    (
                        f"owl:versionIRI says {from_iri} but owl:versionInfo says {from_info}",
                        f"owl:versionIRI는 {from_iri}, owl:versionInfo는 {from_info}로 서로 다릅니다",
                    )
                )
            else:
                version = from_iri
    return OntologyHeader(version_iri, version_info, version, tuple(problems))
