"""How single values from a feed are read: phone numbers, times, dates, days, districts."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from bot.directory.importers import fields


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("01632 960123", ("01632 960123", None)),
        ("+44 1632 960123", ("01632 960123", None)),
        ('"+44 1234 234567"', ("01234 234567", None)),
        ("(01234) 234567 ext. 100", ("01234 234567", 100)),
        ("0800 123 4567", ("0800 123 4567", None)),
        ("0300 123 4567", ("0300 123 4567", None)),
        ("07700 900123", ("07700 900123", None)),
        ("101", ("101", None)),
        ("111", ("111", None)),
        ("999", ("999", None)),
        ("112", ("112", None)),
        ("116 123", ("116 123", None)),
        ("116117", ("116 117", None)),
    ],
)
def test_uk_numbers_short_codes_and_drama_numbers_are_accepted_in_national_form(written: str, stored) -> None:
    assert fields.phone(written) == stored


@pytest.mark.parametrize("written", ["12ab", "01234", "+1 212 555 0100", "0800 FLOWERS", "call us", ""])
def test_anything_else_is_not_a_uk_phone_number(written: str) -> None:
    with pytest.raises(fields.FieldError):
        fields.phone(written)


def test_times_accept_seconds_and_a_utc_marker_but_not_words() -> None:
    assert fields.clock_time("9:05") == time(9, 5)
    assert fields.clock_time("10:00:30Z") == time(10, 0, 30)
    for bad in ("9am", "24:00", "12:60", "noon"):
        with pytest.raises(fields.FieldError):
            fields.clock_time(bad)


def test_last_modified_is_stored_as_utc() -> None:
    assert fields.date_time("2026-06-01T10:00:00+01:00") == datetime(2026, 6, 1, 9, 0)
    assert fields.date_time("2023-03-15T10:30:45.123Z") == datetime(2023, 3, 15, 10, 30, 45, 123000)


def test_weekdays_are_put_in_week_order_and_ordinals_refused() -> None:
    assert fields.byday("fr, mo,WE") == "MO,WE,FR"
    with pytest.raises(fields.FieldError):
        fields.byday("1MO")


def test_postcode_districts_are_outward_codes_only_so_a_full_postcode_is_refused() -> None:
    assert fields.postcode_districts("sg13, SG14 sg13 E1W") == ("SG13", "SG14", "E1W")
    with pytest.raises(fields.FieldError, match='"4AB" is not a postcode district'):
        fields.postcode_districts("SG13 4AB")
