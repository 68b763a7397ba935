"""One retraining job, stage by stage: score the model in use, train a candidate beside it, score the
candidate, and switch the assistant to it unless it scored clearly worse.

The candidate is trained into `MODELS_DIR/candidate/` so the model in use is never overwritten by a run that
fails half-way; only a candidate that passed is moved into place (the old one kept as
`here-to-help.previous.tar.gz`, to go back by hand). The trainer, the scorer and the loader are passed in:
the real ones need Rasa (`bot.retrain.launch.real_job`), tests pass their own.
"""

from __future__ import annotations

import os
import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.retrain.status import FAILED, KEPT, STAGES, SWITCHED, RetrainStatus, now_text, write_status

Scores = dict[str, dict[str, Any]]
"""Bench set name -> figures (n, top1, top3, unmet_recall, ...) from bot.routing.evaluate."""
CANDIDATE_DIR = "candidate"
PREVIOUS_FILE = "here-to-help.previous.tar.gz"


@dataclass
class Retrainer:
    models_dir: Path
    var_dir: Path
    train: Callable[[Path], Path]
    """Trains into the given folder and returns the new model file."""
    score: Callable[[Path], Scores]
    """The bench figures of one model file."""
    load: Callable[[Path], None]
    """Makes the running assistant use the model file (raises if it cannot)."""
    max_drop: float = 0.02
    model_file: str = "here-to-help.tar.gz"

    def run(self, status: RetrainStatus) -> RetrainStatus:
        """Every stage in turn, writing `status` after each so the page can show progress; never raises."""
        current = self.models_dir / self.model_file
        try:
            self._stage(status, "score_old")
            old = self.score(current) if current.is_file() else {}
            self._stage(status, "train")
            candidate_dir = self.models_dir / CANDIDATE_DIR
            shutil.rmtree(candidate_dir, ignore_errors=True)
            candidate = self.train(candidate_dir)
            self._stage(status, "score_new")
            new = self.score(candidate)
            status.scores = {name: {"old": old.get(name), "new": figures} for name, figures in new.items()}
            worse = self.worse_sets(old, new)
            if worse:
                status.model = str(candidate)
                return self._finish(
                    status,
                    KEPT,
                    "The new model was kept aside and the assistant still uses the old one: it got fewer "
                    f"questions right first time on {', '.join(worse)}. Check the phrases taught recently.",
                )
            self._stage(status, "switch")
            in_use = self._promote(candidate_dir, candidate, current)
            status.model = str(in_use)
            try:
                self.load(in_use)
            except Exception as error:  # noqa: BLE001 - said on the page, with what it means
                traceback.print_exc()
                return self._finish(
                    status,
                    FAILED,
                    f"The running assistant could not be switched ({error}). The new model is in place and "
                    "will be used when Rasa next starts.",
                )
            return self._finish(status, SWITCHED, "The assistant now uses the new model.")
        except Exception as error:  # noqa: BLE001 - the officer must see every failure, not a stuck page
            traceback.print_exc()
            stage = dict(STAGES).get(status.stage, "Retraining")
            return self._finish(status, FAILED, f"{stage} failed: {error}")

    def worse_sets(self, old: Scores, new: Scores) -> list[str]:
        """Bench sets whose right-first-time share fell by more than `max_drop`."""
        worse = []
        for name, figures in new.items():
            before, after = (old.get(name) or {}).get("top1"), figures.get("top1")
            if before is not None and after is not None and after < before - self.max_drop:
                worse.append(name)
        return worse

    def _promote(self, candidate_dir: Path, candidate: Path, current: Path) -> Path:
        """Move the candidate (and its fingerprint, so `make run` does not retrain it) into place."""
        if current.is_file():
            os.replace(current, self.models_dir / PREVIOUS_FILE)
        os.replace(candidate, current)
        for extra in candidate_dir.glob("*.fingerprint.json"):
            os.replace(extra, self.models_dir / extra.name)
        shutil.rmtree(candidate_dir, ignore_errors=True)
        return current

    def _stage(self, status: RetrainStatus, stage: str) -> None:
        if status.stage:
            status.done.append(status.stage)
        status.stage = stage
        write_status(self.var_dir, status)

    def _finish(self, status: RetrainStatus, state: str, message: str) -> RetrainStatus:
        if state != FAILED and status.stage:
            status.done.append(status.stage)
        status.stage = "" if state != FAILED else status.stage
        status.state, status.message, status.finished_at = state, message, now_text()
        write_status(self.var_dir, status)
        return status
