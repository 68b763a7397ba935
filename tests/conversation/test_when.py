"""Which days a resident asks about ("are they open tomorrow / at the weekend / over Christmas?"), read
against a fixed day, with bank holidays from the `holidays` library."""

from __future__ import annotations

from datetime import date

import pytest

from bot.conversation.when import asked_days, names_a_day

TUESDAY = date(2026, 11, 17)
SATURDAY = date(2026, 11, 21)
DECEMBER_27 = date(2026, 12, 27)


def days(text: str, today: date = TUESDAY, region: str = "ENG") -> tuple[date, ...]:
    found = asked_days(text, today, region)
    assert found is not None, f"no day read in {text!r}"
    return found.days


def test_tomorrow_is_the_next_day() -> None:
    found = asked_days("are they open tomorrow?", TUESDAY)
    assert found is not None and found.days == (date(2026, 11, 18),)
    assert found.label == "tomorrow"


def test_today_is_today() -> None:
    assert days("are they open today") == (TUESDAY,)


def test_a_weekday_is_the_next_one_and_today_counts() -> None:
    assert days("what about saturday") == (date(2026, 11, 21),)
    assert days("are they open on tuesday") == (TUESDAY,)
    assert days("are they open next tuesday") == (date(2026, 11, 24),)
    assert days("open on sat?") == (date(2026, 11, 21),)


def test_the_weekend_is_saturday_and_sunday_and_on_a_saturday_it_is_this_one() -> None:
    found = asked_days("are they open at the weekend", TUESDAY)
    assert found is not None and found.days == (date(2026, 11, 21), date(2026, 11, 22))
    assert found.label == "at the weekend"
    assert days("are they open this weekend", SATURDAY) == (SATURDAY, date(2026, 11, 22))


@pytest.mark.parametrize(
    "text", ["are they open on 26 December", "26th december?", "what about December 26th", "open on 26/12"]
)
def test_a_date_is_read_in_the_usual_british_ways(text: str) -> None:
    assert days(text) == (date(2026, 12, 26),)


def test_a_date_already_past_this_year_is_next_years() -> None:
    assert days("are they open on 3 January") == (date(2027, 1, 3),)
    assert days("on 1 march 2027") == (date(2027, 3, 1),)


def test_over_christmas_runs_from_christmas_eve_to_new_years_day() -> None:
    found = asked_days("are they open over Christmas?", TUESDAY)
    assert found is not None and found.label == "over Christmas"
    assert found.days[0] == date(2026, 12, 24) and found.days[-1] == date(2027, 1, 1)
    assert len(found.days) == 9


def test_in_scotland_christmas_runs_to_the_second_of_january_bank_holiday() -> None:
    assert days("over christmas", region="SCT")[-1] == date(2027, 1, 2)


def test_during_christmas_only_the_days_left_are_answered() -> None:
    assert days("are you open over christmas", DECEMBER_27)[0] == DECEMBER_27


def test_named_bank_holidays_come_from_the_holidays_library() -> None:
    assert days("are they open on boxing day") == (date(2026, 12, 26),)
    assert days("good friday?") == (date(2027, 3, 26),)
    assert days("are they open on easter monday") == (date(2027, 3, 29),)
    assert days("what about new year's day") == (date(2027, 1, 1),)
    assert days("st andrew's day", region="SCT") == (date(2026, 11, 30),)


def test_bank_holiday_monday_is_the_next_bank_holiday_on_a_monday() -> None:
    # After Christmas Day (Friday) and Boxing Day (Saturday), Monday 28 December 2026 is the substitute day.
    found = asked_days("are they open bank holiday monday", TUESDAY)
    assert found is not None and found.days == (date(2026, 12, 28),)
    assert found.label == "on Monday 28 December"


def test_the_bank_holiday_is_the_next_one() -> None:
    assert days("are they open on the bank holiday") == (date(2026, 12, 25),)
    assert days("are they open on the august bank holiday") == (date(2027, 8, 30),)


def test_christmas_eve_is_not_a_bank_holiday_but_is_a_day() -> None:
    assert days("are they open christmas eve") == (date(2026, 12, 24),)


def test_no_day_named_is_none() -> None:
    assert asked_days("are they open now?", TUESDAY) is None
    assert asked_days("what's their email", TUESDAY) is None
    assert not names_a_day("what time does the council open", TUESDAY)
    assert not names_a_day("where is 3 market street", TUESDAY)
    assert names_a_day("and over christmas?", TUESDAY)
