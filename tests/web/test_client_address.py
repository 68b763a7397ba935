"""The rate limits count the real client: a made-up X-Forwarded-For does not make one client many, unless it
comes from a reverse proxy named in TRUSTED_PROXIES, whose word is then taken for who is behind it."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from bot.run import Addresses, service_specs
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.proxies import parse_trusted
from tests.gaplog.helpers import engine_url
from tests.support.fake_rasa import FakeRasa, running_fake_rasa
from tests.support.web import add_account, csrf_from, make_settings

CHAT_LIMIT = 20
CHAT_RATE = f"{CHAT_LIMIT}/hour"
"""Per hour, so no token comes back while a test sends its 25 messages."""
SIGN_IN_LIMIT = 10


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    with running_fake_rasa() as fake:
        yield fake


def _client(tmp_path: Path, engine: Engine, rasa_url: str, peer: str, trusted: str = "") -> TestClient:
    settings = make_settings(tmp_path, rasa_url, chat_rate_limit=CHAT_RATE, trusted_proxies=trusted)
    return TestClient(create_app(settings, engine=engine), client=(peer, 40000))


def _chat(client: TestClient, forwarded_for: str) -> int:
    message = {"sender": "resident-1", "message": "my bin was not collected"}
    return client.post("/api/chat", json=message, headers={"X-Forwarded-For": forwarded_for}).status_code


def _wrong_password(client: TestClient, token: str, forwarded_for: str) -> int:
    data = {"username": "olu", "password": "not the password", "csrf_token": token}
    return client.post("/sign-in", data=data, headers={"X-Forwarded-For": forwarded_for}).status_code


def test_made_up_forwarded_addresses_from_loopback_do_not_evade_the_chat_limit(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    client = _client(tmp_path, sqlite_engine, fake_rasa.url, peer="127.0.0.1")
    statuses = [_chat(client, f"198.51.100.{n}") for n in range(25)]
    assert statuses[:CHAT_LIMIT] == [200] * CHAT_LIMIT
    assert set(statuses[CHAT_LIMIT:]) == {429}


def test_made_up_forwarded_addresses_do_not_evade_the_sign_in_limit(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    add_account(sqlite_engine, "olu", "officer")
    client = _client(tmp_path, sqlite_engine, fake_rasa.url, peer="127.0.0.1")
    token = csrf_from(client.get("/sign-in").text)
    statuses = [_wrong_password(client, token, f"203.0.113.{n}") for n in range(30)]
    assert statuses[:SIGN_IN_LIMIT] == [401] * SIGN_IN_LIMIT
    assert set(statuses[SIGN_IN_LIMIT:]) == {429}


def test_a_trusted_proxys_forwarded_address_is_honoured(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    """nginx on the same host, named in TRUSTED_PROXIES: each resident behind it has their own limit."""
    client = _client(tmp_path, sqlite_engine, fake_rasa.url, peer="127.0.0.1", trusted="127.0.0.1, ::1")
    assert [_chat(client, f"198.51.100.{n}") for n in range(25)] == [200] * 25

    one_resident = [_chat(client, "198.51.100.200") for _ in range(CHAT_LIMIT + 1)]
    assert one_resident[-1] == 429, "the resident behind the proxy is still limited"


def test_behind_a_trusted_proxy_a_client_cannot_choose_its_own_address(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    """The proxy appends the address it saw; whatever the client wrote before that is ignored."""
    client = _client(tmp_path, sqlite_engine, fake_rasa.url, peer="10.0.0.2", trusted="10.0.0.0/8")
    statuses = [_chat(client, f"192.0.2.{n}, 198.51.100.7") for n in range(25)]
    assert set(statuses[CHAT_LIMIT:]) == {429}


def test_an_untrusted_peer_is_not_believed_even_when_some_proxy_is_trusted(
    tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa
) -> None:
    add_account(sqlite_engine, "olu", "officer")
    client = _client(tmp_path, sqlite_engine, fake_rasa.url, peer="192.0.2.50", trusted="127.0.0.1")
    token = csrf_from(client.get("/sign-in").text)
    statuses = [_wrong_password(client, token, f"203.0.113.{n}") for n in range(SIGN_IN_LIMIT + 1)]
    assert statuses[-1] == 429


def test_a_mistyped_trusted_proxy_stops_the_app_naming_it() -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES: 'localhost' is not an IP address"):
        parse_trusted("127.0.0.1, localhost")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_web_server_here_to_help_run_starts_ignores_forwarded_addresses_from_loopback(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    """The known failure: uvicorn itself believes X-Forwarded-For from 127.0.0.1 unless told not to."""
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url=engine_url(sqlite_engine),
        rasa_url="http://127.0.0.1:9",
        chat_rate_limit=CHAT_RATE,
        chat_timeout_seconds=1.0,
    )
    port = _free_port()
    web = service_specs(
        settings,
        Addresses("127.0.0.1", _free_port(), _free_port(), port),
        token="t",
        endpoints=tmp_path / "endpoints.yml",
        secrets={},
        model=tmp_path / "model.tar.gz",
    )[2]
    env = {**web.env, "RASA_URL": settings.rasa_url, "CHAT_RATE_LIMIT": settings.chat_rate_limit}
    env.pop("TRUSTED_PROXIES", None)
    server = subprocess.Popen(
        web.command, cwd=web.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(web.health_url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the web app did not start"
            time.sleep(0.3)
        url = f"http://127.0.0.1:{port}/api/chat"
        statuses = [
            httpx.post(
                url,
                json={"sender": "resident-1", "message": "hello"},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
                timeout=10,
            ).status_code
            for n in range(25)
        ]
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert 429 in statuses and statuses.count(429) == 25 - CHAT_LIMIT, statuses
