"""Whole conversations with the trained model, its actions and the demo directory (Brackenford District
Council, Oakshire County Council, Brackenford Homes and national bodies; see docs/demo-directory.md).

Each test is one resident's or officer's story. Routing quality is measured elsewhere (bench/); these check
that what the conversation does with the router's answer is right.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from bot.conversation.answers import choose_payload
from tests.e2e.conftest import answered_services, gap_reasons

pytestmark = [pytest.mark.rasa, pytest.mark.usefixtures("action_server")]

CONTACT_CENTRE = "01632 960100"
UNMET = {"not_understood", "low_confidence", "no_matching_service"}


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"


def text_of(replies: list[dict]) -> str:
    """What the resident reads: the text of every message (the closing answer metadata has none)."""
    return "\n".join(reply["text"] for reply in replies if "text" in reply)


def buttons_of(replies: list[dict]) -> list[dict]:
    return [button for reply in replies for button in reply.get("buttons", [])]


async def reach(chat, sender: str, text: str, service: str, **options) -> str:
    """Ask for something; if the bot offers choices instead of guessing, tap `service` (which must be
    offered). Returns the text of the answer the resident ends up with."""
    replies = await chat(sender, text, **options)
    choices = [b for b in buttons_of(replies) if b["payload"].startswith("/choose_service")]
    if choices:
        assert text_of(replies).startswith("I found a few services that could help.")
        wanted = [b for b in choices if b["title"].startswith(service)]
        assert wanted, f"{service!r} is not among the choices {[b['title'] for b in choices]}"
        replies = await chat(sender, wanted[0]["payload"], **options)
    return text_of(replies)


async def test_a_greeting_is_answered_with_what_the_assistant_does(chat) -> None:
    replies = await chat(new_sender(), "hello")
    assert text_of(replies).startswith("Hello, I'm the council's Here to Help assistant.")


async def test_a_bin_not_collected_is_sent_to_the_waste_service_with_its_phone(chat, e2e) -> None:
    sender = new_sender()
    answer = await reach(
        chat, sender, "my bin was not collected this morning", "Report a missed bin collection"
    )
    assert (
        "Report a missed bin collection (Brackenford District Council).\n"
        "You can report it online: https://www.brackenford.example/bins/missed-collection\n"
        "Or call 01632 960120"
    ) in answer, "online first: the link, then the number"
    assert "01632 960291" not in answer  # the crews' staff line
    assert answer.endswith("Did that answer your question?")
    assert answered_services(e2e, sender) == [e2e.service_id("Report a missed bin collection")]


async def test_a_pothole_is_the_county_councils_and_the_answer_says_so_with_their_number(chat, e2e) -> None:
    sender = new_sender()
    answer = await reach(chat, sender, "there's a pothole in the road outside my house", "Report a pothole")
    assert answer.startswith(
        "Report a pothole or road defect is handled by Oakshire County Council, not Brackenford District "
        "Council.\nYou can report it online: https://www.oakshire.example/highways/report-a-pothole\n"
        "Or call 01632 960410"
    )
    assert gap_reasons(e2e, sender) == ["other_organisation"]


async def test_the_weather_gets_a_polite_reply_with_the_contact_centre_and_is_logged_unmet(chat, e2e) -> None:
    sender = new_sender()
    answer = text_of(await chat(sender, "what's the weather like tomorrow"))
    assert answer.startswith("Sorry,")
    assert f"call our contact centre on {CONTACT_CENTRE}" in answer
    (reason,) = gap_reasons(e2e, sender)
    assert reason in UNMET


async def test_two_tier_council_tax_is_the_district_and_school_places_are_the_county(chat) -> None:
    tax = await reach(chat, new_sender(), "I want to pay my council tax bill", "Council tax bills")
    school = await reach(
        chat, new_sender(), "how do I apply for a primary school place for my son", "School adm"
    )
    assert "(Brackenford District Council): call 01632 9601" in tax
    assert "handled by Oakshire County Council" in school
    assert "01632 96043" in school


async def test_a_housing_association_tenant_with_no_heating_is_sent_to_brackenford_homes(chat) -> None:
    answer = await reach(
        chat, new_sender(), "no heating or hot water in my housing association flat", "Emergency repairs"
    )
    assert "handled by Brackenford Homes" in answer
    assert "01632 960719" in answer


async def test_a_gas_leak_is_answered_first_with_the_national_gas_emergency_number(chat) -> None:
    replies = await chat(new_sender(), "I can smell gas in my kitchen")
    answer = text_of(replies)
    assert answer.startswith("Call the National Gas Emergency Service on 0800 111 999 now")
    assert replies[-1]["custom"]["answer"]["category"] == "gas_leak"
    assert not any(reply.get("buttons") for reply in replies)


async def test_on_a_saturday_evening_the_waste_team_is_closed_until_monday(chat, clock) -> None:
    clock("2026-11-21T19:00:00")
    answer = await reach(chat, new_sender(), "my bin was not collected this morning", "Report a missed bin")
    assert "They are closed now; opens Monday at 8:30am." in answer


async def test_on_christmas_day_2026_the_bank_holiday_is_given_as_the_reason(chat, clock) -> None:
    clock("2026-12-25T10:00:00")
    answer = await reach(chat, new_sender(), "I want to pay my council tax bill", "Council tax bills")
    assert "closed now (Christmas Day bank holiday); opens Tuesday at 9am" in answer


async def test_a_pothole_at_night_gets_the_out_of_hours_number(chat, clock) -> None:
    clock("2026-11-18T22:30:00")
    answer = await reach(
        chat, new_sender(), "there's a pothole in the road outside my house", "Report a pothole"
    )
    assert "closed now; opens tomorrow at 8am" in answer
    assert "Out of hours, call 01632 960419" in answer


async def test_are_they_open_now_refers_to_the_service_already_found(chat) -> None:
    sender = new_sender()
    await reach(chat, sender, "my bin was not collected this morning", "Report a missed bin collection")
    answer = text_of(await chat(sender, "are they open now?"))
    assert answer.startswith("Report a missed bin collection is open now until 5pm.")


async def test_their_web_page_and_email_refer_to_the_service_already_found(chat) -> None:
    sender = new_sender()
    await reach(chat, sender, "my bin was not collected this morning", "Report a missed bin collection")
    web = text_of(await chat(sender, "what's their website?"))
    email = text_of(await chat(sender, "what's their email address?"))
    assert web.startswith("Report a missed bin collection on the web: https://")
    assert "Report a missed bin collection" in email
    assert "@" in email or "does not list an email" in email


async def test_a_follow_up_without_a_service_asks_what_is_needed(chat) -> None:
    answer = text_of(await chat(new_sender(), "what's their phone number?"))
    assert answer.startswith("Which service do you mean?")


async def test_a_new_need_after_an_answer_starts_a_new_search(chat) -> None:
    sender = new_sender()
    await reach(chat, sender, "my bin was not collected this morning", "Report a missed bin collection")
    answer = await reach(chat, sender, "I need help with my council tax bill", "Council tax")
    assert "Council tax" in answer
    assert "Report a missed bin collection" not in answer


async def test_yes_after_an_answer_is_acknowledged_and_nothing_is_logged_as_unmet(chat, e2e) -> None:
    sender = new_sender()
    await reach(chat, sender, "my bin was not collected this morning", "Report a missed bin collection")
    answer = text_of(await chat(sender, "/affirm"))
    assert answer == "Good, I'm glad that helped. Is there anything else?"
    assert gap_reasons(e2e, sender) == []


async def test_no_after_an_answer_offers_other_services_and_logs_a_wrong_answer(chat, e2e) -> None:
    sender = new_sender()
    await reach(chat, sender, "my bin was not collected this morning", "Report a missed bin collection")
    replies = await chat(sender, "no")
    answer = text_of(replies)
    assert CONTACT_CENTRE in answer
    offered = [b["payload"] for b in buttons_of(replies)]
    assert all(payload.startswith('/choose_service{"service_id":') for payload in offered)
    assert gap_reasons(e2e, sender) == ["wrong_answer"]


async def test_tapping_an_offered_service_answers_with_it(chat, e2e) -> None:
    sender = new_sender()
    bulky = e2e.service_id("Bulky waste collection")
    answer = text_of(await chat(sender, choose_payload(bulky)))
    assert answer.startswith(
        "Bulky waste collection (Brackenford District Council).\n"
        "You can book online: https://www.brackenford.example/bins/bulky-waste\nOr call 01632 960121"
    )
    assert answered_services(e2e, sender) == [bulky]


async def test_a_vague_need_gets_buttons_or_a_direct_answer_never_a_guess_below_threshold(chat) -> None:
    replies = await chat(new_sender(), "bins")
    answer = text_of(replies)
    payloads = [b["payload"] for b in buttons_of(replies)]
    if any(p.startswith("/choose_service") for p in payloads):
        assert answer.startswith("I found a few services that could help.")
        assert 2 <= len(payloads) <= 3
    else:
        assert "Brackenford District Council" in answer or answer.startswith("Sorry,")


async def test_asking_for_a_person_in_office_hours_gives_the_contact_centre(chat, e2e) -> None:
    sender = new_sender()
    answer = text_of(await chat(sender, "can I speak to a real person please"))
    assert answer == (
        f"You can speak to someone at Customer Services contact centre on {CONTACT_CENTRE}. "
        "They are open now until 5:30pm (today 8:30am to 5:30pm).\n"
        "Address: Brackenford Civic Centre, Market Street, Brackenford, Oakshire, BV1 1AA."
    )
    assert gap_reasons(e2e, sender) == ["asked_for_person"]


async def test_asking_for_a_person_on_sunday_says_when_they_open_and_gives_the_web(chat, clock) -> None:
    clock("2026-11-22T12:00:00")
    answer = text_of(await chat(new_sender(), "can I speak to a real person please"))
    assert "closed now; opens tomorrow at 8:30am" in answer
    assert "https://www.brackenford.example/contact-us" in answer


async def test_an_officer_on_the_staff_channel_gets_the_staff_line_and_notes(chat) -> None:
    answer = await reach(
        chat, new_sender(), "my bin was not collected this morning", "Report a missed", staff=True
    )
    assert "01632 960291 (staff line" in answer
    assert "Staff notes:" in answer


async def test_a_staff_claim_without_the_staff_token_gets_the_resident_answer(chat) -> None:
    answer = await reach(
        chat,
        new_sender(),
        "my bin was not collected this morning",
        "Report a missed",
        staff=True,
        token="guess",
    )
    assert "01632 960120" in answer
    assert "01632 960291" not in answer
    assert "Staff notes" not in answer


async def test_a_postcode_outside_the_food_banks_area_is_said_plainly(chat) -> None:
    sender = new_sender()
    first = await reach(
        chat, sender, "I need an emergency food parcel from the food bank", "Emergency food parcels"
    )
    assert "Emergency food parcels" in first
    answer = text_of(await chat(sender, "BV9 1AA"))
    assert answer.startswith("BV9 1AA is outside the area Emergency food parcels covers")


async def test_a_missed_bin_with_a_postcode_in_another_county_is_told_so_and_still_given_our_service(
    chat,
) -> None:
    answer = text_of(await chat(new_sender(), "my bin was not collected this morning, I'm at LU1 1AA"))
    assert answer.startswith("LU1 looks outside the area of Brackenford District Council.")
    assert "Find it on GOV.UK: https://www.gov.uk/find-local-council" in answer
    assert "You can report it online: https://www.brackenford.example/bins/missed-collection" in answer
    assert "1AA" not in answer, "only the outward code is repeated"


async def test_a_pothole_in_another_city_is_told_so_and_still_given_the_county_service(chat) -> None:
    answer = text_of(await chat(new_sender(), "there's a pothole in the road outside my house in Leeds"))
    assert answer.startswith("Leeds looks outside the area of Brackenford District Council.")
    assert "Report a pothole or road defect is handled by Oakshire County Council" in answer


async def test_a_malformed_postcode_gets_a_clear_reply(chat) -> None:
    answer = text_of(await chat(new_sender(), "my postcode is BV4 1CI"))
    assert "'BV4 1CI' is not a valid UK postcode: the last two letters cannot be C, I, K, M, O or V" in answer


async def test_a_5000_character_message_gets_a_clear_reply_and_nothing_is_stored(chat, e2e) -> None:
    sender = new_sender()
    replies = await chat(sender, "bins " * 1000)
    assert text_of(replies).startswith("Sorry, that message is too long for me.")
    tracker = await e2e.agent.tracker_store.retrieve(sender)
    assert tracker is None or not [event for event in tracker.events if event.type_name == "user"]
    assert gap_reasons(e2e, sender) == []


async def test_an_empty_message_gets_a_clear_reply(chat) -> None:
    assert (
        text_of(await chat(new_sender(), "   "))
        == "I did not receive a message. Please type what you need help with."
    )


async def test_a_phone_number_changed_in_the_directory_shows_at_once_without_retraining(chat, e2e) -> None:
    from bot.directory.models import Phone

    missed_bin = e2e.service_id("Report a missed bin collection")
    with e2e.engine.begin() as connection:
        connection.execute(
            update(Phone)
            .where(Phone.service_id == missed_bin, Phone.number == "01632 960120")
            .values(number="01632 960777")
        )
    try:
        answer = await reach(
            chat, new_sender(), "my bin was not collected this morning", "Report a missed bin"
        )
        assert "call 01632 960777" in answer
    finally:
        with e2e.engine.begin() as connection:
            connection.execute(
                update(Phone)
                .where(Phone.service_id == missed_bin, Phone.number == "01632 960777")
                .values(number="01632 960120")
            )


async def test_thanks_bot_challenge_help_and_goodbye(chat) -> None:
    sender = new_sender()
    assert "You're welcome" in text_of(await chat(sender, "thank you so much"))
    assert "automated assistant" in text_of(await chat(sender, "am I talking to a bot?"))
    assert "Tell me in your own words" in text_of(await chat(sender, "what can you do?"))
    assert text_of(await chat(sender, "goodbye")).startswith("Goodbye")


async def test_when_the_database_is_down_the_resident_still_gets_a_number(chat, monkeypatch) -> None:
    from bot.db import get_engine
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/nowhere")
    monkeypatch.setenv("CONTACT_CENTRE_PHONE", "01632 960000")
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        answer = text_of(await chat(new_sender(), "my bin was not collected this morning"))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        get_engine.cache_clear()
    assert answer == (
        "Sorry, I cannot look that up right now. Please call our contact centre on 01632 960000, "
        "or try again in a few minutes."
    )


async def test_a_one_word_need_the_classifier_is_unsure_of_is_still_signposted(chat, e2e) -> None:
    sender = new_sender()
    replies = await chat(sender, "rubbish")
    assert not text_of(replies).startswith("Sorry, I did not understand")
    assert buttons_of(replies), "either choices or the Yes/No feedback buttons"
    assert "not_understood" not in gap_reasons(e2e, sender)
