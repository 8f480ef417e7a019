"""The web pages for people: the linkage table and the map (front page), entity pages, standards coverage and
submission reports, in Korean (default) or English (``?lang=en``).

Each page is rendered on the server with Jinja2 (its frame, headings, forms and every label in the page's
language; :mod:`kg_service.web.rendering`) and filled in the browser by a small script per page that asks
``/graphql``, the same API the departments use, so no query has a second implementation. Why the data is not
rendered on the server: the API authenticates with bearer tokens, which a browser does not send when it
follows a link. The pages keep the token in ``sessionStorage`` (this tab only) and send it with each
``fetch``, so the pages themselves hold no data and need no cookie (and so no CSRF defence). In demo mode no
token is needed.

Everything a page loads comes from this server (``/assets/…``): no CDN, no web fonts, no map tiles (the map
is plain SVG drawn from the districts' WKT geometries).

Routes (:func:`web_routes`): ``/`` (linkage table and map), ``/entity?iri=…``, ``/standards[?standard=slug]``,
``/submissions``, ``/submissions/{id}`` and ``/assets/…``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from kg_service.web.rendering import ASSETS_DIR, ASSETS_MOUNT, PageRenderer
from kg_service.web.submissions_view import SubmissionPages

if TYPE_CHECKING:
    from kg_service.config import Settings
    from kg_service.submissions.service import SubmissionService

MAX_PARAMETER_LENGTH: Final = 2000


def web_routes(settings: Settings, *, submissions: SubmissionService | None = None) -> list[BaseRoute]:
    """The pages and their assets, for ``create_app`` to add to its routes.

    Args:
        settings: the service settings (demo mode decides whether the pages ask for a token).
        submissions: the app's submission service, or ``None`` when it could not be opened (the submission
            pages then say that submissions are not available instead of offering the upload form).
    """
    renderer = PageRenderer(demo=bool(settings.demo), submissions_available=submissions is not None)
    pages = _Pages(renderer)
    return [
        Route("/", pages.home, methods=["GET", "HEAD"], name="web-home"),
        Route("/entity", pages.entity, methods=["GET", "HEAD"], name="web-entity"),
        Route("/standards", pages.standards, methods=["GET", "HEAD"], name="web-standards"),
        *SubmissionPages(renderer).routes(),
        Mount(ASSETS_MOUNT, StaticFiles(directory=ASSETS_DIR), name="web-assets"),
    ]


class _Pages:
    """The handlers of the pages other than the submission pages."""

    def __init__(self, renderer: PageRenderer) -> None:
        self.renderer = renderer

    async def home(self, request: Request) -> Response:
        return self.renderer.render(request, "home.html", "home", title_key="linkage.title")

    async def entity(self, request: Request) -> Response:
        iri = request.query_params.get("iri", "").strip()[:MAX_PARAMETER_LENGTH]
        return self.renderer.render(request, "entity.html", "entity", title_key="entity.title", iri=iri)

    async def standards(self, request: Request) -> Response:
        slug = request.query_params.get("standard", "").strip()[:MAX_PARAMETER_LENGTH]
        return self.renderer.render(
            request, "standards.html", "standards", title_key="standards.title", slug=slug
        )
