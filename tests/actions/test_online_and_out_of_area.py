"""Issue #19 parts 5 and 6, as residents meet them: online first, and places outside the council's area.

The hand-made council (tests/actions/conftest.py) covers SG12, SG13 and SG14 and the town of Brackenford; the
UK places are the shipped data/area/uk_places.yml.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import update

from actions.followups import ActionPostcode
from actions.people import ActionUnmet
from actions.signposting import ActionSignpost
from bot.db import session_scope
from bot.directory.models import Service
from tests.actions.conftest import candidate
from tests.actions.test_actions import answer, slots, texts

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_AFTERNOON = datetime(2026, 11, 18, 14, 0, tzinfo=LONDON)
WEDNESDAY_EVENING = datetime(2026, 11, 18, 19, 0, tzinfo=LONDON)
GOV_UK = "https://www.gov.uk/find-local-council"


def describe(engine, service_id: str, description: str) -> None:
    with session_scope(engine) as session:
        session.execute(update(Service).where(Service.id == service_id).values(description=description))


# --- part 6: places outside the council's area --------------------------------------------------------------


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_resident_with_a_postcode_in_another_county_is_told_and_still_given_this_councils_bin_service(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("my bin wasn't emptied at LU1 1AA", services=[candidate("waste", 0.92)])
    events = await ActionSignpost().run(dispatcher, tracker, domain)
    outside, service, question = texts(dispatcher)
    assert outside.startswith("LU1 looks outside the area of Brackenford District Council.")
    assert GOV_UK in outside
    assert service.startswith("Bin collections (Brackenford District Council): call 01632 960200")
    assert "is outside the area Bin collections covers" not in service, "said once is plain enough"
    assert question == "Did that answer your question?"
    meta = answer(dispatcher)
    assert meta["kind"] == "service" and meta["services"][0]["id"] == "waste"
    assert meta["area"] == {"outside": True, "place": "LU1", "kind": "postcode", "find_council": GOV_UK}
    assert slots(events)["postcode"] == "LU1", "never the full postcode"
    assert all("1AA" not in text for text in texts(dispatcher))


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_resident_with_a_postcode_in_the_area_hears_nothing_about_other_councils(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("bin not collected at sg13 8de", services=[candidate("waste", 0.92)])
    await ActionSignpost().run(dispatcher, tracker, domain)
    assert GOV_UK not in " ".join(texts(dispatcher))
    assert "SG13 8DE is inside the area this service covers" in texts(dispatcher)[0]
    assert "area" not in answer(dispatcher)


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_resident_who_names_a_city_elsewhere_is_told_and_still_given_the_countys_roads_service(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("there's a pothole in Leeds", services=[candidate("roads", 0.88)])
    await ActionSignpost().run(dispatcher, tracker, domain)
    outside, service, _ = texts(dispatcher)
    assert outside.startswith("Leeds looks outside the area of Brackenford District Council.")
    assert GOV_UK in outside
    assert service.startswith("Potholes and road repairs is handled by Northmoor County Council")
    assert answer(dispatcher)["area"]["place"] == "Leeds"


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_street_named_after_a_city_and_the_councils_own_town_are_not_elsewhere(
    directory, dispatcher, make_tracker, domain
) -> None:
    for text in ("pothole in London Road", "pothole in Brackenford", "leak in bath"):
        dispatcher.messages.clear()
        tracker = make_tracker(text, services=[candidate("roads", 0.88)])
        await ActionSignpost().run(dispatcher, tracker, domain)
        assert texts(dispatcher)[0].startswith("Potholes and road repairs is handled by"), text
        assert "area" not in answer(dispatcher), text


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_malformed_postcode_gets_a_clear_message_and_no_guess_about_the_area(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("my bin wasn't emptied at LU1 1CA", services=[candidate("waste", 0.92)])
    await ActionSignpost().run(dispatcher, tracker, domain)
    service, invalid, _ = texts(dispatcher)
    assert service.startswith("Bin collections (Brackenford District Council)")
    assert invalid.startswith("'LU1 1CA' is not a valid UK postcode: the last two letters cannot be")
    assert "area" not in answer(dispatcher)


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_postcode_sent_on_its_own_from_elsewhere_is_told_and_given_the_service_again(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("LU1 1AA", intent="inform_postcode", slots={"service_id": "waste"})
    events = await ActionPostcode().run(dispatcher, tracker, domain)
    outside, service = texts(dispatcher)
    assert (
        outside.startswith("LU1 looks outside the area of Brackenford District Council.")
        and GOV_UK in outside
    )
    assert service.startswith("Bin collections (Brackenford District Council): call 01632 960200")
    assert answer(dispatcher)["services"][0]["id"] == "waste"
    assert slots(events)["postcode"] == "LU1"


async def test_a_district_alone_from_elsewhere_with_no_need_yet_is_told_and_asked_what_they_need(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("I live in LU1", intent="nlu_fallback")
    await ActionUnmet().run(dispatcher, tracker, domain)
    outside, fallback = texts(dispatcher)
    assert (
        outside.startswith("LU1 looks outside the area of Brackenford District Council.")
        and GOV_UK in outside
    )
    assert "this is the answer for you" not in outside
    assert "01632 960100" in fallback, "still the contact centre of this council"
    assert answer(dispatcher)["kind"] == "unmet" and answer(dispatcher)["area"]["place"] == "LU1"


async def test_without_area_data_nothing_is_said_about_places(
    directory, dispatcher, make_tracker, domain, monkeypatch
) -> None:
    monkeypatch.setenv("COUNCIL_AREA_FILE", "")
    tracker = make_tracker("my bin wasn't emptied at LU1 1AA", services=[candidate("waste", 0.92)])
    await ActionSignpost().run(dispatcher, tracker, domain)
    assert GOV_UK not in " ".join(texts(dispatcher))


# --- part 5: online first -----------------------------------------------------------------------------------


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_resident_whose_bin_was_missed_is_given_the_online_form_first_then_the_number(
    directory, dispatcher, make_tracker, domain
) -> None:
    describe(
        directory, "waste", "If your bin was not collected, report it online by 5pm the next working day."
    )
    tracker = make_tracker("my bin was not collected", services=[candidate("waste", 0.92)])
    await ActionSignpost().run(dispatcher, tracker, domain)
    lines = texts(dispatcher)[0].splitlines()
    assert lines[:3] == [
        "Bin collections (Brackenford District Council).",
        "You can report it online: https://www.brackenford.example/bins",
        "Or call 01632 960200 (Missed collections).",
    ]
    assert "Web:" not in texts(dispatcher)[0], "the link is given once"
    card = answer(dispatcher)["services"][0]
    assert card["online"] == "Report it online"
    assert card["url"] == "https://www.brackenford.example/bins"


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_another_councils_reporting_service_says_whose_it_is_first_then_the_link_then_the_number(
    directory, dispatcher, make_tracker, domain
) -> None:
    with session_scope(directory) as session:
        session.execute(update(Service).where(Service.id == "roads").values(name="Report a pothole"))
    tracker = make_tracker("pothole", services=[candidate("roads", 0.88)])
    await ActionSignpost().run(dispatcher, tracker, domain)
    lines = texts(dispatcher)[0].splitlines()
    assert lines[:3] == [
        "Report a pothole is handled by Northmoor County Council, not Brackenford District Council.",
        "You can report it online: https://www.northmoor.example/roads",
        "Or call 01632 960500.",
    ]
    assert answer(dispatcher)["services"][0]["online"] == "Report it online"


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_service_without_its_own_web_page_stays_phone_first_whatever_its_description_says(
    directory, dispatcher, make_tracker, domain
) -> None:
    describe(directory, "bulky", "Book online and put the items out by 7am.")
    tracker = make_tracker("collect my old sofa", services=[candidate("bulky", 0.9)])
    await ActionSignpost().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(
        "Bulky waste collections (Brackenford District Council): call 01632"
    )
    assert "online" not in answer(dispatcher)["services"][0]


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_an_officer_on_the_staff_channel_keeps_the_staff_line_first(
    directory, dispatcher, make_tracker, domain
) -> None:
    describe(directory, "waste", "Report it online by 5pm the next working day.")
    tracker = make_tracker(
        "missed bin", services=[candidate("waste", 0.92)], metadata={"channel": "staff"}, sender_id="staff-1"
    )
    await ActionSignpost().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(
        "Bin collections (Brackenford District Council): call 01632 960299 (staff line"
    )
