"""Scale-out on Rasa's own engines: two `rasa run` replicas share one conversation through PostgreSQL (the
tracker store) and Redis (the lock store), so a resident whose messages a proxy sends to different replicas
is still understood.

One action server and two Rasa processes are started with the commands and the endpoints.yml that
`here-to-help run` gives production (`bot.run.service_specs`, `bot.rasa_endpoints`), over a private schema
of the CI's PostgreSQL (TEST_DATABASE_URL) with the demo directory imported, and the CI's Redis
(TEST_REDIS_URL). The session's trained model is reused. Loading the model twice takes most of the time.
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from sqlalchemy import text

from bot.db import make_engine, migrate
from bot.rasa_endpoints import TRACKER_STORE_TYPE
from bot.run import Addresses, service_specs, write_rasa_endpoints
from bot.settings import Settings
from bot.supervisor import Supervisor
from tests.conftest import POSTGRES_URL, PROJECT_ROOT
from tests.e2e.conftest import WEDNESDAY_AFTERNOON, free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
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
    endpoints: Path


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


@pytest.fixture(scope="module")
def replicas(trained_model, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    from bot.directory.importers import import_directory

    with _private_schema() as schema:
        database_url = _with_schema(POSTGRES_URL, schema)
        engine = make_engine(database_url)
        migrate(engine)
        import_directory(engine, PROJECT_ROOT / "data" / "directory")
        engine.dispose()

        var_dir = tmp_path_factory.mktemp("scale_out")
        action_port, port_a, port_b = free_port(), free_port(), free_port()
        specs = []
        for name, rasa_port in (("rasa-1", port_a), ("rasa-2", port_b)):
            settings = Settings(
                database_url=database_url,
                redis_url=REDIS_URL,
                var_dir=var_dir,
                models_dir=trained_model.models_dir,
                rasa_token=TOKEN,
                host="127.0.0.1",
                rasa_port=rasa_port,
                action_port=action_port,
                web_port=free_port(),
                log_level="WARNING",
            )
            addresses = Addresses.from_settings(settings)
            endpoints, secrets = write_rasa_endpoints(settings, addresses)
            action, rasa, _web = service_specs(
                settings,
                addresses,
                token=TOKEN,
                endpoints=endpoints,
                secrets=secrets,
                model=trained_model.model_path,
            )
            if not specs:
                specs.append(_at_noon(action))
            specs.append(_at_noon(replace(rasa, name=name, log_path=var_dir / "logs" / f"{name}.log")))

        supervisor = Supervisor(specs)
        supervisor.start_all()
        try:
            supervisor.wait_until_healthy(READY_SECONDS)
            yield Replicas(
                webhooks=(
                    f"http://127.0.0.1:{port_a}/webhooks/rest/webhook",
                    f"http://127.0.0.1:{port_b}/webhooks/rest/webhook",
                ),
                database_url=database_url,
                endpoints=endpoints,
            )
        finally:
            supervisor.stop_all()


def _at_noon(spec):
    """The same clock for every process, so "open now" answers do not depend on when CI runs."""
    return replace(spec, env={**spec.env, "HERE_TO_HELP_NOW": WEDNESDAY_AFTERNOON})


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
    given = yaml.safe_load(replicas.endpoints.read_text(encoding="utf-8"))
    assert given["tracker_store"]["type"] == TRACKER_STORE_TYPE
    assert given["tracker_store"]["dialect"] == "postgresql"
    assert given["lock_store"]["type"] == "redis"
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
