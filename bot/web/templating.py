"""The Jinja2 environment of the web pages, and `render()`, which gives every page the signed-in user and
the CSRF token its forms must carry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from bot.web.auth import attach_csrf_cookie, csrf_token, current_user

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    page = {"user": current_user(request), "csrf_token": csrf_token(request)}
    page.update(context or {})
    response = templates.TemplateResponse(request, name, page, status_code=status_code)
    attach_csrf_cookie(request, response)
    return response
