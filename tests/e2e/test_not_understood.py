"""Every turn the assistant does not understand gives the contact-centre number and a gap-log entry; text led
by symbols is never taken for a button's choice (issue #20: `-2+3` was `choose_service` at up to 93%)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import gap_reasons

pytestmark = pytest.mark.rasa

SYMBOL_LED = ["-2+3", "<img src=x onerror=alert(1)>", "@SUM(1+1)"]


@pytest.mark.parametrize("message", SYMBOL_LED)
async def test_a_symbol_led_message_gets_the_contact_centre_number_and_a_gap_entry(
    e2e, chat, action_server, message
) -> None:
    sender = f"e2e-symbols-{re.sub(r'[^a-z0-9]', '', message.lower())[:12] or 'x'}"
    replies = await chat(sender, message)
    said = " ".join(reply.get("text", "") for reply in replies)
    assert "not sure which one you mean" not in said
    assert "01632 960100" in said
    assert replies[-1]["custom"]["answer"]["kind"] == "unmet"
    assert gap_reasons(e2e, sender) == ["not_understood"]


async def test_after_buttons_a_symbol_led_message_is_still_not_a_choice(e2e, chat, action_server) -> None:
    sender = "e2e-symbols-after-buttons"
    await chat(sender, "rubbish")
    replies = await chat(sender, "-2+3")
    said = " ".join(reply.get("text", "") for reply in replies)
    assert "01632 960100" in said
    assert "not_understood" in gap_reasons(e2e, sender)
