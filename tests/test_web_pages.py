"""The web pages in a real browser: Debian's headless Chromium driven by Playwright, against a real uvicorn server
on loopback that serves the graph fixture (tests/graph_fixture.py) through the real GraphQL API.

Every test runs in a browser context that lets requests reach only the loopback server: any other request is
aborted and recorded, and the test fails if one was even attempted (the pages must work on a network cut off
from the internet, 망분리). Each page is also saved as a screenshot under ``test-output/screenshots/``.

Set-up: ``.ci/install-browser.sh`` installs ``chromium``, ``chromium-driver`` and a Korean font from Debian;
the tests skip, saying why, when ``/usr/bin/chromium`` or the ``playwright`` package is missing. Playwright is
used only as a driver of that Chromium (``executable_path``); it never downloads a browser.

The submission tests use the real submission service (``SubmissionService.open``) over the real dataset
catalogue; while the catalogue cannot be loaded they skip with 'submission service not ready'.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import uvicorn

from kg_service.api.app import create_app
from kg_service.api.auth import TokenStore
from kg_service.bootstrap import initialise_store
from kg_service.config import REPOSITORY_ROOT, Settings
from kg_service.errors import KGServiceError
from kg_service.store.embedded import EmbeddedStore
from kg_service.submissions.service import SubmissionService
from kg_service.web import web_routes
from tests.graph_fixture import BUSINESSES, SENSORS, STATION_SENSORS, SYSTEMS, fixture_store

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPOSITORY_ROOT / "test-output" / "screenshots"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
ID = "https://data.seoul.go.kr/cps/id/"
FUNCTIONS = (
    ("RealProblem", "현실문제", "real-world problem"),
    ("RealData", "현실데이터", "real-world data"),
    ("RealModelling", "현실모델링", "real-world modelling"),
    ("DataTransfer", "데이터전달", "data transfer"),
    ("VirtualModel", "가상모델(가상화)", "virtual model"),
    ("DecisionMaking", "의사결정", "decision making"),
    ("AutonomousControl", "자율제어", "autonomous control"),
)
SENSOR_IRI = ID + "sensor/V02Q1940043"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[test]')"
)


def _chromium_missing() -> bool:
    return not CHROMIUM.exists()


needs_chromium = pytest.mark.skipif(
    _chromium_missing(), reason="/usr/bin/chromium is missing: run .ci/install-browser.sh (as root)"
)


# -- a real server ------------------------------------------------------------------------------------------


class LoopbackServer:
    """uvicorn serving ``app`` on a free loopback port in a background thread."""

    def __init__(self, app: Any) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", http="h11", ws="none")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def open_submissions(settings: Settings, store: EmbeddedStore) -> SubmissionService | None:
    """The real submission service, or ``None`` while the dataset catalogue cannot be loaded."""
    try:
        return SubmissionService.open(settings, store)
    except KGServiceError:
        return None


def serve(settings: Settings, store: EmbeddedStore, submissions: SubmissionService | None) -> LoopbackServer:
    """The service's app with the web pages, as ``create_app`` mounts them (added here until it does)."""
    app = create_app(settings, store, submissions=submissions)
    if not any(getattr(route, "path", None) == "/" for route in app.routes):
        app.router.routes.extend(web_routes(settings, submissions=submissions))
    return LoopbackServer(app)


@dataclass
class Site:
    """A running server and what the tests need to know about it."""

    url: str
    submissions: SubmissionService | None = None
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Demo mode (no token) over the graph fixture."""
    store = fixture_store()
    settings = Settings(data_dir=tmp_path_factory.mktemp("web-demo"), demo=True)
    submissions = open_submissions(settings, store)
    server = serve(settings, store, submissions)
    yield Site(server.url, submissions)
    server.stop()
    store.close()


@pytest.fixture(scope="module")
def unavailable_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Demo mode with no dataset catalogue (an empty mappings directory): no submission service at all."""
    data_dir = tmp_path_factory.mktemp("web-unavailable")
    store = fixture_store()
    settings = Settings(data_dir=data_dir, demo=True, mappings_dir=data_dir / "no-mappings")
    assert open_submissions(settings, store) is None
    server = serve(settings, store, None)
    yield Site(server.url)
    server.stop()
    store.close()


