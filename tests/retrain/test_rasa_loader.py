"""The running assistant is told to load the new model the way Rasa 3.6's HTTP API expects: `PUT /model`
with the model file and the server's token, on every replica."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.retrain.rasa_loader import ModelSwitchError, load_model, reload_urls

TOKEN = "s3cret"


class PretendRasa(BaseHTTPRequestHandler):
    """Answers PUT /model like `rasa run --enable-api --auth-token s3cret`: 204, or 401 for a wrong token."""

    requests: list[tuple[str, dict, dict]] = []

    def do_PUT(self) -> None:  # noqa: N802 - the http.server API
        url = urlparse(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        query = parse_qs(url.query)
        PretendRasa.requests.append((url.path, query, body))
        self.send_response(204 if query.get("token") == [TOKEN] else 401)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def rasa_servers() -> Iterator[list[str]]:
    PretendRasa.requests = []
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), PretendRasa) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [f"http://127.0.0.1:{server.server_address[1]}" for server in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def test_every_replica_is_told_to_load_the_model_with_the_token(rasa_servers: list[str]) -> None:
    model = Path("/srv/models/here-to-help.tar.gz")
    load_model(model, rasa_servers, TOKEN)
    assert PretendRasa.requests == [("/model", {"token": [TOKEN]}, {"model_file": str(model)})] * 2


def test_a_refused_token_is_reported_not_ignored(rasa_servers: list[str]) -> None:
    with pytest.raises(ModelSwitchError, match="refused the token"):
        load_model(Path("m.tar.gz"), rasa_servers, "wrong")


def test_an_unreachable_server_is_named() -> None:
    with pytest.raises(ModelSwitchError, match="127.0.0.1:9"):
        load_model(Path("m.tar.gz"), ["http://127.0.0.1:9"], TOKEN, timeout=2)


def test_the_servers_are_rasa_url_unless_replicas_are_listed() -> None:
    assert reload_urls("http://127.0.0.1:5005/", "") == ["http://127.0.0.1:5005"]
    assert reload_urls("http://nginx", "http://rasa-1:5005, http://rasa-2:5005/") == [
        "http://rasa-1:5005",
        "http://rasa-2:5005",
    ]
