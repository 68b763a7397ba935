"""An officer reads what changed: each group of unmet queries against the previous period, the resident and
staff channels side by side, and charts drawn as inline SVG that needs no script."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import time_machine
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.gaplog.charts import bar_chart
from bot.gaplog.clustering import compare_periods
from bot.gaplog.record import record_answer, record_unmet
from bot.gaplog.report import build_report, render
from tests.gaplog.helpers import add_directory, make_settings

THIS_WEEK = (date(2026, 3, 9), date(2026, 3, 15))


@pytest.fixture
def two_weeks(engine: Engine, tmp_path: Path) -> Engine:
    """Dog fouling grows from one query to three; broken street lights are new this week; a staff officer
    on the contact-centre channel asks one thing the assistant answers."""
    settings = make_settings(tmp_path, engine)
    add_directory(engine)

    def unmet(conversation: str, text: str, channel: str = "resident") -> None:
        with session_scope(engine) as session:
            record_unmet(
                session,
                conversation_id=conversation,
                channel=channel,
                text=text,
                reason="low_confidence",
                settings=settings,
            )

    with time_machine.travel(datetime(2026, 3, 4, 10, tzinfo=timezone.utc), tick=False):
        unmet("p1", "dog fouling in the park")
        unmet("p2", "bus timetable for route 7")
    with time_machine.travel(datetime(2026, 3, 11, 10, tzinfo=timezone.utc), tick=False):
        unmet("c1", "dog fouling in the park again")
        unmet("c2", "dog fouling on the park path")
        unmet("c3", "dog fouling near the park gates", channel="staff")
        unmet("c4", "street light broken outside")
        unmet("c5", "street light broken on the corner")
        with session_scope(engine) as session:
            record_answer(
                session,
                conversation_id="c6",
                channel="staff",
                service_id="svc-bins",
                confidence=0.9,
                settings=settings,
            )
    return engine


def _group(report, word: str):  # noqa: ANN001, ANN202
    [found] = [cluster for cluster in report.clusters if word in cluster.terms]
    return found


def test_each_group_shows_its_count_last_period_and_the_change(two_weeks: Engine) -> None:
    with session_scope(two_weeks) as session:
        report = build_report(session, *THIS_WEEK, tz_name="Europe/London")
    dogs, lights = _group(report, "fouling"), _group(report, "light")
    assert (dogs.count, dogs.previous_count, dogs.change) == (3, 1, 2)
    assert (lights.count, lights.previous_count) == (2, 0)
    assert all("bus" not in " ".join(cluster.examples) for cluster in report.clusters), (
        "a group only in the previous period is not this period's demand"
    )
    assert "dog fouling in the park" not in dogs.examples, "examples are this period's queries"


def test_groups_are_compared_even_when_the_words_differ_a_little() -> None:
    groups = compare_periods(
        [("missed bin collection", 1), ("bin collection missed again", 2)],
        [("missed bin colection", 3), ("noise from a party", 4)],
        min_size=2,
    )
    assert [(group.count, group.previous_count, group.item_ids) for group in groups] == [(2, 1, [1, 2])]


def test_the_channels_are_split_in_every_figure(two_weeks: Engine) -> None:
    with session_scope(two_weeks) as session:
        report = build_report(session, *THIS_WEEK, tz_name="Europe/London")
    resident, staff = report.channels["resident"], report.channels["staff"]
    assert (resident.conversations, resident.unmet, resident.answered_by_council) == (4, 4, 0)
    assert (staff.conversations, staff.unmet, staff.answered_by_council) == (2, 1, 1)
    assert staff.contained == 1 and resident.contained == 0


def test_markdown_and_csv_carry_the_change_and_the_channels(two_weeks: Engine) -> None:
    with session_scope(two_weeks) as session:
        report = build_report(session, *THIS_WEEK, tz_name="Europe/London")
        markdown, table = render(report, "md"), render(report, "csv")
    assert re.search(r"\| [^|]*fouling[^|]* \| 3 \| 1 \| \+2 \|", markdown), markdown
    assert re.search(r"\| [^|]*light[^|]* \| 2 \| 0 \| new \|", markdown)
    assert "| Unmet turns (no match, not understood, low confidence, wrong answer) | 4 | 1 |" in markdown
    rows = {(row["section"], row["label"]): row["value"] for row in csv.DictReader(io.StringIO(table))}
    assert rows[("staff_summary", "answered_by_council")] == "1"
    assert rows[("resident_summary", "unmet")] == "4"
    assert [value for (section, _), value in rows.items() if section == "cluster_previous"] == ["1", "0"]


def test_the_html_report_draws_its_charts_as_svg_without_scripts(two_weeks: Engine) -> None:
    with session_scope(two_weeks) as session:
        page = render(build_report(session, *THIS_WEEK, tz_name="Europe/London"), "html")
    assert page.count("<svg") == 4, "periods, channels, reasons and groups"
    for title in ("This period and the previous one", "Resident and staff channels", "Most common unmet"):
        assert f">{title}" in page
    assert "<script" not in page and " style=" not in page, "the pages' CSP allows neither"
    assert "Resident and staff channels</h2>" in page


def test_chart_labels_from_residents_words_are_escaped() -> None:
    drawn = str(bar_chart("Groups", ["<script>alert(1)</script>"], [("this period", [3])], "c"))
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn
    assert 'width="' in drawn and ">3<" in drawn


def test_the_longest_bar_is_the_biggest_value() -> None:
    drawn = str(bar_chart("Two", ["a", "b"], [("now", [2, 8]), ("before", [4, 0])], "c"))
    bars = re.findall(r'width="([\d.]+)" height="\d+" fill="#[0-9a-f]+"><title>', drawn)
    widths = [float(width) for width in bars]  # a-now, a-before, b-now, b-before (not the legend's squares)
    assert widths[2] == max(widths) and widths[3] == 0
    assert widths[0] * 4 == widths[2] and widths[1] * 2 == widths[2], "bars are in proportion to the values"
