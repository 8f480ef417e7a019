"""The rule engine: rule model, YARRRML front end, rule checks, function library, executor, façade.

Tables are built directly as :class:`SourceTable` objects (string columns plus ``__row``), except where a test
is about the whole path from file bytes (``map_file``), which uses the source readers.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from rdflib import Literal, URIRef

from kg_service.errors import MappingRuleError
from kg_service.mapping.engine import load_rules, map_file
from kg_service.mapping.executor import distinct_lines, execute
from kg_service.mapping.functions import function_library, resolve_function
from kg_service.mapping.located_yaml import MAX_RULE_FILE_BYTES
from kg_service.mapping.mapping_result import MappingResult
from kg_service.mapping.rule_check import RuleCheckError, check_rules, find_rule_issues, load_ontology_terms
from kg_service.mapping.rules import (
    KGF,
    NATURAL_DATATYPE_PREFIX,
    FunctionCall,
    Reference,
    RuleSet,
    SourceLocation,
    Template,
    TemplateColumn,
    TemplateText,
)
from kg_service.mapping.source_table import ROW_COLUMN, SourceTable
from kg_service.mapping.yarrrml import load_yarrrml

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "mapping"
SDOT_RULES = FIXTURES / "sdot_hourly_test.yaml"
SHARED = Path(os.environ.get("KG_SHARED_DIR", REPO.parent / "shared"))
SDOT_HEAD = (
    SHARED / "reference" / "seoul-sdot" / "S-DoT_Data_Analysis_Basic" / "sdot_20200507.head300.euc-kr.csv"
)

CPS = "https://data.seoul.go.kr/cps/ontology#"
ID = "https://data.seoul.go.kr/cps/id/"
SOSA = "http://www.w3.org/ns/sosa/"
UNIT = "http://qudt.org/vocab/unit/"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"

RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DECIMAL = URIRef(XSD_NS + "decimal")
XSD_DATETIME = URIRef(XSD_NS + "dateTime")

CANONICAL_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?\+09:00$")
CANONICAL_DECIMAL = re.compile(r"^-?(0|[1-9]\d*)\.(0|\d*[1-9])$")

FIXTURE_TERMS = frozenset(
    CPS + name
    for name in [
        "EnvironmentalSensor",
        "sdotSerial",
        "unit",
        "PM10",
        "PM25",
        "PM10Corrected",
        "PM25Corrected",
        "AirTemperature",
        "BlackGlobeTemperature",
        "RelativeHumidity",
        "WindDirection",
        "GustDirection",
        "WindSpeed",
        "GustSpeed",
        "Illuminance",
        "UVIndex",
        "NoiseLevel",
        "VibrationX",
        "VibrationY",
        "VibrationZ",
        "VibrationXMax",
        "VibrationYMax",
        "VibrationZMax",
    ]
)
"""The cps: terms the S-DoT fixture uses (used when ontology/ is not there yet)."""


def table(columns: Mapping[str, Sequence[str | None]], *, file: str = "data.csv") -> SourceTable:
    """A source table of string columns, rows numbered from 1."""
    frame = pl.DataFrame(
        {name: pl.Series(name, list(values), dtype=pl.String) for name, values in columns.items()}
    )
    height = frame.height if frame.width else 0
    frame = frame.with_columns(pl.int_range(1, height + 1, dtype=pl.UInt32).alias(ROW_COLUMN))
    return SourceTable(file, frame, list(columns))


def run(rules: str, source: SourceTable, **kwargs: object) -> MappingResult:
    """Load YARRRML text, check it against the table's header, execute."""
    rule_set = load_yarrrml(rules, file="rules.yaml")
    check_rules(rule_set, source_columns=source.columns)
    return execute(rule_set, source, **kwargs)  # type: ignore[arg-type]


def lines(result: MappingResult) -> list[str]:
    return result.ntriples.decode("utf-8").splitlines()


HEADER = """
prefixes:
  ex: http://example.com/
sources:
  rows: {access: data.csv, referenceFormulation: csv}
"""


@pytest.fixture(scope="module")
def ontology_terms() -> frozenset[str]:
    ontology = REPO / "ontology"
    if (ontology / "core.ttl").exists() and (ontology / "observable-properties.ttl").exists():
        return load_ontology_terms(ontology)
    return FIXTURE_TERMS


# --- the rule model -------------------------------------------------------------------------------------------------


def test_locations_do_not_take_part_in_equality() -> None:
    a = Reference(column="시리얼", term_type="literal", location=SourceLocation("a.yaml", 3, 5))
    b = Reference(column="시리얼", term_type="literal", location=SourceLocation("b.ttl"))
    assert a == b and hash(a) == hash(b)
    assert str(a.location) == "a.yaml line 3, column 5"
    assert a.location.ko() == "a.yaml 3행 5열"


def test_yarrrml_shortcuts_and_long_forms_compile_to_the_same_model() -> None:
    short = load_yarrrml(
        HEADER
        + """
mappings:
  thing:
    sources: rows
    s: ex:thing/$(id)
    po:
      - [a, ex:Thing]
      - [ex:value, $(v), xsd:decimal]
      - [ex:label, $(name), ko~lang]
      - [ex:link, $(url)~iri]
""",
        file="short.yaml",
    )
    long = load_yarrrml(
        HEADER
        + """
mappings:
  thing:
    sources: rows
    subjects: http://example.com/thing/$(id)
    predicateobjects:
      - predicates: rdf:type
        objects: {value: ex:Thing, type: iri}
      - p: ex:value
        o: {value: $(v), datatype: xsd:decimal}
      - p: ex:label
        o: {value: $(name), language: ko}
      - p: ex:link
        o: {value: $(url), type: iri}
""",
        file="long.yaml",
    )
    assert short.triples_maps[0].classes == long.triples_maps[0].classes == ("http://example.com/Thing",)
    assert short.triples_maps[0].predicate_objects == long.triples_maps[0].predicate_objects
    assert (
        short.triples_maps[0].subject
        == long.triples_maps[0].subject
        == Template(parts=(TemplateText("http://example.com/thing/"), TemplateColumn("id")))
    )


