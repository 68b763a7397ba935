"""The strategy report: a week of conversations gives the expected counts in HTML, Markdown and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import time_machine
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bot.db import session_scope
from bot.gaplog.record import record_answer, record_referral, record_unmet
from bot.gaplog.report import build_report, render
from tests.gaplog.helpers import add_directory, cli_environment, make_settings

WEEK = (date(2026, 3, 2), date(2026, 3, 8))


def _at(day: int, hour: int = 10):  # noqa: ANN202
    return time_machine.travel(datetime(2026, 3, day, hour, tzinfo=timezone.utc), tick=False)


@pytest.fixture
def week_of_activity(engine: Engine, tmp_path: Path) -> Engine:
    """Six conversations in the week of 2 March 2026, and one the week before that must not count."""
    settings = make_settings(tmp_path, engine)
    add_directory(engine)

    def unmet(session, conversation, text, reason, channel="resident", **extra):  # noqa: ANN001, ANN202
        record_unmet(
            session,
            conversation_id=conversation,
            channel=channel,
            text=text,
            reason=reason,
            settings=settings,
            **extra,
        )

    def answer(session, conversation, service, channel="resident"):  # noqa: ANN001, ANN202
        record_answer(
            session,
            conversation_id=conversation,
            channel=channel,
            service_id=service,
            confidence=0.8,
            settings=settings,
        )

    with _at(3), session_scope(engine) as session:
        answer(session, "A", "svc-bins")  # contained
        answer(session, "B", "svc-bins")
        unmet(session, "B", "that did not help", "negative_feedback")
        unmet(session, "C", "dog poo in the park", "low_confidence")
        unmet(session, "D", "dog fouling in the park", "low_confidence", channel="staff")
        answer(session, "D", "svc-dogs", channel="staff")
        unmet(session, "E", "pothole on the high street", "other_organisation", organisation_id="org-county")
        answer(session, "F", "svc-roads")  # contained
        record_referral(session, service_id="svc-bins", staff_user="sam", settings=settings)
        record_referral(session, service_id="svc-bins", staff_user="sam", settings=settings)
        record_referral(session, service_id="svc-dogs", staff_user="kim", settings=settings)
    with _at(8, 23), session_scope(engine) as session:  # 23:00 on Sunday 8 March (GMT): still in the week
        answer(session, "A", "svc-bins")
    with (
        time_machine.travel(datetime(2026, 2, 20, 12, tzinfo=timezone.utc), tick=False),
        session_scope(engine) as session,
    ):
        unmet(session, "Z", "where is the tip", "not_understood")
        answer(session, "Z", "svc-dogs")
        record_referral(session, service_id="svc-dogs", staff_user="kim", settings=settings)
    return engine


def test_the_report_counts_conversations_containment_and_unmet_demand(week_of_activity: Engine) -> None:
    with session_scope(week_of_activity) as session:
        report = build_report(session, *WEEK, tz_name="Europe/London")
    assert report.conversations == 6
    assert report.signposted == 5
    assert report.answered_by_council == 4
    assert report.sent_elsewhere == 1, "sending a resident to the county is an answer, not unmet"
    assert report.contained == 3
    assert report.answers == 5
    assert report.unmet == 3
    assert report.wrong_answer_conversations == 1
    assert round(report.wrong_answer_rate, 3) == 0.2
    assert {row.label: row.count for row in report.unmet_by_reason} == {
        "No matching service": 0,
        "Not understood": 0,
        "Low confidence": 2,
        "Wrong answer (resident said no)": 1,
        "Assistant unavailable (given the contact centre)": 0,
        "Asked for a person": 0,
    }
    assert {row.key: row.count for row in report.by_channel} == {"resident": 5, "staff": 1}
    assert [(row.label, row.count) for row in report.other_organisations] == [("Oakshire County Council", 1)]
    assert [(row.label, row.count) for row in report.services_asked_about] == [
        ("Bin collections", 3),
        ("Dog warden", 1),
        ("Highways", 1),
    ]
    assert [(row.label, row.count) for row in report.referrals] == [("Bin collections", 2), ("Dog warden", 1)]
    assert report.clusters[0].count == 2 and "dog" in report.clusters[0].terms
    assert all("pothole" not in " ".join(cluster.examples) for cluster in report.clusters), (
        "a question sent to another organisation is not an unmet query"
    )


def test_the_report_compares_this_period_with_the_one_before(week_of_activity: Engine) -> None:
    with session_scope(week_of_activity) as session:
        report = build_report(session, date(2026, 3, 9), date(2026, 3, 15), tz_name="Europe/London")
    assert report.conversations == 0
    assert report.previous is not None and report.previous.date_from == WEEK[0]
    assert (report.previous.conversations, report.previous.contained) == (6, 3)


def test_markdown_shows_the_counts_the_previous_period_and_the_definition(week_of_activity: Engine) -> None:
    with session_scope(week_of_activity) as session:
        text = render(build_report(session, *WEEK), "md")
    assert "| Conversations | 6 | 0 |" in text  # Z, on 20 February, is before the previous week
    assert "| Contained conversations (containment) | 3 (50.0%) |" in text
    assert "| Sent to another organisation | 1 |" in text
    assert "| Wrong-answer rate | 20.0% (1 of 5) |" in text
    assert "Containment: conversations answered" in text
    assert "| Oakshire County Council | 1 |" in text
    assert "| Bin collections | 3 |" in text
    assert "| Staff referrals | 3 |" in text
    assert "| Low confidence | 2 |" in text and "low_confidence" not in text


def test_html_shows_the_counts_and_fetches_nothing(week_of_activity: Engine) -> None:
    with session_scope(week_of_activity) as session:
        page = render(build_report(session, *WEEK), "html")
    assert '<th scope="row">Conversations</th><td class="num">6</td>' in page
    assert "3 (50.0%)" in page
    assert '<td>Oakshire County Council</td><td class="num">1</td>' in page
    assert "http" not in page.replace("http://www.w3.org", "")


def test_csv_has_one_row_per_figure(week_of_activity: Engine) -> None:
    with session_scope(week_of_activity) as session:
        text = render(build_report(session, *WEEK), "csv")
    rows = {(row["section"], row["label"]): row["value"] for row in csv.DictReader(io.StringIO(text))}
    assert rows[("summary", "conversations")] == "6"
    assert rows[("summary", "contained")] == "3"
    assert rows[("summary", "containment_rate")] == "0.5000"
    assert rows[("summary", "sent_elsewhere")] == "1"
    assert rows[("conversations_by_channel", "staff")] == "1"
    assert rows[("previous_summary", "conversations")] == "0"
    assert rows[("unmet_by_reason", "Low confidence")] == "2"
    assert rows[("other_organisation", "Oakshire County Council")] == "1"
    assert rows[("referrals_by_service", "Bin collections")] == "2"


def test_report_command_writes_each_format(week_of_activity: Engine, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from bot.cli import _register, app

    _register()
    settings = make_settings(tmp_path, week_of_activity)
    with cli_environment(monkeypatch, settings):
        runner = CliRunner()
        for output_format, expected in (("md", "| Conversations | 6 |"), ("csv", "summary,conversations,6")):
            result = runner.invoke(
                app, ["report", "--from", "2026-03-02", "--to", "2026-03-08", "--format", output_format]
            )
            assert result.exit_code == 0, result.output
            assert expected in result.stdout
        target = tmp_path / "out" / "report.html"
        result = runner.invoke(
            app,
            [
                "report",
                "--from",
                "2026-03-02",
                "--to",
                "2026-03-08",
                "--format",
                "html",
                "--output",
                str(target),
            ],
        )
        assert result.exit_code == 0, result.output
        assert '<td class="num">6</td>' in target.read_text()
        refused = runner.invoke(app, ["report", "--format", "pdf"])
        assert refused.exit_code == 1 and "--format must be one of html, md, csv" in refused.output
        backwards = runner.invoke(app, ["report", "--from", "2026-03-08", "--to", "2026-03-02"])
        assert backwards.exit_code == 1 and "is after" in backwards.output
