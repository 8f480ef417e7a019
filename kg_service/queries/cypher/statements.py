"""Every Cypher statement of the Neo4j query backend, in one place.

Each statement is built from constant fragments only: labels, relationship types and property keys come from
the ontology's own IRIs through :mod:`kg_service.store.neo4j.encoding` (and pass
:func:`~kg_service.store.neo4j.encoding.quote_name`); callers' values travel only as parameters, which the
connection's dialect sends safely (escaped ``CYPHER name=value`` text on FalkorDB, Bolt parameters on Neo4j).

The statements are the subset both servers accept; nothing here differs by server (DDL, which does, is in
:mod:`kg_service.store.neo4j.dialect`). FalkorDB 4.16 quirks written around here, each found by a failing
statement:

- ``$value IN n.key`` crashes the server when ``n.key`` is not a list: membership is tested on
  ``reduce(a = [], x IN [n.key] | a + x)``, which is the value as a list on both servers (:func:`as_list`);
- two pattern comprehensions in one clause must not reuse variable names (the second silently returns ``[]``),
  and a pattern comprehension nested in another returns ``null``: every comprehension here has its own
  variables (see :func:`describe`) and none is nested;
- no ``EXISTS {}`` subqueries and no ``COUNT {}``: pattern predicates and ``CALL {}`` subqueries instead;
- ``CALL { WITH n … }`` (importing ``WITH``) rather than Neo4j 5.23's ``CALL (n) { … }``, which FalkorDB and
  older Neo4j 5 releases do not parse;
- a variable returned by a ``CALL { … UNION … }`` subquery is ignored by a ``MATCH`` right after it (which
  then matches every node) unless a ``WITH`` passes it on: every such subquery here is followed by ``WITH``;
- a record (one result row) larger than 64 KB never arrives (the connection hangs): no statement here collects
  an unbounded list into one row; lists per row are a node's own literals and outgoing relationships, and the
  nodes they lead to are read by key in a second statement, one row each.
"""

from __future__ import annotations

import functools
from typing import Final

from kg_service.queries.entities import IDENTIFIER_PROPERTIES
from kg_service.queries.reader import CPS_NS, GEO_NS, RDF_TYPE, SOSA_NS, WGS
from kg_service.store.neo4j.encoding import (
    BLANK_NODE_LABEL,
    GRAPHS_PROPERTY,
    IRI_PROPERTY,
    LEDGER_PROPERTY,
    MULTI_VALUED_PROPERTY,
    RESOURCE_LABEL,
    class_label,
    instant_key,
    property_key,
    quote_name,
)

# -- names -------------------------------------------------------------------------------------------------


def key(iri: str) -> str:
    """The quoted relationship type or property key of a predicate IRI (``cps:inDistrict`` →
    ```cps__inDistrict```)."""
    return quote_name(property_key(iri))


def label(iri: str) -> str:
    """The quoted label of a class IRI (``cps:Sensor`` → ```Sensor```)."""
    return quote_name(class_label(iri))


RESOURCE: Final = quote_name(RESOURCE_LABEL)
BLANK: Final = quote_name(BLANK_NODE_LABEL)
LEDGER: Final = f"`{LEDGER_PROPERTY}`"
GRAPHS: Final = f"`{GRAPHS_PROPERTY}`"
MULTI: Final = f"`{MULTI_VALUED_PROPERTY}`"
IRI: Final = IRI_PROPERTY

TYPE: Final = key(RDF_TYPE)
IN_DISTRICT: Final = key(CPS_NS + "inDistrict")
IN_DONG: Final = key(CPS_NS + "inDong")
HOSTED_ON: Final = key(CPS_NS + "hostedOnPlatform")
IS_HOSTED_BY: Final = key(SOSA_NS + "isHostedBy")
OBSERVES: Final = key(CPS_NS + "observesProperty")
HAS_GEOMETRY: Final = key(GEO_NS + "hasGeometry")
HAS_IDENTIFIER: Final = key(CPS_NS + "hasIdentifier")
IDENTIFIER_SCHEME: Final = key(CPS_NS + "identifierScheme")
CORRESPONDS_TO: Final = key(CPS_NS + "correspondsTo")
MADE_BY_SENSOR: Final = key(SOSA_NS + "madeBySensor")
OBSERVED_PROPERTY: Final = key(SOSA_NS + "observedProperty")
SOURCE_DATASET: Final = key(CPS_NS + "sourceDataset")
TARGET_DATASET: Final = key(CPS_NS + "targetDataset")
LAT: Final = key(WGS + "lat")
LONG: Final = key(WGS + "long")
RESULT_TIME_INSTANT: Final = f"`{instant_key(property_key(SOSA_NS + 'resultTime'))}`"
SUBMITTED_AT: Final = property_key(CPS_NS + "submittedAt")
STARTED_AT: Final = property_key("http://www.w3.org/ns/prov#startedAtTime")

