"""Result messages in English and Korean (영어·한국어 결과 메시지).

A shape author's ``sh:message`` values always win (every language is kept). When a shape has none, the result
gets a generated message for its constraint component in both languages, naming the value, the path and the
constraint's parameters, for example ``value 1200 is above the maximum 1000`` /
``값 1200이 최댓값 1000보다 큽니다``. Korean particles (조사) follow the last sound of the word before them,
including numbers read aloud (1200 → 천이백 → ``이``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg_service.vocab import PREFIXES, SH

SH_NS: Final = str(SH)

# component local name → (English, Korean). {name} is a parameter; {name|이} adds the particle 이/가 (also
# 은/는, 을/를, 과/와) that fits the last sound of the parameter's text.
_TEMPLATES: Final[dict[str, tuple[str, str]]] = {
    "ClassConstraintComponent": (
        "value {value} is not an instance of {class}",
        "값 {value|은} {class}의 인스턴스가 아닙니다",
    ),
    "DatatypeConstraintComponent": (
        "value {value} is not a valid {datatype} literal",
        "값 {value|은} 올바른 {datatype} 값이 아닙니다",
    ),
    "NodeKindConstraintComponent": (
        "value {value} is not of node kind {nodeKind}",
        "값 {value|은} 노드 종류 {nodeKind|이} 아닙니다",
    ),
    "MinCountConstraintComponent": (
        "{path} needs at least {minCount} value(s)",
        "{path} 값이 최소 {minCount}개 있어야 합니다",
    ),
    "MaxCountConstraintComponent": (
        "{path} allows at most {maxCount} value(s)",
        "{path} 값은 최대 {maxCount}개까지만 허용됩니다",
    ),
    "MinInclusiveConstraintComponent": (
        "value {value} is below the minimum {minInclusive}",
        "값 {value|이} 최솟값 {minInclusive}보다 작습니다",
    ),
    "MaxInclusiveConstraintComponent": (
        "value {value} is above the maximum {maxInclusive}",
        "값 {value|이} 최댓값 {maxInclusive}보다 큽니다",
    ),
    "MinExclusiveConstraintComponent": (
        "value {value} is not greater than {minExclusive}",
        "값 {value|이} {minExclusive}보다 크지 않습니다",
    ),
    "MaxExclusiveConstraintComponent": (
        "value {value} is not less than {maxExclusive}",
        "값 {value|이} {maxExclusive}보다 작지 않습니다",
    ),
    "MinLengthConstraintComponent": (
        "value {value} is shorter than {minLength} characters",
        "값 {value|은} {minLength}자보다 짧습니다",
    ),
    "MaxLengthConstraintComponent": (
        "value {value} is longer than {maxLength} characters",
        "값 {value|은} {maxLength}자보다 깁니다",
    ),
    "PatternConstraintComponent": (
        "value {value} does not match the pattern {pattern}",
        "값 {value|이} 패턴 {pattern|과} 맞지 않습니다",
    ),
    "LanguageInConstraintComponent": (
        "value {value} is not in one of the languages {languageIn}",
        "값 {value|은} 허용된 언어({languageIn})가 아닙니다",
    ),
    "UniqueLangConstraintComponent": (
        "{path} has more than one value in the same language",
        "{path}에 같은 언어의 값이 둘 이상 있습니다",
    ),
    "InConstraintComponent": (
        "value {value} is not one of {in}",
        "값 {value|은} 허용된 값({in})이 아닙니다",
    ),
    "HasValueConstraintComponent": (
        "{path} does not have the value {hasValue}",
        "{path}에 값 {hasValue|이} 없습니다",
    ),
    "EqualsConstraintComponent": (
        "value {value} is not also a value of {equals}, or the other way round",
        "값 {value|이} {equals}의 값과 일치하지 않습니다",
    ),
    "DisjointConstraintComponent": (
        "value {value} is also a value of {disjoint}",
        "값 {value|이} {disjoint}의 값과 겹칩니다",
    ),
    "LessThanConstraintComponent": (
        "value {value} is not less than the values of {lessThan}",
        "값 {value|이} {lessThan}의 값보다 작지 않습니다",
    ),
    "LessThanOrEqualsConstraintComponent": (
        "value {value} is greater than a value of {lessThanOrEquals}",
        "값 {value|이} {lessThanOrEquals}의 값보다 큽니다",
    ),
    "NodeConstraintComponent": (
        "value {value} does not conform to the shape {node}",
        "값 {value|이} 셰이프 {node|을} 만족하지 않습니다",
    ),
    "NotConstraintComponent": (
        "value {value} conforms to the shape {not}, which it must not",
        "값 {value|이} 허용되지 않는 셰이프 {not|을} 만족합니다",
    ),
    "AndConstraintComponent": (
        "value {value} does not conform to all of the shapes {and}",
        "값 {value|이} 셰이프 {and}를 모두 만족하지 않습니다",
    ),
    "OrConstraintComponent": (
        "value {value} conforms to none of the shapes {or}",
        "값 {value|이} 셰이프 {or} 중 어느 것도 만족하지 않습니다",
    ),
    "XoneConstraintComponent": (
        "value {value} does not conform to exactly one of the shapes {xone}",
        "값 {value|이} 셰이프 {xone} 중 정확히 하나만 만족하지 않습니다",
    ),
    "ClosedConstraintComponent": (
        "property {path} is not allowed here (value {value})",
        "여기에는 속성 {path|을} 쓸 수 없습니다(값 {value})",
    ),
    "QualifiedMinCountConstraintComponent": (
        "{path} needs at least {qualifiedMinCount} value(s) that conform to {qualifiedValueShape}",
        "{path}에 {qualifiedValueShape|을} 만족하는 값이 최소 {qualifiedMinCount}개 있어야 합니다",
    ),
    "QualifiedMaxCountConstraintComponent": (
        "{path} allows at most {qualifiedMaxCount} value(s) that conform to {qualifiedValueShape}",
        "{path}에 {qualifiedValueShape|을} 만족하는 값은 최대 {qualifiedMaxCount}개까지만 허용됩니다",
    ),
    "SPARQLConstraintComponent": (
        "the SPARQL constraint of {shape} is violated (value {value})",
        "{shape}의 SPARQL 제약을 위반했습니다(값 {value})",
    ),
}
_GENERIC: Final = (
    "value {value} does not satisfy {component}",
    "값 {value|이} {component} 제약을 만족하지 않습니다",
)
# The parameters a template names, per component: parameter name → SHACL predicate (list-valued ones marked).
_LIST_PARAMETERS: Final = frozenset({"in", "languageIn", "and", "or", "xone"})
_PLACEHOLDER = re.compile(r"\{([A-Za-z]+)(?:\|([이은을과]))?\}")
_PARTICLES: Final = {"이": ("이", "가"), "은": ("은", "는"), "을": ("을", "를"), "과": ("과", "와")}
# Whether the Korean reading of a digit ends in a consonant (영 일 이 삼 사 오 육 칠 팔 구).
_DIGIT_HAS_FINAL: Final = (True, True, False, True, False, False, True, True, True, False)
# 10^4k place words (만 억 조 경) and whether they end in a consonant.
_MYRIAD_HAS_FINAL: Final = {1: True, 2: True, 3: False, 4: True}


def display_term(term: Node | ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term as people read it in a message: prefixed name, lexical form, or ``[]`` for a blank node.

    >>> display_term(URIRef("http://www.w3.org/ns/sosa/resultTime"))
    'sosa:resultTime'
    >>> display_term(ox.Literal("12.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
    '12.5'
    """
    if term is None:
        return "-"
    if isinstance(term, URIRef | ox.NamedNode):
        return compact_iri(term.value if isinstance(term, ox.NamedNode) else str(term))
    if isinstance(term, BNode | ox.BlankNode):
        return "[]"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def compact_iri(iri: str) -> str:
    """``prefix:local`` for IRIs in a namespace of :data:`kg_service.vocab.PREFIXES` (or ``sh:``), else the IRI."""
    best = ""
    best_prefix = ""
    for prefix, namespace in (*PREFIXES.items(), ("sh", SH_NS)):
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, best_prefix = namespace, prefix
    local = iri[len(best) :]
    if best and local and re.fullmatch(r"[A-Za-z_][\w.\-]*", local):
        return f"{best_prefix}:{local}"
    return iri


