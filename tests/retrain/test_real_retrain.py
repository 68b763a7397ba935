"""Retraining for real: the demo model is trained again by the job the officer page starts, both models are
scored on a bench set through Rasa, and the new one is moved into place for the assistant to load.

Slow (a training of the demo directory, 15-30 s with Rasa's cache warm, and two model loads), so marked
`rasa`; the model loader is the only pretend part (see test_rasa_loader.py for the HTTP call itself).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.retrain.launch import real_job
from bot.retrain.status import SWITCHED, RetrainStatus
from bot.settings import Settings


@pytest.mark.rasa
def test_the_demo_model_is_retrained_scored_and_switched(trained_model, tmp_path: Path) -> None:  # noqa: ANN001
    models = tmp_path / "models"
    shutil.copytree(trained_model.models_dir, models)
    settings = Settings(
        var_dir=trained_model.var_dir,
        models_dir=models,
        database_url=trained_model.database_url,
        retrain_bench_sets="data/eval/resident_questions.csv",
    )
    job = real_job(settings)
    loaded: list[Path] = []
    job.load = loaded.append
    before = (models / "here-to-help.tar.gz").stat().st_mtime_ns

    outcome = job.run(RetrainStatus(started_by="olive"))

    assert outcome.state == SWITCHED, outcome.message
    figures = outcome.scores["resident_questions"]
    assert figures["old"]["n"] == figures["new"]["n"] == 100
    assert figures["new"]["top1"] > 0.5, "the retrained model routes residents' questions"
    assert abs(figures["new"]["top1"] - figures["old"]["top1"]) <= 0.02, "the same data, the same skill"
    assert loaded == [models / "here-to-help.tar.gz"]
    assert (models / "here-to-help.tar.gz").stat().st_mtime_ns != before
    assert (models / "here-to-help.previous.tar.gz").is_file()