SENSOR_LABELS: Final = (label(CPS_NS + "Sensor"), label(CPS_NS + "EnvironmentalSensor"))

#: (label, property) pairs the lookups seek by value; created by
#: :meth:`~kg_service.store.neo4j.dialect.Dialect.ensure_indexes` when the backend opens.
QUERY_INDEXES: Final[tuple[tuple[str, str], ...]] = (
    (RESOURCE_LABEL, MULTI_VALUED_PROPERTY),
    (RESOURCE_LABEL, property_key(CPS_NS + "identifierValue")),
    *((RESOURCE_LABEL, property_key(iri)) for iri in IDENTIFIER_PROPERTIES),
    (RESOURCE_LABEL, property_key(CPS_NS + "buildingUse")),
)

# -- fragments ---------------------------------------------------------------------------------------------


def as_list(expression: str) -> str:
    """``expression`` (a property that is a value or a list of values) as a list, on both servers."""
    return f"reduce(acc = [], x IN [{expression}] | acc + x)"


def describe(var: str) -> str:
    """RETURN items describing node ``var``: ``iri``, ``graphs``, ``lit`` (the literal ledger) and ``out`` (its
    relationships as ``[type, target key, graph]``)."""
    return (
        f"{var}.{IRI} AS iri, {var}.{GRAPHS} AS graphs, {var}.{LEDGER} AS lit, "
        f"[({var})-[{var}_o]->({var}_m) | [type({var}_o), {var}_m.{IRI}, {var}_o.graph]] AS out"
    )


def literals_only(var: str) -> str:
    """RETURN items describing node ``var`` without its relationships (``out`` is empty)."""
    return f"{var}.{IRI} AS iri, {var}.{GRAPHS} AS graphs, {var}.{LEDGER} AS lit, [] AS out"


def nodes_with_value(var: str, prop: str, parameter: str, carry: tuple[str, ...] = ()) -> str:
    """A ``CALL`` subquery binding ``var`` to every resource whose property ``prop`` (unquoted key) equals or,
    when a list, contains ``$parameter``: an index seek, plus the few nodes holding lists (``_mv``). ``carry``
    names variables bound before it that later clauses still need."""
    name = quote_name(prop)
    return (
        f"CALL {{ MATCH ({var}:{RESOURCE}) WHERE {var}.{name} = ${parameter} RETURN {var} "
        f"UNION MATCH ({var}:{RESOURCE}) WHERE {var}.{MULTI} = true "
        f"AND ${parameter} IN {as_list(f'{var}.{name}')} RETURN {var} }} WITH {', '.join((var, *carry))}"
    )


def sensors_subquery(var: str = "s") -> str:
    """A ``CALL`` subquery binding ``var`` to every node typed ``cps:Sensor`` or ``cps:EnvironmentalSensor``
    (label scans, not a scan of every resource)."""
    first, second = SENSOR_LABELS
    return (
        f"CALL {{ MATCH ({var}:{first}) RETURN {var} UNION MATCH ({var}:{second}) RETURN {var} }} WITH {var}"
    )


def in_box_condition(var: str) -> str:
    """A predicate: ``var``'s ``wgs:lat``/``wgs:long`` lie in the box ``$minLon`` … ``$maxLat``."""
    return f"{var}.{LAT} >= $minLat AND {var}.{LAT} <= $maxLat AND {var}.{LONG} >= $minLon AND {var}.{LONG} <= $maxLon"


def is_sensor(var: str) -> str:
    """A predicate: ``var`` is typed as a sensor."""
    first, second = SENSOR_LABELS
    return f"({var}:{first} OR {var}:{second})"


# -- statements --------------------------------------------------------------------------------------------

DESCRIBE_BY_KEY: Final = f"UNWIND $keys AS k MATCH (n:{RESOURCE} {{{IRI}: k}}) RETURN {describe('n')}"
LITERALS_BY_KEY: Final = f"UNWIND $keys AS k MATCH (n:{RESOURCE} {{{IRI}: k}}) RETURN {literals_only('n')}"


