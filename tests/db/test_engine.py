"""The shared engine is made and migrated once, however many threads ask for it at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

from sqlalchemy import inspect

from bot.db import get_engine


def test_gap_log_writes_from_many_threads_at_start_up_all_get_one_migrated_engine(tmp_path: Path) -> None:
    """The web app writes each turn's gap-log rows off the event loop; the first few turns after a start
    arrive together, and each asked for the engine while the first was still migrating (Alembic's command
    globals are not thread-safe: KeyError 'script', and the rows went to the spool instead)."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    threads = 8
    barrier = Barrier(threads)

    def first_use(_: int):
        barrier.wait()
        return get_engine(url)

    try:
        with ThreadPoolExecutor(threads) as pool:
            engines = list(pool.map(first_use, range(threads)))
        assert len({id(engine) for engine in engines}) == 1
        assert "gap_entries" in inspect(engines[0]).get_table_names()
    finally:
        get_engine.cache_clear()
