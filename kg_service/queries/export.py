"""Exports of one entity: NGSI-LD (normalized and key-values) and, for sensors, OGC SensorThings JSON.

Built from :class:`~kg_service.queries.protocol.LinkageQueries` results only, so every backend exports the
same JSON. The NGSI-LD ``@context`` is the project context the service itself serves (its URL is passed in;
:func:`project_context` builds the document); no remote context is ever named or fetched (망분리).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from shapely.geometry import mapping

from kg_service.errors import NotFoundError
from kg_service.queries import inputs
from kg_service.queries.entities import KIND_BY_CLASS
from kg_service.queries.geometry import parse_wkt_literal
from kg_service.queries.model import EntityKind, ExternalVocabulary, Link, ObservationSelector, Text
from kg_service.queries.reader import CPS_NS, RDF_TYPE, RDFS_LABEL, WGS, decimal_or_none, local_name

if TYPE_CHECKING:
    from kg_service.queries.protocol import ExportFormat, LinkageQueries

#: Where the service serves the project's JSON-LD context (the app adds its base URL).
NGSI_LD_CONTEXT_PATH: Final = "/ngsi-ld/contexts/seoul-cps.jsonld"
NGSI_LD_CORE: Final = "https://uri.etsi.org/ngsi-ld/"
FIWARE: Final = "https://smartdatamodels.org/"
STA_MEASUREMENT: Final = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
#: Observations per datastream in a SensorThings export (the latest day at most).
STA_OBSERVATIONS: Final = 24
_MAX_LINKS: Final = 500

#: Prefixes for attributes outside the ``cps:`` namespace (compact IRIs the project context declares).
PREFIXES: Final = {
    "cps": CPS_NS,
    "sosa": "http://www.w3.org/ns/sosa/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "dct": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
}
#: Links the export leaves out or renders another way (type, label → name, coordinates → location, geometry,
#: identifier nodes → id).
_SKIPPED: Final = frozenset(
    {
        RDF_TYPE,
        RDFS_LABEL,
        WGS + "lat",
        WGS + "long",
        PREFIXES["geo"] + "hasGeometry",
        CPS_NS + "hasIdentifier",
    }
)
#: QUDT unit → (name, symbol) for SensorThings ``unitOfMeasurement``.
UNITS: Final[dict[str, tuple[str, str]]] = {
    "MicroGM-PER-M3": ("microgram per cubic metre", "µg/m³"),
    "DEG_C": ("degree Celsius", "°C"),
    "DEG": ("degree (angle)", "°"),
    "PERCENT": ("percent", "%"),
    "M-PER-SEC": ("metre per second", "m/s"),
    "KiloM-PER-HR": ("kilometre per hour", "km/h"),
    "LUX": ("lux", "lx"),
    "DeciB": ("decibel", "dB"),
    "DeciB_A": ("A-weighted decibel", "dB(A)"),
    "PPM": ("part per million", "ppm"),
    "G": ("standard gravity", "g"),
    "NUM-PER-HR": ("number per hour", "1/h"),
    "UNITLESS": ("unitless", ""),
}


def _fiware_names(queries: LinkageQueries) -> tuple[dict[str, str], dict[str, str]]:
    """Local term → FIWARE term IRI (attributes and entity types) from the ontology's alignments; for each
    local term the first FIWARE mapping by IRI."""
    report = queries.standard_mappings((ExternalVocabulary.FIWARE,))
    names: dict[str, str] = {}
    for item in report.mappings:
        if item.relation.value in ("exact", "close"):
            names.setdefault(item.local_term, item.external_term)
    types = {k: v for k, v in names.items() if local_name(v)[:1].isupper()}
    attributes = {k: v for k, v in names.items() if not local_name(v)[:1].isupper()}
    return types, attributes


def _attribute_name(predicate: str, attributes: dict[str, str]) -> str | None:
    if predicate in attributes:
        return local_name(attributes[predicate])
    if predicate.startswith(CPS_NS):
        return predicate[len(CPS_NS) :]
    for prefix, namespace in PREFIXES.items():
        if predicate.startswith(namespace) and len(predicate) > len(namespace):
            return f"{prefix}:{predicate[len(namespace) :]}"
    return None


def _literal_value(link: Link) -> Any:
    text = link.literal or ""
    datatype = link.datatype or ""
    if datatype.endswith(("#integer", "#int", "#long", "#short")):
        try:
            return int(text)
        except ValueError:
            return text
    if datatype.endswith(("#decimal", "#double", "#float")):
        number = decimal_or_none(text)
        return float(number) if number is not None else text
    if datatype.endswith("#boolean"):
        return text in ("true", "1")
    return text


def _language_map(text: Text) -> dict[str, str]:
    return {lang: value for lang, value in (("ko", text.ko), ("en", text.en)) if value}


def ngsi_ld_id(queries: LinkageQueries, iri: str, type_name: str) -> str:
    """The entity's NGSI-LD URN when it has one (an identifier of scheme NGSI-LD), else one made from its
    type and IRI: ``urn:ngsi-ld:{type}:{last path segment}``."""
    for known in queries.identifiers(iri):
        if known.holder == iri and known.scheme and known.scheme.endswith("/platform/ngsi-ld"):
            return known.value
    return f"urn:ngsi-ld:{type_name}:{local_name(iri)}"


def export_entity(
    queries: LinkageQueries, iri: str, export_format: ExportFormat, context_url: str
) -> dict[str, Any]:
    """Export one entity.

    Raises:
        QueryInputError: malformed IRI, or SensorThings asked for something that is not a sensor.
        NotFoundError: nothing is known about the IRI.
    """
    inputs.iri(iri)
    record = queries.entity(iri)
    if record is None:
        raise NotFoundError(f"nothing is known about {iri}", f"{iri}에 대한 정보가 없습니다")
    if export_format == "sensorthings":
        return sensorthings(queries, iri)
    return ngsi_ld(queries, iri, context_url, key_values=export_format == "ngsi-ld-key-values")


def ngsi_ld(queries: LinkageQueries, iri: str, context_url: str, *, key_values: bool) -> dict[str, Any]:
    """An entity as NGSI-LD: FIWARE Smart Data Models names where the ontology maps a term to one, the
    ontology's own names otherwise (all defined by the project context)."""
    record = queries.entity(iri)
    if record is None:
        raise NotFoundError(f"nothing is known about {iri}", f"{iri}에 대한 정보가 없습니다")
    fiware_types, attributes = _fiware_names(queries)
    type_iris = [t.iri for t in record.types]
    fiware_type = next((fiware_types[t] for t in type_iris if t in fiware_types), None)
    cps_types = [t for t in type_iris if t.startswith(CPS_NS)]
    type_name = (
        local_name(fiware_type)
        if fiware_type
        else (local_name(_most_specific(cps_types)) if cps_types else "Thing")
    )
    entity: dict[str, Any] = {"id": ngsi_ld_id(queries, iri, type_name), "type": type_name}
    names = _language_map(record.label)
    if names:
        entity["name"] = (
            {"languageMap": names} if key_values else {"type": "LanguageProperty", "languageMap": names}
        )
    point = _point(queries, iri)
    if point is not None:
        entity["location"] = point if key_values else {"type": "GeoProperty", "value": point}
    grouped: dict[str, list[Any]] = {}
    links = queries.links(iri, "outgoing", 0, _MAX_LINKS).links
    for link in links:
        if link.predicate in _SKIPPED:
            continue
        name = _attribute_name(link.predicate, attributes)
        if name is None or name in ("id", "type", "name", "location"):
            continue
        if link.predicate == CPS_NS + "observesProperty" and link.node is not None:
            value: Any = (
                local_name(attributes[link.node]) if link.node in attributes else local_name(link.node)
            )
            grouped.setdefault(name, []).append(("property", value))
        elif link.node is not None:
            grouped.setdefault(name, []).append(("relationship", link.node))
        else:
            grouped.setdefault(name, []).append(("property", _literal_value(link)))
    for name, values in sorted(grouped.items()):
        kinds = {kind for kind, _ in values}
        plain = [v for _, v in values]
        if key_values:
            entity[name] = plain[0] if len(plain) == 1 else plain
        elif kinds == {"relationship"}:
            if len(plain) == 1:
                entity[name] = {"type": "Relationship", "object": plain[0]}
            else:
                entity[name] = [
                    {"type": "Relationship", "object": v, "datasetId": f"urn:ngsi-ld:Dataset:{name}-{n}"}
                    for n, v in enumerate(plain, start=1)
                ]
        else:
            entity[name] = {"type": "Property", "value": plain[0] if len(plain) == 1 else plain}
    entity["@context"] = [context_url]
    return entity