@functools.cache
def describe_label(class_iri: str) -> str:
    """Every node typed ``class_iri`` (by its label), described."""
    return f"MATCH (n:{label(class_iri)}) RETURN {describe('n')}"


# entities and identifiers


@functools.cache
def holders_of_value(prop_iri: str) -> str:
    """Resources whose literal ``prop_iri`` is ``$value`` (literals only: the caller re-checks the exact term),
    with the resources that ``cps:hasIdentifier`` them."""
    return (
        f"{nodes_with_value('n', property_key(prop_iri), 'value')} "
        f"RETURN {describe('n')}, [(n)<-[h_r:{HAS_IDENTIFIER}]-(h_s) | [h_s.{IRI}, h_r.graph]] AS holders"
    )


CORRESPONDENCES: Final = (
    f"UNWIND $keys AS k MATCH (n:{RESOURCE} {{{IRI}: k}}) "
    f"RETURN n.{IRI} AS iri, [(n)-[c_r:{CORRESPONDS_TO}]->(c_t) | [c_t.{IRI}, c_r.graph]] AS outgoing, "
    f"[(n)<-[d_r:{CORRESPONDS_TO}]-(d_s) | [d_s.{IRI}, d_r.graph]] AS incoming"
)

INCOMING_PAGE: Final = (
    f"MATCH (n:{RESOURCE} {{{IRI}: $iri}})<-[r]-(m:{RESOURCE}) "
    f"RETURN type(r) AS type, m.{IRI} AS source, r.graph AS graph "
    "ORDER BY type, source, graph SKIP $offset LIMIT $limit"
)

# sensors


@functools.cache
def sensor_candidates(
    by_district: bool, by_dong: bool, by_platform: bool, by_property: bool, in_box: bool
) -> str:
    """Sensors that may meet the criteria (a superset: the embedded query code decides on them), described,
    with their district and dong."""
    clauses: list[str] = []
    if by_district:
        clauses.append(nodes_with_value("d", property_key(CPS_NS + "districtCode"), "districtCode"))
        clauses.append(f"MATCH (s:{RESOURCE})-[:{IN_DISTRICT}]->(d)")
    if by_dong:
        carry = ("s",) if by_district else ()
        clauses.append(nodes_with_value("g", property_key(CPS_NS + "dongCode"), "dongCode", carry))
        clauses.append(f"MATCH (s:{RESOURCE})-[:{IN_DONG}]->(g)")
    if not by_district and not by_dong:
        clauses.append(sensors_subquery("s"))
    if by_platform:
        clauses.append(f"MATCH (s)-[:{HOSTED_ON}]->(:{RESOURCE} {{{IRI}: $platform}})")
    if by_property:
        clauses.append(f"MATCH (s)-[:{OBSERVES}]->(:{RESOURCE} {{{IRI}: $property}})")
    # Conditions after WITH: FalkorDB fails on pattern predicates and filters right after a CALL subquery.
    conditions = [is_sensor("n")]
    if in_box:
        conditions.append(in_box_condition("n"))
    clauses.append("WITH DISTINCT s AS n WHERE " + " AND ".join(conditions))
    clauses.append(f"RETURN {describe('n')}")
    return " ".join(clauses)


LATEST_OBSERVATIONS: Final = (
    f"UNWIND $keys AS k MATCH (s:{RESOURCE} {{{IRI}: k}})<-[:{MADE_BY_SENSOR}]-(o:{RESOURCE}) "
    f"WHERE NOT o:{BLANK} AND o.{RESULT_TIME_INSTANT} IS NOT NULL "
    f"MATCH (o)-[:{OBSERVED_PROPERTY}]->(p:{RESOURCE}) WHERE NOT p:{BLANK} "
    f"WITH k, o, min(p.{IRI}) AS first, collect(p.{IRI}) AS props "
    "WHERE $property IS NULL OR $property IN props "
    "WITH k, o, CASE WHEN $property IS NULL THEN first ELSE $property END AS observed "
    f"ORDER BY o.{RESULT_TIME_INSTANT} DESC, o.{IRI} DESC "
    f"WITH k, observed, collect(o.{IRI}) AS ranked "
    "RETURN k AS sensor, observed, ranked[0] AS best"
)

