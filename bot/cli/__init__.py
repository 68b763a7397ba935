"""The `here-to-help` command line. Each area of the product adds its own sub-commands from its own module."""

from __future__ import annotations

import logging
import os

import typer

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

app = typer.Typer(
    help="Here to Help: signpost residents and staff to the right council service.",
    no_args_is_help=True,
    add_completion=False,
)


def _register() -> None:
    from bot.cli import directory

    app.add_typer(directory.app, name="directory")

    from bot.cli import run

    run.register(app)

    from bot.cli import routing

    routing.register(app)

    from bot.cli.evaluate import evaluate_command

    app.command("evaluate")(evaluate_command)

    from bot.cli import gaps, users

    gaps.register(app)
    app.add_typer(users.app, name="users")

    from bot.cli import phrases

    app.add_typer(phrases.app, name="phrases")

    from bot.cli import demand

    app.add_typer(demand.app, name="demand")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _register()
    app()