def _most_specific(types: list[str]) -> str:
    order = [iri for iri, _ in KIND_BY_CLASS]
    ranked = sorted(types, key=lambda t: (order.index(t) if t in order else len(order), t))
    return ranked[0]


def _point(queries: LinkageQueries, iri: str) -> dict[str, Any] | None:
    sensors = queries.sensors([iri])
    if iri in sensors and sensors[iri].location is not None:
        location = sensors[iri].location
        assert location is not None
        return {"type": "Point", "coordinates": [location.lon, location.lat]}
    objects = queries.spatial_objects([iri])
    if iri in objects and objects[iri].location is not None:
        wkt = queries.geometry_wkt([iri]).get(iri)
        geometry = parse_wkt_literal(wkt) if wkt else None
        if geometry is not None:
            shape: dict[str, Any] = dict(mapping(geometry))
            shape["coordinates"] = _lists(shape["coordinates"])
            return shape
        location = objects[iri].location
        assert location is not None
        return {"type": "Point", "coordinates": [location.lon, location.lat]}
    return None


def _lists(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_lists(v) for v in value]
    return float(value)


def sensorthings(queries: LinkageQueries, iri: str) -> dict[str, Any]:
    """A sensor as an OGC SensorThings Thing with its Location and one Datastream (with Sensor,
    ObservedProperty and the latest day's Observations, at most 24) per observed property.

    Raises:
        QueryInputError: the entity is not a sensor.
    """
    record = queries.sensors([iri]).get(iri)
    if record is None:
        kind = queries.entity(iri)
        what = kind.kind.value if kind else EntityKind.OTHER.value
        raise inputs.QueryInputError(
            "format",
            f"SensorThings export is for sensors; this is a {what}",
            f"SensorThings 내보내기는 센서만 됩니다. 이 개체의 종류: {what}",
            hint="use NGSI_LD_NORMALIZED or NGSI_LD_KEY_VALUES",
        )
    thing_id = record.serial or local_name(iri)
    name = record.label.best() or record.serial or local_name(iri)
    place = ", ".join(
        n
        for n in (
            record.district.name.ko if record.district else None,
            record.dong.name.ko if record.dong else None,
        )
        if n
    )
    properties = {
        "iri": iri,
        "serial": record.serial,
        "model": record.model,
        "platform": record.platform.iri if record.platform else None,
        "districtCode": record.district.code if record.district else None,
        "dongCode": record.dong.code if record.dong else None,
    }
    thing: dict[str, Any] = {
        "@iot.id": thing_id,
        "name": name,
        "description": f"센서 {name}" + (f" ({place})" if place else "") + f" / sensor {name}",
        "properties": {k: v for k, v in properties.items() if v is not None},
        "Locations": [],
        "Datastreams": [],
    }
    if record.location is not None:
        thing["Locations"].append(
            {
                "@iot.id": f"{thing_id}-location",
                "name": place or name,
                "description": f"{name}의 설치 위치 / where {name} is installed",
                "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [record.location.lon, record.location.lat]},
            }
        )
    catalogue = {p.iri: p for p in queries.observable_properties()}
    latest = queries.latest_observations([iri], None).get(iri, [])
    latest_by_property = {obs.property: obs for obs in latest}
    for prop in record.observed_properties or tuple(latest_by_property):
        info = catalogue.get(prop)
        label = info.label if info else Text(None, local_name(prop))
        unit = latest_by_property[prop].unit if prop in latest_by_property else (info.unit if info else None)
        unit_name, symbol = (
            UNITS.get(local_name(unit), (local_name(unit), local_name(unit))) if unit else ("", "")
        )
        observations: list[dict[str, Any]] = []
        newest = latest_by_property.get(prop)
        if newest is not None:
            selector = ObservationSelector(
                property=prop,
                start=newest.time - timedelta(hours=STA_OBSERVATIONS) + timedelta(seconds=1),
                end=newest.time + timedelta(seconds=1),
                sensor=iri,
            )
            page, _ = queries.observation_page(selector, None, STA_OBSERVATIONS)
            observations = [
                {
                    "@iot.id": obs.iri,
                    "phenomenonTime": obs.time_text,
                    "resultTime": obs.time_text,
                    "result": float(obs.value),
                }
                for obs in page
            ]
        thing["Datastreams"].append(
            {
                "@iot.id": f"{thing_id}-{local_name(prop)}",
                "name": f"{name} {label.en or local_name(prop)}",
                "description": f"{label.ko or local_name(prop)} / {label.en or local_name(prop)}",
                "unitOfMeasurement": {"name": unit_name, "symbol": symbol, "definition": unit or ""},
                "observationType": STA_MEASUREMENT,
                "Sensor": {
                    "@iot.id": thing_id,
                    "name": name,
                    "description": f"{record.model or '센서'} / {record.model or 'sensor'}",
                    "encodingType": "text/html",
                    "metadata": iri,
                },
                "ObservedProperty": {
                    "@iot.id": local_name(prop),
                    "name": label.en or local_name(prop),
                    "definition": prop,
                    "description": label.ko or label.en or local_name(prop),
                },
                "Observations": observations,
            }
        )
    return thing


