"""The privacy notice and accessibility statement every resident screen links to, and the favicon.

A council sets its own pages once (PRIVACY_NOTICE_URL, ACCESSIBILITY_STATEMENT_URL) and every widget follows;
until it does, the assistant's own short pages answer, so a resident never meets a dead link.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.web.app import create_app
from tests.support.web import add_directory, make_settings

RASA = "http://127.0.0.1:9"  # never reached by these pages


def client(tmp_path: Path, engine: Engine, **overrides: object) -> TestClient:
    return TestClient(create_app(make_settings(tmp_path, RASA, **overrides), engine=engine))


def test_the_councils_own_privacy_notice_and_accessibility_statement_are_where_the_links_go(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    app = client(
        tmp_path,
        sqlite_engine,
        privacy_notice_url="https://www.brackenford.example/privacy/chat",
        accessibility_statement_url="https://www.brackenford.example/accessibility",
    )

    privacy = app.get("/privacy", follow_redirects=False)
    accessibility = app.get("/accessibility", follow_redirects=False)

    assert (privacy.status_code, privacy.headers["location"]) == (
        302,
        "https://www.brackenford.example/privacy/chat",
    )
    assert (accessibility.status_code, accessibility.headers["location"]) == (
        302,
        "https://www.brackenford.example/accessibility",
    )


def test_until_the_council_sets_them_the_assistant_says_what_it_keeps_and_how_to_report_a_problem(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    add_directory(sqlite_engine)
    app = client(tmp_path, sqlite_engine, gaplog_retention_days=30, contact_centre_phone="01632 960000")

    privacy = app.get("/privacy")
    accessibility = app.get("/accessibility")
    privacy_words = " ".join(privacy.text.split())

    assert privacy.status_code == 200
    assert "Privacy notice for the automated assistant" in privacy_words
    assert "for up to 30 days" in privacy_words
    assert "only the kind of emergency is recorded, never the words" in privacy_words
    assert accessibility.status_code == 200
    assert "WCAG) 2.2 at level AA" in accessibility.text
    assert 'href="tel:01632960000"' in accessibility.text
    assert "script-src 'self'" in privacy.headers["content-security-policy"]


def test_a_link_that_is_not_a_web_address_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="privacy_notice_url"):
        Settings(var_dir=tmp_path, privacy_notice_url="javascript:alert(1)")


def test_every_page_names_the_favicon_and_the_browsers_default_request_finds_it(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    add_directory(sqlite_engine)
    app = client(tmp_path, sqlite_engine)

    icon = app.get("/favicon.ico")
    svg = app.get("/static/favicon.svg")
    pages = [app.get(path).text for path in ("/", "/sign-in", "/privacy")]

    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert svg.status_code == 200 and svg.text.startswith("<svg")
    assert all('rel="icon" href="/favicon.ico"' in page for page in pages)
