"""An officer clicks "Retrain now": the job runs in the background (here in a thread with a pretend
trainer), the page shows its progress, a second click is refused while it runs, and at the end the page shows
the old and the new model's bench figures side by side."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from bot.accounts.users import add_user
from bot.settings import Settings
from bot.web.app import create_app
from tests.gaplog.helpers import PASSWORD, csrf_from, engine_url, sign_in
from tests.retrain.fakes import FakeRasa, model_in_use


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa(new_top1=0.83)


@pytest.fixture
def app_and_settings(engine: Engine, tmp_path: Path, rasa: FakeRasa):  # noqa: ANN201
    settings = Settings(
        var_dir=tmp_path, models_dir=tmp_path / "models", database_url=engine_url(engine), gaplog_salt="s"
    )
    model_in_use(settings.models_dir, top1=0.71)
    add_user(engine, "olive", PASSWORD, "officer")
    add_user(engine, "sam", PASSWORD, "staff")
    app = create_app(settings, engine=engine)
    jobs: list[threading.Thread] = []

    def spawn(_settings: Settings, descriptor: int) -> None:
        def run() -> None:
            try:
                from bot.retrain.status import read_status

                rasa.retrainer(settings.models_dir, settings.var_dir).run(read_status(settings.var_dir))
            finally:
                os.close(descriptor)

        jobs.append(threading.Thread(target=run))
        jobs[-1].start()

    app.state.retrain_spawn = spawn
    yield app, settings
    rasa.may_finish.set()
    for job in jobs:
        job.join(timeout=10)


def _click_retrain(client: TestClient):  # noqa: ANN202
    page = client.get("/officer/retrain")
    return client.post("/officer/retrain", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)


def _wait_until_finished(client: TestClient) -> str:
    """The page once the job has finished: a busy CI machine can take several seconds to score the models."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        html = client.get("/officer/retrain").text
        if "Last retraining" in html:
            return html
        time.sleep(0.1)
    raise AssertionError("the retraining did not finish within 60 s")


def test_an_officer_retrains_and_sees_old_and_new_figures(app_and_settings, rasa: FakeRasa) -> None:  # noqa: ANN001
    app, settings = app_and_settings
    client = TestClient(app)
    sign_in(client, "olive")
    rasa.may_finish.clear()
    started = _click_retrain(client)
    assert started.status_code == 303 and started.headers["location"] == "/officer/retrain"
    assert rasa.training_started.wait(timeout=10)

    running = client.get("/officer/retrain").text
    assert "Retraining, started by olive" in running
    assert "Training a new model from the directory and taught phrases: <strong>under way</strong>" in running
    assert "Scoring the current model on the bench sets: <strong>done</strong>" in running
    assert '<meta http-equiv="refresh"' in running and "Retrain now</button>" not in running

    again = _click_retrain(client)
    assert again.headers["location"] == "/officer/retrain?busy=1"
    assert "already running" in client.get(again.headers["location"]).text

    rasa.may_finish.set()
    finished = _wait_until_finished(client)
    assert "Done." in finished and "The assistant now uses the new model." in finished
    assert '<td class="app-num">71.0%</td><td class="app-num">83.0%' in finished, "old beside new"
    assert rasa.loaded == [settings.models_dir / "here-to-help.tar.gz"]
    assert '<meta http-equiv="refresh"' not in finished and "Retrain now</button>" in finished


def test_staff_cannot_retrain(app_and_settings, rasa: FakeRasa) -> None:  # noqa: ANN001
    app, _ = app_and_settings
    client = TestClient(app)
    sign_in(client, "sam")
    assert client.get("/officer/retrain", follow_redirects=False).status_code in (303, 403)
    refused = client.post("/officer/retrain", data={"csrf_token": "x"}, follow_redirects=False)
    assert refused.status_code in (303, 403)
    assert not rasa.training_started.is_set()


def test_starting_needs_the_csrf_token(app_and_settings, rasa: FakeRasa) -> None:  # noqa: ANN001
    app, _ = app_and_settings
    client = TestClient(app)
    sign_in(client, "olive")
    refused = client.post("/officer/retrain", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code in (400, 403)
    assert not rasa.training_started.is_set()
