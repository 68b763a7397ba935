"""`here-to-help gaps export`, `gaps replay`, `report` and `purge`: the gap log from the command line.

No `from __future__ import annotations` here: typer 0.7 reads the annotations at run time, and it cannot read
`X | None`, hence `Optional`.
"""
# ruff: noqa: UP045

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import NoReturn, Optional

import typer

app = typer.Typer(help="Read the gap log: what the assistant could not answer.", no_args_is_help=True)


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _day(value: Optional[str], option: str) -> Optional[date]:
    from bot.gaplog.queries import parse_day

    try:
        return parse_day(value, option)
    except ValueError as error:
        _fail(str(error))


def _write(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        from bot.private_files import write_private_text

        write_private_text(output, text, newline="")  # residents' (redacted) questions: only for us
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")
    typer.echo(f"wrote {output}", err=True)


@app.command("export")
def export(
    output_format: str = typer.Option("csv", "--format", help="Only csv is offered."),
    since: Optional[str] = typer.Option(
        None, "--since", help="Only entries made on or after this date (YYYY-MM-DD)."
    ),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write here instead of standard output."
    ),
) -> None:
    """Export the gap log as CSV (header: id, created_at, channel, reason, text, status, ...)."""
    import io

    from bot.db import get_engine, session_scope
    from bot.gaplog.queries import export_since, names_for, write_csv

    if output_format != "csv":
        _fail(f"--format must be csv; got {output_format!r}")
    since_day = _day(since, "--since")
    buffer = io.StringIO()
    with session_scope(get_engine()) as session:
        entries = export_since(session, since_day)
        count = write_csv(entries, buffer, names=names_for(session, entries))
    _write(buffer.getvalue(), output)
    if output is not None:
        typer.echo(f"{count} gap entries", err=True)


def report(
    date_from: Optional[str] = typer.Option(
        None, "--from", help="First day (YYYY-MM-DD). Default: 29 days before --to."
    ),
    date_to: Optional[str] = typer.Option(
        None, "--to", help="Last day, included (YYYY-MM-DD). Default: today."
    ),
    output_format: str = typer.Option("md", "--format", help="html, md or csv."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write here instead of standard output."
    ),
) -> None:
    """The strategy report: conversations, containment, unmet queries, demand for other bodies, referrals."""
    from bot.db import get_engine, session_scope
    from bot.gaplog.report import FORMATS, build_report, render

    if output_format not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)}; got {output_format!r}")
    last = _day(date_to, "--to") or date.today()
    first = _day(date_from, "--from") or last - timedelta(days=29)
    if first > last:
        _fail(f"--from ({first}) is after --to ({last})")
    with session_scope(get_engine()) as session:
        text = render(build_report(session, first, last), output_format)
    _write(text, output)


def purge(
    older_than: Optional[int] = typer.Option(
        None,
        "--older-than",
        help="Delete records older than this many days. Default: GAPLOG_RETENTION_DAYS (90).",
    ),
    tracker_database_url: Optional[str] = typer.Option(
        None, "--tracker-database-url", help="Rasa's SQL tracker store, when it is not in DATABASE_URL."
    ),
) -> None:
    """Delete old gap entries, answers, referrals and Rasa tracker events (conversation history)."""
    from bot.db import get_engine, make_engine
    from bot.gaplog.record import purge as purge_rows
    from bot.settings import get_settings

    days = older_than if older_than is not None else get_settings().gaplog_retention_days
    if days < 0:
        _fail(f"--older-than must be 0 or more days; got {days}")
    tracker = make_engine(tracker_database_url) if tracker_database_url else None
    deleted = purge_rows(get_engine(), days, tracker_engine=tracker)
    summary = ", ".join(f"{count} {table}" for table, count in deleted.items())
    typer.echo(f"deleted rows older than {days} days: {summary}")


@app.command("replay")
def replay() -> None:
    """Write gap-log entries spooled while the database was down (VAR_DIR/spool/) back to the database."""
    from bot.gaplog.spool import rejected_file
    from bot.gaplog.spool import replay as replay_spool

    try:
        done = replay_spool()
    except Exception as error:  # noqa: BLE001 - say what stopped it; the spool is left as it was
        _fail(f"the database could not be reached ({type(error).__name__}); nothing was replayed")
    typer.echo(f"replayed {done.written} spooled entries; {done.waiting} still waiting for the database")
    if done.rejected:
        typer.echo(f"{done.rejected} unreadable lines set aside in {rejected_file()}", err=True)
    if done.waiting:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    """Add `gaps`, `report` and `purge` to the root command."""
    root.add_typer(app, name="gaps")
    root.command("report")(report)
    root.command("purge")(purge)
