"""The endpoints.yml `here-to-help run` writes: Rasa keeps conversations in OUR database, and no password is
ever written to the file or printed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

from bot.rasa_endpoints import (
    DB_PASSWORD_VAR,
    REDIS_PASSWORD_VAR,
    TRACKER_STORE_TYPE,
    EndpointsError,
    build_endpoints,
    describe_database,
    load_base,
    write_endpoints,
)

ACTIONS = "http://127.0.0.1:5055/webhook"


def test_an_sqlite_database_is_shared_with_rasas_tracker_store(tmp_path: Path) -> None:
    database = tmp_path / "here_to_help.db"
    endpoints = build_endpoints(f"sqlite:///{database}", ACTIONS)

    assert endpoints.config["tracker_store"] == {
        "type": TRACKER_STORE_TYPE,
        "dialect": "sqlite",
        "db": str(database),
    }
    assert endpoints.config["action_endpoint"] == {"url": ACTIONS}
    assert "lock_store" not in endpoints.config
    assert endpoints.secrets == {}


def test_a_relative_sqlite_path_resolves_against_the_project_root() -> None:
    from bot import PROJECT_ROOT

    endpoints = build_endpoints("sqlite:///var/other.db", ACTIONS)

    assert endpoints.config["tracker_store"]["db"] == str(PROJECT_ROOT / "var" / "other.db")


def test_rasa_itself_stores_conversations_in_the_same_sqlite_file(tmp_path: Path) -> None:
    """Read the generated file the way `rasa run` does and build its tracker store from it."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.utils.endpoints import read_endpoint_config
    from sqlalchemy import create_engine, inspect

    database = tmp_path / "here_to_help.db"
    path = write_endpoints(build_endpoints(f"sqlite:///{database}", ACTIONS), tmp_path / "endpoints.yml")

    config = read_endpoint_config(str(path), "tracker_store")
    store = SQLTrackerStore(**config.kwargs)
    store.engine.dispose()

    assert "events" in inspect(create_engine(f"sqlite:///{database}")).get_table_names()


def test_a_postgresql_password_goes_to_rasas_environment_never_into_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql+psycopg2://hth:s3cret-pw@db.council.example:5433/helpdesk?sslmode=require"
    endpoints = build_endpoints(url, ACTIONS)
    path = write_endpoints(endpoints, tmp_path / "endpoints.yml")

    written = path.read_text(encoding="utf-8")
    assert "s3cret-pw" not in written
    assert "s3cret-pw" not in describe_database(url)
    assert endpoints.secrets == {DB_PASSWORD_VAR: "s3cret-pw"}
    tracker_store = yaml.safe_load(written)["tracker_store"]
    assert tracker_store == {
        "type": TRACKER_STORE_TYPE,
        "dialect": "postgresql",
        "db": "helpdesk",
        "url": "db.council.example",
        "port": 5433,
        "username": "hth",
        "password": "${" + DB_PASSWORD_VAR + "}",
        "query": {"sslmode": "require"},
    }

    # Rasa expands the reference from the environment we give its process
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv(DB_PASSWORD_VAR, "s3cret-pw")
    config = read_endpoint_config(str(path), "tracker_store")
    assert config.kwargs["password"] == "s3cret-pw"
    assert config.url == "db.council.example", "Rasa passes `url` to the store as its host"


def test_the_generated_file_is_readable_only_by_its_owner(tmp_path: Path) -> None:
    path = write_endpoints(
        build_endpoints("sqlite:////tmp/x.db", ACTIONS), tmp_path / "var" / "endpoints.yml"
    )

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_redis_url_adds_a_shared_lock_store_so_rasa_can_run_several_workers() -> None:
    endpoints = build_endpoints("sqlite:////tmp/x.db", ACTIONS, "redis://:lock-pw@cache.internal:6380/2")

    assert endpoints.config["lock_store"] == {
        "type": "redis",
        "url": "cache.internal",
        "port": 6380,
        "db": 2,
        "key_prefix": "here_to_help",
        "password": "${" + REDIS_PASSWORD_VAR + "}",
    }
    assert endpoints.secrets == {REDIS_PASSWORD_VAR: "lock-pw"}
    assert "lock-pw" not in endpoints.to_yaml()


def test_rediss_means_tls_and_defaults_apply() -> None:
    lock_store = build_endpoints("sqlite:////tmp/x.db", ACTIONS, "rediss://cache.internal").config[
        "lock_store"
    ]

    assert lock_store["use_ssl"] is True
    assert (lock_store["port"], lock_store["db"]) == (6379, 0)


def test_the_committed_endpoints_are_kept_except_what_run_decides(tmp_path: Path) -> None:
    committed = tmp_path / "endpoints.yml"
    committed.write_text(
        "action_endpoint:\n  url: http://localhost:9999/webhook\n"
        "tracker_store:\n  type: InMemoryTrackerStore\n"
        "event_broker:\n  type: file\n  path: events.log\n",
        encoding="utf-8",
    )

    config = build_endpoints("sqlite:////tmp/x.db", ACTIONS, base=load_base(committed)).config

    assert config["event_broker"] == {"type": "file", "path": "events.log"}
    assert config["action_endpoint"] == {"url": ACTIONS}
    assert config["tracker_store"]["type"] == TRACKER_STORE_TYPE


@pytest.mark.parametrize(
    ("database_url", "complaint"),
    [
        ("mysql://u:p@host/db", "'mysql'"),
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("not a url", "not a database URL"),
    ],
)
def test_a_database_rasa_cannot_share_is_refused_with_the_reason(database_url: str, complaint: str) -> None:
    with pytest.raises(EndpointsError, match=complaint) as raised:
        build_endpoints(database_url, ACTIONS)
    assert ":p@" not in str(raised.value)


def test_a_malformed_redis_url_is_refused_without_showing_its_password() -> None:
    with pytest.raises(EndpointsError, match="REDIS_URL") as raised:
        build_endpoints("sqlite:////tmp/x.db", ACTIONS, "http://:hunter2@cache:6379/0")
    assert "hunter2" not in str(raised.value)


def test_a_broken_committed_endpoints_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "endpoints.yml"
    broken.write_text("action_endpoint: [unclosed\n", encoding="utf-8")

    with pytest.raises(EndpointsError, match="endpoints.yml is not valid YAML"):
        load_base(broken)
