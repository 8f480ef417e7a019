"""The external vocabularies the ontology aligns to, and whether a term IRI is defined in their official copies.

The copies live in the shared reference material (``<shared>/reference``, never fetched at run time):
``ontologies/…`` for SOSA/SSN, GeoSPARQL, ORG, DCAT, PROV-O, SKOS, OWL-Time and QUDT (the QUDT vocabularies
as gzip-compressed Turtle), and ``fiware-smart-data-models/<model>/context.jsonld`` for FIWARE Smart Data
Models. A term of an RDF vocabulary is *defined* when it is the subject of a statement in the vocabulary's
files; a FIWARE term is defined when it is a value in a model's JSON-LD ``@context``. DCMI Metadata Terms
(``dct:``) have no copy there: rdflib's bundled term list stands in, and a term missing from it is only a
warning.

Parsed vocabularies are cached per process (the QUDT unit vocabulary alone has some 60,000 triples).
"""

from __future__ import annotations

import difflib
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import DCTERMS

FIWARE_BASE = "https://smartdatamodels.org/"
_FIWARE_MODEL_PREFIX = FIWARE_BASE + "dataModel."

TermStatus = Literal["defined", "unknown", "unverifiable", "not-checked"]


@dataclass(frozen=True, slots=True)
class ExternalVocabulary:
    """One namespace and the files (relative to the reference directory) that define its terms.

    ``usage_counts`` means the files only *use* the namespace's terms (there is no copy of the vocabulary
    itself): a term found in them is accepted, any other term cannot be verified (a warning, not an error).
    """

    prefix: str
    title: str
    namespace: str
    files: tuple[str, ...]
    usage_counts: bool = False


_SOSA_SSN_FILES = (
    "ontologies/sosa-ssn/sosa.ttl",
    "ontologies/sosa-ssn/ssn.ttl",
    "ontologies/sosa-ssn/ssn-ext.ttl",
    "ontologies/sosa-ssn/ssn-system.ttl",
    "ontologies/sosa-ssn/ssn-dul.ttl",
)
_QUDT_UNITS = "ontologies/qudt-subset/VOCAB_QUDT-UNITS-ALL.ttl.gz"
_QUDT_QUANTITY_KINDS = "ontologies/qudt-subset/VOCAB_QUDT-QUANTITY-KINDS-ALL.ttl.gz"
_QUDT_SUBSET = "ontologies/qudt-subset/qudt-units-subset.ttl"

EXTERNAL_VOCABULARIES: tuple[ExternalVocabulary, ...] = (
    ExternalVocabulary("sosa", "SOSA", "http://www.w3.org/ns/sosa/", _SOSA_SSN_FILES),
    ExternalVocabulary("ssn", "SSN", "http://www.w3.org/ns/ssn/", _SOSA_SSN_FILES),
    ExternalVocabulary(
        "geo",
        "GeoSPARQL 1.1",
        "http://www.opengis.net/ont/geosparql#",
        ("ontologies/geosparql-1.1/ontologies_geo.ttl",),
    ),
    ExternalVocabulary(
        "sf",
        "GeoSPARQL Simple Features",
        "http://www.opengis.net/ont/sf#",
        ("ontologies/geosparql-1.1/ontologies_sf_geometries.ttl",),
    ),
    ExternalVocabulary(
        "geof",
        "GeoSPARQL functions",
        "http://www.opengis.net/def/function/geosparql/",
        ("ontologies/geosparql-1.1/vocabs_functions.ttl",),
    ),
    ExternalVocabulary("org", "W3C ORG", "http://www.w3.org/ns/org#", ("ontologies/w3c-org/org.ttl",)),
    ExternalVocabulary("dcat", "DCAT 3", "http://www.w3.org/ns/dcat#", ("ontologies/dcat3/dcat3.ttl",)),
    ExternalVocabulary("prov", "PROV-O", "http://www.w3.org/ns/prov#", ("ontologies/prov-o/prov-o.ttl",)),
    ExternalVocabulary("skos", "SKOS", "http://www.w3.org/2004/02/skos/core#", ("ontologies/skos/skos.ttl",)),
    ExternalVocabulary("time", "OWL-Time", "http://www.w3.org/2006/time#", ("ontologies/owl-time/time.ttl",)),
    ExternalVocabulary("unit", "QUDT units", "http://qudt.org/vocab/unit/", (_QUDT_UNITS, _QUDT_SUBSET)),
    ExternalVocabulary(
        "quantitykind",
        "QUDT quantity kinds",
        "http://qudt.org/vocab/quantitykind/",
        (_QUDT_QUANTITY_KINDS, _QUDT_SUBSET),
    ),
    # No copy of the QUDT schema itself; its terms are accepted when the QUDT vocabularies use them.
    ExternalVocabulary(
        "qudt",
        "QUDT schema",
        "http://qudt.org/schema/qudt/",
        (_QUDT_UNITS, _QUDT_QUANTITY_KINDS, _QUDT_SUBSET),
        usage_counts=True,
    ),
)

