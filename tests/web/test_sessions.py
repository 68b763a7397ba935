"""Sign-in sessions live on the server: signing out, walking away and a long day all end them for good.

Time is moved by back-dating the session's row, which is what the server itself reads to decide.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.accounts.models import WebSession
from bot.accounts.users import add_user
from bot.db import session_scope, utc_now
from bot.web.app import create_app
from bot.web.sessions import SESSION_COOKIE
from tests.gaplog.helpers import PASSWORD, csrf_from, make_settings, sign_in


def _app(engine: Engine, tmp_path: Path, **overrides: object) -> TestClient:
    settings = make_settings(tmp_path, engine).copy(update=overrides)
    base_url = "https://testserver" if settings.secure_cookies else "http://testserver"
    return TestClient(create_app(settings, engine=engine), base_url=base_url)


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> TestClient:
    add_user(engine, "olive", PASSWORD, "officer")
    return _app(engine, tmp_path, session_idle_minutes=30.0, session_max_hours=8.0)


def _can_see_gap_log(app: TestClient, cookie: str) -> bool:
    """A fresh browser holding only this cookie, as someone who copied it would be."""
    stranger = TestClient(app.app)
    stranger.cookies.set(SESSION_COOKIE, cookie)
    return stranger.get("/officer/gaps", follow_redirects=False).status_code == 200


def _back_date(engine: Engine, **ago: timedelta) -> None:
    """Pretend the (only) session started and/or was last used this long ago."""
    now = utc_now()
    values = {column: now - delta for column, delta in ago.items()}
    with session_scope(engine) as session:
        session.execute(update(WebSession).values(**values))


def test_a_cookie_copied_before_sign_out_no_longer_opens_the_gap_log(client: TestClient) -> None:
    sign_in(client, "olive")
    copied = client.cookies[SESSION_COOKIE]
    assert _can_see_gap_log(client, copied), "the copy works while the officer is signed in"

    page = client.get("/officer/gaps")
    client.post("/sign-out", data={"csrf_token": csrf_from(page.text)})

    assert not _can_see_gap_log(client, copied)
    assert client.get("/officer/gaps", follow_redirects=False).status_code == 303


def test_the_database_keeps_only_a_hash_of_the_cookie(client: TestClient, engine: Engine) -> None:
    sign_in(client, "olive")
    token = client.cookies[SESSION_COOKIE]
    with session_scope(engine) as session:
        stored = session.execute(select(WebSession.token_hash)).scalars().all()
    assert len(stored) == 1
    assert token not in stored[0] and len(stored[0]) == 64


def test_a_session_left_idle_longer_than_the_idle_timeout_ends(client: TestClient, engine: Engine) -> None:
    sign_in(client, "olive")
    _back_date(engine, last_seen_at=timedelta(minutes=29))
    assert client.get("/officer/gaps", follow_redirects=False).status_code == 200, "still within 30 minutes"

    _back_date(engine, last_seen_at=timedelta(minutes=31))
    response = client.get("/officer/gaps", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    with session_scope(engine) as session:
        assert session.execute(select(WebSession)).first() is None, "the expired session is deleted"


def test_a_busy_session_still_ends_at_the_absolute_timeout(client: TestClient, engine: Engine) -> None:
    sign_in(client, "olive")
    _back_date(engine, created_at=timedelta(hours=7, minutes=59), last_seen_at=timedelta(minutes=1))
    assert client.get("/officer/gaps", follow_redirects=False).status_code == 200

    _back_date(engine, created_at=timedelta(hours=8, minutes=1), last_seen_at=timedelta(seconds=0))
    assert client.get("/officer/gaps", follow_redirects=False).status_code == 303


def test_the_timeouts_are_settings(engine: Engine, tmp_path: Path) -> None:
    add_user(engine, "olive", PASSWORD, "officer")
    client = _app(engine, tmp_path, session_idle_minutes=5.0, session_max_hours=1.0)
    sign_in(client, "olive")
    _back_date(engine, last_seen_at=timedelta(minutes=6))
    assert client.get("/officer/gaps", follow_redirects=False).status_code == 303


def test_signing_in_issues_a_new_session_id_and_the_old_one_dies(client: TestClient) -> None:
    planted = "a-session-id-an-attacker-chose-0123456789"
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    sign_in(client, "olive")
    first = client.cookies[SESSION_COOKIE]
    assert first != planted, "a session id given to the browser before sign-in is never adopted"

    sign_in(client, "olive")
    second = client.cookies[SESSION_COOKIE]
    assert second != first
    assert _can_see_gap_log(client, second)
    assert not _can_see_gap_log(client, first), "signing in again ends the previous session"


def _session_cookie_header(client: TestClient) -> str:
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"username": "olive", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    headers = [value for value in response.headers.get_list("set-cookie") if value.startswith(SESSION_COOKIE)]
    assert len(headers) == 1, response.headers
    return headers[0].lower()


def test_the_cookie_is_httponly_and_samesite_lax_but_not_secure_in_development(client: TestClient) -> None:
    cookie = _session_cookie_header(client)
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie


def test_the_cookie_is_secure_when_configured(engine: Engine, tmp_path: Path) -> None:
    add_user(engine, "olive", PASSWORD, "officer")
    assert "; secure" in _session_cookie_header(_app(engine, tmp_path, secure_cookies=True))


def test_production_makes_cookies_secure_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import Settings

    monkeypatch.setenv("HERE_TO_HELP_ENV", "production")
    assert Settings().secure_cookies is True
    monkeypatch.setenv("SECURE_COOKIES", "false")
    assert Settings().secure_cookies is False, "a deployment may still say otherwise"
    monkeypatch.delenv("SECURE_COOKIES")
    monkeypatch.setenv("HERE_TO_HELP_ENV", "development")
    assert Settings().secure_cookies is False


def test_the_sign_in_form_works_before_any_session_exists(client: TestClient, engine: Engine) -> None:
    """Opening the sign-in page stores nothing: its CSRF token is a cookie the form repeats."""
    page = client.get("/sign-in")
    assert "here_to_help_csrf" in page.headers["set-cookie"]
    with session_scope(engine) as session:
        assert session.execute(select(WebSession)).first() is None
    stranger = TestClient(client.app)
    refused = stranger.post(
        "/sign-in",
        data={"username": "olive", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 403, "a token without its cookie (another browser's) is refused"
