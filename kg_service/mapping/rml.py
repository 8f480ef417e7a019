"""RML Turtle rule files → the internal rule model.

Reads RML-Core (``http://w3id.org/rml/``) and the legacy vocabularies it grew from (RML
``http://semweb.mmlab.be/ns/rml#`` with R2RML ``http://www.w3.org/ns/r2rml#`` and ``ql:``): the legacy terms are
renamed to their RML-Core equivalents first, so one reader handles both. Supported: triples maps with logical
sources (files, JSONPath/CSV/XPath), subject maps with classes and graph maps, predicate-object maps with
predicate, object and graph maps (constant, reference, template; the ``rml:subject``/``rml:predicate``/
``rml:object``/``rml:graph`` shortcuts), term types (IRI, URI, UnsafeIRI, BlankNode, Literal), datatypes and
languages (constant or computed by ``rml:datatypeMap``/``rml:languageMap``), referencing object maps with join
conditions (``rml:child``/``rml:parent`` or ``rml:childMap``/``rml:parentMap``), ``rml:baseIRI``.
Not supported (an error names them): functions (RML-FNML), SQL sources, logical views, collections and
containers (RML-CC), targets.

JSONPath references become column names the way the source readers name JSON fields: ``$.Name`` → ``Name``,
``$['Country Code']`` → ``Country Code``, ``$.location.coordinates`` → ``location.coordinates``; a reference
ending in ``[*]`` (all items of an array) keeps that suffix and reads a list-valued column.

>>> jsonpath_column("$['Country Code']"), jsonpath_column("$.location.coordinates"), jsonpath_column("$.xs[*]")
('Country Code', 'location.coordinates', 'xs[*]')
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg_service.errors import MappingRuleError
from kg_service.mapping.rules import (
    RML_DEFAULT_GRAPH,
    Constant,
    IriEncoding,
    JoinCondition,
    LogicalSource,
    ObjectMap,
    PredicateObjectMap,
    Reference,
    RefObjectMap,
    RowBlankNode,
    RuleSet,
    SourceLocation,
    Template,
    TermMap,
    TermType,
    TriplesMap,
)
from kg_service.mapping.source_spec import SourceKind, SourceSpec
from kg_service.mapping.templates import parse_rml_template

RML: Final = Namespace("http://w3id.org/rml/")
_LEGACY: Final = {
    "http://www.w3.org/ns/r2rml#": str(RML),
    "http://semweb.mmlab.be/ns/rml#": str(RML),
    "http://semweb.mmlab.be/ns/ql#": str(RML),
}
_RENAMED: Final = {str(RML) + "column": str(RML) + "reference"}
_FORMULATIONS: Final[dict[str, SourceKind]] = {
    str(RML) + "JSONPath": "json",
    str(RML) + "CSV": "csv",
    str(RML) + "XPath": "xml",
}
_UNSUPPORTED: Final = {
    "functionExecution": "functions (RML-FNML)",
    "functionValue": "functions (RML-FNML)",
    "sqlQuery": "SQL sources",
    "tableName": "SQL sources",
    "query": "SQL sources",
    "gather": "collections and containers (RML-CC)",
    "viewOn": "logical views",
}
_JSONPATH_STEP: Final = re.compile(
    r"\.([A-Za-z_][\w\-]*)|\['((?:[^'\\]|\\.)*)'\]|\[\"((?:[^\"\\]|\\.)*)\"\]|(\[\*\])|\[(\d+)\]"
)


def jsonpath_column(reference: str) -> str:
    """The column name a JSONPath reference reads (see the module docstring); non-JSONPath text is unchanged."""
    text = reference.strip()
    if not text.startswith("$"):
        return text
    position = 1
    names: list[str] = []
    while position < len(text):
        step = _JSONPATH_STEP.match(text, position)
        if step is None:
            return text
        name, quoted, double, star, index = step.groups()
        if star:
            if not names:
                return text
            names[-1] += "[*]"
        elif index is not None:
            names.append(index)
        else:
            names.append(name or (quoted if quoted is not None else double) or "")
        position = step.end()
    return ".".join(names) if names else text


def _normalised_graph(graph: Graph) -> Graph:
    """The graph with legacy RML/R2RML/ql terms renamed to RML-Core."""

    def rename(node: Node) -> Node:
        if isinstance(node, URIRef):
            text = str(node)
            for legacy, core in _LEGACY.items():
                if text.startswith(legacy):
                    text = core + text[len(legacy) :]
                    break
            return URIRef(_RENAMED.get(text, text))
        return node

    result = Graph()
    for s, p, o in graph:
        result.add((rename(s), rename(p), rename(o)))
    return result


class _RmlReader:
    def __init__(self, graph: Graph, file: str, base_iri: str | None) -> None:
        self.graph = graph
        self.file = file
        self.base_iri = base_iri
        self.sources: dict[str, LogicalSource] = {}

    def where(self, node: Node, context: str) -> SourceLocation:
        label = str(node) if isinstance(node, URIRef) else f"_:{node}"
        return SourceLocation(self.file, None, None, f"{context} {label}".strip())

    def error(self, node: Node, context: str, en: str, ko: str, hint: str = "") -> MappingRuleError:
        loc = self.where(node, context)
        return MappingRuleError(f"{loc}: {en}", f"{loc.ko()}: {ko}", hint=hint)

    def objects(self, node: Node, name: str) -> list[Node]:
        return sorted(self.graph.objects(node, RML[name]), key=str)

    def one(self, node: Node, name: str, context: str) -> Node | None:
        found = self.objects(node, name)
        if len(found) > 1:
            raise self.error(
                node,
                context,
                f"has {len(found)} values for rml:{name}; one is allowed",
                f"rml:{name} 값이 {len(found)}개입니다. 하나만 허용됩니다",
            )
        return found[0] if found else None

    def refuse_unsupported(self, node: Node, context: str) -> None:
        for name, what in _UNSUPPORTED.items():
            if self.objects(node, name):
                raise self.error(
                    node,
                    context,
                    f"uses rml:{name}: {what} are not supported",
                    f"rml:{name}을(를) 씁니다: {what}은(는) 지원하지 않습니다",
                    "see mappings/README.md for the supported subset",
                )

    @staticmethod
    def name_of(node: Node) -> str:
        return str(node) if isinstance(node, URIRef) else f"_:{node}"

    # --- logical sources ------------------------------------------------------------------------------------------

    def logical_source(self, tm: Node) -> str:
        node = self.one(tm, "logicalSource", "triples map")
        if node is None:
            raise self.error(tm, "triples map", "has no rml:logicalSource", "rml:logicalSource가 없습니다")
        self.refuse_unsupported(node, "logical source")
        source = self.one(node, "source", "logical source")
        path: str | None
        if isinstance(source, Literal):
            path = str(source)
        elif source is not None:
            self.refuse_unsupported(source, "source")
            found = self.one(source, "path", "source")
            path = str(found) if found is not None else None
        else:
            path = None
        formulation = self.one(node, "referenceFormulation", "logical source")
        kind: SourceKind = _FORMULATIONS.get(str(formulation), "csv") if formulation is not None else "csv"
        if formulation is not None and str(formulation) not in _FORMULATIONS:
            raise self.error(
                node,
                "logical source",
                f"reference formulation <{formulation}> is not supported",
                f"참조 형식 <{formulation}>은(는) 지원하지 않습니다",
                "use rml:JSONPath, rml:CSV or rml:XPath",
            )
        iterator_node = self.one(node, "iterator", "logical source")
        iterator = str(iterator_node) if iterator_node is not None else None
        key = f"{path}|{iterator or ''}|{kind}"
        if key not in self.sources:
            self.sources[key] = LogicalSource(
                key=key,
                spec=SourceSpec(kind=kind, iterator=iterator),
                path=path,
                location=self.where(node, "logical source"),
            )
        return key

    def column(self, reference: str, kind: SourceKind) -> str:
        return jsonpath_column(reference) if kind == "json" else reference

    # --- term maps ----------------------------------------------------------------------------------------------

    def term_map(self, node: Node, role: str, kind: SourceKind) -> TermMap:
        loc = self.where(node, role)
        if isinstance(node, Literal | URIRef) and not self._is_map(node):
            return self.constant(node, role, loc)
        self.refuse_unsupported(node, role)
        expressions = [name for name in ("constant", "reference", "template") if self.objects(node, name)]
        if len(expressions) > 1:
            raise self.error(
                node,
                role,
                f"has {' and '.join('rml:' + e for e in expressions)}; give one",
                f"{', '.join('rml:' + e for e in expressions)}가 함께 있습니다. 하나만 주세요",
            )
        term_type_node = self.one(node, "termType", role)
        explicit = str(term_type_node).removeprefix(str(RML)) if term_type_node is not None else None
        datatype_node = self.one(node, "datatype", role)
        language_node = self.one(node, "language", role)
        datatype_map_node = self.one(node, "datatypeMap", role)
        language_map_node = self.one(node, "languageMap", role)
        extra: dict[str, Any] = {"location": loc}
        if datatype_node is not None:
            extra["datatype"] = str(datatype_node)
        if language_node is not None:
            extra["language"] = str(language_node)
        if datatype_map_node is not None:
            extra["datatype_map"] = self.term_map(datatype_map_node, "datatype map", kind)
        if language_map_node is not None:
            extra["language_map"] = self.term_map(language_map_node, "language map", kind)
        literal_hints = any(k in extra for k in ("datatype", "language", "datatype_map", "language_map"))
        if not expressions:
            if explicit == "BlankNode" and role in ("subject", "graph"):
                return RowBlankNode(term_type="blank", location=loc)
            raise self.error(
                node,
                role,
                "has no rml:constant, rml:reference or rml:template",
                "rml:constant, rml:reference, rml:template 중 하나가 필요합니다",
            )
        expression = expressions[0]
        value = self.one(node, expression, role)
        assert value is not None
        if expression == "constant":
            constant = self.constant(value, role, loc)
            if explicit is None:
                return constant
            term_type, encoding = self.term_type(explicit, node, role)
            return Constant(
                value=constant.value,
                term_type=term_type,
                datatype=constant.datatype,
                language=constant.language,
                iri_encoding=encoding,
                location=loc,
            )
        default = (
            "Literal"
            if role in ("object", "language map", "join") and (expression == "reference" or literal_hints)
            else "IRI"
        )
        if role in ("datatype map",):
            default = "IRI"
        term_type, encoding = self.term_type(explicit or default, node, role)
        if expression == "reference":
            return Reference(
                column=self.column(str(value), kind), term_type=term_type, iri_encoding=encoding, **extra
            )
        parts = parse_rml_template(str(value), location=loc, reference=lambda r: self.column(r, kind))
        return Template(parts=parts, term_type=term_type, iri_encoding=encoding, **extra)

    def _is_map(self, node: Node) -> bool:
        return any(True for _ in self.graph.predicate_objects(node))

    def term_type(self, name: str, node: Node, role: str) -> tuple[TermType, IriEncoding]:
        types: dict[str, tuple[TermType, IriEncoding]] = {
            "IRI": ("iri", "iri"),
            "URI": ("iri", "uri"),
            "UnsafeIRI": ("iri", "none"),
            "UnsafeURI": ("iri", "none"),
            "BlankNode": ("blank", "iri"),
            "Literal": ("literal", "iri"),
        }
        if name not in types:
            raise self.error(
                node,
                role,
                f"unknown term type '{name}'",
                f"알 수 없는 term type '{name}'",
                "use rml:IRI, rml:BlankNode or rml:Literal",
            )
        return types[name]

    def constant(self, value: Node, role: str, loc: SourceLocation) -> Constant:
        if isinstance(value, Literal):
            datatype = str(value.datatype) if value.datatype is not None else None
            return Constant(
                value=str(value),
                term_type="literal",
                datatype=datatype,
                language=value.language,
                location=loc,
            )
        if isinstance(value, URIRef):
            return Constant(value=str(value), term_type="iri", iri_encoding="iri", location=loc)
        raise MappingRuleError(
            f"{loc}: a constant cannot be a blank node", f"{loc.ko()}: 상수는 빈 노드일 수 없습니다", hint=""
        )

    # --- triples maps -------------------------------------------------------------------------------------------

    def triples_map_nodes(self) -> list[Node]:
        nodes = set(self.graph.subjects(RDF.type, RML.TriplesMap))
        nodes |= set(self.graph.subjects(RML.logicalSource, None))
        return sorted(nodes, key=str)

    def triples_map(self, tm: Node, names: dict[Node, str]) -> TriplesMap:
        self.refuse_unsupported(tm, "triples map")
        source_key = self.logical_source(tm)
        kind = self.sources[source_key].spec.kind
        subject_maps = self.objects(tm, "subjectMap")
        shortcuts = self.objects(tm, "subject")
        if len(subject_maps) + len(shortcuts) != 1:
            count = len(subject_maps) + len(shortcuts)
            raise self.error(
                tm,
                "triples map",
                f"has {count} subject maps; exactly one is needed",
                f"주어 맵이 {count}개입니다. 정확히 하나가 필요합니다",
            )
        classes: list[str] = []
        graphs: list[TermMap] = []
        if shortcuts:
            subject: TermMap = self.constant(shortcuts[0], "subject", self.where(tm, "subject"))
        else:
            subject_node = subject_maps[0]
            subject = self.term_map(subject_node, "subject", kind)
            classes = [str(c) for c in self.objects(subject_node, "class")]
            graphs = self.graph_maps(subject_node, kind)
        poms = [
            self.predicate_object_map(node, names, kind) for node in self.objects(tm, "predicateObjectMap")
        ]
        base = self.one(tm, "baseIRI", "triples map")
        return TriplesMap(
            name=names[tm],
            subject=subject,
            logical_source=source_key,
            classes=tuple(classes),
            predicate_objects=tuple(poms),
            graphs=tuple(graphs),
            base_iri=str(base) if base is not None else None,
            location=self.where(tm, "triples map"),
        )

    def graph_maps(self, node: Node, kind: SourceKind) -> list[TermMap]:
        maps = [self.term_map(g, "graph", kind) for g in self.objects(node, "graphMap")]
        for g in self.objects(node, "graph"):
            maps.append(
                Constant(
                    value=str(g),
                    term_type="literal" if isinstance(g, Literal) else "iri",
                    location=self.where(node, "graph"),
                )
            )
        return [
            Constant(value=RML_DEFAULT_GRAPH, location=g.location)
            if isinstance(g, Constant) and g.value == RML_DEFAULT_GRAPH
            else g
            for g in maps
        ]

    def predicate_object_map(
        self, node: Node, names: dict[Node, str], kind: SourceKind
    ) -> PredicateObjectMap:
        self.refuse_unsupported(node, "predicate-object map")
        predicates: list[TermMap] = [
            self.term_map(p, "predicate", kind) for p in self.objects(node, "predicateMap")
        ]
        predicates += [
            self.constant(p, "predicate", self.where(node, "predicate"))
            for p in self.objects(node, "predicate")
        ]
        objects: list[ObjectMap] = []
        for o in self.objects(node, "objectMap"):
            if self.objects(o, "parentTriplesMap"):
                objects.append(self.ref_object_map(o, names, kind))
            else:
                objects.append(self.term_map(o, "object", kind))
        for o in self.objects(node, "object"):
            if isinstance(o, BNode):
                raise self.error(
                    node,
                    "predicate-object map",
                    "rml:object cannot be a blank node",
                    "rml:object는 빈 노드일 수 없습니다",
                )
            objects.append(self.constant(o, "object", self.where(node, "object")))
        if not predicates or not objects:
            raise self.error(
                node,
                "predicate-object map",
                "needs at least one predicate and one object",
                "술어와 목적어가 하나 이상 필요합니다",
            )
        return PredicateObjectMap(
            predicates=tuple(predicates),
            objects=tuple(objects),
            graphs=tuple(self.graph_maps(node, kind)),
            location=self.where(node, "predicate-object map"),
        )

    def ref_object_map(self, node: Node, names: dict[Node, str], kind: SourceKind) -> RefObjectMap:
        parent_node = self.one(node, "parentTriplesMap", "referencing object map")
        assert parent_node is not None
        if parent_node not in names:
            raise self.error(
                node,
                "referencing object map",
                f"parent <{parent_node}> is not a triples map",
                f"부모 <{parent_node}>은(는) 트리플 맵이 아닙니다",
            )
        parent_kind = self.sources[self.logical_source(parent_node)].spec.kind
        joins = []
        for join in self.objects(node, "joinCondition"):
            child = self._join_side(join, "child", kind)
            parent = self._join_side(join, "parent", parent_kind)
            joins.append(
                JoinCondition(child=child, parent=parent, location=self.where(join, "join condition"))
            )
        return RefObjectMap(
            parent=names[parent_node], joins=tuple(joins), location=self.where(node, "referencing object map")
        )

    def _join_side(self, join: Node, side: str, kind: SourceKind) -> TermMap:
        reference = self.one(join, side, "join condition")
        side_map = self.one(join, f"{side}Map", "join condition")
        if (reference is None) == (side_map is None):
            raise self.error(
                join,
                "join condition",
                f"needs exactly one of rml:{side} and rml:{side}Map",
                f"rml:{side}와 rml:{side}Map 중 정확히 하나가 필요합니다",
            )
        if reference is not None:
            return Reference(
                column=self.column(str(reference), kind),
                term_type="literal",
                location=self.where(join, "join condition"),
            )
        assert side_map is not None
        term = self.term_map(side_map, "join", kind)
        if isinstance(term, Template | Constant | Reference) and term.term_type != "literal":
            from dataclasses import replace

            term = replace(term, term_type="literal")
        return term

    def read(self) -> RuleSet:
        nodes = self.triples_map_nodes()
        if not nodes:
            raise MappingRuleError(
                f"{self.file}: no rml:TriplesMap found",
                f"{self.file}: rml:TriplesMap이 없습니다",
                hint="is this an RML mapping file?",
            )
        names = {node: self.name_of(node) for node in nodes}
        triples_maps = [self.triples_map(node, names) for node in nodes]
        return RuleSet(
            name=Path(self.file).stem,
            file=self.file,
            sources=tuple(self.sources.values()),
            triples_maps=tuple(triples_maps),
            base_iri=self.base_iri,
            location=SourceLocation(self.file),
        )


def _syntax_check(text: str, file: str, base_iri: str | None) -> None:
    try:
        for _ in ox.parse(
            text.encode("utf-8"), ox.RdfFormat.TURTLE, base_iri=base_iri or "http://example.com/"
        ):
            pass
    except SyntaxError as exc:
        raise MappingRuleError(
            f"{file}: Turtle syntax error: {exc}",
            f"{file}: Turtle 구문 오류: {exc}",
            hint="fix the mapping file at the line and column given",
        ) from exc


def load_rml(text: str, *, file: str, base_iri: str | None = None) -> RuleSet:
    """Parse an RML Turtle document into a :class:`RuleSet`; raises :class:`MappingRuleError`."""
    _syntax_check(text, file, base_iri)
    graph = Graph()
    graph.parse(data=text, format="turtle", publicID=base_iri)
    return _RmlReader(_normalised_graph(graph), file, base_iri).read()


def load_rml_file(path: Path, *, base_iri: str | None = None) -> RuleSet:
    """Read and parse an RML Turtle file."""
    return load_rml(path.read_text(encoding="utf-8"), file=str(path), base_iri=base_iri)
