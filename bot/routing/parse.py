"""Parse text with the trained Rasa model, in-process or through a running Rasa server.

`here-to-help route`, the routing evaluation and the tests go through `load_parser()`, so they exercise
exactly the bot's code path (spaCy pipeline, intent classifier, `ServiceRouterComponent`). The web app's
staff lookup uses `rank_via_server()` against the Rasa server the bot already runs, instead of loading a
second model.

Rasa's structured logger prints every parsed text at debug level; `load_parser` turns it down to warnings so
residents' messages do not end up in logs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from rasa.core.agent import Agent

    from bot.routing.router import Candidate

T = TypeVar("T")
SERVICES = "services"
SERVICE_THRESHOLD = "service_threshold"
"""The parse-result keys `ServiceRouterComponent` adds (docs/architecture.md). Defined here, not in the
component, so that importing this module for `rank_via_server` does not import Rasa and TensorFlow."""
MAX_MESSAGE_CHARS = 5000


class ModelNotFoundError(FileNotFoundError):
    """There is no trained model to load; the message says how to make one."""


class ModelLoadError(RuntimeError):
    """The model exists but cannot be loaded (for example trained by other code); retraining fixes it."""


def _root_cause(error: BaseException) -> BaseException:
    """Our own explanation if one is in the chain (it says what to do), else the innermost error."""
    chain = [error]
    while chain[-1].__cause__ is not None:
        chain.append(chain[-1].__cause__)
    ours = [item for item in chain if type(item).__module__.startswith("bot.")]
    return ours[0] if ours else chain[-1]


class RasaServerError(RuntimeError):
    """The Rasa server could not be reached or answered with an error."""


def find_model(models_dir: Path | None = None) -> Path:
    """The model to load: `here-to-help.tar.gz` if it exists, else the newest `*.tar.gz` in MODELS_DIR."""
    from bot.routing.training import MODEL_FILE
    from bot.settings import get_settings

    models_dir = Path(models_dir or get_settings().models_dir)
    fixed = models_dir / MODEL_FILE
    if fixed.is_file():
        return fixed
    archives = sorted(models_dir.glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    if not archives:
        raise ModelNotFoundError(f"No trained model in {models_dir}: run `here-to-help train` first.")
    return archives[-1]


def quiet_rasa_logging() -> None:
    """Keep user text out of the logs: Rasa's structlog logs parse results at debug level."""
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    for name in ("rasa", "tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.WARNING)


def candidate_from_dict(data: dict[str, Any]) -> Candidate:
    """Rebuild the router's `Candidate` from the dict the component put in the parse result."""
    from bot.routing.router import Candidate

    from_dict = getattr(Candidate, "from_dict", None)
    if callable(from_dict):
        return from_dict(data)
    fields = dict(data)
    fields["lgsl_codes"] = tuple(fields.get("lgsl_codes") or ())
    return Candidate(**fields)


def _check_text(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"Expected the message text as a string, got {type(text).__name__}.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValueError(f"The message is {len(text)} characters long; the limit is {MAX_MESSAGE_CHARS}.")
    return text


class _LoopThread:
    """A private event loop on a daemon thread, so sync callers work inside and outside a running loop."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="here-to-help-parser", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


class Parser:
    """A loaded Rasa model that parses text; `parse`/`rank` are sync, `parse_async` is for async callers."""

    def __init__(self, agent: Agent, model_path: Path, load_seconds: float = 0.0) -> None:
        self.agent = agent
        self.model_path = model_path
        self.load_seconds = load_seconds
        self._loop: _LoopThread | None = None
        self._lock = threading.Lock()

    async def parse_async(self, text: str) -> dict[str, Any]:
        """The full parse result: text, intent, intent_ranking, entities, services, service_threshold."""
        result = await self.agent.parse_message(_check_text(text))
        result.setdefault(SERVICES, [])
        return result

    def parse(self, text: str) -> dict[str, Any]:
        """`parse_async`, callable from plain code and from inside a running event loop alike."""
        _check_text(text)
        with self._lock:
            if self._loop is None:
                self._loop = _LoopThread()
        return self._loop.run(self.parse_async(text))

    def services(self, text: str) -> tuple[list[dict[str, Any]], float]:
        """The ranked candidate dicts and the unmet threshold, as the bot's actions see them."""
        result = self.parse(text)
        return list(result.get(SERVICES) or []), float(result.get(SERVICE_THRESHOLD) or 0.0)

    def rank(self, text: str, k: int = 5) -> list[Candidate]:
        """The top `k` candidate services for `text` (at most the component's `top_k`), best first."""
        candidates, _ = self.services(text)
        return [candidate_from_dict(candidate) for candidate in candidates[:k]]

    def close(self) -> None:
        if self._loop is not None:
            self._loop.close()
            self._loop = None


def load_parser(models_dir: Path | None = None) -> Parser:
    """Load the newest trained model in MODELS_DIR (about a second or two once Rasa is imported)."""
    path = find_model(models_dir)
    quiet_rasa_logging()
    from rasa.core.agent import Agent

    started = time.perf_counter()
    try:
        agent = Agent.load(str(path))
    except Exception as error:  # noqa: BLE001 - Rasa wraps the real reason; report that one
        raise ModelLoadError(f"Could not load the model {path}: {_root_cause(error)}") from error
    quiet_rasa_logging()  # loading may have reconfigured logging
    return Parser(agent, path, time.perf_counter() - started)


def parse_via_server(text: str, rasa_url: str, token: str | None, timeout: float = 10.0) -> dict[str, Any]:
    """`POST /model/parse` on a Rasa server started with `--enable-api --auth-token TOKEN`."""
    import httpx

    _check_text(text)
    url = rasa_url.rstrip("/") + "/model/parse"
    params = {"token": token} if token else None
    try:
        response = httpx.post(url, params=params, json={"text": text}, timeout=timeout)
    except httpx.HTTPError as error:
        raise RasaServerError(f"Could not reach the Rasa server at {rasa_url}: {error}") from error
    if response.status_code in (401, 403):
        raise RasaServerError(
            f"The Rasa server at {rasa_url} refused the token (HTTP {response.status_code})."
        )
    if response.status_code != 200:
        raise RasaServerError(
            f"The Rasa server at {rasa_url} answered HTTP {response.status_code} to /model/parse."
        )
    return response.json()


def services_via_server(
    text: str, rasa_url: str, token: str | None, timeout: float = 10.0
) -> tuple[list[dict[str, Any]], float]:
    """The ranked candidate dicts and the unmet threshold from a running Rasa server."""
    result = parse_via_server(text, rasa_url, token, timeout)
    return list(result.get(SERVICES) or []), float(result.get(SERVICE_THRESHOLD) or 0.0)


def rank_via_server(
    text: str, rasa_url: str, token: str | None, k: int = 5, timeout: float = 10.0
) -> list[Candidate]:
    """The ranked services for `text` from a running Rasa server: the staff lookup shares the bot's router."""
    candidates, _ = services_via_server(text, rasa_url, token, timeout)
    return [candidate_from_dict(candidate) for candidate in candidates[:k]]
