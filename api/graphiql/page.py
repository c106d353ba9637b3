"""The GraphiQL page and the route of its assets. The assets come from the npm registry at the
versions pinned in fetch-assets.sh (`make graphiql-assets`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS_ROUTE = "/graphiql/assets"
HERE = Path(__file__).parent

# The browser itself refuses anything from elsewhere, should a later version of an asset try;
# inline script and styles are the page's own and GraphiQL's.
POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",  # GraphiQL's fonts are inlined in its stylesheet
    "connect-src 'self'",  # queries, and subscriptions over the same host's websocket
])  # fmt: skip


@cache
def _template() -> str:
    return (HERE / "page.html").read_text(encoding="utf-8")


def graphiql_page(root_path: str) -> HTMLResponse:
    """The page, with its assets addressed under the path the app is mounted at."""
    html = _template().replace("{{assets}}", f"{root_path}{ASSETS_ROUTE}")
    return HTMLResponse(html, headers={"Content-Security-Policy": POLICY})


def graphiql_assets() -> StaticFiles:
    """The assets, as files; a missing folder stops the app at start-up, not in a browser."""
    return StaticFiles(directory=HERE / "assets")