@pytest.fixture(scope="module")
def secure_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Authentication on, over the graph fixture, with a reader token."""
    data_dir = tmp_path_factory.mktemp("web-secure")
    store = fixture_store()
    settings = Settings(data_dir=data_dir, demo=False)
    tokens = TokenStore.for_data_dir(data_dir)
    reader = tokens.create("transport", "reader", "web tests").plaintext
    submissions = open_submissions(settings, store)
    server = serve(settings, store, submissions)
    yield Site(server.url, submissions, {"reader": reader})
    server.stop()
    store.close()


@pytest.fixture(scope="module")
def submission_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Demo mode over a store set up as ``kg init`` does (ontology, reference data, the dataset catalogue)."""
    store = EmbeddedStore.open(None)
    settings = Settings(data_dir=tmp_path_factory.mktemp("web-submissions"), demo=True)
    submissions = open_submissions(settings, store)
    if submissions is None:
        store.close()
        pytest.skip("submission service not ready: mappings/datasets.yaml names rule files not written yet")
    initialise_store(store, settings.ontology_dir, catalog=submissions.catalog)
    server = serve(settings, store, submissions)
    yield Site(server.url, submissions)
    server.stop()
    store.close()


# -- the browser --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if _chromium_missing():
        pytest.skip("/usr/bin/chromium is missing: run .ci/install-browser.sh (as root)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A page in a fresh browser context that may reach only loopback, and what it tried to do."""

    page: Any
    outside: list[str]
    errors: list[str]

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    outside: list[str] = []
    errors: list[str] = []

    def only_loopback(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    context.on("request", lambda request: _note_outside(request.url, outside))
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}")
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    yield Tab(page, outside, errors)
    context.close()
    assert outside == [], f"the page tried to reach outside loopback: {outside}"
    assert errors == [], f"the page reported errors: {errors}"


def _note_outside(url: str, outside: list[str]) -> None:
    if (
        not url.startswith(("data:", "blob:"))
        and urlsplit(url).hostname not in LOOPBACK
        and url not in outside
    ):
        outside.append(url)


def entity_url(site: Site, iri: str, *, lang: str = "") -> str:
    return f"{site.url}/entity?iri={quote(iri, safe='')}" + (f"&lang={lang}" if lang else "")


def wait_ready(tab: Tab, selector: str) -> None:
    tab.page.wait_for_selector(f"{selector}[data-ready=true]", state="attached")


# -- the linkage table ------------------------------------------------------------------------------------


@needs_chromium
def test_front_page_linkage_table_places_systems_in_their_function_columns(tab: Tab, demo_site: Site) -> None:
    page = tab.page
    tab.goto(demo_site.url + "/")
    wait_ready(tab, "#linkage-table")
    assert page.get_attribute("html", "lang") == "ko"
    headers = page.eval_on_selector_all(
        "#linkage-table thead th.function", "cells => cells.map(c => [c.dataset.function, c.textContent])"
    )
    assert [name for name, _ in headers] == [name for name, _, _ in FUNCTIONS]
    for (_, text), (_, korean, english) in zip(headers, FUNCTIONS, strict=True):
        assert korean in text and english in text
    for code, name_ko, _, department, _, _, _, functions, _, _ in SYSTEMS:
        row = page.locator(f'#linkage-table tbody[data-department="{department}"] tr[data-code="{code}"]')
        assert row.count() == 1, code
        assert name_ko in row.locator('th[scope="row"]').inner_text()
        for name, _, _ in FUNCTIONS:
            serves = row.locator(f'td[data-function="{name}"] li[data-relation="SELF"]').count() == 1
            assert serves == (name in functions), (code, name)
    # A business row lists the systems it depends on under the functions they serve, as links.
    for code, _, _, _, systems, _, _ in BUSINESSES:
        row = page.locator(f'#linkage-table tr[data-code="{code}"]')
        for system in systems:
            served = next(entry[7] for entry in SYSTEMS if entry[0] == system)
            for name in served:
                link = row.locator(f'td[data-function="{name}"] a[data-iri="{ID}system/{system}"]')
                assert link.count() == 1, (code, system, name)
    # Empty cells are visible and say so in words.
    empty = page.locator("#linkage-table td.empty")
    assert empty.count() > 0
    assert set(empty.all_inner_texts()) == {"비어 있음"}
    filled = page.locator("#linkage-table td.filled").count()
    rows = page.locator("#linkage-table tbody tr").count()
    assert filled + empty.count() == rows * 7
    assert f"빈 칸 {empty.count()}개" in page.inner_text("#linkage-status")
    # Sensors behind a cell's datasets: the fixture's six S-DoT sensors fill SYS-0001's real-world data cell.
    cell = page.locator('tr[data-code="SYS-0001"] td[data-function="RealData"]')
    assert "센서 6개" in cell.inner_text()
    tab.shot("linkage-table-ko")


@needs_chromium
def test_linkage_filters_and_downloads(tab: Tab, demo_site: Site) -> None:
    page = tab.page
    tab.goto(demo_site.url + "/")
    wait_ready(tab, "#linkage-table")
    page.select_option("#filter-department", "transport")
    page.click("#linkage-filters button[type=submit]")
    page.wait_for_url("**/?department=transport*")
    wait_ready(tab, "#linkage-table")
    codes = page.eval_on_selector_all("#linkage-table tbody tr", "rows => rows.map(r => r.dataset.code)")
    assert codes == ["BIZ-TR-01", "SYS-0005", "traffic-info"]
    assert page.locator("#linkage-table tbody").evaluate_all(
        "bodies => bodies.map(b => b.dataset.department)"
    ) == ["transport"]
    assert page.get_attribute("#download-csv", "href") == "/linkage-table.csv?department=transport"
    with page.expect_download() as csv_download:
        page.click("#download-csv")
    csv_text = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
    assert "교통정보시스템" in csv_text and "자율제어" in csv_text
    with page.expect_download() as xlsx_download:
        page.click("#download-xlsx")
    assert Path(xlsx_download.value.path()).read_bytes()[:2] == b"PK"
    assert xlsx_download.value.suggested_filename == "linkage-table-transport.xlsx"

    tab.goto(demo_site.url + "/?platform=s-map")
    wait_ready(tab, "#linkage-table")
    codes = page.eval_on_selector_all("#linkage-table tbody tr", "rows => rows.map(r => r.dataset.code)")
    assert {"s-map", "SYS-0004", "SYS-0006", "BIZ-UP-01"} <= set(codes)
    assert "SYS-0001" not in codes and "s-dot" not in codes
    assert page.locator("#linkage-table li.on-platform").count() > 0
    assert page.input_value("#filter-platform") == "s-map"
    tab.shot("linkage-table-platform-filter")


# -- the map ------------------------------------------------------------------------------------------------


@needs_chromium
def test_map_draws_the_25_districts_and_the_sensors(tab: Tab, demo_site: Site) -> None:
    page = tab.page
    tab.goto(demo_site.url + "/#map")
    wait_ready(tab, "#map-svg")
    assert page.locator("#map-svg path.district").count() == 25
    codes = page.eval_on_selector_all("#map-svg path.district", "paths => paths.map(p => p.dataset.code)")
    assert sorted(codes) == codes and codes[0] == "11110" and codes[-1] == "11740"
    boxes = page.eval_on_selector_all(
        "#map-svg path.district",
        "paths => paths.map(p => { const b = p.getBBox(); return [b.width, b.height]; })",
    )
    assert all(width > 0 and height > 0 for width, height in boxes)
    assert page.locator("#districts-table tbody tr").count() == 25
    sensors = page.locator("#map-svg a.sensor-point")
    assert sensors.count() == len(SENSORS) + len(STATION_SENSORS)
    assert page.locator("#map-svg a.object-point").count() == 7  # five buildings, a facility, a road link
    legend = page.inner_text("#map-legend-items")
    assert "S-DoT (6)" in legend and "S-Map 객체 (7)" in legend
    # Every point sits inside the drawing of its district's area (the map's own bounds).
    inside = page.evaluate(
        """() => {
            const box = document.getElementById('map-districts').getBBox();
            return [...document.querySelectorAll('#map-svg circle.point')].every(c => {
                const x = +c.getAttribute('cx'), y = +c.getAttribute('cy');
                return x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height;
            });
        }"""
    )
    assert inside
    # Colour by the latest PM10: V02Q1940043's last value is 31.5 µg/m³ (graph_fixture.sdot_value).
    page.select_option("#map-colour", "PM10")
    page.wait_for_selector("#map-svg[data-colour=PM10]", state="attached")
    label = page.get_attribute(f'#map-svg a[data-iri="{SENSOR_IRI}"]', "aria-label")
    assert label is not None and "31.5" in label and "µg/m³" in label
    assert "µg/m³" in page.inner_text("#map-legend-items")
    tab.shot("map-pm10")
    page.select_option("#map-colour", "platform")
    page.wait_for_selector("#map-svg[data-colour=platform]", state="attached")
    tab.shot("front-page-ko")


@needs_chromium
def test_tab_to_a_map_point_and_press_enter_opens_its_page(tab: Tab, demo_site: Site) -> None:
    page = tab.page
    tab.goto(demo_site.url + "/")
    wait_ready(tab, "#map-svg")
    page.focus("#map-zoom-reset")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('map-point')"):
            break
    focused = page.evaluate(
        """() => {
            const a = document.activeElement;
            const ring = a.querySelector('.focus-ring');
            return {iri: a.dataset.iri, label: a.getAttribute('aria-label'),
                    ring: ring ? getComputedStyle(ring).visibility : null};
        }"""
    )
    assert focused["iri"], "Tab did not reach a map point"
    assert focused["label"]
    assert focused["ring"] == "visible"
    page.keyboard.press("Enter")
    page.wait_for_url("**/entity?iri=*")
    wait_ready(tab, "#entity-body")
    assert page.locator("#entity-summary code").first.inner_text() == focused["iri"]


# -- the entity page ----------------------------------------------------------------------------------------


@needs_chromium
def test_entity_page_shows_identifiers_links_and_usage(tab: Tab, demo_site: Site) -> None:
    page = tab.page
    tab.goto(entity_url(demo_site, SENSOR_IRI))
    wait_ready(tab, "#entity-body")
    assert "V02Q1940043" in page.inner_text("#entity-title")
    identifiers = page.inner_text("#identifiers-table")
    for value in ("urn:ngsi-ld:Device:V02Q1940043", "V02Q1940043", "SF-0001"):
        assert value in identifiers
    assert (
        page.locator(f'#identifiers-table a[href*="{quote(ID + "facility/SF-0001", safe="")}"]').count() == 1
    )
    relations = page.inner_text("#entity-relations")
    for system in ("대기질 통합관리시스템", "미세먼지 예측 AI 시스템", "도시열섬 분석시스템"):
        assert system in relations
    assert "S-DoT 환경정보" in relations
    incoming = page.locator("#entity-incoming-table tbody tr")
    assert incoming.count() == 50
    page.click("#entity-incoming button.more")
    page.wait_for_function(
        "() => document.querySelectorAll('#entity-incoming-table tbody tr').length === 100"
    )
    tab.shot("entity-sensor")
    page.click('#entity-outgoing-table a:text-is("종로구")')
    page.wait_for_url(f"**/entity?iri={quote(ID + 'district/11110', safe='')}")
    wait_ready(tab, "#entity-body")
    assert "종로구" in page.inner_text("#entity-title")

    tab.goto(entity_url(demo_site, ID + "system/SYS-0002"))
    wait_ready(tab, "#entity-body")
    relations = page.inner_text("#entity-relations")
    assert "기후환경본부" in relations  # operated by
    assert "서울시 실시간 대기환경 현황" in relations  # provides
    assert "실시간 대기질 알림" in relations  # the service depending on it
    standard = page.locator('#entity-relations a[href="/standards?standard=sosa-ssn"]')
    assert standard.count() == 1
    tab.shot("entity-system")
    standard.click()
    wait_ready(tab, "#standard-detail")


@needs_chromium
def test_entity_page_for_an_unknown_iri_says_so(tab: Tab, demo_site: Site) -> None:
    tab.goto(entity_url(demo_site, ID + "sensor/NO-SUCH-SENSOR"))
    tab.page.wait_for_function(
        "() => document.getElementById('entity-status').textContent.includes('정보가 없습니다')"
    )
    assert tab.page.is_hidden("#entity-body")


# -- standards ----------------------------------------------------------------------------------------------


@needs_chromium
def test_standards_page_lists_mapped_terms_and_conforming_datasets(tab: Tab, demo_site: Site) -> None:
    page = tab.page
    tab.goto(demo_site.url + "/standards?standard=sosa-ssn")
    wait_ready(tab, "#standard-detail")
    assert page.locator("#standards-table tbody tr").count() == 19
    mappings = page.inner_text("#mappings-table")
    assert "http://www.w3.org/ns/sosa/Sensor" in mappings and "SUBCLASS" in mappings
    assert page.locator("#mappings-table tbody tr").count() == 6
    assert "6" in page.inner_text("#standard-coverage")
    conforming = page.locator("#conforming-table tbody tr")
    assert conforming.count() == 2
    assert "S-DoT 환경정보" in conforming.nth(0).inner_text() and "확인됨" in conforming.nth(0).inner_text()
    second = conforming.nth(1).inner_text()
    assert "서울시 실시간 대기환경 현황" in second and "rejected" in second and "부적합" in second
    tab.shot("standards-sosa-ssn")

    tab.goto(demo_site.url + "/standards?standard=iso-37120")
    wait_ready(tab, "#standard-detail")
    assert "대응된 어휘가 온톨로지에 없습니다" in page.inner_text("#standard-mappings")


# -- English ------------------------------------------------------------------------------------------------


@needs_chromium
def test_english_pages_keep_their_language_and_toggle_back(tab: Tab, demo_site: Site) -> None:
    page = tab.page
    tab.goto(demo_site.url + "/?lang=en")
    wait_ready(tab, "#linkage-table")
    wait_ready(tab, "#map-svg")
    assert page.get_attribute("html", "lang") == "en"
    assert "Linkage table" in page.inner_text("#linkage-title")
    assert set(page.locator("#linkage-table td.empty").all_inner_texts()) == {"empty"}
    assert "real-world problem" in page.inner_text("#linkage-table thead")
    hrefs = page.eval_on_selector_all(
        "#linkage-table tbody a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert hrefs and all(href.endswith("&lang=en") for href in hrefs)
    toggle = page.locator("a.lang-switch")
    assert toggle.get_attribute("lang") == "ko" and toggle.inner_text() == "한국어"
    tab.shot("front-page-en")

    tab.goto(entity_url(demo_site, SENSOR_IRI, lang="en"))
    wait_ready(tab, "#entity-body")
    assert "Identifiers across platforms" in page.inner_text("#entity-identifiers-title")
    assert "Integrated air-quality management system" in page.inner_text("#entity-relations")
    page.click("a.lang-switch")
    page.wait_for_url(f"**/entity?iri={quote(SENSOR_IRI, safe='')}")
    wait_ready(tab, "#entity-body")
    assert page.get_attribute("html", "lang") == "ko"
    assert "플랫폼별 식별자" in page.inner_text("#entity-identifiers-title")


# -- authentication -----------------------------------------------------------------------------------------


@needs_chromium
def test_with_authentication_the_pages_ask_for_a_token_and_use_it(tab: Tab, secure_site: Site) -> None:
    page = tab.page
    tab.goto(secure_site.url + "/")
    page.wait_for_function("() => document.getElementById('linkage-status').classList.contains('error')")
    assert "로그인하십시오" in page.inner_text("#linkage-status")
    assert page.locator("label[for=login-token]").inner_text() == "접근 토큰"
    page.fill("#login-token", "kg_000000000000_not-a-real-token-at-all")
    page.click("#login-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('login-message').textContent.length > 0")
    assert "올바르지 않거나" in page.inner_text("#login-message")
    page.fill("#login-token", secure_site.tokens["reader"])
    page.click("#login-form button[type=submit]")
    wait_ready(tab, "#linkage-table")
    wait_ready(tab, "#map-svg")
    assert page.is_visible("#login-state") and page.is_hidden("#login-form")
    assert page.locator("#map-svg path.district").count() == 25
    # The downloads need the token too: the page fetches them with it.
    with page.expect_download() as download:
        page.click("#download-csv")
    assert "교통정보시스템" in Path(download.value.path()).read_bytes().decode("utf-8-sig")
    tab.shot("front-page-signed-in")
    if secure_site.submissions is not None:
        tab.goto(secure_site.url + "/submissions")
        page.wait_for_function("() => document.querySelectorAll('#upload-dataset option').length > 1")
        page.select_option("#upload-dataset", index=1)
        page.set_input_files(
            "#upload-file", files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"}]
        )
        page.click("#upload-validate")
        page.wait_for_function("() => document.getElementById('upload-status').classList.contains('error')")
        assert "submitter" in page.inner_text("#upload-status")
    page.click("#logout-button")
    page.wait_for_selector("#login-form", state="visible")


# -- submissions --------------------------------------------------------------------------------------------


@needs_chromium
def test_submissions_page_says_when_the_service_is_not_available(tab: Tab, unavailable_site: Site) -> None:
    tab.goto(unavailable_site.url + "/submissions")
    assert tab.page.is_visible("#submissions-not-ready")
    assert tab.page.locator("#upload-form").count() == 0
    tab.page.wait_for_selector("#submissions-status:text('제출이 없습니다')")
    tab.shot("submissions-not-available")


def _bad_hourly_csv() -> bytes:
    """An S-DoT hourly file (cp949, the city's 23 columns) with three bad cells: PM10 '없음' in data row 2,
    hour 24 in row 3, 32 July in row 4."""
    from kg_service.demo.sdot import HOURLY_ENCODING, HOURLY_HEADER

    values = ["12.1", "31.5", "26.3", "60", "180", "1.2", "200", "2.5", "300", "3", "55"]
    values += ["0.01", "0.01", "0.01", "0.02", "0.02", "0.02", "28", "30", "12"]

    def row(date: str, hour: str, pm10: str = "31.5") -> str:
        cells = list(values)
        cells[1] = pm10
        return ",".join(["V02Q1940043", date, hour, *cells])

    lines = [
        HOURLY_HEADER,
        row("2025.7.14", "1"),
        row("2025.7.14", "2", pm10="없음"),
        row("2025.7.14", "24"),
        row("2025.7.32", "3"),
    ]
    return ("\r\n".join(lines) + "\r\n").encode(HOURLY_ENCODING)


def _violation_cells(tab: Tab) -> list[tuple[str, str, str]]:
    """(row, column, value) of every violation listed on the page."""
    rows = tab.page.eval_on_selector_all(
        ".rule-group.severity-Violation table.violations tbody tr",
        "rows => rows.map(r => [r.cells[0].textContent, r.cells[1].textContent, r.cells[2].textContent])",
    )
    return [(row, column, value) for row, column, value in rows]


@needs_chromium
def test_a_bad_upload_shows_its_violations_by_rule_with_row_and_column(
    tab: Tab, submission_site: Site
) -> None:
    page = tab.page
    upload = [{"name": "sdot_20250714.csv", "mimeType": "text/csv", "buffer": _bad_hourly_csv()}]
    tab.goto(submission_site.url + "/submissions")
    page.wait_for_selector('#upload-dataset option[value="sdot-hourly"]', state="attached")
    for label_for in ("upload-dataset", "upload-file"):
        assert page.locator(f"label[for={label_for}]").count() == 1
    page.select_option("#upload-dataset", "sdot-hourly")
    page.set_input_files("#upload-file", files=upload)
    page.click("#upload-validate")
    wait_ready(tab, "#upload-result")
    assert page.get_attribute("#upload-result .outcome", "data-outcome") == "invalid"
    assert page.locator(".rule-group.severity-Violation").count() >= 3
    cells = _violation_cells(tab)
    assert ("2", "미세먼지 (㎍/㎥)", "없음") in cells
    assert ("3", "hour", "24") in cells
    assert ("4", "date", "2025.7.32") in cells
    tab.shot("submission-validate-invalid")

    page.click("#upload-submit")
    page.wait_for_selector("#upload-result .outcome[data-outcome=rejected]")
    page.click("#upload-result a:text('보고서 보기')")
    page.wait_for_url("**/submissions/sub-*")
    wait_ready(tab, "#submission-body")
    assert "거부됨" in page.inner_text("#submission-body")
    assert ("2", "미세먼지 (㎍/㎥)", "없음") in _violation_cells(tab)
    tab.shot("submission-report")
    tab.goto(submission_site.url + "/submissions")
    wait_ready(tab, "#submissions-table")
    assert "sdot_20250714.csv" in page.inner_text("#submissions-table")
    tab.shot("submissions-list")


# -- accessibility ------------------------------------------------------------------------------------------

PAGES: list[tuple[str, str, str]] = [
    ("front", "/", "#linkage-table"),
    ("entity", f"/entity?iri={quote(SENSOR_IRI, safe='')}", "#entity-body"),
    ("standards", "/standards?standard=sosa-ssn", "#standard-detail"),
    ("submissions", "/submissions", "#submissions-table, #submissions-status"),
]

_A11Y_FACTS = """() => {
    const visible = el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
        return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
    const controls = [...document.querySelectorAll('input, select, textarea')]
        .filter(c => c.type !== 'hidden')
        .map(c => ({id: c.id, named: !!(c.labels && c.labels.length) || !!c.getAttribute('aria-label')
                                      || !!c.getAttribute('aria-labelledby')}));
    const headers = [...document.querySelectorAll('th')].map(th => th.getAttribute('scope'));
    const buttons = [...document.querySelectorAll('button, a[href]')]
        .filter(visible).filter(b => !(b.textContent.trim() || b.getAttribute('aria-label'))).map(b => b.outerHTML);
    const points = [...document.querySelectorAll('#map-svg a')].filter(a => !a.getAttribute('aria-label')).length;
    const colour = value => { const m = value.match(/[\\d.]+/g) || []; return m.map(Number); };
    const background = el => {
        for (let node = el; node; node = node.parentElement) {
            const c = colour(getComputedStyle(node).backgroundColor);
            if (c.length >= 3 && (c.length === 3 || c[3] > 0)) return c.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const texts = [];
    for (const el of document.querySelectorAll('body *')) {
        if (el.closest('svg') || !visible(el)) continue;
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own) continue;
        const s = getComputedStyle(el);
        texts.push({tag: el.tagName, text: el.textContent.trim().slice(0, 40), fg: colour(s.color).slice(0, 3),
                    bg: background(el), size: parseFloat(s.fontSize), weight: parseInt(s.fontWeight, 10)});
    }
    return {lang: document.documentElement.lang, controls, headers, unnamed: buttons, unnamedPoints: points,
            h1: document.querySelectorAll('h1').length, texts};
}"""


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: list[float], second: list[float]) -> float:
    """The WCAG 2 contrast ratio of two sRGB colours (1 to 21).

    >>> round(contrast([0, 0, 0], [255, 255, 255]), 1)
    21.0
    """
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _hex(colour: str) -> list[float]:
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) for i in (0, 2, 4)]


