"""`here-to-help users`: an administrator creates the officers' and staff sign-ins from the command line."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bot.accounts.models import User
from bot.db import session_scope
from bot.web.app import create_app
from tests.gaplog.helpers import cli_environment, make_settings, sign_in


def _run(*arguments: str):  # noqa: ANN202
    from bot.cli import _register, app

    _register()
    return CliRunner().invoke(app, list(arguments))


def test_an_officer_added_on_the_command_line_can_sign_in(
    engine: Engine, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    settings = make_settings(tmp_path, engine)
    with cli_environment(monkeypatch, settings):
        added = _run("users", "add", "olive", "--role", "officer", "--password", "a long enough password")
        duplicate = _run("users", "add", "olive", "--role", "staff", "--password", "another long password")
        weak = _run("users", "add", "sam", "--role", "staff", "--password", "short")
        bad_role = _run("users", "add", "sam", "--role", "resident", "--password", "a long enough password")
        generated = _run("users", "add", "kim", "--role", "staff")  # not a terminal: a password is generated
        listed = _run("users", "list")
    assert added.exit_code == 0, added.output
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    assert bad_role.exit_code == 1 and "role must be one of officer, staff, admin" in bad_role.output
    assert generated.exit_code == 0 and "password: " in generated.stdout
    assert listed.stdout.splitlines() == ["kim\tstaff\tactive", "olive\tofficer\tactive"]
    with session_scope(engine) as session:
        stored = session.execute(select(User.password_hash).where(User.username == "olive")).scalar_one()
    assert stored.startswith("scrypt$") and "a long enough password" not in stored

    client = TestClient(create_app(settings, engine=engine))
    sign_in(client, "olive", "a long enough password")
    kim_password = generated.stdout.split("password: ")[1].strip()
    other = TestClient(create_app(settings, engine=engine))
    sign_in(other, "kim", kim_password)
    assert other.get("/officer/gaps", follow_redirects=False).status_code == 403


def test_a_disabled_user_cannot_sign_in(engine: Engine, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    settings = make_settings(tmp_path, engine)
    with cli_environment(monkeypatch, settings):
        _run("users", "add", "olive", "--role", "officer", "--password", "a long enough password")
        disabled = _run("users", "disable", "olive")
        missing = _run("users", "disable", "nobody")
    assert disabled.exit_code == 0
    assert missing.exit_code == 1 and "no user called 'nobody'" in missing.output
    client = TestClient(create_app(settings, engine=engine))
    from tests.gaplog.helpers import csrf_from

    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in", data={"username": "olive", "password": "a long enough password", "csrf_token": token}
    )
    assert response.status_code == 401
