"""The officer pages: review the gap log, see common questions and the weekly trend, triage, teach, export.

Everything is plain server-rendered HTML: filters are GET forms (so a filtered view is a link that can be
shared or bookmarked), changes are POST forms with a CSRF token followed by a redirect (so reloading does
not repeat them). No page needs JavaScript.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from functools import lru_cache
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.conversation.channel import CHANNEL_LABELS
from bot.directory.models import Service
from bot.directory.phrases import MAX_PHRASE_CHARS, PhraseError, add_phrase, clean_phrase
from bot.gaplog.clustering import cluster_texts
from bot.gaplog.models import REASON_LABELS, WRONG_ANSWER_REASONS, GapEntry, Status, utc_now
from bot.gaplog.queries import (
    GapFilter,
    filtered,
    local_time,
    names_for,
    parse_day,
    weekly_counts,
    write_csv,
    zone,
)
from bot.gaplog.redaction import PLACEHOLDERS, redact
from bot.gaplog.report import FORMATS, build_report, template_context
from bot.gaplog.report import render as render_report
from bot.web.auth import SignedInUser, require_role, verify_csrf
from bot.web.deps import app_settings, db_session
from bot.web.templating import render

officer = require_role("officer")
router = APIRouter(prefix="/officer", tags=["officer"], dependencies=[Depends(officer)])

PAGE_SIZE = 50
MAX_NOTE_CHARS = 2000
STATUS_LABELS = {"new": "New", "reviewed": "Reviewed", "resolved": "Resolved", "ignored": "Ignored"}


def _filter_from(request: Request) -> tuple[GapFilter, list[str]]:
    """The filter in the query string, and what was wrong with it (bad parts are dropped, not fatal)."""
    params = request.query_params
    errors: list[str] = []
    values: dict = {}
    for key, name, label in (("from", "date_from", "From date"), ("to", "date_to", "To date")):
        try:
            values[name] = parse_day(params.get(key), label)
        except ValueError as error:
            errors.append(str(error))
    for key, allowed, label in (
        ("reason", REASON_LABELS, "reason"),
        ("channel", CHANNEL_LABELS, "channel"),
        ("status", STATUS_LABELS, "status"),
    ):
        value = params.get(key, "")
        if value and value not in allowed:
            errors.append(f"Choose a {label} from the list")
            value = ""
        values[key] = value
    values["text"] = params.get("q", "")[:200]
    try:
        return GapFilter(**values), errors
    except ValueError as error:  # from after to
        errors.append(f"The 'from' date must be on or before the 'to' date ({error})")
        values["date_to"] = None
        return GapFilter(**values), errors


def _common(request: Request, gap_filter: GapFilter, errors: list[str]) -> dict:
    return {
        "filter": gap_filter,
        "filter_query": urlencode(gap_filter.as_query()),
        "errors": errors,
        "reasons": REASON_LABELS,
        "statuses": STATUS_LABELS,
        "channels": CHANNEL_LABELS,
        "tz": zone(app_settings(request).timezone),
        "local_time": local_time,
    }


def _services(session: Session) -> list[Service]:
    query = select(Service).options(selectinload(Service.organisation)).order_by(Service.name, Service.id)
    return list(session.execute(query).scalars())


@router.get("", include_in_schema=False)
def officer_home() -> Response:
    return RedirectResponse("/officer/gaps", status_code=303)


@router.get("/gaps")
def gap_list(request: Request, page: int = 1, session: Session = Depends(db_session)) -> Response:
    gap_filter, errors = _filter_from(request)
    tz = zone(app_settings(request).timezone)
    query = filtered(gap_filter, tz)
    total = session.execute(query.with_only_columns(func.count(GapEntry.id)).order_by(None)).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    entries = session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).scalars().all()
    context = _common(request, gap_filter, errors)
    context.update({"entries": entries, "total": total, "page": page, "pages": pages})
    return render(request, "officer/gaps.html", context, status_code=400 if errors else 200)


@router.get("/gaps.csv")
def gap_export(request: Request, session: Session = Depends(db_session)) -> Response:
    gap_filter, errors = _filter_from(request)
    if errors:
        return Response("; ".join(errors) + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    tz = zone(app_settings(request).timezone)
    buffer = io.StringIO()
    entries = session.execute(filtered(gap_filter, tz)).scalars().all()
    write_csv(entries, buffer, tz, names_for(session, entries))
    filename = f"gap-log-{date.today().isoformat()}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _entry_or_404(session: Session, entry_id: int) -> GapEntry | None:
    return session.get(GapEntry, entry_id)


def _not_found(request: Request) -> Response:
    context = {
        "title": "Entry not found",
        "message": "There is no gap-log entry with that number. It may have been purged.",
    }
    return render(request, "error.html", context, status_code=404)


def _suggested_phrase(text: str) -> str:
    """The entry's words without redaction placeholders, as a starting point for a resident phrase."""
    for token in PLACEHOLDERS:
        text = text.replace(token, " ")
    return re.sub(r"\s+", " ", text).strip()[:MAX_PHRASE_CHARS]


