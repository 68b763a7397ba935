"""The actions, run as the action server runs them, against a small SQLite directory and a frozen clock."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rasa_sdk.events import SlotSet
from sqlalchemy import select, update

from actions.followups import ActionContactDetails, ActionOpeningHours, ActionPostcode
from actions.people import ActionFeedback, ActionHandoff, ActionUnmet
from actions.safety import ActionCrisis
from actions.signposting import ActionChooseService, ActionSignpost
from bot.db import session_scope
from bot.directory.models import Phone
from bot.gaplog.models import Answer, GapEntry
from tests.actions.conftest import candidate, user_event

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_AFTERNOON = datetime(2026, 11, 18, 14, 0, tzinfo=LONDON)
WEDNESDAY_EVENING = datetime(2026, 11, 18, 19, 0, tzinfo=LONDON)
SATURDAY = datetime(2026, 11, 21, 11, 0, tzinfo=LONDON)


def shown(dispatcher) -> list[dict]:
    """What a person sees: every message but the closing answer metadata, which every turn must end with."""
    *visible, closing = dispatcher.messages
    assert set(closing) >= {"custom"} and "answer" in closing["custom"], closing
    assert all("answer" not in (message.get("custom") or {}) for message in visible)
    return visible


def answer(dispatcher) -> dict:
    """The answer metadata the turn ended with."""
    return dispatcher.messages[-1]["custom"]["answer"]


def texts(dispatcher) -> list[str]:
    return [message["text"] for message in shown(dispatcher)]


def slots(events) -> dict:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def gap_entries(engine) -> list[GapEntry]:
    with session_scope(engine) as session:
        return list(session.execute(select(GapEntry).order_by(GapEntry.id)).scalars())


def answers_logged(engine) -> list[Answer]:
    with session_scope(engine) as session:
        return list(session.execute(select(Answer).order_by(Answer.id)).scalars())


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_resident_whose_bin_was_not_collected_gets_the_waste_number_and_is_asked_if_it_helped(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        "my bin was not collected", services=[candidate("waste", 0.92), candidate("bulky", 0.3)]
    )
    events = await ActionSignpost().run(dispatcher, tracker, domain)
    answer, question = texts(dispatcher)
    assert answer.startswith("Bin collections (Brackenford District Council): call 01632 960200")
    assert "open now until 5pm" in answer
    assert "01632 960299" not in answer and "round sheet" not in answer
    assert question == "Did that answer your question?"
    assert [b["payload"] for b in dispatcher.messages[1]["buttons"]] == ["/affirm", "/deny"]
    assert slots(events)["service_id"] == "waste"
    assert slots(events)["feedback_pending"] is True
    assert [(a.service_id, a.confidence) for a in answers_logged(directory)] == [("waste", 0.92)]
    assert gap_entries(directory) == []


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_pothole_is_the_county_councils_business_and_is_logged_as_other_organisation_demand(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("pothole outside my house", services=[candidate("roads", 0.88)])
    await ActionSignpost().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(
        "Potholes and road repairs is handled by Northmoor County Council, not Brackenford District Council: "
        "call 01632 960500"
    )
    (entry,) = gap_entries(directory)
    assert (entry.reason, entry.organisation_id, entry.channel) == (
        "other_organisation",
        "county",
        "resident",
    )
    assert [a.service_id for a in answers_logged(directory)] == ["roads"]


@time_machine.travel(WEDNESDAY_EVENING, tick=False)
async def test_in_the_evening_the_answer_says_closed_and_gives_the_out_of_hours_number(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("pothole", services=[candidate("roads", 0.88)])
    await ActionSignpost().run(dispatcher, tracker, domain)
    answer = texts(dispatcher)[0]
    assert "closed now; opens tomorrow at 9am" in answer
    assert "Out of hours, call 01632 960599 (Dangerous roads)" in answer


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_vague_message_gets_a_polite_reply_with_the_contact_centre_and_is_logged_low_confidence(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        "a thing about the stuff", services=[candidate("waste", 0.1), candidate("roads", 0.08)]
    )
    events = await ActionSignpost().run(dispatcher, tracker, domain)
    assert "call our contact centre on 01632 960100" in texts(dispatcher)[0]
    assert [(e.reason, e.text) for e in gap_entries(directory)] == [
        ("low_confidence", "a thing about the stuff")
    ]
    assert gap_entries(directory)[0].candidates[0]["service_id"] == "waste"
    assert slots(events)["service_id"] is None


async def test_no_candidate_at_all_is_logged_as_no_matching_service(
    directory, dispatcher, make_tracker, domain
) -> None:
    await ActionSignpost().run(dispatcher, make_tracker("zzz", services=[]), domain)
    assert [e.reason for e in gap_entries(directory)] == ["no_matching_service"]


async def test_the_weather_is_out_of_scope_gets_a_polite_reply_and_is_logged_not_understood(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("what's the weather like", intent="out_of_scope")
    await ActionUnmet().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith("Sorry, I did not understand that.")
    assert "01632 960100" in texts(dispatcher)[0]
    assert [e.reason for e in gap_entries(directory)] == ["not_understood"]


async def test_two_equally_likely_services_are_offered_as_buttons_instead_of_guessing(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("rubbish", services=[candidate("waste", 0.61), candidate("bulky", 0.57)])
    events = await ActionSignpost().run(dispatcher, tracker, domain)
    (message,) = shown(dispatcher)
    assert [b["title"] for b in message["buttons"]] == ["Bin collections", "Bulky waste collections"]
    assert answer(dispatcher)["kind"] == "choices"
    assert [service["id"] for service in answer(dispatcher)["services"]] == ["waste", "bulky"]
    assert message["buttons"][1]["payload"] == '/choose_service{"service_id":"bulky"}'
    assert slots(events)["offered"] == ["waste", "bulky"]
    assert answers_logged(directory) == []


async def test_a_council_service_ranked_first_is_answered_without_another_bodys_button_beside_it(
    directory, dispatcher, make_tracker, domain
) -> None:
    services = [candidate("roads", 0.61), candidate("police-101", 0.60)]
    tracker = make_tracker("who do i call about a pothole", services=services)
    await ActionSignpost().run(dispatcher, tracker, domain)
    assert answer(dispatcher)["kind"] == "other_body"
    assert [service["id"] for service in answer(dispatcher)["services"]] == ["roads"]
    assert "call 01632 960500" in texts(dispatcher)[0]


async def test_another_body_ranked_first_is_still_offered_beside_a_close_council_service(
    directory, dispatcher, make_tracker, domain
) -> None:
    services = [candidate("police-101", 0.61), candidate("roads", 0.60)]
    tracker = make_tracker("car crashed into the barrier", services=services)
    await ActionSignpost().run(dispatcher, tracker, domain)
    assert answer(dispatcher)["kind"] == "choices"
    assert [service["id"] for service in answer(dispatcher)["services"]] == ["police-101", "roads"]


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_tapping_a_button_answers_with_that_service(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        '/choose_service{"service_id":"bulky"}',
        intent="choose_service",
        entities=[{"entity": "service_id", "value": "bulky"}],
        slots={"offered": ["waste", "bulky"], "candidates": ["waste", "bulky"]},
        history=[user_event("rubbish", "find_service", [candidate("waste", 0.61), candidate("bulky", 0.57)])],
    )
    events = await ActionChooseService().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(
        "Bulky waste collections (Brackenford District Council): call 01632 960210"
    )
    assert slots(events)["service_id"] == "bulky"
    assert [(a.service_id, a.confidence) for a in answers_logged(directory)] == [("bulky", 0.57)]


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
@pytest.mark.parametrize(
    ("typed", "entities"),
    [
        ('/choose_service{"service_id":"roads"}', [{"entity": "service_id", "value": "roads"}]),
        ("the first one", []),
    ],
)
async def test_picking_another_organisations_service_logs_the_original_request_not_the_button(
    directory, dispatcher, make_tracker, domain, typed, entities
) -> None:
    search = [candidate("roads", 0.6), candidate("waste", 0.58)]
    tracker = make_tracker(
        typed,
        intent="choose_service",
        entities=entities,
        services=[candidate("waste", 0.2)] if not typed.startswith("/") else None,
        slots={"offered": ["roads", "waste"]},
        history=[user_event("hole in the road by my gate", "find_service", search)],
    )
    await ActionChooseService().run(dispatcher, tracker, domain)
    (entry,) = gap_entries(directory)
    assert (entry.reason, entry.text) == ("other_organisation", "hole in the road by my gate")


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_typing_the_second_one_picks_the_second_button(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("the second one", intent="choose_service", slots={"offered": ["waste", "bulky"]})
    await ActionChooseService().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith("Bulky waste collections")


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_an_officer_on_the_staff_channel_sees_the_staff_line_and_notes(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        "missed bin", services=[candidate("waste", 0.9)], metadata={"channel": "staff"}, sender_id="officer-1"
    )
    events = await ActionSignpost().run(dispatcher, tracker, domain)
    answer = texts(dispatcher)[0]
    assert "01632 960299 (staff line" in answer
    assert "Staff notes: Check the crew's round sheet" in answer
    assert slots(events)["channel"] == "staff"
    assert answers_logged(directory)[0].channel == "staff"


async def test_their_email_refers_to_the_service_already_found(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        "what's their email?",
        intent="ask_contact",
        services=[candidate("council-tax", 0.2)],
        slots={"service_id": "waste"},
    )
    await ActionContactDetails().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["You can email Bin collections at waste@brackenford.example."]


async def test_a_follow_up_that_names_a_new_need_starts_a_new_search(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        "what's the number for council tax",
        intent="ask_contact",
        services=[candidate("council-tax", 0.9)],
        slots={"service_id": "waste"},
    )
    events = await ActionContactDetails().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["You can call Council Tax on 01632 960300."]
    assert slots(events)["service_id"] == "council-tax"


async def test_a_follow_up_without_a_service_asks_which_one(
    directory, dispatcher, make_tracker, domain
) -> None:
    await ActionContactDetails().run(
        dispatcher, make_tracker("what's their number", intent="ask_contact"), domain
    )
    assert texts(dispatcher)[0].startswith("Which service do you mean?")


@time_machine.travel(WEDNESDAY_EVENING, tick=False)
async def test_are_they_open_now_in_the_evening(directory, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker("are they open now?", intent="ask_open", slots={"service_id": "waste"})
    await ActionOpeningHours().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [
        "Bin collections is closed now; opens tomorrow at 9am. Usual hours: Monday to Friday 9am to 5pm.\n"
        "You can do many things online now: https://www.brackenford.example/bins"
    ]


@time_machine.travel(SATURDAY, tick=False)
async def test_asking_for_a_person_at_the_weekend_gives_when_the_contact_centre_opens_and_the_web(
    directory, dispatcher, make_tracker, domain
) -> None:
    events = await ActionHandoff().run(
        dispatcher, make_tracker("can I speak to someone", intent="ask_person"), domain
    )
    (reply,) = texts(dispatcher)
    assert reply.startswith("Customer Services (01632 960100) is closed now; opens Monday at 8:30am.")
    assert "https://www.brackenford.example/contact-us" in reply
    assert [e.reason for e in gap_entries(directory)] == ["asked_for_person"]
    assert slots(events)["feedback_pending"] is False


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_asking_for_a_person_in_office_hours(directory, dispatcher, make_tracker, domain) -> None:
    await ActionHandoff().run(dispatcher, make_tracker("human please", intent="ask_person"), domain)
    assert texts(dispatcher) == [
        "You can speak to someone at Customer Services on 01632 960100. "
        "They are open now until 5:30pm (today 8:30am to 5:30pm)."
    ]


async def test_no_after_an_answer_offers_the_next_candidates_and_logs_a_wrong_answer(
    directory, dispatcher, make_tracker, domain
) -> None:
    search = [candidate("waste", 0.7), candidate("bulky", 0.4), candidate("council-tax", 0.05)]
    tracker = make_tracker(
        "no",
        intent="deny",
        slots={
            "service_id": "waste",
            "feedback_pending": True,
            "candidates": ["waste", "bulky", "council-tax"],
            "offered": ["waste"],
        },
        history=[user_event("my bins", "find_service", search)],
    )
    events = await ActionFeedback().run(dispatcher, tracker, domain)
    offer, fallback = shown(dispatcher)
    assert offer["text"] == "Was it one of these instead?"
    assert [b["title"] for b in offer["buttons"]] == [
        "Bulky waste collections"
    ]  # council tax is too unlikely
    assert "01632 960100" in fallback["text"]
    (entry,) = gap_entries(directory)
    assert (entry.reason, entry.text) == ("wrong_answer", "my bins")
    assert entry.service_id == "waste", "the service the resident said no to is kept"
    assert slots(events)["offered"] == ["waste", "bulky"]


async def test_a_wrong_answer_logs_the_request_not_the_no_even_if_the_router_scored_the_no(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        "no",
        intent="deny",
        services=[candidate("roads", 0.9)],
        slots={
            "service_id": "waste",
            "feedback_pending": True,
            "candidates": ["waste"],
            "offered": ["waste"],
        },
        history=[
            user_event("rubbish everywhere", "nlu_fallback", [candidate("waste", 0.8)]),
            user_event("thanks", "thanks", [candidate("bulky", 0.9)]),
        ],
    )
    await ActionFeedback().run(dispatcher, tracker, domain)
    (entry,) = gap_entries(directory)
    assert (entry.reason, entry.text) == ("wrong_answer", "rubbish everywhere")


async def test_yes_after_an_answer_closes_the_question(directory, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker("yes", intent="affirm", slots={"service_id": "waste", "feedback_pending": True})
    events = await ActionFeedback().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["Good, I'm glad that helped. Is there anything else?"]
    assert slots(events)["feedback_pending"] is False
    assert gap_entries(directory) == []


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_postcode_outside_the_service_area_is_said_plainly(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("SG12 1AA", intent="inform_postcode", slots={"service_id": "waste"})
    events = await ActionPostcode().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith("SG12 1AA is outside the area Bin collections covers (SG13, SG14)")
    assert slots(events)["postcode"] == "SG12", "only the outward code is kept"


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_postcode_in_the_request_is_checked_against_the_area(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("bin not collected at sg13 8de", services=[candidate("waste", 0.9)])
    events = await ActionSignpost().run(dispatcher, tracker, domain)
    assert "SG13 8DE is inside the area this service covers" in texts(dispatcher)[0]
    assert slots(events)["postcode"] == "SG13", "only the outward code is kept"


async def test_a_malformed_postcode_gets_a_clear_reply_and_is_not_kept(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("SG13 8CE", intent="inform_postcode", slots={"service_id": "waste"})
    events = await ActionPostcode().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(
        "'SG13 8CE' is not a valid UK postcode: the last two letters cannot be C, I, K, M, O or V"
    )
    assert "postcode" not in slots(events)


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_a_need_the_intent_classifier_was_unsure_of_is_signposted_when_the_router_is_confident(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("rubbish", intent="nlu_fallback", services=[candidate("waste", 0.9)])
    await ActionUnmet().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(
        "Bin collections (Brackenford District Council): call 01632 960200"
    )
    assert gap_entries(directory) == []


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
@pytest.mark.parametrize(
    ("intent", "action"),
    [
        ("ask_contact", ActionContactDetails),
        ("affirm", ActionFeedback),
        ("choose_service", ActionChooseService),
    ],
)
async def test_a_report_the_classifier_took_for_small_talk_is_still_signposted(
    directory, dispatcher, make_tracker, domain, intent, action
) -> None:
    tracker = make_tracker(
        "bin missed again, please collect it, thank you", intent=intent, services=[candidate("waste", 0.9)]
    )
    events = await action().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(
        "Bin collections (Brackenford District Council): call 01632 960200"
    )
    assert slots(events)["service_id"] == "waste"


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_asking_for_a_person_about_a_named_need_gets_that_service_and_is_logged(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        "can I speak to someone about my council tax",
        intent="ask_person",
        services=[candidate("council-tax", 0.8)],
    )
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith("Council Tax (Brackenford District Council): call 01632 960300")
    assert [e.reason for e in gap_entries(directory)] == ["asked_for_person"]


async def test_yes_without_a_question_and_without_a_need_is_just_acknowledged(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("yes that's right", intent="affirm", services=[candidate("waste", 0.9)])
    await ActionFeedback().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["OK. What can I help you with?"]


async def test_out_of_scope_is_not_understood_even_if_some_service_scores(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("sing me a song", intent="out_of_scope", services=[candidate("waste", 0.9)])
    await ActionUnmet().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith("Sorry, I did not understand that.")
    assert [e.reason for e in gap_entries(directory)] == ["not_understood"]


async def test_a_bare_postcode_the_classifier_did_not_understand_is_still_read_as_a_postcode(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker("SG12 1AA", intent="nlu_fallback", slots={"service_id": "waste"})
    await ActionUnmet().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith("SG12 1AA is outside the area Bin collections covers")
    assert gap_entries(directory) == []


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
async def test_an_updated_phone_number_shows_at_once_without_retraining(
    directory, dispatcher, make_tracker, domain
) -> None:
    with session_scope(directory) as session:
        session.execute(update(Phone).where(Phone.id == "w-1").values(number="01632 960777"))
    await ActionSignpost().run(
        dispatcher, make_tracker("missed bin", services=[candidate("waste", 0.9)]), domain
    )
    assert "call 01632 960777" in texts(dispatcher)[0]


async def test_when_the_database_is_unreachable_the_resident_still_gets_the_configured_number(
    directory, dispatcher, make_tracker, domain, monkeypatch, caplog, tmp_path
) -> None:
    from bot.db import get_engine
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/nowhere")
    monkeypatch.setenv("CONTACT_CENTRE_PHONE", "01632 960000")
    get_settings.cache_clear()
    get_engine.cache_clear()
    caplog.set_level(logging.ERROR)
    tracker = make_tracker("my secret address is 1 Acacia Avenue", services=[candidate("waste", 0.9)])
    events = await ActionSignpost().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [
        "Sorry, I cannot look that up right now. Please call our contact centre on 01632 960000, "
        "or try again in a few minutes."
    ]
    assert "action_signpost could not read the directory (OperationalError)" in caplog.text
    assert "Acacia" not in caplog.text
    assert slots(events) == {"channel": "resident"}


async def test_a_number_read_earlier_from_the_directory_is_used_when_it_later_goes_down(
    directory, dispatcher, make_tracker, domain, monkeypatch
) -> None:
    from bot.db import get_engine
    from bot.settings import get_settings

    await ActionUnmet().run(
        CollectingDispatcherFactory(), make_tracker("xyzzy", intent="out_of_scope"), domain
    )
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/nowhere")
    get_settings.cache_clear()
    get_engine.cache_clear()
    await ActionUnmet().run(dispatcher, make_tracker("xyzzy", intent="out_of_scope"), domain)
    assert "01632 960100" in texts(dispatcher)[0]


def CollectingDispatcherFactory():  # noqa: N802 - reads like the class it makes
    from rasa_sdk.executor import CollectingDispatcher

    return CollectingDispatcher()


def test_every_action_is_declared_in_the_domain(domain) -> None:
    declared = set(domain["actions"])
    implemented = {
        action().name()
        for action in (
            ActionSignpost,
            ActionChooseService,
            ActionContactDetails,
            ActionOpeningHours,
            ActionPostcode,
            ActionHandoff,
            ActionFeedback,
            ActionUnmet,
            ActionCrisis,
        )
    }
    assert implemented == declared


@pytest.mark.parametrize(
    "slot", ["service_id", "candidates", "offered", "channel", "postcode", "feedback_pending"]
)
def test_slots_the_actions_set_are_in_the_domain(domain, slot) -> None:
    assert slot in domain["slots"]
    assert isinstance(SlotSet(slot, None), dict)


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
@pytest.mark.parametrize("typed", ["-2+3", "<img src=x onerror=alert(1)>", "@SUM(1+1)"])
async def test_a_choice_that_picks_nothing_gets_the_contact_centre_number_and_a_gap_entry(
    directory, dispatcher, make_tracker, domain, typed
) -> None:
    tracker = make_tracker(typed, intent="choose_service", slots={"offered": ["waste", "bulky"]})
    await ActionChooseService().run(dispatcher, tracker, domain)
    said = " ".join(texts(dispatcher))
    assert "not sure which one you mean" not in said
    assert "01632 960100" in said
    (entry,) = gap_entries(directory)
    assert (entry.reason, entry.text) == ("not_understood", typed)