DCTERMS_NAMESPACE = "http://purl.org/dc/terms/"


@dataclass(frozen=True, slots=True)
class TermVerdict:
    """Whether one IRI is defined in its vocabulary's official copy.

    ``vocabulary`` is the prefix of the namespace the IRI belongs to (``fiware`` for Smart Data Models) and
    ``title`` its name; ``closest`` is the defined term that looks most like an unknown one, if any;
    ``reason_en``/``reason_ko`` explain an ``unverifiable`` or ``not-checked`` status.
    """

    iri: str
    vocabulary: str
    title: str
    status: TermStatus
    closest: str | None = None
    reason_en: str = ""
    reason_ko: str = ""


class ExternalVocabularies:
    """The official copies under one reference directory, answering "is this IRI defined?"."""

    def __init__(self, reference_dir: Path) -> None:
        self.reference_dir = reference_dir
        self._missing_files: set[str] = set()

    def verdict(self, iri: str) -> TermVerdict:
        """Whether ``iri`` is defined; IRIs outside the known namespaces are ``not-checked`` with no vocabulary."""
        if iri.endswith(
            ("/", "#")
        ):  # a namespace or site address (rdfs:seeAlso <https://smartdatamodels.org/>)
            return TermVerdict(iri, "", "", "not-checked")
        if iri.startswith(FIWARE_BASE):
            return self._fiware_verdict(iri)
        if iri.startswith(DCTERMS_NAMESPACE):
            return _dcterms_verdict(iri)
        vocabulary = _vocabulary_of(iri)
        if vocabulary is None:
            return TermVerdict(iri, "", "", "not-checked")
        files = self._existing_files(vocabulary.files)
        if not files:
            return TermVerdict(
                iri,
                vocabulary.prefix,
                vocabulary.title,
                "unverifiable",
                reason_en=f"no copy of {vocabulary.title} in {self.reference_dir}",
                reason_ko=f"{self.reference_dir}에 {vocabulary.title} 사본이 없습니다",
            )
        terms: set[str] = set()
        for path in files:
            file_terms = _terms_in_turtle(path)
            terms |= file_terms.mentioned if vocabulary.usage_counts else file_terms.subjects
        if iri in terms:
            return TermVerdict(iri, vocabulary.prefix, vocabulary.title, "defined")
        closest = _closest(iri, vocabulary.namespace, terms)
        if vocabulary.usage_counts:
            return TermVerdict(
                iri,
                vocabulary.prefix,
                vocabulary.title,
                "unverifiable",
                closest=closest,
                reason_en=f"there is no local copy of the {vocabulary.title} and the local QUDT vocabularies do not use it",
                reason_ko=f"{vocabulary.title}의 로컬 사본이 없고 로컬 QUDT 어휘에서도 쓰이지 않습니다",
            )
        return TermVerdict(iri, vocabulary.prefix, vocabulary.title, "unknown", closest=closest)

    def missing_files(self) -> tuple[str, ...]:
        """Vocabulary files that were looked for and not found (relative to the reference directory)."""
        return tuple(sorted(self._missing_files))

    def _existing_files(self, relative: tuple[str, ...]) -> list[Path]:
        found = []
        for name in relative:
            path = self.reference_dir / name
            if path.is_file():
                found.append(path.resolve())
            else:
                self._missing_files.add(name)
        return found

    def _fiware_verdict(self, iri: str) -> TermVerdict:
        title = "FIWARE Smart Data Models"
        models_dir = self.reference_dir / "fiware-smart-data-models"
        contexts = sorted(models_dir.glob("dataModel.*/context.jsonld"))
        if iri.startswith(_FIWARE_MODEL_PREFIX):
            model = iri[len(FIWARE_BASE) :].split("/", 1)[0]
            context = models_dir / model / "context.jsonld"
            if not context.is_file():
                return TermVerdict(
                    iri,
                    "fiware",
                    title,
                    "unverifiable",
                    reason_en=f"no local JSON-LD @context for the Smart Data Model {model}",
                    reason_ko=f"Smart Data Model {model}의 로컬 JSON-LD @context가 없습니다",
                )
            contexts = [context]
        if not contexts:
            return TermVerdict(
                iri,
                "fiware",
                title,
                "unverifiable",
                reason_en=f"no Smart Data Model contexts in {models_dir}",
                reason_ko=f"{models_dir}에 Smart Data Model @context가 없습니다",
            )
        terms: set[str] = set()
        for context in contexts:
            terms |= _terms_in_jsonld_context(context.resolve())
        if iri in terms:
            return TermVerdict(iri, "fiware", title, "defined")
        namespace = iri.rsplit("/", 1)[0] + "/"
        return TermVerdict(iri, "fiware", title, "unknown", closest=_closest(iri, namespace, terms))