def _detail(
    request: Request,
    session: Session,
    entry: GapEntry,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    from bot.directory.models import Organisation

    organisation = session.get(Organisation, entry.organisation_id) if entry.organisation_id else None
    linked = session.get(Service, entry.linked_service_id) if entry.linked_service_id else None
    context = {
        "entry": entry,
        "organisation": organisation,
        "linked": linked,
        "services": _services(session),
        "errors": errors or {},
        "reasons": REASON_LABELS,
        "statuses": STATUS_LABELS,
        "channels": CHANNEL_LABELS,
        "tz": zone(app_settings(request).timezone),
        "local_time": local_time,
        "suggested_phrase": _suggested_phrase(entry.text),
        "saved": request.query_params.get("saved"),
        "taught": request.query_params.get("taught"),
        "back": request.query_params.get("back", ""),
    }
    return render(request, "officer/entry.html", context, status_code=status)


@router.get("/gaps/{entry_id}")
def gap_detail(request: Request, entry_id: int, session: Session = Depends(db_session)) -> Response:
    entry = _entry_or_404(session, entry_id)
    return _not_found(request) if entry is None else _detail(request, session, entry)


@router.post("/gaps/{entry_id}/triage", dependencies=[Depends(verify_csrf)])
def gap_triage(
    request: Request,
    entry_id: int,
    status: str = Form(""),
    officer_note: str = Form(""),
    linked_service_id: str = Form(""),
    user: SignedInUser = Depends(officer),
    session: Session = Depends(db_session),
) -> Response:
    entry = _entry_or_404(session, entry_id)
    if entry is None:
        return _not_found(request)
    errors: dict[str, str] = {}
    if status not in {item.value for item in Status}:
        errors["status"] = "Choose a status"
    if len(officer_note) > MAX_NOTE_CHARS:
        errors["officer_note"] = f"The note must be {MAX_NOTE_CHARS} characters or fewer"
    if linked_service_id and session.get(Service, linked_service_id) is None:
        errors["linked_service_id"] = "Choose a service from the list"
    if errors:
        return _detail(request, session, entry, errors, status=400)
    entry.status = status
    entry.officer_note = redact(officer_note.strip()) or None  # notes are kept as long as the entry
    entry.linked_service_id = linked_service_id or None
    entry.reviewed_by = user.username
    entry.reviewed_at = utc_now()
    return RedirectResponse(f"/officer/gaps/{entry.id}?saved=1", status_code=303)


@router.post("/gaps/{entry_id}/teach", dependencies=[Depends(verify_csrf)])
def gap_teach(
    request: Request,
    entry_id: int,
    service_id: str = Form(""),
    phrase: str = Form(""),
    user: SignedInUser = Depends(officer),
    session: Session = Depends(db_session),
) -> Response:
    """Add the query as a resident phrase of a service, used from the next `here-to-help train`."""
    entry = _entry_or_404(session, entry_id)
    if entry is None:
        return _not_found(request)
    errors: dict[str, str] = {}
    service = session.get(Service, service_id) if service_id else None
    if service is None:
        errors["service_id"] = "Choose the service this question should lead to"
    try:
        phrase = clean_phrase(phrase)
    except PhraseError as error:
        errors["phrase"] = str(error)[0].upper() + str(error)[1:]
    if errors or service is None:
        return _detail(request, session, entry, errors, status=400)
    add_phrase(session, service.id, phrase, added_by=user.username)
    note = f"Taught as a resident phrase of {service.name} ({service.id}) by {user.username}."
    entry.officer_note = f"{entry.officer_note}\n{note}" if entry.officer_note else note
    entry.linked_service_id = service.id
    entry.status = Status.RESOLVED.value
    entry.reviewed_by = user.username
    entry.reviewed_at = utc_now()
    return RedirectResponse(f"/officer/gaps/{entry.id}?taught=1", status_code=303)


@lru_cache(maxsize=16)
def _clusters(texts: tuple[str, ...], ids: tuple[int, ...]) -> list:
    """Grouping 5,000 entries takes seconds; entries' text never changes, so the same view is reused."""
    return cluster_texts(list(texts), list(ids))


@router.get("/clusters")
def clusters(request: Request, session: Session = Depends(db_session)) -> Response:
    gap_filter, errors = _filter_from(request)
    tz = zone(app_settings(request).timezone)
    query = filtered(gap_filter, tz)
    if not gap_filter.reason:  # "that didn't help" says nothing about the need
        query = query.where(GapEntry.reason.notin_(sorted(WRONG_ANSWER_REASONS)))
    rows = session.execute(query.with_only_columns(GapEntry.id, GapEntry.text)).all()
    rows.reverse()  # oldest first, so the newest are kept if the set is capped
    groups = _clusters(tuple(row.text for row in rows), tuple(row.id for row in rows))
    context = _common(request, gap_filter, errors)
    context.update({"clusters": groups, "total": len(rows)})
    return render(request, "officer/clusters.html", context, status_code=400 if errors else 200)


CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM, CHART_TOP = 640, 280, 44, 48, 16


def _chart(weeks: list[tuple[date, int]]) -> dict:
    """Bar geometry for the inline SVG: computed here so the template only draws."""
    peak = max((count for _, count in weeks), default=0)
    scale_top = max(1, peak)
    plot_height = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    plot_width = CHART_WIDTH - CHART_LEFT - 8
    slot = plot_width / max(1, len(weeks))
    bars = []
    label_every = max(1, -(-len(weeks) // 12))
    for index, (week, count) in enumerate(weeks):
        height = plot_height * count / scale_top
        bars.append(
            {
                "x": round(CHART_LEFT + index * slot + slot * 0.15, 1),
                "y": round(CHART_TOP + plot_height - height, 1),
                "width": round(slot * 0.7, 1),
                "height": round(height, 1),
                "label": week.strftime("%d %b"),
                "show_label": index % label_every == 0,
                "centre": round(CHART_LEFT + index * slot + slot / 2, 1),
                "count": count,
                "week": week,
            }
        )
    ticks = sorted({0, scale_top // 2, scale_top})
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "baseline": CHART_TOP + plot_height,
        "ticks": [
            {"value": tick, "y": round(CHART_TOP + plot_height - plot_height * tick / scale_top, 1)}
            for tick in ticks
        ],
        "peak": peak,
    }


@router.get("/trends")
def trends(request: Request, session: Session = Depends(db_session)) -> Response:
    gap_filter, errors = _filter_from(request)
    tz = zone(app_settings(request).timezone)
    if gap_filter.date_from is None and gap_filter.date_to is None:
        today = local_time(utc_now(), tz).date()
        shown = GapFilter(
            date_from=today - timedelta(weeks=12) - timedelta(days=today.weekday()),
            date_to=today,
            reason=gap_filter.reason,
            channel=gap_filter.channel,
            status=gap_filter.status,
            text=gap_filter.text,
        )
    else:
        shown = gap_filter
    weeks = weekly_counts(session, shown, tz)
    context = _common(request, gap_filter, errors)
    context.update(
        {"weeks": weeks, "chart": _chart(weeks), "shown": shown, "total": sum(c for _, c in weeks)}
    )
    return render(request, "officer/trends.html", context, status_code=400 if errors else 200)


def _report_period(request: Request) -> tuple[date, date, list[str]]:
    tz = zone(app_settings(request).timezone)
    today = local_time(utc_now(), tz).date()
    errors: list[str] = []
    try:
        last = parse_day(request.query_params.get("to"), "To date") or today
    except ValueError as error:
        errors.append(str(error))
        last = today
    try:
        first = parse_day(request.query_params.get("from"), "From date") or last - timedelta(days=29)
    except ValueError as error:
        errors.append(str(error))
        first = last - timedelta(days=29)
    if first > last:
        errors.append("The 'from' date must be on or before the 'to' date")
        first = last - timedelta(days=29)
    return first, last, errors


@router.get("/report")
def report_page(request: Request, session: Session = Depends(db_session)) -> Response:
    first, last, errors = _report_period(request)
    report = build_report(session, first, last, app_settings(request).timezone)
    context = {
        **template_context(report),
        "errors": errors,
        "formats": FORMATS,
        "period_query": urlencode({"from": first.isoformat(), "to": last.isoformat()}),
    }
    return render(request, "officer/report.html", context, status_code=400 if errors else 200)


@router.get("/report/download")
def report_download(
    request: Request, format: str = "html", session: Session = Depends(db_session)
) -> Response:  # noqa: A002
    first, last, errors = _report_period(request)
    if errors or format not in FORMATS:
        message = "; ".join(errors) or f"format must be one of {', '.join(FORMATS)}"
        return Response(message + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    report = build_report(session, first, last, app_settings(request).timezone)
    media = {"html": "text/html", "md": "text/markdown", "csv": "text/csv"}[format]
    filename = f"here-to-help-report-{first.isoformat()}-to-{last.isoformat()}.{format}"
    return Response(
        render_report(report, format),
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