@needs_chromium
@pytest.mark.parametrize(("name", "path", "ready"), PAGES, ids=[page[0] for page in PAGES])
def test_pages_are_accessible(tab: Tab, demo_site: Site, name: str, path: str, ready: str) -> None:
    page = tab.page
    tab.goto(demo_site.url + path)
    page.wait_for_selector(
        ", ".join(f"{part.strip()}[data-ready=true]" for part in ready.split(",")), state="attached"
    )
    page.wait_for_timeout(200)
    facts = page.evaluate(_A11Y_FACTS)
    assert facts["lang"] == "ko"
    assert facts["h1"] == 1
    assert all(control["named"] for control in facts["controls"]), facts["controls"]
    scopes = facts["headers"]
    assert scopes and all(scope in ("col", "row", "rowgroup") for scope in scopes), scopes
    assert facts["unnamed"] == []
    assert facts["unnamedPoints"] == 0
    low = []
    for text in facts["texts"]:
        large = text["size"] >= 24 or (text["size"] >= 18.66 and text["weight"] >= 700)
        ratio = contrast(text["fg"], text["bg"])
        if ratio < (3.0 if large else 4.5):
            low.append((text["tag"], text["text"], round(ratio, 2)))
    assert low == [], f"text below WCAG AA contrast: {low}"
    # Keyboard: the first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and float(outline[1].rstrip("px")) >= 2
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    tab.shot(f"a11y-{name}")


