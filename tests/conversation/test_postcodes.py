"""UK postcodes: recognised in what residents type, checked against the format rules, matched to areas."""

from __future__ import annotations

import pytest

from bot.conversation.postcodes import (
    InvalidPostcode,
    Postcode,
    find_postcode,
    in_areas,
    parse_outward,
    parse_postcode,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sg13 8de", "SG13 8DE"),
        ("SG138DE", "SG13 8DE"),
        ("  m1 1ae ", "M1 1AE"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_valid_postcodes_are_normalised(typed: str, expected: str) -> None:
    assert str(parse_postcode(typed)) == expected


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("SG13 8CE", "C, I, K, M, O or V"),
        ("SG13 8DI", "C, I, K, M, O or V"),
        ("QA1 1AA", "no UK postcode starts with Q"),
        ("AJ1 1AA", "second letter cannot be J"),
        ("W1I 0AX", "not a possible postcode district"),
        ("EC1Z 1BB", "not a possible postcode district"),
        ("SG13 DE8", "a number then two letters"),
        ("SG1", "5 to 7 letters and numbers"),
        ("", "empty"),
    ],
)
def test_malformed_postcodes_say_what_is_wrong(typed: str, why: str) -> None:
    with pytest.raises(InvalidPostcode) as caught:
        parse_postcode(typed)
    assert why in str(caught.value)
    assert "is not a valid UK postcode" in str(caught.value)


def test_a_postcode_is_found_inside_a_sentence() -> None:
    assert find_postcode("my bin wasn't collected at sg13 8de this week") == Postcode("SG13", "8DE")


def test_a_message_that_is_only_a_district_gives_the_outward_code() -> None:
    assert find_postcode("sg13") == "SG13"


def test_a_sentence_without_a_postcode_gives_none() -> None:
    assert find_postcode("my bin was not collected") is None


def test_a_mistyped_postcode_in_a_sentence_raises_a_clear_error() -> None:
    with pytest.raises(InvalidPostcode, match="SG13 8CE"):
        find_postcode("I live at SG13 8CE")


def test_a_bad_district_on_its_own_is_rejected() -> None:
    with pytest.raises(InvalidPostcode):
        parse_outward("QQ1")


def test_a_postcode_in_a_listed_district_is_inside_the_area() -> None:
    assert in_areas(parse_postcode("SG13 8DE"), ["SG13", "SG14"])
    assert not in_areas(parse_postcode("SG12 8DE"), ["SG13", "SG14"])


def test_a_whole_postcode_area_covers_its_districts_but_not_other_areas() -> None:
    assert in_areas(parse_postcode("SG1 1AA"), ["SG"])
    assert not in_areas(parse_postcode("S1 1AA"), ["SG"])


@pytest.mark.parametrize(
    ("text", "mostly"),
    [
        ("BV9 1AA", True),
        ("my postcode is SG13 8DE", True),
        ("I live in BV4 1CI", True),
        ("sg13", True),
        ("bin not collected at SG13 8DE", False),
        ("hello", False),
    ],
)
def test_a_message_that_is_mostly_a_postcode_is_recognised_by_its_shape(text: str, mostly: bool) -> None:
    from bot.conversation.turns import is_mostly_postcode

    assert is_mostly_postcode(text) is mostly
