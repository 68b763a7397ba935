"""Every response says what the browser may do with it: a Content-Security-Policy, no MIME sniffing, a
referrer policy and who may frame it. Residents' pages may be framed by the council's site; staff and
officer pages by nobody."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from bot.web.app import create_app
from tests.support.fake_rasa import FakeRasa, running_fake_rasa
from tests.support.web import (
    HIGHWAYS_ID,
    WASTE_ID,
    add_account,
    add_directory,
    make_settings,
    ranked,
    sign_in,
)

COUNCIL_SITE = "https://www.brackenford.example.gov.uk"
STAFF_PAGES = ["/staff", "/staff?q=bins", "/sign-in"]
OFFICER_PAGES = ["/officer/gaps", "/officer/clusters", "/officer/trends", "/officer/report"]


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    with running_fake_rasa(FakeRasa(services=ranked(WASTE_ID, HIGHWAYS_ID), threshold=0.8)) as fake:
        yield fake


@pytest.fixture
def client(tmp_path: Path, sqlite_engine: Engine, fake_rasa: FakeRasa) -> TestClient:
    add_directory(sqlite_engine)
    add_account(sqlite_engine, "ada", "admin")
    settings = make_settings(tmp_path, fake_rasa.url, chat_allowed_origins=COUNCIL_SITE)
    return TestClient(create_app(settings, engine=sqlite_engine))


def directives(response) -> dict[str, str]:  # noqa: ANN001 - an httpx Response
    policy = response.headers.get("content-security-policy")
    assert policy, f"{response.request.url} has no Content-Security-Policy"
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_common_headers(response) -> None:  # noqa: ANN001
    assert response.headers["x-content-type-options"] == "nosniff", response.request.url
    assert response.headers.get("referrer-policy"), response.request.url
    assert "frame-ancestors" in directives(response)


def assert_nothing_inline(html: str, path: str) -> None:
    """The policy allows only this site's files: an inline script, style or handler would be blocked."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"{path} has an inline <script>"
    assert "<style" not in html, f"{path} has an inline <style>"
    assert not re.search(r"\sstyle=\"", html), f"{path} has a style attribute"
    assert not re.search(r"\son[a-z]+=\"", html), f"{path} has an inline event handler"


def test_the_residents_demo_page_may_be_framed_only_by_this_site_and_the_council(client: TestClient) -> None:
    response = client.get("/")
    assert_common_headers(response)
    policy = directives(response)
    assert policy["frame-ancestors"].split() == ["'self'", COUNCIL_SITE]
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'", "the widget posts to /api/chat on this site"
    assert_nothing_inline(response.text, "/")
    widget = re.search(r'<script src="([^"]+)"', response.text)
    assert widget and widget.group(1).startswith("http://testserver/"), "the widget is served from 'self'"


@pytest.mark.parametrize("path", STAFF_PAGES + OFFICER_PAGES)
def test_staff_and_officer_pages_allow_only_their_own_files_and_no_framing(
    client: TestClient, path: str
) -> None:
    sign_in(client, "ada")
    response = client.get(path)
    assert response.status_code == 200, path
    assert_common_headers(response)
    policy = directives(response)
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    assert (
        policy["script-src"] == "'self'"
        and "'unsafe-inline'" not in response.headers["content-security-policy"]
    )
    assert_nothing_inline(response.text, path)


def test_the_apis_and_static_files_may_run_nothing_and_not_be_framed(client: TestClient) -> None:
    sign_in(client, "ada")
    responses = {
        "/api/chat": client.post("/api/chat", json={"sender": "abc", "message": "bins"}),
        "/api/lookup": client.get("/api/lookup?q=bins"),
        "/healthz": client.get("/healthz"),
        "widget": client.get("/static/widget/here-to-help.js"),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        assert_common_headers(response)
        assert directives(response)["default-src"] == "'none'", name
        assert directives(response)["frame-ancestors"] == "'none'", name
    assert responses["/api/lookup"].headers["cache-control"] == "no-store", (
        "staff-only numbers are not cached"
    )


def test_the_widget_can_still_be_loaded_by_a_council_page(client: TestClient) -> None:
    """Nothing that stops another site using the script: no cross-origin resource policy, the right type."""
    script = client.get("/static/widget/here-to-help.js", headers={"Origin": COUNCIL_SITE})
    assert "cross-origin-resource-policy" not in script.headers
    assert "javascript" in script.headers["content-type"]
    assert "text/css" in client.get("/static/widget/here-to-help.css").headers["content-type"]


def test_https_deployments_are_told_to_stay_on_https(tmp_path: Path, sqlite_engine: Engine) -> None:
    plain = TestClient(create_app(make_settings(tmp_path, "http://127.0.0.1:9"), engine=sqlite_engine))
    assert "strict-transport-security" not in plain.get("/healthz").headers
    secure = TestClient(
        create_app(make_settings(tmp_path, "http://127.0.0.1:9", secure_cookies=True), engine=sqlite_engine)
    )
    assert secure.get("/healthz").headers["strict-transport-security"].startswith("max-age=")
