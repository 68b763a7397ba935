"""The resident side of the web app: the demo council page at `/` and `POST /api/chat`.

`/api/chat` is the only way the public widget reaches the assistant. It proxies to Rasa's REST webhook on the
loopback interface, so Rasa itself is never exposed, and it is where the public is held to the rules: a
message of 1 to 500 characters, a plausible sender id, a per-client rate limit, and always the resident
channel whatever the client claims (staff-only numbers must never reach the public). When Rasa cannot be
reached the resident is told so, with the contact centre's number (kept in memory, never read from the
database at that moment), instead of being left waiting, and the question is kept in the gap log; and a
message that shows someone may be in danger gets the emergency numbers from the safety check (bot.safety),
which needs neither Rasa nor the database.

Each reply list ends with the turn's answer metadata as `{"answer": {...}}` (bot.conversation.answer_meta).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.background import BackgroundTasks

from bot.conversation import answer_meta
from bot.conversation.answer_meta import ANSWER_KEY
from bot.conversation.channel import RESIDENT
from bot.db import session_scope
from bot.gaplog.spool import record_unmet_quietly
from bot.safety.fallback import record_crisis_quietly
from bot.settings import Settings
from bot.web.deps import app_engine, app_settings
from bot.web.rate_limit import RateLimit, TokenBucketLimiter
from bot.web.templating import templates

log = logging.getLogger(__name__)

MIN_BODY_BYTES = 8 * 1024
"""A request body larger than this (or 16 bytes a character of MAX_MESSAGE_CHARS, the setting that limits a
message on every channel, when that is more) cannot hold an allowed message, so it is refused unread."""
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
JSON_SHAPE = 'The request must be a JSON object: {"sender": "...", "message": "..."}.'
REST_WEBHOOK_PATH = "/webhooks/rest/webhook"
WIDGET_SCRIPT_PATH = "/static/widget/here-to-help.js"

router = APIRouter(tags=["resident chat"])


class ChatRefused(Exception):
    """A request the endpoint will not pass on, with the status and the sentence the resident reads."""

    def __init__(self, status_code: int, error: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.error = error
        self.message = message
        self.headers = headers or {}


# --- the contact centre's number, for when the assistant is down --------------------------------------------


def contact_centre_phone(settings: Settings) -> str:
    """The number kept in memory (bot.conversation.contact_line): never a database read, since the database
    may be what failed."""
    from bot.conversation import contact_line

    return contact_line.current(RESIDENT, settings)


def unavailable_message(phone: str) -> str:
    if phone:
        return (
            "Sorry, the assistant is not available at the moment. Please call our contact centre on "
            f"{phone}, or try again in a few minutes."
        )
    return "Sorry, the assistant is not available at the moment. Please try again in a few minutes."


# --- checking what the public sends -------------------------------------------------------------------------


def _limiter(request: Request, settings: Settings) -> TokenBucketLimiter:
    """One limiter per app and limit, kept on the app so each test app starts with full buckets."""
    limit = RateLimit.parse(settings.chat_rate_limit)
    limiter = getattr(request.app.state, "chat_limiter", None)
    if limiter is None or limiter.limit != limit:
        limiter = TokenBucketLimiter(limit)
        request.app.state.chat_limiter = limiter
    return limiter


def client_key(request: Request) -> str:
    """The client's IP address: the connecting one, or a trusted proxy's X-Forwarded-For (bot.web.proxies)."""
    return request.client.host if request.client else "unknown"


def check_rate(request: Request, settings: Settings) -> None:
    limiter = _limiter(request, settings)
    wait = limiter.acquire(client_key(request))
    if wait > 0:
        seconds = limiter.retry_after_seconds(wait)
        raise ChatRefused(
            429,
            "rate_limited",
            f"You are sending messages too quickly. Please wait {seconds} "
            f"second{'s' if seconds != 1 else ''} and try again.",
            {"Retry-After": str(seconds)},
        )


async def read_chat_request(request: Request) -> tuple[str, str]:
    """(sender, message) from the JSON body, or ChatRefused saying exactly what is wrong."""
    limit = app_settings(request).max_message_chars
    max_body_bytes = max(MIN_BODY_BYTES, 16 * limit)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body_bytes:
        raise ChatRefused(413, "too_long", too_long_message(None, limit))
    body = await request.body()
    if len(body) > max_body_bytes:
        raise ChatRefused(413, "too_long", too_long_message(None, limit))
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ChatRefused(400, "bad_request", JSON_SHAPE) from None
    if not isinstance(data, dict):
        raise ChatRefused(400, "bad_request", JSON_SHAPE)
    sender = data.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
        raise ChatRefused(
            422,
            "bad_sender",
            '"sender" must be 1 to 64 letters, digits, hyphens or underscores (the widget sends a UUID).',
        )
    message = data.get("message")
    if not isinstance(message, str):
        raise ChatRefused(422, "bad_message", '"message" must be text.')
    if not message.strip():
        raise ChatRefused(422, "empty_message", "Please type your question before sending it.")
    if len(message) > limit:
        raise ChatRefused(413, "too_long", too_long_message(len(message), limit))
    return sender, message


def too_long_message(length: int | None, limit: int) -> str:
    size = f"Your message is {length} characters long. " if length else "Your message is too long. "
    return f"{size}Please keep it to {limit} characters or fewer and send it again."


# --- talking to Rasa ----------------------------------------------------------------------------------------


class RasaUnavailable(Exception):
    """Rasa did not answer, answered with an error, or answered something that is not a list of messages."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out
        """Rasa has the message and may still answer it, and log it itself if it cannot."""


