"""YARRRML (YAML) rule files → the internal rule model (:class:`~kg_service.mapping.rules.RuleSet`).

The supported subset and the service's extensions (``melts``, ``derived``, ``lookups``, ``required``,
``columns``, ``alternatives``, ``skip_when_empty``) are described in ``mappings/README.md``. Everything the parser does not
understand is an error naming the file and line, never silently ignored.

>>> rules = load_yarrrml('''
... prefixes: {ex: "http://example.com/"}
... sources:
...   people: {access: people.csv, referenceFormulation: csv}
... mappings:
...   person:
...     sources: people
...     s: ex:person/$(id)
...     po:
...       - [a, ex:Person]
...       - [ex:name, $(name)]
... ''', file="people.yaml")
>>> tm = rules.triples_maps[0]
>>> tm.classes, [p.predicates[0].value for p in tm.predicate_objects]
(('http://example.com/Person',), ['http://example.com/name'])
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, cast

from kg_service.errors import MappingRuleError
from kg_service.mapping.function_library.geometry import epsg_code
from kg_service.mapping.functions import parameter_for, resolve_function
from kg_service.mapping.located_yaml import LocatedList, LocatedMap, load_located_yaml, location_of
from kg_service.mapping.rules import (
    KGF,
    RDF_TYPE,
    Constant,
    DerivedColumn,
    FunctionArgument,
    FunctionCall,
    JoinCondition,
    LogicalSource,
    LookupTable,
    Melt,
    MeltColumn,
    ObjectMap,
    PredicateObjectMap,
    Reference,
    RefObjectMap,
    RowBlankNode,
    RuleSet,
    SourceLocation,
    Template,
    TemplateColumn,
    TemplateText,
    TermMap,
    TermType,
    TriplesMap,
)
from kg_service.mapping.source_spec import SourceKind, SourceSpec
from kg_service.mapping.templates import parse_yarrrml_template
from kg_service.vocab import PREFIXES

DEFAULT_PREFIXES: Final[dict[str, str]] = {
    **PREFIXES,
    "kgf": KGF,
    "grel": "http://users.ugent.be/~bjdmeest/function/grel.ttl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "void": "http://rdfs.org/ns/void#",
}
"""Prefixes every rule file may use without declaring them (the service's vocabulary plus common ones)."""

IRI_SCHEMES: Final = frozenset({"http", "https", "urn", "mailto", "file", "tag", "ftp", "data"})
"""Schemes that start an absolute IRI rather than a prefixed name."""

TOP_LEVEL_KEYS: Final = (
    "prefixes",
    "base",
    "sources",
    "mappings",
    "melts",
    "derived",
    "lookups",
    "required",
    "columns",
    "alternatives",
    "name",
    "description",
    "version",
    "authors",
)
MAPPING_KEYS: Final = (
    "sources",
    "source",
    "s",
    "subject",
    "subjects",
    "po",
    "predicateobjects",
    "graphs",
    "graph",
    "g",
    "melt",
    "skip_when_empty",
    "description",
)
PO_KEYS: Final = (
    "p",
    "predicate",
    "predicates",
    "o",
    "object",
    "objects",
    "graphs",
    "graph",
    "g",
    "skip_when_empty",
)
OBJECT_KEYS: Final = (
    "value",
    "v",
    "function",
    "fn",
    "f",
    "parameters",
    "pms",
    "datatype",
    "language",
    "type",
    "mapping",
    "condition",
)
SOURCE_KEYS: Final = (
    "access",
    "referenceFormulation",
    "iterator",
    "encoding",
    "delimiter",
    "sheet",
    "crs",
    "header_row",
)
REFERENCE_FORMULATIONS: Final[dict[str, SourceKind]] = {
    "csv": "csv",
    "json": "json",
    "jsonpath": "json",
    "xml": "xml",
    "xpath": "xml",
    "xlsx": "xlsx",
    "excel": "xlsx",
    "geojson": "geojson",
    "ngsi-ld": "ngsi-ld",
    "ngsild": "ngsi-ld",
}
_CURIE: Final = re.compile(r"^([A-Za-z][\w.\-]*)?:(.*)$", re.DOTALL)
_INLINE_CALL: Final = re.compile(r"^\s*([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)\s*\((.*)\)\s*$", re.DOTALL)
_NAMED_ARGUMENT: Final = re.compile(r"^([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)\s*=\s*(.*)$", re.DOTALL)


def _error(location: SourceLocation, en: str, ko: str, hint: str) -> MappingRuleError:
    return MappingRuleError(f"{location}: {en}", f"{location.ko()}: {ko}", hint=hint)


def _unknown_key(key: str, allowed: Sequence[str], location: SourceLocation, where: str) -> MappingRuleError:
    close = difflib.get_close_matches(key, allowed, n=1)
    suggestion = f"; did you mean '{close[0]}'?" if close else ""
    suggestion_ko = f" '{close[0]}'을(를) 뜻했나요?" if close else ""
    return _error(
        location,
        f"unknown key '{key}' in {where}{suggestion}",
        f"{where}에 알 수 없는 키 '{key}'가 있습니다.{suggestion_ko}",
        f"allowed keys: {', '.join(allowed)}",
    )


def _check_keys(mapping: LocatedMap, allowed: Sequence[str], where: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise _unknown_key(key, allowed, mapping.key_location(key), where)


def _first(mapping: LocatedMap, *keys: str) -> tuple[str, Any] | None:
    """The first of ``keys`` present in ``mapping`` with its value; two synonyms together are an error."""
    present = [k for k in keys if k in mapping]
    if len(present) > 1:
        raise _error(
            mapping.location_of(present[1]),
            f"'{present[0]}' and '{present[1]}' mean the same; give only one",
            f"'{present[0]}'와(과) '{present[1]}'는 같은 뜻입니다. 하나만 쓰세요",
            f"remove '{present[1]}'",
        )
    return (present[0], mapping[present[0]]) if present else None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _items(value: Any, location: SourceLocation) -> list[tuple[Any, SourceLocation]]:
    """``value`` as a list of (item, location) pairs (a single value is a list of one)."""
    if isinstance(value, LocatedList):
        return [(item, value.location_of(i)) for i, item in enumerate(value)]
    return [(value, location_of(value, location))]


def _text(value: Any, location: SourceLocation, what: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    raise _error(
        location, f"{what} must be text, not {type(value).__name__}", f"{what}은(는) 글자여야 합니다", ""
    )


class _YarrrmlReader:
    """Walks one located YARRRML document and builds the rule model."""

    def __init__(self, doc: LocatedMap, file: str) -> None:
        self.doc = doc
        self.file = file
        self.prefixes: dict[str, str] = dict(DEFAULT_PREFIXES)
        self.declared_columns: tuple[str, ...] = ()
        self.sources: dict[str, LogicalSource] = {}
        self.melts: dict[str, Melt] = {}
        self.derived: list[DerivedColumn] = []

    # --- IRIs and prefixes --------------------------------------------------------------------------------------

    def expand(self, text: str, location: SourceLocation, *, allow_a: bool = False) -> str:
        """A prefixed name, ``<iri>``, absolute or relative IRI → the IRI text."""
        text = text.strip()
        if allow_a and text == "a":
            return RDF_TYPE
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
        match = _CURIE.match(text)
        if match is None:
            return text
        prefix, local = match.group(1) or "", match.group(2)
        if prefix in self.prefixes:
            return self.prefixes[prefix] + local
        if prefix.lower() in IRI_SCHEMES or local.startswith("//"):
            return text
        raise _error(
            location,
            f"unknown prefix '{prefix}:' in '{text}'",
            f"'{text}'의 접두어 '{prefix}:'를 알 수 없습니다",
            f"declare it under 'prefixes:' (for example {prefix}: https://…/) or write the full IRI",
        )

    def _expand_template_prefix(self, text: str, location: SourceLocation) -> str:
        head = text.split("$(", 1)[0]
        match = _CURIE.match(head)
        if match is None or "/" in (match.group(1) or ""):
            return text
        prefix = match.group(1) or ""
        if prefix in self.prefixes:
            return self.prefixes[prefix] + text[len(prefix) + 1 :]
        if prefix.lower() in IRI_SCHEMES or match.group(2).startswith("//"):
            return text
        raise _error(
            location,
            f"unknown prefix '{prefix}:' in template '{text}'",
            f"템플릿 '{text}'의 접두어 '{prefix}:'를 알 수 없습니다",
            "declare it under 'prefixes:' or write the full IRI",
        )

    # --- term maps ---------------------------------------------------------------------------------------------

    def template_or_reference(
        self, text: str, location: SourceLocation, term_type: TermType, **extra: Any
    ) -> TermMap:
        """``$(col)`` → :class:`Reference`; text with references → :class:`Template`; else a constant."""
        if term_type == "iri":
            text = self._expand_template_prefix(text, location)
        parts = parse_yarrrml_template(text, location=location, known_columns=self.declared_columns)
        if len(parts) == 1 and isinstance(parts[0], TemplateColumn):
            return Reference(column=parts[0].column, term_type=term_type, location=location, **extra)
        if any(isinstance(p, TemplateColumn) for p in parts):
            return Template(parts=parts, term_type=term_type, location=location, **extra)
        constant = "".join(p.text for p in parts if isinstance(p, TemplateText))
        if term_type == "iri":
            constant = self.expand(constant, location)
        return Constant(value=constant, term_type=term_type, location=location, **extra)

    def term(self, value: Any, location: SourceLocation, *, role: str, default_type: TermType) -> TermMap:
        """A subject, predicate, graph, argument or skip term from a scalar or an object mapping."""
        if value is None:
            if role == "subject":
                return RowBlankNode(term_type="blank", location=location)
            raise _error(
                location, f"{role} is empty", f"{role} 값이 비어 있습니다", f"give a value for the {role}"
            )
        if isinstance(value, LocatedMap):
            return self.object_term(value, location, default_type=default_type, role=role)
        if isinstance(value, LocatedList):
            raise _error(
                location, f"{role} must be one value here", f"{role}은(는) 여기서 값 하나여야 합니다", ""
            )
        text = _text(value, location, role)
        term_type = default_type
        if text.endswith("~iri"):
            text, term_type = text[:-4], "iri"
        elif text.endswith("~literal"):
            text, term_type = text[: -len("~literal")], "literal"
        elif text.endswith("~blanknode"):
            text, term_type = text[: -len("~blanknode")], "blank"
        if role == "predicate" and "$(" not in text:
            return Constant(
                value=self.expand(text, location, allow_a=True), term_type="iri", location=location
            )
        return self.template_or_reference(text, location, term_type)

    def object_term(
        self, obj: LocatedMap, location: SourceLocation, *, default_type: TermType, role: str = "object"
    ) -> TermMap:
        """An object given as a mapping: ``value`` or ``function`` plus ``type``/``datatype``/``language``."""
        _check_keys(obj, OBJECT_KEYS, f"an {role} mapping")
        if "mapping" in obj or "condition" in obj:
            raise _error(
                obj.location,
                "'mapping'/'condition' (a join) is only allowed as an object",
                "'mapping'/'condition'(조인)은 목적어에만 쓸 수 있습니다",
                "move the join under a po entry's 'o:'",
            )
        term_type = default_type
        if "type" in obj:
            kind = _text(obj["type"], obj.location_of("type"), "type").lower()
            types: dict[str, TermType] = {
                "iri": "iri",
                "literal": "literal",
                "blanknode": "blank",
                "blank": "blank",
            }
            if kind not in types:
                raise _error(
                    obj.location_of("type"),
                    f"unknown type '{kind}'",
                    f"알 수 없는 type '{kind}'",
                    "use iri, literal or blanknode",
                )
            term_type = types[kind]
        datatype = None
        if "datatype" in obj:
            datatype = self.expand(
                _text(obj["datatype"], obj.location_of("datatype"), "datatype"), obj.location_of("datatype")
            )
        language = None
        if "language" in obj:
            language = _text(obj["language"], obj.location_of("language"), "language")
        extra: dict[str, Any] = {"datatype": datatype, "language": language}
        fn = _first(obj, "function", "fn", "f")
        value = _first(obj, "value", "v")
        if fn is not None and value is not None:
            raise _error(
                obj.location,
                "give either 'value' or 'function', not both",
                "'value'와 'function' 중 하나만 쓰세요",
                "",
            )
        if fn is not None:
            return self.function_call(
                obj, location, term_type=term_type, explicit_type="type" in obj, **extra
            )
        if value is None:
            raise _error(
                obj.location,
                f"the {role} mapping has no 'value' or 'function'",
                f"{role} 매핑에 'value'나 'function'이 없습니다",
                "add value: $(column)",
            )
        if isinstance(value[1], LocatedMap):
            raise _error(obj.location_of(value[0]), "'value' must be text", "'value'는 글자여야 합니다", "")
        text = _text(value[1], obj.location_of(value[0]), "value")
        if text.endswith("~iri"):
            text, term_type = text[:-4], "iri"
        if term_type != "literal" and (datatype or language):
            raise _error(
                obj.location,
                "only literals have a datatype or language",
                "데이터 타입·언어는 리터럴에만 줄 수 있습니다",
                "remove 'type: iri' or the datatype/language",
            )
        return self.template_or_reference(text, obj.location_of(value[0]), term_type, **extra)

    # --- functions ---------------------------------------------------------------------------------------------

    def function_call(
        self,
        obj: LocatedMap,
        location: SourceLocation,
        *,
        term_type: TermType,
        explicit_type: bool = False,
        **extra: Any,
    ) -> FunctionCall:
        """``function: kgf:f`` with ``parameters: [[name, value], …]``, or ``function: kgf:f($(a), 0.1)``."""
        key, raw = cast(tuple[str, Any], _first(obj, "function", "fn", "f"))
        fn_location = obj.location_of(key)
        name_text = _text(raw, fn_location, "function")
        params = _first(obj, "parameters", "pms")
        inline = _INLINE_CALL.match(name_text)
        if inline is not None:
            if params is not None:
                raise _error(
                    fn_location,
                    "an inline call cannot also have 'parameters'",
                    "인라인 호출에는 'parameters'를 함께 쓸 수 없습니다",
                    "",
                )
            return self.inline_call(
                name_text, fn_location, term_type=term_type, explicit_type=explicit_type, **extra
            )
        function = self.function_iri(name_text, fn_location)
        arguments: list[tuple[str, Any, SourceLocation]] = []
        if params is not None:
            for item, item_location in _items(params[1], obj.location_of(params[0])):
                if isinstance(item, LocatedList) and len(item) in (2, 3):
                    arguments.append(
                        (_text(item[0], item_location, "parameter name"), item[1], item.location_of(1))
                    )
                elif isinstance(item, LocatedMap) and ("parameter" in item or "pm" in item):
                    pkey, pname = cast(tuple[str, Any], _first(item, "parameter", "pm"))
                    vkey_value = _first(item, "value", "v")
                    if vkey_value is None:
                        raise _error(
                            item.location, "parameter has no 'value'", "매개변수에 'value'가 없습니다", ""
                        )
                    arguments.append(
                        (
                            _text(pname, item.location_of(pkey), "parameter"),
                            vkey_value[1],
                            item.location_of(vkey_value[0]),
                        )
                    )
                else:
                    raise _error(
                        item_location,
                        "a parameter must be [name, value] or {parameter: name, value: value}",
                        "매개변수는 [이름, 값] 또는 {parameter: 이름, value: 값} 형식이어야 합니다",
                        "for example: - [kgf:value, $(기온 (℃))]",
                    )
        return self._call(
            function, [(n, v, loc) for n, v, loc in arguments], location, term_type, explicit_type, extra
        )

    def function_iri(self, name: str, location: SourceLocation) -> str:
        name = name.strip()
        if ":" not in name and not name.startswith("<"):
            return KGF + name
        return self.expand(name, location)

    def _names_function(self, name: str) -> bool:
        """Whether ``name(…)`` in a value is a function call: a known function or any name in kgf:/grel:."""
        try:
            iri = self.function_iri(name, SourceLocation(self.file))
        except MappingRuleError:
            return False
        return resolve_function(iri) is not None or iri.startswith((KGF, DEFAULT_PREFIXES["grel"]))

    def inline_call(
        self,
        text: str,
        location: SourceLocation,
        *,
        term_type: TermType,
        explicit_type: bool = False,
        **extra: Any,
    ) -> FunctionCall:
        """``kgf:scale($(기온), 0.1, offset=-100)`` → a function call (arguments by position or by name)."""
        match = cast(re.Match[str], _INLINE_CALL.match(text))
        function = self.function_iri(match.group(1), location)
        arguments: list[tuple[str, Any, SourceLocation]] = []
        for raw in _split_arguments(match.group(2), location):
            named = _NAMED_ARGUMENT.match(raw)
            if named is not None and not raw.startswith("$("):
                arguments.append((named.group(1), named.group(2).strip(), location))
            else:
                arguments.append(("", raw, location))
        return self._call(function, arguments, location, term_type, explicit_type, extra)

    def _call(
        self,
        function: str,
        arguments: list[tuple[str, Any, SourceLocation]],
        location: SourceLocation,
        term_type: TermType,
        explicit_type: bool,
        extra: dict[str, Any],
    ) -> FunctionCall:
        spec = resolve_function(function)
        built: list[FunctionArgument] = []
        for position, (given, value, arg_location) in enumerate(arguments):
            name = given
            if spec is not None:
                param = parameter_for(spec, given, position)
                name = param.name if param is not None else given or f"#{position + 1}"
            built.append(
                FunctionArgument(
                    parameter=name, value=self.argument(value, arg_location), location=arg_location
                )
            )
        if spec is not None:
            if not explicit_type and spec.output_is_iri:
                term_type = "iri"
            if term_type == "literal" and extra.get("datatype") is None and extra.get("language") is None:
                extra = {**extra, "datatype": spec.output_datatype}
        return FunctionCall(
            function=function, arguments=tuple(built), term_type=term_type, location=location, **extra
        )

    def argument(self, value: Any, location: SourceLocation) -> TermMap:
        """A function argument: a nested call, a quoted or plain constant, a reference or a template."""
        if isinstance(value, LocatedMap):
            if any(k in value for k in ("function", "fn", "f")):
                return self.function_call(value, location, term_type="literal")
            return self.object_term(value, location, default_type="literal", role="argument")
        if isinstance(value, LocatedList):
            raise _error(location, "an argument must be one value", "인수는 값 하나여야 합니다", "")
        if value is None:
            return Constant(value="", term_type="literal", location=location)
        text = _text(value, location, "argument").strip() if not isinstance(value, str) else value
        stripped = text.strip()
        if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "\"'":
            return Constant(value=stripped[1:-1], term_type="literal", location=location)
        if _INLINE_CALL.match(stripped) and not stripped.startswith("$("):
            return self.inline_call(stripped, location, term_type="literal")
        if "$(" in text:
            return self.template_or_reference(text, location, "literal")
        return Constant(value=text, term_type="literal", location=location)

    # --- sources, melts, lookups, derived columns ----------------------------------------------------------------

    def source(self, name: str, value: Any, location: SourceLocation) -> LogicalSource:
        """One source definition (mapping form or the ``[file~format, iterator]`` shortcut)."""
        if isinstance(value, LocatedList | str):
            items = _as_list(value)
            if not items or len(items) > 2:
                raise _error(
                    location,
                    "a source shortcut is [access~format] or [access~format, iterator]",
                    "소스 줄임 표기는 [파일~형식] 또는 [파일~형식, 반복자]입니다",
                    "",
                )
            access_text = _text(items[0], location, "access")
            if "~" not in access_text:
                raise _error(
                    location,
                    f"source '{access_text}' has no ~format",
                    f"소스 '{access_text}'에 ~형식이 없습니다",
                    "write for example data.csv~csv",
                )
            access, formulation = access_text.rsplit("~", 1)
            fields: dict[str, Any] = {"access": access, "referenceFormulation": formulation}
            if len(items) == 2:
                fields["iterator"] = items[1]
            located = LocatedMap()
            located.location = location
            located.value_locations = {}
        elif isinstance(value, LocatedMap):
            _check_keys(value, SOURCE_KEYS, f"source '{name}'")
            fields = dict(value)
            located = value
        else:
            raise _error(
                location,
                f"source '{name}' must be a mapping or a list",
                f"소스 '{name}'은(는) 매핑이나 목록이어야 합니다",
                "",
            )
        formulation_text = _text(
            fields.get("referenceFormulation", ""),
            located.location_of("referenceFormulation"),
            "referenceFormulation",
        )
        kind = REFERENCE_FORMULATIONS.get(formulation_text.strip().lower())
        if kind is None:
            raise _error(
                located.location_of("referenceFormulation"),
                f"unknown referenceFormulation '{formulation_text}'",
                f"알 수 없는 referenceFormulation '{formulation_text}'",
                f"use one of {', '.join(sorted(REFERENCE_FORMULATIONS))}",
            )
        spec_fields: dict[str, Any] = {"kind": kind}
        if fields.get("iterator") is not None:
            spec_fields["iterator"] = _text(fields["iterator"], located.location_of("iterator"), "iterator")
        if fields.get("encoding") is not None:
            spec_fields["encoding"] = _text(fields["encoding"], located.location_of("encoding"), "encoding")
        if fields.get("delimiter") is not None:
            delimiter = _text(fields["delimiter"], located.location_of("delimiter"), "delimiter")
            delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
            if len(delimiter) != 1:
                raise _error(
                    located.location_of("delimiter"),
                    f"delimiter '{delimiter}' must be one character",
                    f"구분자 '{delimiter}'는 한 글자여야 합니다",
                    "",
                )
            spec_fields["delimiter"] = delimiter
        if fields.get("sheet") is not None:
            spec_fields["sheet"] = _text(fields["sheet"], located.location_of("sheet"), "sheet")
        if fields.get("crs") is not None:
            code = epsg_code(_text(fields["crs"], located.location_of("crs"), "crs"))
            if code is None:
                raise _error(
                    located.location_of("crs"),
                    f"crs '{fields['crs']}' is not an EPSG code",
                    f"crs '{fields['crs']}'는 EPSG 코드가 아닙니다",
                    "write for example EPSG:5186",
                )
            spec_fields["crs"] = code
        if fields.get("header_row") is not None:
            row_text = _text(fields["header_row"], located.location_of("header_row"), "header_row")
            if not row_text.isdigit() or int(row_text) < 1:
                raise _error(
                    located.location_of("header_row"),
                    "header_row must be a row number from 1",
                    "header_row는 1 이상의 행 번호여야 합니다",
                    "",
                )
            spec_fields["header_row"] = int(row_text)
        access_value = fields.get("access")
        path = (
            _text(access_value, located.location_of("access"), "access") if access_value is not None else None
        )
        return LogicalSource(key=name, spec=SourceSpec(**spec_fields), path=path, location=location)

    def melt(self, name: str, value: Any, location: SourceLocation) -> Melt:
        """A melt: a list of ``{column: …, <key>: constant, …}`` or ``{columns: [...], keep_empty: bool}``."""
        keep_empty = False
        columns_value = value
        if isinstance(value, LocatedMap):
            _check_keys(value, ("columns", "keep_empty"), f"melt '{name}'")
            keep_empty = bool(value.get("keep_empty", False))
            columns_value = value.get("columns")
        if not isinstance(columns_value, LocatedList) or not columns_value:
            raise _error(
                location,
                f"melt '{name}' needs a list of columns",
                f"melt '{name}'에 열 목록이 필요합니다",
                "- column: 미세먼지 (㎍/㎥)",
            )
        columns: list[MeltColumn] = []
        for item, item_location in _items(columns_value, location):
            if isinstance(item, str):
                columns.append(MeltColumn(column=item, location=item_location))
                continue
            if not isinstance(item, LocatedMap) or "column" not in item:
                raise _error(
                    item_location,
                    "each melted column needs 'column:'",
                    "melt 항목마다 'column:'이 필요합니다",
                    "",
                )
            constants = []
            for key, raw in item.items():
                if key == "column":
                    continue
                if not re.fullmatch(r"[A-Za-z_][\w\-]*", key):
                    raise _error(
                        item.location_of(key),
                        f"melt key '{key}' must be a simple name",
                        f"melt 키 '{key}'는 간단한 이름이어야 합니다",
                        "use letters, digits, _ and -",
                    )
                text = _text(raw, item.location_of(key), key)
                constants.append((key, self._melt_constant(text, item.location_of(key))))
            columns.append(
                MeltColumn(
                    column=_text(item["column"], item.location_of("column"), "column"),
                    constants=tuple(constants),
                    location=item_location,
                )
            )
        return Melt(name=name, columns=tuple(columns), keep_empty=keep_empty, location=location)

    def _melt_constant(self, text: str, location: SourceLocation) -> str:
        match = _CURIE.match(text.strip())
        if match is not None and (match.group(1) or "") in self.prefixes and " " not in text.strip():
            return self.expand(text, location)
        return text

    def lookups(self, value: Any, location: SourceLocation) -> tuple[LookupTable, ...]:
        if not isinstance(value, LocatedMap):
            raise _error(
                location,
                "'lookups' must map table names to tables",
                "'lookups'는 코드표 이름→코드표 매핑이어야 합니다",
                "",
            )
        tables = []
        for name, entries in value.items():
            if not isinstance(entries, LocatedMap):
                raise _error(
                    value.location_of(name),
                    f"lookup table '{name}' must map codes to values",
                    f"코드표 '{name}'는 코드→값 매핑이어야 합니다",
                    "",
                )
            pairs = tuple((k, _text(v, entries.location_of(k), k)) for k, v in entries.items())
            tables.append(LookupTable(name=name, entries=pairs, location=value.location_of(name)))
        return tuple(tables)

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.doc.get(key)
        if value is None:
            return ()
        location = self.doc.location_of(key)
        if not isinstance(value, LocatedList):
            raise _error(
                location,
                f"'{key}' must be a list of column names",
                f"'{key}'는 열 이름 목록이어야 합니다",
                "",
            )
        return tuple(_text(v, value.location_of(i), "column name") for i, v in enumerate(value))

    def alternatives(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``alternatives: {MSRMT_DT: [MSRDT], …}``: other names of a column in some files (one name or a list)."""
        value = self.doc.get("alternatives")
        if value is None:
            return ()
        if not isinstance(value, LocatedMap):
            raise _error(
                self.doc.location_of("alternatives"),
                "'alternatives' must map the column names the rules use to the field's other names",
                "'alternatives'는 규칙이 쓰는 열 이름→같은 필드의 다른 이름 매핑이어야 합니다",
                "for example  alternatives: {MSRMT_DT: [MSRDT]}",
            )
        pairs: list[tuple[str, tuple[str, ...]]] = []
        for name, others in value.items():
            location = value.location_of(name)
            items = list(others) if isinstance(others, LocatedList) else [others]
            names = tuple(_text(item, location, "column name") for item in items)
            if not names or name in names:
                raise _error(
                    location,
                    f"alternatives of '{name}' must list other column names",
                    f"'{name}'의 alternatives에는 다른 열 이름을 적어야 합니다",
                    "",
                )
            pairs.append((name, names))
        return tuple(pairs)

    # --- mappings -----------------------------------------------------------------------------------------------

    def mapping_source(self, name: str, mapping: LocatedMap) -> str:
        found = _first(mapping, "sources", "source")
        if found is None:
            if len(self.sources) == 1:
                return next(iter(self.sources))
            raise _error(
                mapping.location,
                f"mapping '{name}' has no 'sources'",
                f"매핑 '{name}'에 'sources'가 없습니다",
                "name one of the sources declared under 'sources:'",
            )
        key, value = found
        location = mapping.location_of(key)
        if isinstance(value, str) and "~" not in value:
            if value not in self.sources:
                raise _error(
                    location,
                    f"unknown source '{value}'",
                    f"알 수 없는 소스 '{value}'",
                    f"declared sources: {', '.join(self.sources) or 'none'}",
                )
            return value
        if (
            isinstance(value, LocatedList)
            and len(value) == 1
            and isinstance(value[0], str)
            and "~" not in value[0]
        ):
            if value[0] not in self.sources:
                raise _error(
                    location,
                    f"unknown source '{value[0]}'",
                    f"알 수 없는 소스 '{value[0]}'",
                    f"declared sources: {', '.join(self.sources) or 'none'}",
                )
            return str(value[0])
        if (
            isinstance(value, LocatedList)
            and len(value) == 1
            and isinstance(value[0], LocatedList | LocatedMap)
        ):
            value = value[0]
        if isinstance(value, LocatedList) and len(value) > 2:
            raise _error(
                location,
                "a mapping reads exactly one source",
                "매핑 하나는 소스 하나만 읽습니다",
                "write one mapping per source",
            )
        source_key = f"{name}#source"
        self.sources[source_key] = self.source(source_key, value, location)
        return source_key

    def predicate_object(
        self, item: Any, location: SourceLocation, context: str
    ) -> list[PredicateObjectMap | str]:
        """One ``po`` entry → predicate-object maps (and class IRIs for constant ``a`` objects)."""
        loc = SourceLocation(location.file, location.line, location.column, context)
        if isinstance(item, LocatedList):
            return self._po_list(item, loc)
        if isinstance(item, LocatedMap):
            return self._po_mapping(item, loc)
        raise _error(
            loc,
            "a po entry must be a list [p, o] or a mapping {p: …, o: …}",
            "po 항목은 [p, o] 목록이나 {p: …, o: …} 매핑이어야 합니다",
            "",
        )

    def _po_list(self, item: LocatedList, loc: SourceLocation) -> list[PredicateObjectMap | str]:
        if len(item) not in (2, 3):
            raise _error(
                loc,
                f"a po list has 2 or 3 items, not {len(item)}",
                f"po 목록은 항목이 2개나 3개여야 합니다 ({len(item)}개)",
                "[predicate, object] or [predicate, object, datatype]",
            )
        predicates = self._predicates(item[0], item.location_of(0))
        is_type = any(isinstance(p, Constant) and p.value == RDF_TYPE for p in predicates)
        third = item[2] if len(item) == 3 else None
        objects: list[ObjectMap] = []
        for obj, obj_location in _items(item[1], item.location_of(1)):
            objects.append(
                self._short_object(
                    obj, obj_location, is_type, third, item.location_of(2) if third is not None else loc
                )
            )
        return self._finish_po(predicates, objects, (), (), loc)

    def _short_object(
        self, obj: Any, location: SourceLocation, is_type: bool, third: Any, third_location: SourceLocation
    ) -> ObjectMap:
        if isinstance(obj, LocatedList):
            if len(obj) != 2:
                raise _error(
                    location,
                    "an object list is [value, datatype] or [value, lang~lang]",
                    "목적어 목록은 [값, 데이터타입] 또는 [값, 언어~lang]입니다",
                    "",
                )
            return self._short_object(obj[0], obj.location_of(0), is_type, obj[1], obj.location_of(1))
        if isinstance(obj, LocatedMap):
            return self._object(obj, location, is_type)
        text = _text(obj, location, "object")
        extra: dict[str, Any] = {}
        if third is not None:
            third_text = _text(third, third_location, "datatype or language")
            if third_text.endswith("~lang"):
                extra["language"] = third_text[: -len("~lang")]
            else:
                extra["datatype"] = self.expand(third_text, third_location)
        default: TermType = "iri" if is_type and not extra else "literal"
        inline = _INLINE_CALL.match(text)
        if (
            inline is not None
            and not text.lstrip().startswith("$(")
            and self._names_function(inline.group(1))
        ):
            return self.inline_call(text, location, term_type="literal", **extra)
        term = self.term(text, location, role="object", default_type=default)
        if extra and term.term_type != "literal":
            raise _error(
                location,
                "only literals have a datatype or language",
                "데이터 타입·언어는 리터럴에만 줄 수 있습니다",
                "remove ~iri or the datatype",
            )
        if extra:
            term = _with(term, **extra)
        return term

    def _object(self, obj: LocatedMap, location: SourceLocation, is_type: bool) -> ObjectMap:
        if "mapping" in obj:
            return self._ref_object(obj, location)
        return self.object_term(obj, location, default_type="iri" if is_type else "literal")

    def _ref_object(self, obj: LocatedMap, location: SourceLocation) -> RefObjectMap:
        _check_keys(obj, ("mapping", "condition"), "a mapping reference")
        parent = _text(obj["mapping"], obj.location_of("mapping"), "mapping")
        joins: list[JoinCondition] = []
        if obj.get("condition") is not None:
            for cond, cond_location in _items(obj["condition"], obj.location_of("condition")):
                joins.append(self._join(cond, cond_location))
        return RefObjectMap(parent=parent, joins=tuple(joins), location=location)

    def _join(self, cond: Any, location: SourceLocation) -> JoinCondition:
        if not isinstance(cond, LocatedMap):
            raise _error(
                location,
                "a condition is {function: equal, parameters: [[str1, $(child)], [str2, $(parent)]]}",
                "조건은 {function: equal, parameters: [[str1, $(자식열)], [str2, $(부모열)]]} 형식입니다",
                "",
            )
        key, name = cast(tuple[str, Any], _first(cond, "function", "fn", "f") or ("function", None))
        fn = _text(name, cond.location_of(key), "function") if name is not None else ""
        if fn.split(":")[-1].split("#")[-1] not in ("equal", "join"):
            raise _error(
                cond.location_of(key),
                f"join condition function '{fn}' is not supported",
                f"조인 조건 함수 '{fn}'은(는) 지원하지 않습니다",
                "use function: equal",
            )
        params = _first(cond, "parameters", "pms")
        sides: dict[str, TermMap] = {}
        for item, item_location in _items(params[1] if params else None, cond.location):
            if not isinstance(item, LocatedList) or len(item) not in (2, 3):
                raise _error(
                    item_location,
                    "a join parameter is [str1, $(column)] or [str1, $(column), s|o]",
                    "조인 매개변수는 [str1, $(열)] 또는 [str1, $(열), s|o] 형식입니다",
                    "",
                )
            pname = _text(item[0], item_location, "parameter")
            side = (
                _text(item[2], item.location_of(2), "side")
                if len(item) == 3
                else ("s" if pname.endswith("str1") else "o")
            )
            if side not in ("s", "o") or side in sides:
                raise _error(
                    item_location,
                    "give one child (s) and one parent (o) value",
                    "자식(s) 값 하나와 부모(o) 값 하나를 주세요",
                    "",
                )
            sides[side] = self.argument(item[1], item.location_of(1))
        if set(sides) != {"s", "o"}:
            raise _error(
                location,
                "a join condition needs two parameters (str1 from this mapping, str2 from the other)",
                "조인 조건에는 매개변수 두 개(str1: 이 매핑, str2: 상대 매핑)가 필요합니다",
                "",
            )
        return JoinCondition(child=sides["s"], parent=sides["o"], location=location)

    def _po_mapping(self, item: LocatedMap, loc: SourceLocation) -> list[PredicateObjectMap | str]:
        if "i" in item or "inversepredicates" in item:
            raise _error(
                loc,
                "inverse predicates are not supported",
                "역방향 술어는 지원하지 않습니다",
                "write a separate mapping for the inverse direction",
            )
        _check_keys(item, PO_KEYS, "a po entry")
        found_p = _first(item, "p", "predicate", "predicates")
        found_o = _first(item, "o", "object", "objects")
        if found_p is None or found_o is None:
            raise _error(
                loc,
                "a po entry needs a predicate (p) and an object (o)",
                "po 항목에는 술어(p)와 목적어(o)가 필요합니다",
                "",
            )
        predicates = self._predicates(found_p[1], item.location_of(found_p[0]))
        is_type = any(isinstance(p, Constant) and p.value == RDF_TYPE for p in predicates)
        objects: list[ObjectMap] = []
        for obj, obj_location in _items(found_o[1], item.location_of(found_o[0])):
            objects.append(self._short_object(obj, obj_location, is_type, None, obj_location))
        graphs = self._graphs(item)
        skips = self._skips(item.get("skip_when_empty"), item.location_of("skip_when_empty"))
        return self._finish_po(predicates, objects, graphs, skips, loc)

    def _finish_po(
        self,
        predicates: list[TermMap],
        objects: list[ObjectMap],
        graphs: tuple[TermMap, ...],
        skips: tuple[TermMap, ...],
        loc: SourceLocation,
    ) -> list[PredicateObjectMap | str]:
        only_type = (
            len(predicates) == 1 and isinstance(predicates[0], Constant) and predicates[0].value == RDF_TYPE
        )
        result: list[PredicateObjectMap | str] = []
        if only_type and not graphs and not skips:
            rest: list[ObjectMap] = []
            for obj in objects:
                if isinstance(obj, Constant) and obj.term_type == "iri":
                    result.append(obj.value)
                else:
                    rest.append(obj)
            objects = rest
        if objects:
            result.append(
                PredicateObjectMap(
                    predicates=tuple(predicates),
                    objects=tuple(objects),
                    graphs=graphs,
                    skip_when_empty=skips,
                    location=loc,
                )
            )
        return result

    def _predicates(self, value: Any, location: SourceLocation) -> list[TermMap]:
        return [
            self.term(p, p_location, role="predicate", default_type="iri")
            for p, p_location in _items(value, location)
        ]

    def _graphs(self, container: LocatedMap) -> tuple[TermMap, ...]:
        found = _first(container, "graphs", "graph", "g")
        if found is None:
            return ()
        return tuple(
            self.term(g, g_location, role="graph", default_type="iri")
            for g, g_location in _items(found[1], container.location_of(found[0]))
        )

    def _skips(self, value: Any, location: SourceLocation) -> tuple[TermMap, ...]:
        if value is None:
            return ()
        terms: list[TermMap] = []
        for item, item_location in _items(value, location):
            if isinstance(item, LocatedMap):
                terms.append(self.function_call(item, item_location, term_type="literal"))
            else:
                text = _text(item, item_location, "skip_when_empty column")
                if "$(" in text or _INLINE_CALL.match(text):
                    terms.append(self.argument(text, item_location))
                else:
                    terms.append(Reference(column=text, term_type="literal", location=item_location))
        return tuple(terms)

    def triples_maps(self, name: str, mapping: Any, location: SourceLocation) -> list[TriplesMap]:
        if not isinstance(mapping, LocatedMap):
            raise _error(
                location,
                f"mapping '{name}' must be a mapping of keys",
                f"매핑 '{name}'은(는) 키-값 매핑이어야 합니다",
                "",
            )
        _check_keys(mapping, MAPPING_KEYS, f"mapping '{name}'")
        source_key = self.mapping_source(name, mapping)
        melt_name: str | None = None
        if mapping.get("melt") is not None:
            melt_value = mapping["melt"]
            if isinstance(melt_value, str):
                if melt_value not in self.melts:
                    raise _error(
                        mapping.location_of("melt"),
                        f"unknown melt '{melt_value}'",
                        f"알 수 없는 melt '{melt_value}'",
                        f"declared melts: {', '.join(self.melts) or 'none'}",
                    )
                melt_name = melt_value
            else:
                melt_name = f"{name}#melt"
                self.melts[melt_name] = self.melt(melt_name, melt_value, mapping.location_of("melt"))
        subjects_found = _first(mapping, "s", "subject", "subjects")
        subject_items = (
            _items(subjects_found[1], mapping.location_of(subjects_found[0]))
            if subjects_found
            else [(None, mapping.location)]
        )
        classes: list[str] = []
        poms: list[PredicateObjectMap] = []
        found_po = _first(mapping, "po", "predicateobjects")
        if found_po is not None and found_po[1] is not None:
            po_value = found_po[1]
            if not isinstance(po_value, LocatedList):
                raise _error(
                    mapping.location_of(found_po[0]), "'po' must be a list", "'po'는 목록이어야 합니다", ""
                )
            for index, item in enumerate(po_value):
                for built in self.predicate_object(
                    item, po_value.location_of(index), f"mappings.{name}.po[{index + 1}]"
                ):
                    if isinstance(built, str):
                        classes.append(built)
                    else:
                        poms.append(built)
        graphs = self._graphs(mapping)
        skips = self._skips(mapping.get("skip_when_empty"), mapping.location_of("skip_when_empty"))
        result = []
        for index, (subject_value, subject_location) in enumerate(subject_items):
            subject = self.term(subject_value, subject_location, role="subject", default_type="iri")
            result.append(
                TriplesMap(
                    name=name if index == 0 else f"{name}#{index + 1}",
                    subject=subject,
                    logical_source=source_key,
                    classes=tuple(classes),
                    predicate_objects=tuple(poms),
                    graphs=graphs,
                    melt=melt_name,
                    skip_when_empty=skips,
                    location=SourceLocation(
                        location.file, location.line, location.column, f"mappings.{name}"
                    ),
                )
            )
        return result

    # --- the document -------------------------------------------------------------------------------------------

    def read(self) -> RuleSet:
        doc = self.doc
        _check_keys(doc, TOP_LEVEL_KEYS, "the rule file")
        if doc.get("prefixes") is not None:
            prefixes = doc["prefixes"]
            if not isinstance(prefixes, LocatedMap):
                raise _error(
                    doc.location_of("prefixes"),
                    "'prefixes' must map prefixes to IRIs",
                    "'prefixes'는 접두어→IRI 매핑이어야 합니다",
                    "",
                )
            for prefix, iri in prefixes.items():
                self.prefixes[prefix] = _text(iri, prefixes.location_of(prefix), "prefix IRI")
        base = None
        if doc.get("base") is not None:
            base = _text(doc["base"], doc.location_of("base"), "base")
        self.declared_columns = self.string_list("columns")
        if doc.get("sources") is not None:
            sources = doc["sources"]
            if not isinstance(sources, LocatedMap):
                raise _error(
                    doc.location_of("sources"),
                    "'sources' must map source names to definitions",
                    "'sources'는 소스 이름→정의 매핑이어야 합니다",
                    "",
                )
            for name, value in sources.items():
                self.sources[name] = self.source(name, value, sources.location_of(name))
        if doc.get("melts") is not None:
            melts = doc["melts"]
            if not isinstance(melts, LocatedMap):
                raise _error(
                    doc.location_of("melts"),
                    "'melts' must map melt names to column lists",
                    "'melts'는 melt 이름→열 목록 매핑이어야 합니다",
                    "",
                )
            for name, value in melts.items():
                self.melts[name] = self.melt(name, value, melts.location_of(name))
        lookups = (
            self.lookups(doc["lookups"], doc.location_of("lookups")) if doc.get("lookups") is not None else ()
        )
        if doc.get("derived") is not None:
            derived = doc["derived"]
            if not isinstance(derived, LocatedMap):
                raise _error(
                    doc.location_of("derived"),
                    "'derived' must map names to values",
                    "'derived'는 이름→값 매핑이어야 합니다",
                    "",
                )
            for name, value in derived.items():
                if name.startswith("__"):
                    raise _error(
                        derived.location_of(name),
                        f"derived column '{name}' may not start with '__'",
                        f"파생 열 '{name}'은(는) '__'로 시작할 수 없습니다",
                        "",
                    )
                self.derived.append(
                    DerivedColumn(
                        name=name,
                        value=self.argument(value, derived.location_of(name)),
                        location=derived.location_of(name),
                    )
                )
        mappings = doc.get("mappings")
        if not isinstance(mappings, LocatedMap) or not mappings:
            raise _error(
                doc.location_of("mappings") if "mappings" in doc else doc.location,
                "the rule file has no mappings",
                "규칙 파일에 mappings가 없습니다",
                "add a 'mappings:' section",
            )
        triples_maps: list[TriplesMap] = []
        for name, mapping in mappings.items():
            triples_maps.extend(self.triples_maps(name, mapping, mappings.location_of(name)))
        used = {tm.logical_source for tm in triples_maps}
        sources_used = tuple(src for key, src in self.sources.items() if key in used)
        name_value = doc.get("name")
        return RuleSet(
            name=_text(name_value, doc.location_of("name"), "name")
            if name_value is not None
            else Path(self.file).stem,
            file=self.file,
            sources=sources_used,
            triples_maps=tuple(triples_maps),
            prefixes=dict(self.prefixes),
            base_iri=base,
            melts=tuple(self.melts.values()),
            derived_columns=tuple(self.derived),
            lookups=lookups,
            required_columns=self.string_list("required"),
            declared_columns=self.declared_columns,
            column_alternatives=self.alternatives(),
            location=doc.location,
        )


def _with(term: TermMap, **changes: Any) -> TermMap:
    from dataclasses import replace

    return replace(term, **changes)


def _split_arguments(text: str, location: SourceLocation) -> list[str]:
    """Split ``a, $(b, c), "x, y"`` at top-level commas (inside ``$( )``, parentheses and quotes they stay)."""
    args: list[str] = []
    depth = 0
    quote: str | None = None
    current: list[str] = []
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise _error(
                    location, f"unbalanced ')' in '{text}'", f"'{text}'에 짝이 없는 ')'가 있습니다", ""
                )
        elif ch == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    if quote or depth:
        raise _error(
            location,
            f"unclosed quote or parenthesis in '{text}'",
            f"'{text}'에 닫히지 않은 따옴표나 괄호가 있습니다",
            "",
        )
    last = "".join(current).strip()
    if last or args:
        args.append(last)
    return args


def load_yarrrml(text: str, *, file: str) -> RuleSet:
    """Parse YARRRML text into a :class:`RuleSet`; raises :class:`MappingRuleError` with file and line."""
    doc = load_located_yaml(text, file=file)
    if not isinstance(doc, LocatedMap):
        raise MappingRuleError(
            f"{file}: a rule file must be a YAML mapping with 'mappings:'",
            f"{file}: 규칙 파일은 'mappings:'가 있는 YAML 매핑이어야 합니다",
            hint="start the file with prefixes:, sources: and mappings:",
        )
    return _YarrrmlReader(doc, file).read()


def load_yarrrml_file(path: Path) -> RuleSet:
    """Read and parse a YARRRML file (UTF-8)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MappingRuleError(
            f"{path}: rule files must be UTF-8 ({exc.reason} at byte {exc.start})",
            f"{path}: 규칙 파일은 UTF-8이어야 합니다 ({exc.start}번째 바이트)",
            hint="save the file as UTF-8",
        ) from exc
    return load_yarrrml(text, file=str(path))


__all__ = ["DEFAULT_PREFIXES", "load_yarrrml", "load_yarrrml_file"]
