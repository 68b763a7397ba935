"""The staff lookup ranks through the bot's own Rasa server (`rank_via_server`), not a second model."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.routing.parse import RasaServerError, load_parser, rank_via_server, services_via_server

pytestmark = pytest.mark.rasa

TOKEN = "test-token-for-the-parse-api"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def rasa_server(trained_model, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`rasa run --enable-api --auth-token` on the session's model, started from an unrelated directory."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "rasa", "run", "--enable-api", "--auth-token", TOKEN]
    command += ["--model", str(trained_model.model_path), "--port", str(port), "--interface", "127.0.0.1"]
    env = {**os.environ, **trained_model.env, "RASA_TELEMETRY_ENABLED": "false"}
    log = tmp_path_factory.mktemp("rasa_server") / "rasa.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=log.parent, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"rasa run exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/status", params={"token": TOKEN}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            pytest.fail(f"rasa run did not answer within 240 s:\n{log.read_text()[-3000:]}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_server_ranks_a_staff_query_exactly_as_the_bot_does(trained_model, rasa_server: str) -> None:
    text = "resident says the bins have not been emptied for two weeks"
    parser = load_parser(trained_model.models_dir)
    expected, expected_threshold = parser.services(text)
    parser.close()

    services, threshold = services_via_server(text, rasa_server, TOKEN)
    ranked = rank_via_server(text, rasa_server, TOKEN, k=3)

    assert services == expected
    assert threshold == expected_threshold
    assert [candidate.service_id for candidate in ranked] == [s["service_id"] for s in expected[:3]]


def test_a_wrong_token_is_refused_with_a_clear_error(rasa_server: str) -> None:
    with pytest.raises(RasaServerError, match="refused the token"):
        rank_via_server("council tax", rasa_server, "not-the-token")


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(RasaServerError, match="Could not reach"):
        rank_via_server("council tax", f"http://127.0.0.1:{free_port()}", TOKEN, timeout=2)
