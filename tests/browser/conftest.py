"""Browser tests: the real web app served by uvicorn on a free loopback port, driven in Debian's headless
Chromium by Playwright, with a fake Rasa (tests/support/fake_rasa.py) behind it unless a test says otherwise.

Chromium comes from CHROMIUM_PATH or `chromium` on PATH (`apt-get install chromium`; .ci/run installs it);
without it every test here is skipped with that reason. axe-core comes from the npm registry, pinned in
tests/browser/package-lock.json, and is installed with `npm ci` by the `axe_source` fixture when missing.

Screenshots go to SCREENSHOT_DIR (default tests/output/screenshots, ignored by git); regenerate the ones in
the docs with `SCREENSHOT_DIR=docs/screenshots .venv/bin/pytest tests/browser`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.db import make_engine, migrate
from bot.settings import Settings
from tests.support.fake_rasa import FakeRasa, running_fake_rasa
from tests.support.web import PASSWORD, add_account, add_directory

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent.parent
AXE_FILE = HERE / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1000, "height": 700}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    return path if path and Path(path).exists() else None


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or PROJECT_ROOT / "tests" / "output" / "screenshots")
    folder = folder if folder.is_absolute() else PROJECT_ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium for the browser tests; each test gets its own context (cookies, sessionStorage).

    Package-scoped, so Playwright's sync API, which keeps an event loop running in the main thread while it is
    open, is closed before any other test needs `asyncio.run`.
    """
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed: `apt-get install chromium` or set CHROMIUM_PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce", locale="en-GB")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.page_errors = errors
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from the lock file with `npm ci` the first time it is needed."""
    if not AXE_FILE.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so axe-core cannot be installed for the accessibility checks")
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0 or not AXE_FILE.is_file():
            pytest.skip(f"`npm ci` in tests/browser failed, so axe-core is missing: {result.stderr[-500:]}")
    return AXE_FILE.read_text(encoding="utf-8")


def serious_violations(page: Any, axe: str) -> list[str]:
    """axe-core's WCAG 2.x A/AA violations of serious or critical impact, as readable lines."""
    # Evaluated through the browser's debugging protocol, not added as a <script>: the pages'
    # Content-Security-Policy (script-src 'self') rightly refuses inline scripts, and the check must run on
    # the page as served.
    page.evaluate(axe)
    result = page.evaluate(
        """async () => await axe.run(document, {
               runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
               resultTypes: ['violations']})"""
    )
    return [
        f"{item['id']} ({item['impact']}): {item['help']} at {[node['target'] for node in item['nodes']][:3]}"
        for item in result["violations"]
        if item["impact"] in ("serious", "critical")
    ]


@dataclass
class LiveApp:
    url: str
    engine: Engine
    rasa: FakeRasa
    settings: Settings

    def sign_in(self, page: Any, username: str) -> None:
        page.goto(f"{self.url}/sign-in")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()


def _serve(app: Any) -> tuple[str, Callable[[], None]]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # Rasa pins an old `websockets`, which uvicorn's websocket support cannot import; the app needs none.
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="uvicorn")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[Callable[..., LiveApp]]:
    """Start the app: `live_app(fake_rasa=FakeRasa(...), chat_rate_limit="2/minute", ...)` -> LiveApp."""
    from bot.web.app import create_app

    stops: list[Callable[[], None]] = []
    engines: list[Engine] = []

    def start(fake: FakeRasa | None = None, **settings_overrides: Any) -> LiveApp:
        engine = make_engine(f"sqlite:///{tmp_path / 'web.db'}")
        migrate(engine)
        add_directory(engine)
        for username, role in (("sam", "staff"), ("olu", "officer")):
            add_account(engine, username, role)
        engines.append(engine)
        rasa_context = running_fake_rasa(fake or FakeRasa())
        rasa = rasa_context.__enter__()
        stops.append(lambda: rasa_context.__exit__(None, None, None))
        values: dict[str, Any] = {
            "var_dir": tmp_path / "var",
            "rasa_url": rasa.url,
            "rasa_token": "browser-token",
            "chat_rate_limit": "100/minute",
            "chat_timeout_seconds": 5.0,
            "contact_centre_phone": "",
        }
        values.update(settings_overrides)
        settings = Settings(**values)
        url, stop = _serve(create_app(settings, engine=engine))
        stops.append(stop)
        return LiveApp(url=url, engine=engine, rasa=rasa, settings=settings)

    try:
        yield start
    finally:
        for stop in reversed(stops):
            stop()
        for engine in engines:
            engine.dispose()
