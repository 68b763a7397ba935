"""Shared by the gap-log and officer-page tests: settings in a temporary folder, a URL the CLI can reach the
test database by, a council directory to link to, and signing in through the real sign-in form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.directory.models import Organisation, Service, ServicePhrase
from bot.settings import Settings

PASSWORD = "a long enough password"


def make_settings(tmp_path: Path, engine: Engine) -> Settings:
    return Settings(var_dir=tmp_path, database_url=engine_url(engine), gaplog_salt="test-salt")


def engine_url(engine: Engine) -> str:
    """A URL that reaches the same database and schema as `engine` (PostgreSQL tests use a private schema)."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            schema = connection.execute(text("select current_schema()")).scalar_one()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@contextmanager
def cli_environment(monkeypatch, settings: Settings) -> Iterator[None]:  # noqa: ANN001 - pytest's MonkeyPatch
    """Point `here-to-help` (run in-process) at the test database and folder; forget cached engines after."""
    from bot.db import get_engine
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("GAPLOG_SALT", settings.gaplog_salt)
    get_settings.cache_clear()
    try:
        yield
    finally:
        engine = get_engine(settings.database_url)
        engine.dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()


def add_directory(engine: Engine) -> None:
    """A district council with two services, and the county as another organisation."""
    with session_scope(engine) as session:
        session.add(
            Organisation(id="org-district", name="Brackenford District Council", is_host=True, description="")
        )
        session.add(
            Organisation(id="org-county", name="Oakshire County Council", kind="county", description="")
        )
        session.add(
            Service(id="svc-bins", organisation_id="org-district", name="Bin collections", description="")
        )
        session.add(Service(id="svc-dogs", organisation_id="org-district", name="Dog warden", description=""))
        session.add(Service(id="svc-roads", organisation_id="org-county", name="Highways", description=""))
        session.add(ServicePhrase(service_id="svc-bins", phrase="bin not emptied", position=0))


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, f"sign-in as {username} failed: {response.status_code}"
