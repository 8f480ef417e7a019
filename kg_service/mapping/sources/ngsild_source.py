"""NGSI reader: FIWARE entities (NGSI-LD and NGSI-v2, normalized or key-values) as a :class:`SourceTable`.

One row per entity (a single entity object, or an array of them). Every form is normalised to key-values
columns:

- ``id``, ``type`` and ``type_iri`` (the type expanded through the entity's ``@context``);
- each attribute name → its value: Property values as strings (numbers as written), Relationship → the
  object IRI, GeoProperty / ``geo:json`` / a key-values GeoJSON geometry → WKT in EPSG:4326, ``geo:point``
  (NGSI-v2 ``"lat, lon"``) → WKT, structured values flattened to dotted keys (``address.streetAddress``),
  lists as compact JSON, JSON-LD value objects (``{"@type": "DateTime", "@value": …}``) → the ``@value``;
- ``<attr>.unitCode``, ``<attr>.observedAt`` (and any other property of the property, e.g. ``datasetId``)
  when present; NGSI-v2 metadata likewise (``unitCode``; ``timestamp`` / ``TimeInstant`` → ``observedAt``);
- ``<attr>.iri``: the attribute name expanded through the ``@context``, or ``None`` when no context defines it.

The ``@context`` is resolved **only from local files**, never the network (망분리): well-known context URLs
map to the project's own context files (:data:`KNOWN_CONTEXTS`, kept in ``kg_service/mapping/contexts/`` or a
``context_dir`` the caller passes), inline context objects are used as they are, and any other URL gives a
``context-not-local`` warning and is skipped. The NGSI-LD core context is always applied last, as the NGSI-LD
specification says. Type-scoped contexts (JSON-LD 1.1) are honoured, so ``temperature`` of a
``WeatherObserved`` resolves to the Weather data model's IRI.

Limits: an attribute given as ``{"type": …, "value": …}`` is always read as normalized; multi-attribute
instances (arrays with ``datasetId``) keep the default instance and warn.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from kg_service.errors import SourceDataError
from kg_service.mapping.source_spec import SourceSpec
from kg_service.mapping.source_table import SourceTable
from kg_service.mapping.sources.geojson_source import GEOMETRY_TYPES, geometry_wkt
from kg_service.mapping.sources.json_source import (
    JsonNumber,
    JsonValue,
    flatten_object,
    load_json,
    scalar_text,
    to_json_text,
)
from kg_service.mapping.sources.rows import ProblemLog, Row, check_row_limit, empty_table, table_from_rows

CORE_CONTEXT_URL: Final = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"

KNOWN_CONTEXTS: Final[Mapping[str, str]] = {
    CORE_CONTEXT_URL: "ngsi-ld-core.jsonld",
    **{
        f"https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.{minor}.jsonld": "ngsi-ld-core.jsonld"
        for minor in range(3, 9)
    },
    **{
        url.format(model=model): file_name
        for model, file_name in (
            ("Environment", "sdm-environment.jsonld"),
            ("Weather", "sdm-weather.jsonld"),
            ("Device", "sdm-device.jsonld"),
        )
        for url in (
            "https://raw.githubusercontent.com/smart-data-models/dataModel.{model}/master/context.jsonld",
            "https://smart-data-models.github.io/dataModel.{model}/context.jsonld",
        )
    },
    "https://smartdatamodels.org/context.jsonld": "smartdatamodels.jsonld",
}
"""Remote @context URLs this service understands, and the local file (in the context directory) for each."""

TYPE_IRI_COLUMN: Final = "type_iri"
IRI_SUFFIX: Final = ".iri"
WGS84_DECIMALS: Final = 8

_ENTITY_KEYS: Final = frozenset({"id", "type", "@context"})
_VALUE_KEYS: Final = ("value", "object", "languageMap")
_GEO_TYPES: Final = frozenset({"GeoProperty", "geo:json"})
_V2_OBSERVED_AT: Final = frozenset({"timestamp", "TimeInstant"})
_LD_ATTRIBUTE_TYPES: Final = frozenset(
    {
        "Property",
        "Relationship",
        "GeoProperty",
        "LanguageProperty",
        "VocabProperty",
        "JsonProperty",
        "ListProperty",
    }
)
_MAX_CONTEXT_NESTING: Final = 8
_SCHEME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")


def default_context_dir() -> Path:
    """The directory of the project's own context files shipped with the package."""
    return Path(__file__).resolve().parent.parent / "contexts"