def shape_parameters(shapes: Graph, shape: Node, component: str) -> dict[str, str]:
    """The parameters of ``component`` on ``shape`` as display text (``{"maxInclusive": "1000"}``)."""
    local = component.removeprefix(SH_NS)
    template = _TEMPLATES.get(local)
    if template is None:
        return {}
    names = {name for name, _ in _PLACEHOLDER.findall(template[0] + template[1])}
    parameters: dict[str, str] = {}
    for name in names - {"value", "path", "shape", "component"}:
        values = list(shapes.objects(shape, SH[name]))
        if not values:
            continue
        if name in _LIST_PARAMETERS:
            items = [item for value in values for item in shapes.items(value)]
            parameters[name] = ", ".join(display_term(item) for item in items)
        else:
            parameters[name] = ", ".join(sorted(display_term(value) for value in values))
    return parameters


def generated_messages(
    component: str,
    *,
    value: str | None,
    path: str | None,
    shape: str,
    parameters: Mapping[str, str],
) -> dict[str, str]:
    """English and Korean messages for a result whose shape has no ``sh:message``.

    >>> generated_messages(SH_NS + "MaxInclusiveConstraintComponent", value="1200", path="ex:p", shape="ex:S",
    ...                    parameters={"maxInclusive": "1000"})
    {'en': 'value 1200 is above the maximum 1000', 'ko': '값 1200이 최댓값 1000보다 큽니다'}
    """
    local = component.removeprefix(SH_NS)
    english, korean = _TEMPLATES.get(local, _GENERIC)
    fields = {
        "value": value if value is not None else "-",
        "path": path if path is not None else "-",
        "shape": shape,
        "component": compact_iri(component),
        **parameters,
    }
    return {"en": _fill(english, fields), "ko": _fill(korean, fields)}


