"""Sign-in sessions held in the database, so that signing out really ends them.

A signed cookie (what the app used before) stays valid until it expires, whatever the server does: a copy
taken before sign-out kept opening the officer pages for 8 hours. Here the cookie holds only a random token;
the `web_sessions` row it points to (by the token's SHA-256, never the token itself) is what makes it valid.
Sign-out deletes the row; a session also ends after SESSION_IDLE_MINUTES without a request and
SESSION_MAX_HOURS after sign-in, and every sign-in gets a new token (no session fixation).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session
from starlette.responses import Response

from bot.accounts.models import WebSession
from bot.db import utc_now
from bot.settings import Settings

SESSION_COOKIE = "here_to_help_session"
TOUCH_EVERY = timedelta(seconds=60)
"""`last_seen_at` is written at most once a minute per session: the idle timeout does not need finer, and
a page with several requests should not write the database for each."""


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions last and how their cookie is sent, from the settings."""

    idle: timedelta
    absolute: timedelta
    secure: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_max_hours),
            secure=bool(settings.secure_cookies),
        )

    def expired(self, session: WebSession, now: datetime) -> bool:
        return now - session.last_seen_at >= self.idle or now - session.created_at >= self.absolute


def token_hash(token: str) -> str:
    """What the database keeps of a cookie's token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(db: Session, user_id: int, now: datetime | None = None) -> tuple[str, WebSession]:
    """A new session for `user_id`: returns the token for the cookie and the stored row."""
    now = now or utc_now()
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=token_hash(token),
        user_id=user_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
    )
    db.add(row)
    db.flush()
    return token, row


def resume(db: Session, token: str, policy: SessionPolicy, now: datetime | None = None) -> WebSession | None:
    """The live session for a cookie's token, its last use recorded; None (and the row gone) once expired."""
    if not token:
        return None
    now = now or utc_now()
    row = db.get(WebSession, token_hash(token))
    if row is None:
        return None
    if policy.expired(row, now):
        db.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


def end(db: Session, token: str) -> None:
    """Sign-out: the token is worthless from now on, wherever a copy of it is."""
    if token:
        db.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def purge_expired(db: Session, policy: SessionPolicy, now: datetime | None = None) -> int:
    """Delete sessions nobody can use any more (abandoned without signing out); returns how many."""
    now = now or utc_now()
    result = db.execute(
        delete(WebSession).where(
            or_(WebSession.last_seen_at <= now - policy.idle, WebSession.created_at <= now - policy.absolute)
        )
    )
    return int(result.rowcount or 0)


def set_cookie(response: Response, token: str, policy: SessionPolicy) -> None:
    """HttpOnly (no script can read it), SameSite=Lax (not sent on other sites' form posts), Secure when the
    site is served over HTTPS; the browser forgets it when the session could no longer be valid anyway."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(policy.absolute.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=policy.secure,
    )


def clear_cookie(response: Response, policy: SessionPolicy) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=policy.secure)
