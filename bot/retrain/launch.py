"""One retraining at a time, run in its own process.

The lock is an exclusive `flock` on `VAR_DIR/retrain/lock`. `start` takes it without waiting (a second click
is told a job is already running), writes the first status, and hands the locked file to the job: the
background process inherits it, so the lock is held exactly as long as that process lives, even if the web
worker that started it restarts, and is released by the kernel if the job dies. Training runs outside the
web app because it loads TensorFlow and takes a core for a minute; the page only reads the status file.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from bot import PROJECT_ROOT
from bot.private_files import open_private, private_folder
from bot.retrain.job import Retrainer
from bot.retrain.status import FAILED, RetrainStatus, now_text, read_status, write_status
from bot.settings import Settings

Spawn = Callable[[Settings, int], None]
"""Starts the job given the settings and the locked file descriptor, which it must keep open until the job
ends (closing it releases the lock)."""


class AlreadyRunning(RuntimeError):
    """A retraining job is under way; only one may run at a time."""


def _lock_path(var_dir: Path) -> Path:
    return private_folder(Path(var_dir) / "retrain") / "lock"


def _try_lock(var_dir: Path) -> int | None:
    descriptor = os.open(_lock_path(var_dir), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def is_running(var_dir: Path) -> bool:
    """True while some process holds the lock: the status file alone cannot tell a job that died."""
    descriptor = _try_lock(var_dir)
    if descriptor is None:
        return True
    os.close(descriptor)
    return False


def current_status(var_dir: Path) -> RetrainStatus | None:
    """The last job's status; a job that says it is running but holds no lock died, and is shown so."""
    status = read_status(var_dir)
    if status is not None and status.running and not is_running(var_dir):
        status.state, status.message = FAILED, "The retraining process stopped unexpectedly (see its log)."
    return status


def start(settings: Settings, started_by: str, spawn: Spawn | None = None) -> RetrainStatus:
    """Start a job in the background, or raise AlreadyRunning."""
    descriptor = _try_lock(settings.var_dir)
    if descriptor is None:
        raise AlreadyRunning("A retraining is already running: wait for it to finish.")
    status = RetrainStatus(started_by=started_by, started_at=now_text())
    write_status(settings.var_dir, status)
    try:
        (spawn or spawn_process)(settings, descriptor)
    except Exception as error:
        os.close(descriptor)
        status.state, status.message, status.finished_at = FAILED, f"could not start: {error}", now_text()
        write_status(settings.var_dir, status)
        raise
    return status


def worker_environment(settings: Settings) -> dict[str, str]:
    """The web app's settings for the job (tests and `create_app(settings)` need not come from the
    environment), so it trains from the same database into the same folders and reloads the same Rasa."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "VAR_DIR": str(settings.var_dir),
            "MODELS_DIR": str(settings.models_dir),
            "RASA_URL": settings.rasa_url,
            "RASA_TOKEN": settings.rasa_token,
            "RASA_RELOAD_URLS": settings.rasa_reload_urls,
            "RETRAIN_BENCH_SETS": settings.retrain_bench_sets,
            "RETRAIN_MAX_DROP": str(settings.retrain_max_drop),
            "RASA_TELEMETRY_ENABLED": "false",
        }
    )
    return env


def spawn_process(settings: Settings, descriptor: int) -> None:
    """`python -m bot.retrain` in the background, inheriting the lock; its output goes to
    VAR_DIR/logs/retrain.log (0600)."""
    log = open_private(settings.var_dir / "logs" / "retrain.log", "a")
    try:
        process = subprocess.Popen(  # noqa: S603 - our own module, no shell
            [sys.executable, "-m", "bot.retrain"],
            cwd=PROJECT_ROOT,
            env=worker_environment(settings),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(descriptor,),
            start_new_session=True,
        )
    finally:
        log.close()
        os.close(descriptor)  # the child holds the lock now
    threading.Thread(target=process.wait, name="retrain-reaper", daemon=True).start()


def real_job(settings: Settings) -> Retrainer:
    """The job with Rasa: train (bot.routing.training), score on RETRAIN_BENCH_SETS, load by PUT /model."""
    from bot.retrain.bench import bench_sets, score_model
    from bot.retrain.rasa_loader import load_model, reload_urls

    sets = bench_sets(settings.retrain_bench_sets)
    urls = reload_urls(settings.rasa_url, settings.rasa_reload_urls)

    def train(folder: Path) -> Path:
        from bot.routing.training import train as train_model

        return train_model(models_dir=folder).model_path

    return Retrainer(
        models_dir=settings.models_dir,
        var_dir=settings.var_dir,
        train=train,
        score=lambda model: score_model(model, sets),
        load=lambda model: load_model(model, urls, settings.rasa_token or None),
        max_drop=settings.retrain_max_drop,
    )
