"""`here-to-help run`: start everything `make run` promises (see bot/run.py and docs/running.md).

No `from __future__ import annotations` here: typer 0.7 reads the annotations at runtime.
"""

import typer


def run(
    no_train: bool = typer.Option(False, "--no-train", help="Start the model there is, even if it is stale."),
    check: bool = typer.Option(
        False,
        "--check",
        help="Start everything, verify every health check answers, then stop (exit 0 on success).",
    ),
    timeout: float = typer.Option(
        600.0, "--timeout", min=1.0, help="Seconds to wait for all servers to answer their health checks."
    ),
    role: str = typer.Option(
        "all",
        "--role",
        help="all (default): everything. prepare: migrate, import, train, then exit. "
        "actions, rasa or web: only that server, as one container of a deployment (docs/deploying.md).",
    ),
) -> None:
    """Import the demo directory if empty, train if needed, start Rasa, the action server and the web app."""
    from bot.run import run as run_everything

    raise typer.Exit(run_everything(role=role, train=not no_train, check=check, ready_timeout=timeout))


def register(app: typer.Typer) -> None:
    app.command("run")(run)
