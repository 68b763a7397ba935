"""`here-to-help run --role`: a deployment runs each server as its own container (compose.yaml), after a
one-shot `prepare`; without `--role` everything starts as before."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot import run as run_module
from bot.run import run
from bot.settings import Settings
from bot.supervisor import ServiceSpec
from tests.run.test_run_steps import TrainingRecorder


class FakeSupervisor:
    """Records which servers would be started, and "runs" them until stopped at once."""

    started: list[ServiceSpec] = []

    def __init__(self, specs: list[ServiceSpec]) -> None:
        FakeSupervisor.started = list(specs)
        self.children = [type("Child", (), {"spec": spec})() for spec in specs]

    def check_ports(self, host: str) -> None:
        pass

    def start_all(self) -> None:
        pass

    def wait_until_healthy(self, timeout: float) -> None:
        pass

    def watch(self, should_stop: Callable[[float], bool], **_: object) -> None:
        return None

    def stop_all(self) -> None:
        pass


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """Settings as a container gets them: everything from the environment, the model already trained."""
    monkeypatch.setattr(run_module, "Supervisor", FakeSupervisor)
    monkeypatch.setattr(run_module, "needs_training", lambda settings: False)
    FakeSupervisor.started = []

    def settings(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "var_dir": tmp_path / "var",
            "models_dir": tmp_path / "models",
            "database_url": f"sqlite:///{tmp_path / 'h.db'}",
            "host": "0.0.0.0",
            "rasa_token": "shared-token",
            "here_to_help_env": "production",
        }
        return Settings(**{**values, **overrides})

    return settings


def test_prepare_migrates_imports_and_trains_then_exits_without_starting_a_server(
    deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = deployment()
    monkeypatch.setattr(run_module, "needs_training", lambda settings: True)
    trainer = TrainingRecorder(run_module.model_file(settings))
    monkeypatch.setattr(subprocess, "run", trainer)
    said: list[str] = []

    assert run(role="prepare", settings=settings, say=said.append) == 0

    assert any(line.startswith("Directory: imported") for line in said)
    assert len(trainer.calls) == 1
    assert FakeSupervisor.started == []


def test_a_rasa_replica_starts_only_rasa_pointed_at_the_action_server_container(
    deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = deployment(
        action_url="http://actions:5055/webhook",
        database_url="postgresql+psycopg2://hth:secret@postgres:5432/here_to_help",
        redis_url="redis://redis:6379/0",
    )
    monkeypatch.setattr(run_module, "prepare_database", lambda url: _NoEngine())  # no PostgreSQL needed

    assert run(role="rasa", settings=settings, say=lambda _: None) == 0

    [rasa] = FakeSupervisor.started
    assert rasa.name == "Rasa"
    endpoints = yaml.safe_load((settings.var_dir / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"] == {"url": "http://actions:5055/webhook"}
    assert endpoints["tracker_store"]["url"] == "postgres"
    assert endpoints["lock_store"]["url"] == "redis"
    assert rasa.env["HERE_TO_HELP_DB_PASSWORD"] == "secret"
    assert "secret" not in (settings.var_dir / "endpoints.yml").read_text(encoding="utf-8")


def test_the_web_app_alone_reaches_rasa_through_the_proxy(deployment) -> None:
    settings = deployment(rasa_url="http://proxy:5005")

    assert run(role="web", settings=settings, say=lambda _: None) == 0

    [web] = FakeSupervisor.started
    assert web.name == "web app"
    assert web.env["RASA_URL"] == "http://proxy:5005"
    assert web.env["RASA_TOKEN"] == "shared-token"


def test_a_replica_without_a_shared_token_refuses_to_start(deployment) -> None:
    said: list[str] = []

    assert run(role="rasa", settings=deployment(rasa_token=""), say=said.append) == 1

    assert "RASA_TOKEN" in said[-1]
    assert FakeSupervisor.started == []


def test_an_unknown_role_is_refused_naming_the_choices(deployment) -> None:
    said: list[str] = []

    assert run(role="worker", settings=deployment(), say=said.append) == 2

    assert "all, prepare, actions, rasa, web" in said[-1]


class _NoEngine:
    """The database a replica reaches is the deployment's; here only its disposal is needed."""

    def dispose(self) -> None:
        pass
