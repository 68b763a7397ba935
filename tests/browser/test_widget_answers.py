"""The resident widget draws answers as a resident reads them: a card per service with its number and web
page, the start of each new answer in view, one launcher, "Start again", and the council's privacy and
accessibility pages one click away. A crisis reply stays plain: the number first and nothing else to tap."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import screenshot_dir, serious_violations
from tests.support.fake_rasa import BINS_SERVICE, FakeRasa, default_conversation

pytestmark = pytest.mark.browser

LAUNCHER = ".h2h-launcher"
LOG = ".h2h [role='log']"
INPUT = ".h2h-input"
GOV_UK = "https://www.gov.uk/find-local-council"
FEEDBACK = {
    "text": "Did that answer your question?",
    "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
}
ROADS = {
    "id": "roads",
    "name": "Report a pothole or road defect",
    "lgsl": [148],
    "organisation": "Oakshire County Council",
    "phone": {"display": "01632 960410", "tel": "01632960410"},
    "url": "https://www.oakshire.example/roads",
    "opening": {"open": False, "summary": "closed now; opens Monday at 9am"},
}
CRISIS_TEXT = (
    "If your life is in danger right now, call 999.\n"
    "Samaritans: call 116 123, free, any time.\nShout: text SHOUT to 85258."
)
CRISIS_LINES = [
    {"name": "Emergency services", "number": "999"},
    {"name": "Samaritans", "number": "116 123"},
    {"name": "Shout", "number": "85258"},
]
LONG_ANSWER = "\n".join(
    [
        "Report a pothole or road defect is handled by Oakshire County Council, not Brackenford District "
        "Council: call 01632 960410."
    ]
    + [f"Line {n} of a long answer about what to do while they are closed." for n in range(1, 16)]
)


def conversation(message: str) -> list[dict[str, Any]]:
    """The fake bot: bins as in the other browser tests, a pothole (another body, closed), a long answer, a
    crisis, and a reply whose metadata would put a hostile link on the card."""
    lowered = message.lower()
    if "pothole" in lowered:
        text = LONG_ANSWER if "long" in lowered else LONG_ANSWER.split("\n")[0]
        return [
            {"text": text},
            FEEDBACK,
            {"custom": {"answer": {"kind": "other_body", "services": [ROADS], "body": "Oakshire CC"}}},
        ]
    if "end my life" in lowered:
        return [
            {"text": CRISIS_TEXT, "buttons": [{"title": "Council tax", "payload": "/x"}]},
            {
                "custom": {
                    "answer": {
                        "kind": "crisis",
                        "services": [BINS_SERVICE],
                        "category": "suicide",
                        "lines": CRISIS_LINES,
                    }
                }
            },
        ]
    if "slow" in lowered:
        time.sleep(1.5)  # the fake Rasa serves each request on its own thread
        return [{"text": "A late reply to the old conversation."}]
    if "leeds" in lowered:
        area = {"outside": True, "place": "Leeds", "kind": "town", "find_council": GOV_UK}
        return [
            {"text": f"Leeds looks outside the area of Brackenford District Council.\nGOV.UK: {GOV_UK}"},
            {"text": "Bin collections (Brackenford District Council): call 01632 960123."},
            FEEDBACK,
            {"custom": {"answer": {"kind": "service", "services": [BINS_SERVICE], "area": area}}},
        ]
    if "online" in lowered:
        online = {**ROADS, "online": "Report it online", "opening": {"open": True, "summary": "open now"}}
        return [
            {"text": "Report a pothole or road defect is handled by Oakshire County Council."},
            {"custom": {"answer": {"kind": "other_body", "services": [online], "body": "Oakshire CC"}}},
        ]
    if "hostile" in lowered:
        bad = {**BINS_SERVICE, "url": "javascript:window.pwned=1", "phone": {"display": "x", "tel": "x;1"}}
        return [{"text": "Here it is."}, {"custom": {"answer": {"kind": "service", "services": [bad]}}}]
    return default_conversation(message)


def open_and_ask(page: Any, url: str, question: str) -> None:
    page.goto(url + "/")
    page.locator(LAUNCHER).click()
    page.locator(INPUT).fill(question)
    page.keyboard.press("Enter")


def test_an_answer_about_one_service_is_a_card_with_its_provider_badge_number_and_web_page(
    page: Any, live_app, axe_source: str
) -> None:
    app = live_app(FakeRasa(conversation=conversation))
    open_and_ask(page, app.url, "my bin was not collected")
    card = page.locator(".h2h-card")
    card.wait_for()

    assert card.get_by_role("heading", name="Bin collections").is_visible()
    assert "Provided by Brackenford District Council" in card.inner_text()
    assert card.locator(".h2h-badge").inner_text() == "Open now"
    call = card.get_by_role("link", name="Call 01632 960123")
    assert call.get_attribute("href") == "tel:01632960123"
    web = card.get_by_role("link", name="Visit their website (opens in new tab)")
    assert web.get_attribute("href") == "https://www.example.org/bins"
    assert "Missed bin collections are handled by" in card.inner_text()  # the answer's own words stay
    assert page.locator(".h2h-card").count() == 1  # the feedback question is not a card
    assert serious_violations(page, axe_source) == []


def test_another_bodys_closed_service_says_whose_it_is_and_closed_now(page: Any, live_app) -> None:
    app = live_app(FakeRasa(conversation=conversation))
    open_and_ask(page, app.url, "pothole outside my house")
    card = page.locator(".h2h-card")
    card.wait_for()

    assert "Provided by Oakshire County Council (not this council)" in card.inner_text()
    assert card.locator(".h2h-badge").inner_text() == "Closed now"
    page.screenshot(path=str(screenshot_dir() / "widget-other-body.png"))
    page.reload()  # the card is kept with the conversation for this tab
    assert page.locator(".h2h-card .h2h-badge").inner_text() == "Closed now"


def test_a_crisis_reply_stays_plain_with_the_number_first_and_nothing_to_tap(
    page: Any, live_app, axe_source: str
) -> None:
    app = live_app(FakeRasa(conversation=conversation))
    open_and_ask(page, app.url, "i want to end my life")
    reply = page.locator(".h2h-msg[data-kind='crisis']")
    reply.wait_for()

    assert reply.inner_text().replace("Assistant said:", "").strip().startswith("If your life is in danger")
    assert page.locator(".h2h-card").count() == 0
    assert page.locator(f"{LOG} button").count() == 0
    assert serious_violations(page, axe_source) == []
    page.screenshot(path=str(screenshot_dir() / "widget-crisis.png"))


def test_the_numbers_in_a_crisis_reply_can_be_tapped_to_call_or_text(page: Any, live_app) -> None:
    """On a phone, 999 and 116 123 call with one tap, and Shout's 85258 opens a text: the numbers the
    reply's metadata names, and nothing else, become links."""
    app = live_app(FakeRasa(conversation=conversation))
    open_and_ask(page, app.url, "i want to end my life")
    reply = page.locator(".h2h-msg[data-kind='crisis']")
    reply.wait_for()

    links = {a.inner_text(): a.get_attribute("href") for a in reply.locator("a").all()}
    assert links == {"999": "tel:999", "116 123": "tel:116123", "85258": "sms:85258"}


