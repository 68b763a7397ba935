"""Scale-out on Rasa's own engines: two `rasa run` replicas share one conversation through PostgreSQL (the
tracker store) and Redis (the lock store), so a resident whose messages a proxy sends to different replicas
is still understood.

One action server and two Rasa replicas are started on loopback with the commands compose.yaml gives their
containers (`here-to-help run --role actions|rasa`, so Rasa gets the endpoints.yml of bot/rasa_endpoints.py),
over a private schema of the CI's PostgreSQL (TEST_DATABASE_URL) with the demo directory imported, and the
CI's Redis (TEST_REDIS_URL). The session's trained model is reused; loading it twice is most of the time.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from sqlalchemy import text

from bot.db import make_engine, migrate
from bot.rasa_endpoints import TRACKER_STORE_TYPE
from bot.supervisor import ServiceSpec, Supervisor
from tests.conftest import POSTGRES_URL, PROJECT_ROOT
from tests.e2e.conftest import WEDNESDAY_AFTERNOON, free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
HERE_TO_HELP = Path(sys.executable).with_name("here-to-help")
READY_SECONDS = 300.0
TOKEN = "scale-out-test-token"

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL, reason="TEST_DATABASE_URL is not set: scale-out needs a PostgreSQL server (.ci/run)"
    ),
    pytest.mark.skipif(
        not REDIS_URL, reason="TEST_REDIS_URL is not set: scale-out needs a Redis server (.ci/run)"
    ),
]


@dataclass(frozen=True)
class Replicas:
    """Two Rasa replicas' REST webhooks, and the database both keep their trackers in."""

    webhooks: tuple[str, str]
    database_url: str
    endpoints: tuple[Path, Path]
    action_url: str


def _with_schema(url: str, schema: str) -> str:
    """`url` reaching only `schema`: the same `?options=` a council could use to share one database."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def _private_schema() -> Iterator[str]:
    """A schema of its own on the CI's server, dropped afterwards, as the other PostgreSQL tests have."""
    schema = f"t_scale_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _role(role: str, name: str, port: int, health_path: str, root: Path, env: dict[str, str]) -> ServiceSpec:
    """`here-to-help run --role ROLE`, the command compose.yaml gives each container, with its own VAR_DIR."""
    var_dir = root / name
    return ServiceSpec(
        name=name,
        command=[str(HERE_TO_HELP), "run", "--role", role],
        port=port,
        health_url=f"http://127.0.0.1:{port}{health_path}",
        log_path=root / f"{name}.log",
        cwd=PROJECT_ROOT,
        # the port of whichever server the role starts; the other one is not used
        env={**env, "VAR_DIR": str(var_dir), "RASA_PORT": str(port), "ACTION_PORT": str(port)},
    )


@pytest.fixture(scope="module")
def replicas(trained_model, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    from bot.directory.importers import import_directory

    with _private_schema() as schema:
        database_url = _with_schema(POSTGRES_URL, schema)
        engine = make_engine(database_url)
        migrate(engine)  # what `run --role prepare` does before the servers start
        import_directory(engine, PROJECT_ROOT / "data" / "directory")
        engine.dispose()

        root = tmp_path_factory.mktemp("scale_out")
        action_port, port_a, port_b = free_port(), free_port(), free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "MODELS_DIR": str(trained_model.models_dir),
            "RASA_TOKEN": TOKEN,
            "HOST": "127.0.0.1",
            "ACTION_URL": f"http://127.0.0.1:{action_port}/webhook",
            "HERE_TO_HELP_ENV": "production",
            "LOG_LEVEL": "WARNING",
            "RASA_TELEMETRY_ENABLED": "false",
            # the same clock everywhere, so "open now" answers do not depend on when CI runs
            "HERE_TO_HELP_NOW": WEDNESDAY_AFTERNOON,
        }
        supervisor = Supervisor(
            [
                _role("actions", "actions", action_port, "/health", root, env),
                _role("rasa", "rasa-1", port_a, "/webhooks/rest/", root, env),
                _role("rasa", "rasa-2", port_b, "/webhooks/rest/", root, env),
            ]
        )
        supervisor.start_all()  # all three at once: loading the model twice is most of the wait
        try:
            supervisor.wait_until_healthy(READY_SECONDS)
            yield Replicas(
                webhooks=(
                    f"http://127.0.0.1:{port_a}/webhooks/rest/webhook",
                    f"http://127.0.0.1:{port_b}/webhooks/rest/webhook",
                ),
                database_url=database_url,
                endpoints=(root / "rasa-1" / "endpoints.yml", root / "rasa-2" / "endpoints.yml"),
                action_url=env["ACTION_URL"],
            )
        finally:
            supervisor.stop_all()  # SIGTERM each `run`, which stops its server; SIGKILL after the grace


def say(webhook: str, sender: str, message: str) -> tuple[str, dict]:
    """Send one message through a replica's REST webhook: what the resident reads, and the answer metadata."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        webhook, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own loopback replica
        replies = json.loads(response.read())
    words = "\n".join(reply["text"] for reply in replies if "text" in reply)
    return words, replies[-1]["custom"]["answer"]


def stored_events(database_url: str, sender: str) -> list[tuple[str, dict]]:
    engine = make_engine(database_url)
    query = text("SELECT type_name, data FROM events WHERE sender_id = :sender ORDER BY id")
    try:
        with engine.connect() as connection:
            return [(row[0], json.loads(row[1])) for row in connection.execute(query, {"sender": sender})]
    finally:
        engine.dispose()


def test_a_follow_up_on_the_second_replica_answers_about_the_service_found_on_the_first(
    replicas: Replicas,
) -> None:
    for endpoints in replicas.endpoints:
        given = yaml.safe_load(endpoints.read_text(encoding="utf-8"))
        assert given["tracker_store"]["type"] == TRACKER_STORE_TYPE
        assert given["tracker_store"]["dialect"] == "postgresql"
        assert given["lock_store"]["type"] == "redis"
        assert given["action_endpoint"] == {"url": replicas.action_url}
    first, second = replicas.webhooks
    sender = f"scale-{uuid.uuid4().hex[:12]}"

    found_words, found = say(first, sender, "my bin was not collected this morning")
    if found["kind"] == "choices":  # the replicas take turns even for the resident's tap on a button
        choice = next(s for s in found["services"] if s["name"].startswith("Report a missed bin"))
        payload = '/choose_service{"service_id":"' + choice["id"] + '"}'
        found_words, found = say(second, sender, payload)
        first, second = second, first
    assert found["kind"] == "service", found_words
    bin_service = found["services"][0]
    assert bin_service["name"] == "Report a missed bin collection"

    follow_up_words, follow_up = say(second, sender, "what's their phone number?")

    assert follow_up["services"], follow_up_words
    assert follow_up["services"][0]["id"] == bin_service["id"]
    assert "Report a missed bin collection" in follow_up_words
    assert "01632 960120" in follow_up_words

    events = stored_events(replicas.database_url, sender)
    said = [data["text"] for kind, data in events if kind == "user"]
    assert said[0] == "my bin was not collected this morning"
    assert said[-1] == "what's their phone number?"
    assert [kind for kind, _ in events].count("session_started") == 1, "the second replica began afresh"
    assert sum(1 for kind, _ in events if kind == "bot") >= 2 * len(said)
