"""The REST channel: limits before Rasa sees a message, the vetted channel, and never an empty reply."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bot.conversation import contact_line
from bot.conversation.rest_channel import REFRESH_THREAD_NAME, HereToHelpRestInput
from bot.settings import get_settings


class FakeRequest:
    """Just what the channel reads from a Sanic request."""

    def __init__(self, body: Any, *, headers: dict[str, str] | None = None, ip: str = "203.0.113.7") -> None:
        self.json = body
        self.headers = headers or {}
        self.ip = ip


class Rasa:
    """Stands in for Rasa's message handler: records what it was given and replies (or fails) as told."""

    def __init__(self, reply: list[dict[str, Any]] | None = None, error: Exception | None = None) -> None:
        self.received: list[Any] = []
        self.reply = reply or []
        self.error = error

    async def __call__(self, message: Any) -> None:
        self.received.append(message)
        if self.error is not None:
            raise self.error
        for item in self.reply:
            await message.output_channel.send_text_message(message.sender_id, item["text"])


def _finish_background_refreshes() -> None:
    """A refresh thread left by the previous test could otherwise cache settings read from its environment."""
    for thread in threading.enumerate():
        if thread.name == REFRESH_THREAD_NAME:
            thread.join(timeout=10)


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[None]:
    _finish_background_refreshes()
    monkeypatch.setenv("CONTACT_CENTRE_PHONE", "01632 960000")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'absent' / 'none.db'}")
    monkeypatch.setenv("STAFF_CHANNEL_TOKEN", "s3cret")
    get_settings.cache_clear()
    contact_line.forget()
    yield
    _finish_background_refreshes()
    get_settings.cache_clear()
    contact_line.forget()


async def post(body: Any, rasa: Rasa, **request: Any) -> tuple[int, Any]:
    channel = HereToHelpRestInput()
    result = await channel.handle(FakeRequest(body, **request), rasa)
    return result.status, json.loads(result.body)


async def test_a_5000_character_message_gets_a_clear_reply_and_never_reaches_rasa() -> None:
    rasa = Rasa()
    status, replies = await post({"sender": "r1", "message": "x" * 5000}, rasa)
    assert status == 200
    assert replies == [
        {
            "recipient_id": "r1",
            "text": "Sorry, that message is too long for me. "
            "Please keep it under 500 characters and try again.",
        },
        {"recipient_id": "r1", "custom": {"answer": {"kind": "refused", "services": []}}},
    ]
    assert rasa.received == []


async def test_a_message_of_exactly_500_characters_is_processed() -> None:
    rasa = Rasa(reply=[{"text": "ok"}])
    _, replies = await post({"sender": "r1", "message": "y" * 500}, rasa)
    assert len(rasa.received) == 1
    assert replies[0]["text"] == "ok"


@pytest.mark.parametrize("message", ["", "   \n ", None, 42])
async def test_an_empty_message_gets_a_clear_reply_and_is_not_processed(message: Any) -> None:
    rasa = Rasa()
    _, replies = await post({"sender": "r1", "message": message}, rasa)
    assert replies[0]["text"] == "I did not receive a message. Please type what you need help with."
    assert rasa.received == []


async def test_a_body_that_is_not_a_json_object_is_refused_with_what_is_expected() -> None:
    status, reply = await post(["not", "an", "object"], Rasa())
    assert status == 400
    assert "must be a JSON object" in reply["error"]


async def test_a_staff_claim_from_the_public_without_the_token_reaches_rasa_as_resident(caplog) -> None:
    rasa = Rasa(reply=[{"text": "ok"}])
    await post({"sender": "r1", "message": "missed bin", "metadata": {"channel": "staff"}}, rasa)
    assert rasa.received[0].metadata["channel"] == "resident"
    assert "staff channel claim without the staff token" in caplog.text


async def test_the_staff_proxy_with_the_token_reaches_rasa_as_staff() -> None:
    rasa = Rasa(reply=[{"text": "ok"}])
    await post(
        {"sender": "o1", "message": "missed bin", "metadata": {"channel": "staff"}},
        rasa,
        headers={"X-Here-To-Help-Staff-Token": "s3cret"},
    )
    assert rasa.received[0].metadata["channel"] == "staff"
    assert rasa.received[0].input_channel == "rest"


async def test_a_turn_that_produces_no_reply_gets_the_contact_centre_number(caplog) -> None:
    caplog.set_level(logging.ERROR)
    _, replies = await post({"sender": "r1", "message": "my private words about a bin"}, Rasa(reply=[]))
    assert replies == [
        {
            "recipient_id": "r1",
            "text": "Sorry, I cannot look that up right now. Please call our contact centre on 01632 960000, "
            "or try again in a few minutes.",
        },
        {"recipient_id": "r1", "custom": {"answer": {"kind": "unmet", "services": []}}},
    ]
    assert "produced no reply" in caplog.text
    assert "private words" not in caplog.text


async def test_a_turn_that_fails_gets_the_contact_centre_number_and_the_error_is_logged_without_the_text(
    caplog,
) -> None:
    caplog.set_level(logging.ERROR)
    _, replies = await post(
        {"sender": "r1", "message": "my private words"}, Rasa(error=ConnectionError("tracker store down"))
    )
    assert "01632 960000" in replies[-2]["text"]
    assert replies[-1]["custom"]["answer"]["kind"] == "unmet"
    assert "a turn failed (ConnectionError)" in caplog.text
    assert "private words" not in caplog.text


async def test_a_number_learnt_from_the_directory_is_preferred_to_the_setting() -> None:
    contact_line.remember("01632 960100")
    _, replies = await post({"sender": "r1", "message": "hello"}, Rasa(reply=[]))
    assert "01632 960100" in replies[0]["text"]


async def test_someone_in_danger_gets_the_emergency_numbers_when_the_action_server_is_down(caplog) -> None:
    caplog.set_level(logging.ERROR)
    _, replies = await post({"sender": "r1", "message": "i want to kill myself"}, Rasa(reply=[]))
    text, closing = replies
    assert text["text"].startswith("If your life, or someone else's, is in danger right now, call 999.")
    assert "116 123" in text["text"] and "85258" in text["text"]
    assert "contact centre" not in text["text"]
    assert closing["custom"]["answer"]["kind"] == "crisis"
    assert closing["custom"]["answer"]["category"] == "suicide_self_harm"
    assert "kill myself" not in caplog.text


async def test_a_fire_reported_while_the_turn_fails_gets_999_and_no_contact_centre() -> None:
    _, replies = await post(
        {"sender": "r1", "message": "theres a fire in the flat downstairs"},
        Rasa(error=ConnectionError("tracker store down")),
    )
    assert replies[0]["text"].startswith("Call 999 now and ask for the fire service.")
    assert replies[-1]["custom"]["answer"] == {
        "kind": "crisis",
        "services": [],
        "category": "fire",
        "lines": [{"name": "Fire and rescue", "number": "999"}],
    }
