"""The real thing, once: `rasa run` with the committed credentials.yml serves our REST channel at
/webhooks/rest/webhook, refuses an over-long message before Rasa sees it, and, with the action server down,
still answers with the contact centre's number. Also runs the test stories with `rasa test`.

Each test starts a separate Rasa process (about 20-40 s on two cores), so there are only these two.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port

pytestmark = pytest.mark.rasa

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RASA = Path(sys.executable).with_name("rasa")
STARTUP_SECONDS = 240


def _post(url: str, body: dict) -> list[dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"rasa run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise AssertionError(f"rasa run did not answer {url} within {STARTUP_SECONDS} s")


def test_rasa_run_serves_the_guarded_rest_channel_and_survives_a_dead_action_server(
    trained_model, tmp_path
) -> None:
    port, dead_port = free_port(), free_port()
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{dead_port}/webhook"\n', encoding="utf-8"
    )
    env = {
        **os.environ,
        **trained_model.env,
        "CONTACT_CENTRE_PHONE": "01632 960000",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    process = subprocess.Popen(
        [
            str(RASA),
            "run",
            "--model",
            str(trained_model.model_path),
            "--credentials",
            str(PROJECT_ROOT / "credentials.yml"),
            "--endpoints",
            str(endpoints),
            "--port",
            str(port),
            "--interface",
            "127.0.0.1",
        ],
        cwd=tmp_path,  # not the project root: paths must not depend on the working directory
        env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/webhooks/rest/", process)
        webhook = f"{base}/webhooks/rest/webhook"
        too_long = _post(webhook, {"sender": "srv-1", "message": "x" * 501})
        assert too_long[0]["text"].startswith("Sorry, that message is too long for me.")
        greeting = _post(webhook, {"sender": "srv-2", "message": "hello"})
        assert greeting[0]["text"].startswith("Hello")
        silent = _post(webhook, {"sender": "srv-3", "message": "my secret bin was not collected"})
        assert silent[-2]["text"].startswith("Sorry, I cannot look that up right now.")
        assert "01632 960" in silent[-2]["text"]
        assert silent[-1]["custom"]["answer"]["kind"] == "unmet"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, stderr = process.communicate()
    assert "my secret bin" not in stderr


def test_the_test_stories_pass_with_no_prediction_errors(trained_model, tmp_path) -> None:
    result = subprocess.run(
        [
            str(RASA),
            "test",
            "core",
            "--model",
            str(trained_model.model_path),
            "--stories",
            str(PROJECT_ROOT / "tests" / "test_stories.yml"),
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path / "results"),
            "--no-plot",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **trained_model.env, "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    failed = tmp_path / "results" / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.is_file() else ""
    assert result.returncode == 0, details + result.stdout[-2000:] + result.stderr[-2000:]
