"""A need named by the resident, and a service picked from the buttons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.support import run_turn
from bot.conversation import turns


class ActionSignpost(Action):
    def name(self) -> str:
        return "action_signpost"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await run_turn(self.name(), dispatcher, tracker, turns.signpost)


class ActionChooseService(Action):
    def name(self) -> str:
        return "action_choose_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        chosen = next(tracker.get_latest_entity_values("service_id"), None)
        return await run_turn(self.name(), dispatcher, tracker, turns.choose_service, chosen)
