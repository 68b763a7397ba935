"""Hand-off to a person, feedback on an answer, and what the assistant could not help with."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.support import run_turn
from bot.conversation import turns


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await run_turn(self.name(), dispatcher, tracker, turns.handoff)


class ActionFeedback(Action):
    """Yes or no after "Did that answer your question?"."""

    def name(self) -> str:
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        positive = ((tracker.latest_message or {}).get("intent") or {}).get("name") == "affirm"
        return await run_turn(self.name(), dispatcher, tracker, _feedback, positive)


def _feedback(session: Any, turn: turns.TurnInput, positive: bool) -> turns.Outcome:
    return turns.feedback(session, turn, positive=positive)


class ActionUnmet(Action):
    """Out of scope, or not understood (nlu_fallback): a polite reply with a number, logged as unmet."""

    def name(self) -> str:
        return "action_unmet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await run_turn(self.name(), dispatcher, tracker, turns.unmet, turns.NOT_UNDERSTOOD)
