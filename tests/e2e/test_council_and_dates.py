"""Residents asking about the council itself, about days other than today, and what they are told when the
contact centre is closed: whole conversations with the trained model and the demo directory (Brackenford's
Customer Services contact centre is open Monday to Friday 8:30am to 5:30pm on 01632 960100; the missed-bin
service Monday to Friday 8:30am to 5pm and Saturday mornings)."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import gap_reasons
from tests.e2e.test_conversations import reach, text_of

pytestmark = [pytest.mark.rasa, pytest.mark.usefixtures("action_server")]

CONTACT_CENTRE = "01632 960100"
ADDRESS = "Brackenford Civic Centre, Market Street, Brackenford, Oakshire, BV1 1AA"
TUESDAY_MORNING = "2026-11-17T10:00:00"
SATURDAY = "2026-11-21T11:00:00"
BEFORE_CHRISTMAS = "2026-12-22T10:00:00"


def new_sender() -> str:
    return f"e2e-dates-{uuid.uuid4().hex[:12]}"


async def test_what_time_does_the_council_open_on_a_tuesday_morning(chat, clock) -> None:
    clock(TUESDAY_MORNING)
    answer = text_of(await chat(new_sender(), "what time does the council open"))
    assert answer.startswith(
        "Customer Services contact centre is open now until 5:30pm (today 8:30am to 5:30pm)."
    )
    assert f"Call {CONTACT_CENTRE}" in answer
    assert f"Address: {ADDRESS}." in answer


async def test_what_time_does_the_council_open_on_a_saturday(chat, clock) -> None:
    clock(SATURDAY)
    replies = await chat(new_sender(), "what time does the council open")
    answer = text_of(replies)
    assert answer.startswith(
        f"Customer Services contact centre ({CONTACT_CENTRE}) is closed now; opens Monday at 8:30am."
    )
    assert "You can do many things online now: https://www.brackenford.example/contact-us" in answer
    assert replies[-1]["custom"]["answer"]["kind"] == "service"


@pytest.mark.parametrize(
    "question",
    [
        "when is the council open",
        "council opening hours",
        "what time do you open",
        "is the council open today",
    ],
)
async def test_other_ways_of_asking_when_the_council_opens(chat, clock, question: str) -> None:
    clock(TUESDAY_MORNING)
    answer = text_of(await chat(new_sender(), question))
    assert answer.startswith("Customer Services contact centre is open now until 5:30pm"), answer


async def test_council_phone_number(chat, clock) -> None:
    clock(TUESDAY_MORNING)
    answer = text_of(await chat(new_sender(), "council phone number"))
    assert answer.startswith(f"You can call Customer Services contact centre on {CONTACT_CENTRE}")


async def test_where_is_the_council_office(chat, clock) -> None:
    clock(TUESDAY_MORNING)
    answer = text_of(await chat(new_sender(), "where is the council office"))
    assert answer.startswith(f"Customer Services contact centre is at {ADDRESS}.")


async def test_i_want_to_speak_to_someone_on_a_saturday(chat, clock, e2e) -> None:
    clock(SATURDAY)
    sender = new_sender()
    answer = text_of(await chat(sender, "I want to speak to someone"))
    assert answer.startswith(
        f"Customer Services contact centre ({CONTACT_CENTRE}) is closed now; opens Monday at 8:30am."
    )
    assert "online now" in answer
    assert gap_reasons(e2e, sender) == ["asked_for_person"]


async def test_are_they_open_tomorrow_after_a_missed_bin_answer(chat, clock) -> None:
    clock(TUESDAY_MORNING)
    sender = new_sender()
    await reach(chat, sender, "my bin was not collected", "Report a missed bin collection")
    answer = text_of(await chat(sender, "are they open tomorrow?"))
    assert answer.startswith("Report a missed bin collection tomorrow (Wednesday 18 November): open 8:30am")


async def test_what_about_saturday_after_a_missed_bin_answer(chat, clock) -> None:
    clock(TUESDAY_MORNING)
    sender = new_sender()
    await reach(chat, sender, "my bin was not collected", "Report a missed bin collection")
    answer = text_of(await chat(sender, "what about saturday?"))
    assert answer.startswith("Report a missed bin collection on Saturday 21 November: open 8:30am to midday")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("are they open over Christmas?", "Friday 25 December: closed (Christmas Day bank holiday)"),
        # The missed-bin line opens on Saturday mornings, so Boxing Day 2026 (a Saturday) shuts it.
        ("are they open on 26 December", "on Saturday 26 December: closed (Boxing Day bank holiday)"),
        (
            "what about bank holiday monday",
            "Monday 28 December: closed (Boxing Day substitute day bank holiday)",
        ),
        ("are they open at the weekend", "Sunday 27 December: closed"),
    ],
)
async def test_christmas_dates_after_a_missed_bin_answer(chat, clock, question: str, expected: str) -> None:
    clock(BEFORE_CHRISTMAS)
    sender = new_sender()
    await reach(chat, sender, "my bin was not collected", "Report a missed bin collection")
    answer = text_of(await chat(sender, question))
    assert answer.startswith("Report a missed bin collection"), answer
    assert expected in answer


async def test_is_the_council_open_over_christmas(chat, clock) -> None:
    clock(BEFORE_CHRISTMAS)
    answer = text_of(await chat(new_sender(), "is the council open over christmas"))
    assert answer.startswith("Customer Services contact centre over Christmas:"), answer
    assert "Friday 1 January: closed (New Year's Day bank holiday)" in answer


async def test_the_fallback_on_a_saturday_says_the_contact_centre_is_closed(chat, clock, e2e) -> None:
    clock(SATURDAY)
    sender = new_sender()
    replies = await chat(sender, "what's the weather like?")
    answer = text_of(replies)
    assert answer.startswith("Sorry, I did not understand that.")
    assert f"Our contact centre ({CONTACT_CENTRE}) is closed now; opens Monday at 8:30am." in answer
    assert "Out of hours, call 01632 960159" in answer
    assert replies[-1]["custom"]["answer"]["kind"] == "unmet"