# ---------------------------------------------------------------------------------------------- JSON-LD contexts
@dataclass(frozen=True, slots=True)
class _Term:
    iri: str | None  # None: no @id given (expand the term itself) or explicitly null (see ``null``)
    scoped: JsonValue = None
    null: bool = False


@dataclass(frozen=True, slots=True)
class JsonLdContext:
    """An active JSON-LD context, enough of it to expand NGSI type and attribute names to IRIs.

    >>> ctx = JsonLdContext().with_definitions({"ex": "https://example.org/", "pm25": "ex:pm25"})
    >>> ctx.resolve_term("pm25"), ctx.resolve_term("ex:pm10"), ctx.resolve_term("unknown")
    ('https://example.org/pm25', 'https://example.org/pm10', None)
    """

    terms: Mapping[str, _Term] = field(default_factory=dict)
    vocab: str | None = None

    def with_definitions(self, definitions: Mapping[str, JsonValue]) -> JsonLdContext:
        """This context with the term definitions of one context object added (later ones win)."""
        terms = dict(self.terms)
        vocab = self.vocab
        for key, value in definitions.items():
            if key == "@vocab":
                vocab = value if isinstance(value, str) else None
            elif key.startswith("@"):
                continue  # @version, @base, @language, @protected, …: not needed to expand names
            elif value is None:
                terms[key] = _Term(None, null=True)
            elif isinstance(value, str):
                terms[key] = _Term(value)
            elif isinstance(value, dict):
                given = value.get("@id")
                terms[key] = _Term(given if isinstance(given, str) else None, value.get("@context"))
        return JsonLdContext(terms, vocab)

    def scoped_context(self, type_name: str) -> JsonValue:
        """The type-scoped context of ``type_name``, if its term definition has one."""
        term = self.terms.get(type_name)
        return term.scoped if term is not None else None

    def resolve_term(self, name: str) -> str | None:
        """The IRI ``name`` expands to (vocabulary-relative), a keyword such as ``@id``, or ``None``."""
        return self._expand(name, frozenset())

    def _expand(self, value: str, seen: frozenset[str]) -> str | None:
        if value.startswith("@"):
            return value
        term = self.terms.get(value)
        if term is not None and value not in seen:
            if term.null:
                return None
            if term.iri is not None:
                return self._expand(term.iri, seen | {value})
        prefix, colon, suffix = value.partition(":")
        if colon:
            if suffix.startswith("//"):
                return value
            prefix_term = self.terms.get(prefix)
            if prefix_term is not None and prefix not in seen and prefix_term.iri is not None:
                base = self._expand(prefix_term.iri, seen | {prefix})
                if base is not None and not base.startswith("@"):
                    return base + suffix
            if _SCHEME.match(prefix):
                return value  # an absolute IRI such as urn:ngsi-ld:Device:x
        return self.vocab + value if self.vocab is not None else None


