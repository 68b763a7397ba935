"""Gap-log tables: unmet queries, the answers the bot gave and staff referrals (sign-ins: bot.accounts).

Nothing here holds a raw conversation id or raw resident text: `bot.gaplog.record` hashes and redacts before
a row is built. Times are naive UTC (`utc_now()`), because SQLite keeps no time zone and the report converts
to Europe/London only for display.
"""

from __future__ import annotations

import enum

from sqlalchemy import JSON, Column, DateTime, Float, Integer, String, Text

from bot.conversation import channel as channels
from bot.db import Base, utc_now


class Channel(str, enum.Enum):
    RESIDENT = channels.RESIDENT
    STAFF = channels.STAFF


class Reason(str, enum.Enum):
    """Why a turn went into the gap log."""

    NOT_UNDERSTOOD = "not_understood"
    LOW_CONFIDENCE = "low_confidence"
    NO_MATCHING_SERVICE = "no_matching_service"
    OTHER_ORGANISATION = "other_organisation"
    NEGATIVE_FEEDBACK = "negative_feedback"
    """Entries before 2026-12: a "no" after an answer. New ones are `wrong_answer`."""
    WRONG_ANSWER = "wrong_answer"
    """ "No", "that's not it" after an answer: the question, and the service given (`service_id`)."""
    ASKED_FOR_PERSON = "asked_for_person"
    CRISIS = "crisis"
    """Someone may have been in danger: logged with its category and no words (bot.safety)."""
    UNAVAILABLE = "unavailable"
    """The assistant could not answer at all (Rasa or the action server down): given the contact centre."""


REASON_LABELS = {
    Reason.NOT_UNDERSTOOD.value: "Not understood",
    Reason.LOW_CONFIDENCE.value: "Low confidence",
    Reason.NO_MATCHING_SERVICE.value: "No matching service",
    Reason.OTHER_ORGANISATION.value: "Sent to another organisation",
    Reason.NEGATIVE_FEEDBACK.value: "Wrong answer (resident said no)",
    Reason.WRONG_ANSWER.value: "Wrong answer (resident said no)",
    Reason.ASKED_FOR_PERSON.value: "Asked for a person",
    Reason.CRISIS.value: "Crisis (given emergency numbers)",
    Reason.UNAVAILABLE.value: "Assistant unavailable (given the contact centre)",
}
"""What officers and reports call each reason."""
UNMET_REASONS = frozenset(
    {
        Reason.NOT_UNDERSTOOD.value,
        Reason.LOW_CONFIDENCE.value,
        Reason.NO_MATCHING_SERVICE.value,
        Reason.NEGATIVE_FEEDBACK.value,
        Reason.WRONG_ANSWER.value,
        Reason.UNAVAILABLE.value,
    }
)
"""Turns the assistant could not answer (or answered wrongly). Sending a resident to another organisation is
an answer, a request for a person is counted on its own, and a crisis turn is neither."""
WRONG_ANSWER_REASONS = frozenset({Reason.NEGATIVE_FEEDBACK.value, Reason.WRONG_ANSWER.value})


class Status(str, enum.Enum):
    """Where an officer's triage of an entry has got to."""

    NEW = "new"
    REVIEWED = "reviewed"
    RESOLVED = "resolved"
    IGNORED = "ignored"


class GapEntry(Base):
    """One turn the bot could not answer well, with the redacted words and what it nearly matched."""

    __tablename__ = "gap_entries"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at = Column(DateTime, nullable=False, default=utc_now, index=True)
    channel = Column(String(16), nullable=False)
    conversation_hash = Column(String(64), nullable=False, index=True)
    text = Column(Text, nullable=False, default="")
    """Redacted before storing: see bot.gaplog.redaction."""
    reason = Column(String(32), nullable=False, index=True)
    candidates = Column(JSON, nullable=False, default=list)
    """Top services the router offered: [{"service_id", "name", "score", "confidence"}]."""
    organisation_id = Column(String(64), nullable=True, index=True)
    """For `other_organisation`: the body the resident was sent to (no foreign key: it may be deleted)."""
    service_id = Column(String(64), nullable=True, index=True)
    """For `wrong_answer`: the service the assistant gave (no foreign key: it may be deleted)."""
    category = Column(String(32), nullable=True, index=True)
    """For `crisis`: the safety category (data/safety/crisis_lines.yml); such entries keep no text."""
    status = Column(String(16), nullable=False, default=Status.NEW.value, index=True)
    officer_note = Column(Text, nullable=True)
    linked_service_id = Column(String(64), nullable=True)
    reviewed_by = Column(String(150), nullable=True)
    reviewed_at = Column(DateTime, nullable=True)


class Answer(Base):
    """A signposting answer the bot gave: the denominator of containment and "services most asked about"."""

    __tablename__ = "answers"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at = Column(DateTime, nullable=False, default=utc_now, index=True)
    channel = Column(String(16), nullable=False)
    conversation_hash = Column(String(64), nullable=False, index=True)
    service_id = Column(String(64), nullable=False, index=True)
    confidence = Column(Float, nullable=True)


class Referral(Base):
    """A service a contact-centre officer gave a caller from the staff lookup."""

    __tablename__ = "referrals"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at = Column(DateTime, nullable=False, default=utc_now, index=True)
    service_id = Column(String(64), nullable=False, index=True)
    staff_user = Column(String(150), nullable=True)
    channel = Column(String(16), nullable=False, default=Channel.STAFF.value)
    conversation_hash = Column(String(64), nullable=True)
    note = Column(Text, nullable=True)
    """What the caller needed or was told, in the officer's words, redacted before it is stored."""


__all__ = [
    "Answer",
    "Channel",
    "GapEntry",
    "Reason",
    "Referral",
    "Status",
    "utc_now",
]
