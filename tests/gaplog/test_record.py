"""What the bot's actions write: redacted text and a hashed conversation id, never the raw words or id."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.gaplog.local_secret import conversation_hash
from bot.gaplog.models import GapEntry
from bot.gaplog.record import MAX_TEXT_CHARS, record_answer, record_referral, record_unmet
from bot.settings import Settings
from tests.gaplog.helpers import make_settings

RAW_ID = "whatsapp:+447700900123"
MESSAGE = "bins not emptied at 12 Acacia Avenue SG13 8EQ, ring me on 07700 900123 or jo@example.com"


def _all_cells(engine: Engine, table: str) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT * FROM {table}")).all()
    return [str(value) for row in rows for value in row]


def test_an_unmet_query_is_stored_redacted_and_under_a_hashed_conversation_id(
    engine: Engine, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, engine)
    with session_scope(engine) as session:
        entry = record_unmet(
            session,
            conversation_id=RAW_ID,
            channel="resident",
            text=MESSAGE,
            reason="no_matching_service",
            candidates=[
                {"service_id": "svc-bins", "name": "Bin collections", "score": 3.2, "confidence": 0.31}
            ],
            settings=settings,
        )
        entry_id = entry.id
    with session_scope(engine) as session:
        stored = session.get(GapEntry, entry_id)
        assert (
            stored.text == "bins not emptied at [address] Acacia Avenue SG13, ring me on [phone] or [email]"
        )
        assert stored.conversation_hash == conversation_hash(RAW_ID, settings)
        assert stored.status == "new"
        assert stored.candidates == [
            {"service_id": "svc-bins", "name": "Bin collections", "score": 3.2, "confidence": 0.31}
        ]
    cells = " | ".join(_all_cells(engine, "gap_entries"))
    for secret in ("07700 900123", "900123", "8EQ", "jo@example.com", RAW_ID, "447700900123", "12 Acacia"):
        assert secret not in cells


def test_answers_and_referrals_keep_only_the_hash_of_the_conversation(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engine)
    with session_scope(engine) as session:
        record_answer(
            session,
            conversation_id=RAW_ID,
            channel="resident",
            service_id="svc-bins",
            confidence=0.9,
            settings=settings,
        )
        record_referral(
            session, service_id="svc-bins", staff_user="sam", conversation_id=RAW_ID, settings=settings
        )
        record_referral(session, service_id="svc-dogs", staff_user=None, settings=settings)
    for table in ("answers", "referrals"):
        cells = " | ".join(_all_cells(engine, table))
        assert RAW_ID not in cells and "900123" not in cells
    assert conversation_hash(RAW_ID, settings) in " | ".join(_all_cells(engine, "referrals"))


def test_the_same_conversation_always_gets_the_same_hash_and_another_salt_a_different_one(
    tmp_path: Path,
) -> None:
    one = Settings(var_dir=tmp_path, gaplog_salt="salt-one")
    other = Settings(var_dir=tmp_path, gaplog_salt="salt-two")
    assert conversation_hash("abc", one) == conversation_hash("abc", one)
    assert conversation_hash("abc", one) != conversation_hash("abc", other)
    assert conversation_hash("abc", one) != conversation_hash("abd", one)


def test_without_a_configured_salt_one_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, gaplog_salt="")
    first = conversation_hash("abc", settings)
    kept = (tmp_path / "secrets" / "gaplog_salt").read_text()
    assert len(kept) >= 32
    assert conversation_hash("abc", Settings(var_dir=tmp_path, gaplog_salt="")) == first


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": "confused"}, "reason must be one of not_understood, low_confidence"),
        ({"channel": "web"}, "channel must be one of resident, staff"),
        ({"conversation_id": ""}, "conversation_id must be a non-empty string"),
        ({"candidates": ["svc-bins"]}, "each candidate must be a dict"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message_and_nothing_is_written(
    engine: Engine, tmp_path: Path, changes: dict, message: str
) -> None:
    settings = make_settings(tmp_path, engine)
    arguments = {"conversation_id": "c1", "channel": "resident", "text": "hello", "reason": "not_understood"}
    arguments.update(changes)
    with pytest.raises(ValueError, match=message), session_scope(engine) as session:
        record_unmet(session, settings=settings, **arguments)
    assert _all_cells(engine, "gap_entries") == []


def test_a_very_long_message_is_kept_only_in_part(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engine)
    with session_scope(engine) as session:
        entry = record_unmet(
            session,
            conversation_id="c1",
            channel="staff",
            text="dog " * 1250,
            reason="not_understood",
            settings=settings,
        )
        assert len(entry.text) == MAX_TEXT_CHARS
        assert entry.text.endswith("…")


def test_answer_and_referral_need_a_service(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engine)
    with session_scope(engine) as session:
        with pytest.raises(ValueError, match="service_id"):
            record_answer(session, conversation_id="c1", channel="resident", service_id="", settings=settings)
        with pytest.raises(ValueError, match="service_id"):
            record_referral(session, service_id="", staff_user="sam", settings=settings)
