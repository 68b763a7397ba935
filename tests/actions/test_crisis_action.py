"""The crisis turn as the action server runs it: the numbers first, logged by category, never lost."""

from __future__ import annotations

from sqlalchemy import select

from actions.safety import ActionCrisis
from bot.db import session_scope
from bot.directory.models import Organisation, Phone, Service, ServiceLgsl
from bot.gaplog.models import GapEntry

CHILD_PROTECTION = 266


def add_childrens_services(engine) -> None:  # noqa: ANN001 - the fixture's engine
    with session_scope(engine) as session:
        county = session.get(Organisation, "county")
        session.add(
            Service(
                id="childrens-services",
                organisation=county,
                name="Children's Services front door",
                phones=[Phone(id="cs-1", number="01632 960700")],
                lgsl_codes=[ServiceLgsl(code=CHILD_PROTECTION)],
            )
        )


def crisis_parse(category: str) -> dict:
    return {"category": category, "categories": [category], "lines": []}


def tracker_for(make_tracker, text: str, category: str | None, **kwargs):  # noqa: ANN001, ANN201
    tracker = make_tracker(text, intent="crisis", **kwargs)
    if category is not None:
        tracker.latest_message["crisis"] = crisis_parse(category)
    return tracker


async def test_a_resident_who_wants_to_die_is_given_999_samaritans_shout_and_111_first(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = tracker_for(make_tracker, "i want to kill myself", "suicide_self_harm")
    events = await ActionCrisis().run(dispatcher, tracker, domain)
    (reply, closing) = dispatcher.messages
    lines = reply["text"].splitlines()
    assert lines[0] == "If your life, or someone else's, is in danger right now, call 999."
    assert "116 123" in lines[1] and "85258" in lines[2] and "111" in lines[3]
    assert not reply.get("buttons")
    assert "Did that answer your question?" not in reply["text"]
    assert closing["custom"]["answer"]["kind"] == "crisis"
    assert closing["custom"]["answer"]["category"] == "suicide_self_harm"
    assert {"name": "Samaritans", "number": "116 123"} in closing["custom"]["answer"]["lines"]
    assert {"event": "slot", "name": "feedback_pending", "value": False, "timestamp": None} in events


async def test_a_crisis_is_logged_by_category_with_no_words_at_all(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = tracker_for(make_tracker, "my partner hits me, I'm Sarah Jones at 4 Elm Road", "domestic_abuse")
    await ActionCrisis().run(dispatcher, tracker, domain)
    with session_scope(directory) as session:
        (entry,) = session.execute(select(GapEntry)).scalars().all()
        assert (entry.reason, entry.category, entry.text, entry.candidates) == (
            "crisis",
            "domestic_abuse",
            "",
            [],
        )


async def test_a_child_at_risk_gets_the_councils_childrens_services_number_from_the_directory(
    directory, dispatcher, make_tracker, domain
) -> None:
    add_childrens_services(directory)
    tracker = tracker_for(make_tracker, "the kids next door are left alone all night", "child_at_risk")
    await ActionCrisis().run(dispatcher, tracker, domain)
    reply, closing = dispatcher.messages
    assert reply["text"].startswith("If your life, or someone else's, is in danger right now, call 999.")
    assert "NSPCC helpline: 0808 800 5000" in reply["text"]
    assert (
        "The council's children's services (Children's Services front door): 01632 960700." in reply["text"]
    )
    assert closing["custom"]["answer"]["services"] == [
        {
            "id": "childrens-services",
            "name": "Children's Services front door",
            "lgsl": [CHILD_PROTECTION],
            "organisation": "Northmoor County Council",
        }
    ]


async def test_the_numbers_still_go_out_when_the_database_is_down(
    dispatcher, make_tracker, domain, monkeypatch, tmp_path
) -> None:
    from bot.db import get_engine
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        tracker = tracker_for(make_tracker, "kids home alone and screaming", "child_at_risk")
        await ActionCrisis().run(dispatcher, tracker, domain)
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
    reply, closing = dispatcher.messages
    assert "0808 800 5000" in reply["text"]
    assert closing["custom"]["answer"]["kind"] == "crisis"


async def test_the_check_is_run_again_when_the_parse_carries_no_category(
    directory, dispatcher, make_tracker, domain
) -> None:
    tracker = tracker_for(make_tracker, "I can smell gas in the kitchen", None)
    await ActionCrisis().run(dispatcher, tracker, domain)
    reply, closing = dispatcher.messages
    assert reply["text"].startswith("Call the National Gas Emergency Service on 0800 111 999 now")
    assert closing["custom"]["answer"]["category"] == "gas_leak"
