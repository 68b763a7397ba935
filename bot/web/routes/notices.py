"""The pages every resident screen links to: the privacy notice, the accessibility statement and the favicon.

The widget links to `/privacy` and `/accessibility` on the Here to Help server rather than to the council's
pages directly, so a council changes the links in one place, its settings (PRIVACY_NOTICE_URL and
ACCESSIBILITY_STATEMENT_URL, bot/settings.py), and every page that embeds the widget follows without a new
script tag. Unset, each shows the assistant's own short page, so a link is never dead in a demonstration.

`favicon.ico` is `static/favicon.svg` drawn at 16, 32 and 48 pixels by headless Chromium and packed as
PNG images in an ICO file; browsers ask for `/favicon.ico` even when a page names its icon.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from bot.web.deps import app_settings
from bot.web.routes.chat import contact_centre_phone
from bot.web.templating import render

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(tags=["resident notices"], include_in_schema=False)


@router.get("/privacy")
async def privacy_notice(request: Request) -> Response:
    """The council's privacy notice if it is set, else what the assistant itself keeps and for how long."""
    settings = app_settings(request)
    if settings.privacy_notice_url:
        return RedirectResponse(settings.privacy_notice_url, status_code=302)
    return render(request, "notices/privacy.html", {"retention_days": settings.gaplog_retention_days})


@router.get("/accessibility")
async def accessibility_statement(request: Request) -> Response:
    """The council's accessibility statement if it is set, else what the widget does, how to report."""
    settings = app_settings(request)
    if settings.accessibility_statement_url:
        return RedirectResponse(settings.accessibility_statement_url, status_code=302)
    return render(request, "notices/accessibility.html", {"contact_phone": contact_centre_phone(settings)})


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon")
