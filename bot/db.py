"""Database engine, sessions and schema migration, shared by the directory, the gap log and the web app.

SQLAlchemy 1.4 is used in 2.0 style (`future=True`, `select()`), because Rasa 3.6 pins SQLAlchemy below 1.5.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker

from bot.private_files import ensure_private
from bot.settings import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utc_now() -> datetime:
    """Now in UTC, without tzinfo: how every time is stored (SQLite keeps no time zone)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Alembic's commands work through module globals and are not thread-safe; a web app's first turns arrive
# together and ask for the engine from several threads at once (two migrations at once crashed the process).
_ENGINE_LOCK = threading.Lock()
_MIGRATE_LOCK = threading.Lock()


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: object) -> None:  # DB-API types vary
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, timeout: float | None = None) -> Engine:
    """An engine for `url`; for SQLite, creates the parent folder and turns foreign keys on.

    `timeout` (default DATABASE_TIMEOUT_SECONDS) bounds how long SQLite waits on a lock and PostgreSQL on a
    connection: a stuck database must fail fast, because a resident is waiting on the reply."""
    timeout = get_settings().database_timeout_seconds if timeout is None else timeout
    kwargs: dict = {"future": True}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:" and not path.startswith("file:"):
            ensure_private(Path(path))  # residents' words and sign-ins: 0600, as are its journals
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": timeout}
    else:
        kwargs["pool_pre_ping"] = True
        if url.startswith("postgresql"):
            kwargs["connect_args"] = {"connect_timeout": max(1, math.ceil(timeout))}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for `url` (default: DATABASE_URL as it is now), migrated on first use."""
    with _ENGINE_LOCK:
        return _engine_for(url or get_settings().database_url)


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


get_engine.cache_clear = _engine_for.cache_clear  # type: ignore[attr-defined]


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision; a no-op when it is already there."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's config is a ConfigParser: a "%" in the URL (an escaped password, ?options=-csearch_path%3D...)
    # must be doubled or it is read as interpolation.
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    with _MIGRATE_LOCK, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine | None = None) -> sessionmaker:
    return sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back everything on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
