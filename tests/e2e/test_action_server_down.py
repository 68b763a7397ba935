"""When the action server is down, Rasa carries on silently; the REST channel still answers with a number."""

from __future__ import annotations

import logging

import pytest

pytestmark = pytest.mark.rasa


async def test_with_no_action_server_the_resident_gets_the_contact_centre_number(chat, clock, caplog) -> None:
    # No `action_server` fixture: nothing listens on the agent's action port.
    caplog.set_level(logging.ERROR)
    replies = await chat("e2e-no-actions", "my private bin complaint")
    reply, closing = replies
    assert closing["custom"]["answer"] == {"kind": "unmet", "services": []}
    assert reply["text"].startswith(
        "Sorry, I cannot look that up right now. Please call our contact centre on"
    )
    assert "01632 960100" in reply["text"] or "contact centre on ," not in reply["text"]
    assert "private bin complaint" not in caplog.text


async def test_with_no_action_server_a_greeting_still_works(chat) -> None:
    # Responses in the domain need no action server.
    replies = await chat("e2e-no-actions-2", "hello")
    assert replies[0]["text"].startswith("Hello")


async def test_with_no_action_server_someone_in_danger_still_gets_the_crisis_numbers(
    chat, clock, caplog
) -> None:
    caplog.set_level(logging.ERROR)
    replies = await chat("e2e-no-actions-crisis", "my friend says hes going to jump off the bridge")
    text, closing = replies
    assert text["text"].startswith("If your life, or someone else's, is in danger right now, call 999.")
    assert "116 123" in text["text"]
    assert closing["custom"]["answer"]["category"] == "suicide_self_harm"
    assert "jump off the bridge" not in caplog.text
