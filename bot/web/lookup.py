"""The staff referral lookup: rank services for a caller's words with the bot's own router, then gather what
an officer on the phone needs about each (every number including staff-only lines, staff notes, opening).

Ranking goes to the running Rasa server's `POST /model/parse`, the call `bot.routing.parse.rank_via_server`
makes, so the lookup and the resident bot can never disagree about which service fits. It is made here with
an async client because importing `bot.routing.parse` loads Rasa and TensorFlow (tens of seconds, hundreds
of MB), which the web app must not carry for one HTTP call.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.orm import Session

from bot.conversation.answers import phones_for, service_opening
from bot.conversation.channel import STAFF
from bot.conversation.opening import describe_weekly, hours_from_schedules
from bot.directory.queries import PhoneInfo, ServiceDetails, services_details
from bot.settings import Settings

MAX_QUERY_CHARS = 500
MAX_RESULTS = 5
PARSE_TIMEOUT_SECONDS = 10.0
SERVICES_KEY = "services"
THRESHOLD_KEY = "service_threshold"
"""The parse-result keys ServiceRouterComponent adds (docs/architecture.md, "The parse result")."""


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
    params = {"token": settings.rasa_token} if settings.rasa_token else None
    try:
        async with httpx.AsyncClient(timeout=PARSE_TIMEOUT_SECONDS) as client:
            response = await client.post(
                settings.rasa_url + "/model/parse", params=params, json={"text": text}
            )
    except httpx.HTTPError as error:
        raise LookupUnavailable(
            "The assistant's service router is not running, so services cannot be ranked just now. "
            "Try again in a minute; if it keeps happening, tell whoever looks after Here to Help "
            f"(Rasa could not be reached at {settings.rasa_url})."
        ) from error
    if response.status_code in (401, 403):
        raise LookupUnavailable(
            "The assistant's service router refused this web app's token (RASA_TOKEN does not match the one "
            "Rasa was started with), so services cannot be ranked."
        )
    if response.status_code != 200:
        raise LookupUnavailable(
            f"The assistant's service router answered with an error (HTTP {response.status_code}), so "
            "services cannot be ranked just now. Has a model been trained (`here-to-help train`)?"
        )
    try:
        result = response.json()
        candidates = [
            c for c in result.get(SERVICES_KEY) or [] if isinstance(c, dict) and c.get("service_id")
        ]
        threshold = float(result.get(THRESHOLD_KEY) or 0.0)
    except (ValueError, AttributeError, TypeError) as error:
        raise LookupUnavailable(
            "The assistant's service router answered something that is not a ranking."
        ) from error
    return Ranked(candidates, threshold)


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
    hours = hours_from_schedules(service.schedules, open_on_bank_holidays=service.open_on_bank_holidays)
    return {
        "known": state.known,
        "is_open": state.is_open if state.known else None,
        "summary": state.describe(),
        "usual_hours": describe_weekly(hours) if hours.known else "",
    }


def describe(
    service: ServiceDetails, candidate: dict[str, Any], threshold: float, now: datetime
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
    }


def describe_all(
    session: Session, candidates: Sequence[dict[str, Any]], threshold: float, now: datetime
) -> list[dict[str, Any]]:
    """Results for the top candidates in the router's order; services removed since training are skipped."""
    top = list(candidates)[:MAX_RESULTS]
    by_id = {candidate["service_id"]: candidate for candidate in top}
    details = services_details(session, [candidate["service_id"] for candidate in top])
    return [describe(service, by_id[service.id], threshold, now) for service in details]
