"""Reading the gap log: the filters officers use, weekly counts and the CSV export.

Dates are calendar days in the council's time zone (Europe/London by default) and inclusive at both ends:
"from 1 March to 7 March" means every entry made on those seven London days, whatever the clock change.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.conversation.channel import CHANNELS
from bot.gaplog.models import GapEntry, Reason, Status
from bot.settings import get_settings

EXPORT_COLUMNS = (
    "id",
    "created_at",
    "channel",
    "reason",
    "text",
    "status",
    "top_service_id",
    "top_confidence",
    "organisation_id",
    "linked_service_id",
    "officer_note",
    "reviewed_by",
    "reviewed_at",
    "reason_label",
    "top_service_name",
    "organisation_name",
    "linked_service_name",
    "service_given_id",
    "service_given_name",
)
"""The CSV header of `gaps export` and the officer pages' export (a contract: add columns only at the end).
Names are looked up when the export is made (`names_for`), so a spreadsheet reads services and bodies, not
ids; `service_given_*` is the service a `wrong_answer` gave."""


def zone(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or get_settings().timezone)


def day_start_utc(day: date, tz: ZoneInfo) -> datetime:
    """The naive-UTC instant at which `day` begins in `tz`: how the bounds of a date filter are stored."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)


def local_time(moment: datetime, tz: ZoneInfo) -> datetime:
    """A stored naive-UTC time as local wall-clock time, for display."""
    return moment.replace(tzinfo=timezone.utc).astimezone(tz)


def parse_day(value: str | None, what: str) -> date | None:
    """A YYYY-MM-DD date, None for empty, ValueError naming the field otherwise."""
    if value is None or not str(value).strip():
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise ValueError(f"{what} must be a date written YYYY-MM-DD; got {value!r}") from error


@dataclass(frozen=True)
class GapFilter:
    """What an officer narrows the gap list to. Empty fields do not filter."""

    date_from: date | None = None
    date_to: date | None = None
    reason: str = ""
    channel: str = ""
    status: str = ""
    text: str = ""

    def __post_init__(self) -> None:
        if self.reason and self.reason not in {reason.value for reason in Reason}:
            raise ValueError(f"unknown reason {self.reason!r}")
        if self.status and self.status not in {status.value for status in Status}:
            raise ValueError(f"unknown status {self.status!r}")
        if self.channel and self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("the 'from' date is after the 'to' date")

    def as_query(self) -> dict[str, str]:
        """The filter as URL query parameters (for links that keep it: export, pages)."""
        values = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "reason": self.reason,
            "channel": self.channel,
            "status": self.status,
            "q": self.text,
        }
        return {key: value for key, value in values.items() if value}

    def is_empty(self) -> bool:
        return not any(getattr(self, item.name) for item in fields(self))


def filtered(gap_filter: GapFilter, tz: ZoneInfo | None = None) -> Select:
    """`select(GapEntry)` narrowed by the filter, newest first."""
    tz = tz or zone()
    query = select(GapEntry)
    if gap_filter.date_from:
        query = query.where(GapEntry.created_at >= day_start_utc(gap_filter.date_from, tz))
    if gap_filter.date_to:
        query = query.where(GapEntry.created_at < day_start_utc(gap_filter.date_to + timedelta(days=1), tz))
    if gap_filter.reason:
        query = query.where(GapEntry.reason == gap_filter.reason)
    if gap_filter.channel:
        query = query.where(GapEntry.channel == gap_filter.channel)
    if gap_filter.status:
        query = query.where(GapEntry.status == gap_filter.status)
    if gap_filter.text.strip():
        words = gap_filter.text.strip().lower().split()[:10]
        for word in words:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            query = query.where(
                or_(
                    func.lower(GapEntry.text).like(pattern, escape="\\"),
                    func.lower(func.coalesce(GapEntry.officer_note, "")).like(pattern, escape="\\"),
                )
            )
    return query.order_by(GapEntry.created_at.desc(), GapEntry.id.desc())


