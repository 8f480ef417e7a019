"""The GraphiQL page at ``/graphql``, served entirely from this service (no CDN: 망분리 networks).

The JavaScript and CSS are the builds strawberry's own page loads from unpkg, bundled under
``kg_service/api/static/graphiql/`` (see its README for versions and licences) and pinned here by their
SHA-384, the same ``integrity`` values strawberry pins. The page sends a Content-Security-Policy that lets the
browser load nothing from anywhere but this server.
"""

from __future__ import annotations

import base64
import hashlib
import html
from functools import cache
from pathlib import Path
from typing import Final

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
GRAPHIQL_DIR: Final = STATIC_DIR / "graphiql"
STATIC_MOUNT: Final = "/static"

VENDORED_ASSETS: Final[dict[str, str]] = {
    "react.production.min.js": "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    "react-dom.production.min.js": "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    "graphiql.min.css": "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    "graphiql-plugin-explorer.css": "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    "graphiql.min.js": "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    "graphiql-plugin-explorer.umd.js": "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
}
"""Bundled third-party files and the SHA-384 each must have (the values strawberry 0.341 pins)."""

INIT_SCRIPT: Final = "graphiql-init.js"

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

_PAGE: Final = """<!doctype html>
<html lang="ko">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>GraphiQL · 서울시 도시 CPS 지식그래프 (Seoul urban CPS knowledge graph)</title>
    <link rel="icon" href="data:," />
    <style>
      body {{ height: 100%; margin: 0; width: 100%; overflow: hidden; }}
      #graphiql {{ height: 100vh; display: flex; }}
    </style>
{styles}
  </head>
  <body>
    <div id="graphiql" class="graphiql-container" data-demo="{demo}">
      Loading GraphiQL… / GraphiQL을 불러오는 중…
    </div>
    <noscript>GraphiQL needs JavaScript. / GraphiQL을 사용하려면 자바스크립트가 필요합니다.</noscript>
{scripts}
  </body>
</html>
"""


def graphiql_page(root_path: str, *, demo: bool) -> str:
    """The GraphiQL HTML for an app mounted at ``root_path`` (``""`` at the server root)."""
    base = html.escape(f"{root_path.rstrip('/')}{STATIC_MOUNT}/graphiql/", quote=True)
    styles = "\n".join(
        f'    <link rel="stylesheet" href="{base}{name}" integrity="{VENDORED_ASSETS[name]}" />'
        for name in ("graphiql.min.css", "graphiql-plugin-explorer.css")
    )
    script_names = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")
    scripts = [
        f'    <script src="{base}{name}" integrity="{VENDORED_ASSETS[name]}"></script>'
        for name in script_names
    ]
    scripts.append(
        f'    <script src="{base}graphiql-plugin-explorer.umd.js"'
        f' integrity="{VENDORED_ASSETS["graphiql-plugin-explorer.umd.js"]}"></script>'
    )
    scripts.append(
        f'    <script src="{base}{INIT_SCRIPT}" integrity="{_own_integrity(INIT_SCRIPT)}"></script>'
    )
    return _PAGE.format(styles=styles, scripts="\n".join(scripts), demo="true" if demo else "false")


def file_integrity(path: Path) -> str:
    """The Subresource Integrity value (SHA-384) of a file."""
    digest = hashlib.sha384(path.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


@cache
def _own_integrity(name: str) -> str:
    return file_integrity(GRAPHIQL_DIR / name)
