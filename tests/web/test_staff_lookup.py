"""The staff referral lookup: who may use it, what an officer on the phone sees, and recording a referral."""

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

from bot.accounts.models import User
from bot.db import session_scope
from bot.gaplog.models import Referral
from bot.web.app import create_app
from tests.support.fake_rasa import FakeRasa, running_fake_rasa
from tests.support.web import (
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


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    with running_fake_rasa(FakeRasa(services=ranked(WASTE_ID, HIGHWAYS_ID), threshold=0.8)) as fake:
        yield fake


@pytest.fixture
def client(tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa) -> TestClient:
    add_directory(sqlite_engine)
    add_account(sqlite_engine, "sam", "staff")
    add_account(sqlite_engine, "olu", "officer")
    return TestClient(create_app(make_settings(tmp_path, fake_rasa.url), engine=sqlite_engine))


def referrals(engine: Engine) -> list[tuple[str, str | None, str]]:
    with session_scope(engine) as session:
        rows = session.execute(select(Referral)).scalars().all()
        return [(row.service_id, row.staff_user, row.channel) for row in rows]


def test_a_resident_who_is_not_signed_in_cannot_see_the_lookup(client: TestClient) -> None:
    api = client.get("/api/lookup", params={"q": "bins"})
    page = client.get("/staff", params={"q": "bins"}, follow_redirects=False)

    assert api.status_code == 401
    assert "01632 960124" not in api.text
    assert page.status_code == 303
    assert page.headers["location"].startswith("/sign-in?next=")


def test_an_account_without_a_lookup_role_is_refused(client: TestClient, sqlite_engine: Engine) -> None:
    add_account(sqlite_engine, "vic", "staff")
    with session_scope(sqlite_engine) as session:
        session.execute(select(User).where(User.username == "vic")).scalar_one().role = "auditor"
    sign_in(client, "vic")

    response = client.get("/api/lookup", params={"q": "bins"})

    assert response.status_code == 403
    assert "01632 960124" not in response.text


@time_machine.travel(WEDNESDAY_MORNING, tick=False)
def test_staff_see_the_routers_ranking_with_staff_only_numbers_notes_and_opening(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    sign_in(client, "sam")

    response = client.get("/api/lookup", params={"q": "my bin was not emptied"})

    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "my bin was not emptied"
    assert data["threshold"] == 0.8
    waste, highways = data["services"]
    assert [waste["service_id"], highways["service_id"]] == [WASTE_ID, HIGHWAYS_ID]
    assert waste["organisation"]["name"] == "Brackenford District Council"
    assert waste["lgsl_codes"] == [524]
    assert {phone["number"]: phone["staff_only"] for phone in waste["phones"]} == {
        "01632 960124": True,
        "01632 960123": False,
    }
    assert waste["staff_notes"] == "Missed bins must be reported within two working days."
    assert waste["opening"]["is_open"] is True
    assert waste["opening"]["summary"] == "open now until 5pm"
    assert waste["url"] == "https://www.example.org/bins"
    assert waste["email"] == "waste@example.org"
    assert waste["weak_match"] is False
    assert highways["weak_match"] is True  # confidence 0.7, below the router's threshold of 0.8
    parse_calls = [(path, body) for path, body, _ in fake_rasa.requests if path.startswith("/model/parse")]
    assert parse_calls == [("/model/parse?token=test-token", {"text": "my bin was not emptied"})]


def test_an_officer_may_use_the_lookup_too(client: TestClient) -> None:
    sign_in(client, "olu")

    response = client.get("/api/lookup", params={"q": "bins"})

    assert response.status_code == 200
    assert response.json()["services"][0]["service_id"] == WASTE_ID


def test_the_lookup_page_works_without_javascript(client: TestClient) -> None:
    sign_in(client, "sam")

    page = client.get("/staff", params={"q": "bins"})

    assert page.status_code == 200
    assert "2 services found for “bins”" in page.text
    assert "Waste and recycling collections" in page.text
    assert "01632 960124" in page.text and "Staff only" in page.text
    assert "Missed bins must be reported within two working days." in page.text
    assert "not this council: signpost the caller there" in page.text  # the county's potholes service
    assert page.text.count('action="/staff/referrals"') == 2


def test_when_the_router_is_down_staff_are_told_plainly(tmp_path: Path, sqlite_engine: Engine) -> None:
    add_account(sqlite_engine, "sam", "staff")
    with running_fake_rasa(FakeRasa(failing=True)) as failing:
        client = TestClient(create_app(make_settings(tmp_path, failing.url), engine=sqlite_engine))
        sign_in(client, "sam")
        api = client.get("/api/lookup", params={"q": "bins"})
        page = client.get("/staff", params={"q": "bins"})

    assert api.status_code == 503
    assert api.json()["error"] == "unavailable"
    assert "cannot be ranked" in api.json()["message"]
    assert page.status_code == 503
    assert "Cannot search just now" in page.text and "cannot be ranked" in page.text


def test_a_search_longer_than_500_characters_is_refused_with_its_length(client: TestClient) -> None:
    sign_in(client, "sam")

    response = client.get("/api/lookup", params={"q": "bins " * 120})

    assert response.status_code == 422
    assert "keep it to 500 characters or fewer" in response.json()["message"]


def test_recording_a_referral_stores_who_gave_which_service_and_confirms_it(
    client: TestClient, sqlite_engine: Engine
) -> None:
    sign_in(client, "sam")
    page = client.get("/staff", params={"q": "bins"})

    response = client.post(
        "/staff/referrals",
        data={"csrf_token": csrf_from(page.text), "service_id": WASTE_ID, "q": "bins"},
        follow_redirects=False,
    )
    after = client.get(response.headers["location"])

    assert response.status_code == 303
    assert response.headers["location"] == "/staff?q=bins"
    assert referrals(sqlite_engine) == [(WASTE_ID, "sam", "staff")]
    assert "Referral recorded: Waste and recycling collections (Brackenford District Council)." in after.text


def test_a_referral_without_the_forms_csrf_token_is_refused_and_nothing_is_stored(
    client: TestClient, sqlite_engine: Engine
) -> None:
    sign_in(client, "sam")

    response = client.post("/staff/referrals", data={"csrf_token": "forged", "service_id": WASTE_ID})

    assert response.status_code == 403
    assert referrals(sqlite_engine) == []


def test_a_referral_to_a_service_no_longer_in_the_directory_is_refused(
    client: TestClient, sqlite_engine: Engine
) -> None:
    sign_in(client, "sam")
    token = csrf_from(client.get("/staff").text)

    response = client.post("/staff/referrals", data={"csrf_token": token, "service_id": "svc-gone"})

    assert response.status_code == 404
    assert "no referral was recorded" in response.text
    assert referrals(sqlite_engine) == []


def test_a_caller_in_danger_typed_into_the_lookup_puts_the_numbers_above_the_services(
    client: TestClient,
) -> None:
    sign_in(client, "sam")

    data = client.get("/api/lookup", params={"q": "caller says she wants to end her life"}).json()
    page = client.get("/staff", params={"q": "caller says she wants to end her life"})

    assert data["crisis"]["category"] == "suicide_self_harm"
    assert data["crisis"]["lines"][0] == "If your life, or someone else's, is in danger right now, call 999."
    assert "Samaritans: call 116 123, free, any time, day or night." in data["crisis"]["lines"]
    assert page.text.index("Possible emergency") < page.text.index('class="app-result')
    assert 'role="alert"' in page.text


def test_an_ordinary_search_has_no_crisis(client: TestClient) -> None:
    sign_in(client, "sam")
    assert client.get("/api/lookup", params={"q": "my bin was not emptied"}).json()["crisis"] is None


def test_with_rasa_down_the_lookup_still_gives_the_numbers_for_a_crisis(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    with running_fake_rasa(FakeRasa(failing=True)) as failing:
        client = TestClient(create_app(make_settings(tmp_path, failing.url), engine=sqlite_engine))
        add_account(sqlite_engine, "sam", "staff")
        sign_in(client, "sam")
        crisis = client.get("/api/lookup", params={"q": "smell of gas in the caller's kitchen"})
        ordinary = client.get("/api/lookup", params={"q": "bins"})

    assert crisis.status_code == 200
    assert crisis.json()["crisis"]["lines"][0].startswith(
        "Call the National Gas Emergency Service on 0800 111 999"
    )
    assert ordinary.status_code == 503
