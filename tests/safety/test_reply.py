"""The crisis reply: the first category's numbers first, and the key numbers of any other it also shows."""

from __future__ import annotations

from bot.safety.catalogue import cached_safety
from bot.safety.detect import detect
from bot.safety.reply import crisis_reply


def test_someone_suicidal_whose_husband_hits_her_gets_both_kinds_of_help_and_999_once() -> None:
    knowledge = cached_safety()
    match = detect("i want to kill myself and my husband hits me", knowledge, learned=False)
    assert match is not None and match.categories[:2] == ("suicide_self_harm", "domestic_abuse")
    reply = crisis_reply(match, knowledge)
    lines = reply.text.splitlines()
    assert lines[0] == "If your life, or someone else's, is in danger right now, call 999."
    assert any("Samaritans" in line for line in lines)
    assert any("999 then 55" in line for line in lines)  # the Silent Solution is not lost
    assert any("0808 2000 247" in line for line in lines)
    assert sum("call 999" in line for line in lines) == 1
    assert reply.answer["category"] == "suicide_self_harm"
    assert {"name": "Silent Solution", "number": "999 then 55"} in reply.answer["lines"]


def test_a_power_cut_gets_105_and_no_emergency_wording_beyond_the_medical_equipment_line() -> None:
    knowledge = cached_safety()
    match = detect("power cut on our whole street since 6pm", knowledge, learned=False)
    assert match is not None and match.category == "power_cut"
    assert crisis_reply(match, knowledge).text.startswith("Call 105, free, to report a power cut")