def public_reply(message: Any) -> dict[str, Any] | None:
    """The parts of one Rasa message the widget uses (text, buttons, the answer), None if nothing."""
    if not isinstance(message, dict):
        return None
    custom = message.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get(ANSWER_KEY), dict):
        return {ANSWER_KEY: custom[ANSWER_KEY]}
    reply: dict[str, Any] = {}
    if isinstance(message.get("text"), str):
        reply["text"] = message["text"]
    buttons = [
        {"title": str(button["title"]), "payload": str(button.get("payload") or button["title"])}
        for button in message.get("buttons") or []
        if isinstance(button, dict) and isinstance(button.get("title"), str)
    ]
    if buttons:
        reply["buttons"] = buttons
    return reply or None


async def ask_rasa(settings: Settings, sender: str, message: str) -> list[dict[str, Any]]:
    """Send one resident message to Rasa's REST webhook and return the bot's messages."""
    payload = {"sender": sender, "message": message, "metadata": {"channel": RESIDENT}}
    timeout = httpx.Timeout(settings.chat_timeout_seconds, connect=min(5.0, settings.chat_timeout_seconds))
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.post(settings.rasa_url + REST_WEBHOOK_PATH, json=payload)
    except httpx.TimeoutException as error:
        raise RasaUnavailable(f"{type(error).__name__}: {error}", timed_out=True) from error
    except httpx.HTTPError as error:
        raise RasaUnavailable(f"{type(error).__name__}: {error}") from error
    if response.status_code != 200:
        raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
    try:
        messages = response.json()
    except ValueError as error:
        raise RasaUnavailable("Rasa's answer was not JSON") from error
    if not isinstance(messages, list):
        raise RasaUnavailable("Rasa's answer was not a list of messages")
    return [reply for reply in map(public_reply, messages) if reply]


# --- when Rasa is down: the safety check still runs --------------------------------------------------------


def crisis_fallback(message: str) -> tuple[list[dict[str, Any]], str] | None:
    """The emergency numbers and the answer metadata if the message shows a crisis, with its category."""
    from bot.safety.fallback import answer_crisis

    found = answer_crisis(message, RESIDENT)
    if found is None:
        return None
    return [{"text": found.reply.text}, {ANSWER_KEY: found.reply.answer}], found.match.category


def _engine_if_ready(request: Request) -> Engine | None:
    """The app's engine if it has one already, else None (the writer makes it, off the resident's path)."""
    return getattr(request.app.state, "engine", None)


