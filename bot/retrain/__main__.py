"""`python -m bot.retrain`: the background job `bot.retrain.launch.spawn_process` starts, holding the lock it
inherited. Settings come from the environment the launcher wrote."""

from __future__ import annotations

import sys

from bot.retrain.launch import real_job
from bot.retrain.status import FAILED, RetrainStatus, now_text, read_status
from bot.settings import get_settings


def main() -> int:
    settings = get_settings()
    status = read_status(settings.var_dir) or RetrainStatus(started_at=now_text())
    outcome = real_job(settings).run(status)
    print(f"retraining {outcome.state}: {outcome.message}", flush=True)
    return 1 if outcome.state == FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
