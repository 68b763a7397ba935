"""How long a resident waits for a whole turn: REST channel -> NLU -> policy -> action server -> directory.

Loads the trained model from MODELS_DIR (run `here-to-help train` first) and the directory in DATABASE_URL,
serves the project's actions over HTTP on a free loopback port (as `rasa run actions` would), and sends a
short scripted conversation many times through `HereToHelpRestInput`. Prints median and p95 per kind of turn.

    .venv/bin/python -m bench.conversation_speed [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import time
from collections import defaultdict

SCRIPT = (
    ("signpost", "my bin was not collected this morning"),
    ("follow-up", "are they open now?"),
    ("feedback", "/deny"),
    ("other organisation", "there's a pothole in the road outside my house"),
    ("hand-off", "can I speak to a real person please"),
    ("out of scope", "what's the weather like tomorrow"),
    ("too long", "x" * 600),
)


class _Request:
    def __init__(self, body: dict) -> None:
        self.json = body
        self.headers: dict[str, str] = {}
        self.ip = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _serve_actions(port: int):
    from aiohttp import web
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")

    async def webhook(request: web.Request) -> web.Response:
        return web.json_response(await executor.run(await request.json()))

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def main(rounds: int) -> None:
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from bot.conversation.rest_channel import HereToHelpRestInput
    from bot.routing.parse import find_model, quiet_rasa_logging

    quiet_rasa_logging()
    port = free_port()
    started = time.perf_counter()
    agent = Agent.load(str(find_model()), action_endpoint=EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
    print(f"model loaded in {time.perf_counter() - started:.1f} s")
    runner = await _serve_actions(port)
    channel = HereToHelpRestInput()
    timings: dict[str, list[float]] = defaultdict(list)
    try:
        for round_number in range(rounds + 1):  # the first round warms caches and is not counted
            sender = f"bench-{round_number}"
            for kind, text in SCRIPT:
                began = time.perf_counter()
                result = await channel.handle(
                    _Request({"sender": sender, "message": text}), agent.handle_message
                )
                elapsed = (time.perf_counter() - began) * 1000
                assert json.loads(result.body), f"no reply to {kind}"
                if round_number:
                    timings[kind].append(elapsed)
    finally:
        await runner.cleanup()
    print(f"{'turn':<20} {'median ms':>10} {'p95 ms':>8}  (n={rounds})")
    for kind, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"{kind:<20} {statistics.median(values):>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    asyncio.run(main(parser.parse_args().rounds))
