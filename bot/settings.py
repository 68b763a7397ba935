"""Settings read from the environment, so that every command and process agrees on where things live.

Relative paths are resolved against the project root rather than the working directory: `rasa run` started
from another folder must still find the same database and models.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings, validator

from bot import PROJECT_ROOT


def _absolute(path: Path) -> Path:
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


class Settings(BaseSettings):
    """Everything configurable, each read from the environment variable of the same name."""

    models_dir: Path = Path("models")
    """Where trained Rasa models are written and loaded from."""
    var_dir: Path = Path("var")
    """Generated state: the SQLite database, the built spaCy pipeline, logs."""
    database_url: str = ""
    """SQLAlchemy URL of the directory and gap-log database. Default: an SQLite file under var/."""
    timezone: str = "Europe/London"

    @validator("models_dir", "var_dir", pre=False)
    def _resolve(cls, value: Path) -> Path:  # noqa: N805 - pydantic validators take the class
        return _absolute(Path(value))

    @validator("database_url", always=True)
    def _default_database(cls, value: str, values: dict) -> str:  # noqa: N805
        if value:
            return value
        var_dir = values.get("var_dir") or _absolute(Path("var"))
        return f"sqlite:///{Path(var_dir) / 'here_to_help.db'}"

    class Config:
        env_file_encoding = "utf-8"
        case_sensitive = False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests that change the environment call `get_settings.cache_clear()`."""
    return Settings()