def test_card_details_that_are_not_safe_links_are_left_off(page: Any, live_app) -> None:
    app = live_app(FakeRasa(conversation=conversation))
    open_and_ask(page, app.url, "hostile card")
    card = page.locator(".h2h-card")
    card.wait_for()

    assert card.locator("a").count() == 0
    assert page.evaluate("window.pwned") is None


def test_the_start_of_a_long_new_answer_is_in_view_not_scrolled_past(page: Any, live_app) -> None:
    app = live_app(FakeRasa(conversation=conversation))
    open_and_ask(page, app.url, "my bin was not collected")
    page.locator(".h2h-card").wait_for()
    page.locator(INPUT).fill("long answer about a pothole")
    page.keyboard.press("Enter")
    title = page.get_by_role("heading", name="Report a pothole or road defect")
    title.wait_for()

    shown = page.evaluate(
        """() => {
            const log = document.querySelector('.h2h-log').getBoundingClientRect();
            const title = [...document.querySelectorAll('.h2h-card-title')].pop().getBoundingClientRect();
            const el = document.querySelector('.h2h-log');
            return {inView: title.top >= log.top && title.bottom <= log.bottom,
                    atEnd: el.scrollTop + el.clientHeight >= el.scrollHeight - 1};
        }"""
    )
    assert shown == {"inView": True, "atEnd": False}, "the answer's first line must be in view"


def test_there_is_one_launcher_and_it_gives_way_to_the_panel_while_open(page: Any, live_app) -> None:
    app = live_app()
    page.goto(app.url + "/")
    page.evaluate(  # a council page that includes the tag twice still gets one assistant
        """() => { const again = document.createElement('script');
                   again.src = document.querySelector('script[data-api-base]').src;
                   document.body.appendChild(again); }"""
    )
    page.wait_for_timeout(300)

    assert page.locator(LAUNCHER).count() == 1
    page.locator(LAUNCHER).click()
    assert page.locator(LAUNCHER).is_hidden() and page.locator(".h2h-panel").is_visible()
    page.get_by_role("button", name="Close the assistant").click()
    assert page.locator(LAUNCHER).is_visible()
    assert page.evaluate("document.activeElement.classList.contains('h2h-launcher')")


