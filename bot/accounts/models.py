"""Web sign-in accounts: who may use the staff lookup and the officer pages, and their signed-in browsers.

`Role` says what an account may do, `User` is the account (password hashed by bot.accounts.users), and
`WebSession` one signed-in browser (bot.web.sessions). Times are naive UTC, like every table's.
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String

from bot.db import Base, utc_now


class Role(str, enum.Enum):
    OFFICER = "officer"
    STAFF = "staff"
    ADMIN = "admin"


class User(Base):
    """Someone who signs in to the web pages: officers review the gap log, staff use the lookup."""

    __tablename__ = "users"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(150), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utc_now)
    active = Column(Boolean, nullable=False, default=True)


class WebSession(Base):
    """One signed-in browser (bot.web.sessions). The cookie holds a random token and this row only its
    SHA-256, so someone who reads the database (a backup, a replica) cannot sign in with what they read.
    The row is deleted at sign-out, so a copied cookie stops working at once."""

    __tablename__ = "web_sessions"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    flash = Column(String(500), nullable=True)
    """A one-off confirmation ("Referral recorded: ...") shown on the next page, then cleared."""
    created_at = Column(DateTime, nullable=False, default=utc_now)
    last_seen_at = Column(DateTime, nullable=False, default=utc_now)


__all__ = ["Role", "User", "WebSession"]
