"""Residents asking about the council itself, about days other than today, and being told plainly when nobody
will answer the phone: the actions against the hand-made directory (tests/actions/conftest.py), frozen clock.

The contact centre there is "Customer Services", Monday to Friday 8:30am to 5:30pm, 01632 960100; bin
collections ("waste") Monday to Friday 9am to 5pm.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import update

from actions.followups import ActionContactDetails, ActionOpeningHours
from actions.people import ActionHandoff, ActionUnmet
from bot.db import session_scope
from bot.directory.models import Phone, Service
from bot.settings import get_settings
from tests.actions.conftest import candidate
from tests.actions.test_actions import answer, gap_entries, texts

LONDON = ZoneInfo("Europe/London")
TUESDAY_MORNING = datetime(2026, 11, 17, 10, 0, tzinfo=LONDON)
SATURDAY = datetime(2026, 11, 21, 11, 0, tzinfo=LONDON)
BEFORE_CHRISTMAS = datetime(2026, 12, 22, 10, 0, tzinfo=LONDON)  # a Tuesday
ADDRESS = "Civic Centre, Market Street, Brackenford BV1 1AA"
OUT_OF_HOURS = "01632 960199"


@pytest.fixture
def council(directory):
    """The hand-made directory with the contact centre's address and its out-of-hours emergency line."""
    with session_scope(directory) as session:
        session.execute(update(Service).where(Service.id == "contact-centre").values(address=ADDRESS))
        session.add(
            Phone(
                id="cc-ooh",
                service_id="contact-centre",
                number=OUT_OF_HOURS,
                out_of_hours=True,
                description="Emergencies when the offices are closed",
                position=2,
            )
        )
    return directory


async def ask(action, dispatcher, make_tracker, domain, text: str, intent: str, **options) -> str:
    await action.run(dispatcher, make_tracker(text, intent=intent, **options), domain)
    return "\n".join(texts(dispatcher))


# --- the council itself ---


@time_machine.travel(TUESDAY_MORNING, tick=False)
async def test_on_a_tuesday_morning_the_council_is_open_with_todays_hours_number_and_address(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionOpeningHours(), dispatcher, make_tracker, domain, "what time does the council open", "ask_open"
    )
    assert reply.startswith("Customer Services is open now until 5:30pm (today 8:30am to 5:30pm).")
    assert "Call 01632 960100." in reply
    assert f"Address: {ADDRESS}." in reply
    assert OUT_OF_HOURS not in reply  # it is open: nobody needs the emergency line
    assert answer(dispatcher)["kind"] == "service"
    assert [service["id"] for service in answer(dispatcher)["services"]] == ["contact-centre"]


@time_machine.travel(SATURDAY, tick=False)
async def test_on_a_saturday_the_council_is_closed_until_monday_and_the_web_comes_first(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionOpeningHours(), dispatcher, make_tracker, domain, "what time does the council open", "ask_open"
    )
    assert reply.startswith("Customer Services (01632 960100) is closed now; opens Monday at 8:30am.")
    online = reply.index("You can do many things online now: https://www.brackenford.example/contact-us")
    emergency = reply.index(f"Out of hours, call {OUT_OF_HOURS} (Emergencies when the offices are closed)")
    assert online < emergency


@time_machine.travel(TUESDAY_MORNING, tick=False)
async def test_a_council_question_is_about_the_council_even_after_a_service_was_found(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionOpeningHours(),
        dispatcher,
        make_tracker,
        domain,
        "when is the council open",
        "ask_open",
        slots={"service_id": "waste"},
    )
    assert reply.startswith("Customer Services is open now")


@time_machine.travel(TUESDAY_MORNING, tick=False)
async def test_when_are_you_open_with_nothing_found_yet_means_the_council(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionOpeningHours(), dispatcher, make_tracker, domain, "what time do you open", "ask_open"
    )
    assert reply.startswith("Customer Services is open now")


@time_machine.travel(TUESDAY_MORNING, tick=False)
async def test_the_council_tax_office_is_the_council_tax_service_not_the_contact_centre(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionOpeningHours(),
        dispatcher,
        make_tracker,
        domain,
        "when does the council tax office open",
        "ask_open",
        services=[candidate("council-tax", 0.8)],
    )
    assert reply.startswith("Council Tax (Brackenford District Council): call 01632 960300.")
    assert "They are open now until 5pm." in reply


@time_machine.travel(TUESDAY_MORNING, tick=False)
async def test_council_phone_number_and_where_is_the_council_office(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionContactDetails(), dispatcher, make_tracker, domain, "council phone number", "ask_contact"
    )
    assert reply.startswith("You can call Customer Services on 01632 960100.")
    assert "They are open now until 5:30pm" in reply


@time_machine.travel(TUESDAY_MORNING, tick=False)
async def test_where_is_the_council_office_gives_the_address(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionContactDetails(), dispatcher, make_tracker, domain, "where is the council office", "ask_contact"
    )
    assert reply.startswith(f"Customer Services is at {ADDRESS}.")


@time_machine.travel(SATURDAY, tick=False)
async def test_asking_for_a_person_on_saturday_says_closed_online_and_the_out_of_hours_line(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionHandoff(), dispatcher, make_tracker, domain, "I want to speak to someone", "ask_person"
    )
    assert reply.startswith("Customer Services (01632 960100) is closed now; opens Monday at 8:30am.")
    assert "online now: https://www.brackenford.example/contact-us" in reply
    assert OUT_OF_HOURS in reply
    assert [e.reason for e in gap_entries(council)] == ["asked_for_person"]


# --- days other than today, about the service already found ---


