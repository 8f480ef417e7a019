"""Web pages for people (사람을 위한 웹 페이지): the linkage table and the map, entity pages, standards coverage and
submission reports, served by the same app as the API. ``create_app`` adds :func:`web_routes` to its routes.
"""

from kg_service.web.pages import web_routes

__all__ = ["web_routes"]
