"""Rasa's conversation store never keeps what a resident typed raw: names, phone numbers, full postcodes and
emails are redacted on the way into the database, and the conversation still reads back."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from sqlalchemy import create_engine, text

from bot import PROJECT_ROOT
from bot.conversation.tracker_store import RedactingSQLTrackerStore, redacted_event
from tests.conftest import POSTGRES_URL

RAW = "my name is John Smith, call 07700 900123 or jsmith@example.com, my bin at SG13 8DE was missed"
SECRETS = ("John Smith", "07700 900123", "jsmith@example.com", "SG13 8DE", "8DE")


def _conversation(store: RedactingSQLTrackerStore, sender: str) -> None:
    tracker = store.init_tracker(sender)
    parse = {
        "text": RAW,
        "intent": {"name": "find_service", "confidence": 0.9},
        "entities": [{"entity": "POSTCODE", "value": "SG13 8DE", "start": 70, "end": 78}],
        "services": [{"service_id": "0f6e2c1a-1111-4a5b-8c9d-000000000001", "confidence": 0.8}],
    }
    tracker.update(UserUttered(RAW, parse_data=parse))
    tracker.update(SlotSet("postcode", "SG13 8DE"))
    tracker.update(SlotSet("service_id", "0f6e2c1a-1111-4a5b-8c9d-000000000001"))
    tracker.update(BotUttered("Thanks, I've noted SG13 8DE. Missed bins: call 01632 960120."))
    asyncio.run(store.save(tracker))


def _check(store: RedactingSQLTrackerStore, rows: list[str], sender: str) -> None:
    stored = "\n".join(rows)
    assert [secret for secret in SECRETS if secret in stored] == []
    assert "my bin at SG13 was missed" in stored, "the need and the postcode district stay"
    back = asyncio.run(store.retrieve(sender))
    assert back.get_slot("postcode") == "SG13"
    assert back.get_slot("service_id") == "0f6e2c1a-1111-4a5b-8c9d-000000000001", "ids are not redacted"
    assert back.latest_message.intent["name"] == "find_service"


def _domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def test_sqlite_store_keeps_no_raw_personal_details(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    store = RedactingSQLTrackerStore(domain=_domain(), dialect="sqlite", db=str(database))
    _conversation(store, "resident-1")
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = [row[0] for row in connection.execute(text("SELECT data FROM events"))]
    engine.dispose()
    _check(store, rows, "resident-1")


@pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set: PostgreSQL needs a server")
def test_postgresql_store_keeps_no_raw_personal_details() -> None:
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL)
    store = RedactingSQLTrackerStore(
        domain=_domain(),
        dialect="postgresql",
        host=url.host,
        port=url.port,
        db=url.database,
        username=url.username,
        password=url.password,
    )
    sender = "resident-pg-redaction"
    _conversation(store, sender)
    engine = create_engine(POSTGRES_URL)
    query = text("SELECT data FROM events WHERE sender_id = :s")
    try:
        with engine.connect() as connection:
            rows = [row[0] for row in connection.execute(query, {"s": sender})]
        _check(store, rows, sender)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
        engine.dispose()


def test_an_event_without_resident_text_is_stored_as_it_is() -> None:
    event = SlotSet("feedback_pending", True)
    assert redacted_event(event) is event
    assert json.dumps(redacted_event(UserUttered("/affirm")).as_dict())