def shape_messages(shapes: Graph, *nodes: Node) -> dict[str, str]:
    """The ``sh:message`` values of the first of ``nodes`` that has any, by language tag (``""`` for none)."""
    for node in nodes:
        messages: dict[str, str] = {}
        for message in sorted(shapes.objects(node, SH.message), key=str):
            if isinstance(message, Literal):
                messages.setdefault(message.language or "", str(message))
        if messages:
            return messages
    return {}


def fill_bindings(messages: Mapping[str, str], bindings: Mapping[str, str]) -> dict[str, str]:
    """Replace ``{?name}`` / ``{$name}`` in SHACL-SPARQL messages with the solution's bindings."""

    def replace(match: re.Match[str]) -> str:
        return bindings.get(match.group(1), match.group(0))

    return {
        lang: re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", replace, text) for lang, text in messages.items()
    }


def is_shape_type(shapes: Graph, node: Node) -> bool:
    """Whether ``node`` is declared a node or property shape (used to prefer shape-level messages)."""
    return (node, RDF.type, SH.NodeShape) in shapes or (node, RDF.type, SH.PropertyShape) in shapes


def _fill(template: str, fields: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, particle = match.group(1), match.group(2)
        text = fields.get(name, "-")
        if particle is None:
            return text
        with_final, without_final = _PARTICLES[particle]
        final = _ends_in_consonant(text)
        if final is None:
            return f"{text}{with_final}({without_final})"
        return text + (with_final if final else without_final)

    return _PLACEHOLDER.sub(replace, template)


def _ends_in_consonant(text: str) -> bool | None:
    """Whether the Korean reading of ``text`` ends in a final consonant (받침); ``None`` when unknown."""
    text = text.rstrip()
    if not text:
        return None
    last = text[-1]
    if "가" <= last <= "힣":
        return (ord(last) - ord("가")) % 28 != 0
    if re.fullmatch(r"-?[0-9]+", text):
        digits = text.lstrip("-")
        stripped = digits.rstrip("0")
        zeros = len(digits) - len(stripped)
        if not stripped:
            return True  # 영
        if zeros == 0:
            return _DIGIT_HAS_FINAL[int(stripped[-1])]
        if zeros % 4 == 0:
            return _MYRIAD_HAS_FINAL.get(zeros // 4, True)
        return True  # 십, 백, 천
    if last.isdigit():
        return _DIGIT_HAS_FINAL[int(last)] if last.isascii() else None
    return None
