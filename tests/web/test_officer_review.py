"""An officer reviews the gap log: filters, CSV export of what is on screen, triage, teach, groups, trend."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.accounts.users import add_user
from bot.db import session_scope
from bot.directory.models import ServicePhrase
from bot.directory.snapshot import load_directory_entries
from bot.gaplog.models import GapEntry
from bot.gaplog.record import record_unmet
from bot.web.app import create_app
from tests.gaplog.helpers import PASSWORD, add_directory, csrf_from, make_settings, sign_in

ENTRIES = [
    # (day in March 2026, channel, reason, text)
    (2, "resident", "low_confidence", "dog poo in the park"),
    (3, "resident", "low_confidence", "dog fouling in the park"),
    (4, "staff", "not_understood", "caller asks about the church clock"),
    (10, "resident", "other_organisation", "pothole on the high street"),
    (11, "resident", "no_matching_service", "rats in my garden at SG13 8EQ"),
    (17, "resident", "negative_feedback", "that was no use"),
]


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> TestClient:
    settings = make_settings(tmp_path, engine)
    add_directory(engine)
    add_user(engine, "olive", PASSWORD, "officer")
    for day, channel, reason, words in ENTRIES:
        moment = datetime(2026, 3, day, 12, tzinfo=timezone.utc)
        with time_machine.travel(moment, tick=False), session_scope(engine) as session:
            record_unmet(
                session,
                conversation_id=f"conversation-{day}",
                channel=channel,
                reason=reason,
                text=words,
                candidates=[
                    {"service_id": "svc-dogs", "name": "Dog warden", "score": 1.0, "confidence": 0.2}
                ],
                settings=settings,
            )
    test_client = TestClient(create_app(settings, engine=engine))
    sign_in(test_client, "olive")
    return test_client


def _entry_id(engine: Engine, words: str) -> int:
    with session_scope(engine) as session:
        return session.execute(select(GapEntry.id).where(GapEntry.text.like(f"{words}%"))).scalar_one()


def _listed(html: str) -> list[str]:
    return [words for *_, words in ENTRIES if words.split(" at ")[0] in html]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [words for *_, words in ENTRIES]),
        ("reason=low_confidence", ["dog poo in the park", "dog fouling in the park"]),
        ("channel=staff", ["caller asks about the church clock"]),
        ("from=2026-03-10&to=2026-03-11", ["pothole on the high street", "rats in my garden at SG13 8EQ"]),
        ("q=DOG+park", ["dog poo in the park", "dog fouling in the park"]),
        ("status=resolved", []),
    ],
)
def test_the_gap_list_filters(client: TestClient, query: str, expected: list[str]) -> None:
    response = client.get(f"/officer/gaps?{query}")
    assert response.status_code == 200
    assert _listed(response.text) == expected


def test_a_bad_filter_is_explained_not_fatal(client: TestClient) -> None:
    response = client.get("/officer/gaps?from=31/03/2026&reason=bogus")
    assert response.status_code == 400
    assert "From date must be a date written YYYY-MM-DD" in response.text
    assert "Choose a reason from the list" in response.text
    assert len(_listed(response.text)) == len(ENTRIES)


def test_the_csv_export_holds_exactly_the_filtered_view(client: TestClient) -> None:
    page = client.get("/officer/gaps?reason=low_confidence&channel=resident")
    assert 'href="/officer/gaps.csv?reason=low_confidence&amp;channel=resident"' in page.text
    response = client.get("/officer/gaps.csv?reason=low_confidence&channel=resident")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(row["text"] for row in rows) == ["dog fouling in the park", "dog poo in the park"]
    assert {(row["channel"], row["reason"], row["status"]) for row in rows} == {
        ("resident", "low_confidence", "new")
    }


def test_the_stored_text_shows_the_outward_postcode_only(client: TestClient) -> None:
    html = client.get("/officer/gaps?q=rats").text
    assert "rats in my garden at SG13" in html
    assert "8EQ" not in html


def test_triage_records_status_note_linked_service_and_reviewer(client: TestClient, engine: Engine) -> None:
    entry_id = _entry_id(engine, "pothole")
    page = client.get(f"/officer/gaps/{entry_id}")
    response = client.post(
        f"/officer/gaps/{entry_id}/triage",
        data={
            "csrf_token": csrf_from(page.text),
            "status": "reviewed",
            "officer_note": "County highways: add to the FAQ. Resident rang 07700 900123",
            "linked_service_id": "svc-roads",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with session_scope(engine) as session:
        entry = session.get(GapEntry, entry_id)
        assert (entry.status, entry.officer_note, entry.linked_service_id, entry.reviewed_by) == (
            "reviewed",
            "County highways: add to the FAQ. Resident rang [phone]",
            "svc-roads",
            "olive",
        )
        assert entry.reviewed_at is not None
    assert "Your review has been saved" in client.get(response.headers["location"]).text
    assert _listed(client.get("/officer/gaps?status=reviewed").text) == ["pothole on the high street"]


def test_triage_refuses_an_unknown_status_or_service_and_changes_nothing(
    client: TestClient, engine: Engine
) -> None:
    entry_id = _entry_id(engine, "pothole")
    token = csrf_from(client.get(f"/officer/gaps/{entry_id}").text)
    response = client.post(
        f"/officer/gaps/{entry_id}/triage",
        data={"csrf_token": token, "status": "done", "officer_note": "", "linked_service_id": "svc-nope"},
    )
    assert response.status_code == 400
    assert "Choose a status" in response.text and "Choose a service from the list" in response.text
    with session_scope(engine) as session:
        assert session.get(GapEntry, entry_id).status == "new"


def test_triage_without_the_csrf_token_is_refused(client: TestClient, engine: Engine) -> None:
    entry_id = _entry_id(engine, "pothole")
    response = client.post(f"/officer/gaps/{entry_id}/triage", data={"status": "ignored"})
    assert response.status_code == 403
    with session_scope(engine) as session:
        assert session.get(GapEntry, entry_id).status == "new"


def test_teach_adds_the_query_as_a_phrase_the_next_training_reads(client: TestClient, engine: Engine) -> None:
    entry_id = _entry_id(engine, "rats in my garden")
    page = client.get(f"/officer/gaps/{entry_id}")
    assert 'value="rats in my garden at SG13"' in page.text  # suggested phrase, placeholders removed
    response = client.post(
        f"/officer/gaps/{entry_id}/teach",
        data={"csrf_token": csrf_from(page.text), "service_id": "svc-dogs", "phrase": "rats in my garden"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with session_scope(engine) as session:
        phrases = (
            session.execute(select(ServicePhrase.phrase).where(ServicePhrase.service_id == "svc-dogs"))
            .scalars()
            .all()
        )
        assert phrases == ["rats in my garden"]
        entry = session.get(GapEntry, entry_id)
        assert (entry.status, entry.linked_service_id) == ("resolved", "svc-dogs")
        snapshot = {item.service_id: item for item in load_directory_entries(session)}
    assert "rats in my garden" in snapshot["svc-dogs"].phrases
    # teaching the same phrase twice does not duplicate it
    client.post(
        f"/officer/gaps/{entry_id}/teach",
        data={"csrf_token": csrf_from(page.text), "service_id": "svc-dogs", "phrase": "Rats in my garden"},
    )
    with session_scope(engine) as session:
        count = len(
            session.execute(select(ServicePhrase).where(ServicePhrase.service_id == "svc-dogs")).all()
        )
    assert count == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"service_id": "", "phrase": "rats in my garden"},
            "Choose the service this question should lead to",
        ),
        ({"service_id": "svc-dogs", "phrase": "call [phone] about rats"}, "Take out personal details"),
        ({"service_id": "svc-dogs", "phrase": "rats at 12 Acacia Avenue"}, "Take out personal details"),
        ({"service_id": "svc-dogs", "phrase": "ra"}, "at least 3 characters"),
    ],
)
def test_teach_refuses_a_phrase_it_cannot_use(
    client: TestClient, engine: Engine, form: dict, message: str
) -> None:
    entry_id = _entry_id(engine, "rats in my garden")
    token = csrf_from(client.get(f"/officer/gaps/{entry_id}").text)
    response = client.post(f"/officer/gaps/{entry_id}/teach", data={"csrf_token": token, **form})
    assert response.status_code == 400
    assert message in response.text
    with session_scope(engine) as session:
        assert (
            session.execute(select(ServicePhrase).where(ServicePhrase.service_id == "svc-dogs")).first()
            is None
        )


def test_common_questions_are_grouped_and_named(client: TestClient) -> None:
    html = client.get("/officer/clusters").text
    assert "park · dog" in html or "dog · park" in html
    assert "that was no use" not in html  # negative feedback is left out
    row = html.split("dog poo in the park")[0].rsplit("<tr>", 1)[1]
    assert '<td class="app-num">2</td>' in row


def test_the_weekly_trend_has_a_chart_and_the_same_figures_in_a_table(client: TestClient) -> None:
    html = client.get("/officer/trends?from=2026-03-02&to=2026-03-22").text
    assert "<svg" in html and 'role="img"' in html
    weeks = {"02 Mar 2026": 3, "09 Mar 2026": 2, "16 Mar 2026": 1}
    for week, count in weeks.items():
        assert f'<th scope="row">{week}</th><td class="app-num">{count}</td>' in html
    assert html.count("<rect ") == 3


def test_the_report_page_shows_the_period_and_offers_downloads(client: TestClient) -> None:
    html = client.get("/officer/report?from=2026-03-01&to=2026-03-31").text
    unmet = "Unmet turns (no match, not understood, low confidence, wrong answer)"
    assert f'<th scope="row">{unmet}</th><td class="app-num">5</td>' in html
    assert "/officer/report/download?from=2026-03-01&amp;to=2026-03-31&amp;format=md" in html
    download = client.get("/officer/report/download?from=2026-03-01&to=2026-03-31&format=md")
    assert f"| {unmet} | 5 |" in download.text


def test_the_report_page_draws_its_charts_inline_and_splits_the_channels(client: TestClient) -> None:
    response = client.get("/officer/report?from=2026-03-01&to=2026-03-31")
    html = response.text
    assert html.count('<svg class="app-chart"') >= 3, "periods, channels and reasons at least"
    assert '<h2 id="channels">Resident and staff channels</h2>' in html
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy or "default-src 'self'" in policy
    assert " style=" not in html and "<script>" not in html, "nothing inline for the CSP to block"


def test_what_a_resident_typed_is_shown_as_text_never_run_as_markup(
    client: TestClient, engine: Engine
) -> None:
    with session_scope(engine) as session:
        session.add(
            GapEntry(
                channel="resident",
                conversation_hash="x",
                text="<script>alert(1)</script>",
                reason="not_understood",
            )
        )
    entry_id = _entry_id(engine, "<script>")
    for path in ("/officer/gaps", f"/officer/gaps/{entry_id}", "/officer/clusters"):
        html = client.get(path).text
        assert "<script>alert(1)</script>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