def weekly_counts(
    session: Session, gap_filter: GapFilter, tz: ZoneInfo | None = None
) -> list[tuple[date, int]]:
    """Entries per week (weeks start on Monday, local time), oldest first, with empty weeks as 0."""
    tz = tz or zone()
    query = filtered(gap_filter, tz).with_only_columns(GapEntry.created_at).order_by(None)
    counts: dict[date, int] = {}
    for (moment,) in session.execute(query):
        day = local_time(moment, tz).date()
        monday = day - timedelta(days=day.weekday())
        counts[monday] = counts.get(monday, 0) + 1
    if not counts:
        return []
    first = min(counts)
    last = max(counts)
    if gap_filter.date_from:
        first = min(first, gap_filter.date_from - timedelta(days=gap_filter.date_from.weekday()))
    if gap_filter.date_to:
        last = max(last, gap_filter.date_to - timedelta(days=gap_filter.date_to.weekday()))
    weeks = []
    week = first
    while week <= last:
        weeks.append((week, counts.get(week, 0)))
        week += timedelta(days=7)
    return weeks


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (resident text can start with "=")."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def names_for(session: Session, entries: Iterable[GapEntry]) -> dict[str, str]:
    """Service and organisation names for the ids these entries mention (national bodies by catalogue)."""
    from bot.directory.models import Organisation, Service
    from bot.directory.national import national_names

    entries = list(entries)
    service_ids = {sid for e in entries for sid in (e.linked_service_id, e.service_id) if sid}
    service_ids |= {
        str(c.get("service_id")) for e in entries for c in (e.candidates or [])[:1] if c.get("service_id")
    }
    organisation_ids = {e.organisation_id for e in entries if e.organisation_id}
    names: dict[str, str] = {}
    if service_ids:
        names.update(
            session.execute(select(Service.id, Service.name).where(Service.id.in_(sorted(service_ids)))).all()
        )
    if organisation_ids:
        names.update(
            session.execute(
                select(Organisation.id, Organisation.name).where(
                    Organisation.id.in_(sorted(organisation_ids))
                )
            ).all()
        )
    for identifier, name in national_names(service_ids | organisation_ids).items():
        names.setdefault(identifier, name)
    return names


def export_row(entry: GapEntry, tz: ZoneInfo, names: dict[str, str] | None = None) -> list[str]:
    from bot.gaplog.models import REASON_LABELS

    names = names or {}
    top = entry.candidates[0] if entry.candidates else {}
    values = {
        "id": entry.id,
        "created_at": local_time(entry.created_at, tz).isoformat(timespec="seconds"),
        "channel": entry.channel,
        "reason": entry.reason,
        "text": entry.text,
        "status": entry.status,
        "top_service_id": top.get("service_id", ""),
        "top_confidence": "" if top.get("confidence") is None else f"{top['confidence']:.3f}",
        "organisation_id": entry.organisation_id or "",
        "linked_service_id": entry.linked_service_id or "",
        "officer_note": entry.officer_note or "",
        "reviewed_by": entry.reviewed_by or "",
        "reviewed_at": local_time(entry.reviewed_at, tz).isoformat(timespec="seconds")
        if entry.reviewed_at
        else "",
        "reason_label": REASON_LABELS.get(entry.reason, entry.reason),
        "top_service_name": names.get(str(top.get("service_id", "")), top.get("name", "")),
        "organisation_name": names.get(entry.organisation_id or "", ""),
        "linked_service_name": names.get(entry.linked_service_id or "", ""),
        "service_given_id": entry.service_id or "",
        "service_given_name": names.get(entry.service_id or "", ""),
    }
    return [safe_cell(values[column]) for column in EXPORT_COLUMNS]


def write_csv(
    entries: Iterable[GapEntry],
    out: IO[str],
    tz: ZoneInfo | None = None,
    names: dict[str, str] | None = None,
) -> int:
    """Write the header and one row per entry (`names`: from `names_for`); returns the number of rows."""
    tz = tz or zone()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for entry in entries:
        writer.writerow(export_row(entry, tz, names))
        count += 1
    return count


def export_since(session: Session, since: date | None, tz: ZoneInfo | None = None) -> Sequence[GapEntry]:
    """Entries made on or after `since` (a local date), oldest first: what `gaps export` writes."""
    tz = tz or zone()
    query = select(GapEntry).order_by(GapEntry.created_at, GapEntry.id)
    if since:
        query = query.where(GapEntry.created_at >= day_start_utc(since, tz))
    return session.execute(query).scalars().all()
