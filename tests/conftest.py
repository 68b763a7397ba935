"""Shared fixtures: an isolated database per test, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

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
    not REFERENCE.is_dir(),
    reason="../shared/reference is not beside the project (it is only on project machines)",
)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture(autouse=True)
def _private_spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test spools failed gap-log writes into its own folder: otherwise a later test's successful write
    would replay an earlier test's entries into its database."""
    from bot.settings import get_settings

    monkeypatch.setenv("GAPLOG_SPOOL_DIR", str(tmp_path / "spool"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests last: while Playwright's sync API is open an event loop runs in the main thread,
    and every test that calls `asyncio.run` (Rasa's agent, the REST channel) would fail next to it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


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


# --- A trained Rasa model, once per test run (owner: routing; see docs/routing.md) ---


class TrainedModel:
    """Where the session's trained model and its directory live (see the `trained_model` fixture)."""

    def __init__(
        self, database_url: str, models_dir: Path, var_dir: Path, model_path: Path, train_seconds: float
    ) -> None:
        self.database_url = database_url
        self.models_dir = models_dir
        self.var_dir = var_dir
        self.model_path = model_path
        self.train_seconds = train_seconds

    @property
    def env(self) -> dict[str, str]:
        """The environment that points every command and process at this model and its database."""
        return {
            "DATABASE_URL": self.database_url,
            "MODELS_DIR": str(self.models_dir),
            "VAR_DIR": str(self.var_dir),
        }


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainedModel]:
    """The demo directory (`data/directory/`) imported into a temporary SQLite database and the project's Rasa
    model trained from it, ONCE per test run (about a minute on two cores).

    For the whole session it sets DATABASE_URL, MODELS_DIR and VAR_DIR to the temporary database, models
    folder and var folder (and clears the `get_settings` cache), so actions, `load_parser()` and
    `here-to-help route` all see the same directory as the model; they are restored at the end of the
    session. Tests must not change this database: copy its file if a test needs to alter the directory.

    Returns a `TrainedModel` with `database_url`, `models_dir`, `var_dir`, `model_path`, `train_seconds` and
    `env` (for subprocesses). Mark tests that use it `@pytest.mark.rasa`. Load the model with
    `bot.routing.parse.load_parser(trained_model.models_dir)` or `rasa.core.agent.Agent.load(model_path)`.
    """
    from bot.directory.importers import import_directory
    from bot.routing.training import train
    from bot.settings import get_settings

    root = tmp_path_factory.mktemp("trained_model")
    database_url = f"sqlite:///{root / 'directory.db'}"
    model = TrainedModel(database_url, root / "models", root / "var", root / "models" / "unset", 0.0)
    saved = {name: os.environ.get(name) for name in model.env}
    os.environ.update(model.env)
    get_settings.cache_clear()
    try:
        engine = make_engine(database_url)
        migrate(engine)
        import_directory(engine, PROJECT_ROOT / "data" / "directory")
        engine.dispose()
        outcome = train()
        model.model_path, model.train_seconds = outcome.model_path, outcome.seconds
        yield model
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
