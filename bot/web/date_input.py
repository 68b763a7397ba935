"""A date typed into three boxes (day, month, year), read and checked as the GOV.UK Design System's date
input pattern asks (https://design-system.service.gov.uk/components/date-input/).

Why three boxes and not `<input type="date">`: browsers draw the native picker differently, some screen
readers announce it badly, and people who know the date type it faster than they pick it. The pattern also
says exactly what each error message must say and which box it marks:

* some boxes empty: "<Date> must include a month" (or "a day and year"), marking the empty boxes;
* a box that is not a number (a month may be a name, "Dec"): "<Date> must be a real date", marking that box;
* a year of fewer than 4 digits: "Year must include 4 numbers", marking the year;
* no such day ("31 2 2027"): "<Date> must be a real date", marking the box that cannot be right;
* outside the allowed range: "<Date> must be between ... and ...", marking every box.

All boxes empty is no date at all: the caller's question did not need one.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

FIELDS = ("day", "month", "year")

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9


@dataclass(frozen=True)
class DateInput:
    """What was typed in each box (kept to show the form again), the date it makes, or why it does not."""

    day: str = ""
    month: str = ""
    year: str = ""
    value: date | None = None
    error: str = ""
    fields_in_error: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not (self.day or self.month or self.year)

    def has_error(self, name: str) -> bool:
        return name in self.fields_in_error

    @property
    def first_error_field(self) -> str:
        """The box the error summary links to (the first one marked)."""
        return next((name for name in FIELDS if name in self.fields_in_error), "day")


def _month(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return _MONTHS.get(text.lower().rstrip("."))


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def long_date(day: date) -> str:
    """ "27 December 2026", the GOV.UK style for dates."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def read_date(
    day: str, month: str, year: str, *, label: str, earliest: date | None = None, latest: date | None = None
) -> DateInput:
    """The date in three boxes, checked in the pattern's order; `label` starts each message."""
    typed = {"day": (day or "").strip(), "month": (month or "").strip(), "year": (year or "").strip()}

    def problem(message: str, *names: str) -> DateInput:
        return DateInput(
            day=typed["day"], month=typed["month"], year=typed["year"], error=message, fields_in_error=names
        )

    if not any(typed.values()):
        return DateInput()
    missing = [name for name in FIELDS if not typed[name]]
    if missing:
        return problem(f"{label} must include a {_joined(missing)}", *missing)
    month_number = _month(typed["month"])
    not_numbers = [
        name for name in FIELDS if (month_number is None if name == "month" else not typed[name].isdigit())
    ]
    if not_numbers or month_number is None:
        return problem(f"{label} must be a real date", *not_numbers)
    if len(typed["year"]) != 4:
        return problem("Year must include 4 numbers", "year")
    day_number, year_number = int(typed["day"]), int(typed["year"])
    if not 1 <= month_number <= 12:
        return problem(f"{label} must be a real date", "month")
    if not 1 <= day_number <= calendar.monthrange(year_number, month_number)[1]:
        return problem(f"{label} must be a real date", "day")
    value = date(year_number, month_number, day_number)
    if (earliest and value < earliest) or (latest and value > latest):
        low = long_date(earliest) if earliest else "any date"
        high = long_date(latest) if latest else "any date"
        return problem(f"{label} must be between {low} and {high}", *FIELDS)
    return DateInput(day=typed["day"], month=typed["month"], year=typed["year"], value=value)
