"""Follow-ups about the service already found: contact details, opening hours, a postcode."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.support import run_turn
from bot.conversation import turns


class ActionContactDetails(Action):
    def name(self) -> str:
        return "action_contact_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await run_turn(self.name(), dispatcher, tracker, turns.contact_details)


class ActionOpeningHours(Action):
    def name(self) -> str:
        return "action_opening_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await run_turn(self.name(), dispatcher, tracker, turns.opening_hours)


class ActionPostcode(Action):
    def name(self) -> str:
        return "action_postcode"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await run_turn(self.name(), dispatcher, tracker, turns.postcode)