@needs_chromium
def test_map_graphics_have_enough_contrast(tab: Tab, demo_site: Site) -> None:
    """Non-text contrast (WCAG 1.4.11, at least 3:1): district edges, point outlines and the focus ring against
    the districts' fill, and the district names against their halo."""
    page = tab.page
    tab.goto(demo_site.url + "/")
    wait_ready(tab, "#map-svg")
    colours = page.evaluate(
        """() => {
            const rgb = v => (v.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
            const style = sel => getComputedStyle(document.querySelector(sel));
            return {district: rgb(style('#map-svg path.district').fill),
                    edge: rgb(style('#map-svg path.district').stroke),
                    point: rgb(style('#map-svg circle.point').stroke),
                    object: rgb(getComputedStyle(document.querySelector('#map-svg rect.point')).stroke),
                    ring: rgb(style('#map-svg .focus-ring').stroke),
                    label: rgb(style('#map-svg .district-label').fill),
                    halo: rgb(style('#map-svg .district-label').stroke)};
        }"""
    )
    for part in ("edge", "point", "object", "ring"):
        assert contrast(colours[part], colours["district"]) >= 3, part
    assert contrast(colours["label"], colours["halo"]) >= 4.5
    assert contrast(colours["label"], colours["district"]) >= 4.5
