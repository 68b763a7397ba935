"""Dependencies every route shares: the app's settings, its database engine and a session per request."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db import get_engine, session_scope
from bot.settings import Settings, get_settings


def app_settings(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or get_settings()


def app_engine(request: Request) -> Engine:
    """The engine `create_app` was given, else the shared (migrated) engine for the app's DATABASE_URL."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        engine = get_engine(app_settings(request).database_url)
        request.app.state.engine = engine
    return engine


def db_session(request: Request) -> Iterator[Session]:
    """A session for one request: committed when the route returns normally, rolled back on any error."""
    with session_scope(app_engine(request)) as session:
        yield session
