"""Rasa's SQL tracker store with residents' words redacted before they are written.

Rasa keeps every conversation's events (what the resident typed, the parse, the bot's replies, the slots) in
its tracker store. `RedactingSQLTrackerStore` is Rasa's own `SQLTrackerStore` except that each new event is
passed through `bot.gaplog.redaction.redact` on its way to the database: a user message's text, its parse
text and entity values, the bot's reply text (which can repeat a postcode) and the `postcode` slot (kept as
its outward code, which is all the area checks need). The turn being answered still sees the raw message; only
what is stored, and so what later turns read back, is redacted. `here-to-help run` configures it
(bot/rasa_endpoints.py).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.gaplog.redaction import redact

REDACTED_SLOTS = frozenset({"postcode"})
"""Slots that hold what a resident typed; the others hold service ids and flags."""


def _redacted_parse(parse: dict[str, Any]) -> dict[str, Any]:
    parse = copy.deepcopy(parse)
    if isinstance(parse.get("text"), str):
        parse["text"] = redact(parse["text"])
    for entity in parse.get("entities") or []:
        if isinstance(entity, dict) and isinstance(entity.get("value"), str):
            entity["value"] = redact(entity["value"])
    return parse


def redacted_event(event: Event) -> Event:
    """The event as it may be stored: resident text redacted, everything else as it was."""
    if isinstance(event, UserUttered):
        data = event.as_dict()
        data["text"] = redact(data.get("text") or "")
        data["parse_data"] = _redacted_parse(data.get("parse_data") or {})
        return Event.from_parameters(data)
    if isinstance(event, BotUttered) and event.text:
        data = event.as_dict()
        data["text"] = redact(event.text)
        return Event.from_parameters(data)
    if isinstance(event, SlotSet) and event.key in REDACTED_SLOTS and isinstance(event.value, str):
        return SlotSet(event.key, redact(event.value), timestamp=event.timestamp, metadata=event.metadata)
    return event


class RedactingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that stores redacted copies of new events (see the module docstring)."""

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        for event in super()._additional_events(session, tracker):
            yield redacted_event(event)
