"""Gap-log writes that fail are kept on disk and written when the database is back: no question is lost.

With the database locked, read-only or unreachable, a turn's gap-log rows (unmet questions, crises,
answers) used to be dropped with a log line, and nothing retried, so the questions the council most needs to
see, those asked while the assistant was failing, never reached officers. `write_or_spool` tries the
database once (bounded by DATABASE_TIMEOUT_SECONDS) and, if that fails, appends the turn's rows as one JSON
line to `VAR_DIR/spool/gaplog.jsonl`, flushed to disk.

What is spooled is exactly what would have been stored: rows built by bot.gaplog.record, so the text is
already redacted and the conversation id already a salted hash. The file is 0600 in a 0700 folder
(bot.private_files), like the database itself.

`replay` writes the spooled lines back, each line in its own transaction, and keeps those the database
still refuses; it runs after every successful gap-log write, every `REPLAY_SECONDS` in the web app, and as
`here-to-help gaps replay`. A line that cannot be read, or that the database rejects as data (not as
unavailable), is moved to `gaplog.rejected.jsonl` and logged, so it never blocks the lines after it.
Writing is at least once: a process killed between a line's commit and the file's rewrite writes that line
again on the next replay.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.gaplog.models import Answer, GapEntry, Referral
from bot.private_files import open_private, private_folder
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

REPLAY_SECONDS = 30.0
"""How often the web app tries to write spooled rows back."""
MODELS = {model.__tablename__: model for model in (GapEntry, Answer, Referral)}
Row = GapEntry | Answer | Referral


@dataclass(frozen=True)
class Replayed:
    """What a replay did: lines written, lines waiting for the database, lines set aside as unreadable."""

    written: int = 0
    waiting: int = 0
    rejected: int = 0


def spool_folder(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    # Settings fills an unset GAPLOG_SPOOL_DIR in with VAR_DIR/spool; the same here for the type checker.
    return settings.gaplog_spool_dir or settings.var_dir / "spool"


def spool_file(settings: Settings | None = None) -> Path:
    return spool_folder(settings) / "gaplog.jsonl"


def rejected_file(settings: Settings | None = None) -> Path:
    return spool_folder(settings) / "gaplog.rejected.jsonl"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def serialise(rows: Sequence[Row]) -> str:
    """One JSON line holding the rows of one turn: the table and every column but the id."""
    items = [
        {
            "table": row.__tablename__,
            "values": {
                column.key: _plain(getattr(row, column.key))
                for column in row.__table__.columns
                if column.key != "id" and getattr(row, column.key) is not None
            },
        }
        for row in rows
    ]
    return json.dumps({"rows": items}, ensure_ascii=False, separators=(",", ":"))


def deserialise(line: str) -> list[Row]:
    """The rows of one spooled line; ValueError (or KeyError/TypeError) when it cannot be read."""
    data = json.loads(line)
    rows: list[Row] = []
    for item in data["rows"]:
        model = MODELS[item["table"]]
        columns = model.__table__.columns
        values = dict(item["values"])
        unknown = set(values) - {column.key for column in columns} | ({"id"} & set(values))
        if unknown:
            raise ValueError(f"unknown columns {sorted(unknown)} for {item['table']}")
        for column in columns:
            if isinstance(column.type, DateTime) and isinstance(values.get(column.key), str):
                values[column.key] = datetime.fromisoformat(values[column.key])
        rows.append(model(**values))
    if not rows:
        raise ValueError("a spooled line with no rows")
    return rows


@contextmanager
def _locked(settings: Settings | None) -> Iterator[None]:
    """Only one process at a time appends to or rewrites the spool (web app, Rasa, action server, CLI)."""
    private_folder(spool_folder(settings))
    with open_private(spool_folder(settings) / "gaplog.lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _append(path: Path, lines: Sequence[str]) -> None:
    with open_private(path, "a") as handle:
        for line in lines:
            handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def spool(rows: Sequence[Row], settings: Settings | None = None) -> None:
    """Keep the rows of one turn on disk until the database takes them."""
    line = serialise(rows)
    with _locked(settings):
        _append(spool_file(settings), [line])


def write_or_spool(
    rows: Sequence[Row], engine: Engine | None = None, settings: Settings | None = None
) -> bool:
    """Write one turn's rows together; if the database fails, spool them. True when written now.

    After a successful write the spool is replayed too: the database is evidently back."""
    if not rows:
        return True
    line = serialise(rows)  # before the session touches them: a failed flush can expire attributes
    try:
        from bot.db import get_engine, session_scope

        engine = engine or get_engine()
        with session_scope(engine) as session:
            session.add_all(rows)
    except Exception as error:  # noqa: BLE001 - whatever the database did, the rows must not be lost
        logger.error("the gap log could not be written (%s); the entry is spooled", type(error).__name__)
        with _locked(settings):
            _append(spool_file(settings), [line])
        return False
    replay_if_pending(engine, settings)
    return True


def pending(settings: Settings | None = None) -> bool:
    path = spool_file(settings)
    return path.is_file() and path.stat().st_size > 0


def replay_if_pending(engine: Engine | None = None, settings: Settings | None = None) -> Replayed:
    """`replay` when something is spooled (a cheap check that needs no lock); never raises."""
    if not pending(settings):
        return Replayed()
    try:
        return replay(engine, settings)
    except Exception as error:  # noqa: BLE001 - a replay that fails now is retried later
        logger.warning("spooled gap-log entries not replayed yet (%s)", type(error).__name__)
        return Replayed()


def _unavailable(error: Exception) -> bool:
    """The database could not take any row now (locked, read-only, gone), as opposed to rejecting this one."""
    return isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def replay(engine: Engine | None = None, settings: Settings | None = None) -> Replayed:
    """Write spooled lines to the database, oldest first; keep the rest while it is unavailable."""
    from bot.db import get_engine, session_scope

    path = spool_file(settings)
    with _locked(settings):
        if not path.is_file():
            return Replayed()
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        engine = engine or get_engine()
        written, rejected, kept = 0, [], []
        for index, line in enumerate(lines):
            try:
                rows = deserialise(line)
            except (ValueError, KeyError, TypeError) as error:
                logger.error("a spooled gap-log line could not be read (%s); set aside", type(error).__name__)
                rejected.append(line)
                continue
            try:
                with session_scope(engine) as session:
                    session.add_all(rows)
            except Exception as error:  # noqa: BLE001 - sorted below: wait, or set aside
                if _unavailable(error):
                    kept = lines[index:]
                    break
                logger.error(
                    "the database refused a spooled gap-log line (%s); set aside", type(error).__name__
                )
                rejected.append(line)
                continue
            written += 1
        if rejected:
            _append(rejected_file(settings), rejected)
        temporary = path.with_suffix(".tmp")
        with open_private(temporary, "w") as handle:
            handle.writelines(line + "\n" for line in kept)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    if written or rejected:
        logger.info(
            "spooled gap-log lines: %d written, %d waiting, %d set aside", written, len(kept), len(rejected)
        )
    return Replayed(written=written, waiting=len(kept), rejected=len(rejected))


def keep_replaying(
    engine: Engine | None, stop: threading.Event, settings: Settings | None = None
) -> threading.Thread:
    """Replay the spool every REPLAY_SECONDS in a daemon thread until `stop` is set (the web app runs it)."""

    def loop() -> None:
        while not stop.wait(REPLAY_SECONDS):
            replay_if_pending(engine, settings)

    thread = threading.Thread(target=loop, daemon=True, name="gaplog-spool-replay")
    thread.start()
    return thread


def record_unmet_quietly(
    engine: Engine | None, conversation_id: str, channel: str, text: str, settings: Settings | None = None
) -> None:
    """Log a question the assistant could not answer at all (`unavailable`), spooled if need be."""
    try:
        from bot.gaplog.models import Reason
        from bot.gaplog.record import unmet_entry

        entry = unmet_entry(
            conversation_id=conversation_id,
            channel=channel,
            text=text,
            reason=Reason.UNAVAILABLE.value,
            settings=settings,
        )
        write_or_spool([entry], engine, settings)
    except Exception as error:  # noqa: BLE001 - the number was given; the log line is second
        logger.error("could not log a question the assistant could not answer (%s)", type(error).__name__)
