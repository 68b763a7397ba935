"""Which places a message names outside the council's area (bot.conversation.council_area), on the shipped
demo data (data/area/) and on broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.conversation.council_area import (
    CouncilArea,
    CouncilAreaError,
    PlaceOutside,
    load_council_area,
    place_outside,
)

AREA_FILE = PROJECT_ROOT / "data" / "area" / "council_area.yml"
PLACES_FILE = PROJECT_ROOT / "data" / "area" / "uk_places.yml"


@pytest.fixture(scope="module")
def demo() -> CouncilArea:
    return load_council_area(AREA_FILE, PLACES_FILE)


def test_the_demo_council_covers_bv1_to_bv9_and_its_own_towns_are_never_elsewhere(demo: CouncilArea) -> None:
    assert demo.council == "Brackenford District Council"
    assert demo.postcode_districts == tuple(f"BV{n}" for n in range(1, 10))
    assert {"Brackenford", "Tollerby", "Fernhollow"} <= set(demo.towns)
    assert "Brackenford" not in demo.places_elsewhere
    assert {"Leeds", "Cardiff", "Belfast", "Luton"} <= set(demo.places_elsewhere)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my bin wasn't emptied, LU1 1AA", PlaceOutside("LU1", "postcode")),
        ("missed bin at sg138de", PlaceOutside("SG13", "postcode")),
        ("SG13", PlaceOutside("SG13", "postcode")),
        ("I live in sg1, who collects my bins", PlaceOutside("SG1", "postcode")),
        ("my postcode is M1", PlaceOutside("M1", "postcode")),
        ("pothole in Leeds", PlaceOutside("Leeds", "town")),
        ("we're moving to St. Albans next month", PlaceOutside("St Albans", "town")),
        ("council tax for a flat in stoke-on-trent", PlaceOutside("Stoke-on-Trent", "town")),
        ("a flat in Bath", PlaceOutside("Bath", "town")),
    ],
)
def test_a_postcode_or_town_elsewhere_is_found(demo: CouncilArea, text: str, expected: PlaceOutside) -> None:
    assert place_outside(text, demo) == expected


@pytest.mark.parametrize(
    "text",
    [
        "my bin wasn't emptied BV4 2QT",  # the council's own postcode
        "bins in BV3",
        "missed bin in Brackenford",
        "stuck on the M25",  # roads, not districts
        "pothole on the A10",
        "traffic in M25 motorway",
        "pothole in London Road",  # a street, not the city
        "I'm reading my bill",  # everyday words, lower case
        "a leak in bath",
        "I moved from Leeds, how do I pay council tax",  # they live here now
        "council tax in Q1",
        "missed bin at LU1 1CA",  # malformed: the turn says what is wrong instead
        "BV2 1AA, I used to live in Leeds",  # a postcode inside decides
    ],
)
def test_places_inside_roads_streets_and_everyday_words_are_not_elsewhere(
    demo: CouncilArea, text: str
) -> None:
    assert place_outside(text, demo) is None


def test_a_district_typo_in_the_area_file_is_refused_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "area.yml"
    broken.write_text("council: X\npostcode_districts: [SG13, QG1]\n", encoding="utf-8")
    with pytest.raises(
        CouncilAreaError, match=r"area.yml: postcode district 'QG1': no UK postcode starts with Q"
    ):
        load_council_area(broken)


def test_an_area_file_with_no_districts_turns_the_check_off(tmp_path: Path) -> None:
    empty = tmp_path / "area.yml"
    empty.write_text("council: X\ntowns: [Here]\n", encoding="utf-8")
    area = load_council_area(empty, PLACES_FILE)
    assert not area.known
    assert place_outside("missed bin at LU1 1AA", area) is None
