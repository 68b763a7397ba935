"""Settings read from the environment, so that every command and process agrees on where things live.

Relative paths are resolved against the project root rather than the working directory: `rasa run` started
from another folder must still find the same database and models.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings, validator

from bot import PROJECT_ROOT

BANK_HOLIDAY_REGIONS = ("ENG", "WLS", "SCT", "NIR")


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
    bank_holidays: str = "ENG"
    """Whose bank holidays close services: ENG (England), WLS (Wales), SCT (Scotland) or NIR (Northern
    Ireland), the UK subdivisions of the `holidays` library."""
    gaplog_salt: str = ""
    """Salt for hashing conversation ids in the gap log. Empty: generated once under VAR_DIR and kept."""
    gaplog_retention_days: int = 90
    """How long `here-to-help purge` keeps gap entries, answers, referrals and tracker events by default."""
    here_to_help_env: str = "development"
    """`production` turns off the generated development sign-ins and marks cookies Secure."""
    secure_cookies: bool | None = None
    """Send the sign-in cookies only over HTTPS. Unset: on when HERE_TO_HELP_ENV=production."""
    session_idle_minutes: float = 30.0
    """A sign-in ends after this long without a request, so an unattended screen does not stay signed in."""
    session_max_hours: float = 8.0
    """A sign-in ends this long after it began, however busy: one working shift."""
    trusted_proxies: str = ""
    """Comma-separated IP addresses or networks (127.0.0.1, 10.0.0.0/8) of reverse proxies whose
    X-Forwarded-For and X-Forwarded-Proto are believed. Empty: none; the connecting address is the client."""
    import_max_mb: float = 20.0
    """The largest directory import (all files together) `directory import` reads; a bigger one is refused
    before it is read, since parsing JSON takes about nine times its size in memory."""
    host: str = "127.0.0.1"
    """Interface the servers of `here-to-help run` bind to; loopback keeps the Rasa API off the network."""
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8000
    action_url: str = ""
    """Where Rasa reaches the action server's webhook. Empty: http://HOST:ACTION_PORT/webhook (loopback when
    HOST is 0.0.0.0); set it when the action server runs elsewhere, e.g. http://actions:5055/webhook."""
    rasa_url: str = ""
    """Where the web app reaches Rasa. Empty: http://HOST:RASA_PORT (loopback when HOST is 0.0.0.0)."""
    rasa_token: str = ""
    """Protects Rasa's HTTP API (`--auth-token`). Empty: the one `here-to-help run` keeps in VAR_DIR."""
    chat_rate_limit: str = "20/minute"
    """Messages one client (IP address) may send to `/api/chat`, as COUNT/second|minute|hour."""
    chat_timeout_seconds: float = 4.0
    """How long `/api/chat` waits for Rasa before telling the resident to phone instead: under 5 s, so a
    resident always has a reply with the contact-centre number within 5 s (a normal turn takes under 1 s)."""
    database_timeout_seconds: float = 2.0
    """How long a query waits for a locked SQLite database (its busy timeout), or for PostgreSQL to accept a
    connection. Short, so a stuck database fails fast: the resident gets the number and the gap-log entry
    is spooled (bot.gaplog.spool) instead of everyone waiting."""
    chat_allowed_origins: str = ""
    """Comma-separated origins (https://www.example.gov.uk) of council sites that embed the widget
    when it is served from another origin; empty allows only this app's own pages."""
    privacy_notice_url: str = ""
    """The council's privacy notice for the assistant (https://...), linked from the chat widget and the
    demo page through `/privacy`. Empty: `/privacy` shows the assistant's own notice of what it keeps."""
    accessibility_statement_url: str = ""
    """The council's accessibility statement (https://...), linked from the widget through `/accessibility`.
    Empty: `/accessibility` shows the widget's own statement."""
    redis_url: str = ""
    """Optional Redis for Rasa's lock store, needed before Rasa can run several workers (SANIC_WORKERS)."""
    log_level: str = "INFO"
    """Log level of Rasa, the action server and the web app. DEBUG makes Rasa log what residents typed."""
    gaplog_spool_dir: Path | None = None
    """Where gap-log entries wait while the database cannot take them (bot.gaplog.spool). Unset:
    VAR_DIR/spool."""
    contact_centre_phone: str = ""
    """The contact-centre number given when the assistant or the directory is down, if the directory's own
    contact centre has never been read (bot.conversation.contact_line): the directory's number comes first."""
    staff_channel_token: str = ""
    """Shared secret the web app's staff proxy sends (X-Here-To-Help-Staff-Token) to claim the staff channel.
    Empty: only requests from this machine may claim it."""
    here_to_help_now: str = ""
    """An ISO date-time taken as "now" for opening hours (bot.conversation.opening.london_now): tests and
    demonstrations only. Empty: the clock."""
    sanic_workers: str = "1"
    """Read by Rasa itself; here only to warn that more than one worker needs REDIS_URL."""
    max_message_chars: int = 500
    """Longer messages get a clear reply and are not processed or stored: the one limit of the REST channel
    and the web app's `/api/chat` (the widget's own countdown, here-to-help.js MAX_LENGTH, shows 500)."""
    safety_lines_file: Path = Path("data/safety/crisis_lines.yml")
    """The reviewed crisis numbers and categories (docs/safety.md); a council may use its own copy."""
    safety_phrases_file: Path = Path("data/safety/crisis_phrases.yml")
    """The vocabulary the safety check recognises a crisis by."""
    cost_per_call: float = 2.83
    """£ a phone call costs the council, for `demand export`'s estimate (published UK figures £2.83-£5.00)."""
    cost_per_web_contact: float = 0.32
    """£ a web or chat contact costs (published UK figures 8p-32p); the cautious end of each range."""
    national_bodies_file: Path = Path("data/national/bodies.yml")
    """The national signposting catalogue (bot.directory.national): part of every directory."""
    council_area_file: str = "data/area/council_area.yml"
    """The council's own area: its postcode districts and towns (bot.conversation.council_area). A message
    naming a postcode or town outside it is told so, with GOV.UK's "find your local council" link. Relative
    to the project folder; empty turns the check off."""
    uk_places_file: str = "data/area/uk_places.yml"
    """UK cities and large towns, each outside the council's area unless its file lists it as one of its
    towns. Relative to the project folder; empty: only the council file's own `places_elsewhere`."""
    retrain_bench_sets: str = (
        "data/eval/resident_questions.csv,bench/questions_broad.csv,data/eval/unmet_queries.csv"
    )
    """Comma-separated labelled query files (columns text, expected_lgsl) the officer page's retraining scores
    the old and the new model on, relative to the project folder (bot.retrain)."""
    retrain_max_drop: float = 0.02
    """A retrained model whose right-first-time share falls by more than this on any bench set is kept aside
    and not switched in: a bad batch of taught phrases must not quietly make the bot worse."""
    rasa_reload_urls: str = ""
    """Comma-separated Rasa servers told to load a retrained model (`PUT /model`). Empty: RASA_URL. With
    several replicas, list each, since a load balancer would tell only one."""

    @validator(
        "models_dir", "var_dir", "safety_lines_file", "safety_phrases_file", "national_bodies_file", pre=False
    )
    def _resolve(cls, value: Path) -> Path:  # noqa: N805 - pydantic validators take the class
        return _absolute(Path(value))

    @validator("gaplog_spool_dir", always=True)
    def _default_spool_dir(cls, value: Path | None, values: dict) -> Path:  # noqa: N805
        if value:
            return _absolute(Path(value))
        return Path(values.get("var_dir") or _absolute(Path("var"))) / "spool"

    @validator("database_url", always=True)
    def _default_database(cls, value: str, values: dict) -> str:  # noqa: N805
        if value:
            return value
        var_dir = values.get("var_dir") or _absolute(Path("var"))
        return f"sqlite:///{Path(var_dir) / 'here_to_help.db'}"

    @validator("rasa_url", always=True)
    def _default_rasa_url(cls, value: str, values: dict) -> str:  # noqa: N805
        if value:
            return value.rstrip("/")
        host = values.get("host") or "127.0.0.1"
        host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        return f"http://{host}:{values.get('rasa_port') or 5005}"

    @validator("rasa_token", always=True)
    def _persisted_rasa_token(cls, value: str, values: dict) -> str:  # noqa: N805
        """The web app and Rasa must agree on the token without the user setting one, so read the kept one."""
        if value:
            return value
        kept = Path(values.get("var_dir") or _absolute(Path("var"))) / "secrets" / "rasa_token"
        return kept.read_text(encoding="utf-8").strip() if kept.is_file() else ""

    @validator("privacy_notice_url", "accessibility_statement_url")
    def _web_address(cls, value: str) -> str:  # noqa: N805
        """Residents are sent there from every page, so only a real web address will do, never javascript:."""
        value = value.strip()
        if value and not value.lower().startswith(("https://", "http://")):
            raise ValueError(f"must be a web address starting https:// (or http://); got {value!r}")
        return value

    @validator("here_to_help_env")
    def _lower_env(cls, value: str) -> str:  # noqa: N805
        return value.strip().lower() or "development"

    @validator("secure_cookies", always=True)
    def _secure_in_production(cls, value: bool | None, values: dict) -> bool:  # noqa: N805
        """Production is served over HTTPS (docs/security.md); a cookie sent over plain HTTP can be read."""
        if value is not None:
            return value
        return values.get("here_to_help_env") == "production"

    @property
    def is_production(self) -> bool:
        return self.here_to_help_env == "production"

    @validator("bank_holidays")
    def _known_bank_holidays(cls, value: str) -> str:  # noqa: N805
        region = value.strip().upper()
        if region not in BANK_HOLIDAY_REGIONS:
            raise ValueError(f"BANK_HOLIDAYS must be one of {', '.join(BANK_HOLIDAY_REGIONS)}; got {value!r}")
        return region

    @validator("log_level")
    def _upper_log_level(cls, value: str) -> str:  # noqa: N805
        return value.upper()

    class Config:
        env_file_encoding = "utf-8"
        case_sensitive = False


_VARIABLES = frozenset(name.lower() for name in Settings.__fields__)
"""The environment variables Settings reads: its fields' names, in any case."""


def _environment_key() -> frozenset[tuple[str, str]]:
    return frozenset((key.lower(), value) for key, value in os.environ.items() if key.lower() in _VARIABLES)


@lru_cache(maxsize=8)
def _settings_for(environment: frozenset[tuple[str, str]]) -> Settings:
    return Settings()


def get_settings() -> Settings:
    """The settings for the environment as it is now: read once for each set of values of their variables,
    so a changed variable (a test's monkeypatch, a command's own default) is never missed and nothing needs
    resetting."""
    return _settings_for(_environment_key())


# Older tests call get_settings.cache_clear() after changing the environment: no longer needed, still
# harmless. mypy allows no new attribute on a function.
get_settings.cache_clear = _settings_for.cache_clear  # type: ignore[attr-defined]
