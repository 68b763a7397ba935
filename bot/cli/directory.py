"""`here-to-help directory ...`: import, export, validate and count the service directory.

Every command uses the database named by DATABASE_URL. Errors go to stderr with the file, record and field
they concern, and the exit status is 1, so scripts and CI can rely on it. A relative PATH is taken from the
current directory, or from the project root when it is not there (so `data/directory` works anywhere).

No `from __future__ import annotations` here: typer 0.7 reads the annotations at run time. Flags say
`flag_value=True` so they keep working with click 8.2+ (where typer 0.7 would pass None for a given flag).
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from bot import PROJECT_ROOT

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

app = typer.Typer(help="Import, export, validate and count the service directory.", no_args_is_help=True)

PATH_HELP = "An HSDS 3.0 JSON file, a folder of them, or a CSV template file."


def _input_path(path: Path) -> Path:
    if path.is_absolute() or path.exists():
        return path
    from_root = PROJECT_ROOT / path
    return from_root if from_root.exists() else path


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def _engine() -> "Engine":  # imported lazily so `--help` stays fast
    """The engine for DATABASE_URL as it is now (passing the URL, so a changed variable is never missed)."""
    from bot.db import get_engine
    from bot.settings import get_settings

    return get_engine(get_settings().database_url)


@contextmanager
def _progress_bar() -> Iterator:
    """A rich progress bar on stderr (only on a terminal), as a `progress(stage, done, total)` callback."""
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def _print_problems(title: str, problems: list, *, err: bool = True) -> None:
    typer.echo(title, err=err)
    for problem in problems:
        typer.echo(f"  {problem}", err=err)


@app.command("import")
def import_command(
    path: Path = typer.Argument(..., help=PATH_HELP),
    dry_run: bool = typer.Option(
        False, "--dry-run", flag_value=True, help="Show what would change and write nothing."
    ),
    partial: bool = typer.Option(
        False,
        "--partial",
        flag_value=True,
        help="Leave services missing from PATH alone (default: mark them inactive).",
    ),
) -> None:
    """Import a directory: check everything, then write all of it in one transaction, or nothing."""
    from bot.directory.importers import ImportRejected, import_directory

    source = _input_path(path)
    try:
        with _progress_bar() as progress:
            report = import_directory(_engine(), source, dry_run=dry_run, full=not partial, progress=progress)
    except ImportRejected as error:
        _print_problems(
            f"Import refused: {len(error.errors)} problem(s) in {source}; nothing was written.", error.errors
        )
        raise typer.Exit(1) from None
    except SQLAlchemyError as error:
        _fail(f"Database error while importing {source}: {error.__class__.__name__}: {error}")
    if report.warnings:
        _print_problems(
            f"{len(report.warnings)} warning(s): imported, with these left out or tolerated:", report.warnings
        )
    for line in report.lines():
        typer.echo(line)


@app.command("export")
def export_command(path: Path = typer.Argument(..., help="Where to write the HSDS 3.0 JSON file.")) -> None:
    """Export every service, with its organisation, as one HSDS 3.0 service_list JSON file."""
    from bot.directory.exporter import export_directory

    try:
        count = export_directory(_engine(), path)
    except OSError as error:
        _fail(f"Cannot write {path}: {error.strerror or error}")
    except SQLAlchemyError as error:
        _fail(f"Database error while exporting: {error.__class__.__name__}: {error}")
    typer.echo(f"Exported {count} service(s) to {path}")


@app.command("validate")
def validate_command(path: Path = typer.Argument(..., help=PATH_HELP)) -> None:
    """Check a directory without importing it; exit status 1 and the list of problems when it is invalid."""
    from bot.directory.importers import validate_directory

    source = _input_path(path)
    try:
        result = validate_directory(source, _engine())
    except SQLAlchemyError as error:
        _fail(f"Database error while validating {source}: {error.__class__.__name__}: {error}")
    if result.warnings:
        _print_problems(f"{len(result.warnings)} warning(s) (would be imported anyway):", result.warnings)
    if not result.ok:
        _print_problems(f"Invalid: {len(result.errors)} problem(s) in {source}:", result.errors)
        raise typer.Exit(1)
    parsed = result.parsed
    typer.echo(
        f"Valid: {len(parsed.services)} service(s) and {len(parsed.organisations)} organisation(s) "
        f"in {len(parsed.files)} file(s)."
    )


@app.command("stats")
def stats_command(
    as_json: bool = typer.Option(False, "--json", flag_value=True, help="Print one JSON object."),
) -> None:
    """Count organisations, services, LGSL codes and gaps (services without a code, a phone or hours)."""
    from bot.directory.stats import directory_stats

    try:
        stats = directory_stats(_engine())
    except SQLAlchemyError as error:
        _fail(f"Database error while counting: {error.__class__.__name__}: {error}")
    if as_json:
        typer.echo(json.dumps(stats, sort_keys=True))
        return
    table = Table(title="Service directory", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in stats.items():
        if isinstance(value, dict):
            value = ", ".join(f"{name}: {count}" for name, count in value.items()) or "-"
        table.add_row(key.replace("_", " "), str(value))
    Console().print(table)
