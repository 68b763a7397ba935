"""The signed-in pages in a real browser: a contact-centre officer finds a service as they type and records
the referral; an officer's gap-log review pages load. Both are checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.gaplog.models import GapEntry, Referral, utc_now
from tests.browser.conftest import screenshot_dir, serious_violations
from tests.support.fake_rasa import FakeRasa
from tests.support.web import CONTACT_ID, HIGHWAYS_ID, WASTE_ID, ranked

pytestmark = pytest.mark.browser


def test_staff_find_a_service_as_they_type_and_record_the_referral(
    page: Any, live_app, axe_source: str
) -> None:
    app = live_app(FakeRasa(services=ranked(WASTE_ID, CONTACT_ID, HIGHWAYS_ID), threshold=0.6))
    app.sign_in(page, "sam")
    page.goto(app.url + "/staff")

    page.get_by_label("What does the caller need?").press_sequentially("bin not emptied", delay=20)
    first = page.locator(".app-result").first
    first.get_by_role("heading", name="Waste and recycling collections").wait_for()

    assert page.url.endswith("/staff?q=bin%20not%20emptied")  # the search is in the address, for back/reload
    assert "3 services found for “bin not emptied”" in page.locator("#lookup-status").inner_text()
    assert "01632 960124" in first.inner_text() and "Staff only" in first.inner_text()
    assert "Missed bins must be reported within two working days." in first.inner_text()
    assert page.locator(".app-result").nth(2).get_by_text("Weak match").count() == 1
    assert serious_violations(page, axe_source) == []
    page.screenshot(path=str(screenshot_dir() / "staff-lookup.png"))

    with page.expect_navigation():
        first.get_by_role("button", name="Record referral to Waste and recycling collections").click()

    assert "Referral recorded: Waste and recycling collections" in page.locator("#lookup-flash").inner_text()
    with session_scope(app.engine) as session:
        stored = [(row.service_id, row.staff_user, row.channel) for row in session.scalars(select(Referral))]
    assert stored == [(WASTE_ID, "sam", "staff")]
    assert page.page_errors == []


def test_staff_checking_a_date_are_told_which_box_is_wrong_and_record_a_note(
    page: Any, live_app, axe_source: str
) -> None:
    app = live_app(FakeRasa(services=ranked(WASTE_ID, HIGHWAYS_ID), threshold=0.6))
    app.sign_in(page, "sam")
    page.goto(app.url + "/staff")

    page.get_by_label("What does the caller need?").fill("bin not emptied")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2027")
    page.locator("#on-error").wait_for()

    assert (
        " ".join(page.locator("#on-error").text_content().split())
        == "Error: Date to check must be a real date"
    )
    assert page.locator("#on-day").get_attribute("class").endswith("app-input--error")
    assert "app-input--error" not in page.locator("#on-month").get_attribute("class")
    assert serious_violations(page, axe_source) == []

    page.get_by_label("Day").fill("28")
    page.get_by_text("opening on 28 February 2027").wait_for()
    page.wait_for_selector("#lookup-results:not([aria-busy])")
    first = page.locator(".app-result").first
    assert "Why it matched" in first.inner_text() and "On 28 February 2027" in first.inner_text()
    assert page.locator("#on-error").is_hidden()
    first.get_by_label("Note for this referral to Waste and recycling collections").fill(
        "Mr Evans says the crew skipped the whole street"
    )
    with page.expect_navigation():
        first.get_by_role("button", name="Record referral to Waste and recycling collections").click()

    assert (
        "Note saved: “[name] says the crew skipped the whole street”"
        in page.locator("#lookup-flash").inner_text()
    )
    assert page.url.endswith("/staff?q=bin+not+emptied&day=28&month=2&year=2027")
    with session_scope(app.engine) as session:
        assert [row.note for row in session.scalars(select(Referral))] == [
            "[name] says the crew skipped the whole street"
        ]
    assert page.page_errors == []


def test_the_lookup_works_with_javascript_turned_off(browser: Any, live_app) -> None:
    app = live_app(FakeRasa(services=ranked(HIGHWAYS_ID)))
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 700})
    try:
        page = context.new_page()
        app.sign_in(page, "sam")
        page.goto(app.url + "/staff")
        page.get_by_label("What does the caller need?").fill("pothole")
        with page.expect_navigation():
            page.get_by_role("button", name="Search").click()
        result = page.locator(".app-result").first.inner_text()
    finally:
        context.close()

    assert "Potholes and road repairs" in result
    assert "Greyshire County Council" in result
    assert "not this council" in result


def test_the_officer_review_pages_load_for_an_officer(page: Any, live_app, axe_source: str) -> None:
    app = live_app()
    with session_scope(app.engine) as session:
        for i, (text, reason) in enumerate(
            [
                ("when is the christmas tree collection", "no_matching_service"),
                ("can I get a parking permit for my carer", "low_confidence"),
                ("noise from the pub at [address] High Street", "not_understood"),
            ]
        ):
            session.add(
                GapEntry(
                    created_at=utc_now(),
                    channel="resident",
                    conversation_hash=f"hash-{i}",
                    text=text,
                    reason=reason,
                    candidates=[],
                    status="new",
                )
            )
    app.sign_in(page, "olu")

    page.goto(app.url + "/officer/gaps")
    heading = page.get_by_role("heading", level=1).inner_text()
    listed = page.locator("main").inner_text()
    violations = serious_violations(page, axe_source)
    page.screenshot(path=str(screenshot_dir() / "officer-review.png"))
    other_pages = {
        path: page.goto(app.url + path).status for path in ("/officer/clusters", "/officer/trends")
    }

    assert heading == "Gap log"
    assert "when is the christmas tree collection" in listed
    assert violations == []
    assert other_pages == {"/officer/clusters": 200, "/officer/trends": 200}
