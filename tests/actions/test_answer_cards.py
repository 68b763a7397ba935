"""The details the resident widget draws as a card come in the answer metadata, from the same directory reads
as the answer's words: the number to call (public only, even on the staff channel), the web page, open now."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from actions.followups import ActionOpeningHours
from actions.signposting import ActionSignpost
from tests.actions.conftest import candidate

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_AFTERNOON = datetime(2026, 11, 18, 14, 0, tzinfo=LONDON)
WEDNESDAY_EVENING = datetime(2026, 11, 18, 19, 0, tzinfo=LONDON)


def answer(dispatcher) -> dict:
    return dispatcher.messages[-1]["custom"]["answer"]


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_missed_bin_answer_carries_the_card_the_widget_draws(
    directory, dispatcher, make_tracker, domain
) -> None:
    await ActionSignpost().run(
        dispatcher, make_tracker("my bin was not collected", services=[candidate("waste", 0.9)]), domain
    )

    (card,) = answer(dispatcher)["services"]
    assert answer(dispatcher)["kind"] == "service"
    assert card == {
        "id": "waste",
        "name": "Bin collections",
        "lgsl": [],
        "organisation": "Brackenford District Council",
        "phone": {"display": "01632 960200", "tel": "01632960200"},
        "url": "https://www.brackenford.example/bins",
        "opening": {"open": True, "summary": "open now until 5pm"},
    }


@time_machine.travel(WEDNESDAY_EVENING, tick=False)
async def test_another_bodys_card_says_closed_in_the_evening_as_the_words_do(
    directory, dispatcher, make_tracker, domain
) -> None:
    await ActionSignpost().run(
        dispatcher, make_tracker("pothole", services=[candidate("roads", 0.88)]), domain
    )

    words = dispatcher.messages[0]["text"]
    meta = answer(dispatcher)
    (card,) = meta["services"]
    assert (meta["kind"], meta["body"]) == ("other_body", "Northmoor County Council")
    assert card["opening"] == {"open": False, "summary": "closed now; opens tomorrow at 9am"}
    assert card["opening"]["summary"] in words
    assert card["phone"]["display"] == "01632 960500"


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_the_card_never_carries_a_staff_only_line_even_on_the_staff_channel(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        "missed bin", services=[candidate("waste", 0.9)], metadata={"channel": "staff"}, sender_id="officer-1"
    )
    await ActionSignpost().run(dispatcher, tracker, domain)

    (card,) = answer(dispatcher)["services"]
    assert "01632 960299" in dispatcher.messages[0]["text"]  # the officer reads the staff line in words
    assert card["phone"] == {"display": "01632 960200", "tel": "01632960200"}
    assert "01632 960299" not in str(answer(dispatcher))


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_follow_up_about_opening_keeps_the_card_of_the_service_already_found(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("are they open now?", intent="ask_open", slots={"service_id": "roads"})
    await ActionOpeningHours().run(dispatcher, tracker, domain)

    (card,) = answer(dispatcher)["services"]
    assert (card["id"], card["opening"]["open"]) == ("roads", True)
