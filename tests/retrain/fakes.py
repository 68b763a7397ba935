"""A pretend trainer, scorer and model loader, so a retraining can run in a test without Rasa: each "model"
is a text file whose words are its bench figure."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.retrain.job import Retrainer


@dataclass
class FakeRasa:
    """Trains a model whose top-1 is `new_top1`; remembers what the running assistant was told to load."""

    new_top1: float = 0.8
    fail_training: bool = False
    loaded: list[Path] = field(default_factory=list)
    training_started: threading.Event = field(default_factory=threading.Event)
    may_finish: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.may_finish.set()

    def train(self, folder: Path) -> Path:
        self.training_started.set()
        self.may_finish.wait(timeout=30)
        if self.fail_training:
            raise RuntimeError("Rasa refused the training data")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "here-to-help.fingerprint.json").write_text('{"fingerprint": "new"}')
        model = folder / "here-to-help.tar.gz"
        model.write_text(f"top1={self.new_top1}")
        return model

    @staticmethod
    def score(model: Path) -> dict:
        top1 = float(model.read_text().split("=")[1])
        return {"resident_questions": {"n": 100, "top1": top1, "top3": min(1.0, top1 + 0.1)}}

    def load(self, model: Path) -> None:
        self.loaded.append(model)

    def retrainer(self, models_dir: Path, var_dir: Path) -> Retrainer:
        return Retrainer(models_dir, var_dir, train=self.train, score=self.score, load=self.load)


def model_in_use(models_dir: Path, top1: float = 0.7) -> Path:
    models_dir.mkdir(parents=True, exist_ok=True)
    model = models_dir / "here-to-help.tar.gz"
    model.write_text(f"top1={top1}")
    return model
