"""Is a service open right now, and if not, when does it open? Computed in the council's time zone.

Residents ask "are they open?" at any hour, so the answer is worked out from the directory's weekly hours at
the moment of asking, in Europe/London (so British Summer Time is right), skipping the council's bank holidays
(England and Wales by default; Scotland or Northern Ireland by setting, from the maintained `holidays`
library) unless the service opens on them, and honouring dated closures ("closed for refurbishment").
`day_hours` answers the same for a whole day ("are they open on Boxing Day?").
Everything here is pure: the caller passes the hours and the clock, so it is tested with a frozen clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

from bot.settings import get_settings

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LOOKAHEAD_DAYS = 62
"""How far ahead to look for the next opening: long enough to see past a Christmas closure."""


@dataclass(frozen=True)
class WeeklyHours:
    """Opening hours repeated every week on `days` (0 = Monday), optionally only between two dates."""

    days: frozenset[int]
    opens: time
    closes: time
    valid_from: date | None = None
    valid_to: date | None = None

    def applies_on(self, day: date) -> bool:
        if day.weekday() not in self.days:
            return False
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_to and day > self.valid_to)


@dataclass(frozen=True)
class Closure:
    """The service is shut on every day from `start` to `end` inclusive, for `reason`."""

    start: date
    end: date
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Hours:
    """Everything the directory says about when a service can be reached."""

    weekly: tuple[WeeklyHours, ...] = ()
    closures: tuple[Closure, ...] = ()
    open_on_bank_holidays: bool = False
    bank_holidays: str = "ENG"
    """Whose bank holidays apply: a UK subdivision of the `holidays` library (ENG, WLS, SCT, NIR)."""

    @property
    def known(self) -> bool:
        return bool(self.weekly)

    @property
    def round_the_clock(self) -> bool:
        """Open all day every day: such services (emergency lines) do not shut for bank holidays."""
        return any(
            len(weekly.days) == 7 and weekly.opens == time(0, 0) and _is_end_of_day(weekly.closes)
            for weekly in self.weekly
            if weekly.valid_from is None and weekly.valid_to is None
        )


@dataclass(frozen=True)
class OpeningState:
    """The service's state at `now`, and the sentence a resident reads."""

    now: datetime
    known: bool
    is_open: bool
    always_open: bool = False
    closes_at: datetime | None = None
    opens_at: datetime | None = None
    reason: str = ""
    """Why it is shut today when it normally opens: a bank holiday's name or a closure's description."""
    closure_until: date | None = None
    extra: dict = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        """ "open now until 5pm", "closed now; opens tomorrow at 9am", "open 24 hours a day"..."""
        if not self.known:
            return "opening hours are not listed"
        if self.always_open:
            return "open 24 hours a day"
        if self.is_open and self.closes_at is not None:
            return f"open now until {_when(self.closes_at, self.now, closing=True)}"
        words = "closed now"
        if self.reason and self.closure_until and self.closure_until > self.now.date():
            words += f" ({self.reason}, until {_day_month(self.closure_until)})"
        elif self.reason:
            words += f" ({self.reason})"
        if self.opens_at is not None:
            words += f"; opens {_when(self.opens_at, self.now)}"
        else:
            words += "; no opening times are listed for the coming weeks"
        return words


def london_now(tz_name: str = "Europe/London") -> datetime:
    """The current time in the council's zone; `HERE_TO_HELP_NOW` overrides it in tests."""
    zone = ZoneInfo(tz_name)
    override = get_settings().here_to_help_now.strip()
    if override:
        moment = datetime.fromisoformat(override)
        return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
    return datetime.now(zone)


@lru_cache(maxsize=32)
def bank_holidays_in(year: int, region: str = "ENG") -> dict[date, str]:
    """Every bank holiday of `region` (ENG, WLS, SCT, NIR) in `year`, by date, as the `holidays` library names
    them ("Boxing Day (observed)" is the substitute day)."""
    return dict(holidays.country_holidays("GB", subdiv=region, years=year).items())


def bank_holiday(day: date, region: str = "ENG") -> str | None:
    """The bank holiday on `day` in `region` (England and Wales by default), by name, or None."""
    return bank_holidays_in(day.year, region).get(day)


def holiday_words(name: str) -> str:
    """A bank holiday's name as residents read it: "Boxing Day (observed)" -> "Boxing Day substitute day"."""
    return name.replace(" (observed)", " substitute day").replace("Saint ", "St ")


def parse_byday(byday: str | None) -> frozenset[int]:
    """ "MO,TU,WE" -> {0, 1, 2}; unknown codes are ignored (the importer has already validated them)."""
    codes = [code.strip().upper() for code in (byday or "").replace(" ", ",").split(",") if code.strip()]
    return frozenset(DAY_CODES.index(code) for code in codes if code in DAY_CODES)


