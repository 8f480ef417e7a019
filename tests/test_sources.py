"""Source readers: every department file format → SourceTable, with problems as data.

Fixtures under tests/fixtures/sources/ are the project's own data in the real formats (written by
make_fixtures.py there). Tests marked ``shared`` read the real reference files in ../shared/reference
(``KG_SHARED_DIR`` overrides the location) and skip with a reason when it is absent.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg_service.errors import LimitExceededError, MappingRuleError, SourceDataError
from kg_service.mapping.source_spec import SourceSpec
from kg_service.mapping.source_table import ROW_COLUMN, SourceTable
from kg_service.mapping.sources import read_source, resolve_term
from kg_service.mapping.sources.encoding import decode_source
from kg_service.mapping.sources.ngsild_source import KNOWN_CONTEXTS, default_context_dir
from kg_service.mapping.sources.rows import MAX_PROBLEMS_PER_CODE

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DIR", REPO.parent / "shared"))
REFERENCE = SHARED / "reference"
FIWARE = REFERENCE / "fiware-smart-data-models"

SDOT_HEADER = [
    "시리얼", "date", "hour", "초미세먼지 (㎍/㎥)", "미세먼지 (㎍/㎥)", "기온 (℃)", "상대습도 (%)", "풍향 (°)",
    "풍속 (m/s)", "돌풍 풍향 (°)", "돌풍 풍속 (m/s)", "조도 (lux)", "자외선 (UVI)", "소음 (dB)", "진동(x) (g)",
    "진동(y) (g)", "진동(z) (g)", "진동(x) 최대 (g)", "진동(y) 최대 (g)", "진동(z) 최대 (g)", "흑구 온도 (℃)",
    "미세먼지 보정 (㎍/㎥)", "초미세먼지 보정 (㎍/㎥)",
]  # fmt: skip


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def read(data: bytes, kind: str, **spec: Any) -> SourceTable:
    return read_source(data, SourceSpec(kind, **spec), file_name="test." + kind)  # type: ignore[arg-type]


def records(table: SourceTable) -> list[dict[str, Any]]:
    return table.frame.to_dicts()


def codes(table: SourceTable) -> list[str]:
    return [p.code for p in table.problems]


def needs_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared reference material not found at {path} (set KG_SHARED_DIR to its location)")
    return path


def assert_table_shape(table: SourceTable) -> None:
    """The invariants every reader promises."""
    assert table.frame.columns == [*table.columns, ROW_COLUMN]
    assert table.frame.schema[ROW_COLUMN] == pl.UInt32
    assert all(table.frame.schema[c] == pl.String for c in table.columns)
    assert len(set(table.columns)) == len(table.columns)


class NetworkUsedError(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail loudly if anything tries to open a network connection or resolve a host name."""
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args))
        raise NetworkUsedError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == [], "a reader tried to use the network"


# ============================================================================================== encoding
class TestEncoding:
    def test_auto_prefers_utf8_then_cp949(self) -> None:
        assert decode_source("가,b\n".encode(), "auto", file_name="f").encoding == "utf-8"
        assert decode_source("가,b\n".encode("euc-kr"), "auto", file_name="f").encoding == "cp949"
        decoded = decode_source(b"\xef\xbb\xbfa\r\nb\rc", "auto", file_name="f")
        assert (decoded.text, decoded.encoding) == ("a\nb\nc", "utf-8-sig")

    def test_cp949_with_one_damaged_line_is_kept_and_located(self) -> None:
        good = "시리얼,기온\n" + "".join(f"V{i},1{i}.5\n" for i in range(300))
        data = good.encode("cp949").replace(b"V7,", b"V7\xff,", 1)
        decoded = decode_source(data, "auto", file_name="f")
        assert decoded.encoding == "cp949"
        assert decoded.bad_lines == (9,)

    def test_binary_file_is_refused(self) -> None:
        with pytest.raises(SourceDataError, match="binary") as info:
            decode_source(b"PK\x03\x04\x00\x00rest", "auto", file_name="x.csv")
        assert "xlsx" in info.value.hint
        assert "바이너리" in info.value.message_ko

    def test_unknown_declared_encoding_is_a_rule_error(self) -> None:
        with pytest.raises(MappingRuleError):
            decode_source(b"a", "klingon-8", file_name="f")

    def test_utf16_with_bom_is_detected(self) -> None:
        decoded = decode_source("시리얼,값\r\n".encode("utf-16"), "auto", file_name="f")
        assert decoded.text == "시리얼,값\n"