def _dcterms_verdict(iri: str) -> TermVerdict:
    """DCMI Metadata Terms have no copy in the reference material; rdflib's bundled term list stands in.

    A term missing from that list is a warning (``unverifiable``), not an error, as the list is not the
    official copy.
    """
    title = "DCMI Metadata Terms"
    if URIRef(iri) in DCTERMS:
        return TermVerdict(iri, "dct", title, "defined")
    known = {f"{DCTERMS_NAMESPACE}{name}" for name in DCTERMS.__annotations__}
    return TermVerdict(
        iri,
        "dct",
        title,
        "unverifiable",
        closest=_closest(iri, DCTERMS_NAMESPACE, known),
        reason_en="not in rdflib's list of DCMI Metadata Terms (there is no official copy in the reference material)",
        reason_ko="rdflib에 들어 있는 DCMI Metadata Terms 목록에 없습니다 (참조 자료에 공식 사본이 없습니다)",
    )


def _vocabulary_of(iri: str) -> ExternalVocabulary | None:
    """The vocabulary with the longest namespace that ``iri`` starts with."""
    matches = [v for v in EXTERNAL_VOCABULARIES if iri.startswith(v.namespace)]
    return max(matches, key=lambda v: len(v.namespace)) if matches else None


@dataclass(frozen=True, slots=True)
class _FileTerms:
    subjects: frozenset[str]
    mentioned: frozenset[str]


@lru_cache(maxsize=64)
def _terms_in_turtle(path: Path) -> _FileTerms:
    """Subject IRIs and all IRIs mentioned in one (possibly gzip-compressed) Turtle file; cached per process."""
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    subjects: set[str] = set()
    mentioned: set[str] = set()
    for quad in ox.parse(data, ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode):
                mentioned.add(term.value)
            elif isinstance(term, ox.Literal):
                mentioned.add(term.datatype.value)
        if isinstance(quad.subject, ox.NamedNode):
            subjects.add(quad.subject.value)
    return _FileTerms(frozenset(subjects), frozenset(mentioned))


@lru_cache(maxsize=64)
def _terms_in_jsonld_context(path: Path) -> frozenset[str]:
    """Every absolute IRI that is a value in a JSON-LD document's ``@context``; cached per process."""
    document = json.loads(path.read_text(encoding="utf-8"))
    context = document.get("@context", {}) if isinstance(document, dict) else {}
    return frozenset(value for value in _string_values(context) if "://" in value)


def _string_values(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _string_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _string_values(value)


def _closest(iri: str, namespace: str, terms: set[str]) -> str | None:
    """The defined term in ``namespace`` whose local name looks most like ``iri``'s (difflib), if any."""
    local = iri[len(namespace) :]
    candidates = {term[len(namespace) :]: term for term in terms if term.startswith(namespace)}
    by_case = {name.lower(): term for name, term in candidates.items()}
    if local.lower() in by_case:
        return by_case[local.lower()]
    matches = difflib.get_close_matches(local, list(candidates), n=1, cutoff=0.6)
    return candidates[matches[0]] if matches else None