# --- cross-origin embedding ---------------------------------------------------------------------------------


def _allowed_origin(request: Request, settings: Settings) -> str | None:
    origin = request.headers.get("origin")
    if not origin:
        return None
    allowed = {item.strip().rstrip("/") for item in settings.chat_allowed_origins.split(",") if item.strip()}
    if "*" in allowed:
        return "*"
    return origin if origin.rstrip("/") in allowed else None


def _with_cors(response: Response, request: Request, settings: Settings) -> Response:
    origin = _allowed_origin(request, settings)
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


@router.options("/api/chat", include_in_schema=False)
async def chat_preflight(request: Request) -> Response:
    """Lets a council site named in CHAT_ALLOWED_ORIGINS post JSON to the assistant from its own pages."""
    settings = app_settings(request)
    response = Response(status_code=204)
    if _allowed_origin(request, settings):
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = "600"
    return _with_cors(response, request, settings)


# --- the endpoints ------------------------------------------------------------------------------------------


@router.post("/api/chat")
async def chat(request: Request) -> Response:
    """`{"sender", "message"}` -> the bot's messages, `[{"text": ..., "buttons": [{"title", "payload"}]}]`.

    Refusals are JSON `{"error": code, "message": sentence}`: 400/422 malformed, 413 too long, 429 too fast,
    503 when the assistant is down (the sentence then gives the contact centre's number, and `answer` is
    the answer metadata of an unmet turn, so the widget reads every outcome the same way).
    """
    settings = app_settings(request)
    try:
        check_rate(request, settings)
        sender, message = await read_chat_request(request)
        replies = await ask_rasa(settings, sender, message)
    except ChatRefused as refused:
        response = JSONResponse(
            {"error": refused.error, "message": refused.message},
            status_code=refused.status_code,
            headers=refused.headers,
        )
        return _with_cors(response, request, settings)
    except RasaUnavailable as error:
        crisis = crisis_fallback(message)
        if crisis is not None:
            replies, category = crisis
            tasks = BackgroundTasks()
            tasks.add_task(record_crisis_quietly, _engine_if_ready(request), sender, RESIDENT, category)
            tasks.add_task(log.warning, "the assistant could not be reached: %s", error)
            return _with_cors(JSONResponse(replies, background=tasks), request, settings)
        phone = contact_centre_phone(settings)
        # Logged after the response is sent: the redacting log filter may have to load spaCy first, and a
        # resident must not wait for that to be told to phone. The question goes into the gap log (spooled
        # if the database is down too), unless Rasa has it and may still answer or log it itself.
        report = BackgroundTasks()
        report.add_task(log.warning, "the assistant could not be reached at %s: %s", settings.rasa_url, error)
        if not error.timed_out:
            report.add_task(
                record_unmet_quietly, _engine_if_ready(request), sender, RESIDENT, message, settings
            )
        response = JSONResponse(
            {
                "error": "unavailable",
                "message": unavailable_message(phone),
                "phone": phone,
                "answer": answer_meta.build(answer_meta.UNMET),
            },
            status_code=503,
            background=report,
        )
        return _with_cors(response, request, settings)
    return _with_cors(JSONResponse(replies), request, settings)


def _host_name(engine: Engine) -> str:
    from bot.directory.queries import host_organisation

    try:
        with session_scope(engine) as session:
            host = host_organisation(session)
    except SQLAlchemyError:
        log.warning("could not read the host council from the directory", exc_info=True)
        return ""
    return host.name if host else ""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def demo_page(request: Request) -> HTMLResponse:
    """A fictional council web page with the widget's one script tag, to try the assistant as a resident."""
    settings, engine = app_settings(request), app_engine(request)
    phone = contact_centre_phone(settings)
    council = await run_in_threadpool(_host_name, engine) or "Example District Council"
    base = str(request.base_url).rstrip("/")
    return templates.TemplateResponse(
        request,
        "chat/demo.html",
        {
            "council": council,
            "contact_phone": phone,
            "widget_src": base + WIDGET_SCRIPT_PATH,
            "api_base": base,
        },
    )
