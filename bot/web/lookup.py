"""The staff referral lookup: rank services for a caller's words with the bot's own router, then gather what
an officer on the phone needs about each (every number including staff-only lines, staff notes, opening).

Ranking goes to the running Rasa server's `POST /model/parse` through `bot.routing.parse` (the module behind
`rank_via_server`), so the lookup and the resident bot can never disagree about which service fits. That
call is synchronous, so it runs in the threadpool, off the event loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from bot.conversation.answers import day_lines, phones_for, service_hours, service_opening
from bot.conversation.channel import STAFF
from bot.conversation.opening import describe_weekly
from bot.conversation.when import AskedDays
from bot.directory.queries import PhoneInfo, ServiceDetails, services_details
from bot.routing.parse import RasaServerError, services_via_server
from bot.settings import Settings
from bot.web.match_evidence import evidence_for

MAX_QUERY_CHARS = 500
MAX_RESULTS = 5
PARSE_TIMEOUT_SECONDS = 10.0


class LookupUnavailable(Exception):
    """The router (Rasa) could not rank: the message says so in words an officer can act on."""


class BadQuery(ValueError):
    """The search text cannot be looked up (too long); the message says why."""


@dataclass(frozen=True)
class Ranked:
    candidates: list[dict[str, Any]]
    threshold: float


def check_query(text: str) -> str:
    query = (text or "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise BadQuery(
            f"The search is {len(query)} characters long; keep it to {MAX_QUERY_CHARS} characters or fewer."
        )
    return query


async def rank(text: str, settings: Settings) -> Ranked:
    """The router's ranked candidates for `text` from the running Rasa server, best first."""
    try:
        candidates, threshold = await run_in_threadpool(
            services_via_server, text, settings.rasa_url, settings.rasa_token or None, PARSE_TIMEOUT_SECONDS
        )
    except RasaServerError as error:
        raise LookupUnavailable(
            "The assistant's service router is not available, so services cannot be ranked just now. "
            f"Try again in a minute; if it keeps happening, tell whoever looks after Here to Help ({error})"
        ) from error
    except (ValueError, AttributeError, TypeError) as error:
        raise LookupUnavailable(
            "The assistant's service router answered something that is not a ranking."
        ) from error
    ranked = [
        candidate for candidate in candidates if isinstance(candidate, dict) and candidate.get("service_id")
    ]
    return Ranked(ranked, threshold)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _web_url(url: str) -> str:
    """Only http(s) addresses become links on the page: never `javascript:` from a broken import."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _phone(phone: PhoneInfo) -> dict[str, Any]:
    return {
        "number": phone.number,
        "display": phone.display,
        "staff_only": phone.staff_only,
        "out_of_hours": phone.out_of_hours,
        "description": phone.description,
    }


def _opening(service: ServiceDetails, now: datetime) -> dict[str, Any]:
    state = service_opening(service, now)
    hours = service_hours(service)
    return {
        "known": state.known,
        "is_open": state.is_open if state.known else None,
        "summary": state.describe(),
        "usual_hours": describe_weekly(hours) if hours.known else "",
    }


def on_day(service: ServiceDetails, day: date) -> dict[str, Any]:
    """When the service opens on `day` (a date the officer typed): its hours, closures and bank holidays."""
    if not service_hours(service).known:
        return {"date": day.isoformat(), "known": False, "summary": "opening hours not listed"}
    [line] = day_lines(service, AskedDays(label=day.isoformat(), days=(day,)))
    return {"date": day.isoformat(), "known": True, "summary": line}


def staff_order(candidates: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The router's first candidate (the service the resident bot answers with), then the others by
    confidence, highest first (ties keep the router's order).

    The router orders by score, which adds how often residents report each kind of problem; confidence is
    the separate measure of how sure it is. They agree almost always (3 of 136 national street reports
    differ), and where they do the score is usually right ("road breaking up" is a road defect, not "short
    breaks"): so the best match stays the one residents get, and the rest read highest confidence first.
    """
    if not candidates:
        return []
    first, *rest = candidates
    return [first, *sorted(rest, key=lambda candidate: -(_number(candidate.get("confidence")) or 0.0))]


def describe(
    service: ServiceDetails,
    candidate: dict[str, Any],
    threshold: float,
    now: datetime,
    *,
    evidence: dict[str, Any] | None = None,
    day: date | None = None,
) -> dict[str, Any]:
    """One result as `/api/lookup` returns it and the page shows it."""
    daytime, out_of_hours = phones_for(service, STAFF)
    confidence = _number(candidate.get("confidence"))
    return {
        "service_id": service.id,
        "name": service.name,
        "organisation": {
            "id": service.organisation.id,
            "name": service.organisation.name,
            "is_host": service.organisation.is_host,
        },
        "description": service.description,
        "lgsl_codes": list(service.lgsl_codes),
        "score": _number(candidate.get("score")),
        "confidence": confidence,
        "weak_match": confidence is None or confidence < threshold,
        "status": service.status,
        "phones": [_phone(phone) for phone in [*daytime, *out_of_hours]],
        "opening": _opening(service, now),
        "url": _web_url(service.url),
        "email": service.email or service.organisation.email,
        "staff_notes": service.staff_notes,
        "evidence": evidence or {"words": [], "texts": []},
        "on_day": on_day(service, day) if day else None,
    }


def describe_all(
    session: Session,
    candidates: Sequence[dict[str, Any]],
    threshold: float,
    now: datetime,
    *,
    query: str = "",
    day: date | None = None,
) -> list[dict[str, Any]]:
    """Results for the top candidates in `staff_order`, each with why it matched (`match_evidence`) and,
    with `day`, its opening that day; services removed since training are skipped."""
    top = staff_order(list(candidates)[:MAX_RESULTS])
    by_id = {candidate["service_id"]: candidate for candidate in top}
    ids = [candidate["service_id"] for candidate in top]
    details = services_details(session, ids)
    evidence = evidence_for(session, query, [service.id for service in details]) if query else {}
    return [
        describe(service, by_id[service.id], threshold, now, evidence=evidence.get(service.id), day=day)
        for service in details
    ]