def test_start_again_clears_the_conversation_and_the_next_question_is_a_new_conversation(
    page: Any, live_app
) -> None:
    app = live_app()
    open_and_ask(page, app.url, "my bin was not collected")
    page.locator(".h2h-card").wait_for()
    first_sender = app.rasa.webhook_bodies()[0]["sender"]

    page.get_by_role("button", name="Start again").click()
    cleared = page.locator(".h2h-msg").count()
    announced = page.locator(".h2h-panel [aria-live='polite']").all_inner_texts()
    focus_in_field = page.evaluate("document.activeElement.classList.contains('h2h-input')")
    page.reload()
    after_reload = page.locator(".h2h-msg").count()
    page.locator(INPUT).fill("council tax")
    page.keyboard.press("Enter")
    page.locator(".h2h-msg--bot").wait_for()

    assert cleared == 0 and after_reload == 0
    assert any("conversation has been cleared" in text for text in announced)
    assert focus_in_field
    assert app.rasa.webhook_bodies()[-1]["sender"] != first_sender


def test_a_reply_still_on_its_way_when_the_resident_starts_again_is_not_shown(page: Any, live_app) -> None:
    app = live_app(FakeRasa(conversation=conversation))
    open_and_ask(page, app.url, "a slow question")
    page.locator(".h2h-status .h2h-dots").wait_for()  # the assistant is replying

    page.get_by_role("button", name="Start again").click()
    page.wait_for_timeout(2500)

    assert page.locator(".h2h-msg").count() == 0
    assert "late reply" not in page.evaluate("sessionStorage.getItem('here-to-help:conversation')")
    assert page.locator(".h2h-status").inner_text() == ""


def test_the_privacy_notice_and_accessibility_statement_are_linked_from_the_widget(
    page: Any, live_app
) -> None:
    app = live_app(
        privacy_notice_url="https://www.brackenford.example/privacy/chat",
        accessibility_statement_url="https://www.brackenford.example/accessibility",
    )
    page.goto(app.url + "/")
    page.locator(LAUNCHER).click()
    privacy = page.locator(".h2h-links").get_by_role("link", name="Privacy notice (opens in new tab)")
    accessibility = page.locator(".h2h-links").get_by_role("link", name="Accessibility statement")

    assert privacy.get_attribute("href") == app.url + "/privacy"
    assert accessibility.get_attribute("href") == app.url + "/accessibility"
    council_page = "https://www.brackenford.example/privacy/chat"
    with page.context.expect_event("request", lambda request: request.url == council_page) as followed:
        privacy.click()  # a new tab asks the server's /privacy, which sends it on to the council's notice
    assert followed.value.redirected_from.url == app.url + "/privacy"


def test_the_demo_page_has_a_favicon(page: Any, live_app) -> None:
    app = live_app()
    page.goto(app.url + "/")

    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    response = page.request.get(icon)

    assert response.status == 200 and response.headers["content-type"] == "image/x-icon"


def test_a_service_that_can_be_done_online_leads_with_the_link_then_the_number(page: Any, live_app) -> None:
    app = live_app(FakeRasa(conversation=conversation))
    open_and_ask(page, app.url, "can I do it online")
    card = page.locator(".h2h-card")
    card.wait_for()
    actions = card.locator(".h2h-card-actions a")
    assert actions.count() == 2
    assert actions.nth(0).inner_text().startswith("Report it online")
    assert actions.nth(0).get_attribute("href") == "https://www.oakshire.example/roads"
    assert actions.nth(1).inner_text() == "Call 01632 960410"


def test_a_place_outside_the_area_is_said_first_and_the_card_is_the_answer_after_it(
    page: Any, live_app
) -> None:
    app = live_app(FakeRasa(conversation=conversation))
    open_and_ask(page, app.url, "missed bin in Leeds")
    card = page.locator(".h2h-card")
    card.wait_for()
    assert page.locator(".h2h-card").count() == 1
    assert "Bin collections (Brackenford District Council): call 01632 960123." in card.inner_text()
    assert "looks outside the area" not in card.inner_text()
    note = page.locator(".h2h-msg--bot", has_text="Leeds looks outside the area")
    assert note.is_visible()
    assert note.get_by_role("link", name=GOV_UK).count() + note.locator(f"a[href='{GOV_UK}']").count() >= 1
