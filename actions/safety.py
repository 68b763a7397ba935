"""The crisis turn: the emergency numbers first, whatever else is working.

The reply needs nothing but the reviewed safety data. The council's own children's services or adult
safeguarding number is added when the directory answers within LOCAL_LOOKUP_SECONDS; the crisis is logged
(category only) when the gap log can be written. Neither failure delays or loses the numbers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.support import run_turn, send_outcome, turn_input
from bot.conversation import turns
from bot.directory.queries import ServiceDetails, services_with_lgsl
from bot.safety.catalogue import cached_safety
from bot.safety.detect import CrisisMatch, crisis_from_parse, detect
from bot.safety.reply import crisis_reply, local_codes

logger = logging.getLogger(__name__)

LOCAL_LOOKUP_SECONDS = 2.0


def match_from_parse(parse: dict[str, Any] | None, text: str) -> CrisisMatch | None:
    """The safety check's finding from the parse result (`crisis`), or the check run again on the text."""
    knowledge = cached_safety()
    found = crisis_from_parse((parse or {}).get("crisis"), knowledge)
    if found is not None:
        return found
    # The NLU pipeline has run the whole check already; this only covers a parse that lost its `crisis`,
    # with the patterns alone, so the action server never fits the learned layer on its event loop.
    return detect(text, knowledge, learned=False)


def _local_services(codes: tuple[int, ...]) -> list[ServiceDetails]:
    from bot.db import get_engine, session_scope

    with session_scope(get_engine()) as session:
        return services_with_lgsl(session, codes)


async def local_services(codes: tuple[int, ...]) -> list[ServiceDetails]:
    """The council's own services for these codes, or none if the directory is slow or down."""
    if not codes:
        return []
    try:
        return await asyncio.wait_for(asyncio.to_thread(_local_services, codes), LOCAL_LOOKUP_SECONDS)
    except Exception as error:  # noqa: BLE001 - the national numbers go out regardless
        logger.error("the crisis reply could not read local services (%s)", type(error).__name__)
        return []


class ActionCrisis(Action):
    """Someone may be in danger (intent `crisis`, set by the safety check)."""

    def name(self) -> str:
        return "action_crisis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        turn = turn_input(tracker)
        match = match_from_parse(tracker.latest_message, turn.text)
        if match is None:  # cannot happen through the rules; answer as an ordinary turn if it does
            return await run_turn(self.name(), dispatcher, tracker, turns.signpost)
        knowledge = cached_safety()
        services = await local_services(local_codes(match, knowledge))
        reply = crisis_reply(match, knowledge, local_services=services, channel=turn.channel)
        outcome = turns.crisis(turn, reply.text, reply.answer, match.category)
        return await send_outcome(
            self.name(), dispatcher, turn, outcome, records_timeout=LOCAL_LOOKUP_SECONDS
        )