def _is_end_of_day(moment: time) -> bool:
    return moment >= time(23, 59)


def _intervals_on(day: date, hours: Hours, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    intervals = []
    for weekly in hours.weekly:
        if not weekly.applies_on(day):
            continue
        start = datetime.combine(day, weekly.opens, tzinfo=zone)
        if _is_end_of_day(weekly.closes):
            end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)
        elif weekly.closes <= weekly.opens:  # overnight, e.g. 17:00 to 09:00
            end = datetime.combine(day + timedelta(days=1), weekly.closes, tzinfo=zone)
        else:
            end = datetime.combine(day, weekly.closes, tzinfo=zone)
        intervals.append((start, end))
    return intervals


def _shut_reason(day: date, hours: Hours) -> tuple[str, date | None] | None:
    for closure in hours.closures:
        if closure.covers(day):
            return (closure.reason or "temporarily closed", closure.end)
    name = bank_holiday(day, hours.bank_holidays)
    if name and not (hours.open_on_bank_holidays or hours.round_the_clock):
        return (f"{holiday_words(name)} bank holiday", None)
    return None


def _open_intervals(hours: Hours, first: date, days: int, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    intervals: list[tuple[datetime, datetime]] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if _shut_reason(day, hours) is None:
            intervals.extend(_intervals_on(day, hours, zone))
    intervals.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def opening_state(hours: Hours, now: datetime, tz_name: str = "Europe/London") -> OpeningState:
    """Open or closed at `now` (any aware datetime; naive means London time), and the next change."""
    zone = ZoneInfo(tz_name)
    now = now.replace(tzinfo=zone) if now.tzinfo is None else now.astimezone(zone)
    if not hours.known:
        return OpeningState(now=now, known=False, is_open=False)
    today = now.date()
    intervals = _open_intervals(hours, today - timedelta(days=1), LOOKAHEAD_DAYS + 1, zone)
    for start, end in intervals:
        if start <= now < end:
            always = end - now > timedelta(days=7) and start <= now - timedelta(days=1)
            return OpeningState(now=now, known=True, is_open=True, always_open=always, closes_at=end)
    upcoming = next((start for start, _ in intervals if start > now), None)
    shut = _shut_reason(today, hours)
    if shut is not None and not any(weekly.applies_on(today) for weekly in hours.weekly):
        # Shut for a reason on a day it would not have opened anyway: say so only for closures.
        shut = shut if hours.closures and any(c.covers(today) for c in hours.closures) else None
    reason, until = shut if shut else ("", None)
    return OpeningState(
        now=now, known=True, is_open=False, opens_at=upcoming, reason=reason, closure_until=until
    )


@dataclass(frozen=True)
class DayHours:
    """When a service is open on one calendar day, after its closures and bank holidays."""

    day: date
    intervals: tuple[tuple[time, time], ...] = ()
    """Opening and closing clock times that day, in order (a closing time of midnight means end of day)."""
    reason: str = ""
    """Why it is shut on a day it would normally open: a bank holiday or a closure's description."""
    holiday: str = ""
    """The bank holiday that day, by name, even when the service opens on it."""

    @property
    def is_open(self) -> bool:
        return bool(self.intervals)

    def describe(self) -> str:
        """ "8:30am to 5pm", "closed (Boxing Day bank holiday)", "closed", "open 24 hours"."""
        if not self.intervals:
            return f"closed ({self.reason})" if self.reason else "closed"
        if self.intervals == ((time(0, 0), time(0, 0)),):
            return "open 24 hours"
        return " and ".join(
            f"{format_clock(opens)} to {format_clock(closes)}" for opens, closes in self.intervals
        )


def day_hours(hours: Hours, day: date, tz_name: str = "Europe/London") -> DayHours:
    """When the service is open on `day`: its own hours that day, not an overnight spill from the eve."""
    zone = ZoneInfo(tz_name)
    name = bank_holiday(day, hours.bank_holidays) or ""
    holiday = holiday_words(name) if name else ""
    shut = _shut_reason(day, hours)
    normally = _intervals_on(day, hours, zone)
    if shut is not None:
        return DayHours(
            day=day, reason=shut[0] if normally or _closure_on(day, hours) else "", holiday=holiday
        )
    times = sorted(
        {(start.timetz().replace(tzinfo=None), end.timetz().replace(tzinfo=None)) for start, end in normally}
    )
    return DayHours(day=day, intervals=tuple(times), holiday=holiday)


def _closure_on(day: date, hours: Hours) -> bool:
    return any(closure.covers(day) for closure in hours.closures)


def next_opening(hours: Hours, after: datetime, tz_name: str = "Europe/London") -> datetime | None:
    """The first moment the service opens at or after `after` (None when nothing is listed soon)."""
    zone = ZoneInfo(tz_name)
    after = after.replace(tzinfo=zone) if after.tzinfo is None else after.astimezone(zone)
    for start, end in _open_intervals(hours, after.date() - timedelta(days=1), LOOKAHEAD_DAYS + 1, zone):
        if start >= after:
            return start
        if start < after < end:
            return after
    return None


def when_words(moment: datetime, now: datetime) -> str:
    """ "today at 9am", "tomorrow at 9am", "Monday at 8:30am", "Tuesday 29 December at 9am"."""
    return _when(moment, now)


def day_words(day: date) -> str:
    """ "Saturday 26 December"."""
    return _day_month(day)


class ScheduleLike(Protocol):
    """A directory schedule row: the ORM's `Schedule` or an importer's `ScheduleRecord`."""

    @property
    def byday(self) -> str | None: ...
    @property
    def opens_at(self) -> time | None: ...
    @property
    def closes_at(self) -> time | None: ...
    @property
    def valid_from(self) -> date | None: ...
    @property
    def valid_to(self) -> date | None: ...
    @property
    def description(self) -> str | None: ...


def hours_from_schedules(
    schedules: Iterable[ScheduleLike], *, open_on_bank_holidays: bool = False, bank_holidays: str = "ENG"
) -> Hours:
    """Build `Hours` from directory schedule rows (anything with byday/opens_at/closes_at/valid_*/closed)."""
    weekly: list[WeeklyHours] = []
    closures: list[Closure] = []
    for row in schedules:
        if getattr(row, "closed", False) or (
            getattr(row, "opens_at", None) is None and getattr(row, "valid_from", None) is not None
        ):
            start = row.valid_from or row.valid_to
            end = row.valid_to or row.valid_from
            if start and end:
                closures.append(Closure(start=start, end=end, reason=(row.description or "").strip()))
            continue
        if row.opens_at is None or row.closes_at is None:
            continue
        days = parse_byday(row.byday) if row.byday else frozenset(range(7))
        weekly.append(
            WeeklyHours(
                days=days,
                opens=row.opens_at,
                closes=row.closes_at,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
            )
        )
    return Hours(
        weekly=tuple(weekly),
        closures=tuple(closures),
        open_on_bank_holidays=open_on_bank_holidays,
        bank_holidays=bank_holidays,
    )


def format_clock(moment: time | datetime) -> str:
    """9am, 5:30pm, midday, midnight: how council websites write times."""
    hour, minute = moment.hour, moment.minute
    if (hour, minute) == (0, 0):
        return "midnight"
    if (hour, minute) == (12, 0):
        return "midday"
    suffix = "am" if hour < 12 else "pm"
    hour12 = hour % 12 or 12
    return f"{hour12}{suffix}" if minute == 0 else f"{hour12}:{minute:02d}{suffix}"


def _day_month(day: date) -> str:
    return f"{DAY_NAMES[day.weekday()]} {day.day} {day.strftime('%B')}"


def _when(moment: datetime, now: datetime, *, closing: bool = False) -> str:
    """ "5pm", "9am tomorrow" style wording relative to `now`."""
    clock = format_clock(moment)
    days = (moment.date() - now.date()).days
    if closing and clock == "midnight" and days == 1:
        return "midnight"
    if days == 0:
        return clock if closing else f"today at {clock}"
    if days == 1:
        return f"{clock} tomorrow" if closing else f"tomorrow at {clock}"
    if days < 7:
        return (
            f"{clock} on {DAY_NAMES[moment.weekday()]}"
            if closing
            else f"{DAY_NAMES[moment.weekday()]} at {clock}"
        )
    return f"{clock} on {_day_month(moment.date())}" if closing else f"{_day_month(moment.date())} at {clock}"


def describe_weekly(hours: Hours) -> str:
    """A short summary of the usual hours, e.g. "Monday to Friday 9am to 5pm"."""
    parts: list[str] = []
    for weekly in hours.weekly:
        if weekly.valid_to is not None:
            continue
        days = sorted(weekly.days)
        if len(days) == 7 and weekly.opens == time(0, 0) and _is_end_of_day(weekly.closes):
            return "24 hours a day, every day"
        parts.append(f"{_day_span(days)} {format_clock(weekly.opens)} to {_closing_clock(weekly.closes)}")
    return "; ".join(parts)


def _closing_clock(moment: time) -> str:
    return "midnight" if _is_end_of_day(moment) else format_clock(moment)


def _day_span(days: Sequence[int]) -> str:
    if not days:
        return ""
    if len(days) == 7:
        return "every day"
    if list(days) == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        return f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    names = [DAY_NAMES[day] for day in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
