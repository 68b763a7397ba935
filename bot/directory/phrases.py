"""Resident phrases by where they came from, so that what officers teach survives every directory import.

Every service phrase has a `source`:

* `directory`: written by `directory import` from the council's feed; a later import of the same service
  replaces these, and only these;
* `officer`: taught by an officer (the gap-log page's teach action, or `here-to-help phrases add`), with who
  and when; no import touches them. They are the council's overlay: `phrases list --json` exports it and
  `phrases import FILE` loads it into another database (a new server, a test copy).

The national signposting catalogue's phrases live in data/national/bodies.yml (bot.directory.national).
Training reads every phrase of a service, whatever its source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.directory.models import Service, ServicePhrase

DIRECTORY = "directory"
OFFICER = "officer"
SOURCES = (DIRECTORY, OFFICER)
MIN_PHRASE_CHARS = 3
MAX_PHRASE_CHARS = 500


class PhraseError(ValueError):
    """A phrase that cannot be added, removed or imported; the message says what and where."""


@dataclass(frozen=True)
class PhraseInfo:
    service_id: str
    phrase: str
    source: str
    added_at: str | None = None
    added_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_phrase(phrase: str) -> str:
    """The phrase with its spaces tidied, or PhraseError: too short, too long, or holding personal details."""
    from bot.gaplog.redaction import redact

    text = re.sub(r"\s+", " ", phrase or "").strip()
    if len(text) < MIN_PHRASE_CHARS:
        raise PhraseError(f"a phrase needs at least {MIN_PHRASE_CHARS} characters")
    if len(text) > MAX_PHRASE_CHARS:
        raise PhraseError(
            f"a phrase must be {MAX_PHRASE_CHARS} characters or fewer (this one is {len(text)})"
        )
    if "[" in text or redact(text) != text:
        raise PhraseError(
            "take out personal details and [placeholders]: a phrase should say the need in a resident's words"
        )
    return text


def _info(row: ServicePhrase) -> PhraseInfo:
    added = row.added_at.isoformat() if row.added_at else None
    return PhraseInfo(row.service_id, row.phrase, row.source or DIRECTORY, added, row.added_by)


def _existing(session: Session, service_id: str, phrase: str) -> ServicePhrase | None:
    return session.execute(
        select(ServicePhrase).where(
            ServicePhrase.service_id == service_id, func.lower(ServicePhrase.phrase) == phrase.lower()
        )
    ).scalar_one_or_none()


def add_phrase(
    session: Session,
    service_id: str,
    phrase: str,
    *,
    added_by: str,
    now: datetime | None = None,
) -> tuple[PhraseInfo, bool]:
    """Teach `phrase` to a service as an officer phrase: (the phrase, whether it was new).

    A phrase the service already has (any source, any case) is left as it is and reported as not new.
    """
    text = clean_phrase(phrase)
    if session.get(Service, service_id) is None:
        raise PhraseError(f"no service with id {service_id!r} in the directory")
    found = _existing(session, service_id, text)
    if found is not None:
        return _info(found), False
    last = session.execute(
        select(func.max(ServicePhrase.position)).where(ServicePhrase.service_id == service_id)
    ).scalar_one()
    row = ServicePhrase(
        service_id=service_id,
        phrase=text,
        position=(last or 0) + 1,
        source=OFFICER,
        added_at=now or datetime.now(timezone.utc),
        added_by=added_by,
    )
    session.add(row)
    session.flush()
    return _info(row), True


def list_phrases(
    session: Session, service_id: str | None = None, source: str | None = None
) -> list[PhraseInfo]:
    """Phrases ordered by service and position, optionally of one service and one source."""
    query = select(ServicePhrase).order_by(ServicePhrase.service_id, ServicePhrase.position, ServicePhrase.id)
    if service_id is not None:
        query = query.where(ServicePhrase.service_id == service_id)
    if source is not None:
        query = query.where(ServicePhrase.source == source)
    return [_info(row) for row in session.execute(query).scalars()]


def remove_phrase(session: Session, service_id: str, phrase: str) -> PhraseInfo:
    """Remove an officer phrase; a directory phrase is refused (the next import would bring it back)."""
    text = re.sub(r"\s+", " ", phrase or "").strip()
    found = _existing(session, service_id, text)
    if found is None:
        raise PhraseError(f"service {service_id!r} has no phrase {text!r}")
    if (found.source or DIRECTORY) != OFFICER:
        raise PhraseError(
            f"{text!r} comes from the directory feed: change it there, or the next import brings it back"
        )
    info = _info(found)
    session.delete(found)
    return info


def read_overlay(path: Path) -> list[Mapping[str, Any]]:
    """The records of an overlay file (`phrases list --json` output), checked for shape."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PhraseError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PhraseError(f"{path}: not a JSON file ({error})") from None
    if not isinstance(data, list):
        raise PhraseError(f"{path}: expected a JSON list of phrases")
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict) or not isinstance(record.get("service_id"), str):
            raise PhraseError(f"{path}: record {number} needs 'service_id' and 'phrase'")
        if not isinstance(record.get("phrase"), str):
            raise PhraseError(f"{path}: record {number} needs 'service_id' and 'phrase'")
    return data


def import_overlay(
    session: Session, records: Iterable[Mapping[str, Any]], *, added_by: str, where: str = "overlay"
) -> dict[str, int]:
    """Add every record's phrase as an officer phrase; all or nothing (the caller's transaction).

    Each record keeps its own `added_by` and `added_at` when it has them. Returns counts.
    """
    counts = {"added": 0, "already_there": 0}
    for number, record in enumerate(records, start=1):
        when = record.get("added_at")
        try:
            moment = datetime.fromisoformat(when) if isinstance(when, str) and when else None
            _, new = add_phrase(
                session,
                str(record["service_id"]),
                str(record["phrase"]),
                added_by=str(record.get("added_by") or added_by),
                now=moment,
            )
        except (PhraseError, ValueError) as error:
            raise PhraseError(f"{where}: record {number}: {error}") from None
        counts["added" if new else "already_there"] += 1
    return counts