class ContextLoader:
    """Builds active contexts from ``@context`` values, reading remote URLs only from local files.

    Each URL that is not available locally is reported once per file (``context-not-local``), never fetched.
    """

    def __init__(self, context_dir: Path | None, log: ProblemLog) -> None:
        self.context_dir = context_dir if context_dir is not None else default_context_dir()
        self.log = log
        self._documents: dict[str, JsonValue] = {}
        self._reported: set[str] = set()

    def process(
        self, active: JsonLdContext, local: JsonValue, *, row: int | None, depth: int = 0
    ) -> JsonLdContext:
        """``active`` updated with the context value ``local`` (a URL, an object, ``null``, or a list)."""
        if depth > _MAX_CONTEXT_NESTING:
            self._warn(
                row,
                "(nested contexts)",
                "contexts refer to each other too deeply; the rest is ignored",
                "컨텍스트가 너무 깊게 서로를 참조하여 나머지를 무시합니다",
            )
            return active
        items = local if isinstance(local, list) else [local]
        result = active
        for item in items:
            if item is None:
                result = JsonLdContext()
            elif isinstance(item, str):
                document = self._load(item, row=row)
                if isinstance(document, dict):
                    result = self.process(result, document.get("@context"), row=row, depth=depth + 1)
            elif isinstance(item, dict):
                result = result.with_definitions(item)
            elif isinstance(item, list):
                result = self.process(result, item, row=row, depth=depth + 1)
        return result

    def _load(self, url: str, *, row: int | None) -> JsonValue:
        if url in self._documents:
            return self._documents[url]
        document: JsonValue = None
        file_name = KNOWN_CONTEXTS.get(url.strip())
        if file_name is None:
            self._warn(
                row,
                url,
                f"the @context {url} is not available offline and was not fetched; names it defines stay "
                "unresolved",
                f"@context {url}은(는) 오프라인으로 제공되지 않아 가져오지 않았습니다; 그 컨텍스트의 이름은 "
                "해석되지 않은 채로 둡니다",
            )
        else:
            path = self.context_dir / file_name
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._warn(
                    row,
                    url,
                    f"the @context {url} maps to the local file {path}, which is missing or not JSON",
                    f"@context {url}에 해당하는 로컬 파일 {path}이(가) 없거나 JSON이 아닙니다",
                )
        self._documents[url] = document
        return document

    def _warn(self, row: int | None, url: str, en: str, ko: str) -> None:
        if url in self._reported:
            return
        self._reported.add(url)
        self.log.add(row, "@context", url, "context-not-local", en, ko, "warning")


def resolve_term(
    name: str,
    context: JsonValue,
    *,
    entity_type: str | None = None,
    context_dir: Path | None = None,
) -> str | None:
    """Expand an NGSI name to its IRI through ``context`` (URL, list or object), offline.

    ``entity_type`` applies that type's scoped context first (for attribute names). The NGSI-LD core context
    is applied last, as for entities. Returns ``None`` when no context defines the name.

    >>> resolve_term("pm25", "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld")
    'https://smartdatamodels.org/dataModel.Environment/pm25'
    >>> resolve_term("temperature", "https://smartdatamodels.org/context.jsonld", entity_type="WeatherObserved")
    'https://smartdatamodels.org/dataModel.Weather/temperature'
    """
    loader = ContextLoader(context_dir, ProblemLog("(context)"))
    active = loader.process(JsonLdContext(), [context, CORE_CONTEXT_URL], row=None)
    scoped = active.scoped_context(entity_type) if entity_type is not None else None
    if scoped is not None:
        active = loader.process(active, scoped, row=None)
    return active.resolve_term(name)


