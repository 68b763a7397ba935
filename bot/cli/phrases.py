"""`here-to-help phrases add|list|remove|import`: the resident phrases officers teach (the council's overlay).

Officer phrases survive every `directory import`; `list --json` exports them and `import FILE` loads them
(docs/gap-log.md, "Teaching"). No `from __future__ import annotations`: typer 0.7 reads annotations at run
time and cannot read `X | None`.
"""
# ruff: noqa: UP045

import getpass
import json
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(help="Teach, list and remove resident phrases (officer phrases survive imports).")


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "cli"


@app.command("add")
def add(
    service_id: str = typer.Argument(..., help="The service's id (see `here-to-help route` or the export)."),
    phrase: str = typer.Argument(..., help="How a resident says the need, in their words."),
) -> None:
    """Teach a phrase to a service; it is used from the next `here-to-help train`."""
    from bot.db import get_engine, session_scope
    from bot.directory.phrases import PhraseError, add_phrase

    try:
        with session_scope(get_engine()) as session:
            info, new = add_phrase(session, service_id, phrase, added_by=_who())
    except PhraseError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if new:
        typer.echo(
            f"added {info.phrase!r} to {info.service_id} (officer); run `here-to-help train` to use it"
        )
    else:
        typer.echo(f"{info.service_id} already has {info.phrase!r} ({info.source}); nothing changed")


@app.command("list")
def list_command(
    service: Optional[str] = typer.Option(None, "--service", help="Only this service's phrases."),
    source: Optional[str] = typer.Option(None, "--source", help="Only 'directory' or 'officer' phrases."),
    as_json: bool = typer.Option(False, "--json", help="A JSON list (the overlay export format)."),
) -> None:
    """Every phrase with where it came from; `--json` gives service_id, phrase, source, added_at, added_by."""
    from bot.db import get_engine, session_scope
    from bot.directory.phrases import SOURCES, list_phrases

    if source is not None and source not in SOURCES:
        typer.echo(f"error: --source must be one of {', '.join(SOURCES)}", err=True)
        raise typer.Exit(2)
    with session_scope(get_engine()) as session:
        phrases = list_phrases(session, service, source)
    if as_json:
        typer.echo(json.dumps([info.as_dict() for info in phrases], indent=2, ensure_ascii=False))
        return
    for info in phrases:
        who = f" by {info.added_by} on {info.added_at[:10]}" if info.added_by and info.added_at else ""
        typer.echo(f"{info.service_id}\t{info.source}\t{info.phrase}{who}")
    typer.echo(f"{len(phrases)} phrase(s)")


@app.command("remove")
def remove(
    service_id: str = typer.Argument(..., help="The service's id."),
    phrase: str = typer.Argument(..., help="The officer phrase to remove (any case)."),
) -> None:
    """Remove an officer phrase (directory phrases are changed in the directory feed)."""
    from bot.db import get_engine, session_scope
    from bot.directory.phrases import PhraseError, remove_phrase

    try:
        with session_scope(get_engine()) as session:
            info = remove_phrase(session, service_id, phrase)
    except PhraseError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"removed {info.phrase!r} from {info.service_id}; run `here-to-help train` to forget it")


@app.command("import")
def import_command(
    path: Path = typer.Argument(..., help="A JSON list as written by `phrases list --json`."),
) -> None:
    """Load an overlay of officer phrases (all or nothing); phrases a service already has are skipped."""
    from bot.db import get_engine, session_scope
    from bot.directory.phrases import PhraseError, import_overlay, read_overlay

    try:
        records = read_overlay(path)
        with session_scope(get_engine()) as session:
            counts = import_overlay(session, records, added_by=_who(), where=str(path))
    except PhraseError as error:
        typer.echo(f"error: {error}; nothing was imported", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{counts['added']} phrase(s) added, {counts['already_there']} already there")
