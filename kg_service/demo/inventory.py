"""A department information-system inventory (부서별 정보시스템 현황), as XLSX and CSV.

Columns (Korean headers, in this order): 시스템코드 (``SYS-0001``), 시스템명, 시스템명(영문), 운영부서코드
(:data:`DEPARTMENTS`), 제공데이터셋 and 활용데이터셋 (dataset ids joined by ``;``, may be empty), 갱신주기
(실시간/1시간/일/월/연), 연계플랫폼 (``s-dot;s-map;big-data;ai-analysis``, a subset), CPS기능 (function numbers
1–7, ascending, joined by ``;``: 1 현실문제 … 7 자율제어), 준수표준 (:data:`STANDARDS` slugs, ``;``), 서비스 (city
services it supports, ``;``).

``system_inventory.xlsx``: one sheet ``정보시스템``; row 1 is a merged title (like real government
spreadsheets), **row 2 the header** (``header_row = 2``), data from row 3; every cell is text. Workbook
properties carry a fixed date so the bytes are reproducible.
``system_inventory.csv``: UTF-8 without BOM, CRLF, header on line 1 (no title row), RFC 4180 quoting.

The first 25 systems are hand-written and realistic; the ``seoul`` scale adds generated ones up to 200.
Every dataset a system uses is provided by some system in the same inventory.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Final

import xlsxwriter

from kg_service.demo.numbers import rng_for

__all__ = [
    "DEPARTMENTS",
    "HEADERS",
    "STANDARDS",
    "SYSTEMS",
    "build_inventory",
    "inventory_csv",
    "inventory_xlsx",
]

HEADERS: Final = (
    "시스템코드",
    "시스템명",
    "시스템명(영문)",
    "운영부서코드",
    "제공데이터셋",
    "활용데이터셋",
    "갱신주기",
    "연계플랫폼",
    "CPS기능",
    "준수표준",
    "서비스",
)
TITLE: Final = "서울특별시 부서별 정보시스템 현황 (CPS 연계 조사)"
SHEET: Final = "정보시스템"
#: Row (1-based) of the header in the XLSX.
HEADER_ROW: Final = 2
DEPARTMENTS: Final = (
    "smart-city-policy",
    "transport",
    "climate-environment",
    "safety",
    "urban-planning",
    "housing",
    "water",
    "welfare",
    "economy",
    "culture",
    "digital-city",
)
PLATFORMS: Final = ("s-dot", "s-map", "big-data", "ai-analysis")
CYCLES: Final = ("실시간", "1시간", "일", "월", "연")
STANDARDS: Final = (
    "sosa-ssn",
    "geosparql",
    "ngsi-ld",
    "sensorthings",
    "citygml-3",
    "iso-37120",
    "iso-iec-30145",
    "dcat-3",
)
#: Fixed workbook creation date (reproducible bytes).
WORKBOOK_DATE: Final = datetime(2025, 1, 1)

Row = tuple[str, str, str, str, str, str, str, str, str, str, str]

#: The hand-written systems (code, Korean name, English name, department, provided, used, cycle, platforms,
#: CPS functions, standards, services).
SYSTEMS: Final[tuple[Row, ...]] = (
    (
        "SYS-0001",
        "S-DoT 관리 플랫폼",
        "S-DoT Management Platform",
        "smart-city-policy",
        "sdot-environment;sdot-visitor-count",
        "smap-buildings",
        "실시간",
        "s-dot;big-data",
        "2;4",
        "sosa-ssn;ngsi-ld;sensorthings",
        "도시데이터 센서 운영;미세먼지 지도",
    ),
    (
        "SYS-0002",
        "S-Map 3D 공간정보 플랫폼",
        "S-Map 3D Spatial Information Platform",
        "digital-city",
        "smap-buildings;smap-terrain",
        "building-registry;land-use",
        "월",
        "s-map",
        "3;5",
        "citygml-3;geosparql",
        "3차원 도시 시뮬레이션;공간정보 개방",
    ),
    (
        "SYS-0003",
        "빅데이터 통합저장소",
        "Big Data Integrated Repository",
        "digital-city",
        "living-population",
        "sdot-environment;road-link-speed;realtime-city-air",
        "일",
        "big-data",
        "2;4",
        "dcat-3",
        "데이터 개방;정책 분석 지원",
    ),
    (
        "SYS-0004",
        "AI 분석 플랫폼",
        "AI Analysis Platform",
        "digital-city",
        "ai-prediction-results",
        "living-population;sdot-environment",
        "일",
        "big-data;ai-analysis",
        "5;6",
        "dcat-3;iso-iec-30145",
        "수요 예측;정책 시뮬레이션",
    ),
    (
        "SYS-0005",
        "대기질 통합관리 시스템",
        "Integrated Air Quality Management System",
        "climate-environment",
        "realtime-city-air",
        "sdot-environment",
        "1시간",
        "s-dot;big-data",
        "1;2;6",
        "sosa-ssn;ngsi-ld",
        "미세먼지 알림;대기오염 경보",
    ),
    (
        "SYS-0006",
        "교통정보 시스템 TOPIS",
        "Transport Operation and Information Service (TOPIS)",
        "transport",
        "road-link-speed;road-links;traffic-accidents",
        "bus-location;parking-availability",
        "실시간",
        "big-data;ai-analysis",
        "2;4;6;7",
        "ngsi-ld;iso-37120",
        "교통혼잡 안내;교통신호 제어",
    ),
    (
        "SYS-0007",
        "스마트 가로등 관제 시스템",
        "Smart Streetlight Control System",
        "safety",
        "streetlight-status",
        "sdot-environment",
        "실시간",
        "s-dot",
        "2;4;7",
        "ngsi-ld;sensorthings",
        "스마트 가로등 제어;야간 안전",
    ),
    (
        "SYS-0008",
        "침수 예경보 시스템",
        "Flood Forecasting and Warning System",
        "safety",
        "flood-water-level",
        "rainfall-observation;sewer-water-level;smap-terrain",
        "실시간",
        "s-map;ai-analysis",
        "1;2;5;6;7",
        "sosa-ssn;geosparql",
        "침수 예경보;차수판 자동제어",
    ),
    (
        "SYS-0009",
        "도시계획 정보체계 UPIS",
        "Urban Planning Information System (UPIS)",
        "urban-planning",
        "urban-planning-zones;land-use",
        "smap-buildings;building-registry",
        "월",
        "s-map",
        "3;5;6",
        "geosparql;citygml-3",
        "도시계획 결정 지원;도시계획 열람",
    ),
    (
        "SYS-0010",
        "CCTV 통합관제 시스템",
        "Integrated CCTV Control System",
        "safety",
        "cctv-locations",
        "smap-buildings",
        "실시간",
        "s-map;ai-analysis",
        "2;4;6",
        "ngsi-ld",
        "방범 관제;재난 상황 감시",
    ),
    (
        "SYS-0011",
        "버스운행관리 시스템 BMS",
        "Bus Management System (BMS)",
        "transport",
        "bus-location",
        "road-link-speed",
        "실시간",
        "big-data",
        "2;4;7",
        "ngsi-ld",
        "버스 도착 안내;배차 관리",
    ),
    (
        "SYS-0012",
        "공영주차 정보 시스템",
        "Public Parking Information System",
        "transport",
        "parking-availability",
        "road-links",
        "실시간",
        "s-dot;big-data",
        "2;4",
        "ngsi-ld;sensorthings",
        "주차 안내",
    ),
    (
        "SYS-0013",
        "건축행정 정보 시스템",
        "Building Administration Information System",
        "housing",
        "building-registry",
        "smap-buildings",
        "일",
        "s-map",
        "2;3",
        "citygml-3",
        "건축 인허가;건물 안전 점검",
    ),
    (
        "SYS-0014",
        "주택 공급 관리 시스템",
        "Housing Supply Management System",
        "housing",
        "housing-supply",
        "living-population;building-registry",
        "월",
        "big-data",
        "1;6",
        "iso-37120",
        "공공주택 공급 계획",
    ),
    (
        "SYS-0015",
        "상수도 수질 감시 시스템",
        "Tap Water Quality Monitoring System",
        "water",
        "water-quality",
        "",
        "1시간",
        "s-dot",
        "2;4;6",
        "sosa-ssn;sensorthings",
        "수질 정보 공개;수질 이상 경보",
    ),
    (
        "SYS-0016",
        "하수관로 수위 관측 시스템",
        "Sewer Water Level Monitoring System",
        "water",
        "sewer-water-level",
        "rainfall-observation",
        "실시간",
        "s-dot;ai-analysis",
        "2;4;5",
        "sosa-ssn",
        "침수 예경보",
    ),
    (
        "SYS-0017",
        "스마트 수도 검침 시스템",
        "Smart Water Metering System",
        "water",
        "water-usage",
        "",
        "1시간",
        "big-data",
        "2;4;7",
        "sensorthings",
        "누수 감지;수도요금 산정",
    ),
    (
        "SYS-0018",
        "폭염 대응 쉼터 관리 시스템",
        "Heat Shelter Management System",
        "welfare",
        "heat-shelters",
        "sdot-environment;living-population",
        "일",
        "s-dot;s-map",
        "1;2;6",
        "iso-37120",
        "폭염 대응;무더위쉼터 안내",
    ),
    (
        "SYS-0019",
        "사회복지시설 정보 시스템",
        "Social Welfare Facility Information System",
        "welfare",
        "welfare-facilities",
        "living-population",
        "월",
        "big-data",
        "2;6",
        "dcat-3",
        "복지시설 안내",
    ),
    (
        "SYS-0020",
        "서울 상권분석 서비스",
        "Seoul Commercial District Analysis Service",
        "economy",
        "commercial-district-sales",
        "living-population;sdot-visitor-count",
        "월",
        "big-data;ai-analysis",
        "2;5;6",
        "dcat-3;iso-37120",
        "상권 분석;창업 지원",
    ),
    (
        "SYS-0021",
        "문화행사 정보 시스템",
        "Cultural Event Information System",
        "culture",
        "cultural-events",
        "living-population",
        "일",
        "big-data",
        "2;4",
        "dcat-3",
        "문화행사 안내",
    ),
    (
        "SYS-0022",
        "공공 와이파이 관리 시스템",
        "Public Wi-Fi Management System",
        "digital-city",
        "public-wifi",
        "",
        "1시간",
        "big-data",
        "2;4",
        "iso-iec-30145",
        "공공 와이파이 운영",
    ),
    (
        "SYS-0023",
        "건물 에너지 관리 시스템",
        "Building Energy Management System",
        "climate-environment",
        "energy-consumption",
        "smap-buildings;sdot-environment",
        "월",
        "s-map;big-data",
        "1;2;5;6",
        "citygml-3;iso-37120",
        "온실가스 감축;건물 에너지 진단",
    ),
    (
        "SYS-0024",
        "강우량 관측 시스템",
        "Rainfall Observation System",
        "safety",
        "rainfall-observation",
        "",
        "실시간",
        "s-dot",
        "2;4",
        "sosa-ssn;sensorthings",
        "침수 예경보;강우 정보 공개",
    ),
    (
        "SYS-0025",
        "디지털 트윈 통합 플랫폼 (가상서울)",
        "Digital Twin Integrated Platform (Virtual Seoul)",
        "smart-city-policy",
        "digital-twin-scenarios",
        "smap-buildings;sdot-environment;road-link-speed;flood-water-level",
        "일",
        "s-dot;s-map;big-data;ai-analysis",
        "3;4;5;6;7",
        "citygml-3;ngsi-ld;geosparql;iso-iec-30145",
        "도시 시뮬레이션;정책 의사결정 지원",
    ),
)

#: Subjects per department for generated systems: (Korean, English, slug).
_SUBJECTS: Final[dict[str, tuple[tuple[str, str, str], ...]]] = {
    "smart-city-policy": (
        ("스마트도시 서비스", "Smart City Service", "smart-service"),
        ("리빙랩", "Living Lab", "living-lab"),
        ("도시데이터", "Urban Data", "urban-data"),
    ),
    "transport": (
        ("따릉이", "Public Bicycle", "bike-share"),
        ("교통신호", "Traffic Signal", "traffic-signal"),
        ("택시", "Taxi", "taxi"),
        ("지하철 혼잡도", "Subway Congestion", "subway-congestion"),
        ("보행 안전", "Pedestrian Safety", "pedestrian-safety"),
    ),
    "climate-environment": (
        ("온실가스", "Greenhouse Gas", "ghg"),
        ("소음", "Noise", "noise"),
        ("도시숲", "Urban Forest", "urban-forest"),
        ("폐기물", "Waste", "waste"),
    ),
    "safety": (
        ("재난안전", "Disaster Safety", "disaster"),
        ("화재", "Fire", "fire"),
        ("지반침하", "Ground Subsidence", "subsidence"),
        ("시설물 안전", "Facility Safety", "facility-safety"),
    ),
    "urban-planning": (
        ("도시재생", "Urban Regeneration", "regeneration"),
        ("경관", "Urban Landscape", "landscape"),
        ("토지이용", "Land Use", "land-use-plan"),
    ),
    "housing": (
        ("공공임대주택", "Public Rental Housing", "rental-housing"),
        ("노후주택", "Ageing Housing", "ageing-housing"),
    ),
    "water": (
        ("하천", "River", "river"),
        ("빗물", "Rainwater", "rainwater"),
        ("정수장", "Water Purification", "purification"),
    ),
    "welfare": (
        ("돌봄", "Care", "care"),
        ("독거노인", "Elderly Living Alone", "elderly-alone"),
        ("장애인 이동", "Disability Mobility", "disability-mobility"),
    ),
    "economy": (
        ("전통시장", "Traditional Market", "traditional-market"),
        ("소상공인", "Small Business", "small-business"),
    ),
    "culture": (
        ("공공도서관", "Public Library", "library"),
        ("관광", "Tourism", "tourism"),
        ("체육시설", "Sports Facility", "sports"),
    ),
    "digital-city": (
        ("행정 데이터", "Administrative Data", "admin-data"),
        ("클라우드", "Cloud", "cloud"),
        ("사물인터넷 망", "IoT Network", "iot-network"),
    ),
}
#: System kinds for generated systems: (Korean, English, slug, cycle, platforms, CPS functions, standards).
_KINDS: Final = (
    ("관리 시스템", "Management System", "management", "일", "big-data", "2;4", "dcat-3"),
    (
        "모니터링 시스템",
        "Monitoring System",
        "monitoring",
        "실시간",
        "s-dot;big-data",
        "2;4;6",
        "sosa-ssn;ngsi-ld",
    ),
    (
        "통계 분석 시스템",
        "Statistical Analysis System",
        "statistics",
        "월",
        "big-data;ai-analysis",
        "1;2;6",
        "dcat-3;iso-37120",
    ),
    ("예측 서비스", "Prediction Service", "prediction", "1시간", "ai-analysis", "5;6", "iso-iec-30145"),
    ("공간정보 시스템", "Spatial Information System", "spatial", "월", "s-map", "3;5", "geosparql;citygml-3"),
    (
        "관제 플랫폼",
        "Control Platform",
        "control",
        "실시간",
        "s-dot;ai-analysis",
        "2;4;6;7",
        "ngsi-ld;sensorthings",
    ),
    ("정보공개 포털", "Open Data Portal", "portal", "일", "big-data", "4", "dcat-3"),
)


def build_inventory(seed: int, count: int) -> list[Row]:
    """The inventory rows: the hand-written systems first, then generated ones up to ``count``."""
    rows = list(SYSTEMS[:count])
    if count <= len(SYSTEMS):
        return rows
    rng = rng_for(seed, "system-inventory")
    provided = sorted({dataset for row in SYSTEMS for dataset in row[4].split(";") if dataset})
    combinations = [
        (department, subject, kind)
        for department in DEPARTMENTS
        for subject in _SUBJECTS[department]
        for kind in _KINDS
    ]
    order = rng.permutation(len(combinations))
    for number, index in enumerate(order[: count - len(SYSTEMS)], start=len(SYSTEMS) + 1):
        department, (subject_ko, subject_en, slug), kind = combinations[int(index)]
        kind_ko, kind_en, kind_slug, cycle, platforms, functions, standards = kind
        dataset = f"{slug}-{kind_slug}"
        used_count = int(rng.integers(0, 4))
        used = sorted({provided[int(i)] for i in rng.choice(len(provided), size=used_count, replace=False)})
        extra_function = int(rng.integers(1, 8))
        function_set = sorted({int(value) for value in functions.split(";")} | {extra_function})
        rows.append(
            (
                f"SYS-{number:04d}",
                f"{subject_ko} {kind_ko}",
                f"{subject_en} {kind_en}",
                department,
                dataset,
                ";".join(used),
                cycle,
                platforms,
                ";".join(str(value) for value in function_set),
                standards,
                f"{subject_ko} {'정보 제공' if kind_slug == 'portal' else '업무 지원'}",
            )
        )
        provided.append(dataset)
    return rows


def inventory_csv(rows: list[Row]) -> bytes:
    """``system_inventory.csv``: UTF-8, CRLF, header on line 1."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def inventory_xlsx(rows: list[Row]) -> bytes:
    """``system_inventory.xlsx``: title in row 1, header in row 2, data from row 3 (all text cells)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    workbook.set_properties(
        {
            "title": TITLE,
            "author": "서울특별시 스마트도시정책관",
            "created": WORKBOOK_DATE,
            "company": "서울특별시",
        }
    )
    sheet = workbook.add_worksheet(SHEET)
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    header_format = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, TITLE, title_format)
    sheet.write_row(HEADER_ROW - 1, 0, HEADERS, header_format)
    for offset, row in enumerate(rows):
        for column, value in enumerate(row):
            sheet.write_string(HEADER_ROW + offset, column, value)
    widths = (10, 34, 48, 20, 40, 50, 8, 34, 12, 40, 36)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(HEADER_ROW, 0)
    workbook.close()
    return buffer.getvalue()
