"""The validation report as data (검증 보고서): results, the accept/reject decision, RDF and JSON forms.

Two notions of "conforms" are kept apart:

- :attr:`ValidationReport.shacl_conforms` is the SHACL meaning: there is no validation result at all. The RDF
  form (:meth:`ValidationReport.to_rdf_graph`) is a standard ``sh:ValidationReport`` and uses it for
  ``sh:conforms``.
- :attr:`ValidationReport.accepted` (also :attr:`ValidationReport.conforms`) is the service's decision: a
  submission is rejected only when at least one result has severity ``sh:Violation``. ``sh:Warning`` and
  ``sh:Info`` results are reported but do not reject. A custom severity (an IRI other than SHACL's three,
  which SHACL allows) is reported as ``Violation`` with the IRI in ``custom_severity``, and rejects.

Terms are strings (see :func:`kg_service.validation.terms.term_text`): an IRI as itself, ``_:label`` for a
blank node, a literal in N-Triples syntax. A result path is the bare IRI for a predicate path, otherwise
SPARQL property path syntax (:mod:`kg_service.validation.paths`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final
from typing import Literal as TypingLiteral

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg_service.validation.paths import path_from_text, write_path
from kg_service.validation.terms import term_from_text
from kg_service.vocab import SH

Severity = TypingLiteral["Violation", "Warning", "Info"]
SEVERITY_NAMES: Final[dict[str, Severity]] = {
    str(SH.Violation): "Violation",
    str(SH.Warning): "Warning",
    str(SH.Info): "Info",
}


def severity_of(severity_iri: str) -> tuple[Severity, str | None]:
    """The severity name for a severity IRI, and the IRI itself when it is a custom severity.

    >>> severity_of("http://www.w3.org/ns/shacl#Warning")
    ('Warning', None)
    >>> severity_of("http://example.org/Blocker")
    ('Violation', 'http://example.org/Blocker')
    """
    if severity_iri in SEVERITY_NAMES:
        return SEVERITY_NAMES[severity_iri], None
    return "Violation", severity_iri


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One ``sh:ValidationResult``.

    ``messages`` maps a language tag (``"en"``, ``"ko"``; ``""`` for a message without one) to text.
    ``source_constraint`` is the SPARQL constraint node for ``sh:sparql`` results; ``custom_severity`` the
    severity IRI when the shape uses one other than SHACL's three.
    """

    focus_node: str
    result_path: str | None
    value: str | None
    source_shape: str
    source_constraint_component: str
    severity: Severity
    messages: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    source_constraint: str | None = field(default=None, compare=False, hash=False)
    custom_severity: str | None = None

    @property
    def rejects(self) -> bool:
        """Whether this result rejects a submission (severity ``Violation``, custom severities included)."""
        return self.severity == "Violation"

    def key(self) -> tuple[str, str, str, str, str, str]:
        """The identity of a result: focus node, path, value, source shape, component, severity (IRI if custom)."""
        return (
            self.focus_node,
            self.result_path or "",
            self.value or "",
            self.source_shape,
            self.source_constraint_component,
            self.custom_severity or self.severity,
        )

    def as_dict(self) -> dict[str, object]:
        """The result as JSON-ready data."""
        return {
            "focus_node": self.focus_node,
            "result_path": self.result_path,
            "value": self.value,
            "source_shape": self.source_shape,
            "source_constraint_component": self.source_constraint_component,
            "source_constraint": self.source_constraint,
            "severity": self.severity,
            "custom_severity": self.custom_severity,
            "messages": dict(self.messages),
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The outcome of validating one data graph: ``conforms`` is the acceptance decision (see module docs).

    Raises:
        ValueError: ``conforms`` disagrees with the results (use :meth:`from_results` to derive it).
    """

    conforms: bool
    results: Sequence[ValidationResult]

    def __post_init__(self) -> None:
        if self.conforms != (not any(result.rejects for result in self.results)):
            raise ValueError("conforms must be false exactly when a result has severity Violation")

    @classmethod
    def from_results(cls, results: Iterable[ValidationResult]) -> ValidationReport:
        """A report over ``results``: duplicates removed, sorted by focus node, path, component and value."""
        unique: dict[tuple[str, ...], ValidationResult] = {}
        for result in results:
            unique.setdefault(result.key(), result)
        ordered = sorted(
            unique.values(), key=lambda r: (r.focus_node, r.result_path or "", r.key()[4], r.key())
        )
        return cls(conforms=not any(result.rejects for result in ordered), results=ordered)

    @property
    def accepted(self) -> bool:
        """No result rejects the data (warnings and infos are allowed). Same as :attr:`conforms`."""
        return self.conforms

    @property
    def shacl_conforms(self) -> bool:
        """The SHACL meaning of conformance: no validation result of any severity."""
        return not self.results

    @property
    def has_violations(self) -> bool:
        """At least one result rejects the data."""
        return not self.conforms

    def by_severity(self, severity: Severity) -> list[ValidationResult]:
        """The results of one severity (``"Violation"``, ``"Warning"``, ``"Info"``)."""
        return [result for result in self.results if result.severity == severity]

    def to_rdf_graph(self) -> Graph:
        """A standard ``sh:ValidationReport`` (``sh:conforms`` in the SHACL sense), ready for Turtle."""
        graph = Graph()
        graph.bind("sh", SH)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.shacl_conforms, datatype=XSD.boolean)))
        for result in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, term_from_text(result.focus_node)))
            if result.result_path is not None:
                graph.add((node, SH.resultPath, write_path(graph, path_from_text(result.result_path))))
            if result.value is not None:
                graph.add((node, SH.value, term_from_text(result.value)))
            graph.add((node, SH.sourceShape, term_from_text(result.source_shape)))
            graph.add((node, SH.sourceConstraintComponent, URIRef(result.source_constraint_component)))
            if result.source_constraint is not None:
                graph.add((node, SH.sourceConstraint, term_from_text(result.source_constraint)))
            graph.add((node, SH.resultSeverity, URIRef(result.custom_severity or SH[result.severity])))
            for language, text in sorted(result.messages.items()):
                graph.add((node, SH.resultMessage, Literal(text, lang=language or None)))
        return graph

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {
            "conforms": self.conforms,
            "accepted": self.accepted,
            "shacl_conforms": self.shacl_conforms,
            "results": [result.as_dict() for result in self.results],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON (Korean text kept as is, not escaped)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=indent)
