"""Where a retraining job has got to, kept in `VAR_DIR/retrain/status.json`.

A file rather than memory: the job runs in its own process (training loads TensorFlow, which the web app must
not), and the page that shows progress may be served by any web worker. Writes replace the file atomically,
so a reader never sees half a status.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.private_files import private_folder, write_private_text

STAGES = (
    ("score_old", "Scoring the current model on the bench sets"),
    ("train", "Training a new model from the directory and taught phrases"),
    ("score_new", "Scoring the new model on the bench sets"),
    ("switch", "Switching the running assistant to the new model"),
)
"""The job's stages in order, with what the officer page calls them."""
RUNNING, SWITCHED, KEPT, FAILED = "running", "switched", "kept", "failed"
"""Job states: still going; finished and the bot uses the new model; finished but the new model scored worse
and was kept aside; stopped by an error."""


def now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class RetrainStatus:
    state: str = RUNNING
    stage: str = ""
    """The stage under way (a key of STAGES); empty once finished."""
    done: list[str] = field(default_factory=list)
    started_by: str = ""
    started_at: str = ""
    finished_at: str = ""
    message: str = ""
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Bench set name -> {"old": figures or None, "new": figures}; figures from bot.routing.evaluate."""
    model: str = ""
    """The model file the assistant uses after a switch (or the candidate kept aside)."""

    @property
    def running(self) -> bool:
        return self.state == RUNNING


def status_path(var_dir: Path) -> Path:
    return Path(var_dir) / "retrain" / "status.json"


def read_status(var_dir: Path) -> RetrainStatus | None:
    """The last job's status, or None when no job ever ran (or the file is unreadable)."""
    try:
        data = json.loads(status_path(var_dir).read_text(encoding="utf-8"))
        return RetrainStatus(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_status(var_dir: Path, status: RetrainStatus) -> None:
    path = status_path(var_dir)
    private_folder(path.parent)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    write_private_text(temporary, json.dumps(asdict(status), indent=2))
    os.replace(temporary, path)