def project_context(queries: LinkageQueries) -> dict[str, Any]:
    """The JSON-LD context the exports name: the NGSI-LD core terms, the FIWARE Smart Data Models terms the
    ontology maps to, the ontology's own terms by local name, and the prefixes of compact attribute names."""
    fiware_types, attributes = _fiware_names(queries)
    context: dict[str, Any] = {
        "ngsi-ld": NGSI_LD_CORE,
        "id": "@id",
        "type": "@type",
        "Property": "ngsi-ld:Property",
        "Relationship": "ngsi-ld:Relationship",
        "GeoProperty": "ngsi-ld:GeoProperty",
        "LanguageProperty": "ngsi-ld:LanguageProperty",
        "value": "ngsi-ld:hasValue",
        "object": {"@id": "ngsi-ld:hasObject", "@type": "@id"},
        "languageMap": {"@id": "ngsi-ld:hasLanguageMap", "@container": "@language"},
        "datasetId": {"@id": "ngsi-ld:datasetId", "@type": "@id"},
        "observedAt": {"@id": "ngsi-ld:observedAt", "@type": "ngsi-ld:DateTime"},
        "unitCode": "ngsi-ld:unitCode",
        "location": "ngsi-ld:location",
        "name": FIWARE + "name",
    }
    context.update(PREFIXES)
    for term in queries.ontology_terms():
        name = local_name(term.iri)
        if term.kind != "annotation-property" and name not in context:
            context[name] = term.iri
    for external in sorted({*fiware_types.values(), *attributes.values()}):
        context[local_name(external)] = external
    return {"@context": context}
