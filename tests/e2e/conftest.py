"""End-to-end conversations: the model trained once per run (`trained_model`), loaded in-process with
`Agent.load`, its custom actions served by a real HTTP action server on a free loopback port (rasa-sdk's own
`ActionExecutor` behind a small aiohttp app in the test's event loop), and every message sent through the
project's REST channel (`HereToHelpRestInput.handle`), as `rasa run` wires it to `agent.handle_message`.

The clock for opening hours is set per test with HERE_TO_HELP_NOW (read by `bot.conversation.opening`).
The conversations run against a private copy of the trained model's database, so gap-log rows and directory
edits made here never reach other tests.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.conversation import contact_line

STAFF_TOKEN = "e2e-staff-token"
WEDNESDAY_AFTERNOON = "2026-11-18T14:00:00"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class E2E:
    agent: Any
    action_port: int
    database_url: str
    engine: Engine
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def service_id(self, name: str) -> str:
        from bot.directory.models import Service

        with self.engine.connect() as connection:
            found = connection.execute(select(Service.id).where(Service.name == name)).scalar()
        assert found, f"the demo directory has no service called {name!r}"
        return found


def _set_env(values: dict[str, str | None]) -> dict[str, str | None]:
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return saved


def _clear_caches() -> None:
    from bot.db import get_engine
    from bot.settings import get_settings

    get_settings.cache_clear()
    get_engine.cache_clear()
    contact_line.forget()


@pytest.fixture(scope="session")
def e2e(trained_model, tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2E]:
    """The trained agent, pointed at an action server port, over a private copy of the directory database."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from bot.db import make_engine
    from bot.routing.parse import quiet_rasa_logging

    quiet_rasa_logging()
    source = Path(trained_model.database_url.split("///", 1)[1])
    copy = tmp_path_factory.mktemp("e2e") / "directory.db"
    shutil.copyfile(source, copy)
    database_url = f"sqlite:///{copy}"
    saved = _set_env(
        {"DATABASE_URL": database_url, "STAFF_CHANNEL_TOKEN": STAFF_TOKEN, "CONTACT_CENTRE_PHONE": None}
    )
    _clear_caches()
    port = free_port()
    agent = Agent.load(
        str(trained_model.model_path), action_endpoint=EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    )
    engine = make_engine(database_url)
    try:
        yield E2E(agent=agent, action_port=port, database_url=database_url, engine=engine)
    finally:
        engine.dispose()
        _set_env(saved)
        _clear_caches()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """Set the time the actions see, e.g. `clock("2026-12-25T10:00:00")` (London time)."""

    def set_time(moment: str) -> None:
        monkeypatch.setenv("HERE_TO_HELP_NOW", moment)

    set_time(WEDNESDAY_AFTERNOON)
    return set_time


@pytest.fixture
async def action_server(e2e: E2E, clock) -> AsyncIterator[None]:
    """rasa-sdk's executor with our `actions` package, served over HTTP on the agent's action port."""
    from aiohttp import web
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")

    async def webhook(request: web.Request) -> web.Response:
        result = await executor.run(await request.json())
        return web.json_response(result)

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", e2e.action_port)
    await site.start()
    contact_line.settle()
    contact_line.forget()
    try:
        yield
    finally:
        await runner.cleanup()


class FakeRequest:
    def __init__(self, body: Any, headers: dict[str, str], ip: str) -> None:
        self.json = body
        self.headers = headers
        self.ip = ip


@pytest.fixture
def chat(e2e: E2E):
    """`await chat(sender, text, staff=False)` -> the bot's messages, through the project's REST channel."""
    from bot.conversation.rest_channel import HereToHelpRestInput

    async def send(sender: str, text: Any, *, staff: bool = False, token: str | None = None) -> list[dict]:
        import json

        channel = HereToHelpRestInput()
        metadata = {"channel": "staff"} if staff else {"channel": "resident"}
        headers = {"X-Here-To-Help-Staff-Token": token if token is not None else STAFF_TOKEN} if staff else {}
        body = {"sender": sender, "message": text, "metadata": metadata}
        result = await channel.handle(FakeRequest(body, headers, "203.0.113.7"), e2e.agent.handle_message)
        assert result.status == 200
        return json.loads(result.body)

    return send


def gap_reasons(e2e: E2E, conversation_id: str) -> list[str]:
    """The gap-log reasons recorded for one conversation, oldest first."""
    from bot.gaplog.local_secret import conversation_hash
    from bot.gaplog.models import GapEntry

    with e2e.engine.connect() as connection:
        rows = connection.execute(
            select(GapEntry.reason)
            .where(GapEntry.conversation_hash == conversation_hash(conversation_id))
            .order_by(GapEntry.id)
        )
        return [row[0] for row in rows]


def answered_services(e2e: E2E, conversation_id: str) -> list[str]:
    from bot.gaplog.local_secret import conversation_hash
    from bot.gaplog.models import Answer

    with e2e.engine.connect() as connection:
        rows = connection.execute(
            select(Answer.service_id)
            .where(Answer.conversation_hash == conversation_hash(conversation_id))
            .order_by(Answer.id)
        )
        return [row[0] for row in rows]


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
