"""Security headers on every response: a Content-Security-Policy, no MIME sniffing, a referrer policy and
who may frame the page.

Three policies, by path:

- staff and officer pages, sign-in and everything else rendered here: only this site's own scripts,
  styles and requests (the pages have no inline script or style, so none is allowed), and no framing at all:
  a framed sign-in or gap-log page could be click-jacked;
- the resident demo page `/`: the same, but it may be framed by this site and by the council sites in
  CHAT_ALLOWED_ORIGINS (a council may show it in an iframe). The widget itself runs inside the council's own
  page, under the council's policy, not this one;
- JSON APIs and static files: nothing may run or be framed (`default-src 'none'`). A policy on the widget's
  script file does not affect the council page that loads it, so embedding keeps working.

Signed-in pages are also never cached. With SECURE_COOKIES (production behind HTTPS) browsers are told to use
HTTPS only (Strict-Transport-Security).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from starlette.responses import Response

from bot.settings import Settings

PRIVATE_PATHS = ("/officer", "/sign-in", "/sign-out", "/staff", "/api/lookup")
"""Signed-in pages: never cached, never framed by another site."""
RESIDENT_PAGES = ("/",)
"""Pages a council may frame on its own site."""
NO_CONTENT_PATHS = ("/api/", "/static/", "/healthz")

PAGE_SOURCES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
)
NOTHING = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000"


def frame_ancestors(settings: Settings) -> str:
    """This site and the council sites allowed to use the widget (CHAT_ALLOWED_ORIGINS)."""
    origins = [item.strip().rstrip("/") for item in settings.chat_allowed_origins.split(",") if item.strip()]
    if "*" in origins:
        return "frame-ancestors 'self' https:"
    return " ".join(["frame-ancestors 'self'", *origins])


def headers_for(path: str, settings: Settings) -> dict[str, str]:
    """The security headers a response to `path` carries."""
    headers = {"X-Content-Type-Options": "nosniff"}
    if settings.secure_cookies:
        headers["Strict-Transport-Security"] = HSTS
    if path.startswith(NO_CONTENT_PATHS):
        headers.update(
            {"Content-Security-Policy": NOTHING, "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
        )
    elif path in RESIDENT_PAGES:
        headers.update(
            {
                "Content-Security-Policy": "; ".join([*PAGE_SOURCES, frame_ancestors(settings)]),
                "Referrer-Policy": "strict-origin-when-cross-origin",
            }
        )
    else:
        headers.update(
            {
                "Content-Security-Policy": "; ".join([*PAGE_SOURCES, "frame-ancestors 'none'"]),
                "Referrer-Policy": "same-origin",
                "X-Frame-Options": "DENY",
            }
        )
    if path.startswith(PRIVATE_PATHS):
        headers["Cache-Control"] = "no-store"
    return headers


def install(app: FastAPI, settings: Settings) -> None:
    """Add the headers to every response the app sends, unless a route set its own."""

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response: Response = await call_next(request)
        for name, value in headers_for(request.url.path, settings).items():
            response.headers.setdefault(name, value)
        return response
