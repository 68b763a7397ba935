"""The GOV.UK date input on the staff lookup: three boxes, and an error that says which box is wrong."""

from __future__ import annotations

from datetime import date

import pytest

from bot.web.date_input import read_date

EARLIEST, LATEST = date(2026, 1, 1), date(2027, 12, 31)


def read(day: str, month: str, year: str):  # noqa: ANN201
    return read_date(day, month, year, label="Date to check", earliest=EARLIEST, latest=LATEST)


def test_an_officer_who_types_27_12_2026_gets_that_date() -> None:
    assert read("27", "12", "2026").value == date(2026, 12, 27)


def test_a_month_may_be_typed_as_its_name() -> None:
    assert read(" 1 ", "Dec", "2026").value == date(2026, 12, 1)
    assert read("3", "sept", "2026").value == date(2026, 9, 3)


def test_three_empty_boxes_are_no_date_and_no_error() -> None:
    found = read("", " ", "")
    assert (found.value, found.error, found.is_empty) == (None, "", True)


@pytest.mark.parametrize(
    ("boxes", "message", "marked"),
    [
        (("27", "", "2026"), "Date to check must include a month", ("month",)),
        (("", "", "2026"), "Date to check must include a day and month", ("day", "month")),
        (("27", "12", ""), "Date to check must include a year", ("year",)),
        (("x", "12", "2026"), "Date to check must be a real date", ("day",)),
        (("1", "Decembre", "2026"), "Date to check must be a real date", ("month",)),
        (("31", "2", "2027"), "Date to check must be a real date", ("day",)),
        (("1", "13", "2027"), "Date to check must be a real date", ("month",)),
        (("1", "12", "26"), "Year must include 4 numbers", ("year",)),
        (
            ("1", "1", "2040"),
            "Date to check must be between 1 January 2026 and 31 December 2027",
            ("day", "month", "year"),
        ),
    ],
)
def test_a_wrong_date_says_what_is_wrong_and_marks_only_the_wrong_boxes(
    boxes: tuple[str, str, str], message: str, marked: tuple[str, ...]
) -> None:
    found = read(*boxes)

    assert found.value is None
    assert found.error == message
    assert found.fields_in_error == marked
    assert found.first_error_field == marked[0]
    assert (found.day, found.month, found.year) == tuple(box.strip() for box in boxes), "shown again as typed"
