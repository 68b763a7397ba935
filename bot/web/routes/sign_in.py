"""Signing in and out (`/sign-in`, `/sign-out`), and the pages and JSON errors that the auth exceptions of
bot.web.auth turn into."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.accounts.users import authenticate
from bot.db import session_scope
from bot.web import sessions
from bot.web.auth import (
    CSRF_COOKIE,
    BadCsrfToken,
    NotAllowed,
    NotSignedIn,
    SignedInUser,
    open_session,
    session_policy,
    verify_csrf,
)
from bot.web.deps import app_engine, db_session
from bot.web.rate_limit import RateLimit, TokenBucketLimiter
from bot.web.templating import render

SIGN_IN_LIMIT = RateLimit(count=10, period_seconds=60.0)
"""Sign-in attempts one client (IP address) may make: enough for typos, too few to guess passwords."""


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
    return render(request, "sign_in.html", {"next": _safe_next(next), "error": None, "username": ""})


@router.post("/sign-in", dependencies=[Depends(verify_csrf)])
def sign_in(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),  # noqa: A002
    session: Session = Depends(db_session),
) -> Response:
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
