"""SHACL validation of submissions (제출 데이터의 SHACL 검증), with pySHACL as the reference semantics.

- :class:`ValidationEngine` compiles shapes to SPARQL on Oxigraph and falls back to pySHACL per shape.
- :func:`validate_with_pyshacl` is the oracle: plain pySHACL, same report type.
- :class:`ValidationReport` / :class:`ValidationResult` are the report as data.
- :data:`DEPARTURES` lists where the engine knowingly differs from pySHACL.
"""

from kg_service.validation.checks import ShapePlan, ValidationPlan
from kg_service.validation.departures import DEPARTURES, Departure
from kg_service.validation.engine import ValidationEngine
from kg_service.validation.oracle import EngineOnlyShapeError, validate_with_pyshacl
from kg_service.validation.report import ValidationReport, ValidationResult
from kg_service.validation.shapes import ShapesGraphError

__all__ = [
    "DEPARTURES",
    "Departure",
    "EngineOnlyShapeError",
    "ShapePlan",
    "ShapesGraphError",
    "ValidationEngine",
    "ValidationPlan",
    "ValidationReport",
    "ValidationResult",
    "validate_with_pyshacl",
]