# ---------------------------------------------------------------------------------------------- entities
def read_ngsild(
    data: bytes,
    spec: SourceSpec,
    *,
    file_name: str,
    max_rows: int | None = None,
    context_dir: Path | None = None,
    default_context: JsonValue = None,
) -> SourceTable:
    """Read NGSI-LD or NGSI-v2 entities (normalized or key-values); one row per entity.

    ``default_context`` is used for entities without ``@context`` (NGSI-v2, or NGSI-LD whose context came in
    an HTTP ``Link`` header).

    >>> from kg_service.mapping.source_spec import SourceSpec
    >>> doc = b'{"id": "urn:ngsi-ld:Device:V02Q1940043", "type": "Device", '
    >>> doc += b'"serialNumber": {"type": "Property", "value": "V02Q1940043"}, '
    >>> doc += b'"@context": "https://smartdatamodels.org/context.jsonld"}'
    >>> t = read_ngsild(doc, SourceSpec("ngsi-ld"), file_name="d.jsonld")
    >>> t.columns
    ['id', 'type', 'type_iri', 'serialNumber', 'serialNumber.iri']
    >>> t.frame.row(0)[2:4]
    ('https://smartdatamodels.org/dataModel.Device/Device', 'V02Q1940043')

    :raises SourceDataError: not JSON, too deep, or neither an entity object nor an array.
    :raises LimitExceededError: more than ``max_rows`` entities.
    """
    log = ProblemLog(file_name)
    document, decoded = load_json(data, spec.encoding, file_name=file_name, log=log)
    if document is None:
        log.add(
            None, None, None, "empty", f"{file_name} is empty", f"{file_name} 파일이 비어 있습니다", "warning"
        )
        return empty_table(file_name, [], log.finish(), decoded.encoding)
    if isinstance(document, dict):
        entities: list[JsonValue] = [document]
    elif isinstance(document, list):
        entities = document
    else:
        raise SourceDataError(
            f"{file_name} is JSON but holds no NGSI entity (expected an object or an array of objects)",
            f"{file_name}은(는) JSON이지만 NGSI 엔티티가 없습니다 (객체 또는 객체 배열이 필요합니다)",
            hint="send the entity (or the array the broker returned) as the whole document",
        )
    check_row_limit(len(entities), max_rows, file_name=file_name)
    loader = ContextLoader(context_dir, log)
    rows = [
        _entity_row(entity, number, loader, default_context, log) for number, entity in enumerate(entities, 1)
    ]
    if not rows:
        log.add(
            None,
            None,
            None,
            "empty",
            f"{file_name} holds no entities",
            f"{file_name}에 엔티티가 없습니다",
            "warning",
        )
        return empty_table(file_name, [], log.finish(), decoded.encoding)
    return table_from_rows(file_name, rows, problems=log.finish(), encoding=decoded.encoding)


def _entity_row(
    entity: JsonValue, number: int, loader: ContextLoader, default_context: JsonValue, log: ProblemLog
) -> Row:
    row: Row = {"id": None, "type": None, TYPE_IRI_COLUMN: None}
    if not isinstance(entity, dict):
        _entity_problem(log, number, "is not a JSON object", "JSON 객체가 아닙니다")
        return row
    context_value = entity.get("@context", default_context)
    active = loader.process(JsonLdContext(), [context_value, CORE_CONTEXT_URL], row=number)
    row["id"] = scalar_text(entity.get("id"))
    raw_type = entity.get("type")
    types: list[str] = []
    if isinstance(raw_type, str):
        types = [raw_type]
    elif isinstance(raw_type, list):
        types = [t for t in raw_type if isinstance(t, str)]
    row["type"] = scalar_text(raw_type)
    if types:
        iris = [active.resolve_term(t) for t in types]
        row[TYPE_IRI_COLUMN] = iris[0] if len(iris) == 1 else to_json_text(list(iris))
    if row["id"] is None or not types:
        _entity_problem(log, number, "has no 'id' or no 'type'", "'id' 또는 'type'이 없습니다")
    attribute_context = active
    for type_name in sorted(types):  # JSON-LD 1.1 applies type-scoped contexts in lexical order of the types
        scoped = active.scoped_context(type_name)
        if scoped is not None:
            attribute_context = loader.process(attribute_context, scoped, row=number)
    for name, value in entity.items():
        if name in _ENTITY_KEYS:
            continue
        _attribute(name, value, row, number, log)
        row[f"{name}{IRI_SUFFIX}"] = attribute_context.resolve_term(name)
    return row


def _entity_problem(log: ProblemLog, number: int, en: str, ko: str) -> None:
    log.add(
        number,
        None,
        None,
        "ngsi-entity",
        f"entity {number} {en}",
        f"{number}번째 엔티티에 문제가 있습니다: {ko}",
    )


def _is_normalized(value: JsonValue) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and any(k in value for k in _VALUE_KEYS)
    )


