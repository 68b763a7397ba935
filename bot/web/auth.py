"""Signing in and out, who may see which page, and CSRF protection for forms.

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
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.db import session_scope
from bot.gaplog.models import Role, User, WebSession
from bot.web import sessions
from bot.web.deps import app_engine, app_settings, db_session
from bot.web.rate_limit import RateLimit, TokenBucketLimiter
from bot.web.users import authenticate

SIGN_IN_LIMIT = RateLimit(count=10, period_seconds=60.0)
"""Sign-in attempts one client (IP address) may make: enough for typos, too few to guess passwords."""
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
    """The live session of the request's cookie with its still active user, or None. Cached on the request;
    reading it takes the session's one-off message (it is shown once)."""
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
                row.flash = None
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
    opened = open_session(request)
    return opened.flash if opened else None


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


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never `//elsewhere` or `https://elsewhere` (an open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def home_for(user: SignedInUser) -> str:
    return "/officer/gaps" if user.is_officer else "/staff"


router = APIRouter(tags=["sign-in"])


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str = "/") -> Response:  # noqa: A002 - the query parameter's name
    from bot.web.templating import render

    return render(request, "sign_in.html", {"next": _safe_next(next), "error": None, "username": ""})


@router.post("/sign-in", dependencies=[Depends(verify_csrf)])
def sign_in(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),  # noqa: A002
    session: Session = Depends(db_session),
) -> Response:
    from bot.web.templating import render

    limiter = getattr(request.app.state, "sign_in_limiter", None)
    if limiter is None:
        limiter = request.app.state.sign_in_limiter = TokenBucketLimiter(SIGN_IN_LIMIT)
    wait = limiter.acquire(request.client.host if request.client else "unknown")
    if wait > 0:
        seconds = limiter.retry_after_seconds(wait)
        context = {
            "title": "Too many attempts",
            "message": f"Too many sign-in attempts. Try again in {seconds} seconds.",
        }
        response = render(request, "error.html", context, status_code=429)
        response.headers["Retry-After"] = str(seconds)
        return response
    user = authenticate(session, username.strip(), password) if username and password else None
    if user is None:
        context = {
            "next": _safe_next(next),
            "username": username,
            "error": "Enter a correct username and password",
        }
        return render(request, "sign_in.html", context, status_code=401)
    policy = session_policy(request)
    sessions.end(session, request.cookies.get(sessions.SESSION_COOKIE, ""))  # a new token at every sign-in
    sessions.purge_expired(session, policy)
    token, _ = sessions.start(session, user.id)
    signed_in = SignedInUser(user.id, user.username, user.role)
    target = _safe_next(next)
    response = RedirectResponse(target if target != "/" else home_for(signed_in), status_code=303)
    sessions.set_cookie(response, token, policy)
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """Ends the session in the database, so the cookie is worthless even where it was copied. With no live
    session there is nothing to end (nor to protect with a CSRF token): it only clears the cookie."""
    policy = session_policy(request)
    if await run_in_threadpool(open_session, request) is not None:
        await verify_csrf(request)

        def end() -> None:
            with session_scope(app_engine(request)) as db:
                sessions.end(db, request.cookies.get(sessions.SESSION_COOKIE, ""))

        await run_in_threadpool(end)
    response = RedirectResponse("/sign-in", status_code=303)
    sessions.clear_cookie(response, policy)
    return response


def install_auth_handlers(app: FastAPI) -> None:
    """Turn the auth exceptions into a redirect, a 401/403 page or a JSON error."""
    from bot.web.templating import render

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, error: NotSignedIn) -> Response:
        if error.api:
            return JSONResponse({"error": "not_signed_in", "message": "Sign in first."}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, error: NotAllowed) -> Response:
        if error.api:
            return JSONResponse(
                {"error": "forbidden", "message": "Your account cannot use this."}, status_code=403
            )
        return render(request, "forbidden.html", {}, status_code=403)

    @app.exception_handler(BadCsrfToken)
    async def _bad_csrf(request: Request, _error: BadCsrfToken) -> Response:
        message = (
            "The form had expired or did not come from this site. Go back, reload the page and try again."
        )
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "csrf", "message": message}, status_code=403)
        return render(request, "error.html", {"title": "Try again", "message": message}, status_code=403)
