"""`here-to-help run`: start everything `make run` promises (see bot/run.py and docs/running.md)."""

from __future__ import annotations

import typer


def run(
    train: bool = typer.Option(
        True, "--train/--no-train", help="Train first when the model is missing or stale."
    ),
    check: bool = typer.Option(
        False,
        "--check",
        help="Start everything, verify every health check answers, then stop (exit 0 on success).",
    ),
    timeout: float = typer.Option(
        600.0, "--timeout", min=1.0, help="Seconds to wait for all servers to answer their health checks."
    ),
) -> None:
    """Import the demo directory if empty, train if needed, start Rasa, the action server and the web app."""
    from bot.run import run as run_everything

    raise typer.Exit(run_everything(train=train, check=check, ready_timeout=timeout))


def register(app: typer.Typer) -> None:
    app.command("run")(run)
