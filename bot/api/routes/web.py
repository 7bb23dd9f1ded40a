"""The embeddable widget script and the demo page."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

router = APIRouter(tags=["widget"], include_in_schema=False)


@cache
def _asset(name: str) -> str:
    return resources.files("bot.web").joinpath(name).read_text(encoding="utf-8")


@router.get("/widget.js")
def widget_js() -> Response:
    return Response(_asset("widget.js"), media_type="application/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})


# the demo page runs only the widget from this origin; its styles live in the page and the shadow root
DEMO_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


@router.get("/")
def demo_page() -> HTMLResponse:
    return HTMLResponse(_asset("demo.html"), headers={"X-Content-Type-Options": "nosniff",
                                                      "Content-Security-Policy": DEMO_CSP,
                                                      "Referrer-Policy": "no-referrer"})
