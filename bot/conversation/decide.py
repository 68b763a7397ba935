"""The one decision a message gets on its own: safety, then conversation, then routing, then the answer.

`turn_intent` settles which kind of turn a parsed message is: a crisis (set by the safety check) first; a
conversational intent (greet, thanks, goodbye, "are you a bot", help) only when the message carries no
service or body evidence, so "pip", "dvla" or "thanks, where do I renew my passport" are questions and not
small talk; everything else is a search. The Rasa pipeline applies it (`bot.conversation.rasa_intent_guard`)
and the rules send each intent to its action, which renders what `bot.conversation.turns` decides.

`first_answer` is the whole decision for a message that opens a conversation, returning the `Outcome` the
bot gives, with its answer metadata; `here-to-help evaluate --answers` writes that metadata per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy.orm import Session

from bot.conversation import answer_meta, turns
from bot.conversation.answers import CHOOSE_INTENT
from bot.conversation.followups import FOLLOW_UP_WORDS, names_a_need, reads_as_a_choice

CRISIS_INTENT = "crisis"
SEARCH_INTENT = "find_service"
CONVERSATION_INTENTS = frozenset({"greet", "goodbye", "thanks", "bot_challenge", "help", "out_of_scope"})
"""Intents answered without the directory. They give way to a search when the message names a need."""
_SMALL_TALK = """
hi hiya hello hey heya hallo morning afternoon evening good night bye goodbye byee see you later cya ta
thanks thank thankyou thx cheers lovely brilliant great awesome nice kind much very lot appreciated
bot robot chatbot automated ai human real computer machine am are you who what help helping helpful assist
assistance can could talk talking speak speaking chat chatting
would like please pls sorry okay yes yeah no nope hmm er erm lol haha
"""
SMALL_TALK_WORDS = frozenset(re.findall(r"\S+", _SMALL_TALK))
CONVERSATION_RESPONSES = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thanks": "utter_you_are_welcome",
    "bot_challenge": "utter_iamabot",
    "help": "utter_help",
}
"""The domain's response for each conversational intent (domain.yml holds the words)."""


@lru_cache(maxsize=1)
def _domain_texts() -> dict[str, str]:
    from bot import PROJECT_ROOT

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    responses = domain.get("responses") or {}
    return {name: str((variants or [{}])[0].get("text") or "") for name, variants in responses.items()}


def conversation_reply(intent: str) -> str:
    """The words domain.yml gives the bot for a conversational intent (help's for anything else)."""
    texts = _domain_texts()
    return texts.get(CONVERSATION_RESPONSES.get(intent, "utter_help"), "")


def has_service_evidence(text: str, services: Sequence[Mapping[str, Any]], threshold: float) -> bool:
    """The message names something beyond small talk, and the router is confident about a service for it."""
    return names_a_need(text, SMALL_TALK_WORDS) and turns.is_confident(services, threshold)


def turn_intent(intent: str, text: str, services: Sequence[Mapping[str, Any]], threshold: float) -> str:
    """The intent the turn is answered as (see the module's docstring).

    `choose_service` is a button's payload (`/choose_service{...}`), or words that pick a button ("the
    second one"); any other text the classifier calls a choice (`-2+3`, `@SUM(1+1)`) was not understood,
    and is answered as such: the contact-centre number and a gap-log entry."""
    if intent in CONVERSATION_INTENTS and has_service_evidence(text, services, threshold):
        return SEARCH_INTENT
    if intent == CHOOSE_INTENT and not text.startswith("/") and not reads_as_a_choice(text):
        return turns.NLU_FALLBACK
    return intent


def _only_small_talk(text: str) -> bool:
    words = re.findall(r"[a-z']+", text.lower())
    return not any(word not in SMALL_TALK_WORDS and word not in FOLLOW_UP_WORDS for word in words)


TURNS: dict[str, Callable[[Session, turns.TurnInput], turns.Outcome]] = {
    SEARCH_INTENT: turns.signpost,
    "ask_contact": turns.contact_details,
    "ask_open": turns.opening_hours,
    "ask_person": turns.handoff,
    "inform_postcode": turns.postcode,
    "choose_service": lambda session, turn: turns.choose_service(session, turn, None),
    "affirm": lambda session, turn: turns.feedback(session, turn, positive=True),
    "deny": lambda session, turn: turns.feedback(session, turn, positive=False),
}
"""The turn each intent is answered with, as data/rules.yml sends it (anything else: `turns.unmet`)."""


def first_answer(
    session: Session,
    parse: Mapping[str, Any],
    *,
    channel: str,
    now: datetime,
    conversation_id: str = "evaluate",
) -> turns.Outcome:
    """What the bot answers to `parse` (a Rasa parse result) as the first message of a conversation.

    The order is the product's: a crisis gets the numbers; then small talk without a need is answered as
    conversation; anything else is routed, and the router's confident services are signposted (another
    body's plainly), offered as choices when close, or the message is logged unmet.
    """
    text = str(parse.get("text") or "")
    intent = str((parse.get("intent") or {}).get("name") or "")
    services = list(parse.get("services") or [])
    threshold = float(parse.get("service_threshold") or 0.0)
    turn = turns.TurnInput(
        conversation_id=conversation_id,
        channel=channel,
        now=now,
        text=text,
        intent=intent,
        services=services,
        threshold=threshold,
        query_text=text,
        query_services=services,
    )
    crisis = _crisis(turn, parse.get("crisis")) if intent == CRISIS_INTENT else None
    if crisis is not None:
        return crisis
    intent = turn_intent(intent, text, services, threshold)
    if intent in CONVERSATION_RESPONSES or (intent == "out_of_scope" and _only_small_talk(text)):
        outcome = turns.Outcome(answer=answer_meta.build(answer_meta.CONVERSATION))
        outcome.say(conversation_reply(intent))
        return outcome
    return TURNS.get(intent, turns.unmet)(session, turn)


def _crisis(turn: turns.TurnInput, found: Any) -> turns.Outcome | None:
    """The numbers for the finding the safety check put in the parse, or None if it is not one."""
    from bot.safety.catalogue import cached_safety
    from bot.safety.detect import crisis_from_parse
    from bot.safety.reply import crisis_reply

    knowledge = cached_safety()
    match = crisis_from_parse(found, knowledge)
    if match is None:
        return None
    reply = crisis_reply(match, knowledge, channel=turn.channel)
    return turns.crisis(turn, reply.text, reply.answer, match.category)
