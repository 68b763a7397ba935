"""Nothing lost: a gap-log entry the database cannot take (read-only, locked) is kept on disk, redacted and
private, and written when the database is back; an unreadable line never holds up the others."""

from __future__ import annotations

import sqlite3
import stat
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from bot.db import make_engine, session_scope
from bot.gaplog import spool
from bot.gaplog.models import GapEntry
from bot.gaplog.record import crisis_entry, unmet_entry
from bot.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", gaplog_salt="test-salt", database_timeout_seconds=0.5)


def database_file(engine: Engine) -> str:
    return engine.url.database


def question(text: str, settings: Settings, conversation: str = "resident-1") -> GapEntry:
    return unmet_entry(
        conversation_id=conversation,
        channel="resident",
        text=text,
        reason="not_understood",
        settings=settings,
    )


def stored(engine: Engine) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return [
            tuple(row)
            for row in session.execute(select(GapEntry.reason, GapEntry.text).order_by(GapEntry.id))
        ]


def read_only(engine: Engine) -> Engine:
    return create_engine(f"sqlite:///file:{database_file(engine)}?mode=ro&uri=true", future=True)


def test_a_question_asked_while_the_database_is_read_only_is_spooled_redacted_and_written_when_it_is_back(
    sqlite_engine: Engine, settings: Settings
) -> None:
    entry = question("my name is Sarah Jones and nobody collected my bin, call 07700 900461", settings)

    written = spool.write_or_spool([entry], read_only(sqlite_engine), settings)

    assert written is False
    kept = spool.spool_file(settings)
    text = kept.read_text(encoding="utf-8")
    assert "Sarah Jones" not in text and "07700 900461" not in text and "resident-1" not in text
    assert "nobody collected my bin" in text
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert stored(sqlite_engine) == []

    # the next write that succeeds brings the spooled one with it
    assert spool.write_or_spool(
        [question("is the tip open", settings, "resident-2")], sqlite_engine, settings
    )

    assert [reason_text[1] for reason_text in stored(sqlite_engine)] == [
        "is the tip open",
        "my name is [name] and nobody collected my bin, call [phone]",
    ]
    assert not spool.pending(settings)


def test_with_the_database_locked_a_write_gives_up_quickly_and_the_entry_is_replayed_after(
    sqlite_engine: Engine, settings: Settings
) -> None:
    locker = sqlite3.connect(database_file(sqlite_engine), isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    engine = make_engine(str(sqlite_engine.url), timeout=settings.database_timeout_seconds)
    try:
        started = time.monotonic()
        written = spool.write_or_spool(
            [
                crisis_entry(
                    conversation_id="resident-3", channel="resident", category="fire", settings=settings
                )
            ],
            engine,
            settings,
        )
        waited = time.monotonic() - started
        still_locked = spool.replay(engine, settings)
    finally:
        locker.execute("ROLLBACK")
        locker.close()

    assert written is False
    assert waited < 3
    assert still_locked == spool.Replayed(written=0, waiting=1, rejected=0)
    assert spool.replay(engine, settings) == spool.Replayed(written=1, waiting=0, rejected=0)
    assert stored(sqlite_engine) == [("crisis", "")]
    engine.dispose()


def test_an_unreadable_spool_line_is_set_aside_and_does_not_block_the_rest(
    sqlite_engine: Engine, settings: Settings
) -> None:
    spool.spool([question("first question", settings)], settings)
    with spool.spool_file(settings).open("a", encoding="utf-8") as handle:
        handle.write('{"rows": [{"table": "gap_entries", "values": {"no_such_column": 1}}]}\n')
        handle.write("not json at all\n")
    spool.spool([question("second question", settings)], settings)

    done = spool.replay(sqlite_engine, settings)

    assert done == spool.Replayed(written=2, waiting=0, rejected=2)
    assert [row[1] for row in stored(sqlite_engine)] == ["first question", "second question"]
    assert "not json at all" in spool.rejected_file(settings).read_text(encoding="utf-8")
    assert stat.S_IMODE(spool.rejected_file(settings).stat().st_mode) == 0o600


def test_many_spooled_entries_are_all_replayed_none_lost(sqlite_engine: Engine, settings: Settings) -> None:
    for number in range(50):
        spool.write_or_spool([question(f"question {number}", settings)], read_only(sqlite_engine), settings)

    done = spool.replay(sqlite_engine, settings)

    assert done.written == 50
    with session_scope(sqlite_engine) as session:
        assert session.execute(select(func.count(GapEntry.id))).scalar_one() == 50


def test_the_cli_replays_the_spool(sqlite_engine: Engine, settings: Settings, monkeypatch) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from bot.cli import _register, app
    from tests.gaplog.helpers import cli_environment

    _register()
    spool.spool([question("spooled while down", settings)], settings)
    cli_settings = settings.copy(update={"database_url": str(sqlite_engine.url)})
    with cli_environment(monkeypatch, cli_settings):
        result = CliRunner().invoke(app, ["gaps", "replay"])

    assert result.exit_code == 0, result.output
    assert "replayed 1 spooled entries; 0 still waiting" in result.output
    assert [row[1] for row in stored(sqlite_engine)] == ["spooled while down"]