def test_yarrrml_function_forms_and_parameter_names() -> None:
    rules = load_yarrrml(
        HEADER
        + """
mappings:
  m:
    sources: rows
    s: ex:$(id)
    po:
      - p: ex:t1
        o:
          function: kgf:scale
          parameters:
            - [kgf:value, $(기온 (℃))]
            - [factor, 0.1]
            - parameter: offset
              value: -100
      - p: ex:t2
        o: {function: "kgf:scale($(기온 (℃)), 0.1, offset=-100)"}
      - [ex:t3, "kgf:scale($(기온 (℃)), 0.1, -100)"]
""",
        file="f.yaml",
    )
    objects = [pom.objects[0] for pom in rules.triples_maps[0].predicate_objects]
    assert all(isinstance(o, FunctionCall) for o in objects)
    assert objects[0] == objects[1] == objects[2]
    call = objects[0]
    assert isinstance(call, FunctionCall)
    assert call.function == KGF + "scale"
    assert [a.parameter for a in call.arguments] == ["value", "factor", "offset"]
    assert call.datatype == XSD_NS + "decimal"
    assert call.argument("value") == Reference(column="기온 (℃)", term_type="literal")


def test_column_names_with_parentheses_and_declared_columns() -> None:
    rules = load_yarrrml(
        HEADER
        + """
columns: ["진동(x", "초미세먼지 (㎍/㎥)"]
mappings:
  m:
    sources: rows
    s: ex:$(초미세먼지 (㎍/㎥))/$(진동(x)
    po:
      - [ex:p, $(진동(x)]
""",
        file="cols.yaml",
    )
    tm = rules.triples_maps[0]
    assert isinstance(tm.subject, Template)
    assert tm.subject.columns == ("초미세먼지 (㎍/㎥)", "진동(x")
    assert tm.predicate_objects[0].objects[0] == Reference(column="진동(x", term_type="literal")


# --- YARRRML errors with line numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mappings:\n  a:\n    s: [x\n", r"rules\.yaml line 4, column 1: YAML syntax error"),
        (
            "prefixs:\n  ex: http://e/\nmappings: {}\n",
            r"line 1, column 1: unknown key 'prefixs'.*did you mean 'prefixes'",
        ),
        (
            HEADER + "mappings:\n  a:\n    sources: rows\n    s: nope:x/$(id)\n",
            r"line 9, column 8: unknown prefix 'nope:'",
        ),
        (
            HEADER + "mappings:\n  a:\n    sources: rows\n    s: ex:x/$(id\n",
            r"line 9.*'\$\(' at character \d+ has no matching",
        ),
        (HEADER + "mappings:\n  a:\n    sources: rows\n    s: ex:x/$()\n", r"line 9.*empty reference"),
        (
            HEADER + "mappings:\n  a:\n    sources: rows\n    pos: []\n",
            r"line 9, column 5: unknown key 'pos'.*did you mean 'po'",
        ),
        ("mappings:\n  a: {}\n  a: {}\n", r"line 3, column 3: key 'a' appears twice"),
        (
            HEADER + "mappings:\n  a:\n    sources: nowhere\n    s: ex:x\n",
            r"line 8.*unknown source 'nowhere'",
        ),
        ("- just\n- a list\n", r"must be a YAML mapping"),
        (HEADER, r"has no mappings"),
    ],
)
def test_yarrrml_errors_name_file_and_line(text: str, expected: str) -> None:
    with pytest.raises(MappingRuleError, match=expected) as caught:
        load_yarrrml(text, file="rules.yaml")
    assert caught.value.message_ko and caught.value.hint


def test_yaml_bombs_are_refused() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    started = time.perf_counter()
    with pytest.raises(MappingRuleError, match="aliases"):
        load_yarrrml(bomb, file="bomb.yaml")
    assert time.perf_counter() - started < 1.0


