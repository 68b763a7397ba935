"""`here-to-help demand export`: a strategy review gets demand by service, body, reason, channel and week,
and an estimate of phone calls avoided, from one command."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bot.db import session_scope
from bot.gaplog.demand import build_demand, render_demand
from tests.gaplog.test_report import WEEK, week_of_activity  # noqa: F401 - the shared week of activity


def test_demand_counts_each_service_body_and_reason_by_week_and_channel(week_of_activity: Engine) -> None:  # noqa: F811
    with session_scope(week_of_activity) as session:
        demand = build_demand(session, *WEEK, tz_name="Europe/London")
    rows = {
        (row["dimension"], row["label"], row["week"], row["channel"]): row["count"] for row in demand.rows
    }
    assert rows[("other_body", "Oakshire County Council", "2026-W10", "resident")] == 1
    assert rows[("reason", "Low confidence", "2026-W10", "resident")] == 1
    assert rows[("reason", "Low confidence", "2026-W10", "staff")] == 1
    assert sum(n for (d, _, _, c), n in rows.items() if d == "service" and c == "resident") >= 4
    # A, E and F were answered with nothing unmet; D (staff) does not count: calls avoided are residents'
    assert demand.contained_resident_conversations == 3
    assert demand.saving == round(3 * (2.83 - 0.32), 2)


def test_json_and_csv_carry_the_estimate_and_its_assumptions(week_of_activity: Engine) -> None:  # noqa: F811
    with session_scope(week_of_activity) as session:
        demand = build_demand(session, *WEEK, cost_per_call=5.0, cost_per_web_contact=0.08)
    data = json.loads(render_demand(demand, "json"))
    assert data["calls_avoided_estimate"] == 3 and data["saving_estimate_gbp"] == round(3 * 4.92, 2)
    assert data["assumptions"]["cost_per_call_gbp"] == 5.0
    table = list(csv.DictReader(io.StringIO(render_demand(demand, "csv"))))
    assert {"dimension", "key", "label", "week", "channel", "count"} == set(table[0])
    assert any(row["dimension"] == "estimate" and row["key"] == "calls_avoided" for row in table)


def test_the_command_refuses_a_backwards_period(tmp_path: Path, monkeypatch) -> None:
    from bot.cli.demand import app
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demand.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner(mix_stderr=False).invoke(app, ["--from", "2026-03-09", "--to", "2026-03-02"])
        fine = CliRunner(mix_stderr=False).invoke(
            app, ["--from", "2026-03-02", "--to", "2026-03-08", "--format", "json"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "after --to" in result.stderr
    assert fine.exit_code == 0, fine.stderr
    assert json.loads(fine.stdout)["calls_avoided_estimate"] == 0
    assert date.fromisoformat(json.loads(fine.stdout)["from"]) == date(2026, 3, 2)