@time_machine.travel(TUESDAY_MORNING, tick=False)
async def test_are_they_open_tomorrow_after_a_bin_answer_is_answered_from_the_bins_hours(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionOpeningHours(),
        dispatcher,
        make_tracker,
        domain,
        "are they open tomorrow?",
        "ask_open",
        slots={"service_id": "waste"},
    )
    assert reply == "Bin collections tomorrow (Wednesday 18 November): open 9am to 5pm."
    assert answer(dispatcher)["services"][0]["id"] == "waste"


@time_machine.travel(TUESDAY_MORNING, tick=False)
async def test_at_the_weekend_each_day_is_given_and_when_they_next_open(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionOpeningHours(),
        dispatcher,
        make_tracker,
        domain,
        "are they open at the weekend",
        "ask_open",
        slots={"service_id": "waste"},
    )
    assert reply.splitlines() == [
        "Bin collections at the weekend:",
        "Saturday 21 November: closed",
        "Sunday 22 November: closed",
        "They next open Monday at 9am.",
    ]


@time_machine.travel(BEFORE_CHRISTMAS, tick=False)
async def test_over_christmas_the_bank_holidays_come_from_the_holidays_library(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionOpeningHours(),
        dispatcher,
        make_tracker,
        domain,
        "are they open over Christmas?",
        "ask_open",
        slots={"service_id": "waste"},
    )
    lines = reply.splitlines()
    assert lines[0] == "Bin collections over Christmas:"
    assert "Thursday 24 December: open 9am to 5pm" in lines
    assert "Friday 25 December: closed (Christmas Day bank holiday)" in lines
    assert "Saturday 26 December (Boxing Day): closed" in lines
    assert "Monday 28 December: closed (Boxing Day substitute day bank holiday)" in lines
    assert "Tuesday 29 December: open 9am to 5pm" in lines
    assert "Friday 1 January: closed (New Year's Day bank holiday)" in lines
    assert lines[-1] == "They next open Tuesday 29 December at 9am."


@time_machine.travel(BEFORE_CHRISTMAS, tick=False)
async def test_on_26_december_and_bank_holiday_monday(council, dispatcher, make_tracker, domain) -> None:
    boxing_day = await ask(
        ActionOpeningHours(),
        dispatcher,
        make_tracker,
        domain,
        "what about on 26 December",
        "ask_open",
        slots={"service_id": "waste"},
    )
    assert boxing_day.splitlines() == [
        "Bin collections on Saturday 26 December (Boxing Day): closed.",
        "They next open Tuesday 29 December at 9am.",
    ]
    dispatcher.messages.clear()
    monday = await ask(
        ActionOpeningHours(),
        dispatcher,
        make_tracker,
        domain,
        "and bank holiday monday?",
        "ask_open",
        slots={"service_id": "waste"},
    )
    assert monday.startswith(
        "Bin collections on Monday 28 December: closed (Boxing Day substitute day bank holiday)."
    )


@time_machine.travel(BEFORE_CHRISTMAS, tick=False)
async def test_a_day_word_is_not_taken_for_a_new_need(council, dispatcher, make_tracker, domain) -> None:
    reply = await ask(
        ActionOpeningHours(),
        dispatcher,
        make_tracker,
        domain,
        "are they open on boxing day",
        "ask_open",
        slots={"service_id": "waste"},
        services=[candidate("bulky", 0.5)],  # "boxing" sounds like a need to the router
    )
    assert reply.startswith("Bin collections on Saturday 26 December (Boxing Day): closed.")


@time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=LONDON), tick=False)
async def test_a_scottish_council_is_closed_on_st_andrews_day(
    council, dispatcher, make_tracker, domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANK_HOLIDAYS", "SCT")
    get_settings.cache_clear()
    reply = await ask(
        ActionOpeningHours(),
        dispatcher,
        make_tracker,
        domain,
        "are they open on monday?",
        "ask_open",
        slots={"service_id": "waste"},
    )
    assert reply.startswith("Bin collections on Monday 30 November: closed (St Andrew's Day bank holiday).")


@time_machine.travel(SATURDAY, tick=False)
async def test_the_council_at_the_weekend_is_answered_for_those_days(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionOpeningHours(), dispatcher, make_tracker, domain, "is the council open tomorrow", "ask_open"
    )
    assert reply.startswith("Customer Services tomorrow (Sunday 22 November): closed.")
    assert "They next open Monday at 8:30am." in reply


# --- the fallback when nobody will answer the phone ---


@time_machine.travel(SATURDAY, tick=False)
async def test_the_fallback_on_a_saturday_says_the_contact_centre_is_closed_and_gives_the_emergency_line(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionUnmet(), dispatcher, make_tracker, domain, "what's the weather like", "out_of_scope"
    )
    assert reply.startswith("Sorry, I did not understand that.")
    assert "Our contact centre (01632 960100) is closed now; opens Monday at 8:30am." in reply
    assert "You can do many things online now: https://www.brackenford.example/contact-us" in reply
    assert f"Out of hours, call {OUT_OF_HOURS}" in reply
    assert "You can also call our contact centre" not in reply
    assert answer(dispatcher)["kind"] == "unmet"


@time_machine.travel(TUESDAY_MORNING, tick=False)
async def test_the_fallback_in_office_hours_gives_the_contact_centres_number(
    council, dispatcher, make_tracker, domain
) -> None:
    reply = await ask(
        ActionUnmet(), dispatcher, make_tracker, domain, "what's the weather like", "out_of_scope"
    )
    assert reply.endswith("You can also call our contact centre on 01632 960100.")
    assert OUT_OF_HOURS not in reply
