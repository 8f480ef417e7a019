"""Shapes compiled to SPARQL: the decision, per shape, between the native path and the pySHACL fallback.

Every shape is read once, when the engine is built. A shape runs natively when each of its own constraints
compiles (its ``sh:property`` shapes are decided on their own); otherwise it falls back to pySHACL with the
reason recorded, so results are always complete. What compiles, and how each constraint becomes SPARQL
(Oxigraph's dialect, over the protected literals of :mod:`kg_service.validation.terms`):

- value checks, one boolean expression per value node, evaluated together for all shapes that share a focus
  set and a path (one query): ``sh:class`` (the class hierarchy resolved once per validation),
  ``sh:datatype`` (with the XSD lexical rules of :mod:`kg_service.validation.xsd`), ``sh:nodeKind``,
  ``sh:min/maxInclusive``, ``sh:min/maxExclusive`` (native for integer/decimal and double bounds, pySHACL's
  comparison in Python for the rest), ``sh:min/maxLength``, ``sh:pattern`` (Oxigraph's ``REGEX`` when the
  pattern means the same in Rust and Python, else Python's ``re`` through a custom function), ``sh:in``,
  ``sh:languageIn``;
- ``sh:minCount``/``sh:maxCount`` (1 in the same query, other numbers with ``GROUP BY``), ``sh:hasValue``,
  ``sh:uniqueLang``, ``sh:equals``, ``sh:disjoint``, ``sh:closed`` (with ``sh:ignoredProperties``);
- ``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``, ``sh:qualifiedValueShape`` (with
  ``sh:qualifiedValueShapesDisjoint``) when the shapes they name compile completely (conformance is checked
  on the set of value nodes in bulk);
- ``sh:sparql`` (SELECT), with ``$this`` bound for all focus nodes at once (:mod:`sparql_text`);
- targets: ``sh:targetClass`` (with ``rdfs:subClassOf*``), implicit class targets, ``sh:targetNode``,
  ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``;
- paths: predicates, inverse, sequence, alternative, ``*``/``+``/``?``;
- ``sh:deactivated``, ``sh:severity`` (custom severities too), ``sh:message`` in every language.

Falls back: ``sh:lessThan``/``sh:lessThanOrEquals``, SPARQL-based constraint components declared in the
shapes graph, an inverse of a sequence path (pySHACL walks it in written order), ``sh:datatype
rdfs:Datatype`` and the RDF XML/HTML/JSON datatypes, constraints and targets that name a blank node (SPARQL
text cannot), ``$currentShape`` of a blank-node shape, recursive shapes, and anything malformed (pySHACL then
reports the error exactly as it would on its own).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Final

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg_service.validation import sparql_text
from kg_service.validation.checks import (
    SH_NS,
    ClosedCheck,
    CompiledShape,
    Constant,
    CountCheck,
    HasValueCheck,
    PairCheck,
    QualifiedCheck,
    ShapeRefCheck,
    ShapeRefKind,
    SparqlCheck,
    Targets,
    UniqueLangCheck,
    ValueCheck,
)
from kg_service.validation.comparison import range_decider
from kg_service.validation.messages import shape_messages
from kg_service.validation.paths import (
    Path,
    PathError,
    contains_sequence,
    read_path,
    sparql_path,
)
from kg_service.validation.planning import check_engine_only, resolve_references
from kg_service.validation.report import severity_of
from kg_service.validation.shapes import (
    ShapeNode,
    ShapesGraphError,
    discover_shapes,
    has_implicit_class_target,
    is_deactivated,
)
from kg_service.validation.terms import PROTECTED_NS, from_rdflib, term_text
from kg_service.validation.xsd import (
    FLOATING_COMPARABLE,
    NUMERIC_COMPARABLE,
    RULES,
    checked_datatype,
    is_valid_lexical,
    sparql_string,
    sparql_valid_lexical,
)
from kg_service.vocab import SH

PATTERN_FUNCTION: Final = "urn:kg-service:validation:fn#pattern"
"""Custom SPARQL function the engine registers: Python ``re.search`` as pySHACL applies ``sh:pattern``."""
UNDEFINED: Final = "?__kg_undefined"
"""A variable no query binds: an expression that reads it is unbound (``IF(c, x, ?__kg_undefined)``)."""
_RDF_TYPE: Final = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_SUBCLASS: Final = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_NODE_KINDS: Final[dict[str, str]] = {
    "IRI": "isIRI(?value)",
    "BlankNode": "isBlank(?value)",
    "Literal": "isLiteral(?value)",
    "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
    "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
    "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
}
_RANGES: Final[dict[str, str]] = {
    "minInclusive": ">=",
    "maxInclusive": "<=",
    "minExclusive": ">",
    "maxExclusive": "<",
}
_UNCHECKED_DATATYPES: Final = {
    str(RDFS.Datatype): "sh:datatype rdfs:Datatype depends on rdflib's plain-literal/xsd:string distinction",
    str(RDF.XMLLiteral): "rdflib checks rdf:XMLLiteral well-formedness",
    str(RDF.HTML): "rdflib checks rdf:HTML well-formedness",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON": "rdflib checks rdf:JSON well-formedness",
}
_WHOLE_INTEGERS: Final = frozenset(
    str(XSD[name])
    for name in [
        "integer",
        "int",
        "long",
        "negativeInteger",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "positiveInteger",
        "short",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "byte",
    ]
)
_FINITE_DOUBLE: Final = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
_DECIMAL: Final = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"
_COMPILED_PARAMETERS: Final = frozenset(
    SH[name]
    for name in [
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "minLength",
        "maxLength",
        "pattern",
        "flags",
        "languageIn",
        "uniqueLang",
        "in",
        "hasValue",
        "equals",
        "disjoint",
        "node",
        "not",
        "and",
        "or",
        "xone",
        "closed",
        "ignoredProperties",
        "sparql",
        "property",
    ]
)
_FALLBACK_PARAMETERS: Final[dict[URIRef, str]] = {
    SH.lessThan: "sh:lessThan compares values with rdflib's ordering, evaluated by pySHACL",
    SH.lessThanOrEquals: "sh:lessThanOrEquals compares values with rdflib's ordering, evaluated by pySHACL",
}


class Fallback(Exception):  # noqa: N818 - a control-flow signal inside the compiler, never raised to callers
    """A constraint the compiler leaves to pySHACL; the message is the reason shown in the plan."""


class ShapesCompiler:
    """Compiles the shapes of one shapes graph (see the module docstring for what compiles)."""

    def __init__(self, shapes: Graph, custom_functions: Iterable[str] = ()) -> None:
        self.graph = shapes
        self.custom_functions = frozenset(custom_functions)
        self.patterns: list[re.Pattern[str]] = []
        self._variables = itertools.count()
        self._default_prefixes = {**_default_prefixes(), **_bound_prefixes(shapes)}
        self._component_parameters = _custom_component_parameters(shapes)

    def compile(self) -> dict[URIRef | BNode, CompiledShape]:
        """Every shape of the graph, compiled or marked for fallback.

        Raises:
            ShapesGraphError: the shapes graph is malformed in a way pySHACL also refuses, a SPARQL constraint
                breaks SHACL-SPARQL's rules, or a shape that calls an engine-only function cannot run natively.
        """
        found = discover_shapes(self.graph)
        compiled = {node: self._compile_shape(shape, found) for node, shape in found.items()}
        resolve_references(compiled)
        check_engine_only(compiled, self.graph)
        return compiled

    # -- one shape -------------------------------------------------------------------------------------

    def _compile_shape(self, found: ShapeNode, shapes: Mapping[URIRef | BNode, ShapeNode]) -> CompiledShape:
        node = found.node
        graph = self.graph
        severities = sorted(str(s) for s in graph.objects(node, SH.severity))
        try:
            targets, target_problem = self._targets(node), None
        except Fallback as problem:
            targets, target_problem = Targets(unresolved=True), str(problem)
        shape = CompiledShape(
            node=node,
            text=term_text(node),
            is_property=found.is_property,
            path=None,
            targets=targets,
            severity=severity_of(severities[0])[0] if severities else "Violation",
            custom_severity=severity_of(severities[0])[1] if severities else None,
            messages=shape_messages(graph, node),
            deactivated=is_deactivated(graph, node),
            engine_only=self.engine_only_functions(node),
        )
        if shape.deactivated:
            return shape  # pySHACL skips a deactivated shape before reading its constraints
        try:
            if target_problem is not None:
                raise Fallback(target_problem)
            if len(severities) > 1:
                raise Fallback("more than one sh:severity")
            if found.is_property and found.path_node is not None:
                shape.path = self._path(found.path_node)
            self._compile_constraints(shape, shapes)
        except Fallback as reason:
            shape.fallback_reason = str(reason)
            shape.value_checks.clear()
            shape.counts.clear()
            shape.others.clear()
        return shape

    def _path(self, path_node: Node) -> Path:
        try:
            path = read_path(self.graph, path_node)
        except PathError as exc:
            raise Fallback(f"malformed sh:path ({exc})") from exc
        if _inverse_of_sequence(path):
            raise Fallback("an inverse of a sequence path (pySHACL walks it in written order)")
        return path

    def _compile_constraints(self, shape: CompiledShape, shapes: Mapping[URIRef | BNode, ShapeNode]) -> None:
        graph = self.graph
        node = shape.node
        predicates = set(graph.predicates(node, None))
        for predicate, reason in _FALLBACK_PARAMETERS.items():
            if predicate in predicates:
                raise Fallback(reason)
        custom = predicates & self._component_parameters
        if custom:
            raise Fallback(
                f"SPARQL-based constraint component parameter {sorted(map(str, custom))[0]} runs on pySHACL"
            )

        def values(name: str) -> list[Node]:
            return list(graph.objects(node, SH[name]))

        def single(name: str) -> Node | None:
            found = values(name)
            if len(found) > 1:
                raise Fallback(f"more than one sh:{name}")
            return found[0] if found else None

        for class_node in values("class"):
            self._add(shape, "ClassConstraintComponent", self._class_check(class_node))
        datatype = single("datatype")
        if datatype is not None:
            self._add(shape, "DatatypeConstraintComponent", self._datatype_check(datatype))
        kind = single("nodeKind")
        if kind is not None:
            expression = (
                _NODE_KINDS.get(str(kind).removeprefix(SH_NS), "false")
                if isinstance(kind, URIRef)
                else "false"
            )
            self._add(
                shape,
                "NodeKindConstraintComponent",
                ValueCheck(SH_NS + "NodeKindConstraintComponent", expression),
            )
        for name in ("minCount", "maxCount"):
            count = single(name)
            if count is None:
                continue
            if not shape.is_property:
                raise Fallback(f"sh:{name} on a node shape")
            if not isinstance(count, rdflib.Literal) or count.datatype != XSD.integer or int(count.value) < 0:
                raise Fallback(f"sh:{name} must be a non-negative xsd:integer")
            component = SH_NS + name[0].upper() + name[1:] + "ConstraintComponent"
            number = int(count.value)
            if name == "minCount" and number == 0:
                shape.compiled_components.append("MinCountConstraintComponent")
                continue
            check = (
                CountCheck(component, minimum=number)
                if name == "minCount"
                else CountCheck(component, maximum=number)
            )
            shape.counts.append(check)
            shape.compiled_components.append(component.removeprefix(SH_NS))
        for name, operator in _RANGES.items():
            for bound in values(name):
                component = SH_NS + name[0].upper() + name[1:] + "ConstraintComponent"
                self._add(shape, component.removeprefix(SH_NS), self._range_check(component, bound, operator))
        for name in ("minLength", "maxLength"):
            length = single(name)
            if length is not None:
                self._length_check(shape, name, length)
        patterns = values("pattern")
        if patterns:
            flags = values("flags")
            for pattern in patterns:
                self._add(
                    shape,
                    "PatternConstraintComponent",
                    self._pattern_check(pattern, flags[0] if flags else None),
                )
        language_in = single("languageIn")
        if language_in is not None:
            self._add(shape, "LanguageInConstraintComponent", self._language_in_check(language_in))
        unique_lang = single("uniqueLang")
        if unique_lang is not None:
            if not shape.is_property:
                raise Fallback("sh:uniqueLang on a node shape")
            if not isinstance(unique_lang, rdflib.Literal) or not isinstance(unique_lang.value, bool):
                raise Fallback("sh:uniqueLang must be a boolean")
            if unique_lang.value:
                shape.others.append(UniqueLangCheck())
            shape.compiled_components.append("UniqueLangConstraintComponent")
        members = single("in")
        if members is not None:
            self._add(shape, "InConstraintComponent", self._in_check(members))
        for value in values("hasValue"):
            shape.others.append(HasValueCheck(self._constant(value)))
            shape.compiled_components.append("HasValueConstraintComponent")
        for kind_name in ("equals", "disjoint"):
            for other in values(kind_name):
                if not isinstance(other, URIRef):
                    raise Fallback(f"sh:{kind_name} with a non-IRI value")
                component = SH_NS + kind_name[0].upper() + kind_name[1:] + "ConstraintComponent"
                shape.others.append(PairCheck(component, kind_name, str(other)))
                shape.compiled_components.append(component.removeprefix(SH_NS))
        for child in values("property"):
            if child not in shapes or not shapes[child].is_property:  # type: ignore[index]
                raise Fallback(f"sh:property {child.n3()} is not a property shape")
            shape.properties.append(child)  # type: ignore[arg-type]
        self._closed(shape, single("closed"), values("ignoredProperties"), shapes)
        self._shape_references(shape, shapes)
        if values("qualifiedValueShape") or values("qualifiedMinCount") or values("qualifiedMaxCount"):
            self._qualified(shape, shapes)
        for constraint in values("sparql"):
            shape.others.append(self._sparql_check(shape, constraint))
            shape.compiled_components.append("SPARQLConstraintComponent")

    def _add(self, shape: CompiledShape, component: str, check: ValueCheck) -> None:
        shape.value_checks.append(check)
        shape.compiled_components.append(component.removeprefix(SH_NS))

    # -- value checks ----------------------------------------------------------------------------------

    def _class_check(self, class_node: Node) -> ValueCheck:
        if isinstance(class_node, rdflib.Literal):
            raise Fallback("sh:class with a literal value")
        constant = self._constant(class_node)
        expression = f"EXISTS {{ ?value {_RDF_TYPE}/{_SUBCLASS}* {constant.text} }}"
        return ValueCheck(SH_NS + "ClassConstraintComponent", expression, instance_of=constant)

    def _datatype_check(self, datatype: Node) -> ValueCheck:
        component = SH_NS + "DatatypeConstraintComponent"
        if not isinstance(datatype, URIRef):
            return ValueCheck(component, "false")
        iri = str(datatype)
        if iri in _UNCHECKED_DATATYPES:
            raise Fallback(_UNCHECKED_DATATYPES[iri])
        if iri == str(RDFS.Literal):
            return ValueCheck(component, "isLiteral(?value)")
        if iri == str(XSD.string):
            return ValueCheck(component, f"COALESCE(isLiteral(?value) && datatype(?value) = <{iri}>, false)")
        if iri == str(RDF.langString):
            return ValueCheck(component, 'COALESCE(isLiteral(?value) && LANG(?value) != "", false)')
        stored = from_rdflib(rdflib.Literal("x", datatype=datatype))
        assert isinstance(stored, ox.Literal)
        expression = f"COALESCE(isLiteral(?value) && datatype(?value) = <{stored.datatype.value}>, false)"
        local = checked_datatype(iri)
        if local is not None:
            expression = f"({expression} && {sparql_valid_lexical('?value', local)})"
        return ValueCheck(component, expression)

    def _range_check(self, component: str, bound: Node, operator: str) -> ValueCheck:
        if not isinstance(bound, rdflib.Literal):
            raise Fallback(f"{component.removeprefix(SH_NS)} with a non-literal bound")
        decide = range_decider(bound, operator)
        bound_datatype = str(bound.datatype) if bound.datatype is not None else None
        local = checked_datatype(bound_datatype) if bound_datatype else None
        native: str | None = None
        if local in NUMERIC_COMPARABLE and is_valid_lexical(str(bound), bound_datatype or ""):
            value_types = " || ".join(
                f"(datatype(?value) = <{PROTECTED_NS}{name}> && REGEX(STR(?value), "
                f"{sparql_string('^(' + RULES[name].pattern + ')$')}))"
                for name in sorted(NUMERIC_COMPARABLE)
            )
            bound_text = f'"{bound}"^^<{bound_datatype}>'
            native = (
                f"IF(COALESCE({value_types}, false), "
                f"<{XSD}decimal>(STR(?value)) {operator} {bound_text}, {UNDEFINED})"
            )
        elif local in FLOATING_COMPARABLE and re.fullmatch(_FINITE_DOUBLE[1:-1], str(bound)):
            bound_text = f'"{bound}"^^<{bound_datatype}>'
            native = (
                f"IF(COALESCE(datatype(?value) = <{PROTECTED_NS}double> && "
                f"REGEX(STR(?value), {sparql_string(_FINITE_DOUBLE)}), false), "
                f"<{XSD}double>(STR(?value)) {operator} {bound_text}, {UNDEFINED})"
            )
        expression = f"IF(isLiteral(?value), {native or UNDEFINED}, false)"
        return ValueCheck(component, expression, decide=decide)

    def _length_check(self, shape: CompiledShape, name: str, length: Node) -> None:
        if (
            not isinstance(length, rdflib.Literal)
            or getattr(length, "ill_typed", False)
            or str(length.datatype) not in _WHOLE_INTEGERS
            or str(length.datatype) in (str(XSD.negativeInteger), str(XSD.nonPositiveInteger))
            or int(length.value) < 0
        ):
            raise Fallback(f"sh:{name} must be a non-negative integer")
        number = int(length.value)
        component = SH_NS + name[0].upper() + name[1:] + "ConstraintComponent"
        if name == "minLength" and number == 0:
            shape.compiled_components.append(component.removeprefix(SH_NS))
            return
        operator = ">=" if name == "minLength" else "<="
        expression = f"COALESCE(!isBlank(?value) && STRLEN(STR(?value)) {operator} {number}, false)"
        self._add(shape, component, ValueCheck(component, expression))

    def _pattern_check(self, pattern: Node, flags: Node | None) -> ValueCheck:
        if not isinstance(pattern, rdflib.Literal):
            raise Fallback("sh:pattern must be a literal")
        options = 0
        if isinstance(flags, rdflib.Literal) and flags.value:
            text = str(flags.value).lower()
            options |= re.IGNORECASE if "i" in text else 0
            options |= re.MULTILINE if "m" in text else 0
        source = str(pattern.value) if pattern.value is not None and len(pattern.value) > 1 else str(pattern)
        try:
            compiled = re.compile(source, options)
        except re.error as exc:
            raise Fallback(f"sh:pattern is not a valid regular expression ({exc})") from exc
        self.patterns.append(compiled)
        index = len(self.patterns) - 1
        python = f'<{PATTERN_FUNCTION}>(STR(?value), "{index}")'
        if options == 0 and sparql_text.portable_regex(source):
            # Same meaning in Python's re and Oxigraph's REGEX, except that Python's $ also matches before a
            # final newline: values containing a newline still go to Python.
            native = f"REGEX(STR(?value), {sparql_string(source)})"
            python = f'IF(CONTAINS(STR(?value), "\\n"), {python}, {native})'
        expression = f"COALESCE(!isBlank(?value) && {python}, false)"
        return ValueCheck(SH_NS + "PatternConstraintComponent", expression)

    def _language_in_check(self, languages: Node) -> ValueCheck:
        wanted: set[str] = set()
        for item in self._list(languages, "sh:languageIn"):
            if not isinstance(item, rdflib.Literal) or not isinstance(item.value, str):
                raise Fallback("sh:languageIn members must be strings")
            wanted.add(str(item.value).lower())
        component = SH_NS + "LanguageInConstraintComponent"
        if "*" in wanted:
            return ValueCheck(component, 'COALESCE(isLiteral(?value) && LANG(?value) != "", false)')
        listed = ", ".join(sparql_string(language) for language in sorted(wanted))
        expression = (
            f'COALESCE(isLiteral(?value) && LANG(?value) != "" && (LCASE(LANG(?value)) IN ({listed}) || '
            f'LCASE(STRBEFORE(CONCAT(LANG(?value), "-"), "-")) IN ({listed})), false)'
        )
        return ValueCheck(component, expression)

    def _in_check(self, members: Node) -> ValueCheck:
        constants = [self._constant(item) for item in self._list(members, "sh:in")]
        alternatives = " || ".join(f"sameTerm(?value, {constant.text})" for constant in constants) or "false"
        return ValueCheck(SH_NS + "InConstraintComponent", f"COALESCE({alternatives}, false)")

    # -- structure ---------------------------------------------------------------------------------------

    def _closed(
        self,
        shape: CompiledShape,
        closed: Node | None,
        ignored: list[Node],
        shapes: Mapping[URIRef | BNode, ShapeNode],
    ) -> None:
        if closed is None:
            if ignored:
                raise Fallback("sh:ignoredProperties without sh:closed")
            return
        if not isinstance(closed, rdflib.Literal):
            raise Fallback("sh:closed must be a literal")
        shape.compiled_components.append("ClosedConstraintComponent")
        if not bool(closed.value):
            return
        allowed: set[str] = set()
        for child in shape.properties:
            path_node = shapes[child].path_node
            if isinstance(path_node, URIRef):
                allowed.add(str(path_node))
        for list_node in ignored:
            allowed.update(
                str(item)
                for item in self._list(list_node, "sh:ignoredProperties")
                if isinstance(item, URIRef)
            )
        shape.others.append(ClosedCheck(tuple(sorted(allowed))))

    def _shape_references(self, shape: CompiledShape, shapes: Mapping[URIRef | BNode, ShapeNode]) -> None:
        graph = self.graph
        for target in graph.objects(shape.node, SH.node):
            if target not in shapes or shapes[target].is_property:  # type: ignore[index]
                raise Fallback(f"sh:node {target.n3()} is not a node shape")
            self._reference(shape, "node", (target,))
        for target in graph.objects(shape.node, SH["not"]):
            if target not in shapes:
                raise Fallback(f"sh:not {target.n3()} is not a shape")
            self._reference(shape, "not", (target,))
        for kind in ("and", "or", "xone"):
            for list_node in graph.objects(shape.node, SH[kind]):
                members = tuple(self._list(list_node, f"sh:{kind}"))
                if any(member not in shapes for member in members):
                    raise Fallback(f"a member of sh:{kind} is not a shape")
                self._reference(shape, kind, members)

    def _qualified(self, shape: CompiledShape, shapes: Mapping[URIRef | BNode, ShapeNode]) -> None:
        """``sh:qualifiedValueShape`` as pySHACL reads it (ignored on node shapes, siblings when disjoint)."""
        graph = self.graph
        node = shape.node
        shape.compiled_components.append("QualifiedValueShapeConstraintComponent")
        if not shape.is_property:
            return  # pySHACL ignores it on a node shape (with a warning)
        qualified = list(graph.objects(node, SH.qualifiedValueShape))
        if not qualified:
            raise Fallback("sh:qualifiedMinCount/MaxCount without sh:qualifiedValueShape")
        bounds: list[int | None] = []
        for name in ("qualifiedMinCount", "qualifiedMaxCount"):
            found = list(graph.objects(node, SH[name]))
            if len(found) > 1:
                raise Fallback(f"more than one sh:{name}")
            bound = found[0] if found else None
            if bound is not None and not (isinstance(bound, rdflib.Literal) and isinstance(bound.value, int)):
                raise Fallback(f"sh:{name} must be an integer")
            bounds.append(int(bound.value) if isinstance(bound, rdflib.Literal) else None)
        if bounds == [None, None]:
            raise Fallback("sh:qualifiedValueShape without sh:qualifiedMinCount or sh:qualifiedMaxCount")
        disjoint = any(
            isinstance(value, rdflib.Literal) and isinstance(value.value, bool) and value.value
            for value in graph.objects(node, SH.qualifiedValueShapesDisjoint)
        )
        for value_shape in qualified:
            if value_shape not in shapes:
                raise Fallback(f"sh:qualifiedValueShape {value_shape.n3()} is not a shape")
            siblings: list[URIRef | BNode] = []
            if disjoint:
                for parent in graph.subjects(SH.property, node):
                    for sibling_holder in graph.objects(parent, SH.property):
                        for sibling in graph.objects(sibling_holder, SH.qualifiedValueShape):
                            if sibling != value_shape and sibling in shapes and sibling not in siblings:
                                siblings.append(sibling)  # type: ignore[arg-type]
            shape.others.append(QualifiedCheck(value_shape, bounds[0], bounds[1], tuple(siblings)))  # type: ignore[arg-type]

    def _reference(self, shape: CompiledShape, kind: ShapeRefKind, targets: tuple[Node, ...]) -> None:
        component = SH_NS + kind[0].upper() + kind[1:] + "ConstraintComponent"
        shape.others.append(ShapeRefCheck(component, kind, targets))  # type: ignore[arg-type]
        shape.compiled_components.append(component.removeprefix(SH_NS))

    def _sparql_check(self, shape: CompiledShape, constraint: Node) -> SparqlCheck:
        graph = self.graph
        selects = list(graph.objects(constraint, SH.select))
        if (
            len(selects) != 1
            or not isinstance(selects[0], rdflib.Literal)
            or not isinstance(selects[0].value, str)
        ):
            raise Fallback("sh:sparql needs exactly one string sh:select")
        deactivated = list(graph.objects(constraint, SH.deactivated))
        if deactivated and not (
            isinstance(deactivated[0], rdflib.Literal) and isinstance(deactivated[0].value, bool)
        ):
            raise Fallback("sh:deactivated of a SPARQL constraint must be a boolean")
        messages = shape_messages(graph, constraint)
        query = str(selects[0].value)
        try:
            sparql_text.check_supported(query)
        except sparql_text.UnsupportedQueryError as exc:
            raise ShapesGraphError(
                f"SPARQL constraint {term_text(constraint)} of shape {shape.text}: {exc}",
                f"셰이프 {shape.text}의 SPARQL 제약 {term_text(constraint)}: SHACL-SPARQL 규칙 위반 ({exc})",
                hint="SHACL section 5.3.1 lists what SPARQL constraints may not contain",
            ) from exc
        if sparql_text.uses_variable(query, "currentShape") and isinstance(shape.node, BNode):
            raise Fallback("$currentShape of a blank-node shape cannot be written in SPARQL text")
        if shape.path is not None:
            query = sparql_text.substitute_path(query, sparql_path(shape.path))
        elif sparql_text.uses_variable(query, "PATH"):
            raise Fallback("$PATH in a SPARQL constraint of a node shape")
        if deactivated and isinstance(deactivated[0], rdflib.Literal) and bool(deactivated[0].value):
            return SparqlCheck(constraint, term_text(constraint), "", "bulk", {}, {}, False, frozenset())
        prefixes = self.prefixes_for(constraint)
        return SparqlCheck(
            constraint=constraint,
            constraint_text=term_text(constraint),
            query=query,
            mode=sparql_text.evaluation_mode(query),
            prefixes=prefixes,
            messages=messages,
            uses_current_shape=sparql_text.uses_variable(query, "currentShape"),
            engine_only_functions=frozenset(
                self.custom_functions & sparql_text.referenced_iris(query, prefixes)
            ),
        )

    def prefixes_for(self, constraint: Node) -> dict[str, str]:
        """The prefixes a SPARQL constraint's query sees.

        rdflib's default bindings, then the prefixes bound in the shapes graph, then the constraint's
        ``sh:prefixes`` declarations. (pySHACL's queries see rdflib's defaults and the data graph's bindings.)
        """
        return {**self._default_prefixes, **self._declared_prefixes(constraint)}

    def engine_only_functions(self, node: Node) -> frozenset[str]:
        """Registered custom functions that the active ``sh:sparql`` constraints of ``node`` call."""
        found: set[str] = set()
        for constraint in self.graph.objects(node, SH.sparql):
            if is_deactivated(self.graph, constraint):
                continue
            for select in self.graph.objects(constraint, SH.select):
                try:
                    found |= self.custom_functions & sparql_text.referenced_iris(
                        str(select), self.prefixes_for(constraint)
                    )
                except ShapesGraphError:
                    continue
        return frozenset(found)

    def _declared_prefixes(self, constraint: Node) -> dict[str, str]:
        """``sh:prefixes`` → ``sh:declare`` declarations, collected as pySHACL collects them."""
        graph = self.graph
        ontologies = set(graph.subjects(RDF.type, rdflib.OWL.Ontology))
        graph_declares = set(graph.objects(graph.identifier, SH.declare)) if graph.identifier else set()
        global_declares = graph_declares.union(*(set(graph.objects(o, SH.declare)) for o in ontologies))
        prefixes: dict[str, str] = {}
        for source in graph.objects(constraint, SH.prefixes):
            own = set(graph.objects(source, SH.declare))
            declares = own | graph_declares if own and source in ontologies else global_declares | own
            for declaration in declares:
                names = list(graph.objects(declaration, SH.prefix))
                namespaces = list(graph.objects(declaration, SH.namespace))
                if len(names) != 1 or len(namespaces) != 1 or not isinstance(names[0], rdflib.Literal):
                    raise ShapesGraphError(
                        f"sh:declare {term_text(declaration)} needs exactly one sh:prefix and one sh:namespace",
                        f"sh:declare {term_text(declaration)}에는 sh:prefix와 sh:namespace가 하나씩 있어야 합니다",
                        hint="see SHACL section 5.2.1 (prefix declarations)",
                    )
                prefixes[str(names[0].value)] = str(namespaces[0])
        return prefixes

    # -- terms -----------------------------------------------------------------------------------------

    def _constant(self, term: Node) -> Constant:
        if isinstance(term, BNode):
            raise Fallback(
                f"a constraint or target names the blank node {term.n3()}, which SPARQL text cannot"
            )
        if isinstance(term, URIRef | rdflib.Literal):
            try:
                stored, written = from_rdflib(term), from_rdflib(term, protected=False)
            except ValueError as exc:
                raise Fallback(f"{term.n3()} cannot be written in SPARQL ({exc})") from exc
            return Constant(str(stored), str(written))
        raise Fallback(f"unsupported term {term!r}")

    def _targets(self, node: URIRef | BNode) -> Targets:
        """The shape's targets (raises :class:`Fallback` when one names a blank node)."""
        graph = self.graph
        class_nodes = list(graph.objects(node, SH.targetClass))
        if has_implicit_class_target(graph, node):
            class_nodes.append(node)
        return Targets(
            classes=tuple(
                self._constant(item) for item in class_nodes if not isinstance(item, rdflib.Literal)
            ),
            nodes=tuple(self._constant(item) for item in graph.objects(node, SH.targetNode)),
            subjects_of=tuple(
                self._constant(item)
                for item in graph.objects(node, SH.targetSubjectsOf)
                if isinstance(item, URIRef)
            ),
            objects_of=tuple(
                self._constant(item)
                for item in graph.objects(node, SH.targetObjectsOf)
                if isinstance(item, URIRef)
            ),
        )

    def _list(self, node: Node, what: str) -> list[Node]:
        try:
            return list(self.graph.items(node))
        except (ValueError, AttributeError) as exc:
            raise Fallback(f"{what} is not a well-formed RDF list") from exc


def _inverse_of_sequence(path: Path) -> bool:
    from kg_service.validation.paths import AlternativePath, InversePath, RepeatPath, SequencePath

    if isinstance(path, InversePath):
        return contains_sequence(path.path) or _inverse_of_sequence(path.path)
    if isinstance(path, SequencePath):
        return any(_inverse_of_sequence(step) for step in path.steps)
    if isinstance(path, AlternativePath):
        return any(_inverse_of_sequence(option) for option in path.options)
    if isinstance(path, RepeatPath):
        return _inverse_of_sequence(path.path)
    return False


def _custom_component_parameters(graph: Graph) -> frozenset[Node]:
    """Parameter predicates of SPARQL-based constraint components declared in the shapes graph."""
    parameters: set[Node] = set()
    for component in set(graph.subjects(SH.parameter, None)):
        if str(component).startswith(SH_NS):
            continue
        for parameter in graph.objects(component, SH.parameter):
            parameters.update(graph.objects(parameter, SH.path))
    return frozenset(parameters - _COMPILED_PARAMETERS)


def _default_prefixes() -> dict[str, str]:
    """The prefixes a query sees without declaring them: rdflib's default bindings (what pySHACL's queries see)."""
    return {prefix: str(namespace) for prefix, namespace in Graph().namespaces() if prefix}


def _bound_prefixes(shapes: Graph) -> dict[str, str]:
    """Prefixes bound in the shapes graph (the ``@prefix`` lines of the shapes files)."""
    return {prefix: str(namespace) for prefix, namespace in shapes.namespaces() if prefix}
