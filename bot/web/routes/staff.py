"""The contact-centre referral lookup: `/staff` (a page that works without JavaScript), `/api/lookup` (what
the page's search-as-you-type script fetches) and `POST /staff/referrals` (record which service a caller
was given).

Staff and admins use it; officers may too (they review what residents asked and often check what the bot
would have offered). Residents never reach it: the results include staff-only numbers and staff notes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.conversation.channel import STAFF
from bot.conversation.opening import london_now
from bot.db import session_scope
from bot.directory.queries import service_details
from bot.gaplog.models import Role
from bot.gaplog.record import record_referral
from bot.safety.fallback import answer_crisis
from bot.web.auth import SignedInUser, require_role, set_flash, take_flash, verify_csrf
from bot.web.deps import app_engine, app_settings, db_session
from bot.web.lookup import BadQuery, LookupUnavailable, check_query, describe_all, rank
from bot.web.templating import render

LOOKUP_ROLES = (Role.STAFF.value, Role.OFFICER.value)

router = APIRouter(tags=["staff lookup"])


def _describe(engine: Engine, candidates: list[dict[str, Any]], threshold: float, tz: str) -> list[dict]:
    with session_scope(engine) as session:
        return describe_all(session, candidates, threshold, london_now(tz))


def crisis_for_staff(query: str) -> dict[str, Any] | None:
    """The safety check on what the officer typed ("caller says she wants to end her life"): when it shows a
    crisis, the lookup leads with the numbers to give the caller, before any service."""
    found = answer_crisis(query, STAFF)
    if found is None:
        return None
    return {"category": found.match.category, "label": found.label, "lines": found.reply.text.splitlines()}


async def lookup(request: Request, text: str) -> dict[str, Any]:
    """`{"query", "services", "threshold", "crisis"}` for `text`; raises BadQuery, or LookupUnavailable when
    the router cannot rank and the text shows no crisis (a crisis is answered without the router)."""
    settings = app_settings(request)
    query = check_query(text)
    if not query:
        return {"query": "", "services": [], "threshold": None, "crisis": None}
    crisis = crisis_for_staff(query)
    try:
        ranked = await rank(query, settings)
    except LookupUnavailable:
        if crisis is None:
            raise
        return {"query": query, "services": [], "threshold": None, "crisis": crisis}
    services = await run_in_threadpool(
        _describe, app_engine(request), ranked.candidates, ranked.threshold, settings.timezone
    )
    return {"query": query, "services": services, "threshold": ranked.threshold, "crisis": crisis}


@router.get("/api/lookup")
async def lookup_api(
    request: Request, q: str = "", user: SignedInUser = Depends(require_role(*LOOKUP_ROLES, api=True))
) -> JSONResponse:
    """Ranked services with full staff details; 401 when not signed in, 403 for other roles."""
    try:
        return JSONResponse(await lookup(request, q))
    except BadQuery as error:
        return JSONResponse({"error": "bad_query", "message": str(error)}, status_code=422)
    except LookupUnavailable as error:
        return JSONResponse({"error": "unavailable", "message": str(error)}, status_code=503)


@router.get("/staff")
async def lookup_page(
    request: Request, q: str = "", user: SignedInUser = Depends(require_role(*LOOKUP_ROLES))
) -> Response:
    """The lookup page; with `?q=` it shows the results itself, so it works with JavaScript turned off."""
    error, status_code = "", 200
    result: dict[str, Any] = {"query": q.strip(), "services": [], "threshold": None}
    try:
        result = await lookup(request, q)
    except BadQuery as problem:
        error, status_code = str(problem), 422
    except LookupUnavailable as problem:
        error, status_code = str(problem), 503
    flash = take_flash(request)
    return render(
        request,
        "staff/lookup.html",
        {"query": q.strip(), "result": result, "error": error, "flash": flash},
        status_code=status_code,
    )


@router.post("/staff/referrals", dependencies=[Depends(verify_csrf)])
def record_referral_form(
    request: Request,
    service_id: str = Form(""),
    q: str = Form(""),
    user: SignedInUser = Depends(require_role(*LOOKUP_ROLES)),
    session: Session = Depends(db_session),
) -> Response:
    """Record that this officer gave the caller `service_id`; back to the same search with a confirmation."""
    service = service_details(session, service_id) if service_id else None
    if service is None:
        return render(
            request,
            "error.html",
            {
                "title": "Service not found",
                "message": "That service is no longer in the directory, so no referral was recorded. "
                "Search again and pick another.",
            },
            status_code=404,
        )
    record_referral(session, service_id=service.id, staff_user=user.username, channel=STAFF)
    set_flash(request, session, f"Referral recorded: {service.name} ({service.organisation.name}).")
    query = q.strip()[:500]
    target = "/staff" + (f"?q={quote(query, safe='')}" if query else "")
    return RedirectResponse(target, status_code=303)