# ============================================================================================== CSV
class TestCsv:
    def test_sdot_hourly_euc_kr(self) -> None:
        table = read(fixture("sdot_hourly_5rows.euc-kr.csv"), "csv")
        assert_table_shape(table)
        assert table.columns == SDOT_HEADER
        assert table.encoding == "cp949"
        assert table.problems == []
        rows = records(table)
        assert len(rows) == 5
        assert rows[0]["시리얼"] == "V02Q1940043"
        assert rows[0]["기온 (℃)"] == "18.9"
        assert rows[0]["초미세먼지 보정 (㎍/㎥)"] == "16.1"
        assert rows[2]["풍향 (°)"] is None  # empty fields are None
        assert rows[4]["미세먼지 보정 (㎍/㎥)"] == "-1.3"
        assert [r[ROW_COLUMN] for r in rows] == [1, 2, 3, 4, 5]

    def test_declared_euc_kr_reads_the_same(self) -> None:
        table = read(fixture("sdot_hourly_5rows.euc-kr.csv"), "csv", encoding="euc-kr")
        assert table.encoding == "euc_kr"
        assert table.columns == SDOT_HEADER and table.problems == []

    def test_cp949_extension_characters(self) -> None:
        table = read(fixture("sensor_sites.cp949.csv"), "csv")
        assert table.encoding == "cp949"
        assert [r["설치장소"] for r in records(table)] == [
            "똠방각하 공원 입구",
            "햏 골목 버스정류장",
            "서울광장",
        ]

    def test_cp949_file_declared_euc_kr_gives_a_problem_per_row(self) -> None:
        table = read(fixture("sensor_sites.cp949.csv"), "csv", encoding="euc-kr")
        bad = [p for p in table.problems if p.code == "encoding"]
        assert [(p.row, p.column) for p in bad] == [(1, "설치장소"), (2, "설치장소")]
        assert "\ufffd" in (bad[0].value or "")
        assert "cp949" in bad[0].message_en and "cp949" in bad[0].message_ko
        assert records(table)[2]["설치장소"] == "서울광장"  # the good row is intact

    def test_utf8_bom(self) -> None:
        table = read(fixture("districts.utf8-bom.csv"), "csv")
        assert table.encoding == "utf-8-sig"
        assert table.columns == ["자치구코드", "자치구명", "영문명"]
        assert records(table)[0] == {
            "자치구코드": "11110",
            "자치구명": "종로구",
            "영문명": "Jongno-gu",
            ROW_COLUMN: 1,
        }

    @pytest.mark.parametrize("quoted", [False, True], ids=["fast-path", "csv-module-path"])
    def test_ragged_rows_are_kept_and_reported(self, quoted: bool) -> None:
        data = fixture("ragged.csv")
        if quoted:  # a quoted header name sends the file down the csv-module path
            data = data.replace("기온".encode(), '"기온"'.encode(), 1)
        table = read(data, "csv")
        assert table.columns == ["시리얼", "측정시간", "기온"]
        assert records(table) == [
            {"시리얼": "V1", "측정시간": "202005011200", "기온": "19.4", ROW_COLUMN: 1},
            {"시리얼": "V2", "측정시간": "202005011200", "기온": None, ROW_COLUMN: 2},
            {"시리얼": "V3", "측정시간": "202005011200", "기온": "18.2", ROW_COLUMN: 3},
            {"시리얼": "V4", "측정시간": "202005011200", "기온": None, ROW_COLUMN: 4},
        ]
        problems = [(p.code, p.row, p.value) for p in table.problems]
        assert problems == [("field-count", 2, None), ("field-count", 3, "extra,more")]
        assert "line 3" in table.problems[0].message_en and "3번째 줄" in table.problems[0].message_ko
        assert "line 5" in table.problems[1].message_en  # the blank line 4 is skipped but lines still count

    def test_quoted_fields(self) -> None:
        data = b'a,b,c\n"x, y","line1\nline2","say ""hi"""\n  " padded " ,,\n'
        table = read(data, "csv")
        assert records(table) == [
            {"a": "x, y", "b": "line1\nline2", "c": 'say "hi"', ROW_COLUMN: 1},
            {"a": '" padded "', "b": None, "c": None, ROW_COLUMN: 2},
        ]

    def test_header_row_skips_title_lines(self) -> None:
        data = "S-DoT 시간별 자료\n작성: 스마트도시정책관\n시리얼,기온\nV1,19.4\n".encode("cp949")
        table = read(data, "csv", header_row=3)
        assert table.columns == ["시리얼", "기온"]
        assert records(table) == [{"시리얼": "V1", "기온": "19.4", ROW_COLUMN: 1}]

    def test_whitespace_is_stripped_and_empty_is_none(self) -> None:
        table = read(b" a , b \n 1 ,   \n\t2\t, x\n", "csv")
        assert table.columns == ["a", "b"]
        assert records(table) == [{"a": "1", "b": None, ROW_COLUMN: 1}, {"a": "2", "b": "x", ROW_COLUMN: 2}]

    def test_tab_and_semicolon_delimiters(self) -> None:
        assert records(read(b"a\tb\n1\t2\n", "csv", delimiter="\\t"))[0] == {
            "a": "1",
            "b": "2",
            ROW_COLUMN: 1,
        }
        assert records(read(b"a;b\n1,5;2\n", "csv", delimiter=";"))[0] == {
            "a": "1,5",
            "b": "2",
            ROW_COLUMN: 1,
        }

    def test_bad_delimiter_is_a_rule_error(self) -> None:
        with pytest.raises(MappingRuleError):
            read(b"a,b\n", "csv", delimiter=",,")

    @pytest.mark.parametrize(
        "data", [b"", b"   \n\n", b"\xef\xbb\xbf"], ids=["zero-bytes", "blank", "bom-only"]
    )
    def test_empty_file(self, data: bytes) -> None:
        table = read(data, "csv")
        assert table.columns == [] and table.frame.height == 0
        assert codes(table) == ["empty"] and table.problems[0].severity == "warning"

    def test_header_only(self) -> None:
        table = read("시리얼,기온\r\n".encode("cp949"), "csv")
        assert table.columns == ["시리얼", "기온"] and table.frame.height == 0
        assert_table_shape(table)
        assert codes(table) == ["empty"]

    def test_duplicate_header_names(self) -> None:
        with pytest.raises(SourceDataError) as info:
            read(b"a,b, a\n1,2,3\n", "csv")
        assert "'a'" in info.value.message and "'a'" in info.value.message_ko and info.value.hint

    def test_blank_header_names_get_positions(self) -> None:
        table = read(b'"",No,\n1,2,3\n', "csv")
        assert table.columns == ["column_1", "No", "column_3"]
        assert codes(table) == ["header-empty", "header-empty"]

    def test_reserved_row_column_name(self) -> None:
        with pytest.raises(SourceDataError, match="__row"):
            read(b"__row,a\n1,2\n", "csv")

    def test_problems_are_capped(self) -> None:
        data = ("a,b\n" + "1\n" * (MAX_PROBLEMS_PER_CODE + 5)).encode()
        table = read(data, "csv")
        assert table.frame.height == MAX_PROBLEMS_PER_CODE + 5
        assert codes(table).count("field-count") == MAX_PROBLEMS_PER_CODE
        assert codes(table)[-1] == "problems-truncated" and "5" in table.problems[-1].message_en

    def test_max_rows(self) -> None:
        with pytest.raises(LimitExceededError) as info:
            read_source(b"a\n1\n2\n3\n", SourceSpec("csv"), file_name="big.csv", max_rows=2)
        assert "big.csv" in info.value.message and "2" in info.value.message_ko
        assert read_source(b"a\n1\n2\n", SourceSpec("csv"), file_name="ok.csv", max_rows=2).frame.height == 2

    def test_unterminated_quote_does_not_crash(self) -> None:
        table = read(b'a,b\n"open,1\n2,3\n', "csv")
        assert table.frame.height == 1 and codes(table) == ["field-count"]

    @pytest.mark.shared
    def test_real_sdot_hourly_file(self) -> None:
        path = needs_shared(
            "reference", "seoul-sdot", "S-DoT_Data_Analysis_Basic", "sdot_20200507.head300.euc-kr.csv"
        )
        table = read(path.read_bytes(), "csv")
        assert table.encoding == "cp949"
        assert table.columns == SDOT_HEADER
        assert table.frame.height == 300 and table.problems == []
        first = records(table)[0]
        assert (first["시리얼"], first["date"], first["hour"], first["기온 (℃)"]) == (
            "V02Q1940043",
            "2020.5.1",
            "0",
            "19.39664",
        )
        assert table.frame[ROW_COLUMN].to_list() == list(range(1, 301))

    @pytest.mark.shared
    def test_real_sdot_registry_with_quoted_fields(self) -> None:
        path = needs_shared("reference", "seoul-sdot", "S-DoT_Data_Analysis_Basic", "model.csv")
        table = read(path.read_bytes(), "csv")
        assert table.columns == ["column_1", "No", "model", "name", "address", "x", "y", "gover"]
        assert table.frame.height == 851
        assert records(table)[0]["name"] == "19ABBB구로구-0012"

    @pytest.mark.slow
    def test_a_million_sdot_rows_in_cp949(self) -> None:
        row = (
            "V02Q19{serial:05d},2020.5.1,{hour},7.9,12.13333333,19.39664,70.7,0,0,0,0,2,2,43.86666667,0.011,0.047,"
            "1.028333333,0.074666667,0.118333333,1.097666667,5,24.26666667,15.8"
        )
        lines = [",".join(SDOT_HEADER)] + [row.format(serial=i // 24, hour=i % 24) for i in range(1_000_000)]
        data = ("\r\n".join(lines) + "\r\n").encode("cp949")
        started = time.perf_counter()
        table = read(data, "csv")
        elapsed = time.perf_counter() - started
        assert table.frame.shape == (1_000_000, 24)
        assert table.columns == SDOT_HEADER and table.problems == []
        assert table.frame[ROW_COLUMN][-1] == 1_000_000
        assert elapsed < 10, f"reading 1M rows took {elapsed:.1f} s"


def reference_csv(text: str) -> tuple[list[str], list[list[str | None]]]:
    """What the CSV reader should produce for a UTF-8 text, computed independently with the csv module."""
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    rows = [r for r in csv.reader(io.StringIO(body)) if r and not (len(r) == 1 and not r[0].strip())]
    header = [h.strip() or f"column_{i}" for i, h in enumerate(rows[0], start=1)]
    data = [[(r[j].strip() or None) if j < len(r) else None for j in range(len(header))] for r in rows[1:]]
    return header, data


CSV_ALPHABET = st.sampled_from(list('ab가,,,"\n\r  1.\t똠'))


class TestCsvProperties:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(st.binary(max_size=400), st.binary(max_size=400).map(lambda b: b.replace(b"\0", b""))))
    def test_random_bytes_never_raise_anything_but_source_data_error(self, data: bytes) -> None:
        try:
            table = read(data, "csv")
        except SourceDataError:
            return
        assert_table_shape(table)
        assert table.frame[ROW_COLUMN].to_list() == list(range(1, table.frame.height + 1))

    @settings(max_examples=300, deadline=None)
    @given(st.text(CSV_ALPHABET, max_size=80))
    def test_both_paths_agree_with_the_csv_module(self, text: str) -> None:
        try:
            header, data = reference_csv(text)
        except IndexError:  # no header at all
            assert read(text.encode(), "csv").columns == []
            return
        if len(set(header)) != len(header):
            with pytest.raises(SourceDataError):
                read(text.encode(), "csv")
            return
        table = read(text.encode(), "csv")
        assert table.columns == header
        assert [list(r[:-1]) for r in table.frame.rows()] == data


# ============================================================================================== JSON
class TestJson:
    def test_realtime_city_air(self) -> None:
        table = read(fixture("realtimecityair.json"), "json", iterator="$.RealtimeCityAir.row[*]")
        assert_table_shape(table)
        assert table.columns == [
            "MSRDT", "MSRRGN_NM", "MSRSTE_NM", "PM10", "PM25", "O3", "NO2", "CO", "SO2", "IDEX_NM", "IDEX_MVL",
            "ARPLT_MAIN",
        ]  # fmt: skip
        rows = records(table)
        assert rows[0] == {
            "MSRDT": "202405201400", "MSRRGN_NM": "도심권", "MSRSTE_NM": "중구", "PM10": "31.0", "PM25": "14.0",
            "O3": "0.041", "NO2": "0.019", "CO": "0.4", "SO2": "0.002", "IDEX_NM": "보통", "IDEX_MVL": "62.0",
            "ARPLT_MAIN": "O3", ROW_COLUMN: 1,
        }  # fmt: skip
        assert (rows[2]["PM10"], rows[2]["ARPLT_MAIN"], rows[2]["IDEX_MVL"]) == (None, None, "-1.0")

    def test_iot_vdata017(self) -> None:
        table = read(fixture("iotvdata017.json"), "json", iterator="$.IotVdata017.row")
        assert len(table.columns) == 6 + 17 * 3 + 1
        first = records(table)[0]
        assert first["SERIAL_NO"] == "V02Q1940947" and first["SENSING_TIME"] == "2025-07-14_23:07:00"
        assert first["AVG_TEMP"] == "27.3" and first["AVG_NO2"] is None  # "" means missing
        assert table.frame[ROW_COLUMN].to_list() == [1, 2]

    @pytest.mark.parametrize("iterator", ["$", "$[*]", None])
    def test_top_level_array(self, iterator: str | None) -> None:
        table = read(b'[{"a": 1}, {"a": 2.50, "b": true}]', "json", iterator=iterator)
        assert records(table) == [
            {"a": "1", "b": None, ROW_COLUMN: 1},
            {"a": "2.50", "b": "true", ROW_COLUMN: 2},
        ]

    def test_flattening_and_json_encoded_lists(self) -> None:
        doc = {
            "data": {
                "측정 목록": [
                    {"id": "V1", "location": {"type": "Point", "coordinates": [126.97, 37.56]}, "tags": ["가", 1.0],
                     "grid": [[1, 2], [3]], "ok": False, "note": None, "meta": {"a": {"b": 0.10}}},
                ]
            }
        }  # fmt: skip
        table = read(json.dumps(doc, ensure_ascii=False).encode(), "json", iterator="$.data['측정 목록'][*]")
        assert records(table) == [
            {"id": "V1", "location.type": "Point", "location.coordinates": "[126.97,37.56]", "tags": '["가",1.0]',
             "grid": "[[1,2],[3]]", "ok": "false", "note": None, "meta.a.b": "0.1", ROW_COLUMN: 1},
        ]  # fmt: skip

    def test_scalar_items_and_index(self) -> None:
        assert records(read(b'{"a": ["x", 2]}', "json", iterator="$.a[*]")) == [
            {"$": "x", ROW_COLUMN: 1},
            {"$": "2", ROW_COLUMN: 2},
        ]
        assert records(read(b'{"a": [{"k": 1}, {"k": 2}]}', "json", iterator='$["a"][1]')) == [
            {"k": "2", ROW_COLUMN: 1}
        ]

    def test_no_match_is_a_warning_with_the_api_result(self) -> None:
        doc = '{"RESULT": {"CODE": "INFO-200", "MESSAGE": "해당하는 데이터가 없습니다."}}'.encode()
        table = read(doc, "json", iterator="$.RealtimeCityAir.row[*]")
        assert table.frame.height == 0 and codes(table) == ["iterator-no-match"]
        assert (
            "INFO-200" in table.problems[0].message_en
            and "해당하는 데이터가 없습니다" in table.problems[0].message_ko
        )

    def test_bad_json(self) -> None:
        with pytest.raises(SourceDataError) as info:
            read(b'{"a": [1, 2,]}\n', "json")
        assert "line 1" in info.value.message and "1번째 줄" in info.value.message_ko

    def test_html_error_page(self) -> None:
        with pytest.raises(SourceDataError):
            read(b"<html><body>ERROR-500</body></html>", "json")

    @pytest.mark.parametrize("depth", [65, 100_000])
    def test_deep_nesting_is_refused(self, depth: int) -> None:
        with pytest.raises(SourceDataError, match="64"):
            read(b"[" * depth + b"]" * depth, "json")

    def test_depth_64_is_accepted(self) -> None:
        assert read(b"[" * 64 + b"]" * 64, "json").frame.height == 1

    def test_empty_document(self) -> None:
        assert codes(read(b"  \n", "json")) == ["empty"]

    @pytest.mark.parametrize("iterator", ["$..row", "row[*]", "$.a[?(@.x)]", "$.a['open"])
    def test_unsupported_iterators(self, iterator: str) -> None:
        with pytest.raises(MappingRuleError):
            read(b"{}", "json", iterator=iterator)

    @pytest.mark.shared
    def test_real_realtime_city_air_response(self) -> None:
        path = needs_shared(
            "reference", "seoul-sdot", "realtimecityair-sample", "RealtimeCityAir_202105111500.json"
        )
        table = read(path.read_bytes(), "json", iterator="$.RealtimeCityAir.row[*]")
        assert table.frame.height == 25 and table.problems == []
        first = records(table)[0]
        assert (first["MSRSTE_NM"], first["PM10"], first["IDEX_NM"], first["MSRDT"]) == (
            "중구",
            "25.0",
            "보통",
            "202105111500",
        )
        assert set(table.frame["MSRRGN_NM"].to_list()) == {"도심권", "서북권", "동북권", "서남권", "동남권"}


# ============================================================================================== XML
class TestXml:
    def test_road_speed_feed(self) -> None:
        table = read(fixture("road_speed.xml"), "xml", iterator="/TrafficInfo/body/link")
        assert_table_shape(table)
        assert table.encoding == "utf-8"
        assert table.columns == [
            "@linkId", "@direction", "roadName", "speed.@unit", "speed", "travelTime", "section.from", "section.to",
            "collectedAt", "note",
        ]  # fmt: skip
        rows = records(table)
        assert rows[0] == {
            "@linkId": "1220003800", "@direction": "up", "roadName": "세종대로", "speed.@unit": "km/h", "speed": "31.5",
            "travelTime": "42", "section.from": "광화문", "section.to": "시청", "collectedAt": "2024-05-20T14:05:00+09:00",
            "note": None, ROW_COLUMN: 1,
        }  # fmt: skip
        assert rows[1]["speed"] is None and rows[1]["note"] == '["공사","차로 통제"]'
        assert rows[1][ROW_COLUMN] == 2

    @pytest.mark.parametrize(
        ("iterator", "namespaces"),
        [("//link", None), ("/t:TrafficInfo/t:body/t:link", {"t": "urn:seoul:topis:speed"}),
         ("/{urn:seoul:topis:speed}TrafficInfo//link", None), ("/*/body/*", None)],
    )  # fmt: skip
    def test_xpath_forms(self, iterator: str, namespaces: dict[str, str] | None) -> None:
        from kg_service.mapping.sources.xml_source import read_xml

        table = read_xml(
            fixture("road_speed.xml"),
            SourceSpec("xml", iterator=iterator),
            file_name="f.xml",
            namespaces=namespaces,
        )
        assert table.frame["@linkId"].to_list() == ["1220003800", "1220003900"]

    def test_declared_euc_kr(self) -> None:
        doc = '<?xml version="1.0" encoding="euc-kr"?><rows><row><구>중구</구></row></rows>'.encode("euc-kr")
        table = read(doc, "xml", iterator="//row")
        assert table.encoding == "euc_kr" and records(table) == [{"구": "중구", ROW_COLUMN: 1}]

    def test_default_iterator_is_the_roots_children(self) -> None:
        table = read(b"<r><a x='1'/><a x='2'>t</a></r>", "xml")
        assert records(table) == [
            {"@x": "1", "text()": None, ROW_COLUMN: 1},
            {"@x": "2", "text()": "t", ROW_COLUMN: 2},
        ]

    def test_no_match_is_a_warning(self) -> None:
        table = read(b"<r><a/></r>", "xml", iterator="//b")
        assert table.frame.height == 0 and codes(table) == ["iterator-no-match"]

    def test_malformed(self) -> None:
        with pytest.raises(SourceDataError) as info:
            read(b"<r>\n<a></b></r>", "xml")
        assert "line 2" in info.value.message

    @pytest.mark.parametrize(
        ("document", "reason"),
        [
            (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
             b"<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;\">]><lolz>&lol3;</lolz>", "billion laughs"),
            (b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>', "XXE"),
            (b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]><foo>&xxe;</foo>', "XXE"),
            (b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><foo/>', "XXE"),
            (b'<?xml version="1.0"?><!DOCTYPE foo SYSTEM "http://127.0.0.1:9/foo.dtd"><foo>a</foo>', "external DTD"),
        ],
        ids=["billion-laughs", "xxe-file", "xxe-http", "parameter-entity", "external-dtd"],
    )  # fmt: skip
    def test_hostile_documents_are_refused(self, document: bytes, reason: str, no_network: list[str]) -> None:
        with pytest.raises(SourceDataError) as info:
            read(document, "xml", iterator="//foo")
        assert reason in info.value.message
        assert "DTD" in info.value.message_ko or "엔티티" in info.value.message_ko

    def test_deep_nesting(self) -> None:
        with pytest.raises(SourceDataError, match="64"):
            read(b"<a>" * 70 + b"</a>" * 70, "xml")

    @pytest.mark.parametrize("iterator", ["item", "//item[1]", "/a/@b", "/p:a"])
    def test_unsupported_iterators(self, iterator: str) -> None:
        with pytest.raises(MappingRuleError):
            read(b"<a/>", "xml", iterator=iterator)


# ============================================================================================== XLSX
def workbook_bytes() -> bytes:
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "측정값"
    workbook.create_sheet("설명")
    sheet.append(["S-DoT 측정값 (2020-05-01)"])
    sheet.append([])
    sheet.append(["시리얼", "hour", "기온", "측정일", "측정시각", "정상", "비고"])
    sheet.append(
        ["V02Q1940043", 0, 18.9, dt.date(2020, 5, 1), dt.datetime(2020, 5, 1, 13, 5), True, "  점검  "]
    )
    sheet.append([])
    sheet.append(["V02Q1940044", 25.0, 0.1, dt.date(2020, 5, 2), dt.time(1, 2), False, "#DIV/0!", "extra"])
    sheet.append([None] * 5)
    sheet["A9"] = "V02Q1940045"
    sheet.merge_cells("A9:C9")
    sheet.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class TestXlsx:
    def test_sheet_values(self) -> None:
        table = read(workbook_bytes(), "xlsx", header_row=3, sheet="측정값")
        assert_table_shape(table)
        assert table.columns == ["시리얼", "hour", "기온", "측정일", "측정시각", "정상", "비고"]
        assert table.frame.rows() == [
            ("V02Q1940043", "0", "18.9", "2020-05-01", "2020-05-01T13:05:00", "true", "점검", 1),
            ("V02Q1940044", "25", "0.1", "2020-05-02", "01:02:00", "false", None, 3),
            ("V02Q1940045", None, None, None, None, None, None, 6),
        ]
        problems = {p.code: p for p in table.problems}
        assert set(problems) == {"cell-error", "field-count"}
        assert problems["cell-error"].row == 3 and problems["cell-error"].column == "비고"
        assert "row 3 (sheet row 6)" in problems["cell-error"].message_en
        assert "시트 6행" in problems["cell-error"].message_ko
        assert problems["field-count"].value == "extra"

    def test_first_sheet_is_the_default(self) -> None:
        assert read(workbook_bytes(), "xlsx", header_row=3).frame.height == 3

    def test_unknown_sheet_lists_the_sheets(self) -> None:
        with pytest.raises(SourceDataError) as info:
            read(workbook_bytes(), "xlsx", sheet="Sheet1")
        assert "'측정값', '설명'" in info.value.message and "'측정값', '설명'" in info.value.message_ko

    @pytest.mark.parametrize(
        "data", [b"", b"a,b\n1,2\n", b"PK\x03\x04broken"], ids=["empty", "csv", "broken-zip"]
    )
    def test_not_a_workbook(self, data: bytes) -> None:
        with pytest.raises(SourceDataError, match="XLSX"):
            read(data, "xlsx")

    def test_empty_sheet_and_header_only(self) -> None:
        assert codes(read(workbook_bytes(), "xlsx", sheet="설명")) == ["empty"]
        table = read(workbook_bytes(), "xlsx", header_row=3, sheet="측정값")
        assert table.frame.height == 3
        header_only = read(workbook_bytes(), "xlsx", header_row=9)
        assert header_only.columns == ["V02Q1940045"] and codes(header_only) == ["empty"]

    def test_duplicate_header(self) -> None:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(["a", "a"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        with pytest.raises(SourceDataError, match="'a'"):
            read(buffer.getvalue(), "xlsx")

    def test_max_rows(self) -> None:
        with pytest.raises(LimitExceededError):
            read_source(workbook_bytes(), SourceSpec("xlsx", header_row=3), file_name="w.xlsx", max_rows=2)


# ============================================================================================== GeoJSON
class TestGeoJson:
    def test_epsg5186_buildings(self) -> None:
        table = read(fixture("buildings_jung_gu.epsg5186.geojson"), "geojson")
        assert_table_shape(table)
        assert table.columns == [
            "@id", "UFID", "BLD_NM", "GRND_FLR", "HEIGHT", "USAGE.code", "USAGE.name", "USAGE", "geometry",
            "geometry_type", "crs",
        ]  # fmt: skip
        rows = records(table)
        assert rows[0]["@id"] == "B0001" and rows[0]["BLD_NM"] == "서울시청" and rows[0]["HEIGHT"] == "54.25"
        assert rows[0]["USAGE.name"] == "업무시설"
        assert rows[0]["geometry"] == (
            "POLYGON ((198007.123 551851.988, 198087.5 551851.988, 198087.5 551912.25, 198007.123 551912.25, "
            "198007.123 551851.988))"
        )
        assert (rows[1]["geometry"], rows[1]["geometry_type"], rows[1]["HEIGHT"]) == (
            "POINT (197850.5 551790)",
            "Point",
            "8.0",
        )
        assert {r["crs"] for r in rows} == {"5186"}
        # the self-intersecting polygon keeps its properties, loses its geometry, and says why
        assert (rows[2]["BLD_NM"], rows[2]["geometry"], rows[2]["geometry_type"]) == (
            "꼬인 도형",
            None,
            "Polygon",
        )
        assert [(p.code, p.row, p.column) for p in table.problems] == [("geometry", 3, "geometry")]
        assert "Self-intersection" in table.problems[0].message_en and "3행" in table.problems[0].message_ko
        # a feature without geometry is allowed
        assert (rows[3]["geometry"], rows[3]["GRND_FLR"]) == (None, None)

    @pytest.mark.parametrize(
        ("name", "epsg"),
        [("urn:ogc:def:crs:EPSG::5186", "5186"), ("EPSG:5179", "5179"), ("urn:ogc:def:crs:OGC:1.3:CRS84", "4326"),
         ("http://www.opengis.net/def/crs/EPSG/0/5174", "5174")],
    )  # fmt: skip
    def test_crs_member_forms(self, name: str, epsg: str) -> None:
        doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": name}},
               "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}  # fmt: skip
        assert records(read(json.dumps(doc).encode(), "geojson"))[0]["crs"] == epsg

    def test_spec_crs_wins_with_a_warning(self) -> None:
        table = read(fixture("buildings_jung_gu.epsg5186.geojson"), "geojson", crs=5179)
        assert set(table.frame["crs"].to_list()) == {"5179"}
        assert "crs-conflict" in codes(table)

    def test_default_is_wgs84_with_degree_rounding(self) -> None:
        doc = b'{"type": "Feature", "properties": {"n": 1}, "geometry": {"type": "Point", "coordinates": [126.97796919, 37.566535123456]}}'
        assert records(read(doc, "geojson"))[0] == {
            "n": "1", "geometry": "POINT (126.97796919 37.56653512)", "geometry_type": "Point", "crs": "4326", ROW_COLUMN: 1,
        }  # fmt: skip

    def test_projected_coordinates_labelled_wgs84_are_suspect(self) -> None:
        doc = b'{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [198007.1, 551851.9]}}'
        assert codes(read(doc, "geojson")) == ["crs-suspect"]

    def test_unknown_crs_name(self) -> None:
        doc = b'{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "Bessel TM"}}, "features": []}'
        table = read(doc, "geojson")
        assert codes(table) == ["crs", "empty"]

    @pytest.mark.parametrize(
        "geometry",
        [{"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, {"type": "Point", "coordinates": ["a", "b"]},
         {"type": "Blob", "coordinates": [1, 2]}, {"type": "Point"}, {"type": "Point", "coordinates": []}, "POINT (1 2)"],
    )  # fmt: skip
    def test_invalid_geometries(self, geometry: object) -> None:
        doc = {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "id": 1, "properties": {"k": "v"}, "geometry": geometry}],
        }
        table = read(json.dumps(doc).encode(), "geojson")
        assert records(table)[0]["k"] == "v" and records(table)[0]["geometry"] is None
        assert codes(table) == ["geometry"] and table.problems[0].row == 1

    def test_not_geojson(self) -> None:
        with pytest.raises(SourceDataError, match="not GeoJSON"):
            read(b'{"type": "Topology"}', "geojson")


# ============================================================================================== NGSI
class TestNgsi:
    def test_normalized_and_key_values_give_the_same_columns(self, no_network: list[str]) -> None:
        normalized = read(fixture("sdot_entities.normalized.jsonld"), "ngsi-ld")
        key_values = read(fixture("sdot_entities.keyvalues.jsonld"), "ngsi-ld")
        assert normalized.problems == [] and key_values.problems == []
        for table in (normalized, key_values):
            assert_table_shape(table)
            air, device = records(table)
            assert air["id"] == "urn:ngsi-ld:AirQualityObserved:V02Q1940043:2020-05-01T00"
            assert air["type_iri"] == "https://smartdatamodels.org/dataModel.Environment/AirQualityObserved"
            assert (
                air["pm25"] == "8.5"
                and air["pm25.iri"] == "https://smartdatamodels.org/dataModel.Environment/pm25"
            )
            assert air["dateObserved"] == "2020-05-01T00:00:00+09:00"
            assert air["location"] == "POINT (126.79054746 37.54608515)"
            assert air["location.iri"] == "https://uri.etsi.org/ngsi-ld/location"
            assert air["refDevice"] == "urn:ngsi-ld:Device:V02Q1940043"
            assert air["address.addressLocality"] == "구로구"
            assert device["type_iri"] == "https://smartdatamodels.org/dataModel.Device/Device"
            assert device["serialNumber"] == "V02Q1940043"
            assert device["controlledProperty"] == '["pm25","pm10","temperature","relativeHumidity"]'
            assert device["serialNumber.iri"] == "https://smartdatamodels.org/dataModel.Device/serialNumber"
        air = records(normalized)[0]
        assert (air["pm25.unitCode"], air["pm25.observedAt"]) == ("GQ", "2020-05-01T00:00:00+09:00")
        assert air["temperature.unitCode"] == "CEL"

    def test_ngsi_v2_normalized(self) -> None:
        table = read(fixture("sdot_entity.v2-normalized.json"), "ngsi-ld")
        row = records(table)[0]
        assert (row["id"], row["type"], row["pm25"], row["pm25.unitCode"]) == (
            "V02Q1940043-2020-05-01T00",
            "AirQualityObserved",
            "8.5",
            "GQ",
        )
        assert row["pm25.observedAt"] == "2020-05-01T00:00:00+09:00"  # v2 'timestamp' metadata
        assert row["location"] == "POINT (126.79054746 37.54608515)"  # geo:point is "lat, lon"
        assert row["refDevice"] == "V02Q1940043"
        assert row["type_iri"] is None  # NGSI-v2 carries no @context

    def test_default_context_for_entities_without_one(self) -> None:
        from kg_service.mapping.sources.ngsild_source import read_ngsild

        table = read_ngsild(
            fixture("sdot_entity.v2-normalized.json"),
            SourceSpec("ngsi-ld"),
            file_name="v2.json",
            default_context="https://smartdatamodels.org/context.jsonld",
        )
        assert records(table)[0]["pm25.iri"] == "https://smartdatamodels.org/dataModel.Environment/pm25"

    def test_unknown_remote_context_is_never_fetched(self, no_network: list[str]) -> None:
        entity = {"id": "urn:x:1", "type": "Thing", "size": {"type": "Property", "value": 3},
                  "@context": ["https://example.org/private-context.jsonld", "https://example.org/private-context.jsonld"]}  # fmt: skip
        table = read(json.dumps([entity, entity]).encode(), "ngsi-ld")
        assert codes(table) == ["context-not-local"]  # reported once per file
        problem = table.problems[0]
        assert problem.value == "https://example.org/private-context.jsonld" and problem.severity == "warning"
        assert "not fetched" in problem.message_en and "가져오지 않았습니다" in problem.message_ko
        assert records(table)[0]["size"] == "3" and records(table)[0]["size.iri"] is None

    def test_inline_context(self) -> None:
        entity = {"id": "urn:x:1", "type": "Sensor", "serial": "V1",
                  "@context": {"cps": "https://data.seoul.go.kr/cps/ontology#", "Sensor": "cps:Sensor", "serial": "cps:serial"}}  # fmt: skip
        row = records(read(json.dumps(entity).encode(), "ngsi-ld"))[0]
        assert (row["type_iri"], row["serial.iri"]) == (
            "https://data.seoul.go.kr/cps/ontology#Sensor",
            "https://data.seoul.go.kr/cps/ontology#serial",
        )

    def test_context_dir_override(self, tmp_path: Path) -> None:
        table = read_source(
            fixture("sdot_entities.keyvalues.jsonld"),
            SourceSpec("ngsi-ld"),
            file_name="e.jsonld",
            context_dir=tmp_path,
        )
        assert set(codes(table)) == {"context-not-local"}
        assert "missing" in table.problems[0].message_en
        assert records(table)[0]["type_iri"] is None

    def test_type_scoped_resolution(self) -> None:
        url = "https://smartdatamodels.org/context.jsonld"
        assert (
            resolve_term("temperature", url, entity_type="WeatherObserved")
            == "https://smartdatamodels.org/dataModel.Weather/temperature"
        )
        assert (
            resolve_term("temperature", url, entity_type="AirQualityObserved")
            == "https://smartdatamodels.org/dataModel.Environment/temperature"
        )
        assert resolve_term("temperature", url) is None
        assert resolve_term("Property", None) == "https://uri.etsi.org/ngsi-ld/Property"
        assert resolve_term("urn:ngsi-ld:Device:x", None) == "urn:ngsi-ld:Device:x"

    def test_multi_attribute_keeps_the_default_instance(self) -> None:
        entity = {"id": "urn:x:1", "type": "T", "speed": [
            {"type": "Property", "value": 55, "datasetId": "urn:ngsi-ld:Dataset:gps"},
            {"type": "Property", "value": 54.5}]}  # fmt: skip
        table = read(json.dumps(entity).encode(), "ngsi-ld")
        assert records(table)[0]["speed"] == "54.5" and codes(table) == ["multi-attribute"]

    def test_bad_entities(self) -> None:
        table = read(
            b'[{"type": "T"}, 3, {"id": "a", "type": "T", "location": {"type": "GeoProperty", "value": {"type": "Point"}}}]',
            "ngsi-ld",
        )
        assert [(p.code, p.row) for p in table.problems] == [
            ("ngsi-entity", 1),
            ("ngsi-entity", 2),
            ("geometry", 3),
        ]
        assert table.frame.height == 3 and records(table)[2]["location"] is None
        with pytest.raises(SourceDataError):
            read(b'"just a string"', "ngsi-ld")

    @pytest.mark.shared
    def test_project_contexts_agree_with_the_published_ones(self) -> None:
        for model, local in (("Environment", "sdm-environment.jsonld"), ("Weather", "sdm-weather.jsonld"), ("Device", "sdm-device.jsonld")):  # fmt: skip
            published = json.loads(needs_shared("reference", "fiware-smart-data-models", f"dataModel.{model}", "context.jsonld").read_text())["@context"]  # fmt: skip
            ours = json.loads((default_context_dir() / local).read_text())["@context"]
            url = next(u for u, f in KNOWN_CONTEXTS.items() if f == local)
            for term in ours:
                if term in ("sdm", "env", "wea", "dev"):
                    continue
                assert resolve_term(term, url) == published[term], f"{local}: {term}"

    @pytest.mark.shared
    @pytest.mark.parametrize("model", ["AirQualityObserved", "WeatherObserved", "Device"])
    def test_fiware_examples_in_all_four_forms(self, model: str, no_network: list[str]) -> None:
        folder = next(FIWARE.glob(f"dataModel.*/{model}/examples")) if FIWARE.exists() else None
        if folder is None:
            needs_shared("reference", "fiware-smart-data-models")
            pytest.skip(f"no FIWARE examples for {model}")
        rows = {}
        for name in (
            "example.json",
            "example-normalized.json",
            "example.jsonld",
            "example-normalized.jsonld",
        ):
            table = read((folder / name).read_bytes(), "ngsi-ld")
            assert table.frame.height == 1 and "ngsi-entity" not in codes(table), name
            rows[name] = records(table)[0]
        common = {"AirQualityObserved": ["temperature", "location", "dateObserved", "address.streetAddress"],
                  "WeatherObserved": ["temperature", "location", "dateObserved"],
                  "Device": ["serialNumber", "batteryLevel", "deviceState", "controlledProperty"]}[model]  # fmt: skip
        for column in common:
            assert len({row[column] for row in rows.values()}) == 1, column
        for name in ("example.jsonld", "example-normalized.jsonld"):
            assert (
                rows[name]["type_iri"]
                == f"https://smartdatamodels.org/dataModel.{folder.parts[-3].split('.')[1]}/{model}"
            )
        if model == "AirQualityObserved":
            assert rows["example.json"]["location"] == "POINT (-3.71224722 40.42385278)"
            assert (
                rows["example-normalized.jsonld"]["temperature.iri"]
                == "https://smartdatamodels.org/dataModel.Environment/temperature"
            )
        if model == "WeatherObserved":
            assert (
                rows["example-normalized.jsonld"]["temperature.iri"]
                == "https://smartdatamodels.org/dataModel.Weather/temperature"
            )


# ============================================================================================== dispatch
class TestReadSource:
    @pytest.mark.parametrize(
        ("kind", "data", "spec"),
        [("csv", b"a\n1\n", {}), ("json", b'[{"a": 1}]', {}), ("xml", b"<r><x a='1'/></r>", {}),
         ("geojson", b'{"type": "FeatureCollection", "features": []}', {}), ("ngsi-ld", b'{"id": "a", "type": "T"}', {})],
    )  # fmt: skip
    def test_each_kind(self, kind: str, data: bytes, spec: dict[str, Any]) -> None:
        assert_table_shape(read(data, kind, **spec))

    def test_xlsx_kind(self) -> None:
        assert read(workbook_bytes(), "xlsx", header_row=3).frame.height == 3

    def test_unknown_kind(self) -> None:
        with pytest.raises(MappingRuleError):
            read(b"", "parquet")

    @pytest.mark.parametrize(
        ("kind", "data"),
        [("json", b'[{"a": 1}, {"a": 2}, {"a": 3}]'), ("xml", b"<r><x/><x/><x/></r>"),
         ("geojson", json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": None}] * 3}).encode()),
         ("ngsi-ld", b'[{"id": "a", "type": "T"}, {"id": "b", "type": "T"}, {"id": "c", "type": "T"}]')],
    )  # fmt: skip
    def test_max_rows_for_every_kind(self, kind: str, data: bytes) -> None:
        with pytest.raises(LimitExceededError) as info:
            read_source(data, SourceSpec(kind), file_name="f", max_rows=2)  # type: ignore[arg-type]
        assert info.value.message_ko and info.value.hint
