"""The contact-centre number to give when the assistant itself is in trouble: the one place that decides it.

When the database, Rasa or the action server is down the resident must still get a number to call, and at
once: a number read from the database at the moment of failure is no number at all when the database is the
thing that failed (a resident once waited 25 s on a locked database and got no number). So the number is read
from the directory ahead of time, at start-up and then every `REFRESH_SECONDS` in the background
(`keep_fresh`), and kept in memory; failure paths only ever call `current()`, which never touches the
database.

Precedence, the same in the web app, the REST channel and the actions: the directory's contact centre as last
read (the number residents are given when all is well, so it does not change when things go wrong), else the
`CONTACT_CENTRE_PHONE` setting (a directory that was never readable, or has no contact centre).
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.engine import Engine

from bot.conversation.channel import RESIDENT
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 300.0
"""How often the number is re-read from the directory; a directory import shows within five minutes."""

_lock = threading.Lock()
_refreshing = threading.Lock()
_known: dict[str, str] = {}
_checked_at = 0.0


def remember(phone: str, channel: str = RESIDENT) -> None:
    """Keep the number just read from the directory, so it survives a later outage."""
    if phone:
        with _lock:
            _known[channel] = phone


def current(channel: str = RESIDENT, settings: Settings | None = None) -> str:
    """The last number read from the directory for `channel`, else the resident one, else the setting.

    Never reads the database: this is what failure paths call."""
    with _lock:
        known = _known.get(channel) or _known.get(RESIDENT)
    return known or (settings or get_settings()).contact_centre_phone.strip()


def refresh(engine: Engine | None = None, *, force: bool = False) -> str:
    """Re-read the contact centre from the directory (rate-limited); never raises, returns `current()`.

    Call it from a background thread or after a successful turn, never where a resident is waiting on it."""
    global _checked_at
    now = time.monotonic()
    if not force and now - _checked_at < REFRESH_SECONDS:
        return current()
    if not _refreshing.acquire(blocking=False):
        return current()  # another thread is reading it now
    _checked_at = now
    own_engine = None
    try:
        from bot.conversation.answers import contact_phone
        from bot.db import make_engine, session_scope
        from bot.directory.queries import contact_centre

        if engine is None:  # read only: no migration here, that is the job of whoever writes
            engine = own_engine = make_engine(get_settings().database_url)
        with session_scope(engine) as session:
            phone = contact_phone(contact_centre(session), RESIDENT)
        with _lock:  # what the directory says now, also when it no longer has a contact centre
            _known.clear()
            if phone:
                _known[RESIDENT] = phone
    except Exception as error:  # noqa: BLE001 - any failure means "keep the number we had"
        logger.warning("contact centre number not refreshed from the directory: %s", type(error).__name__)
    finally:
        if own_engine is not None:
            own_engine.dispose()
        _refreshing.release()
    return current()


REFRESH_THREAD_NAME = "contact-line-refresh"


def refresh_in_background(engine: Engine | None = None, *, force: bool = False) -> None:
    """Start a refresh when one is due (or `force`), without waiting for it: a server that handles messages
    calls this on each one, which keeps the number fresh without a thread of its own running for ever."""
    if force or time.monotonic() - _checked_at >= REFRESH_SECONDS:
        threading.Thread(
            target=refresh, args=(engine,), kwargs={"force": force}, daemon=True, name=REFRESH_THREAD_NAME
        ).start()


def keep_fresh(engine: Engine | None, stop: threading.Event) -> threading.Thread:
    """Read the number now and every REFRESH_SECONDS in a daemon thread, until `stop` is set (the web app
    runs it for as long as it serves)."""

    def loop() -> None:
        while not stop.is_set():
            refresh(engine, force=True)
            stop.wait(REFRESH_SECONDS)

    thread = threading.Thread(target=loop, daemon=True, name="contact-line-keep-fresh")
    thread.start()
    return thread


def settle(timeout: float = 10.0) -> None:
    """Wait (up to `timeout` seconds) for a refresh under way in another thread to finish.

    Tests call it before `forget()`: a refresh started by the previous conversation could otherwise
    remember that conversation's directory number after the slate was wiped."""
    if _refreshing.acquire(timeout=timeout):
        _refreshing.release()


def forget() -> None:
    """Tests only: drop what was learnt, as after a restart."""
    global _checked_at
    with _lock:
        _known.clear()
    _checked_at = 0.0
