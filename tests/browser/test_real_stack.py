"""Once, against the real thing: `here-to-help run` (action server, Rasa with the session's trained model, and
this web app), a resident asking in the widget and an officer using the staff lookup in Chromium.

Slow (the model is trained once per run by `trained_model`, then Rasa takes a minute to load it), so this is
the only browser test that does not use the fake Rasa.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.db import make_engine
from tests.browser.conftest import PROJECT_ROOT
from tests.e2e.conftest import free_port
from tests.support.web import PASSWORD, add_account

pytestmark = [pytest.mark.browser, pytest.mark.rasa]

READY_SECONDS = 400
UK_PHONE = re.compile(r"\b0\d{2,4} ?\d{3,4} ?\d{3,4}\b")


def _collect(stream: Any, lines: list[str], ready: threading.Event) -> None:
    for line in stream:
        lines.append(line.rstrip())
        if "Press Ctrl-C to stop" in line:
            ready.set()


@pytest.fixture
def running_stack(trained_model, tmp_path: Path) -> Iterator[str]:
    """`here-to-help run --no-train` on free loopback ports over a copy of the trained model's database."""
    database = tmp_path / "directory.db"
    shutil.copyfile(trained_model.database_url.split("///", 1)[1], database)
    database_url = f"sqlite:///{database}"
    engine = make_engine(database_url)
    add_account(engine, "sam", "staff")
    engine.dispose()
    web_port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MODELS_DIR": str(trained_model.models_dir),
        "VAR_DIR": str(tmp_path / "var"),
        "HOST": "127.0.0.1",
        "WEB_PORT": str(web_port),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "RASA_URL": "",
        "RASA_TOKEN": "",
        "LOG_LEVEL": "WARNING",
    }
    command = [str(Path(sys.executable).with_name("here-to-help")), "run", "--no-train"]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    ready = threading.Event()
    reader = threading.Thread(target=_collect, args=(process.stdout, lines, ready), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not ready.wait(1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("here-to-help run did not come up:\n" + "\n".join(lines[-40:]))
        yield f"http://127.0.0.1:{web_port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for_phone_number(page: Any, seconds: float = 60) -> str:
    """The conversation once a reply gives a phone number; if the bot offers choices first, pick the first."""
    log = page.locator(".h2h [role='log']")
    deadline = time.monotonic() + seconds
    chose = False
    while time.monotonic() < deadline:
        replies = " ".join(page.locator(".h2h-msg--bot, .h2h-msg--notice").all_inner_texts())
        if UK_PHONE.search(replies):
            return log.inner_text()
        choices = log.locator(".h2h-choices button")
        if not chose and choices.count():
            choices.first.click()
            chose = True
        page.wait_for_timeout(500)
    raise AssertionError("no reply gave a phone number:\n" + log.inner_text())


def test_a_resident_and_a_contact_centre_officer_use_the_real_assistant(
    page: Any, running_stack: str
) -> None:
    page.goto(running_stack + "/")
    page.locator(".h2h-launcher").click()
    page.locator(".h2h-input").fill("my bin was not collected")
    page.keyboard.press("Enter")
    resident_reply = _wait_for_phone_number(page)
    unavailable_notices = page.locator(".h2h-msg--notice").count()

    page.goto(running_stack + "/sign-in")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.goto(running_stack + "/staff?q=" + "missed bin collection".replace(" ", "%20"))
    first = page.locator(".app-result").first
    first.wait_for(timeout=30_000)
    staff_result = first.inner_text()

    assert unavailable_notices == 0, resident_reply  # the assistant answered; the widget did not give up
    assert re.search(r"bin|waste|recycl", staff_result, re.IGNORECASE), staff_result
    assert UK_PHONE.search(staff_result), staff_result
