"""`here-to-help demand export`: demand counts for a customer-service strategy review (bot/gaplog/demand.py).

No `from __future__ import annotations` here: typer 0.7 reads the annotations at run time.
"""
# ruff: noqa: UP045

import sys
from datetime import date, timedelta
from typing import Optional

import typer

app = typer.Typer(help="Demand for strategy reviews: counts by service, body, reason, channel and week.")


@app.command("export")
def export(
    date_from: Optional[str] = typer.Option(
        None, "--from", help="First day (YYYY-MM-DD). Default: 29 days before --to."
    ),
    date_to: Optional[str] = typer.Option(
        None, "--to", help="Last day, included (YYYY-MM-DD). Default: today."
    ),
    output_format: str = typer.Option("csv", "--format", help="csv or json."),
) -> None:
    """Counts by service (LGSL), other body, reason, channel and week, and the phone calls avoided."""
    from bot.db import get_engine, session_scope
    from bot.gaplog.demand import FORMATS, build_demand, render_demand
    from bot.gaplog.queries import parse_day
    from bot.settings import get_settings

    if output_format not in FORMATS:
        typer.echo(f"error: --format must be one of {', '.join(FORMATS)}; got {output_format!r}", err=True)
        raise typer.Exit(1)
    try:
        last = parse_day(date_to, "--to") or date.today()
        first = parse_day(date_from, "--from") or last - timedelta(days=29)
        settings = get_settings()
        with session_scope(get_engine()) as session:
            demand = build_demand(
                session,
                first,
                last,
                tz_name=settings.timezone,
                cost_per_call=settings.cost_per_call,
                cost_per_web_contact=settings.cost_per_web_contact,
            )
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    text = render_demand(demand, output_format)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
