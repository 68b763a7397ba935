"""The REST channel residents and staff reach the assistant through, at `/webhooks/rest/webhook`.

It is Rasa's REST channel (`{"sender", "message", "metadata"}` in, a list of bot messages out) with three
guarantees added in front of Rasa:

1. An empty message, or one longer than MAX_MESSAGE_CHARS (500), gets a clear reply and is not processed at
   all: no NLU, no tracker, nothing stored.
2. A staff claim (`"metadata": {"channel": "staff"}`) is only honoured when the request proves it comes from
   the web app's staff proxy (`bot.conversation.channel`); otherwise the message is treated as a resident's.
3. The resident is never left without a reply: if the turn fails, or produces no message at all (the action
   server is down, so Rasa logs the error and carries on silently), the reply carries the contact-centre
   number, kept in memory (`bot.conversation.contact_line`: no database read when something has failed), and
   the question goes into the gap log as `unavailable` (spooled if the database cannot take it,
   `bot.gaplog.spool`). The failure is logged, without what the person typed. A message that shows a crisis
   gets the emergency numbers instead (`bot.safety`), composed here without the action server or the
   database.

Every reply ends with the answer metadata (`{"custom": {"answer": ...}}`, bot.conversation.answer_meta),
including refusals (`refused`) and the fallback (`unmet` or `crisis`).

Registered in credentials.yml as `bot.conversation.rest_channel.HereToHelpRestInput`; its name is still `rest`
so the webhook path and the web app's proxy do not change.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation import answer_meta, answers, contact_line
from bot.conversation.channel import STAFF_TOKEN_HEADER, channel_from_metadata, vetted_metadata
from bot.gaplog.spool import record_unmet_quietly
from bot.settings import get_settings

logger = logging.getLogger(__name__)


def _answer_message(sender: str, answer: dict[str, Any]) -> dict[str, Any]:
    return {"recipient_id": sender, "custom": answer_meta.message(answer)}


def crisis_messages(sender: str, text: str, channel: str) -> tuple[list[dict[str, Any]], str | None]:
    """The emergency numbers when the message shows a crisis (no database needed), and its category."""
    from bot.safety.fallback import answer_crisis

    found = answer_crisis(text, channel)
    if found is None:
        return [], None
    return [
        {"recipient_id": sender, "text": found.reply.text},
        _answer_message(sender, found.reply.answer),
    ], found.match.category


def check_message(text: Any, limit: int) -> str | None:
    """The reply to a message that must not be processed (empty, not text, too long), or None."""
    if not isinstance(text, str) or not text.strip():
        return answers.EMPTY_MESSAGE
    if len(text) > limit:
        return answers.too_long(limit)
    return None


REFRESH_THREAD_NAME = contact_line.REFRESH_THREAD_NAME
"""The background thread that reads the contact-centre number from the directory when a channel starts."""


class HereToHelpRestInput(RestInput):
    """Rasa's REST input with message limits, a vetted channel and a reply that never comes back empty."""

    def __init__(self, max_message_chars: int | None = None, staff_token: str | None = None) -> None:
        settings = get_settings()
        self.max_message_chars = max_message_chars or settings.max_message_chars
        self.staff_token = settings.staff_channel_token if staff_token is None else staff_token
        contact_line.refresh_in_background(force=True)

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HereToHelpRestInput:
        credentials = credentials or {}
        return cls(
            max_message_chars=credentials.get("max_message_chars"), staff_token=credentials.get("staff_token")
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle(request, on_new_message)

        return webhook

    async def handle(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        try:
            body = request.json
        except Exception:  # noqa: BLE001 - sanic raises its own error type for a broken body
            body = None
        if not isinstance(body, dict):
            return response.json(
                {"error": 'The request body must be a JSON object: {"sender": "...", "message": "..."}.'},
                status=400,
            )
        sender = str(body.get("sender") or "default")
        refusal = check_message(body.get("message"), self.max_message_chars)
        if refusal is not None:
            return response.json(
                [
                    {"recipient_id": sender, "text": refusal},
                    _answer_message(sender, answer_meta.build(answer_meta.REFUSED)),
                ]
            )
        metadata = vetted_metadata(
            body.get("metadata") if isinstance(body.get("metadata"), dict) else None,
            presented_token=request.headers.get(STAFF_TOKEN_HEADER),
            configured_token=self.staff_token,
            remote_address=request.ip,
        )
        if metadata.get("channel_downgraded"):
            logger.warning("a staff channel claim without the staff token was treated as resident")
        channel = channel_from_metadata(metadata)
        collector = CollectingOutputChannel()
        failed = False
        try:
            await on_new_message(
                UserMessage(body["message"], collector, sender, input_channel=self.name(), metadata=metadata)
            )
        except asyncio.CancelledError:
            logger.error("a turn was cancelled before it finished; replied with the contact centre")
            failed = True
        except Exception as error:  # noqa: BLE001 - whatever broke, the resident gets a number
            logger.error("a turn failed (%s); replied with the contact centre", type(error).__name__)
            failed = True
        contact_line.refresh_in_background()  # when due: the number must be in memory before it is needed
        messages = list(collector.messages)
        if failed or not messages:
            if not failed:
                logger.error(
                    "a turn produced no reply (is the action server up?); replied with the contact centre"
                )
            messages.extend(await self._fallback(sender, body["message"], channel))
        return response.json(messages)

    @staticmethod
    async def _fallback(sender: str, text: str, channel: str) -> list[dict[str, Any]]:
        """The crisis numbers if the message shows a crisis, otherwise the contact centre's number."""
        loop = asyncio.get_running_loop()
        replies, category = crisis_messages(sender, text, channel)
        if category is not None:
            from bot.safety.fallback import record_crisis_quietly

            loop.run_in_executor(None, record_crisis_quietly, None, sender, channel, category)
            return replies
        phone = contact_line.current(channel)  # from memory: the database may be what failed
        loop.run_in_executor(None, partial(record_unmet_quietly, None, sender, channel, text))
        return [
            {"recipient_id": sender, "text": answers.unavailable(phone)},
            _answer_message(sender, answer_meta.build(answer_meta.UNMET)),
        ]
