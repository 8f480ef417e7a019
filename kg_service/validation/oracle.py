"""pySHACL, the reference semantics: the oracle the engine is tested against, and its fallback runner.

:func:`validate_with_pyshacl` validates with plain ``pyshacl.validate`` and returns the same
:class:`~kg_service.validation.report.ValidationReport` the engine returns, so the two can be compared result
by result. Shapes whose SHACL-SPARQL constraints call custom functions registered with the engine are
engine-only: pySHACL cannot call those functions, so the oracle refuses such shapes
(:class:`EngineOnlyShapeError`) unless told to leave them out (``skip_engine_only=True``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rdflib import Graph, Literal
from rdflib.term import Node

from kg_service.validation.messages import (
    display_term,
    generated_messages,
    shape_messages,
    shape_parameters,
)
from kg_service.validation.paths import PathError, path_to_text, read_path
from kg_service.validation.report import ValidationReport, ValidationResult, severity_of
from kg_service.validation.shapes import ShapesGraphError
from kg_service.validation.terms import quiet_rdflib_literals, term_text
from kg_service.vocab import SH

if TYPE_CHECKING:
    from kg_service.validation.dataset import DataInput


class EngineOnlyShapeError(ShapesGraphError):
    """A shape calls a function only the engine provides, so pySHACL cannot evaluate it."""

    code = "ENGINE_ONLY_SHAPE"


def validate_with_pyshacl(
    shapes: Graph,
    data: DataInput,
    *,
    ontology: Graph | None = None,
    context: Graph | bytes | None = None,
    custom_functions: Iterable[str] = (),
    skip_engine_only: bool = False,
) -> ValidationReport:
    """Validate with plain ``pyshacl.validate`` (no inference, no SHACL-AF) and report as the engine does.

    ``context`` is added to the data graph and ``ontology`` given to pySHACL as ``ont_graph`` (which mixes it
    into the data graph): the same data graph the engine sees.

    Raises:
        EngineOnlyShapeError: a shape calls one of ``custom_functions`` and ``skip_engine_only`` is false.
        ShapesGraphError: pySHACL refused the shapes graph.
    """
    from kg_service.validation.compiler import ShapesCompiler

    compiler = ShapesCompiler(shapes, custom_functions)
    engine_only = {
        node: compiler.engine_only_functions(node) for node in set(shapes.subjects(SH.sparql, None))
    }
    engine_only = {node: functions for node, functions in engine_only.items() if functions}
    if engine_only and not skip_engine_only:
        node, functions = sorted(engine_only.items(), key=lambda item: str(item[0]))[0]
        raise EngineOnlyShapeError(
            f"shape {term_text(node)} calls {', '.join(sorted(functions))}, which only the engine provides",
            f"셰이프 {term_text(node)}는 엔진 전용 함수를 호출하므로 pySHACL로 검증할 수 없습니다",
            hint="validate with ValidationEngine, or pass skip_engine_only=True to leave these constraints out",
        )
    if engine_only:
        reduced = Graph()
        for triple in shapes:
            if triple[1] == SH.sparql and triple[0] in engine_only:
                continue
            reduced.add(triple)
        shapes = reduced
    data_graph = _as_graph(data)
    if context is not None:
        combined = Graph()
        for source in (data_graph, _as_graph(context)):
            for triple in source:
                combined.add(triple)
        data_graph = combined
    report = run_pyshacl(data_graph, shapes, ontology=ontology)
    return ValidationReport.from_results(results_from_pyshacl(report, shapes))


def run_pyshacl(data: Graph, shapes: Graph, *, ontology: Graph | None = None) -> Graph:
    """``pyshacl.validate`` with the options the engine's semantics follow; returns the report graph.

    Raises:
        ShapesGraphError: pySHACL raised (malformed shapes) or reported a validation failure.
    """
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    shapes_copy = Graph()  # pySHACL adds SHACL's system triples to the shapes graph it is given
    for prefix, namespace in shapes.namespaces():
        shapes_copy.bind(prefix, namespace, override=True)
    for triple in shapes:
        shapes_copy.add(triple)
    try:
        with quiet_rdflib_literals():
            _, report, text = pyshacl.validate(
                data,
                shacl_graph=shapes_copy,
                ont_graph=ontology,
                inference="none",
                advanced=False,
                js=False,
                abort_on_first=False,
                allow_infos=False,
                allow_warnings=False,
                meta_shacl=False,
                debug=False,
            )
    except ReportableRuntimeError as exc:
        raise ShapesGraphError(
            f"pySHACL could not validate with these shapes: {exc}",
            f"pySHACL이 이 셰이프로 검증할 수 없습니다: {exc}",
            hint="check the shapes file against the SHACL specification",
        ) from exc
    if not isinstance(report, Graph):
        raise ShapesGraphError(
            f"pySHACL reported a validation failure: {text}",
            f"pySHACL 검증 실패: {text}",
            hint="check the SPARQL constraints of the shapes file",
        )
    return report


def results_from_pyshacl(report: Graph, shapes: Graph) -> list[ValidationResult]:
    """The results of a pySHACL report graph, with messages as the engine writes them."""
    results: list[ValidationResult] = []
    for node in report.objects(None, SH.result):
        focus = report.value(node, SH.focusNode)
        shape = report.value(node, SH.sourceShape)
        component = report.value(node, SH.sourceConstraintComponent)
        severity = report.value(node, SH.resultSeverity)
        if focus is None or shape is None or component is None:
            continue
        path_node = report.value(node, SH.resultPath)
        path = _path_text(report, path_node)
        value = report.value(node, SH.value)
        constraint = report.value(node, SH.sourceConstraint)
        results.append(
            ValidationResult(
                focus_node=term_text(focus),
                result_path=path,
                value=None if value is None else term_text(value),
                source_shape=term_text(shape),
                source_constraint_component=str(component),
                severity=severity_of(str(severity or SH.Violation))[0],
                custom_severity=severity_of(str(severity or SH.Violation))[1],
                messages=_messages(report, node, shapes, shape, constraint, str(component), value, path),
                source_constraint=None if constraint is None else term_text(constraint),
            )
        )
    return results


def _messages(
    report: Graph,
    result: Node,
    shapes: Graph,
    shape: Node,
    constraint: Node | None,
    component: str,
    value: Node | None,
    path: str | None,
) -> dict[str, str]:
    """Author messages (pySHACL fills SPARQL bindings into them), else the generated bilingual ones."""
    declared = shape_messages(shapes, *(node for node in (constraint, shape) if node is not None))
    if declared:
        written: dict[str, str] = {}
        for message in report.objects(result, SH.resultMessage):
            if isinstance(message, Literal):
                written.setdefault(message.language or "", str(message))
        return written or declared
    return generated_messages(
        component,
        value=None if value is None else display_term(value),
        path=path,
        shape=display_term(shape),
        parameters=shape_parameters(shapes, shape, component),
    )


def _path_text(report: Graph, path_node: Node | None) -> str | None:
    if path_node is None:
        return None
    try:
        return path_to_text(read_path(report, path_node))
    except PathError:
        return str(path_node)


def _as_graph(data: DataInput | Graph | bytes) -> Graph:
    if isinstance(data, Graph):
        return data
    if isinstance(data, bytes):
        graph = Graph()
        with quiet_rdflib_literals():
            graph.parse(data=data.decode("utf-8"), format="nt")
        return graph
    import pyoxigraph as ox

    if isinstance(data, ox.Store):
        dumped = b"".join(
            data.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
            for graph in (ox.DefaultGraph(), *data.named_graphs())
        )
        return _as_graph(dumped)
    raise TypeError(f"cannot validate a {type(data).__name__}")
