"""Which days a resident is asking about: "tomorrow", "Saturday", "the weekend", "27 December", "over
Christmas", "bank holiday Monday".

Follow-ups about opening hours often name a day rather than "now", and the answer must come from the service's
hours on that day. The day is read relative to the council's today (passed in, so tests fix it). Bank holidays
come from the maintained `holidays` library for the council's part of the UK (`bank_holidays_in`), never from
a hand list: "boxing day", "easter monday" or "st andrew's day" are matched by the names the library gives.
Only the seasons residents name without a date ("Christmas", "Easter", "Christmas Eve") are defined here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.easter import easter

from bot.conversation.opening import DAY_NAMES, bank_holidays_in, day_words

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_WORDS = (
    {month: number for number, month in enumerate(MONTHS, start=1)}
    | {month[:3]: number for number, month in enumerate(MONTHS, start=1)}
    | {"sept": 9}
)
_MONTH = r"(" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + r")"
_DAY_OF_MONTH = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAY_MONTH = re.compile(rf"\b{_DAY_OF_MONTH}\s+(?:of\s+)?{_MONTH}(?:\s+(\d{{4}}))?\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY_OF_MONTH}\b(?:,?\s+(\d{{4}}))?")
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?\b")
_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "weds": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
    "mondays": 0,
    "tuesdays": 1,
    "wednesdays": 2,
    "thursdays": 3,
    "fridays": 4,
    "saturdays": 5,
    "sundays": 6,
}
_TODAY = ("today", "tonight", "this morning", "this afternoon", "this evening", "later")
_HOLIDAY_ALIASES = {
    "august bank holiday": "summer bank holiday",
    "early may bank holiday": "may day",
    "may bank holiday": "may day",
    "new year": "new years day",
    "new years day": "new years day",
    "whit monday": "spring bank holiday",
}
"""What residents call a bank holiday -> the words of the `holidays` library's name for it."""
DAY_WORDS = frozenset(
    {*_WEEKDAYS, *MONTHS, "weekend", "weekends", "christmas", "xmas", "easter", "eve", "boxing", "bank",
     "holiday", "holidays", "new", "year", "years", "year's", "good", "day", "days", "st", "saint", "next",
     "this", "over", "during", "period", "about", "what", "and", "tomorrow", "today", "tonight", "later",
     "morning", "afternoon", "evening"}
)  # fmt: skip
"""Words that name a day, so that "what about boxing day?" is not mistaken for a new need."""


@dataclass(frozen=True)
class AskedDays:
    """The days a question is about, in order, and how the answer names them ("tomorrow", "over Easter")."""

    label: str
    days: tuple[date, ...]


def _normalise(text: str) -> str:
    text = (text or "").lower().replace("’", "'").replace("'s", "s").replace("'", "")
    text = re.sub(r"[^a-z0-9/ ]+", " ", text)
    return " " + re.sub(r"\s+", " ", text).strip() + " "


def _holiday_key(name: str) -> str:
    key = _normalise(name.replace("(observed)", "")).strip()
    key = key.replace("saint ", "st ")
    return key.removeprefix("late ")


def _upcoming_holidays(today: date, region: str) -> list[tuple[date, str]]:
    found = {**bank_holidays_in(today.year, region), **bank_holidays_in(today.year + 1, region)}
    return sorted((day, name) for day, name in found.items() if day >= today)


def _one(label: str, day: date, today: date) -> AskedDays:
    if day == today:
        return AskedDays("today", (day,))
    if day == today + timedelta(days=1):
        return AskedDays("tomorrow", (day,))
    return AskedDays(label or f"on {day_words(day)}", (day,))


def _on_or_after(today: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year if year > 99 else 2000 + year, month, day)
        found = date(today.year, month, day)
        return found if found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _month_number(word: str) -> int:
    return _MONTH_WORDS[word]


def _explicit_date(text: str, today: date) -> date | None:
    match = _DAY_MONTH.search(text)
    if match:
        return _on_or_after(
            today, _month_number(match[2]), int(match[1]), int(match[3]) if match[3] else None
        )
    match = _MONTH_DAY.search(text)
    if match:
        return _on_or_after(
            today, _month_number(match[1]), int(match[2]), int(match[3]) if match[3] else None
        )
    match = _NUMERIC.search(text)
    if match:
        return _on_or_after(today, int(match[2]), int(match[1]), int(match[3]) if match[3] else None)
    return None


