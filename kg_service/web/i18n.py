"""The words of the web pages in Korean (the default) and English (``?lang=en``).

One catalogue serves both the server-rendered templates (``t("key")``) and the page scripts (the same
catalogue is embedded in each page as JSON), so a word is translated once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

Language = Literal["ko", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("ko", "en")
DEFAULT_LANGUAGE: Final[Language] = "ko"

# key → (Korean, English)
MESSAGES: Final[Mapping[str, tuple[str, str]]] = {
    # frame
    "site.title": ("서울시 도시 CPS 지식그래프", "Seoul urban CPS knowledge graph"),
    "site.skip": ("본문으로 건너뛰기", "Skip to main content"),
    "nav.label": ("주 메뉴", "Main menu"),
    "nav.home": ("연계테이블·지도", "Linkage table and map"),
    "nav.standards": ("표준", "Standards"),
    "nav.submissions": ("데이터 제출", "Submissions"),
    "nav.graphiql": ("GraphQL 질의", "GraphQL queries"),
    "lang.switch": ("English", "한국어"),
    "lang.switch.label": ("영어로 보기", "View in Korean"),
    "demo.banner": ("데모 모드: 인증이 꺼져 있습니다", "Demo mode: authentication is off"),
    "login.token": ("접근 토큰", "Access token"),
    "login.submit": ("로그인", "Sign in"),
    "login.logout": ("로그아웃", "Sign out"),
    "login.signed_in": ("토큰으로 로그인됨", "Signed in with a token"),
    "login.required": (
        "이 정보를 보려면 부서 접근 토큰으로 로그인하십시오.",
        "Sign in with your department's access token to see this.",
    ),
    "login.invalid": (
        "토큰이 올바르지 않거나 폐기되었습니다.",
        "The token is invalid or has been revoked.",
    ),
    "login.hint": (
        "토큰은 이 브라우저 탭에만 저장되며 탭을 닫으면 지워집니다.",
        "The token is kept in this browser tab only and is forgotten when the tab closes.",
    ),
    "status.loading": ("불러오는 중…", "Loading…"),
    "status.error": ("불러오지 못했습니다", "Could not load"),
    "status.forbidden": ("권한이 없습니다", "Not allowed"),
    "footer.offline": (
        "이 페이지의 모든 자원은 이 서버에서 제공됩니다(외부 연결 없음).",
        "Everything on this page is served by this server (no outside connections).",
    ),
    # linkage table
    "linkage.title": ("연계테이블", "Linkage table"),
    "linkage.intro": (
        "부서 업무·정보시스템·플랫폼·서비스가 CPS 7대 기능 중 무엇을 채우는지 보여 줍니다.",
        "Which of the seven CPS functions each department's businesses, systems, platforms and services fill.",
    ),
    "linkage.filters": ("연계테이블 거르기", "Filter the linkage table"),
    "linkage.department": ("부서", "Department"),
    "linkage.platform": ("플랫폼", "Platform"),
    "linkage.all_departments": ("전체 부서", "All departments"),
    "linkage.all_platforms": ("전체 플랫폼", "All platforms"),
    "linkage.apply": ("적용", "Apply"),
    "linkage.download": ("내려받기", "Download"),
    "linkage.csv": ("CSV 내려받기", "Download CSV"),
    "linkage.xlsx": ("XLSX(엑셀) 내려받기", "Download XLSX (Excel)"),
    "linkage.download_note": (
        "내려받는 표에는 부서 조건만 적용됩니다.",
        "Downloads apply the department filter only.",
    ),
    "linkage.caption": ("연계테이블: 행 × CPS 7대 기능", "Linkage table: rows × the seven CPS functions"),
    "linkage.col.department": ("부서", "Department"),
    "linkage.col.row": ("업무·시스템·플랫폼·서비스", "Business, system, platform or service"),
    "linkage.empty": ("비어 있음", "empty"),
    "linkage.self": ("직접 수행", "serves directly"),
    "linkage.sensors": ("센서 {n}개", "{n} sensors"),
    "linkage.no_rows": ("조건에 맞는 행이 없습니다.", "No rows match the filters."),
    "linkage.summary": (
        "{rows}개 행, 채워진 칸 {filled}개, 빈 칸 {empty}개",
        "{rows} rows, {filled} filled cells, {empty} empty cells",
    ),
    "linkage.on_platform": ("선택한 플랫폼과 연계", "linked to the chosen platform"),
    # kinds (EntityKind)
    "kind.SENSOR": ("센서", "sensor"),
    "kind.MONITORING_STATION": ("측정소", "monitoring station"),
    "kind.BUILDING": ("건물", "building"),
    "kind.ROAD_LINK": ("도로 링크", "road link"),
    "kind.FACILITY": ("시설물", "facility"),
    "kind.SPATIAL_OBJECT": ("공간객체", "spatial object"),
    "kind.CITY": ("시", "city"),
    "kind.DISTRICT": ("자치구", "district"),
    "kind.DONG": ("동", "dong"),
    "kind.AREA": ("구역", "area"),
    "kind.PLATFORM": ("플랫폼", "platform"),
    "kind.SYSTEM": ("시스템", "system"),
    "kind.SERVICE": ("서비스", "service"),
    "kind.BUSINESS": ("업무", "business"),
    "kind.DEPARTMENT": ("부서", "department"),
    "kind.ORGANIZATION": ("기관", "organisation"),
    "kind.DATASET": ("데이터셋", "dataset"),
    "kind.STANDARD": ("표준", "standard"),
    "kind.OBSERVATION": ("관측", "observation"),
    "kind.OBSERVABLE_PROPERTY": ("관측 속성", "observable property"),
    "kind.CPS_FUNCTION": ("CPS 기능", "CPS function"),
    "kind.IDENTIFIER": ("식별자", "identifier"),
    "kind.GEOMETRY": ("기하", "geometry"),
    "kind.SUBMISSION": ("제출", "submission"),
    "kind.OTHER": ("기타", "other"),
    # map
    "map.title": ("서울시 지도", "Map of Seoul"),
    "map.intro": (
        "25개 자치구 경계와 센서, S-Map 객체를 지식그래프에서 그립니다. 점을 누르면(또는 Tab으로 가서 Enter) "
        "그 개체의 페이지로 갑니다.",
        "The 25 district boundaries, sensors and S-Map objects, drawn from the knowledge graph. Click a point "
        "(or Tab to it and press Enter) to open its page.",
    ),
    "map.controls": ("지도 설정", "Map settings"),
    "map.colour_by": ("센서 색 기준", "Colour sensors by"),
    "map.by_platform": ("플랫폼", "Platform"),
    "map.by_property": ("최신 관측값: {name}", "Latest value: {name}"),
    "map.show_sensors": ("센서 표시", "Show sensors"),
    "map.show_objects": ("S-Map 객체 표시", "Show S-Map objects"),
    "map.zoom_in": ("확대", "Zoom in"),
    "map.zoom_out": ("축소", "Zoom out"),
    "map.zoom_reset": ("전체 보기", "Whole city"),
    "map.svg_label": ("서울시 25개 자치구와 센서 지도", "Map of Seoul's 25 districts and sensors"),
    "map.legend": ("범례", "Legend"),
    "map.no_platform": ("플랫폼 미지정(측정소 등)", "No platform (stations and others)"),
    "map.no_value": ("값 없음", "No value"),
    "map.smap_objects": ("S-Map 객체", "S-Map objects"),
    "map.summary": (
        "자치구 {districts}개, 센서 {sensors}개, S-Map 객체 {objects}개",
        "{districts} districts, {sensors} sensors, {objects} S-Map objects",
    ),
    "map.truncated": (
        "객체가 많아 처음 {n}개만 표시합니다.",
        "Showing the first {n} objects only.",
    ),
    "map.districts_table": ("자치구 목록", "List of districts"),
    "map.col.district": ("자치구", "District"),
    "map.col.code": ("코드", "Code"),
    "map.col.sensors": ("센서 수", "Sensors"),
    "map.point_sensor": ("센서 {name}", "Sensor {name}"),
    "map.point_object": ("{kind} {name}", "{kind} {name}"),
    "map.latest": ("최신 {property}: {value}", "latest {property}: {value}"),
    # entity
    "entity.title": ("개체", "Entity"),
    "entity.missing_iri": (
        "개체 IRI가 없습니다. 주소에 ?iri=… 를 붙이십시오.",
        "No entity IRI given: add ?iri=… to the address.",
    ),
    "entity.not_found": (
        "지식그래프에 이 IRI에 대한 정보가 없습니다.",
        "The knowledge graph knows nothing about this IRI.",
    ),
    "entity.summary": ("요약", "Summary"),
    "entity.iri": ("IRI", "IRI"),
    "entity.labels": ("이름(한국어·영어)", "Names (Korean, English)"),
    "entity.kind": ("종류", "Kind"),
    "entity.types": ("유형", "Types"),
    "entity.graphs": ("기술된 그래프", "Described in graphs"),
    "entity.identifiers": ("플랫폼별 식별자", "Identifiers across platforms"),
    "entity.col.value": ("식별자", "Identifier"),
    "entity.col.scheme": ("식별 체계", "Scheme"),
    "entity.col.source": ("찾은 곳", "Found through"),
    "entity.col.holder": ("가진 개체", "Held by"),
    "entity.source.IDENTIFIER_NODE": ("식별자 노드", "identifier node"),
    "entity.source.PROPERTY": ("속성", "property"),
    "entity.source.CORRESPONDS_TO": ("대응 개체", "corresponding entity"),
    "entity.no_identifiers": ("알려진 식별자가 없습니다.", "No identifiers known."),
    "entity.relations": ("관계", "Relations"),
    "entity.outgoing": ("나가는 링크", "Outgoing links"),
    "entity.incoming": ("들어오는 링크", "Incoming links"),
    "entity.col.predicate": ("관계", "Relation"),
    "entity.col.other": ("대상", "Other end"),
    "entity.col.graph": ("그래프", "Graph"),
    "entity.no_links": ("링크가 없습니다.", "No links."),
    "entity.more": ("더 보기", "Show more"),
    "entity.operated_by": ("운영 부서", "Operated by"),
    "entity.publisher": ("발행 부서", "Publisher"),
    "entity.platforms": ("연계 플랫폼", "Platforms"),
    "entity.functions": ("CPS 기능", "CPS functions"),
    "entity.standards": ("적용 표준", "Standards"),
    "entity.standard_confirmed": ("확인됨", "confirmed"),
    "entity.standard_claimed": ("주장", "claimed"),
    "entity.provides": ("제공 데이터셋", "Provides datasets"),
    "entity.uses": ("활용 데이터셋", "Uses datasets"),
    "entity.providers": ("제공 시스템", "Provided by"),
    "entity.used_by_systems": ("활용 시스템", "Used by systems"),
    "entity.used_by_services": ("활용 서비스", "Used by services"),
    "entity.used_by_businesses": ("활용 업무", "Used by businesses"),
    "entity.services": ("도시 서비스", "City services"),
    "entity.businesses": ("부서 업무", "Department businesses"),
    "entity.systems": ("정보시스템", "Information systems"),
    "entity.datasets": ("데이터셋", "Datasets"),
    "entity.department": ("부서", "Department"),
    "entity.depends_on": ("의존 시스템", "Depends on"),
    "entity.sensor_datasets": ("이 센서의 데이터를 담은 데이터셋", "Datasets holding this sensor's data"),
    "entity.sensor_users": ("이 센서의 데이터를 활용하는 시스템", "Systems using this sensor's data"),
    "entity.location": ("위치", "Location"),
    "entity.district": ("자치구", "District"),
    "entity.latest": ("최신 관측", "Latest observations"),
    "entity.last_submission": ("마지막 제출", "Last submission"),
    "entity.update_cycle": ("갱신 주기", "Update cycle"),
    "entity.none": ("없음", "none"),
    # standards
    "standards.title": ("표준 적용 현황", "Standards coverage"),
    "standards.intro": (
        "표준마다 대응된 로컬 용어와 그 표준을 준수(확인)하거나 주장하는 데이터셋입니다.",
        "For each standard: the local terms mapped to it, and the datasets conforming to or claiming it.",
    ),
    "standards.col.standard": ("표준", "Standard"),
    "standards.col.identifier": ("표준 번호", "Identifier"),
    "standards.col.issuer": ("발행 기구", "Issuer"),
    "standards.col.datasets": ("데이터셋(확인/주장)", "Datasets (confirmed/claimed)"),
    "standards.detail": ("자세히", "Details"),
    "standards.mappings": ("대응된 로컬 용어", "Local terms mapped"),
    "standards.coverage": (
        "로컬 용어 {total}개 중 {mapped}개 대응 ({percent}%)",
        "{mapped} of {total} local terms mapped ({percent}%)",
    ),
    "standards.no_vocabulary": (
        "이 표준에 대응된 어휘가 온톨로지에 없습니다.",
        "The ontology maps no vocabulary to this standard.",
    ),
    "standards.col.local": ("로컬 용어", "Local term"),
    "standards.col.local_kind": ("종류", "Kind"),
    "standards.col.relation": ("대응 관계", "Relation"),
    "standards.col.external": ("외부 용어", "External term"),
    "standards.col.defined_in": ("정의된 곳", "Defined in"),
    "standards.conforming": ("준수 데이터셋", "Conforming datasets"),
    "standards.col.dataset": ("데이터셋", "Dataset"),
    "standards.col.confirmed": ("확인/주장", "Confirmed or claimed"),
    "standards.col.last": ("마지막 제출", "Last submission"),
    "standards.no_datasets": ("이 표준을 준수하는 데이터셋이 없습니다.", "No dataset conforms to it."),
    "standards.conformed": ("적합", "conformed"),
    "standards.not_conformed": ("부적합", "did not conform"),
    "standards.never": ("제출 없음", "never submitted"),
    # submissions
    "submissions.title": ("데이터 제출", "Data submissions"),
    "submissions.intro": (
        "부서 파일을 검증(저장하지 않음)하거나 제출합니다. 위반 사항은 행과 열을 가리킵니다.",
        "Validate (nothing stored) or submit a department file. Every violation points at its row and column.",
    ),
    "submissions.not_ready": (
        "제출 서비스가 아직 준비되지 않았습니다. 관리자에게 문의하십시오.",
        "The submission service is not available yet. Ask the operator.",
    ),
    "submissions.form": ("파일 올리기", "Upload a file"),
    "submissions.dataset": ("데이터셋", "Dataset"),
    "submissions.choose_dataset": ("데이터셋을 고르십시오", "Choose a dataset"),
    "submissions.file": ("파일", "File"),
    "submissions.file_hint": (
        "CSV(UTF-8·CP949), JSON, XML, GeoJSON, XLSX, NGSI-LD",
        "CSV (UTF-8 or CP949), JSON, XML, GeoJSON, XLSX, NGSI-LD",
    ),
    "submissions.validate": ("검증만 하기(저장 안 함)", "Validate only (store nothing)"),
    "submissions.submit": ("제출", "Submit"),
    "submissions.working": ("처리 중…", "Working…"),
    "submissions.list": ("최근 제출", "Recent submissions"),
    "submissions.col.id": ("제출 ID", "Submission"),
    "submissions.col.status": ("상태", "Status"),
    "submissions.col.dataset": ("데이터셋", "Dataset"),
    "submissions.col.department": ("부서", "Department"),
    "submissions.col.file": ("파일", "File"),
    "submissions.col.created": ("제출 시각", "Submitted at"),
    "submissions.col.summary": ("요약", "Summary"),
    "submissions.none": ("제출이 없습니다.", "No submissions yet."),
    "submissions.result": ("결과", "Result"),
    "submissions.report": ("제출 보고서", "Submission report"),
    "submissions.back": ("제출 목록으로", "Back to submissions"),
    "submissions.open_report": ("보고서 보기", "Open the report"),
    "submissions.outcome.committed": ("반영됨", "committed"),
    "submissions.outcome.rejected": ("거부됨", "rejected"),
    "submissions.outcome.duplicate": ("이미 반영된 파일", "already committed"),
    "submissions.outcome.valid": ("검증 통과(저장 안 함)", "valid (nothing stored)"),
    "submissions.outcome.invalid": ("검증 실패(저장 안 함)", "invalid (nothing stored)"),
    "submissions.status.staged": ("접수됨", "staged"),
    "submissions.status.mapped": ("매핑됨", "mapped"),
    "submissions.status.validated": ("검증됨", "validated"),
    "submissions.status.committed": ("반영됨", "committed"),
    "submissions.status.rejected": ("거부됨", "rejected"),
    "submissions.status.duplicate": ("중복", "duplicate"),
    "submissions.status.failed": ("실패", "failed"),
    "submissions.violations": ("규칙별 위반·경고", "Violations and warnings by rule"),
    "submissions.no_problems": ("발견된 문제가 없습니다.", "No problems found."),
    "submissions.col.severity": ("심각도", "Severity"),
    "submissions.col.row": ("행", "Row"),
    "submissions.col.column": ("열", "Column"),
    "submissions.col.value": ("값", "Value"),
    "submissions.col.message": ("내용", "Message"),
    "submissions.rule": ("규칙", "Rule"),
    "submissions.count": ("{n}건", "{n} found"),
    "submissions.listed": (
        "전체 {total}건 중 {listed}건을 보여 줍니다.",
        "Showing {listed} of {total} entries.",
    ),
    "submissions.severity.Violation": ("위반", "Violation"),
    "submissions.severity.Warning": ("경고", "Warning"),
    "submissions.severity.Info": ("참고", "Info"),
    "submissions.triples": ("트리플 {n}개", "{n} triples"),
    "submissions.missing_file": ("파일을 고르십시오.", "Choose a file."),
    "submissions.missing_dataset": ("데이터셋을 고르십시오.", "Choose a dataset."),
    "submissions.not_found": ("그런 제출이 없습니다.", "No such submission."),
    "submissions.whole_file": ("파일 전체", "whole file"),
}


def language_of(value: str | None) -> Language:
    """The page language asked for by ``?lang=`` (Korean unless English is asked for)."""
    return "en" if value is not None and value.strip().lower() == "en" else DEFAULT_LANGUAGE


def translate(language: Language, key: str, **values: object) -> str:
    """The message ``key`` in ``language``, with ``{name}`` placeholders filled.

    >>> translate("en", "linkage.sensors", n=3)
    '3 sensors'
    >>> translate("ko", "linkage.empty")
    '비어 있음'

    Raises:
        KeyError: no message has this key (a typo in a template fails the page tests, not silently).
    """
    ko, en = MESSAGES[key]
    text = en if language == "en" else ko
    return text.format(**values) if values else text


def catalogue(language: Language) -> dict[str, str]:
    """Every message in ``language``, for the page scripts."""
    return {key: (en if language == "en" else ko) for key, (ko, en) in MESSAGES.items()}