def test_huge_and_deep_rule_files_are_refused() -> None:
    huge = "mappings:\n" + "".join(f"  m{i}: {{s: http://e/{i}}}\n" for i in range(MAX_RULE_FILE_BYTES // 20))
    with pytest.raises(MappingRuleError, match="the limit is"):
        load_yarrrml(huge, file="huge.yaml")
    deep = "a: " + "[" * 200 + "]" * 200 + "\n"
    with pytest.raises(MappingRuleError, match="nesting deeper"):
        load_yarrrml(deep, file="deep.yaml")


def test_load_rules_by_extension(tmp_path: Path) -> None:
    assert load_rules(SDOT_RULES).name == "sdot-hourly-test"
    ttl = tmp_path / "m.ttl"
    ttl.write_text(
        '@prefix rml: <http://w3id.org/rml/> .\n<#m> rml:logicalSource [ rml:source "a.csv" ; '
        'rml:referenceFormulation rml:CSV ] ; rml:subjectMap [ rml:template "http://e/{id}" ] .\n',
        encoding="utf-8",
    )
    assert load_rules(ttl).triples_maps[0].subject == Template(
        parts=(TemplateText("http://e/"), TemplateColumn("id")), iri_encoding="iri"
    )
    bad = tmp_path / "m.ttl"
    bad.write_text("@prefix rml: <http://w3id.org/rml/> .\n<#m> rml:logicalSource [ .\n", encoding="utf-8")
    with pytest.raises(MappingRuleError, match="Turtle syntax error"):
        load_rules(bad)
    with pytest.raises(MappingRuleError, match="unknown rule file type"):
        load_rules(tmp_path / "m.json")


# --- rule checks ----------------------------------------------------------------------------------------------------


def test_rule_checks_report_every_problem_with_location(ontology_terms: frozenset[str]) -> None:
    rules = load_yarrrml(
        HEADER
        + """
required: [시리얼, 측정시간]
mappings:
  m:
    sources: rows
    s: ex:$(시리얼)
    po:
      - [ex:p, $(미세먼지(㎍/㎥))]
      - [ex:q, "kgf:nope($(시리얼))"]
      - [ex:r, "kgf:koreanDateHour($(date))"]
      - [ex:s, "kgf:decimal($(시리얼), extra=1)"]
      - [ex:t, "kgf:scale($(시리얼), $(시리얼))"]
      - [ex:u, "kgf:lookup($(시리얼), no-such-table)"]
      - [ex:v, "kgf:wktToWgs84($(시리얼), WGS84)"]
      - [cps:notAProperty, $(시리얼)]
      - [a, cps:NotAClass]
      - [ex:w, $(시리얼), a-english~lang]
  n:
    sources: rows
    s: {value: $(시리얼), type: literal}
    po:
      - p: ex:x
        o: {mapping: nothing}
""",
        file="mappings/x.yaml",
    )
    issues = find_rule_issues(
        rules, ontology_terms=ontology_terms, source_columns=["시리얼", "date", "미세먼지 (㎍/㎥)"]
    )
    text = "\n".join(str(i) for i in issues)
    expected = [
        r"required column '측정시간' is missing",
        r"unknown column '미세먼지\(㎍/㎥\)' at mappings/x\.yaml line 13, column \d+; did you mean '미세먼지 \(㎍/㎥\)'\?",
        r"unknown function 'kgf:nope' at mappings/x\.yaml line 14",
        r"kgf:koreanDateHour needs hour \(1 argument\(s\) given, 2 required\) at mappings/x\.yaml line 15",
        r"kgf:decimal has no parameter 'extra'",
        r"parameter 'factor' of kgf:scale must be a constant",
        r"kgf:lookup table: unknown code table 'no-such-table'",
        r"kgf:wktToWgs84 epsg: 'WGS84' is not an EPSG code",
        r"predicate cps:notAProperty is not declared in the ontology",
        r"class cps:NotAClass is not declared in the ontology",
        r"'a-english' is not a valid language tag",
        r"a subject cannot be a literal",
        r"unknown mapping 'nothing'",
    ]
    for pattern in expected:
        assert re.search(pattern, text), f"missing: {pattern}\n{text}"
    with pytest.raises(RuleCheckError) as caught:
        check_rules(rules, ontology_terms=ontology_terms, source_columns=["시리얼", "date"])
    assert caught.value.issues and "매핑 규칙에 문제" in caught.value.message_ko
    assert "행" in caught.value.message_ko


def test_sdot_fixture_passes_the_checks(ontology_terms: frozenset[str]) -> None:
    rules = load_rules(SDOT_RULES)
    assert find_rule_issues(rules, ontology_terms=ontology_terms, source_columns=rules.declared_columns) == []


def test_join_between_sources_needs_a_condition() -> None:
    rules = load_yarrrml(
        """
sources:
  a: [a.csv~csv]
  b: [b.csv~csv]
mappings:
  x:
    sources: a
    s: http://e/x/$(id)
    po:
      - p: http://e/y
        o: {mapping: y}
  y:
    sources: b
    s: http://e/y/$(id)
""",
        file="j.yaml",
    )
    assert any("a join condition is needed" in str(i) for i in find_rule_issues(rules))


# --- the function library -------------------------------------------------------------------------------------------


def call(function: str, **arguments: str | Sequence[str | None]) -> tuple[list[str | None], MappingResult]:
    """Map one value per row through a function; return the objects (lexical forms) and the result."""
    columns = {k: v for k, v in arguments.items() if not isinstance(v, str)}
    constants = {k: v for k, v in arguments.items() if isinstance(v, str)}
    params = "".join(f"\n            - [{k}, $({k})]" for k in columns) + "".join(
        f'\n            - [{k}, "{v}"]' for k, v in constants.items()
    )
    rows = len(next(iter(columns.values())))
    source = table({"i": [str(i) for i in range(rows)], **columns})
    result = run(
        HEADER
        + f"""
mappings:
  m:
    sources: rows
    s: ex:r/$(i)
    po:
      - p: ex:v
        o:
          function: kgf:{function}
          parameters:{params}
""",
        source,
    )
    graph = result.to_rdflib_graph()
    values: list[str | None] = []
    for i in range(rows):
        found = list(graph.objects(URIRef(f"http://example.com/r/{i}"), URIRef("http://example.com/v")))
        values.append(str(found[0]) if found else None)
    return values, result


def test_decimal_is_canonical_and_reports_unreadable_cells() -> None:
    values, result = call("decimal", value=["12", "-3.250", " 1,234.5 ", "+.5", "-0.0", "x", "", None, "1,2"])
    assert values == ["12.0", "-3.25", "1234.5", "0.5", "0.0", None, None, None, None]
    problems = {(p.row, p.column, p.value, p.code) for p in result.problems}
    assert problems == {(6, "value", "x", "not-a-number"), (9, "value", "1,2", "not-a-number")}
    assert all(p.severity == "error" and "십진수" in p.message_ko for p in result.problems)
    typed = [o for o in result.to_rdflib_graph().objects() if isinstance(o, Literal)]
    assert {o.datatype for o in typed} == {XSD_DECIMAL}


def test_non_negative_decimal_blank_is_silent_negative_warns() -> None:
    values, result = call("nonNegativeDecimal", value=["5", "-1.5", "", "n/a", "0"])
    assert values == ["5.0", None, None, None, "0.0"]
    by_row = {p.row: (p.code, p.severity) for p in result.problems}
    assert by_row == {2: ("negative-means-missing", "warning"), 4: ("not-a-number", "error")}


def test_scale_uses_exact_decimal_arithmetic() -> None:
    values, _ = call("scale", value=["1234", "500", "0", "1999"], factor="0.1", offset="-100")
    assert values == ["23.4", "-50.0", "-100.0", "99.9"]


def test_integer() -> None:
    values, result = call("integer", value=["+007", "1,234", "12.0", "-0", "1.5"])
    assert values == ["7", "1234", "12", "0", None]
    assert [p.row for p in result.problems] == [5]


def test_korean_date_hour() -> None:
    values, result = call(
        "koreanDateHour",
        date=["2020.5.1", "2020-05-01", "20200501", "2020.2.30", "2020.5.1", "2020.5.1"],
        hour=["13", "0", "23", "1", "24", "25"],
    )
    assert values == [
        "2020-05-01T13:00:00+09:00",
        "2020-05-01T00:00:00+09:00",
        "2020-05-01T23:00:00+09:00",
        None,
        "2020-05-02T00:00:00+09:00",
        None,
    ]
    assert {(p.row, p.column, p.code) for p in result.problems} == {
        (4, "date", "not-a-date"),
        (6, "hour", "not-an-hour"),
    }


def test_compact_underscore_and_iso_date_times() -> None:
    values, result = call("compactDateTime", value=["202105111500", "2021051115", "20210511", "202113011500"])
    assert values == ["2021-05-11T15:00:00+09:00", "2021-05-11T15:00:00+09:00", None, None]
    assert len(result.problems) == 2
    values, _ = call("underscoreDateTime", value=["2025-07-14_23:07:00", "2025-07-14 23:07"])
    assert values == ["2025-07-14T23:07:00+09:00", "2025-07-14T23:07:00+09:00"]
    values, result = call(
        "isoDateTime",
        value=[
            "2021-05-11T06:00Z",
            "2021-05-11T15:00:00.500+09:00",
            "2021-05-11T15:00",
            "2021-05-11 15:00:00",
        ],
    )
    assert values == [
        "2021-05-11T15:00:00+09:00",
        "2021-05-11T15:00:00.5+09:00",
        "2021-05-11T15:00:00+09:00",
        "2021-05-11T15:00:00+09:00",
    ]
    assert all(v is None or CANONICAL_DATETIME.match(v) for v in values)


def test_lookups_built_in_and_from_the_rule_file() -> None:
    values, result = call(
        "lookup",
        value=["Dongjak-gu", "dongjak gu", "Jongno", "Atlantis"],
        table="district-code-by-romanised-name",
    )
    assert values == ["11590", "11590", "11110", None]
    assert result.problems[0].code == "not-in-code-table"
    values, _ = call(
        "lookup", value=["종로구", "서울시 종로구", "서울특별시 강동구"], table="district-code-by-korean-name"
    )
    assert values == ["11110", "11110", "11740"]
    values, _ = call("lookup", value=["도심권", "동남권", "south-west"], table="air-quality-zone")
    assert values == ["central", "south-east", "south-west"]
    source = table({"i": ["1", "2"], "grade": ["좋음", "없음"]})
    result = run(
        HEADER
        + """
lookups:
  grade: {좋음: good, 보통: moderate}
mappings:
  m:
    sources: rows
    s: ex:r/$(i)
    po:
      - [ex:grade, "kgf:lookup($(grade), grade)"]
""",
        source,
    )
    assert lines(result) == ['<http://example.com/r/1> <http://example.com/grade> "good" .']
    assert [(p.row, p.value) for p in result.problems] == [(2, "없음")]


def test_all_25_districts_are_in_both_tables() -> None:
    from kg_service.mapping.function_library.lookups import SEOUL_DISTRICTS

    assert len(SEOUL_DISTRICTS) == 25
    romanised = [name for _, _, name in SEOUL_DISTRICTS]
    korean = [name for _, name, _ in SEOUL_DISTRICTS]
    assert call("lookup", value=romanised, table="district-code-by-romanised-name")[0] == [
        c for c, _, _ in SEOUL_DISTRICTS
    ]
    assert call("lookup", value=korean, table="district-code-by-korean-name")[0] == [
        c for c, _, _ in SEOUL_DISTRICTS
    ]


def test_geometry_functions() -> None:
    values, result = call("wktToWgs84", wkt=["POINT(198056.6 551885.2)", "POINT (x y)"], epsg="EPSG:5186")
    assert values[0] is not None and values[0].startswith(
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT ("
    )
    lon, lat = map(float, values[0].split("POINT (")[1].rstrip(")").split())
    assert 126.9 < lon < 127.1 and 37.5 < lat < 37.6
    assert values[1] is None and result.problems[0].code == "not-a-geometry"
    graph = result.to_rdflib_graph()
    assert {o.datatype for o in graph.objects() if isinstance(o, Literal)} == {
        URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
    }
    values, result = call("pointWkt", lon=["126.9780", "200"], lat=["37.5665", "37"])
    assert values == ["<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(126.978 37.5665)", None]
    assert result.problems[0].column == "lon"
    values, _ = call("inSeoul", lon=["126.978", "129.07"], lat=["37.5665", "35.18"])
    assert values == ["true", "false"]


def test_text_functions() -> None:
    assert call("lower", value=["Dongjak-GU"])[0] == ["dongjak-gu"]
    assert call("upper", value=["v02q"])[0] == ["V02Q"]
    assert call("trim", value=["  종로구 "])[0] == ["종로구"]
    assert call("slug", value=["Seoul Air / 대기 2020"])[0] == ["seoul-air-대기-2020"]
    assert call("localName", value=[CPS + "PM10"])[0] == ["PM10"]
    assert call("formatDateTime", value=["2020-05-01T13:00:00+09:00"], pattern="%Y%m%dT%H")[0] == [
        "20200501T13"
    ]


def test_every_function_is_documented() -> None:
    readme = (REPO / "mappings" / "README.md").read_text(encoding="utf-8")
    for iri, spec in function_library().items():
        assert spec.summary_en and spec.summary_ko and spec.example, iri
        if iri.startswith(KGF):
            assert f"kgf:{spec.name}" in readme, f"kgf:{spec.name} missing from mappings/README.md"
    assert resolve_function("decimal") is resolve_function(KGF + "decimal")
    assert resolve_function(
        "http://users.ugent.be/~bjdmeest/function/grel.ttl#toUpperCase"
    ) is resolve_function(KGF + "upper")


# --- literals, IRIs, escaping --------------------------------------------------------------------------------------


def test_plain_references_with_datatypes_are_validated() -> None:
    source = table(
        {
            "i": ["1", "2", "3"],
            "n": ["42", "4.2", " 7 "],
            "d": ["1.5", "1,5", "-2"],
            "b": ["true", "yes", "0"],
            "day": ["2020-05-01", "2020-02-30", "2020.5.1"],
            "t": ["2020-05-01T13:00:00+09:00", "2020-05-01 13:00:00+09:00", "2020-05-01T13:00+09:00"],
            "y": ["2020", "20", "2021"],
            "x": ["1.0E3", "abc", "INF"],
        }
    )
    result = run(
        HEADER
        + """
mappings:
  m:
    sources: rows
    s: ex:r/$(i)
    po:
      - [ex:n, $(n), xsd:integer]
      - [ex:d, $(d), xsd:decimal]
      - [ex:b, $(b), xsd:boolean]
      - [ex:day, $(day), xsd:date]
      - [ex:t, $(t), xsd:dateTime]
      - [ex:y, $(y), xsd:gYear]
      - [ex:x, $(x), xsd:double]
""",
        source,
    )
    bad = {(p.row, p.column, p.value) for p in result.problems}
    assert bad == {
        (2, "n", "4.2"),
        (2, "d", "1,5"),
        (2, "b", "yes"),
        (2, "day", "2020-02-30"),
        (3, "day", "2020.5.1"),
        (2, "t", "2020-05-01 13:00:00+09:00"),
        (3, "t", "2020-05-01T13:00+09:00"),
        (2, "y", "20"),
        (2, "x", "abc"),
    }
    assert all(p.code == "invalid-literal" and p.file == "data.csv" for p in result.problems)
    text = result.ntriples.decode()
    assert '"7"^^<http://www.w3.org/2001/XMLSchema#integer>' in text
    assert "13:00:00+09:00 " not in text.replace('"2020-05-01T13:00:00+09:00"', "")
    for line in lines(result):
        assert "2020-05-01 13:00" not in line and "T13:00+09:00" not in line


def test_ntriples_escaping_of_quotes_newlines_and_backslashes() -> None:
    nasty = ['say "hi"', "two\nlines", "back\\slash", "cr\r\n", "탭\tand ünïcode", '"\\n"']
    source = table({"i": [str(i) for i in range(len(nasty))], "v": nasty})
    result = run(
        HEADER + "mappings:\n  m:\n    sources: rows\n    s: ex:r/$(i)\n    po:\n      - [ex:v, $(v)]\n",
        source,
    )
    assert len(lines(result)) == len(nasty)
    graph = result.to_rdflib_graph()
    for i, value in enumerate(nasty):
        assert graph.value(URIRef(f"http://example.com/r/{i}"), URIRef("http://example.com/v")) == Literal(
            value
        )


def test_iri_templates_percent_encode_values() -> None:
    source = table(
        {
            "id": ["V02Q1940043", "종로구 11110", "a/b?c#d", "50%"],
            "url": ["http://ok/x", "not an iri", "rel/x", None],
        }
    )
    result = run(
        HEADER
        + """
base: http://base.example/
mappings:
  m:
    sources: rows
    s: ex:thing/$(id)
    po:
      - [a, ex:Thing]
      - [ex:link, $(url)~iri]
""",
        source,
    )
    subjects = {str(s) for s in result.to_rdflib_graph().subjects()}
    assert subjects >= {
        "http://example.com/thing/V02Q1940043",
        "http://example.com/thing/%EC%A2%85%EB%A1%9C%EA%B5%AC%2011110",
        "http://example.com/thing/a%2Fb%3Fc%23d",
    }
    objects = {str(o) for o in result.to_rdflib_graph().objects(None, URIRef("http://example.com/link"))}
    assert objects == {"http://ok/x", "http://base.example/rel/x"}
    assert [(p.row, p.column, p.code) for p in result.problems] == [(2, "url", "invalid-iri")]
    assert "http://example.com/thing/50%25" in subjects


def test_natural_datatype_companion_columns() -> None:
    source = table(
        {"i": ["1", "2"], "n": ["10", "x"], NATURAL_DATATYPE_PREFIX + "n": [XSD_NS + "integer", None]}
    )
    source.columns.remove(NATURAL_DATATYPE_PREFIX + "n")
    result = run(
        HEADER + "mappings:\n  m:\n    sources: rows\n    s: ex:r/$(i)\n    po:\n      - [ex:n, $(n)]\n",
        source,
    )
    assert sorted(lines(result)) == [
        '<http://example.com/r/1> <http://example.com/n> "10"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        '<http://example.com/r/2> <http://example.com/n> "x" .',
    ]


# --- melt, skips, joins, graphs, dedupe, determinism, lineage ------------------------------------------------------


SDOT_COLUMNS = list(load_rules(SDOT_RULES).declared_columns)


def sdot_rows(n: int, *, seed: int = 1, sensors: int = 850) -> SourceTable:
    """A synthetic S-DoT hourly table shaped like sdot_20200507.csv (all 23 columns)."""
    rng = np.random.default_rng(seed)
    index = np.arange(n)
    data: dict[str, pl.Series] = {
        "시리얼": pl.Series([f"V02Q19{i:05d}" for i in range(sensors)]).gather(index // 24 % sensors),
        "date": pl.Series([f"2020.5.{d}" for d in range(1, 29)]).gather(index // (24 * sensors) % 28),
        "hour": pl.Series([str(h) for h in range(24)]).gather(index % 24),
    }
    for column in SDOT_COLUMNS[3:]:
        data[column] = pl.Series(np.round(rng.random(n) * 100 - 1, 3)).cast(pl.String)
    frame = pl.DataFrame(data).with_columns(pl.int_range(1, n + 1, dtype=pl.UInt32).alias(ROW_COLUMN))
    return SourceTable("sdot_synthetic.csv", frame, SDOT_COLUMNS)


def test_sdot_melt_makes_sosa_observations(ontology_terms: frozenset[str]) -> None:
    rules = load_rules(SDOT_RULES)
    values = {c: ["1.5"] for c in SDOT_COLUMNS[3:]}
    values["미세먼지 (㎍/㎥)"] = ["17.20"]
    values["기온 (℃)"] = [""]
    values["미세먼지 보정 (㎍/㎥)"] = ["-21.7"]
    source = table({"시리얼": ["V02Q1940043"], "date": ["2020.5.1"], "hour": ["13"], **values})
    check_rules(rules, ontology_terms=ontology_terms, source_columns=source.columns)
    result = execute(rules, source)
    graph = result.to_rdflib_graph()
    obs = URIRef(ID + "observation/V02Q1940043/PM10/20200501T13")
    assert graph.value(obs, RDF_TYPE) == URIRef(SOSA + "Observation")
    assert graph.value(obs, URIRef(SOSA + "madeBySensor")) == URIRef(ID + "sensor/V02Q1940043")
    assert graph.value(obs, URIRef(SOSA + "observedProperty")) == URIRef(CPS + "PM10")
    assert graph.value(obs, URIRef(SOSA + "hasSimpleResult")) == Literal("17.2", datatype=XSD_DECIMAL)
    assert graph.value(obs, URIRef(SOSA + "resultTime")) == Literal(
        "2020-05-01T13:00:00+09:00", datatype=XSD_DATETIME
    )
    assert graph.value(obs, URIRef(CPS + "unit")) == URIRef(UNIT + "MicroGM-PER-M3")
    observations = set(graph.subjects(RDF_TYPE, URIRef(SOSA + "Observation")))
    assert len(observations) == 18  # 20 values, one blank, one negative
    assert URIRef(ID + "observation/V02Q1940043/AirTemperature/20200501T13") not in observations
    assert URIRef(ID + "observation/V02Q1940043/PM10Corrected/20200501T13") not in observations
    assert [(p.column, p.code, p.severity) for p in result.problems] == [
        ("미세먼지 보정 (㎍/㎥)", "negative-means-missing", "warning")
    ]
    assert graph.value(URIRef(ID + "sensor/V02Q1940043"), URIRef(CPS + "sdotSerial")) == Literal(
        "V02Q1940043"
    )
    lineage = result.trace([str(obs)])
    assert lineage.to_dicts() == [
        {
            "subject": str(obs),
            "rule": "observation",
            "file": "data.csv",
            "row": 1,
            "column": "미세먼지 (㎍/㎥)",
        }
    ]
    assert result.source_columns[("observation", SOSA + "resultTime")] == ("date", "hour")
    assert "미세먼지 (㎍/㎥)" in result.source_columns[("observation", SOSA + "hasSimpleResult")]


@pytest.mark.skipif(not SDOT_HEAD.exists(), reason=f"S-DoT sample not available at {SDOT_HEAD}")
def test_map_file_on_the_real_sdot_sample(ontology_terms: frozenset[str]) -> None:
    result = map_file(
        SDOT_RULES, SDOT_HEAD.read_bytes(), file_name="sdot_20200507.csv", ontology_terms=ontology_terms
    )
    graph = result.to_rdflib_graph()
    observations = set(graph.subjects(RDF_TYPE, URIRef(SOSA + "Observation")))
    assert len(observations) > 5000
    for literal in graph.objects(None, URIRef(SOSA + "resultTime")):
        assert CANONICAL_DATETIME.match(str(literal))
    for literal in graph.objects(None, URIRef(SOSA + "hasSimpleResult")):
        assert isinstance(literal, Literal) and literal.datatype == XSD_DECIMAL
        assert CANONICAL_DECIMAL.match(str(literal)), literal
    assert not result.has_errors
    assert {p.code for p in result.problems} <= {"negative-means-missing"}
    rows = result.lineage.filter(pl.col("rule") == "sensor")
    assert rows["row"].min() == 1 and rows["file"].cast(pl.String).unique().to_list() == ["sdot_20200507.csv"]


def test_sdot_fixture_rejects_a_file_with_renamed_columns() -> None:
    header = ",".join(c.replace(" (㎍/㎥)", "(㎍/㎥)") for c in SDOT_COLUMNS)
    data = (header + "\n" + ",".join(["V02Q1940043", "2020.5.1", "0"] + ["1"] * 20) + "\n").encode("utf-8")
    with pytest.raises(
        RuleCheckError,
        match=r"unknown column '초미세먼지 \(㎍/㎥\)' at .*; did you mean '초미세먼지\(㎍/㎥\)'",
    ):
        map_file(SDOT_RULES, data, file_name="renamed.csv")


def test_duplicate_rows_produce_each_triple_once_and_output_is_deterministic() -> None:
    source = sdot_rows(2_000, sensors=7)
    doubled = SourceTable(
        "twice.csv",
        pl.concat([source.frame, source.frame]).with_columns(
            pl.int_range(1, 4_001, dtype=pl.UInt32).alias(ROW_COLUMN)
        ),
        source.columns,
    )
    rules = load_rules(SDOT_RULES)
    once = execute(rules, source)
    twice = execute(rules, doubled)
    assert twice.ntriples == once.ntriples
    assert len(set(lines(twice))) == len(lines(twice)) == twice.triple_count
    assert execute(rules, doubled).ntriples == twice.ntriples
    small_batches = execute(rules, doubled, batch_rows=300)
    assert sorted(lines(small_batches)) == sorted(lines(twice))


def test_sink_streams_and_remembers_repeating_lines_across_batches() -> None:
    source = sdot_rows(3_000, sensors=5)
    rules = load_rules(SDOT_RULES)
    sink = io.BytesIO()
    streamed = execute(rules, source, sink=sink, batch_rows=400)
    assert streamed.ntriples == b""
    written = sink.getvalue().decode().splitlines()
    assert len(written) == streamed.triple_count
    in_memory = execute(rules, source)
    assert sorted(written) == sorted(lines(in_memory))
    sensor_type = [line for line in written if line.endswith(f"<{CPS}EnvironmentalSensor> .")]
    assert len(sensor_type) == 5


def test_joins_between_two_sources() -> None:
    rules = load_yarrrml(
        """
prefixes: {ex: "http://example.com/"}
sources:
  systems: [systems.csv~csv]
  departments: [departments.csv~csv]
mappings:
  system:
    sources: systems
    s: ex:system/$(시스템코드)
    po:
      - [ex:name, $(시스템명), ko~lang]
      - p: ex:operatedBy
        o:
          mapping: department
          condition:
            function: equal
            parameters:
              - [str1, $(부서명)]
              - [str2, $(name), o]
  department:
    sources: departments
    s: ex:department/$(code)
    po:
      - [ex:label, $(name)]
""",
        file="inventory.yaml",
    )
    systems = table(
        {
            "시스템코드": ["S1", "S2", "S3"],
            "시스템명": ["교통", "대기", "고아"],
            "부서명": ["교통정책과", "기후환경본부", "없는부서"],
        },
        file="systems.csv",
    )
    departments = table(
        {"code": ["D1", "D2"], "name": ["교통정책과", "기후환경본부"]}, file="departments.csv"
    )
    check_rules(rules, source_columns={"systems": systems.columns, "departments": departments.columns})
    result = execute(rules, {"systems": systems, "departments": departments})
    operated = sorted(line for line in lines(result) if "operatedBy" in line)
    assert operated == [
        "<http://example.com/system/S1> <http://example.com/operatedBy> <http://example.com/department/D1> .",
        "<http://example.com/system/S2> <http://example.com/operatedBy> <http://example.com/department/D2> .",
    ]
    assert ("system", "http://example.com/operatedBy") in result.source_columns
    assert '"교통"@ko' in result.ntriples.decode()


def test_graphs_and_dataset_graph() -> None:
    source = table({"id": ["1"]})
    rules = (
        HEADER
        + """
mappings:
  m:
    sources: rows
    s: ex:r/$(id)
    po:
      - [a, ex:Thing]
      - p: ex:in
        o: ex:x~iri
        g: ex:graph/$(id)
"""
    )
    plain = run(rules, source)
    assert (
        "<http://example.com/r/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.com/Thing> ."
        in lines(plain)
    )
    assert (
        "<http://example.com/r/1> <http://example.com/in> <http://example.com/x> <http://example.com/graph/1> ."
        in lines(plain)
    )
    named = run(rules, source, dataset_graph="https://data.seoul.go.kr/cps/graph/dataset/sdot")
    assert (
        "<http://example.com/r/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.com/Thing> "
        "<https://data.seoul.go.kr/cps/graph/dataset/sdot> ." in lines(named)
    )
    assert set(named.to_rdflib_graphs()) == {
        "https://data.seoul.go.kr/cps/graph/dataset/sdot",
        "http://example.com/graph/1",
    }


def test_skip_when_empty_and_blank_subjects() -> None:
    source = table({"id": ["1", "2", " "], "v": ["a", None, "c"]})
    result = run(
        HEADER
        + """
mappings:
  m:
    sources: rows
    skip_when_empty: [id]
    s: ex:r/$(id)
    po:
      - [ex:v, $(v)]
  b:
    sources: rows
    s: null
    po:
      - p: ex:w
        o: $(v)
        skip_when_empty: [$(v)]
""",
        source,
    )
    graph = result.to_rdflib_graph()
    assert set(graph.subjects(URIRef("http://example.com/v"), None)) == {URIRef("http://example.com/r/1")}
    assert len(set(graph.subjects(URIRef("http://example.com/w"), None))) == 2
    assert result.problems == []


def test_distinct_lines_is_exact() -> None:
    values = pl.Series(["b", "a", "b", "c", "a", "d"])
    assert distinct_lines(values).to_list() == ["b", "a", "c", "d"]


def test_missing_columns_are_a_rule_error_at_execution() -> None:
    rules = load_yarrrml(HEADER + "mappings:\n  m:\n    sources: rows\n    s: ex:$(nope)\n", file="r.yaml")
    with pytest.raises(MappingRuleError, match="does not have: 'nope'"):
        execute(rules, table({"id": ["1"]}))


def test_rule_set_api() -> None:
    rules: RuleSet = load_rules(SDOT_RULES)
    assert rules.source.kind == "csv" and rules.source.encoding == "auto"
    assert rules.triples_map("observation").melt == "measurements"
    assert len(rules.melt("measurements").columns) == 20
    assert rules.melt("measurements").output_columns == (
        "__melt.column",
        "__melt.value",
        "__melt.property",
        "__melt.unit",
    )
    with pytest.raises(KeyError):
        rules.triples_map("nothing")


# --- throughput -----------------------------------------------------------------------------------------------------


class _CountingSink(io.RawIOBase):
    """A binary sink that only counts bytes (so the benchmark measures mapping, not the disk)."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        return len(data)


@pytest.mark.slow
def test_one_million_sdot_rows_throughput() -> None:
    rows = int(os.environ.get("KG_BENCH_ROWS", "1000000"))
    source = sdot_rows(rows)
    rules = load_rules(SDOT_RULES)
    check_rules(rules, source_columns=source.columns)
    sink = _CountingSink()
    started = time.perf_counter()
    result = execute(rules, source, sink=sink)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    rate = result.triple_count / elapsed
    print(
        f"\n{rows:,} S-DoT rows → {result.triple_count:,} triples, {sink.size / 1e9:.1f} GB N-Triples "
        f"in {elapsed:.1f} s = {rate:,.0f} triples/s ({len(result.problems)} problems listed)"
    )
    assert result.triple_count > rows * 20 * 5
    assert rate > 500_000


def test_inline_melt_keep_empty_and_melt_column() -> None:
    source = table({"station": ["종로구"], "PM10": ["30"], "PM25": [""]})
    result = run(
        HEADER
        + """
mappings:
  reading:
    sources: rows
    melt:
      columns:
        - {column: PM10, code: pm10}
        - {column: PM25, code: pm25}
      keep_empty: true
    s: ex:reading/$(station)/$(__melt.code)
    po:
      - [ex:column, $(__melt.column)]
      - [ex:value, "kgf:concat($(__melt.value), \\"!\\")"]
""",
        source,
    )
    assert sorted(lines(result)) == [
        '<http://example.com/reading/%EC%A2%85%EB%A1%9C%EA%B5%AC/pm10> <http://example.com/column> "PM10" .',
        '<http://example.com/reading/%EC%A2%85%EB%A1%9C%EA%B5%AC/pm10> <http://example.com/value> "30!" .',
        '<http://example.com/reading/%EC%A2%85%EB%A1%9C%EA%B5%AC/pm25> <http://example.com/column> "PM25" .',
        '<http://example.com/reading/%EC%A2%85%EB%A1%9C%EA%B5%AC/pm25> <http://example.com/value> "!" .',
    ]
    lineage = result.lineage.sort("column")
    assert lineage["column"].cast(pl.String).to_list() == ["PM10", "PM25"]
    assert lineage["row"].to_list() == [1, 1]


def test_legacy_rml_and_r2rml_vocabulary(tmp_path: Path) -> None:
    mapping = tmp_path / "legacy.ttl"
    mapping.write_text(
        """
@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix ex: <http://example.com/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<#Station> rml:logicalSource [ rml:source "stations.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.com/station/{측정소명}" ; rr:class ex:Station ] ;
  rr:predicateObjectMap [ rr:predicate ex:pm10 ; rr:objectMap [ rml:reference "PM10" ; rr:datatype xsd:decimal ] ] ,
    [ rr:predicate ex:zone ; rr:objectMap [ rr:parentTriplesMap <#Zone> ;
        rr:joinCondition [ rr:child "권역" ; rr:parent "name" ] ] ] .

<#Zone> rml:logicalSource [ rml:source "zones.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.com/zone/{code}" ] .
""",
        encoding="utf-8",
    )
    rules = load_rules(mapping)
    keys = {src.path: src.key for src in rules.sources}
    stations = table(
        {"측정소명": ["종로구", "중구"], "PM10": ["25.0", "bad"], "권역": ["도심권", "도심권"]},
        file="stations.csv",
    )
    zones = table({"code": ["central"], "name": ["도심권"]}, file="zones.csv")
    check_rules(
        rules, source_columns={keys["stations.csv"]: stations.columns, keys["zones.csv"]: zones.columns}
    )
    result = execute(rules, {keys["stations.csv"]: stations, keys["zones.csv"]: zones})
    out = set(lines(result))
    station = (
        "<http://example.com/station/종로구>"  # RML-Core rml:IRI keeps non-ASCII letters (rml:URI encodes)
    )
    assert f"{station} <http://example.com/zone> <http://example.com/zone/central> ." in out
    assert f'{station} <http://example.com/pm10> "25.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .' in out
    assert (
        f"{station} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.com/Station> ." in out
    )
    assert [(p.row, p.column, p.code) for p in result.problems] == [(2, "PM10", "invalid-literal")]


def test_district_and_dong_codes_of_points() -> None:
    from kg_service.spatial import reference_areas_path

    if not reference_areas_path().exists():
        pytest.skip("reference areas (ontology/reference/seoul-areas.ttl) not available")
    lon = ["126.978", "126.978", "129.07", "x"]
    lat = ["37.5665", "37.5665", "35.18", "37.5"]
    districts, result = call("districtCode", lon=lon, lat=lat)
    assert (
        districts[0] == districts[1] and districts[0] is not None and re.fullmatch(r"11\d{3}", districts[0])
    )
    assert districts[2:] == [None, None]
    assert {(p.row, p.code, p.severity) for p in result.problems} == {
        (3, "outside-seoul", "warning"),
        (4, "not-a-coordinate", "error"),
    }
    dongs, _ = call("dongCode", lon=lon[:1], lat=lat[:1])
    assert dongs[0] is not None and dongs[0].startswith(districts[0])