def _christmas(today: date, region: str) -> tuple[date, ...]:
    """Christmas Eve to New Year's Day, and any bank holiday right after (2 January in Scotland)."""
    for year in (today.year - 1, today.year):
        first, last = date(year, 12, 24), date(year + 1, 1, 1)
        holidays = {**bank_holidays_in(year + 1, region)}
        while last + timedelta(days=1) in holidays:
            last += timedelta(days=1)
        if last >= today:
            break
    return tuple(
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if first + timedelta(days=n) >= today
    )


def _easter(today: date) -> tuple[date, ...]:
    """Good Friday to Easter Monday."""
    for year in (today.year, today.year + 1):
        sunday = easter(year)
        span = [sunday + timedelta(days=offset) for offset in (-2, -1, 0, 1)]
        if span[-1] >= today:
            return tuple(day for day in span if day >= today)
    return ()


def _weekend(today: date, following: bool) -> tuple[date, ...]:
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6:
        saturday = today - timedelta(days=1)
    if following and today.weekday() >= 5:
        saturday += timedelta(days=7)
    return tuple(day for day in (saturday, saturday + timedelta(days=1)) if day >= today)


def _named_holiday(text: str, today: date, region: str) -> date | None:
    for alias, words in _HOLIDAY_ALIASES.items():
        text = text.replace(f" {alias} ", f" {words} ")
    for day, name in _upcoming_holidays(today, region):
        if f" {_holiday_key(name)} " in text:
            return day
    return None


def _bank_holiday(text: str, today: date, region: str) -> date | None:
    if " bank holiday" not in text:
        return None
    weekday = next((_WEEKDAYS[word] for word in text.split() if word in _WEEKDAYS), None)
    for day, _name in _upcoming_holidays(today, region):
        if weekday is None or day.weekday() == weekday:
            return day
    return None


def _weekdays(text: str, today: date) -> tuple[date, ...]:
    words = text.split()
    found = []
    for index, word in enumerate(words):
        if word not in _WEEKDAYS:
            continue
        ahead = (_WEEKDAYS[word] - today.weekday()) % 7
        if ahead == 0 and index > 0 and words[index - 1] == "next":
            ahead = 7
        found.append(today + timedelta(days=ahead))
    return tuple(sorted(set(found)))


def asked_days(text: str, today: date, region: str = "ENG") -> AskedDays | None:
    """The days `text` asks about, relative to `today`, or None when it names no day ("are they open now?").

    Dates without a year mean the next such date; a weekday means the next one (today if it is today; "next
    Tuesday" on a Tuesday is a week away); the weekend on a Saturday is this one.
    """
    words = _normalise(text)
    explicit = _explicit_date(words, today)
    if explicit is not None:
        return _one("", explicit, today)
    if " christmas eve " in words or " xmas eve " in words:
        return _one("on Christmas Eve", _on_or_after(today, 12, 24, None) or today, today)
    if " new years eve " in words:
        return _one("on New Year's Eve", _on_or_after(today, 12, 31, None) or today, today)
    holiday = _named_holiday(words, today, region)
    if holiday is not None:
        return _one("", holiday, today)
    if " christmas " in words or " xmas " in words:
        return AskedDays("over Christmas", _christmas(today, region))
    if " easter " in words:
        return AskedDays("over Easter", _easter(today))
    holiday = _bank_holiday(words, today, region)
    if holiday is not None:
        return _one("", holiday, today)
    if " weekend " in words or " weekends " in words:
        return AskedDays("at the weekend", _weekend(today, " next weekend " in words))
    if " tomorrow " in words:
        return _one("tomorrow", today + timedelta(days=1), today)
    weekdays = _weekdays(words, today)
    if len(weekdays) == 1:
        return _one("", weekdays[0], today)
    if weekdays:
        return AskedDays("on " + " and ".join(DAY_NAMES[day.weekday()] for day in weekdays), weekdays)
    if any(f" {word} " in words for word in _TODAY):
        return AskedDays("today", (today,))
    return None


def names_a_day(text: str, today: date, region: str = "ENG") -> bool:
    """Does `text` ask about a particular day (anything but "now")?"""
    return asked_days(text, today, region) is not None
