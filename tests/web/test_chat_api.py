"""`POST /api/chat`: what the public widget may send, and what a resident is told when things go wrong."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.directory.models import Organisation, Phone, Service
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.rate_limit import RateLimit, TokenBucketLimiter
from tests.support.fake_rasa import BINS_SERVICE, FakeRasa, running_fake_rasa
from tests.support.web import make_settings

SENDER = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    with running_fake_rasa() as fake:
        yield fake


def client_for(settings: Settings, engine: Engine) -> TestClient:
    return TestClient(create_app(settings, engine=engine))


def add_contact_centre(engine: Engine, number: str) -> None:
    with session_scope(engine) as session:
        session.add(
            Organisation(id="org-host", name="Brackenford District Council", is_host=True, description="")
        )
        service = Service(
            id="svc-contact",
            organisation_id="org-host",
            name="Customer contact centre",
            is_contact_centre=True,
            description="",
        )
        service.phones = [
            Phone(id="ph-staff", number="01632 960999", audience="staff", position=0),
            Phone(id="ph-public", number=number, audience="public", position=1),
        ]
        session.add(service)


def test_a_residents_question_reaches_rasa_on_the_resident_channel_and_the_answer_comes_back(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    client = client_for(make_settings(tmp_path, fake_rasa.url), sqlite_engine)

    response = client.post("/api/chat", json={"sender": SENDER, "message": "my bin was not collected"})

    assert response.status_code == 200
    replies = response.json()
    assert "01632 960123" in replies[0]["text"]
    assert replies[1]["buttons"] == [
        {"title": "Yes", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
    ]
    assert all("recipient_id" not in reply for reply in replies)
    assert replies[-1] == {"answer": {"kind": "service", "services": [BINS_SERVICE]}}
    assert fake_rasa.webhook_bodies() == [
        {"sender": SENDER, "message": "my bin was not collected", "metadata": {"channel": "resident"}}
    ]


def test_a_client_claiming_to_be_staff_is_still_sent_as_a_resident(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    client = client_for(make_settings(tmp_path, fake_rasa.url), sqlite_engine)

    response = client.post(
        "/api/chat",
        json={
            "sender": SENDER,
            "message": "council tax",
            "channel": "staff",
            "metadata": {"channel": "staff"},
        },
    )

    assert response.status_code == 200
    assert fake_rasa.webhook_bodies()[0]["metadata"] == {"channel": "resident"}


def test_a_message_over_500_characters_is_refused_with_its_length_and_never_reaches_rasa(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    client = client_for(make_settings(tmp_path, fake_rasa.url), sqlite_engine)

    response = client.post("/api/chat", json={"sender": SENDER, "message": "x" * 501})

    assert response.status_code == 413
    assert response.json()["message"].startswith("Your message is 501 characters long")
    assert "500 characters or fewer" in response.json()["message"]
    assert fake_rasa.webhook_bodies() == []


def test_exactly_500_characters_is_accepted(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    client = client_for(make_settings(tmp_path, fake_rasa.url), sqlite_engine)

    response = client.post("/api/chat", json={"sender": SENDER, "message": "y" * 500})

    assert response.status_code == 200


def test_a_5000_character_body_is_refused_before_it_is_read(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    client = client_for(make_settings(tmp_path, fake_rasa.url), sqlite_engine)

    response = client.post("/api/chat", json={"sender": SENDER, "message": "z" * 9000})

    assert response.status_code == 413
    assert "500 characters or fewer" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "status", "error", "words"),
    [
        ({"sender": SENDER, "message": "   "}, 422, "empty_message", "type your question"),
        ({"sender": SENDER, "message": ""}, 422, "empty_message", "type your question"),
        ({"sender": SENDER}, 422, "bad_message", '"message" must be text'),
        ({"sender": "../../etc/passwd", "message": "hello"}, 422, "bad_sender", '"sender" must be'),
        ({"sender": "a" * 65, "message": "hello"}, 422, "bad_sender", "1 to 64"),
        (["not", "an", "object"], 400, "bad_request", "JSON object"),
    ],
)
def test_malformed_requests_are_refused_with_a_sentence_saying_what_is_wrong(
    tmp_path: Path,
    sqlite_engine: Engine,
    fake_rasa: FakeRasa,
    body: object,
    status: int,
    error: str,
    words: str,
) -> None:
    client = client_for(make_settings(tmp_path, fake_rasa.url), sqlite_engine)

    response = client.post("/api/chat", json=body)

    assert response.status_code == status
    assert response.json()["error"] == error
    assert words in response.json()["message"]
    assert fake_rasa.webhook_bodies() == []


def test_a_body_that_is_not_json_is_refused(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    client = client_for(make_settings(tmp_path, fake_rasa.url), sqlite_engine)

    response = client.post("/api/chat", content=b"message=hello", headers={"Content-Type": "text/plain"})

    assert response.status_code == 400
    assert "JSON object" in response.json()["message"]


def test_a_client_sending_too_fast_is_told_to_wait(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    client = client_for(make_settings(tmp_path, fake_rasa.url, chat_rate_limit="2/minute"), sqlite_engine)

    statuses = [
        client.post("/api/chat", json={"sender": SENDER, "message": "hello"}).status_code for _ in range(3)
    ]
    refused = client.post("/api/chat", json={"sender": SENDER, "message": "hello"})

    assert statuses == [200, 200, 429]
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert "too quickly" in refused.json()["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert len(fake_rasa.webhook_bodies()) == 2


def test_when_rasa_cannot_be_reached_the_resident_gets_the_configured_contact_centre_number(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    with running_fake_rasa() as stopped:
        dead_url = stopped.url
    settings = make_settings(tmp_path, dead_url, contact_centre_phone="01632 960000")
    client = client_for(settings, sqlite_engine)

    response = client.post("/api/chat", json={"sender": SENDER, "message": "hello"})

    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"
    assert "01632 960000" in response.json()["message"]
    assert response.json()["answer"] == {"kind": "unmet", "services": []}


def test_when_rasa_fails_the_number_comes_from_the_directorys_contact_centre_never_a_staff_line(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    add_contact_centre(sqlite_engine, "01632 960555")
    with running_fake_rasa(FakeRasa(failing=True)) as failing:
        client = client_for(make_settings(tmp_path, failing.url), sqlite_engine)
        response = client.post("/api/chat", json={"sender": SENDER, "message": "hello"})

    assert response.status_code == 503
    assert "01632 960555" in response.json()["message"]
    assert "01632 960999" not in response.text


def test_the_demo_page_is_marked_as_a_demo_and_embeds_the_widget_with_the_contact_number(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    add_contact_centre(sqlite_engine, "01632 960555")
    client = client_for(make_settings(tmp_path, fake_rasa.url), sqlite_engine)

    page = client.get("/")

    assert page.status_code == 200
    assert "demonstration page for a fictional council" in page.text
    assert "Brackenford District Council" in page.text
    assert "/static/widget/here-to-help.js" in page.text
    assert 'data-contact-phone="01632 960555"' in page.text
    assert client.get("/static/widget/here-to-help.js").status_code == 200
    assert client.get("/static/widget/here-to-help.css").status_code == 200


def test_only_council_sites_named_in_chat_allowed_origins_may_call_from_another_origin(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    settings = make_settings(tmp_path, fake_rasa.url, chat_allowed_origins="https://www.example.gov.uk")
    client = client_for(settings, sqlite_engine)

    preflight = client.options("/api/chat", headers={"Origin": "https://www.example.gov.uk"})
    allowed = client.post(
        "/api/chat",
        json={"sender": SENDER, "message": "hi"},
        headers={"Origin": "https://www.example.gov.uk"},
    )
    other = client.post(
        "/api/chat", json={"sender": SENDER, "message": "hi"}, headers={"Origin": "https://evil.example"}
    )

    assert preflight.headers["Access-Control-Allow-Origin"] == "https://www.example.gov.uk"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.example.gov.uk"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_token_bucket_lets_a_burst_through_then_refills_over_time_per_client() -> None:
    now = [0.0]
    limiter = TokenBucketLimiter(RateLimit.parse("3/minute"), clock=lambda: now[0])

    burst = [limiter.acquire("10.0.0.1") for _ in range(3)]
    refused_wait = limiter.acquire("10.0.0.1")
    other_client = limiter.acquire("10.0.0.2")
    now[0] = 20.0  # one token back after 60/3 seconds
    after_refill = limiter.acquire("10.0.0.1")

    assert burst == [0.0, 0.0, 0.0]
    assert refused_wait == pytest.approx(20.0)
    assert other_client == 0.0
    assert after_refill == 0.0


@pytest.mark.parametrize("text", ["twenty a minute", "0/minute", "20/fortnight", ""])
def test_a_rate_limit_that_cannot_be_read_says_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="COUNT/PERIOD, e.g. 20/minute"):
        RateLimit.parse(text)


def test_with_rasa_stopped_a_resident_who_wants_to_die_still_gets_the_crisis_numbers_and_it_is_logged(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    from sqlalchemy import select

    from bot.gaplog.models import GapEntry

    with running_fake_rasa() as stopped:
        dead_url = stopped.url
    client = client_for(make_settings(tmp_path, dead_url, contact_centre_phone="01632 960000"), sqlite_engine)

    response = client.post("/api/chat", json={"sender": SENDER, "message": "i want to kill myself"})

    assert response.status_code == 200
    text, closing = response.json()
    assert text["text"].startswith("If your life, or someone else's, is in danger right now, call 999.")
    assert "Samaritans: call 116 123" in text["text"]
    assert closing["answer"]["kind"] == "crisis" and closing["answer"]["category"] == "suicide_self_harm"
    with session_scope(sqlite_engine) as session:
        entries = session.execute(select(GapEntry.reason, GapEntry.category, GapEntry.text)).all()
    assert [tuple(entry) for entry in entries] == [("crisis", "suicide_self_harm", "")]


def test_with_rasa_failing_a_gas_leak_gets_the_gas_emergency_number_not_the_contact_centre(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    add_contact_centre(sqlite_engine, "01632 960555")
    with running_fake_rasa(FakeRasa(failing=True)) as failing:
        client = client_for(make_settings(tmp_path, failing.url), sqlite_engine)
        response = client.post("/api/chat", json={"sender": SENDER, "message": "smell of gas in my hallway"})

    assert response.status_code == 200
    assert "0800 111 999" in response.json()[0]["text"]
    assert "01632 960555" not in response.text


def test_with_rasa_down_and_the_database_locked_the_resident_gets_the_number_within_5_s_and_nothing_is_lost(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    import sqlite3
    import time

    from sqlalchemy import select

    from bot.gaplog import spool
    from bot.gaplog.models import GapEntry
    from bot.gaplog.redaction import redact

    add_contact_centre(sqlite_engine, "01632 960555")
    with running_fake_rasa() as stopped:
        dead_url = stopped.url
    settings = make_settings(tmp_path, dead_url)
    client = client_for(settings, sqlite_engine)  # reads the number while the database is well
    redact("warm up the redaction's tokenizer")  # the test client also waits for the background tasks
    locker = sqlite3.connect(sqlite_engine.url.database, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        response = client.post("/api/chat", json={"sender": SENDER, "message": "who empties the dog bins"})
        waited = time.monotonic() - started
    finally:
        locker.execute("ROLLBACK")
        locker.close()

    assert response.status_code == 503
    assert "01632 960555" in response.json()["message"]
    assert waited < 5
    assert spool.pending(settings)  # the question waited on disk for the database ...
    spool.replay(sqlite_engine, settings)
    with session_scope(sqlite_engine) as session:  # ... and is in the gap log now it is back
        entries = session.execute(select(GapEntry.reason, GapEntry.text)).all()
    assert [tuple(entry) for entry in entries] == [("unavailable", "who empties the dog bins")]
