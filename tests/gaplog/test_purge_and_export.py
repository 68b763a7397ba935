"""Retention and export: `purge` deletes only what is older than the limit, including Rasa's conversation
history; `gaps export` gives officers a CSV with no personal details in it."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import time_machine
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bot.db import session_scope
from bot.gaplog.models import Answer, GapEntry, Referral
from bot.gaplog.record import purge, record_answer, record_referral, record_unmet
from tests.gaplog.helpers import cli_environment, make_settings

NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)


def _record_all(engine: Engine, settings, conversation: str) -> None:  # noqa: ANN001
    with session_scope(engine) as session:
        record_unmet(
            session,
            conversation_id=conversation,
            channel="resident",
            text="rats",
            reason="not_understood",
            settings=settings,
        )
        record_answer(
            session,
            conversation_id=conversation,
            channel="resident",
            service_id="svc-pests",
            settings=settings,
        )
        record_referral(session, service_id="svc-pests", staff_user="sam", settings=settings)


def _counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {
            model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (GapEntry, Answer, Referral)
        }


def _tracker_events(engine: Engine, timestamps: list[float]) -> None:
    """A table shaped like Rasa's SQL tracker store's `events` (only the columns purge relies on)."""
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), timestamp FLOAT)")
        )
        for number, stamp in enumerate(timestamps, start=1):
            connection.execute(
                text("INSERT INTO events (id, sender_id, timestamp) VALUES (:id, 'someone', :stamp)"),
                {"id": number, "stamp": stamp},
            )


def test_purge_deletes_only_records_older_than_the_limit(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engine)
    with time_machine.travel(NOW - timedelta(days=120), tick=False):
        _record_all(engine, settings, "old")
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        _record_all(engine, settings, "recent")
    _tracker_events(engine, [(NOW - timedelta(days=120)).timestamp(), (NOW - timedelta(days=10)).timestamp()])

    with time_machine.travel(NOW, tick=False):
        deleted = purge(engine, 90)

    assert deleted == {"gap_entries": 1, "answers": 1, "referrals": 1, "events": 1}
    assert _counts(engine) == {"gap_entries": 1, "answers": 1, "referrals": 1}
    with engine.connect() as connection:
        remaining = connection.execute(text("SELECT timestamp FROM events")).scalars().all()
    assert remaining == [(NOW - timedelta(days=10)).timestamp()]


def test_purge_works_when_the_tracker_store_is_elsewhere(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engine)
    with time_machine.travel(NOW - timedelta(days=120), tick=False):
        _record_all(engine, settings, "old")
    with time_machine.travel(NOW, tick=False):
        assert purge(engine, 90)["events"] == 0
    assert _counts(engine) == {"gap_entries": 0, "answers": 0, "referrals": 0}


def test_purge_command_uses_the_given_days(engine: Engine, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from bot.cli import _register, app

    _register()
    settings = make_settings(tmp_path, engine)
    with time_machine.travel(NOW - timedelta(days=40), tick=False):
        _record_all(engine, settings, "forty days ago")
    with cli_environment(monkeypatch, settings), time_machine.travel(NOW, tick=False):
        kept = CliRunner().invoke(app, ["purge"])  # default: 90 days
        assert kept.exit_code == 0, kept.output
        assert _counts(engine)["gap_entries"] == 1
        result = CliRunner().invoke(app, ["purge", "--older-than", "30"])
        assert result.exit_code == 0, result.output
        assert "1 gap_entries" in result.stdout
    assert _counts(engine) == {"gap_entries": 0, "answers": 0, "referrals": 0}


def test_a_message_with_a_postcode_and_a_phone_number_is_exported_with_neither(
    engine: Engine,
    tmp_path: Path,
    monkeypatch,  # noqa: ANN001
) -> None:
    from bot.cli import _register, app

    _register()
    settings = make_settings(tmp_path, engine)
    with session_scope(engine) as session:
        record_unmet(
            session,
            conversation_id="c1",
            channel="resident",
            text="Japanese knotweed next door at SG13 8EQ, call me on 07700 900123",
            reason="no_matching_service",
            settings=settings,
        )
    with cli_environment(monkeypatch, settings):
        result = CliRunner().invoke(app, ["gaps", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    header, row = rows[0], rows[1]
    assert header[:6] == ["id", "created_at", "channel", "reason", "text", "status"]
    record = dict(zip(header, row, strict=True))
    assert record["text"] == "Japanese knotweed next door at SG13, call me on [phone]"
    assert (record["channel"], record["reason"], record["status"]) == (
        "resident",
        "no_matching_service",
        "new",
    )
    assert "8EQ" not in result.stdout and "900123" not in result.stdout


def test_export_since_a_date_and_refuses_a_bad_one(engine: Engine, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from bot.cli import _register, app

    _register()
    settings = make_settings(tmp_path, engine)
    for day, words in ((1, "first of march"), (5, "fifth of march")):
        with (
            time_machine.travel(datetime(2026, 3, day, 12, tzinfo=timezone.utc), tick=False),
            session_scope(engine) as session,
        ):
            record_unmet(
                session,
                conversation_id=words,
                channel="staff",
                text=words,
                reason="not_understood",
                settings=settings,
            )
    with cli_environment(monkeypatch, settings):
        result = CliRunner().invoke(app, ["gaps", "export", "--format", "csv", "--since", "2026-03-03"])
        bad = CliRunner().invoke(app, ["gaps", "export", "--since", "3rd March"])
        spreadsheet = CliRunner().invoke(app, ["gaps", "export", "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    texts = [row["text"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert texts == ["fifth of march"]
    assert bad.exit_code == 1 and "--since must be a date written YYYY-MM-DD" in bad.output
    assert spreadsheet.exit_code == 1 and "--format must be csv" in spreadsheet.output


def test_exported_text_cannot_run_as_a_spreadsheet_formula(
    engine: Engine, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    from bot.cli import _register, app

    _register()
    settings = make_settings(tmp_path, engine)
    with session_scope(engine) as session:
        record_unmet(
            session,
            conversation_id="c",
            channel="resident",
            text='=HYPERLINK("x")',
            reason="not_understood",
            settings=settings,
        )
    with cli_environment(monkeypatch, settings):
        result = CliRunner().invoke(app, ["gaps", "export"])
    assert [row["text"] for row in csv.DictReader(io.StringIO(result.stdout))] == ['\'=HYPERLINK("x")']


def test_the_export_names_services_bodies_and_reasons_as_an_officer_reads_them(
    engine: Engine,
    tmp_path: Path,
    monkeypatch,  # noqa: ANN001
) -> None:
    from bot.cli import _register, app
    from tests.gaplog.helpers import add_directory

    _register()
    settings = make_settings(tmp_path, engine)
    add_directory(engine)
    with session_scope(engine) as session:
        record_unmet(
            session,
            conversation_id="c1",
            channel="resident",
            text="pothole on the high street",
            reason="other_organisation",
            organisation_id="org-county",
            settings=settings,
        )
        record_unmet(
            session,
            conversation_id="c2",
            channel="resident",
            text="my bins",
            reason="wrong_answer",
            candidates=[{"service_id": "svc-dogs", "name": "Dog warden", "confidence": 0.5}],
            service_id="svc-bins",
            settings=settings,
        )
    with cli_environment(monkeypatch, settings):
        result = CliRunner().invoke(app, ["gaps", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert records[0]["organisation_name"] == "Oakshire County Council"
    assert records[0]["reason_label"] == "Sent to another organisation"
    assert (records[1]["service_given_name"], records[1]["top_service_name"]) == (
        "Bin collections",
        "Dog warden",
    )
    assert records[1]["reason_label"] == "Wrong answer (resident said no)"
