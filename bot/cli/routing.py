"""`here-to-help train` and `here-to-help route`: build the Rasa model from the directory, and try it out."""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer


@contextmanager
def _without_import_noise(*, keep_data_warnings: bool) -> Iterator[None]:
    """Hide the pages of deprecation notices importing Rasa's stack prints; Rasa installs its own warning
    filters, so the display function is replaced rather than a filter added. With `keep_data_warnings`,
    Rasa's warnings about our training data (UserWarning) are still shown: they are worth fixing.
    """
    original = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if (
            keep_data_warnings
            and issubclass(category, UserWarning)
            and not issubclass(category, DeprecationWarning)
        ):
            original(message, category, *args, **kwargs)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = original


def train(
    force: bool = typer.Option(
        False, "--force", help="Retrain every component, ignoring Rasa's training cache."
    ),
) -> None:
    """Build the spaCy pipeline and train the Rasa model from the directory database into MODELS_DIR."""
    from bot.routing.directory_source import DirectoryEmptyError
    from bot.routing.training import TrainingError
    from bot.routing.training import train as run_training

    try:
        with _without_import_noise(keep_data_warnings=True):
            outcome = run_training(force=force)
    except (DirectoryEmptyError, TrainingError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Trained {outcome.model_path} on {outcome.services} services in {outcome.seconds:.1f} s "
        f"(directory {outcome.directory_fingerprint[:12]})."
    )
    if outcome.guessed_codes:
        from bot.directory.lgsl import lgsl_catalogue
        from bot.routing.directory_source import read_directory

        names = {entry.service_id: entry.name for entry in read_directory()}
        typer.echo(describe_guesses(outcome.guessed_codes, names, lgsl_catalogue()))


GUESSES_LISTED = 10


def describe_guesses(guessed: dict[str, tuple[int, ...]], names: dict[str, str], catalogue: dict) -> str:
    """What to tell an officer about services that carry no LGSL code but learnt a guessed one."""
    subject = "1 service" if len(guessed) == 1 else f"{len(guessed)} services"
    lines = [
        f"{subject} without an LGSL code learnt the residents' words for a code guessed from the name and "
        "description. Tag them in the directory to be sure:"
    ]
    listed = sorted(guessed.items(), key=lambda item: names.get(item[0], item[0]))
    for service_id, codes in listed[:GUESSES_LISTED]:
        labels = ", ".join(
            f"{code} {catalogue[code].label}" if code in catalogue else str(code) for code in codes
        )
        lines.append(f"  {names.get(service_id, service_id)}: {labels}")
    if len(listed) > GUESSES_LISTED:
        lines.append(f"  … and {len(listed) - GUESSES_LISTED} more (router.json in the model lists them all)")
    return "\n".join(lines)


def route(
    text: str = typer.Argument(..., help="A message, as a resident or a member of staff would type it."),
    as_json: bool = typer.Option(False, "--json", help="Print the candidates and the threshold as JSON."),
    k: int = typer.Option(5, "--top", "-k", min=1, help="How many candidate services to show."),
) -> None:
    """The ranked council services for one message, through the trained model (as the bot sees them)."""
    from bot.routing.parse import ModelLoadError, ModelNotFoundError, load_parser

    if not text.strip():
        typer.echo("error: the message is empty.", err=True)
        raise typer.Exit(2)
    try:
        with _without_import_noise(keep_data_warnings=False):
            parser = load_parser()
            candidates, threshold = parser.services(text)
    except (ModelNotFoundError, ModelLoadError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    candidates = candidates[:k]
    unmet = not candidates or float(candidates[0].get("confidence", 0.0)) < threshold
    if as_json:
        payload = {"services": candidates, "service_threshold": threshold, "unmet": unmet}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    _print_table(candidates, threshold, unmet)


def _print_table(candidates: list[dict], threshold: float, unmet: bool) -> None:
    from rich.console import Console, JustifyMethod
    from rich.table import Table

    table = Table(title="Ranked services")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("service", "left"),
        ("LGSL", "left"),
        ("confidence", "right"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify)
    table.add_column("score", justify="right")
    for position, candidate in enumerate(candidates, start=1):
        codes = ", ".join(str(code) for code in candidate.get("lgsl_codes") or [])
        table.add_row(
            str(position),
            f"{candidate.get('name')} [dim]({candidate.get('service_id')})[/dim]",
            codes,
            f"{float(candidate.get('confidence', 0.0)):.2f}",
            f"{float(candidate.get('score', 0.0)):.2f}",
        )
    console = Console()
    console.print(table)
    verdict = "UNMET (would be logged to the gap log)" if unmet else "met"
    console.print(f"threshold {threshold:.2f}: {verdict}")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("route")(route)
