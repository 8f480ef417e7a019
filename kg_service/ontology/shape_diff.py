"""What changed between two versions of the SHACL shapes, and which changes make stored data stop conforming.

Property shapes are matched by IRI, or — for blank-node property shapes — by the node shape that holds them and
their path. Each constraint is compared with the direction of the change in mind: a tighter constraint is
**breaking** (data that conformed may not conform any more; ``kg ontology impact`` counts how much), a looser or
removed one is compatible. In particular a property that becomes required (``sh:minCount`` from 0 to 1 or more)
is breaking. Messages, names and labels are ignored. A node shape that is new as a whole (with its property
shapes) is compatible but flagged: it checks new data, and the stored-data check of ``kg ontology impact`` shows
whether stored data would fail it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg_service.ontology.rendering import list_items, render, short
from kg_service.ontology.sources import read_turtle

EXAMPLES_DIR: Final = "examples"
TARGET_PREDICATES: Final = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_LOWER_BOUNDS: Final = (SH.minCount, SH.minInclusive, SH.minExclusive, SH.minLength)
_UPPER_BOUNDS: Final = (SH.maxCount, SH.maxInclusive, SH.maxExclusive, SH.maxLength)
_OTHER_CONSTRAINTS: Final = (
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.flags,
    SH.hasValue,
    SH.node,
    SH["or"],
    SH["and"],
    SH.xone,
    SH["not"],
    SH.sparql,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.closed,
    SH.ignoredProperties,
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH.uniqueLang,
    SH.languageIn,
)
_SEVERITY_RANK: Final = {str(SH.Info): 0, str(SH.Warning): 1, str(SH.Violation): 2}

_ChangeFactory = Callable[[str, str | None, str | None, bool, str, str], "ShapeChange"]


@dataclass(frozen=True, slots=True)
class ShapeChange:
    """One difference between two versions of a shape.

    ``shape`` names the shape (a CURIE, or ``NodeShape/[path]`` for a blank-node property shape), ``path`` is the
    rendered ``sh:path``, ``targets`` are what the shape (or the node shapes holding it) applies to, ``constraint``
    the SHACL parameter that changed (``shape`` when the whole shape was added or removed), ``file`` the file that
    defines it (the new file, or the old one for a removed shape).
    """

    shape: str
    path: str | None
    targets: tuple[str, ...]
    constraint: str
    old: str | None
    new: str | None
    breaking: bool
    reason_en: str
    reason_ko: str
    file: str | None = None
    flagged: bool = False

    def as_dict(self) -> dict[str, object]:
        """The change as plain data."""
        data = asdict(self)
        data["targets"] = list(self.targets)
        return data


@dataclass
class ShapeFiles:
    """Every shapes file of a version, merged, with the file each shape is defined in."""

    directory: Path
    graph: Graph
    files: dict[str, Graph] = field(default_factory=dict)
    defined_in: dict[Node, str] = field(default_factory=dict)


def load_shapes(directory: Path) -> ShapeFiles:
    """Parse every shapes file under ``directory``: ``*.ttl`` at the top and in sub-directories, except the
    example data in :data:`EXAMPLES_DIR`. Raises :class:`OntologyError` naming a file that does not parse."""
    merged = Graph()
    shapes = ShapeFiles(directory, merged)
    for path in shape_files(directory):
        name = path.relative_to(directory).as_posix()
        graph = read_turtle(path)
        shapes.files[name] = graph
        for subject in set(graph.subjects()):
            shapes.defined_in.setdefault(subject, name)
        for triple in graph:
            merged.add(triple)
    return shapes


def shape_files(directory: Path) -> list[Path]:
    """The shapes files of a version (good and bad example data under ``examples/`` are not shapes)."""
    return sorted(
        path
        for path in directory.rglob("*.ttl")
        if EXAMPLES_DIR not in path.relative_to(directory).parts[:-1]
    )


@dataclass
class _ShapeInfo:
    key: str
    node: Node
    path: str | None
    targets: set[str]
    parents: set[str]
    constraints: dict[str, set[str]]
    is_node_shape: bool
    file: str | None


def shape_index(shapes: ShapeFiles) -> dict[str, _ShapeInfo]:
    """Every node and property shape of a version by a key that is stable across parses."""
    graph = shapes.graph
    node_shapes: set[Node] = set(graph.subjects(RDF.type, SH.NodeShape))
    for predicate in (*TARGET_PREDICATES, SH.property):
        node_shapes.update(graph.subjects(predicate, None))
    node_shapes = {n for n in node_shapes if graph.value(n, SH.path) is None}
    index: dict[str, _ShapeInfo] = {}
    for node in sorted(node_shapes, key=str):
        if not isinstance(node, URIRef):
            continue  # anonymous node shapes (inside sh:or, sh:node …) are compared as part of their parent
        key = short(str(node))
        index[key] = _ShapeInfo(
            key,
            node,
            None,
            {
                f"{short(str(p))} {render(graph, o)}"
                for p in TARGET_PREDICATES
                for o in graph.objects(node, p)
            },
            set(),
            _constraints(graph, node),
            True,
            shapes.defined_in.get(node),
        )
    property_parents: dict[Node, set[str]] = defaultdict(set)
    for parent, prop in graph.subject_objects(SH.property):
        if isinstance(parent, URIRef):
            property_parents[prop].add(short(str(parent)))
    property_shapes = set(graph.subjects(SH.path, None))
    groups: dict[str, list[Node]] = defaultdict(list)
    for node in property_shapes:
        path_node = graph.value(node, SH.path)
        path = render(graph, path_node) if path_node is not None else None
        parents = property_parents.get(node, set())
        if isinstance(node, URIRef):
            groups[short(str(node))].append(node)
        elif parents:
            groups[f"{sorted(parents)[0]}/[{path}]"].append(node)
        # else: a property shape nested in a logical constraint; compared with its parent
    for base_key, nodes in groups.items():
        for node in nodes:
            constraints = _constraints(graph, node)
            key = base_key
            if len(nodes) > 1:
                # Several blank-node property shapes on the same path: told apart by what they check.
                signature = repr(sorted((k, sorted(v)) for k, v in constraints.items()))
                key = f"{base_key}#{hashlib.sha256(signature.encode('utf-8')).hexdigest()[:6]}"
            path_node = graph.value(node, SH.path)
            parents = property_parents.get(node, set())
            targets: set[str] = set()
            for parent_key in parents:
                if parent_key in index:
                    targets |= index[parent_key].targets
            defined = shapes.defined_in.get(node)
            if defined is None and parents:
                defined = next((index[p].file for p in sorted(parents) if p in index), None)
            index[key] = _ShapeInfo(
                key,
                node,
                render(graph, path_node) if path_node is not None else None,
                targets,
                parents,
                constraints,
                False,
                defined,
            )
    return index


def _constraints(graph: Graph, node: Node) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for predicate in (
        *_LOWER_BOUNDS,
        *_UPPER_BOUNDS,
        *_OTHER_CONSTRAINTS,
        SH["in"],
        SH.severity,
        SH.deactivated,
    ):
        values = set(graph.objects(node, predicate))
        if not values:
            continue
        if predicate == SH["in"]:
            found[str(predicate)] = {
                "{" + ", ".join(sorted(render(graph, m) for m in list_items(graph, v))) + "}" for v in values
            }
        elif predicate == SH.sparql:
            found[str(predicate)] = {_sparql_text(graph, v) for v in values}
        else:
            found[str(predicate)] = {render(graph, v) for v in values}
    return found


def _sparql_text(graph: Graph, constraint: Node) -> str:
    for predicate in (SH.select, SH.ask):
        text = graph.value(constraint, predicate)
        if text is not None:
            return " ".join(str(text).split())
    return render(graph, constraint)


def diff_shape_dirs(old_dir: Path, new_dir: Path) -> list[ShapeChange]:
    """Compare the shapes of two versions; see the module docstring for the rules."""
    return diff_shapes(load_shapes(old_dir), load_shapes(new_dir))


def diff_shapes(old: ShapeFiles, new: ShapeFiles) -> list[ShapeChange]:
    """Compare two loaded versions of the shapes."""
    old_index, new_index = shape_index(old), shape_index(new)
    changes: list[ShapeChange] = []
    for key in sorted(set(old_index) | set(new_index)):
        before, after = old_index.get(key), new_index.get(key)
        if after is None and before is not None:
            changes.append(_whole(before, "removed"))
            continue
        if after is None:
            continue
        if before is None:
            if after.is_node_shape or not any(p in old_index for p in after.parents):
                if after.is_node_shape:
                    changes.append(_whole(after, "added"))
                continue
            before = _ShapeInfo(
                key, after.node, after.path, after.targets, after.parents, {}, False, after.file
            )
        changes.extend(_compare(before, after))
    return changes


def _whole(info: _ShapeInfo, how: str) -> ShapeChange:
    added = how == "added"
    return ShapeChange(
        info.key,
        info.path,
        tuple(sorted(info.targets)),
        "shape",
        None if added else "present",
        "present" if added else None,
        False,
        "new shape: it checks data from now on; see the stored-data check of 'kg ontology impact'"
        if added
        else "shape removed: fewer checks",
        "새 셰이프: 이제부터 데이터를 검사합니다. 'kg ontology impact'의 저장 데이터 검사를 보세요"
        if added
        else "셰이프 삭제: 검사가 줄어듦",
        info.file,
        flagged=added,
    )


def _compare(before: _ShapeInfo, after: _ShapeInfo) -> Iterator[ShapeChange]:
    def change(
        constraint: str, old: str | None, new: str | None, breaking: bool, en: str, ko: str
    ) -> ShapeChange:
        return ShapeChange(
            after.key,
            after.path,
            tuple(sorted(after.targets)),
            constraint,
            old,
            new,
            breaking,
            en,
            ko,
            after.file,
        )

    if before.path != after.path and before.constraints:
        yield change(
            "sh:path",
            before.path,
            after.path,
            True,
            "the shape now checks a different property",
            "셰이프가 다른 속성을 검사합니다",
        )
    if before.is_node_shape and after.targets - before.targets:
        yield change(
            "target",
            _show(before.targets),
            _show(after.targets),
            True,
            "new targets: more nodes are checked",
            "대상 추가: 더 많은 노드를 검사합니다",
        )
    elif before.is_node_shape and before.targets != after.targets:
        yield change(
            "target", _show(before.targets), _show(after.targets), False, "fewer targets", "대상 축소"
        )
    for predicate in sorted(set(before.constraints) | set(after.constraints)):
        old_values, new_values = (
            before.constraints.get(predicate, set()),
            after.constraints.get(predicate, set()),
        )
        if old_values == new_values:
            continue
        yield _classify(change, URIRef(predicate), old_values, new_values)


def _classify(change: _ChangeFactory, predicate: URIRef, old: set[str], new: set[str]) -> ShapeChange:
    name = short(str(predicate))
    shown_old, shown_new = _show(old) if old else None, _show(new) if new else None
    if predicate == SH.minCount:
        old_n, new_n = _number(old, Decimal(0)), _number(new, Decimal(0))
        if new_n > old_n:
            newly = old_n == 0
            return change(
                name,
                shown_old,
                shown_new,
                True,
                "newly required: data without this property stops conforming"
                if newly
                else "more values required: data with fewer stops conforming",
                "새 필수 항목: 이 속성이 없는 데이터가 더 이상 적합하지 않습니다"
                if newly
                else "더 많은 값이 필요: 값이 적은 데이터가 적합하지 않게 됩니다",
            )
        return change(name, shown_old, shown_new, False, "fewer values required", "필요한 값 개수 완화")
    if predicate in _LOWER_BOUNDS or predicate in _UPPER_BOUNDS:
        lower = predicate in _LOWER_BOUNDS
        unbounded = Decimal("-Infinity") if lower else Decimal("Infinity")
        old_n, new_n = _number(old, unbounded), _number(new, unbounded)
        tighter = new_n > old_n if lower else new_n < old_n
        if not old or not new or old_n.is_nan() or new_n.is_nan():
            tighter = bool(new) and (not old or old != new)
        return change(
            name,
            shown_old,
            shown_new,
            tighter,
            "bound tightened: values that were accepted may be rejected" if tighter else "bound loosened",
            "범위 강화: 받아들이던 값이 거부될 수 있습니다" if tighter else "범위 완화",
        )
    if predicate == SH["in"]:
        old_members, new_members = _members(old), _members(new)
        if old and new and new_members >= old_members:
            return change(name, shown_old, shown_new, False, "more allowed values", "허용 값 추가")
        if not new:
            return change(
                name, shown_old, shown_new, False, "allowed-value list removed", "허용 값 목록 제거"
            )
        return change(
            name,
            shown_old,
            shown_new,
            True,
            "fewer allowed values: data using a removed value stops conforming",
            "허용 값 축소: 제거된 값을 쓰는 데이터가 적합하지 않게 됩니다",
        )
    if predicate == SH.severity:
        old_rank = max((_SEVERITY_RANK.get(_expand(v), 2) for v in old), default=2)
        new_rank = max((_SEVERITY_RANK.get(_expand(v), 2) for v in new), default=2)
        stricter = new_rank > old_rank
        return change(
            name,
            shown_old,
            shown_new,
            stricter,
            "stricter severity: results that were warnings now reject data"
            if stricter
            else "milder severity",
            "심각도 강화: 경고였던 결과가 이제 데이터를 거부합니다" if stricter else "심각도 완화",
        )
    if predicate == SH.deactivated:
        reactivated = "true" in {v.strip('"').lower() for v in old} and "true" not in {
            v.strip('"').lower() for v in new
        }
        return change(
            name,
            shown_old,
            shown_new,
            reactivated,
            "the shape is active again" if reactivated else "the shape is deactivated",
            "셰이프가 다시 활성화됨" if reactivated else "셰이프 비활성화",
        )
    if not new:
        return change(name, shown_old, None, False, "constraint removed", "제약 제거")
    return change(
        name,
        shown_old,
        shown_new,
        True,
        "constraint added or changed: data that conformed may not conform any more",
        "제약 추가·변경: 적합하던 데이터가 적합하지 않을 수 있습니다",
    )


def _number(values: set[str], default: Decimal) -> Decimal:
    if not values:
        return default
    text = sorted(values)[0].split("^^")[0].strip('"')
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal("NaN")


def _members(values: set[str]) -> set[str]:
    members: set[str] = set()
    for value in values:
        members.update(part.strip() for part in value.strip("{}").split(",") if part.strip())
    return members


def _expand(value: str) -> str:
    return str(SH) + value.split(":", 1)[1] if value.startswith("sh:") else value.strip("<>")


def _show(values: set[str]) -> str:
    return ", ".join(sorted(values)) if values else "—"
