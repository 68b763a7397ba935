"""An officer retrains: the model in use and the new one are scored on the bench sets, the new one replaces
the old only if it is not clearly worse, and a failure never leaves the assistant without its model."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from bot.retrain.launch import AlreadyRunning, current_status, is_running, start
from bot.retrain.status import FAILED, KEPT, SWITCHED, RetrainStatus, read_status, write_status
from bot.settings import Settings
from tests.retrain.fakes import FakeRasa, model_in_use


def test_a_better_model_is_switched_in_and_the_old_one_kept_aside(tmp_path: Path) -> None:
    models = tmp_path / "models"
    current = model_in_use(models, top1=0.7)
    rasa = FakeRasa(new_top1=0.8)
    outcome = rasa.retrainer(models, tmp_path).run(RetrainStatus(started_by="olive"))
    assert outcome.state == SWITCHED, outcome.message
    assert outcome.scores["resident_questions"]["old"]["top1"] == 0.7
    assert outcome.scores["resident_questions"]["new"]["top1"] == 0.8
    assert rasa.loaded == [current], "the running assistant is told to load the model in its usual place"
    assert current.read_text() == "top1=0.8"
    assert (models / "here-to-help.previous.tar.gz").read_text() == "top1=0.7"
    assert (models / "here-to-help.fingerprint.json").is_file(), "so `make run` does not train it again"
    assert not (models / "candidate").exists()
    assert read_status(tmp_path).state == SWITCHED and read_status(tmp_path).done[-1] == "switch"


def test_a_clearly_worse_model_is_kept_aside_and_not_loaded(tmp_path: Path) -> None:
    models = tmp_path / "models"
    current = model_in_use(models, top1=0.8)
    rasa = FakeRasa(new_top1=0.7)
    outcome = rasa.retrainer(models, tmp_path).run(RetrainStatus())
    assert outcome.state == KEPT
    assert "resident_questions" in outcome.message
    assert rasa.loaded == [] and current.read_text() == "top1=0.8"
    assert outcome.model.endswith("candidate/here-to-help.tar.gz")


def test_a_slightly_lower_score_within_the_margin_still_switches(tmp_path: Path) -> None:
    models = tmp_path / "models"
    model_in_use(models, top1=0.80)
    outcome = FakeRasa(new_top1=0.79).retrainer(models, tmp_path).run(RetrainStatus())
    assert outcome.state == SWITCHED


def test_a_failed_training_leaves_the_model_in_use_untouched_and_says_why(tmp_path: Path) -> None:
    models = tmp_path / "models"
    current = model_in_use(models, top1=0.7)
    rasa = FakeRasa(fail_training=True)
    outcome = rasa.retrainer(models, tmp_path).run(RetrainStatus())
    assert outcome.state == FAILED
    assert "Training a new model" in outcome.message and "Rasa refused the training data" in outcome.message
    assert current.read_text() == "top1=0.7" and rasa.loaded == []


def test_a_rasa_that_cannot_be_reached_is_reported_with_the_model_left_in_place(tmp_path: Path) -> None:
    models = tmp_path / "models"
    current = model_in_use(models, top1=0.7)
    rasa = FakeRasa(new_top1=0.8)

    def unreachable(_model: Path) -> None:
        raise ConnectionError("could not reach the Rasa server at http://127.0.0.1:5005")

    job = rasa.retrainer(models, tmp_path)
    job.load = unreachable
    outcome = job.run(RetrainStatus())
    assert outcome.state == FAILED
    assert "127.0.0.1:5005" in outcome.message and "used when Rasa next starts" in outcome.message
    assert current.read_text() == "top1=0.8"


def test_the_first_training_has_no_old_figures_to_compare(tmp_path: Path) -> None:
    outcome = FakeRasa().retrainer(tmp_path / "models", tmp_path).run(RetrainStatus())
    assert outcome.state == SWITCHED
    assert outcome.scores["resident_questions"]["old"] is None


def test_progress_is_written_while_the_model_trains(tmp_path: Path) -> None:
    model_in_use(tmp_path / "models")
    rasa = FakeRasa()
    rasa.may_finish.clear()
    job = threading.Thread(target=rasa.retrainer(tmp_path / "models", tmp_path).run, args=(RetrainStatus(),))
    job.start()
    try:
        assert rasa.training_started.wait(timeout=10)
        during = read_status(tmp_path)
        assert (during.state, during.stage, during.done) == ("running", "train", ["score_old"])
    finally:
        rasa.may_finish.set()
        job.join(timeout=10)
    assert read_status(tmp_path).state == SWITCHED


def _settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path, models_dir=tmp_path / "models", database_url="sqlite://")


def test_only_one_retraining_runs_at_a_time(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    held: list[int] = []
    first = start(settings, "olive", spawn=lambda _settings, descriptor: held.append(descriptor))
    assert first.running and is_running(tmp_path)
    with pytest.raises(AlreadyRunning):
        start(settings, "oscar", spawn=lambda *_: pytest.fail("a second job must not start"))
    assert read_status(tmp_path).started_by == "olive"
    os.close(held.pop())  # the job ends: its process exits and the kernel releases the lock
    assert not is_running(tmp_path)
    start(settings, "oscar", spawn=lambda _settings, descriptor: os.close(descriptor))


def test_a_job_whose_process_died_is_shown_as_failed_not_running_for_ever(tmp_path: Path) -> None:
    write_status(tmp_path, RetrainStatus(state="running", stage="train", started_by="olive"))
    shown = current_status(tmp_path)
    assert shown.state == FAILED and "stopped unexpectedly" in shown.message
