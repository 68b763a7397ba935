"""Opening state in Europe/London with England and Wales bank holidays, against a frozen clock."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.conversation.opening import (
    Closure,
    Hours,
    WeeklyHours,
    day_hours,
    describe_weekly,
    format_clock,
    london_now,
    next_opening,
    opening_state,
)

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = frozenset(range(5))
OFFICE = Hours(weekly=(WeeklyHours(days=WEEKDAYS, opens=time(9), closes=time(17)),))
ROUND_THE_CLOCK = Hours(weekly=(WeeklyHours(days=frozenset(range(7)), opens=time(0), closes=time(23, 59)),))


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def test_an_office_is_open_on_a_weekday_afternoon_until_5pm() -> None:
    state = opening_state(OFFICE, at(2026, 11, 18, 14, 0))  # a Wednesday
    assert state.is_open
    assert state.describe() == "open now until 5pm"


def test_in_the_evening_it_opens_tomorrow_at_9am() -> None:
    state = opening_state(OFFICE, at(2026, 11, 18, 18, 30))
    assert not state.is_open
    assert state.describe() == "closed now; opens tomorrow at 9am"


def test_early_in_the_morning_it_opens_today() -> None:
    assert opening_state(OFFICE, at(2026, 11, 18, 7, 45)).describe() == "closed now; opens today at 9am"


def test_at_the_weekend_it_opens_on_monday() -> None:
    state = opening_state(OFFICE, at(2026, 11, 21, 11, 0))  # a Saturday
    assert state.describe() == "closed now; opens Monday at 9am"


def test_on_christmas_day_2026_it_is_shut_for_the_bank_holiday_and_opens_after_boxing_day_observed() -> None:
    # 25 Dec 2026 is a Friday; Boxing Day falls on Saturday, so Monday 28 Dec is the substitute bank holiday.
    state = opening_state(OFFICE, at(2026, 12, 25, 11, 0))
    assert not state.is_open
    assert "Christmas Day" in state.reason
    assert state.opens_at == at(2026, 12, 29, 9, 0)
    assert state.describe().endswith("opens Tuesday at 9am")


def test_on_easter_monday_it_is_shut_and_opens_on_tuesday() -> None:
    state = opening_state(OFFICE, at(2026, 4, 6, 10, 0))
    assert not state.is_open
    assert "Easter Monday" in state.describe()
    assert state.describe().endswith("opens tomorrow at 9am")


def test_a_service_that_opens_on_bank_holidays_is_open_on_easter_monday() -> None:
    hours = Hours(weekly=OFFICE.weekly, open_on_bank_holidays=True)
    assert opening_state(hours, at(2026, 4, 6, 10, 0)).is_open


def test_a_closure_shuts_the_service_and_says_why_and_until_when() -> None:
    hours = Hours(
        weekly=OFFICE.weekly,
        closures=(
            Closure(start=date(2026, 11, 16), end=date(2026, 11, 20), reason="closed for refurbishment"),
        ),
    )
    state = opening_state(hours, at(2026, 11, 18, 11, 0))
    assert not state.is_open
    assert "closed for refurbishment, until Friday 20 November" in state.describe()
    assert state.opens_at == at(2026, 11, 23, 9, 0)


def test_a_24_hour_service_is_open_all_day_even_on_christmas_day() -> None:
    assert opening_state(ROUND_THE_CLOCK, at(2026, 11, 21, 3, 0)).describe() == "open 24 hours a day"
    assert opening_state(ROUND_THE_CLOCK, at(2026, 12, 25, 3, 0)).is_open


def test_british_summer_time_is_used_so_a_utc_clock_at_8_30_is_9_30_in_london() -> None:
    utc_moment = datetime(2026, 6, 17, 8, 30, tzinfo=ZoneInfo("UTC"))  # BST: 09:30 in London
    assert opening_state(OFFICE, utc_moment).is_open


def test_an_overnight_line_is_open_after_midnight() -> None:
    overnight = Hours(weekly=(WeeklyHours(days=frozenset(range(7)), opens=time(17), closes=time(9)),))
    state = opening_state(overnight, at(2026, 11, 18, 2, 0))
    assert state.is_open
    assert state.describe() == "open now until 9am"


def test_no_listed_hours_are_reported_as_unknown_not_as_closed() -> None:
    state = opening_state(Hours(), at(2026, 11, 18, 14, 0))
    assert not state.known
    assert state.describe() == "opening hours are not listed"


@time_machine.travel(datetime(2026, 11, 18, 16, 30, tzinfo=LONDON), tick=False)
def test_the_clock_is_london_time() -> None:
    assert london_now().hour == 16
    assert opening_state(OFFICE, london_now()).describe() == "open now until 5pm"


def test_the_now_override_is_honoured_for_other_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERE_TO_HELP_NOW", "2026-12-25T10:00:00")
    assert london_now() == at(2026, 12, 25, 10, 0)


@pytest.mark.parametrize(
    ("clock", "words"),
    [(time(9), "9am"), (time(17, 30), "5:30pm"), (time(12), "midday"), (time(0), "midnight")],
)
def test_times_are_written_the_way_councils_write_them(clock: time, words: str) -> None:
    assert format_clock(clock) == words


def test_usual_hours_are_summarised() -> None:
    assert describe_weekly(OFFICE) == "Monday to Friday 9am to 5pm"
    assert describe_weekly(ROUND_THE_CLOCK) == "24 hours a day, every day"


# --- whole days ("are they open on Boxing Day?") ---


def test_a_weekday_has_its_usual_hours() -> None:
    assert day_hours(OFFICE, date(2026, 11, 19)).describe() == "9am to 5pm"


def test_a_bank_holiday_on_a_working_day_is_closed_with_its_name() -> None:
    monday = day_hours(OFFICE, date(2026, 12, 28))
    assert not monday.is_open
    assert monday.describe() == "closed (Boxing Day substitute day bank holiday)"


def test_a_bank_holiday_at_the_weekend_is_named_but_the_office_was_shut_anyway() -> None:
    saturday = day_hours(OFFICE, date(2026, 12, 26))
    assert (saturday.describe(), saturday.holiday) == ("closed", "Boxing Day")


def test_scotlands_bank_holidays_are_used_when_the_council_is_in_scotland() -> None:
    scottish = Hours(weekly=OFFICE.weekly, bank_holidays="SCT")
    assert day_hours(OFFICE, date(2026, 11, 30)).is_open
    assert day_hours(scottish, date(2026, 11, 30)).describe() == "closed (St Andrew's Day bank holiday)"
    assert not day_hours(scottish, date(2027, 1, 4)).is_open  # New Year Holiday (observed)
    assert day_hours(OFFICE, date(2027, 1, 4)).is_open


def test_a_round_the_clock_line_is_open_24_hours_on_christmas_day() -> None:
    assert day_hours(ROUND_THE_CLOCK, date(2026, 12, 25)).describe() == "open 24 hours"


def test_the_next_opening_after_christmas_2026_is_tuesday_29_december() -> None:
    assert next_opening(OFFICE, at(2026, 12, 25, 0, 0)) == at(2026, 12, 29, 9, 0)