SENSOR_DATASETS: Final = (
    f"UNWIND $keys AS k MATCH (s:{RESOURCE} {{{IRI}: k}}) "
    f"CALL {{ WITH s OPTIONAL MATCH (o)-[r:{MADE_BY_SENSOR}]->(s) RETURN collect(DISTINCT r.graph) AS observed }} "
    f"RETURN {describe('s')}, observed"
)

SENSOR_COUNTS: Final = (
    f"{sensors_subquery('s')} MATCH (s)-[:{IN_DISTRICT}]->(d:{RESOURCE}) WHERE NOT d:{BLANK} "
    f"RETURN d.{IRI} AS district, null AS platform, null AS property, count(DISTINCT s) AS n"
)
SENSOR_COUNTS_BY_PLATFORM: Final = (
    f"{sensors_subquery('s')} MATCH (s)-[:{IN_DISTRICT}]->(d:{RESOURCE}) WHERE NOT d:{BLANK} "
    f"MATCH (s)-[:{HOSTED_ON}]->(p:{RESOURCE}) WHERE NOT p:{BLANK} "
    f"RETURN d.{IRI} AS district, p.{IRI} AS platform, null AS property, count(DISTINCT s) AS n"
)
SENSOR_COUNTS_BY_PROPERTY: Final = (
    f"{sensors_subquery('s')} MATCH (s)-[:{IN_DISTRICT}]->(d:{RESOURCE}) WHERE NOT d:{BLANK} "
    f"MATCH (s)-[:{OBSERVES}]->(p:{RESOURCE}) WHERE NOT p:{BLANK} "
    f"RETURN d.{IRI} AS district, null AS platform, p.{IRI} AS property, count(DISTINCT s) AS n"
)

# spatial objects


@functools.cache
def spatial_candidates(by_district: bool, by_use: bool, kind_label: str | None, in_box: bool) -> str:
    """A chunk of spatial objects (by IRI, after ``$after``) that may meet the criteria, described, with what
    their records and containment tests read."""
    clauses: list[str] = []
    spatial = label(CPS_NS + "SpatialObject")
    if by_district:
        clauses.append(nodes_with_value("d", property_key(CPS_NS + "districtCode"), "districtCode"))
        clauses.append(f"MATCH (o:{spatial})-[:{IN_DISTRICT}]->(d)")
    else:
        clauses.append(f"MATCH (o:{spatial})")
    conditions = [f"o.{IRI} > $after", f"NOT o:{BLANK}"]
    if by_use:
        use = key(CPS_NS + "buildingUse")
        conditions.append(f"(o.{use} = $use OR (o.{MULTI} = true AND $use IN {as_list(f'o.{use}')}))")
    if kind_label is not None:
        conditions.append(f"o:{quote_name(kind_label)}")
    if in_box:
        conditions.append(in_box_condition("o"))
    clauses.append("WHERE " + " AND ".join(conditions))
    clauses.append(f"WITH DISTINCT o AS n ORDER BY n.{IRI} LIMIT $chunk")
    clauses.append(f"RETURN {describe('n')}")
    return " ".join(clauses)


# observations

_WINDOW: Final = (
    f"o.{RESULT_TIME_INSTANT} >= $start AND o.{RESULT_TIME_INSTANT} < $end "
    f"AND (o.{RESULT_TIME_INSTANT} > $afterTime OR (o.{RESULT_TIME_INSTANT} = $afterTime AND o.{IRI} > $afterObs))"
)
_OF_PROPERTY: Final = f"MATCH (o)-[:{OBSERVED_PROPERTY}]->(:{RESOURCE} {{{IRI}: $property}})"


@functools.cache
def observation_candidates(by_district: bool, newest_first: bool, limited: bool, described: bool) -> str:
    """Observations in the window, in time order (then IRI), after the keyset cursor; described fully, or
    only with what the aggregates read (their literals, sensor and property)."""
    if by_district:
        scope = (
            nodes_with_value("d", property_key(CPS_NS + "districtCode"), "districtCode")
            + f" MATCH (d)<-[:{IN_DISTRICT}]-(:{RESOURCE})<-[:{MADE_BY_SENSOR}]-(o:{RESOURCE})"
        )
    else:
        scope = f"MATCH (:{RESOURCE} {{{IRI}: $sensor}})<-[:{MADE_BY_SENSOR}]-(o:{RESOURCE})"
    order = "DESC" if newest_first else "ASC"
    text = (
        f"{scope} WHERE {_WINDOW} {_OF_PROPERTY} "
        f"WITH DISTINCT o AS n ORDER BY n.{RESULT_TIME_INSTANT} {order}, n.{IRI} {order}"
    )
    if limited:
        text += " LIMIT $limit"
    if described:
        return text + f" RETURN {describe('n')}, n.{RESULT_TIME_INSTANT} AS instant"
    return (
        text + f" RETURN n.{IRI} AS iri, n.{GRAPHS} AS graphs, n.{LEDGER} AS lit, "
        f"[(n)-[n_o:{MADE_BY_SENSOR}|{OBSERVED_PROPERTY}]->(n_m) | [type(n_o), n_m.{IRI}, n_o.graph]] AS out"
    )


