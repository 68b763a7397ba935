"""What the bot's actions and the staff lookup call to write the gap log, answers and referrals.

Every function redacts text and hashes the conversation id itself, so a caller cannot store raw words or ids
by mistake. Each `record_*` adds one row to the caller's session and flushes it; committing is the caller's
job, so a turn's writes succeed or fail together. The `*_entry`/`*_row` builders make the same row without a
session, for writes that must survive a database that is down (bot.gaplog.spool).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from datetime import timedelta, timezone
from typing import Any, SupportsFloat, TypeVar

from sqlalchemy import delete, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.conversation.channel import STAFF
from bot.gaplog.local_secret import conversation_hash
from bot.gaplog.models import Answer, Channel, GapEntry, Reason, Referral, utc_now
from bot.gaplog.redaction import redact
from bot.settings import Settings

Row = TypeVar("Row", GapEntry, Answer, Referral)

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1000
"""Longer messages are cut (after redaction): a gap entry needs the gist, not a 5,000-character letter."""
MAX_CANDIDATES = 5
REASONS = tuple(reason.value for reason in Reason)
CHANNELS = tuple(channel.value for channel in Channel)


def _check(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _hash(conversation_id: str, settings: Settings | None) -> str:
    if not isinstance(conversation_id, str) or not conversation_id.strip():
        raise ValueError("conversation_id must be a non-empty string")
    return conversation_hash(conversation_id, settings)


def _number(value: SupportsFloat | str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _clean_candidates(candidates: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The top candidates reduced to JSON-safe fields: ids, names and numbers, nothing from the message."""
    cleaned = []
    for candidate in list(candidates)[:MAX_CANDIDATES]:
        if not isinstance(candidate, dict):
            raise ValueError(f"each candidate must be a dict with a service_id; got {candidate!r}")
        cleaned.append(
            {
                "service_id": str(candidate.get("service_id", "")),
                "name": str(candidate.get("name", "")),
                "score": _number(candidate.get("score")),
                "confidence": _number(candidate.get("confidence")),
            }
        )
    return cleaned


def clean_text(text: str | None) -> str:
    """Redacted, whitespace-trimmed and cut to MAX_TEXT_CHARS: exactly what is stored."""
    if text is None:
        return ""
    redacted = redact(str(text)).strip()
    if len(redacted) > MAX_TEXT_CHARS:
        redacted = redacted[: MAX_TEXT_CHARS - 1].rstrip() + "…"
    return redacted


def unmet_entry(
    *,
    conversation_id: str,
    channel: str,
    text: str,
    reason: str,
    candidates: Iterable[Mapping[str, Any]] = (),
    organisation_id: str | None = None,
    service_id: str | None = None,
    settings: Settings | None = None,
) -> GapEntry:
    """A turn the bot could not answer well. `text` is redacted and `conversation_id` hashed here.

    `service_id`: for `wrong_answer`, the service the assistant gave."""
    return GapEntry(
        created_at=utc_now(),
        channel=_check(channel, CHANNELS, "channel"),
        reason=_check(reason, REASONS, "reason"),
        conversation_hash=_hash(conversation_id, settings),
        text=clean_text(text),
        candidates=_clean_candidates(candidates),
        organisation_id=organisation_id or None,
        service_id=service_id or None,
        status="new",
    )


def record_unmet(session: Session, **details: Any) -> GapEntry:
    """Log a turn the bot could not answer well (see `unmet_entry` for the details)."""
    return _added(session, unmet_entry(**details))


def _added(session: Session, row: Row) -> Row:
    session.add(row)
    session.flush()
    return row


def crisis_entry(
    *,
    conversation_id: str,
    channel: str,
    category: str,
    settings: Settings | None = None,
) -> GapEntry:
    """A crisis turn by its category alone: no words, no candidates, so officers see only volumes."""
    if not isinstance(category, str) or not category.strip():
        raise ValueError("category must name the safety category of the crisis")
    return GapEntry(
        created_at=utc_now(),
        channel=_check(channel, CHANNELS, "channel"),
        reason=Reason.CRISIS.value,
        conversation_hash=_hash(conversation_id, settings),
        text="",
        candidates=[],
        category=category.strip()[:32],
        status="new",
    )


def record_crisis(session: Session, **details: Any) -> GapEntry:
    """Log a crisis turn by its category alone (see `crisis_entry`)."""
    return _added(session, crisis_entry(**details))


def answer_row(
    *,
    conversation_id: str,
    channel: str,
    service_id: str,
    confidence: float | None = None,
    settings: Settings | None = None,
) -> Answer:
    """A signposting answer: which service the bot gave, and how sure it was."""
    if not service_id:
        raise ValueError("service_id must be the id of the service the answer gave")
    return Answer(
        created_at=utc_now(),
        channel=_check(channel, CHANNELS, "channel"),
        conversation_hash=_hash(conversation_id, settings),
        service_id=service_id,
        confidence=_number(confidence),
    )


def record_answer(session: Session, **details: Any) -> Answer:
    """Log a signposting answer (see `answer_row`)."""
    return _added(session, answer_row(**details))


def record_referral(
    session: Session,
    *,
    service_id: str,
    staff_user: str | None,
    channel: str = STAFF,
    conversation_id: str | None = None,
    settings: Settings | None = None,
    note: str = "",
) -> Referral:
    """Log that a member of staff gave a caller this service, with the officer's note: redacted and cut as
    gap-log text is (`clean_text`), because a note about a call easily carries the caller's name or number."""
    if not service_id:
        raise ValueError("service_id must be the id of the service the caller was given")
    note = clean_text(note)
    referral = Referral(
        created_at=utc_now(),
        service_id=service_id,
        staff_user=staff_user or None,
        channel=_check(channel, CHANNELS, "channel"),
        conversation_hash=_hash(conversation_id, settings) if conversation_id else None,
        note=note or None,
    )
    session.add(referral)
    session.flush()
    return referral


def purge(engine: Engine, older_than_days: int, *, tracker_engine: Engine | None = None) -> dict[str, int]:
    """Delete gap entries, answers, referrals and Rasa tracker events older than `older_than_days`.

    Rasa's SQL tracker store keeps every message verbatim in its `events` table (`timestamp` is epoch
    seconds); it lives in DATABASE_URL unless `tracker_engine` names another database. A database without
    that table (tracker store in Redis or memory) is not an error. Returns the rows deleted per table.
    """
    if older_than_days < 0:
        raise ValueError(f"older_than_days must be 0 or more; got {older_than_days}")
    cutoff = utc_now() - timedelta(days=older_than_days)
    deleted: dict[str, int] = {}
    with engine.begin() as connection:
        for model in (GapEntry, Answer, Referral):
            result = connection.execute(delete(model).where(model.created_at < cutoff))
            deleted[model.__tablename__] = result.rowcount or 0
    tracker = tracker_engine or engine
    if inspect(tracker).has_table("events"):
        from sqlalchemy import column, table

        events = table("events", column("timestamp"))
        epoch = cutoff.replace(tzinfo=timezone.utc).timestamp()
        with tracker.begin() as connection:
            result = connection.execute(delete(events).where(events.c.timestamp < epoch))
            deleted["events"] = result.rowcount or 0
    else:
        deleted["events"] = 0
    log.info("purged rows older than %s: %s", cutoff.isoformat(), deleted)
    return deleted
