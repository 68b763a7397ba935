"""The contact-centre referral lookup: `/staff` (a page that works without JavaScript), `/api/lookup` (what
the page's search-as-you-type script fetches) and `POST /staff/referrals` (record which service a caller
was given, with a note).

A search may carry a date in three boxes (`day`, `month`, `year`, the GOV.UK date input): every result then
says whether it opens that day. A caller asks "are they open on the 27th?" as often as "who do I call".

Staff and admins use it; officers may too (they review what residents asked and often check what the bot
would have offered). Residents never reach it: the results include staff-only numbers and staff notes.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.accounts.models import Role
from bot.conversation.channel import STAFF
from bot.conversation.opening import london_now
from bot.db import session_scope
from bot.directory.queries import service_details
from bot.gaplog.record import record_referral
from bot.safety.fallback import answer_crisis
from bot.web.auth import SignedInUser, require_role, set_flash, take_flash, verify_csrf
from bot.web.date_input import DateInput, long_date, read_date
from bot.web.deps import app_engine, app_settings, db_session
from bot.web.lookup import BadQuery, LookupUnavailable, check_query, describe_all, rank
from bot.web.templating import render

LOOKUP_ROLES = (Role.STAFF.value, Role.OFFICER.value)
DATE_LABEL = "Date to check"
MAX_NOTE_CHARS = 1000
"""A referral note is a line or two for colleagues; stored text is cut at this length anyway
(`bot.gaplog.record.MAX_TEXT_CHARS`), so a longer one is refused rather than silently cut."""

router = APIRouter(tags=["staff lookup"])


def _describe(
    engine: Engine, candidates: list[dict[str, Any]], threshold: float, tz: str, query: str, day: date | None
) -> list[dict]:
    with session_scope(engine) as session:
        return describe_all(session, candidates, threshold, london_now(tz), query=query, day=day)


def read_day(request: Request, day: str, month: str, year: str) -> DateInput:
    """The date to check, from the three boxes: from 1 January this year to 31 December next year (the
    bank holidays are known that far ahead, and a caller rarely asks further)."""
    today = london_now(app_settings(request).timezone).date()
    earliest, latest = date(today.year, 1, 1), date(today.year + 1, 12, 31)
    return read_date(day, month, year, label=DATE_LABEL, earliest=earliest, latest=latest)


def search_address(query: str, when: DateInput) -> str:
    """`/staff` with the search and the date, as the page's address bar shows it."""
    params = {"q": query} if query else {}
    if not when.is_empty:
        params.update(day=when.day, month=when.month, year=when.year)
    return "/staff" + (f"?{urlencode(params)}" if params else "")


def crisis_for_staff(query: str) -> dict[str, Any] | None:
    """The safety check on what the officer typed ("caller says she wants to end her life"): when it shows a
    crisis, the lookup leads with the numbers to give the caller, before any service."""
    found = answer_crisis(query, STAFF)
    if found is None:
        return None
    return {"category": found.match.category, "label": found.label, "lines": found.reply.text.splitlines()}


async def lookup(request: Request, text: str, day: date | None = None) -> dict[str, Any]:
    """`{"query", "services", "threshold", "crisis", "date"}` for `text`; raises BadQuery, or
    LookupUnavailable when the router cannot rank and the text shows no crisis (a crisis is answered without
    the router)."""
    settings = app_settings(request)
    query = check_query(text)
    when = {"date": day.isoformat(), "label": long_date(day)} if day else None
    if not query:
        return {"query": "", "services": [], "threshold": None, "crisis": None, "date": when}
    crisis = crisis_for_staff(query)
    try:
        ranked = await rank(query, settings)
    except LookupUnavailable:
        if crisis is None:
            raise
        return {"query": query, "services": [], "threshold": None, "crisis": crisis, "date": when}
    services = await run_in_threadpool(
        _describe, app_engine(request), ranked.candidates, ranked.threshold, settings.timezone, query, day
    )
    threshold = ranked.threshold
    return {"query": query, "services": services, "threshold": threshold, "crisis": crisis, "date": when}


@router.get("/api/lookup")
async def lookup_api(
    request: Request,
    q: str = "",
    day: str = "",
    month: str = "",
    year: str = "",
    user: SignedInUser = Depends(require_role(*LOOKUP_ROLES, api=True)),
) -> JSONResponse:
    """Ranked services with full staff details; 401 when not signed in, 403 for other roles, 422 with the
    boxes in error for a date that is not right."""
    when = read_day(request, day, month, year)
    if when.error:
        body = {"error": "bad_date", "message": when.error, "fields": list(when.fields_in_error)}
        return JSONResponse(body, status_code=422)
    try:
        return JSONResponse(await lookup(request, q, when.value))
    except BadQuery as error:
        return JSONResponse({"error": "bad_query", "message": str(error)}, status_code=422)
    except LookupUnavailable as error:
        return JSONResponse({"error": "unavailable", "message": str(error)}, status_code=503)


@router.get("/staff")
async def lookup_page(
    request: Request,
    q: str = "",
    day: str = "",
    month: str = "",
    year: str = "",
    user: SignedInUser = Depends(require_role(*LOOKUP_ROLES)),
) -> Response:
    """The lookup page; with `?q=` it shows the results itself, so it works with JavaScript turned off. A
    wrong date is shown as the GOV.UK pattern asks: an error summary linking to the box, the message above
    the boxes, and only the wrong boxes marked; nothing is searched until it is put right."""
    error, status_code = "", 200
    result: dict[str, Any] = {"query": q.strip(), "services": [], "threshold": None, "date": None}
    when = read_day(request, day, month, year)
    if when.error:
        status_code = 422
    else:
        try:
            result = await lookup(request, q, when.value)
        except BadQuery as problem:
            error, status_code = str(problem), 422
        except LookupUnavailable as problem:
            error, status_code = str(problem), 503
    flash = take_flash(request)
    return render(
        request,
        "staff/lookup.html",
        {"query": q.strip(), "result": result, "error": error, "flash": flash, "when": when},
        status_code=status_code,
    )


@router.post("/staff/referrals", dependencies=[Depends(verify_csrf)])
def record_referral_form(
    request: Request,
    service_id: str = Form(""),
    q: str = Form(""),
    note: str = Form(""),
    day: str = Form(""),
    month: str = Form(""),
    year: str = Form(""),
    user: SignedInUser = Depends(require_role(*LOOKUP_ROLES)),
    session: Session = Depends(db_session),
) -> Response:
    """Record that this officer gave the caller `service_id`, with their note (redacted before it is stored);
    back to the same search with a confirmation that shows the note as it was kept."""
    if len(note.strip()) > MAX_NOTE_CHARS:
        return render(
            request,
            "error.html",
            {
                "title": "Note too long",
                "message": f"The note is {len(note.strip())} characters long; keep it to {MAX_NOTE_CHARS} "
                "characters or fewer. No referral was recorded: go back, shorten the note and record it "
                "again.",
            },
            status_code=422,
        )
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
    referral = record_referral(
        session, service_id=service.id, staff_user=user.username, channel=STAFF, note=note
    )
    kept = f" Note saved: “{referral.note}”" if referral.note else " No note was added."
    set_flash(request, session, f"Referral recorded: {service.name} ({service.organisation.name}).{kept}")
    when = read_day(request, day, month, year)
    target = search_address(q.strip()[:500], when if not when.error else DateInput())
    return RedirectResponse(target, status_code=303)
