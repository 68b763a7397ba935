"""Files holding residents' words, sign-ins or secrets can be read only by the account running the app,
whatever the umask: another user on the same machine cannot read the database, the logs or the keys.

Each test clears the umask first, so a file the code did not protect itself would come out 0666."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import make_engine, migrate
from bot.gaplog.local_secret import gaplog_salt, persisted_secret
from bot.settings import Settings
from bot.supervisor import Child, ServiceSpec


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_new_sqlite_database_is_readable_only_by_its_owner(tmp_path: Path) -> None:
    database = tmp_path / "var" / "here_to_help.db"
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (username, password_hash, role, created_at, active) "
                "VALUES ('olive', 'x', 'officer', '2026-01-01', 1)"
            )
        )
    engine.dispose()
    assert mode(database) == 0o600


def test_an_existing_database_made_world_readable_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    database.touch()
    database.chmod(0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600


def test_the_servers_logs_are_readable_only_by_their_owner(tmp_path: Path) -> None:
    logs = tmp_path / "var" / "logs"
    spec = ServiceSpec(
        name="echo",
        command=[sys.executable, "-c", "print('a resident said: my name is Jo')"],
        port=0,
        health_url="http://127.0.0.1:9/",
        log_path=logs / "web.log",
        cwd=tmp_path,
    )
    child = Child(spec)
    child.start()
    child.process.wait(timeout=30)
    child.stop(grace=1)
    assert "my name is Jo" in spec.log_path.read_text()
    assert mode(spec.log_path) == 0o600
    assert mode(logs) == 0o700


def test_a_log_an_older_version_left_readable_is_tightened_when_reopened(tmp_path: Path) -> None:
    log = tmp_path / "rasa.log"
    log.write_text("earlier run\n")
    log.chmod(0o644)
    spec = ServiceSpec("true", [sys.executable, "-c", "pass"], 0, "http://127.0.0.1:9/", log, tmp_path)
    child = Child(spec)
    child.start()
    child.process.wait(timeout=30)
    child.stop(grace=1)
    assert mode(log) == 0o600
    assert log.read_text().startswith("earlier run\n"), "appended to, not replaced"


def test_generated_secrets_and_their_folder_are_private(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var", gaplog_salt="")
    gaplog_salt(settings)
    persisted_secret("rasa_token", "", settings.var_dir)
    secrets = settings.var_dir / "secrets"
    assert mode(secrets) == 0o700
    assert {path.name: mode(path) for path in secrets.iterdir()} == {
        "gaplog_salt": 0o600,
        "rasa_token": 0o600,
    }


def test_a_gap_log_export_written_to_a_file_is_private(tmp_path: Path) -> None:
    from bot.cli.gaps import _write

    export = tmp_path / "exports" / "gaps.csv"
    _write("created_at,text\n2026-01-01,rats in the garden\n", export)
    assert mode(export) == 0o600
