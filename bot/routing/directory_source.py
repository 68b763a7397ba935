"""Reading the directory for training, with one clear error when there is nothing to train on.

Kept free of Rasa imports: `model_is_stale()` (run before `make run` starts anything) needs the directory's
fingerprint and must not pay for importing Rasa and TensorFlow.
"""

from __future__ import annotations

from pathlib import Path

from bot.directory.snapshot import DirectoryEntry

IMPORT_HINT = "import a directory first: here-to-help directory import data/directory"


class DirectoryEmptyError(RuntimeError):
    """Training found no active services: there is nothing to route to."""


def read_directory(database_url: str | None = None, *, national: bool = True) -> list[DirectoryEntry]:
    """The active services in the directory database (default: DATABASE_URL), or a clear error if none,
    followed by the national signposting catalogue's bodies the council does not list itself."""
    from bot.db import make_engine, session_scope
    from bot.directory.national import with_national_bodies
    from bot.directory.snapshot import load_directory_entries
    from bot.settings import get_settings

    url = database_url or get_settings().database_url
    hint = IMPORT_HINT
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not Path(path).is_file():
            raise DirectoryEmptyError(f"The directory database {path} does not exist; {hint}")
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            entries = load_directory_entries(session)
    except Exception as error:  # noqa: BLE001 - a missing table or server is reported the same way
        raise DirectoryEmptyError(
            f"Could not read the directory from {engine.url!r} ({error}); {hint}"
        ) from error
    finally:
        engine.dispose()
    if not entries:
        raise DirectoryEmptyError(f"The directory at {engine.url!r} has no active services; {hint}")
    return with_national_bodies(entries) if national else entries
