"""A stand-in for a running Rasa server, for tests of the web app's proxying and of the widget in a browser.

It is a real HTTP server on a free loopback port answering the two Rasa endpoints the web app calls:
`POST /webhooks/rest/webhook` (the conversation) and `POST /model/parse` (the staff lookup's ranking). Replies
are canned so a test can say exactly what the bot said; every request is recorded so a test can check what the
web app sent (e.g. that the channel is always "resident" from the public endpoint).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = list[dict[str, Any]]


BINS_SERVICE = {
    "id": "bins",
    "name": "Bin collections",
    "lgsl": [524],
    "organisation": "Brackenford District Council",
    "phone": {"display": "01632 960123", "tel": "01632960123"},
    "url": "https://www.example.org/bins",
    "opening": {"open": True, "summary": "open now until 5pm"},
}
"""A service as the answer metadata names it, with the details the widget draws on its card."""


def default_conversation(message: str) -> Reply:
    """A tiny script: bins get an answer with a link, a phone number and feedback buttons; anything else is
    echoed back, which lets a test put markup into a bot reply."""
    lowered = message.lower()
    if message == "/affirm":
        return [{"text": "Good, I am glad that helped."}]
    if message == "/deny":
        return [{"text": "Sorry about that. You can call our contact centre on 01632 960000."}]
    if "bin" in lowered:
        return [
            {
                "text": (
                    "Missed bin collections are handled by Brackenford District Council. Call 01632 960123 "
                    "or report it at https://www.example.org/bins. They are open now until 5pm."
                )
            },
            {
                "text": "Did that answer your question?",
                "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
            },
            {"custom": {"answer": {"kind": "service", "services": [BINS_SERVICE]}}},
        ]
    return [{"text": f"You said: {message}"}]


@dataclass
class FakeRasa:
    conversation: Callable[[str], Reply] = default_conversation
    services: list[dict[str, Any]] = field(default_factory=list)
    """What /model/parse ranks for any text: candidate dicts as the ServiceRouter component produces."""
    threshold: float = 0.4
    failing: bool = False
    """Answer every request with HTTP 500, as a Rasa without a loaded model would."""
    requests: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def handle(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        self.requests.append((path, body, headers))
        if self.failing:
            return 500, {"message": "no model loaded"}
        if path == "/webhooks/rest/webhook":
            sender = body.get("sender", "")
            return 200, [
                {"recipient_id": sender, **reply} for reply in self.conversation(body.get("message", ""))
            ]
        if path.startswith("/model/parse"):
            text = body.get("text", "")
            return 200, {
                "text": text,
                "intent": {"name": "find_service", "confidence": 0.9},
                "entities": [],
                "services": self.services,
                "service_threshold": self.threshold,
            }
        return 404, {"message": f"no route {path}"}

    def webhook_bodies(self) -> list[dict[str, Any]]:
        return [body for path, body, _ in self.requests if path == "/webhooks/rest/webhook"]


def _handler(fake: FakeRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            status, answer = fake.handle(self.path, body, dict(self.headers))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@contextmanager
def running_fake_rasa(fake: FakeRasa | None = None) -> Iterator[FakeRasa]:
    """Serve `fake` on 127.0.0.1 on a free port until the block ends; `fake.url` is its base URL."""
    fake = fake or FakeRasa()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-rasa", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
