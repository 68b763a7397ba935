"""The contact-centre number to give when the assistant itself is in trouble.

When the database or the action server is down the resident must still get a number to call. The number is
read from the directory whenever it can be (at start-up and then at most every `REFRESH_SECONDS`) and kept in
memory; if the directory has never been readable, the `CONTACT_CENTRE_PHONE` setting is used.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.engine import Engine

from bot.conversation.channel import RESIDENT
from bot.settings import get_settings

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 300.0

_lock = threading.Lock()
_refreshing = threading.Lock()
_known: dict[str, str] = {}
_checked_at = 0.0


def remember(phone: str, channel: str = RESIDENT) -> None:
    """Keep the number just read from the directory, so it survives a later outage."""
    if phone:
        with _lock:
            _known[channel] = phone


def current(channel: str = RESIDENT) -> str:
    """The last number read from the directory for `channel`, else the resident one, else the setting."""
    with _lock:
        return _known.get(channel) or _known.get(RESIDENT) or get_settings().contact_centre_phone


def refresh(engine: Engine | None = None, *, force: bool = False) -> str:
    """Re-read the contact centre from the directory (rate-limited); never raises, returns `current()`."""
    global _checked_at
    now = time.monotonic()
    if not force and now - _checked_at < REFRESH_SECONDS:
        return current()
    if not _refreshing.acquire(blocking=False):
        # Another thread is reading it now: wait (briefly) for that read and use its result.
        if _refreshing.acquire(timeout=10):
            _refreshing.release()
        return current()
    _checked_at = now
    own_engine = None
    try:
        from bot.conversation.answers import contact_phone
        from bot.db import make_engine, session_scope
        from bot.directory.queries import contact_centre

        if engine is None:  # read only: no migration here, that is the job of whoever writes
            engine = own_engine = make_engine(get_settings().database_url)
        with session_scope(engine) as session:
            centre = contact_centre(session)
        remember(contact_phone(centre, RESIDENT))
    except Exception as error:  # noqa: BLE001 - any failure means "keep the number we had"
        logger.warning("contact centre number not refreshed from the directory: %s", type(error).__name__)
    finally:
        if own_engine is not None:
            own_engine.dispose()
        _refreshing.release()
    return current()


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
