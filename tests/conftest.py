"""Shared fixtures: an isolated database per test, on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db import make_engine, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
REFERENCE = SHARED / "reference"
EVAL = SHARED / "eval"

needs_shared = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason="../shared/reference is not beside the project (it is only on project machines)"
)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def _postgres_engine(schema: str) -> Engine:
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return make_engine_with_search_path(POSTGRES_URL, schema)


def make_engine_with_search_path(url: str, schema: str) -> Engine:
    from sqlalchemy import create_engine

    return create_engine(url, future=True, connect_args={"options": f"-csearch_path={schema}"})


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated, empty database: SQLite always, PostgreSQL when TEST_DATABASE_URL names one.

    Each PostgreSQL test gets its own schema, so tests can run side by side on one server.
    """
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests need a server (.ci/run sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = _postgres_engine(schema)
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        cleanup = make_engine(POSTGRES_URL)
        with cleanup.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        cleanup.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database, for tests whose subject is not the database itself."""
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    migrate(engine)
    yield engine
    engine.dispose()
