"""Breadth through the live bot (the project's REST channel, the trained model, the action server): other
bodies' business said plainly, questions never mistaken for small talk, and no answer without evidence.

The national signposting catalogue (data/national/bodies.yml) is part of the demo directory with no extra
step: the session's model was trained after a plain `directory import` of data/directory/.
"""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import gap_reasons

pytestmark = [pytest.mark.rasa, pytest.mark.usefixtures("action_server")]


def new_sender() -> str:
    return f"breadth-{uuid.uuid4().hex[:12]}"


def answer_of(replies: list[dict]) -> dict:
    closing = [reply["custom"]["answer"] for reply in replies if "answer" in (reply.get("custom") or {})]
    assert closing, f"the turn ended without answer metadata: {replies}"
    return closing[-1]


def text_of(replies: list[dict]) -> str:
    return "\n".join(reply["text"] for reply in replies if "text" in reply)


async def test_a_resident_renewing_a_passport_is_told_it_is_hm_passport_office_not_the_council(chat, e2e):
    sender = new_sender()
    replies = await chat(sender, "how do i renew my passport")
    answer = answer_of(replies)
    assert answer["kind"] == "other_body" and answer["body"] == "HM Passport Office"
    assert answer["services"][0]["id"] == "national:hm_passport_office"
    assert text_of(replies).startswith("That's HM Passport Office, not Brackenford District Council:")
    assert "0300 222 0000" in text_of(replies)
    assert "other_organisation" in gap_reasons(e2e, sender)


async def test_pip_on_its_own_is_a_question_about_the_benefit_not_a_thank_you(chat):
    replies = await chat(new_sender(), "pip")
    answer = answer_of(replies)
    assert answer["kind"] == "other_body", text_of(replies)
    assert "Personal Independence Payment" in answer["body"]
    assert "welcome" not in text_of(replies).lower()


async def test_dvla_finds_the_councils_own_record_of_the_dvla(chat):
    replies = await chat(new_sender(), "dvla")
    answer = answer_of(replies)
    assert answer["kind"] == "other_body", text_of(replies)
    assert answer["body"].startswith("DVLA")


async def test_thanks_on_its_own_is_still_small_talk(chat):
    replies = await chat(new_sender(), "thanks very much")
    assert answer_of(replies)["kind"] == "conversation"


async def test_a_message_whose_words_the_directory_never_uses_is_unmet_not_a_random_service(chat, e2e):
    sender = new_sender()
    replies = await chat(sender, "flibbertigibbet")
    assert answer_of(replies) == {"kind": "unmet", "services": []}
    assert gap_reasons(e2e, sender)[-1] in {"not_understood", "low_confidence", "no_matching_service"}