DISTRICT_SCOPE: Final = f"{nodes_with_value('n', property_key(CPS_NS + 'districtCode'), 'districtCode')} RETURN {literals_only('n')}"
#: The districts of sensors (one row per link: a record over 64 KB hangs FalkorDB's Bolt layer).
SENSOR_DISTRICTS: Final = (
    f"UNWIND $keys AS k MATCH (s:{RESOURCE} {{{IRI}: k}})-[r:{IN_DISTRICT}]->(d:{RESOURCE}) "
    f"RETURN s.{IRI} AS source, d.{IRI} AS target, r.graph AS graph"
)

# organisation, ontology, standards

ORGANISATION_NODES: Final = (
    f"MATCH (n:{RESOURCE})-[:{TYPE}]->(c:{RESOURCE}) WHERE c.{IRI} IN $classes "
    f"WITH DISTINCT n RETURN {describe('n')}"
)
SUBMISSION_TIMES: Final = (
    f"MATCH (s:{RESOURCE})-[:{TARGET_DATASET}]->(d:{RESOURCE}) "
    f"RETURN DISTINCT s.{IRI} AS submission, d.{IRI} AS dataset, "
    f"s.`{instant_key(SUBMITTED_AT)}` AS submitted, s.`{instant_key(STARTED_AT)}` AS started, "
    f"size([e IN coalesce(s.{LEDGER}, []) WHERE e CONTAINS $submittedKey OR e CONTAINS $startedKey]) AS times"
)
SENSORS_PER_GRAPH: Final = (
    f"MATCH (s:{RESOURCE})-[t:{TYPE}]->(c:{RESOURCE}) WHERE c.{IRI} IN $classes "
    "RETURN t.graph AS graph, count(DISTINCT s) AS n"
)
ONTOLOGY_HEADERS: Final = describe_label("http://www.w3.org/2002/07/owl#Ontology")
ONTOLOGY_TERMS: Final = (
    f"MATCH (n:{RESOURCE})-[:{TYPE}]->(c:{RESOURCE}) WHERE c.{IRI} IN $types AND n.{IRI} STARTS WITH $namespace "
    f"WITH DISTINCT n RETURN n.{IRI} AS iri, n.{GRAPHS} AS graphs, n.{LEDGER} AS lit, "
    f"[(n)-[n_o:{TYPE}]->(n_m) | [type(n_o), n_m.{IRI}, n_o.graph]] AS out"
)


@functools.cache
def alignments(rel_types: tuple[str, ...]) -> str:
    """Relationships of the given types (quoted) from ontology terms to IRIs outside the ontology."""
    return (
        f"MATCH (a:{RESOURCE})-[r:{'|'.join(rel_types)}]->(b:{RESOURCE}) "
        f"WHERE a.{IRI} STARTS WITH $namespace AND NOT b.{IRI} STARTS WITH $namespace AND NOT b:{BLANK} "
        f"RETURN a.{IRI} AS subject, type(r) AS type, b.{IRI} AS object, r.graph AS graph"
    )


# paths

NEIGHBOURS: Final = (
    f"UNWIND $keys AS k MATCH (n:{RESOURCE} {{{IRI}: k}}) "
    "CALL { WITH n "
    f"MATCH (n)-[r]->(m:{RESOURCE}) WHERE NOT type(r) IN $skipped AND NOT m:{BLANK} "
    f"RETURN DISTINCT 'out' AS direction, type(r) AS type, m.{IRI} AS other LIMIT $cap "
    "UNION WITH n "
    f"MATCH (n)<-[r]-(m:{RESOURCE}) WHERE NOT type(r) IN $skipped AND NOT m:{BLANK} "
    f"RETURN DISTINCT 'in' AS direction, type(r) AS type, m.{IRI} AS other LIMIT $cap }} "
    "RETURN k AS node, direction, type, other"
)