def _attribute(name: str, value: JsonValue, row: Row, number: int, log: ProblemLog) -> None:
    if (
        isinstance(value, list)
        and value
        and all(
            _is_normalized(v) and isinstance(v, dict) and v.get("type") in _LD_ATTRIBUTE_TYPES for v in value
        )
    ):
        value = _default_instance(name, value, number, log)
    if not _is_normalized(value) or not isinstance(value, dict):
        _plain_value(name, value, row, number, log)
        return
    kind = value.get("type")
    if "object" in value:
        row[name] = scalar_text(value.get("object"))
    elif "languageMap" in value:
        _plain_value(name, value.get("languageMap"), row, number, log)
    elif kind in _GEO_TYPES:
        row[name] = _wkt(name, value.get("value"), number, log)
    elif kind == "geo:point":
        row[name] = _point_wkt(name, value.get("value"), number, log)
    else:
        _plain_value(name, value.get("value"), row, number, log, geometry=False)
    for key, sub in value.items():
        if key in ("type", *_VALUE_KEYS):
            continue
        if key == "metadata" and isinstance(sub, dict):
            for meta_name, meta in sub.items():
                target = "observedAt" if meta_name in _V2_OBSERVED_AT else meta_name
                meta_value = meta.get("value") if isinstance(meta, dict) else meta
                row[f"{name}.{target}"] = scalar_text(meta_value)
        elif _is_normalized(sub) and isinstance(sub, dict):
            row[f"{name}.{key}"] = scalar_text(sub.get("object", sub.get("value")))
        else:
            row[f"{name}.{key}"] = scalar_text(sub)


def _default_instance(name: str, instances: list[JsonValue], number: int, log: ProblemLog) -> JsonValue:
    chosen = next((v for v in instances if isinstance(v, dict) and "datasetId" not in v), instances[0])
    log.add(
        number,
        name,
        None,
        "multi-attribute",
        f"entity {number}: '{name}' has {len(instances)} instances (datasetId); only the default one is read",
        f"{number}번째 엔티티: '{name}'에 인스턴스가 {len(instances)}개 있습니다 (datasetId); 기본 인스턴스만 읽습니다",
        "warning",
    )
    return chosen


def _plain_value(
    name: str, value: JsonValue, row: Row, number: int, log: ProblemLog, *, geometry: bool = True
) -> None:
    """A key-values value (or the ``value`` of a normalized Property) into the row."""
    if isinstance(value, dict):
        if "@value" in value:
            row[name] = scalar_text(value.get("@value"))
        elif (
            geometry
            and value.get("type") in GEOMETRY_TYPES
            and ("coordinates" in value or "geometries" in value)
        ):
            row[name] = _wkt(name, value, number, log)
        elif value:
            flatten_object(value, row=number, log=log, prefix=f"{name}.", into=row)
        else:
            row[name] = None
    else:
        row[name] = scalar_text(value)


def _wkt(name: str, geometry: JsonValue, number: int, log: ProblemLog) -> str | None:
    wkt, _, reason = geometry_wkt(geometry, WGS84_DECIMALS)
    if reason is not None:
        _geometry_problem(name, geometry, reason, number, log)
    return wkt


def _point_wkt(name: str, value: JsonValue, number: int, log: ProblemLog) -> str | None:
    """NGSI-v2 ``geo:point``: ``"lat, lon"`` → ``POINT (lon lat)``."""
    parts = value.split(",") if isinstance(value, str) else []
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        _geometry_problem(name, value, "a geo:point must be 'latitude, longitude'", number, log)
        return None
    return geometry_wkt({"type": "Point", "coordinates": [JsonNumber(repr(lon)), JsonNumber(repr(lat))]}, 8)[
        0
    ]


def _geometry_problem(name: str, value: JsonValue, reason: str, number: int, log: ProblemLog) -> None:
    log.add(
        number,
        name,
        to_json_text(value)[:200],
        "geometry",
        f"entity {number}, attribute '{name}': the geometry is not usable: {reason}",
        f"{number}번째 엔티티 '{name}' 속성: 도형(geometry)을 사용할 수 없습니다: {reason}",
    )
