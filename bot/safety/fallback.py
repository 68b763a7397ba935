"""The safety check where the NLU pipeline is not there to run it: the REST channel's fallback, the web app's
fallback and the staff lookup. One place composes the answer and one logs it, so the three cannot drift.

Both functions never raise: a fallback that fails must still give the contact-centre number or the results.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.safety.catalogue import cached_safety
from bot.safety.detect import CrisisMatch, detect
from bot.safety.reply import CrisisReply, crisis_reply

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrisisAnswer:
    match: CrisisMatch
    reply: CrisisReply
    label: str
    """The category's label ("Suicidal thoughts or self-harm"), for the staff lookup's heading."""


def answer_crisis(text: str, channel: str) -> CrisisAnswer | None:
    """The numbers for `text` when it shows a crisis, else None (also when the check itself fails, logged).

    Never waits for the learned layer to be fitted: a reply must not be held up by it.
    """
    try:
        knowledge = cached_safety()
        match = detect(text, knowledge, wait=False)
        if match is None:
            return None
        reply = crisis_reply(match, knowledge, channel=channel)
        return CrisisAnswer(match=match, reply=reply, label=knowledge.categories[match.category].label)
    except Exception:  # noqa: BLE001 - the caller's ordinary reply still goes out
        logger.exception("the safety check failed in a fallback")
        return None


def record_crisis_quietly(engine: Engine | None, conversation_id: str, channel: str, category: str) -> None:
    """Log a crisis answered by a fallback (None: the settings' database), spooled if the database is down."""
    try:
        from bot.gaplog.record import crisis_entry
        from bot.gaplog.spool import write_or_spool

        write_or_spool(
            [crisis_entry(conversation_id=conversation_id, channel=channel, category=category)], engine
        )
    except Exception as error:  # noqa: BLE001 - the numbers were given; the log line is second
        logger.error("could not log a crisis answered by a fallback (%s)", type(error).__name__)
