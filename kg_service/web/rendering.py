"""Rendering a page: one Jinja2 template in the asked language, with the frame every page shares.

A page holds no data: its script asks ``/graphql`` for it (see :mod:`kg_service.web.pages` for why). What
the server renders is the frame, the headings, the forms and every label, in Korean or English, and a JSON
block of settings and words for the script. Every page is sent with a Content-Security-Policy that lets the
browser load nothing from anywhere but this server, and no inline script or style.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Final
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from kg_service.web.i18n import Language, catalogue, language_of, translate

WEB_DIR: Final = Path(__file__).resolve().parent
TEMPLATES_DIR: Final = WEB_DIR / "templates"
ASSETS_DIR: Final = WEB_DIR / "static"
ASSETS_MOUNT: Final = "/assets"
GRAPHQL_PATH: Final = "/graphql"
LINKAGE_CSV_PATH: Final = "/linkage-table.csv"
LINKAGE_XLSX_PATH: Final = "/linkage-table.xlsx"

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""Nothing but this server: no inline script or style, no other origin, not framed."""

# (path, message key, the pages it covers) of the main navigation, in order.
_NAVIGATION: Final = (
    ("/", "nav.home", frozenset({"home"})),
    ("/standards", "nav.standards", frozenset({"standards"})),
    ("/submissions", "nav.submissions", frozenset({"submissions", "submission"})),
)


class PageRenderer:
    """Renders the page templates of ``kg_service/web/templates``."""

    def __init__(self, *, demo: bool, submissions_available: bool) -> None:
        self.demo = demo
        self.submissions_available = submissions_available
        self.environment = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(
        self, request: Request, template: str, page: str, *, title_key: str, **values: str
    ) -> HTMLResponse:
        """``template`` in the language ``?lang=`` asks for; ``values`` go to the template and the script."""
        language = language_of(request.query_params.get("lang"))
        other: Language = "ko" if language == "en" else "en"
        switch = request.url.remove_query_params("lang")
        if other == "en":
            switch = switch.include_query_params(lang="en")
        switch_url = switch.path + (f"?{switch.query}" if switch.query else "")

        def t(key: str, **parts: object) -> str:
            return translate(language, key, **parts)

        def href(path: str, **params: str) -> str:
            return page_href(language, path, **params)

        config = {
            "page": page,
            "lang": language,
            "demo": self.demo,
            "graphqlPath": GRAPHQL_PATH,
            "linkageCsvPath": LINKAGE_CSV_PATH,
            "linkageXlsxPath": LINKAGE_XLSX_PATH,
            "submissionsAvailable": self.submissions_available,
            "messages": catalogue(language),
            **values,
        }
        body = self.environment.get_template(template).render(
            lang=language,
            other_lang=other,
            page=page,
            title=t(title_key),
            t=t,
            href=href,
            asset=asset_url,
            demo=self.demo,
            switch_url=switch_url,
            navigation=[(path, t(key), page in pages) for path, key, pages in _NAVIGATION],
            submissions_available=self.submissions_available,
            config_json=Markup(script_json(config)),  # noqa: S704 - made safe for <script> by script_json
            **values,
        )
        headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Content-Language": language}
        return HTMLResponse(body, headers=headers)


def page_href(language: Language, path: str, **params: str) -> str:
    """A link to one of the pages, keeping the page language.

    >>> page_href("en", "/entity", iri="https://data.seoul.go.kr/cps/id/sensor/V02Q1940043")
    '/entity?iri=https%3A%2F%2Fdata.seoul.go.kr%2Fcps%2Fid%2Fsensor%2FV02Q1940043&lang=en'
    >>> page_href("ko", "/")
    '/'
    """
    query = {key: value for key, value in params.items() if value}
    if language == "en":
        query["lang"] = "en"
    if not query:
        return path
    return path + "?" + "&".join(f"{key}={quote(value, safe='')}" for key, value in query.items())


def script_json(data: object) -> str:
    """JSON that cannot end the ``<script type="application/json">`` element holding it.

    >>> script_json({"x": "</script><b>"})
    '{"x": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def asset_url(name: str) -> str:
    """The URL of an asset with a version taken from its content, so browsers never run a stale script.

    Raises:
        FileNotFoundError: no such asset (a template names a file that is not shipped).
    """
    path = (ASSETS_DIR / name).resolve()
    if ASSETS_DIR not in path.parents:
        raise FileNotFoundError(name)
    version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"{ASSETS_MOUNT}/{name}?v={version}"
