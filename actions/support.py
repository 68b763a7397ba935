"""What every action shares: reading the turn from the tracker and running it off the event loop.

Database work happens in a worker thread (`asyncio.to_thread`), because rasa-sdk runs actions on its event
loop and one blocking query would hold up every other conversation. If the database cannot be read, the
resident still gets a reply with the contact-centre number; the failure is logged without what they typed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation import answer_meta, answers, contact_line, turns
from bot.conversation.channel import channel_from_metadata
from bot.conversation.opening import london_now
from bot.settings import get_settings

logger = logging.getLogger(__name__)

NOT_A_SEARCH = frozenset({"affirm", "deny", "choose_service", "greet", "goodbye", "thanks", "crisis"})


def _last_search(tracker: Tracker) -> tuple[str, list[Mapping[str, Any]], float | None]:
    """The most recent message that named a need (a search, or confident candidates under any other label,
    since such messages are signposted too): its text, services and threshold."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        parse = event.get("parse_data") or {}
        intent = (parse.get("intent") or {}).get("name")
        if intent in NOT_A_SEARCH:
            continue
        services = parse.get("services") or []
        threshold = parse.get("service_threshold")
        if intent == "find_service" or (
            threshold is not None and turns.is_confident(services, float(threshold))
        ):
            return event.get("text") or "", list(services), threshold
    return "", [], None


def turn_input(tracker: Tracker) -> turns.TurnInput:
    """The turn as `bot.conversation.turns` sees it: this message, its candidates and the remembered slots."""
    latest = tracker.latest_message or {}
    query_text, query_services, query_threshold = _last_search(tracker)
    threshold = latest.get("service_threshold")
    if threshold is None:
        threshold = query_threshold if query_threshold is not None else 0.0
    return turns.TurnInput(
        conversation_id=tracker.sender_id,
        channel=channel_from_metadata(latest.get("metadata")),
        now=london_now(get_settings().timezone),
        text=latest.get("text") or "",
        intent=(latest.get("intent") or {}).get("name") or "",
        services=list(latest.get("services") or []),
        threshold=float(threshold),
        service_id=tracker.get_slot("service_id"),
        candidates=list(tracker.get_slot("candidates") or []),
        offered=list(tracker.get_slot("offered") or []),
        postcode=tracker.get_slot("postcode"),
        feedback_pending=bool(tracker.get_slot("feedback_pending")),
        query_text=query_text,
        query_services=query_services,
    )


def _in_session(function: Callable[..., turns.Outcome], turn: turns.TurnInput, *args: Any) -> turns.Outcome:
    from bot.db import get_engine, session_scope

    engine = get_engine()
    with session_scope(engine) as session:
        outcome = function(session, turn, *args)
    contact_line.refresh(engine)  # when due: the number must be in memory before the database fails
    return outcome


def _write_records(turn: turns.TurnInput, records: list) -> None:
    """Write the turn's gap-log rows, or spool them (redacted) when the database cannot take them now."""
    from bot.gaplog.spool import write_or_spool

    write_or_spool(turns.record_rows(turn, records))


async def run_turn(
    name: str,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    function: Callable[..., turns.Outcome],
    *args: Any,
) -> list[EventType]:
    """Run one turn in a worker thread, send its replies, record it, and return its slot events."""
    turn = turn_input(tracker)
    try:
        outcome = await asyncio.to_thread(_in_session, function, turn, *args)
    except Exception as error:  # noqa: BLE001 - whatever broke, the resident gets a number to call
        logger.error(
            "%s could not read the directory (%s); replied with the contact centre",
            name,
            type(error).__name__,
        )
        dispatcher.utter_message(text=answers.unavailable(contact_line.current(turn.channel)))
        dispatcher.utter_message(json_message=answer_meta.message(answer_meta.build(answer_meta.UNMET)))
        _spool_in_background(turn)
        return [SlotSet("channel", turn.channel)]
    return await send_outcome(name, dispatcher, turn, outcome)


def _spool_in_background(turn: turns.TurnInput) -> None:
    """The question the directory could not be read for goes into the gap log (spooled), off the reply."""
    from bot.gaplog.spool import record_unmet_quietly

    if turn.text and not turn.text.startswith("/"):
        asyncio.get_running_loop().run_in_executor(
            None, record_unmet_quietly, None, turn.conversation_id, turn.channel, turn.text
        )


async def send_outcome(
    name: str,
    dispatcher: CollectingDispatcher,
    turn: turns.TurnInput,
    outcome: turns.Outcome,
    records_timeout: float | None = None,
) -> list[EventType]:
    """Send the replies and the closing answer metadata, write the records, and return the slot events.

    The replies only leave when the action returns, so `records_timeout` bounds how long a slow database may
    hold them back; past it the write carries on in its thread and the reply goes out.
    """
    for reply in outcome.replies:
        if reply.buttons:
            dispatcher.utter_message(text=reply.text, buttons=[dict(button) for button in reply.buttons])
        else:
            dispatcher.utter_message(text=reply.text)
    answer = outcome.answer or answer_meta.build(answer_meta.CONVERSATION)
    dispatcher.utter_message(json_message=answer_meta.message(answer))
    if outcome.records:
        try:
            await asyncio.wait_for(asyncio.to_thread(_write_records, turn, outcome.records), records_timeout)
        except Exception as error:  # noqa: BLE001 - the answer was given; losing a log line must not undo it
            logger.error("%s could not write the gap log (%s)", name, type(error).__name__)
    events: list[EventType] = [SlotSet(slot, value) for slot, value in outcome.slots.items()]
    events.append(SlotSet("channel", turn.channel))
    return events
