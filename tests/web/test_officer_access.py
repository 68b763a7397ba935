"""Who may see the officer pages: officers and admins; not staff, not residents (anyone not signed in)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from bot.accounts.models import User
from bot.accounts.users import add_user
from bot.db import session_scope
from bot.gaplog.models import GapEntry
from bot.web.app import create_app
from tests.gaplog.helpers import PASSWORD, csrf_from, make_settings, sign_in

OFFICER_PAGES = [
    "/officer/gaps",
    "/officer/gaps.csv",
    "/officer/gaps/1",
    "/officer/clusters",
    "/officer/trends",
    "/officer/report",
    "/officer/report/download?format=csv",
]


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> TestClient:
    for username, role in (("olive", "officer"), ("stan", "staff"), ("ada", "admin")):
        add_user(engine, username, PASSWORD, role)
    with session_scope(engine) as session:
        session.add(
            GapEntry(
                channel="resident",
                conversation_hash="h",
                text="rats in the garden",
                reason="not_understood",
                candidates=[],
            )
        )
    return TestClient(create_app(make_settings(tmp_path, engine), engine=engine))


def test_the_health_check_answers_without_signing_in(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_a_resident_is_sent_to_sign_in_and_sees_nothing(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=%2Fofficer%2F")
    assert "rats in the garden" not in response.text


@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_contact_centre_staff_are_refused(client: TestClient, path: str) -> None:
    sign_in(client, "stan")
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 403
    assert "rats in the garden" not in response.text


@pytest.mark.parametrize("username", ["olive", "ada"])
def test_officers_and_admins_see_the_gap_log(client: TestClient, username: str) -> None:
    sign_in(client, username)
    for path in OFFICER_PAGES:
        assert client.get(path).status_code == 200, path
    assert "rats in the garden" in client.get("/officer/gaps").text


def test_after_signing_in_the_officer_returns_to_the_page_they_asked_for(client: TestClient) -> None:
    first = client.get("/officer/clusters", follow_redirects=False)
    page = client.get(first.headers["location"])
    response = client.post(
        "/sign-in",
        data={
            "username": "olive",
            "password": PASSWORD,
            "next": "/officer/clusters",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/officer/clusters"


def test_sign_in_never_redirects_to_another_site(client: TestClient) -> None:
    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"username": "olive", "password": PASSWORD, "next": "//evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/officer/gaps"


def test_a_wrong_password_is_refused_with_a_message(client: TestClient) -> None:
    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in", data={"username": "olive", "password": "not it at all", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Enter a correct username and password" in response.text
    assert client.get("/officer/gaps", follow_redirects=False).status_code == 303


def test_a_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    response = client.post(
        "/sign-in", data={"username": "olive", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert client.get("/officer/gaps", follow_redirects=False).status_code == 303


def test_signing_out_ends_access(client: TestClient) -> None:
    sign_in(client, "olive")
    page = client.get("/officer/gaps")
    client.post("/sign-out", data={"csrf_token": csrf_from(page.text)})
    assert client.get("/officer/gaps", follow_redirects=False).status_code == 303


def test_a_disabled_account_loses_access_at_once(client: TestClient, engine: Engine) -> None:
    sign_in(client, "olive")
    with session_scope(engine) as session:
        session.query(User).filter_by(username="olive").update({"active": False})
    assert client.get("/officer/gaps", follow_redirects=False).status_code == 303


def test_pages_are_accessible_html_without_scripts(client: TestClient) -> None:
    sign_in(client, "olive")
    for path in (
        "/officer/gaps",
        "/officer/gaps/1",
        "/officer/clusters",
        "/officer/trends",
        "/officer/report",
    ):
        html = client.get(path).text
        assert '<html lang="en-GB">' in html
        assert 'href="#main-content"' in html and 'id="main-content"' in html
        assert "<script" not in html
        assert html.count("<h1") == 1
        for field_id in __import__("re").findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
            assert f'for="{field_id}"' in html, f"{path}: field {field_id} has no label"


def test_repeated_password_guessing_is_slowed_down(client: TestClient) -> None:
    token = csrf_from(client.get("/sign-in").text)
    statuses = [
        client.post(
            "/sign-in", data={"username": "olive", "password": f"guess {n}", "csrf_token": token}
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    refused = client.post("/sign-in", data={"username": "olive", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 429 and "Too many sign-in attempts" in refused.text


def test_signed_in_pages_are_not_cached_or_framed(client: TestClient) -> None:
    sign_in(client, "olive")
    for path in ("/officer/gaps", "/officer/gaps.csv", "/sign-in"):
        headers = client.get(path).headers
        assert headers["cache-control"] == "no-store", path
        assert headers["x-frame-options"] == "DENY", path
