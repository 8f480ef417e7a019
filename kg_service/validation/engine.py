"""The validation engine (검증 엔진): SHACL compiled to SPARQL on Oxigraph, pySHACL where it does not compile.

>>> from rdflib import Graph
>>> shapes = Graph().parse(data='''
...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
...     ex:S a sh:NodeShape ; sh:targetClass ex:Sensor ;
...         sh:property [ sh:path ex:serial ; sh:minCount 1 ] .''', format="turtle")
>>> engine = ValidationEngine(shapes)
>>> report = engine.validate(b'<http://example.org/s1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
...                          b'<http://example.org/Sensor> .\\n')
>>> report.conforms, report.results[0].source_constraint_component
(False, 'http://www.w3.org/ns/shacl#MinCountConstraintComponent')
>>> report.results[0].messages["ko"]
'http://example.org/serial 값이 최소 1개 있어야 합니다'

The data graph of a validation is the submitted delta plus its context plus the ontology (pySHACL's
``ont_graph`` mixes the ontology into the data graph the same way). Validation time depends on that data, not
on the size of the stored knowledge graph.

**Engine-only functions.** ``custom_functions`` maps function IRIs to Python callables that SHACL-SPARQL
constraints may call (pyoxigraph ``custom_functions``); for example
``https://data.seoul.go.kr/cps/ontology#fn/inSeoul`` from :func:`kg_service.validation.functions.within`.
pySHACL cannot call them, so a shape that does must compile natively: the engine refuses to build otherwise
(:class:`~kg_service.validation.shapes.ShapesGraphError`), and the oracle refuses such shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rdflib import Graph

from kg_service.validation.checks import ShapePlan, ValidationPlan
from kg_service.validation.compiler import ShapesCompiler
from kg_service.validation.dataset import DataInput, ValidationDataset
from kg_service.validation.execution import ValidationRun
from kg_service.validation.report import ValidationReport
from kg_service.validation.terms import OxTerm, store_quad

CustomFunction = Callable[..., OxTerm | None]


class ValidationEngine:
    """Validates data graphs against one shapes graph (compiled once, reused for every validation).

    Args:
        shapes: the shapes graph.
        ontology: class hierarchy and reference terms, added to every data graph.
        custom_functions: SPARQL extension functions (IRI → callable taking and returning pyoxigraph terms).
        check_iris: validate IRI syntax while loading N-Triples. ``False`` is about 30% faster to load and meant
            for documents whose IRIs are valid by construction (the mapping engine's output); a malformed IRI
            then reaches validation as written instead of raising ``SyntaxError``.

    Raises:
        ShapesGraphError: the shapes graph is malformed, a SPARQL constraint breaks SHACL-SPARQL's rules, or a
            shape calling a custom function cannot compile natively.
    """

    def __init__(
        self,
        shapes: Graph,
        *,
        ontology: Graph | None = None,
        custom_functions: Mapping[str, CustomFunction] | None = None,
        check_iris: bool = True,
    ) -> None:
        self._shapes = shapes
        self._check_iris = check_iris
        self._functions = dict(custom_functions or {})
        compiler = ShapesCompiler(shapes, self._functions)
        self._compiled = compiler.compile()
        self._patterns = list(compiler.patterns)
        self._ontology = ontology
        self._ontology_quads = [store_quad(triple) for triple in ontology] if ontology is not None else []
        self._plan = ValidationPlan(
            tuple(
                ShapePlan(
                    shape=shape.text,
                    kind="property" if shape.is_property else "node",
                    route="native" if shape.native else "pyshacl",
                    reason=shape.fallback_reason,
                    has_targets=not shape.targets.empty,
                    constraints=tuple(shape.compiled_components),
                    engine_only=bool(shape.engine_only),
                )
                for shape in sorted(self._compiled.values(), key=lambda s: s.text)
            )
        )

    def plan(self) -> ValidationPlan:
        """Which shapes compile natively and which fall back to pySHACL, and why."""
        return self._plan

    def validate(self, data: DataInput, *, context: Graph | bytes | None = None) -> ValidationReport:
        """Validate ``data`` (rdflib graph, N-Triples bytes, or a pyoxigraph store) with its ``context``.

        Prefer N-Triples bytes (what the mapping engine writes): they load fastest and keep every literal as
        written. A pyoxigraph store has already normalised literals (it stores ``xsd:int`` as ``xsd:integer``,
        ``"+5"`` as ``"5"``), and rdflib's parsers rewrite some lexical forms (a dateTime with a space becomes
        a valid one), so with those inputs the XSD checks see the rewritten form.

        The engine can be shared between threads: each call builds its own in-memory store.

        Raises:
            SyntaxError: the N-Triples bytes are malformed (with line and column).
            ShapesGraphError: a shape that falls back to pySHACL is rejected by pySHACL.
        """
        dataset = ValidationDataset(check_iris=self._check_iris)
        if self._ontology_quads:
            dataset.add_quads(self._ontology_quads, source=self._ontology)
        if context is not None:
            dataset.add(context)
        dataset.add(data)
        run = ValidationRun(
            dataset=dataset,
            shapes=self._shapes,
            compiled=self._compiled,
            patterns=self._patterns,
            functions=self._functions,
        )
        return ValidationReport.from_results(run.execute())
