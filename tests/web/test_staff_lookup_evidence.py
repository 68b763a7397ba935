"""The staff lookup as a contact-centre officer uses it on a call: why each service matched, the best match
then the rest by confidence, a note on every referral (personal details removed), and the GOV.UK date input
for "are they open on the 25th?"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.directory.phrases import add_phrase
from bot.gaplog.models import Referral
from bot.web.app import create_app
from tests.support.fake_rasa import FakeRasa, running_fake_rasa
from tests.support.web import (
    CONTACT_ID,
    HIGHWAYS_ID,
    WASTE_ID,
    add_account,
    add_directory,
    csrf_from,
    make_settings,
    ranked,
    sign_in,
)

WEDNESDAY_MORNING = datetime(2026, 3, 11, 10, 0, tzinfo=ZoneInfo("Europe/London"))
TAUGHT_ON = datetime(2026, 3, 3, 9, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    with running_fake_rasa(FakeRasa(services=ranked(WASTE_ID, HIGHWAYS_ID), threshold=0.5)) as fake:
        yield fake


def app_client(tmp_path: Path, engine: Engine, rasa: FakeRasa) -> TestClient:
    client = TestClient(create_app(make_settings(tmp_path, rasa.url), engine=engine))
    sign_in(client, "sam")
    return client


@pytest.fixture
def client(tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa) -> TestClient:
    add_directory(sqlite_engine)
    add_account(sqlite_engine, "sam", "staff")
    with session_scope(sqlite_engine) as session:
        add_phrase(session, WASTE_ID, "bins left behind again", added_by="olive", now=TAUGHT_ON)
    return app_client(tmp_path, sqlite_engine, fake_rasa)


def parse_calls(fake: FakeRasa) -> list[str]:
    return [path for path, _, _ in fake.requests if path.startswith("/model/parse")]


def stored_notes(engine: Engine) -> list[str | None]:
    with session_scope(engine) as session:
        return [row.note for row in session.execute(select(Referral)).scalars()]


def test_an_officer_who_searches_a_missed_bin_sees_the_words_that_matched_the_waste_service(
    client: TestClient,
) -> None:
    data = client.get("/api/lookup", params={"q": "my bin was not emptied"}).json()
    page = client.get("/staff", params={"q": "my bin was not emptied"})

    waste = data["services"][0]
    assert waste["service_id"] == WASTE_ID
    assert waste["evidence"]["words"] == ["bin", "empty"]
    first = waste["evidence"]["texts"][0]
    assert first["words"] == ["bin", "empty"]
    assert first["label"] == "Residents' words for LGSL 524"
    assert "Why it matched" in page.text
    assert 'class="app-tag app-tag--word">bin</strong>' in page.text
    assert "Residents&#39; words for LGSL 524:" in page.text


def test_a_phrase_an_officer_taught_is_shown_as_the_reason_with_who_taught_it_and_when(
    client: TestClient,
) -> None:
    data = client.get("/api/lookup", params={"q": "bins left behind"}).json()

    [taught, *_] = data["services"][0]["evidence"]["texts"]
    assert taught["kind"] == "taught phrase"
    assert taught["text"] == "bins left behind again"
    assert taught["label"] == "Taught by olive on 3 March 2026"
    assert "Taught by olive on 3 March 2026" in client.get("/staff", params={"q": "bins left behind"}).text


def test_a_service_sharing_no_word_with_the_search_says_it_is_a_match_on_letters_only(
    client: TestClient,
) -> None:
    data = client.get("/api/lookup", params={"q": "my bin was not emptied"}).json()
    page = client.get("/staff", params={"q": "my bin was not emptied"})

    highways = data["services"][1]
    assert highways["evidence"] == {"words": [], "texts": []}
    assert "ranked on similar letters only" in page.text


def test_the_best_match_comes_first_and_the_others_by_confidence(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    add_directory(sqlite_engine)
    add_account(sqlite_engine, "sam", "staff")
    candidates = [
        {"service_id": WASTE_ID, "name": "w", "lgsl_codes": [], "score": 1.0, "confidence": 0.6},
        {"service_id": HIGHWAYS_ID, "name": "h", "lgsl_codes": [], "score": 0.9, "confidence": 0.5},
        {"service_id": CONTACT_ID, "name": "c", "lgsl_codes": [], "score": 0.8, "confidence": 0.7},
    ]
    with running_fake_rasa(FakeRasa(services=candidates, threshold=0.4)) as fake:
        client = app_client(tmp_path, sqlite_engine, fake)
        data = client.get("/api/lookup", params={"q": "bins"}).json()
        page = client.get("/staff", params={"q": "bins"})

    assert [s["service_id"] for s in data["services"]] == [WASTE_ID, CONTACT_ID, HIGHWAYS_ID]
    assert [s["confidence"] for s in data["services"]] == [0.6, 0.7, 0.5]
    assert page.text.index("Waste and recycling collections") < page.text.index("Customer contact centre")
    assert page.text.index("Customer contact centre") < page.text.index("Potholes and road repairs")
    assert "the others follow, highest confidence first" in page.text


def test_every_referral_form_asks_for_a_note_and_says_personal_details_are_removed(
    client: TestClient,
) -> None:
    page = client.get("/staff", params={"q": "bins"})

    assert page.text.count('name="note"') == 2
    assert '<label class="app-label" for="note-1">Note for this referral' in page.text
    assert "personal details are removed when it is saved" in page.text


def test_a_note_is_stored_with_the_referral_without_the_callers_name_number_or_house(
    client: TestClient, sqlite_engine: Engine
) -> None:
    token = csrf_from(client.get("/staff", params={"q": "bins"}).text)
    note = "Mrs Patel at 12 Acacia Avenue, call back on 07700 900123: bin missed twice"

    response = client.post(
        "/staff/referrals",
        data={"csrf_token": token, "service_id": WASTE_ID, "q": "bins", "note": note},
        follow_redirects=False,
    )
    after = client.get(response.headers["location"])

    [stored] = stored_notes(sqlite_engine)
    assert "Patel" not in stored and "07700" not in stored and "12 Acacia" not in stored
    assert "bin missed twice" in stored and "Acacia Avenue" in stored
    assert f"Note saved: “{stored}”" in after.text.replace("&#34;", '"')


def test_a_referral_without_a_note_is_recorded_and_says_so(client: TestClient, sqlite_engine: Engine) -> None:
    token = csrf_from(client.get("/staff", params={"q": "bins"}).text)

    form = {"csrf_token": token, "service_id": WASTE_ID, "q": "bins"}

    response = client.post("/staff/referrals", data=form)

    assert stored_notes(sqlite_engine) == [None]
    assert "No note was added." in response.text


def test_a_note_over_1000_characters_is_refused_and_nothing_is_recorded(
    client: TestClient, sqlite_engine: Engine
) -> None:
    token = csrf_from(client.get("/staff", params={"q": "bins"}).text)

    response = client.post(
        "/staff/referrals", data={"csrf_token": token, "service_id": WASTE_ID, "note": "x" * 1001}
    )

    assert response.status_code == 422
    assert "keep it to 1000 characters or fewer" in response.text
    assert stored_notes(sqlite_engine) == []


@time_machine.travel(WEDNESDAY_MORNING, tick=False)
def test_an_officer_asked_about_christmas_day_sees_each_service_closed_for_the_bank_holiday(
    client: TestClient,
) -> None:
    params = {"q": "bins", "day": "25", "month": "12", "year": "2026"}
    data = client.get("/api/lookup", params=params).json()
    page = client.get("/staff", params=params)

    assert data["date"] == {"date": "2026-12-25", "label": "25 December 2026"}
    waste = data["services"][0]
    assert waste["on_day"]["summary"] == "Friday 25 December: closed (Christmas Day bank holiday)"
    assert "On 25 December 2026" in page.text
    assert 'id="on-day" name="day" type="text" inputmode="numeric"' in page.text
    assert 'value="25"' in page.text and 'value="2026"' in page.text


@time_machine.travel(WEDNESDAY_MORNING, tick=False)
def test_a_date_that_does_not_exist_is_named_against_the_day_box_and_nothing_is_searched(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    params = {"q": "bins", "day": "31", "month": "2", "year": "2027"}
    api = client.get("/api/lookup", params=params)
    page = client.get("/staff", params=params)

    assert api.status_code == 422
    assert api.json() == {
        "error": "bad_date",
        "message": "Date to check must be a real date",
        "fields": ["day"],
    }
    assert page.status_code == 422
    assert "There is a problem" in page.text
    assert '<a href="#on-day">Date to check must be a real date</a>' in page.text
    assert page.text.count("app-input--error") == 1
    assert 'app-input--width-2 app-input--error"\n                 id="on-day"' in page.text
    assert parse_calls(fake_rasa) == []


@time_machine.travel(WEDNESDAY_MORNING, tick=False)
def test_a_referral_made_while_checking_a_date_returns_to_the_same_search_and_date(
    client: TestClient,
) -> None:
    params = {"q": "bins", "day": "25", "month": "12", "year": "2026"}
    page = client.get("/staff", params=params)

    response = client.post(
        "/staff/referrals",
        data={"csrf_token": csrf_from(page.text), "service_id": WASTE_ID, **params},
        follow_redirects=False,
    )

    assert response.headers["location"] == "/staff?q=bins&day=25&month=12&year=2026"
