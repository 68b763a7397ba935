"""Signing in and out, who may see which page, and CSRF protection for forms.

Roles: `officer` reviews the gap log, `staff` uses the contact-centre lookup, `admin` may do both. Anyone
not signed in is a resident and sees neither: pages redirect to the sign-in page, APIs answer 401; a
signed-in user without the role gets 403.

The session is a signed cookie (starlette's SessionMiddleware) holding only the user id and a CSRF token; the
user is looked up on every request, so a disabled account or changed role takes effect at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.gaplog.models import Role, User
from bot.web.deps import app_engine, db_session
from bot.web.rate_limit import RateLimit, TokenBucketLimiter
from bot.web.users import authenticate

SIGN_IN_LIMIT = RateLimit(count=10, period_seconds=60.0)
"""Sign-in attempts one client (IP address) may make: enough for typos, too few to guess passwords."""
SESSION_USER = "user_id"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


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


class NotSignedIn(Exception):
    def __init__(self, api: bool):
        self.api = api


class NotAllowed(Exception):
    def __init__(self, api: bool, user: SignedInUser):
        self.api = api
        self.user = user


class BadCsrfToken(Exception):
    pass


def current_user(request: Request) -> SignedInUser | None:
    """The signed-in, still active user, or None. Cached on the request."""
    if "session" not in request.scope:
        return None
    if hasattr(request.state, "signed_in_user"):
        return request.state.signed_in_user
    user_id = request.session.get(SESSION_USER)
    found = None
    if isinstance(user_id, int):
        from bot.db import session_factory

        with session_factory(app_engine(request))() as session:
            user = session.get(User, user_id)
            if user is not None and user.active:
                found = SignedInUser(user.id, user.username, user.role)
    request.state.signed_in_user = found
    return found


def require_role(*roles: str, api: bool = False):
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
    """This session's CSRF token, created on first use; forms carry it in a hidden `csrf_token` field."""
    if "session" not in request.scope:
        return ""
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


async def verify_csrf(request: Request) -> None:
    """A dependency for every state-changing route: the form field or X-CSRF-Token header must match."""
    expected = request.session.get(SESSION_CSRF) if "session" in request.scope else None
    sent = request.headers.get(CSRF_HEADER)
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
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)
    signed_in = SignedInUser(user.id, user.username, user.role)
    target = _safe_next(next)
    return RedirectResponse(target if target != "/" else home_for(signed_in), status_code=303)


@router.post("/sign-out", dependencies=[Depends(verify_csrf)])
def sign_out(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)


def install_auth_handlers(app) -> None:  # noqa: ANN001 - a FastAPI app
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
