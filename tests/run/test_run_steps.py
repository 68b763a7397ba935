"""The steps `here-to-help run` takes before starting anything: each does its job only when needed."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot import run as run_module
from bot.run import (
    Addresses,
    RunError,
    ensure_directory,
    ensure_model,
    ensure_rasa_token,
    prepare_database,
    service_specs,
)
from bot.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        models_dir=tmp_path / "models",
        database_url=f"sqlite:///{tmp_path / 'h.db'}",
    )


class TrainingRecorder:
    """Stands in for `here-to-help train` (minutes of TensorFlow) and records how it was called."""

    def __init__(self, model: Path, exit_code: int = 0) -> None:
        self.model, self.exit_code, self.calls = model, exit_code, []

    def __call__(self, command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        self.calls.append((command, kwargs))
        if self.exit_code == 0:
            self.model.parent.mkdir(parents=True, exist_ok=True)
            self.model.write_bytes(b"model")
        return subprocess.CompletedProcess(command, self.exit_code)


@pytest.fixture
def trainer(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> TrainingRecorder:
    recorder = TrainingRecorder(run_module.model_file(settings))
    monkeypatch.setattr(subprocess, "run", recorder)
    return recorder


def _staleness(monkeypatch: pytest.MonkeyPatch, stale: bool) -> None:
    monkeypatch.setattr(run_module, "needs_training", lambda settings: stale)


def test_a_fresh_model_is_used_without_training(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, trainer: TrainingRecorder
) -> None:
    _staleness(monkeypatch, stale=False)

    assert ensure_model(settings, allow_training=True, say=lambda _: None) == run_module.model_file(settings)
    assert trainer.calls == []


def test_a_stale_model_is_retrained_in_a_child_process_with_the_same_settings(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, trainer: TrainingRecorder
) -> None:
    _staleness(monkeypatch, stale=True)
    said: list[str] = []

    model = ensure_model(settings, allow_training=True, say=said.append)

    assert model.is_file()
    [(command, kwargs)] = trainer.calls
    assert command[-1] == "train"
    assert kwargs["env"]["DATABASE_URL"] == settings.database_url
    assert kwargs["env"]["MODELS_DIR"] == str(settings.models_dir)
    assert any("training" in line for line in said)


def test_failed_training_stops_the_run_with_the_exit_code(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    _staleness(monkeypatch, stale=True)
    monkeypatch.setattr(subprocess, "run", TrainingRecorder(run_module.model_file(settings), exit_code=2))

    with pytest.raises(RunError, match="Training failed \\(exit code 2\\)"):
        ensure_model(settings, allow_training=True, say=lambda _: None)


def test_no_train_without_any_model_says_to_train_first(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, trainer: TrainingRecorder
) -> None:
    _staleness(monkeypatch, stale=True)

    with pytest.raises(RunError, match="make train"):
        ensure_model(settings, allow_training=False, say=lambda _: None)
    assert trainer.calls == []


def test_no_train_with_an_old_model_starts_the_old_model(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, trainer: TrainingRecorder
) -> None:
    _staleness(monkeypatch, stale=True)
    model = run_module.model_file(settings)
    model.parent.mkdir(parents=True)
    model.write_bytes(b"old")

    assert ensure_model(settings, allow_training=False, say=lambda _: None) == model
    assert trainer.calls == []


def test_an_empty_directory_gets_the_demo_directory_once(sqlite_engine: Engine, monkeypatch) -> None:
    count = ensure_directory(sqlite_engine, say=lambda _: None)
    assert count > 0

    def must_not_import(*args: object, **kwargs: object) -> None:
        raise AssertionError("a directory with services must not be re-imported")

    monkeypatch.setattr("bot.directory.importers.import_directory", must_not_import)
    assert ensure_directory(sqlite_engine, say=lambda _: None) == count


def test_an_unreachable_database_fails_fast_without_showing_the_password() -> None:
    started = time.monotonic()
    with pytest.raises(RunError, match="Cannot reach the database") as raised:
        prepare_database("postgresql+psycopg2://council:pa55word@127.0.0.1:1/helpdesk")

    assert time.monotonic() - started < 15
    assert "pa55word" not in str(raised.value)
    assert "forever" in str(raised.value)


def test_the_rasa_token_is_generated_once_and_read_back_by_every_process(settings: Settings) -> None:
    token = ensure_rasa_token(settings)

    assert len(token) >= 32
    assert ensure_rasa_token(settings) == token
    assert Settings(var_dir=settings.var_dir).rasa_token == token  # what the web app will read


def test_a_configured_rasa_token_wins(tmp_path: Path) -> None:
    assert (
        ensure_rasa_token(Settings(var_dir=tmp_path, rasa_token="from-the-environment"))
        == "from-the-environment"
    )
    assert not (tmp_path / "secrets" / "rasa_token").exists()


def test_the_servers_are_started_with_one_token_kept_out_of_the_process_list(settings: Settings) -> None:
    addresses = Addresses("127.0.0.1", 15005, 15055, 18000)
    specs = service_specs(
        settings,
        addresses,
        token="t0ken-value",
        endpoints=settings.var_dir / "endpoints.yml",
        secrets={"HERE_TO_HELP_DB_PASSWORD": "pw"},
        model=settings.models_dir / "here-to-help.tar.gz",
    )
    action, rasa, web = specs

    assert not any("t0ken-value" in part for spec in specs for part in spec.command)
    assert rasa.env["RASA_TOKEN"] == web.env["RASA_TOKEN"] == "t0ken-value"
    assert web.env["RASA_URL"] == "http://127.0.0.1:15005"
    assert rasa.env["HERE_TO_HELP_DB_PASSWORD"] == "pw"
    assert "HERE_TO_HELP_DB_PASSWORD" not in web.env
    assert all(spec.env["DATABASE_URL"] == settings.database_url for spec in specs)
    for flag, value in [
        ("--interface", "127.0.0.1"),
        ("--port", "15005"),
        ("--endpoints", str(settings.var_dir / "endpoints.yml")),
        ("--cors", "http://127.0.0.1:18000"),
    ]:
        assert rasa.command[rasa.command.index(flag) + 1] == value
    assert "--enable-api" in rasa.command
    assert action.env["SANIC_HOST"] == "127.0.0.1"
    assert action.command[action.command.index("--port") + 1] == "15055"
    assert (web.health_url, action.health_url) == (
        "http://127.0.0.1:18000/healthz",
        "http://127.0.0.1:15055/health",
    )


def test_listening_on_every_interface_still_talks_to_itself_over_loopback() -> None:
    addresses = Addresses("0.0.0.0", 5005, 5055, 8000)

    assert addresses.action_webhook == "http://127.0.0.1:5055/webhook"
    assert addresses.rasa_webhook == "http://127.0.0.1:5005/webhooks/rest/webhook"


def test_development_sign_ins_are_made_once_and_kept_readable_only_by_you(
    sqlite_engine: Engine, settings: Settings
) -> None:
    import stat

    from sqlalchemy.orm import Session

    from bot.accounts.users import authenticate
    from bot.run import ensure_dev_users

    path, created = ensure_dev_users(sqlite_engine, settings)

    assert set(created) == {"officer", "staff"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with Session(sqlite_engine) as session:
        for username, password in created.items():
            user = authenticate(session, username, password)
            assert user is not None and user.role == username
            assert f"{username} ({username}): {password}" in path.read_text(encoding="utf-8")

    again_path, again = ensure_dev_users(sqlite_engine, settings)
    assert (again_path, again) == (path, {})


def test_a_broken_national_catalogue_stops_the_start_naming_the_entry(tmp_path: Path) -> None:
    from bot.run import check_national_bodies

    broken = tmp_path / "bodies.yml"
    broken.write_text("bodies:\n  - id: dvla\n    name: DVLA\n", encoding="utf-8")
    settings = Settings(national_bodies_file=broken)
    said: list[str] = []
    with pytest.raises(RunError, match=r"catalogue cannot be used: .*bodies.yml: body 1 \(dvla\): missing"):
        check_national_bodies(settings, said.append)
    check_national_bodies(Settings(), said.append)
    assert said and said[-1].startswith("National signposting catalogue: ")


def test_a_broken_council_area_stops_the_start_naming_the_entry(tmp_path: Path) -> None:
    from bot.run import check_council_area

    broken = tmp_path / "area.yml"
    broken.write_text("council: X\npostcode_districts: [BV1, 12AB]\n", encoding="utf-8")
    said: list[str] = []
    with pytest.raises(RunError, match=r"council area cannot be used: .*area.yml: postcode district '12AB'"):
        check_council_area(Settings(council_area_file=str(broken)), said.append)
    check_council_area(Settings(), said.append)
    assert re.fullmatch(r"Council area: 9 postcode districts, 4 towns, \d{2,} places elsewhere\.", said[-1])
    check_council_area(Settings(council_area_file=""), said.append)
    assert said[-1].startswith("Council area: not set")
