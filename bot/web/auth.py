"""Who is signed in, who may see which page, and CSRF protection for forms (the sign-in and sign-out
routes, and the pages these exceptions turn into, are in bot.web.routes.sign_in).

Roles: `officer` reviews the gap log, `staff` uses the contact-centre lookup, `admin` may do both. Anyone
not signed in is a resident and sees neither: pages redirect to the sign-in page, APIs answer 401; a
signed-in user without the role gets 403.

A sign-in is a row in the database (bot.web.sessions) that the cookie's random token points to, holding the
user id and the session's CSRF token; the user is looked up on every request, so a disabled account or
changed role takes effect at once, and sign-out ends the session wherever its cookie has been copied.
Before signing in, the sign-in form's CSRF token is a random value in its own cookie that the form must
repeat (a double-submit token), so no database row is made for anyone who merely opens the page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.accounts.models import Role, User, WebSession
from bot.db import session_scope
from bot.web import sessions
from bot.web.deps import app_engine, app_settings

CSRF_COOKIE = "here_to_help_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_NOT_LOOKED_UP = object()


@dataclass(frozen=True)
class SignedInUser:
    id: int
    username: str
    role: str

    @property
    def is_officer(self) -> bool:
        return self.role in (Role.OFFICER.value, Role.ADMIN.value)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF.value, Role.ADMIN.value)


@dataclass(frozen=True)
class OpenSession:
    """This request's live sign-in: who, the token hash of its row, its CSRF token and any one-off message."""

    user: SignedInUser
    token_hash: str
    csrf_token: str
    flash: str | None


class NotSignedIn(Exception):
    def __init__(self, api: bool):
        self.api = api


class NotAllowed(Exception):
    def __init__(self, api: bool, user: SignedInUser):
        self.api = api
        self.user = user


class BadCsrfToken(Exception):
    pass


def session_policy(request: Request) -> sessions.SessionPolicy:
    return sessions.SessionPolicy.from_settings(app_settings(request))


def open_session(request: Request) -> OpenSession | None:
    """The live session of the request's cookie with its still active user, or None. Cached on the request.
    It reads the session's one-off message but leaves it for `take_flash`: a search-as-you-type request
    landing between a POST and its redirect must not swallow the confirmation."""
    cached = getattr(request.state, "open_session", _NOT_LOOKED_UP)
    if cached is not _NOT_LOOKED_UP:
        return cast("OpenSession | None", cached)
    found = None
    token = request.cookies.get(sessions.SESSION_COOKIE, "")
    if token:
        with session_scope(app_engine(request)) as db:
            row = sessions.resume(db, token, session_policy(request))
            user = db.get(User, row.user_id) if row is not None else None
            if row is not None and user is not None and user.active:
                signed_in = SignedInUser(user.id, user.username, user.role)
                found = OpenSession(signed_in, row.token_hash, row.csrf_token, row.flash)
    request.state.open_session = found
    return found


def current_user(request: Request) -> SignedInUser | None:
    """The signed-in, still active user, or None."""
    opened = open_session(request)
    return opened.user if opened else None


def set_flash(request: Request, db: Session, message: str) -> None:
    """A confirmation for the next page this session opens (after a POST's redirect)."""
    opened = open_session(request)
    row = db.get(WebSession, opened.token_hash) if opened else None
    if row is not None:
        row.flash = message[:500]


def take_flash(request: Request) -> str | None:
    """The one-off message for the page being rendered, cleared so that it is shown once."""
    opened = open_session(request)
    if opened is None or not opened.flash:
        return None
    with session_scope(app_engine(request)) as db:
        row = db.get(WebSession, opened.token_hash)
        if row is not None:
            row.flash = None
    return opened.flash


def require_role(*roles: str, api: bool = False) -> Callable[[Request], SignedInUser]:
    """A dependency that returns the signed-in user when they have one of `roles` (admins always do).

    `api=True` answers 401/403 JSON instead of redirecting to the sign-in page.
    """
    allowed = {*roles, Role.ADMIN.value}
    unknown = allowed - {role.value for role in Role}
    if unknown:
        raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")

    def dependency(request: Request) -> SignedInUser:
        user = current_user(request)
        if user is None:
            raise NotSignedIn(api)
        if user.role not in allowed:
            raise NotAllowed(api, user)
        return user

    return dependency


def csrf_token(request: Request) -> str:
    """The token forms carry in a hidden `csrf_token` field: the session's once signed in, before that the
    value of the CSRF cookie (made here when missing, and set on the response by `attach_csrf_cookie`)."""
    opened = open_session(request)
    if opened:
        return opened.csrf_token
    token = request.cookies.get(CSRF_COOKIE, "") or getattr(request.state, "new_csrf_cookie", "")
    if len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = token
    return token


def attach_csrf_cookie(request: Request, response: Response) -> None:
    """Send the CSRF cookie `csrf_token` had to make for this page's form."""
    token = getattr(request.state, "new_csrf_cookie", "")
    if token:
        response.set_cookie(
            CSRF_COOKIE, token, path="/", httponly=True, samesite="lax", secure=session_policy(request).secure
        )


async def verify_csrf(request: Request) -> None:
    """A dependency for every state-changing route: the form field or X-CSRF-Token header must match."""
    opened = await run_in_threadpool(open_session, request)
    expected = opened.csrf_token if opened else request.cookies.get(CSRF_COOKIE)
    sent: object = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise BadCsrfToken()
