"""The resident chat widget in a real browser: keyboard use, announcements, buttons, safety and failure."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot_dir, serious_violations
from tests.support.fake_rasa import FakeRasa

pytestmark = pytest.mark.browser

LAUNCHER = ".h2h-launcher"
LOG = ".h2h [role='log']"
INPUT = ".h2h-input"


def tab_to_launcher(page: Any, presses: int = 15) -> None:
    """Press Tab from the top of the page until the launcher has focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('h2h-launcher')"):
            return
    raise AssertionError(f"the launcher could not be reached with {presses} presses of Tab")


def ask_with_keyboard(page: Any, question: str) -> None:
    page.keyboard.type(question)
    page.keyboard.press("Enter")


def test_a_resident_asks_with_the_keyboard_only_and_the_answer_is_announced(page: Any, live_app) -> None:
    app = live_app()
    page.goto(app.url + "/")

    tab_to_launcher(page)
    page.keyboard.press("Enter")
    ask_with_keyboard(page, "my bin was not collected")

    log = page.locator(LOG)
    log.get_by_text("Did that answer your question?").wait_for()
    assert log.get_attribute("aria-live") == "polite"
    assert "Missed bin collections are handled by Brackenford District Council" in log.inner_text()
    assert page.locator(LAUNCHER).get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.classList.contains('h2h-input')"), "focus left the input"
    phone = log.get_by_role("link", name="01632 960123", exact=True)
    assert phone.get_attribute("href") == "tel:01632960123"
    web = log.get_by_role("link", name="https://www.example.org/bins (opens in new tab)")
    assert web.get_attribute("rel") == "noopener noreferrer"
    assert app.rasa.webhook_bodies()[0]["metadata"] == {"channel": "resident"}
    page.evaluate("window.scrollTo(0, 0)")  # Tab passed the page's footer links on the way
    page.screenshot(path=str(screenshot_dir() / "widget.png"))

    page.keyboard.press("Escape")
    assert page.locator(".h2h-panel").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('h2h-launcher')"), "focus not returned"
    assert page.page_errors == []


def test_answer_buttons_send_their_payload_and_show_the_choice(page: Any, live_app) -> None:
    app = live_app()
    page.goto(app.url + "/")
    page.locator(LAUNCHER).click()
    ask_with_keyboard(page, "bins")
    page.locator(LOG).get_by_role("button", name="Yes").click()

    page.locator(LOG).get_by_text("Good, I am glad that helped.").wait_for()

    assert app.rasa.webhook_bodies()[-1]["message"] == "/affirm"
    assert page.locator(".h2h-msg--user").last.inner_text().endswith("Yes")
    assert page.evaluate("document.activeElement.classList.contains('h2h-input')")


def test_the_conversation_survives_a_reload_but_not_a_new_session(page: Any, live_app, browser: Any) -> None:
    app = live_app()
    page.goto(app.url + "/")
    page.locator(LAUNCHER).click()
    ask_with_keyboard(page, "bins")
    page.locator(LOG).get_by_text("Did that answer your question?").wait_for()
    sender = app.rasa.webhook_bodies()[0]["sender"]

    page.reload()
    restored = page.locator(LOG).inner_text()
    other = browser.new_context()
    try:
        fresh = other.new_page()
        fresh.goto(app.url + "/")
        fresh.locator(LAUNCHER).click()
        fresh_log = fresh.locator(LOG).inner_text()
    finally:
        other.close()

    assert "Did that answer your question?" in restored
    assert "Did that answer your question?" not in fresh_log
    assert len(sender) == 36 and sender.count("-") == 4  # a random UUID per browser session


def test_markup_in_a_message_or_a_reply_is_shown_as_text_and_never_run(page: Any, live_app) -> None:
    def hostile(message: str) -> list[dict]:
        return [
            {"text": f"You said: {message}"},
            {"text": "[click me](javascript:window.pwned='link') and <b>bold</b>"},
            {
                "text": "<svg onload=\"window.pwned='svg'\"></svg>",
                "buttons": [{"title": "<i>x</i>", "payload": "/x"}],
            },
        ]

    app = live_app(FakeRasa(conversation=hostile))
    attack = "<script>window.pwned='script'</script><img src=x onerror=\"window.pwned='img'\">"
    page.goto(app.url + "/")
    page.locator(LAUNCHER).click()
    page.locator(INPUT).fill(attack)
    page.keyboard.press("Enter")
    page.locator(LOG).get_by_text("<svg onload").wait_for()
    page.wait_for_timeout(300)  # give any injected handler the chance to run

    log = page.locator(LOG)
    assert page.evaluate("window.pwned") is None
    assert log.locator("script, img, svg, b, i").count() == 0
    assert attack in log.inner_text()
    assert "click me and <b>bold</b>" in log.inner_text()  # a javascript: link keeps only its words
    assert log.locator("a").count() == 0
    assert log.get_by_role("button", name="<i>x</i>").count() == 1


def test_when_the_assistant_is_down_the_resident_is_given_the_contact_centre_number(
    page: Any, live_app
) -> None:
    app = live_app(FakeRasa(failing=True))
    page.goto(app.url + "/")
    page.locator(LAUNCHER).click()
    ask_with_keyboard(page, "council tax")

    notice = page.locator(".h2h-msg--notice")
    notice.wait_for()

    assert "not available" in notice.inner_text()
    assert "01632 960000" in notice.inner_text()  # the directory's contact centre, via the server
    assert notice.get_by_role("link", name="01632 960000").get_attribute("href") == "tel:01632960000"


def test_when_the_server_cannot_be_reached_the_widget_gives_the_number_from_its_script_tag(
    page: Any, live_app
) -> None:
    app = live_app()
    page.goto(app.url + "/")
    page.route("**/api/chat", lambda route: route.abort("connectionrefused"))
    page.locator(LAUNCHER).click()
    ask_with_keyboard(page, "council tax")

    notice = page.locator(".h2h-msg--notice")
    notice.wait_for()

    assert "can\u2019t be reached" in notice.inner_text()
    assert "01632 960000" in notice.inner_text()
    assert app.rasa.webhook_bodies() == []


def test_the_500_character_limit_is_counted_and_the_servers_refusal_is_shown(page: Any, live_app) -> None:
    app = live_app(chat_rate_limit="1/minute")
    page.goto(app.url + "/")
    page.locator(LAUNCHER).click()

    page.locator(INPUT).fill("a" * 501)
    count_over = page.locator(".h2h-count").inner_text()
    page.keyboard.press("Enter")
    error = page.locator(".h2h-error-message").inner_text()
    page.locator(INPUT).fill("first question about bins")
    page.keyboard.press("Enter")
    page.locator(LOG).get_by_text("Did that answer your question?").wait_for()
    page.locator(INPUT).fill("second question")
    page.keyboard.press("Enter")
    refusal = page.locator(".h2h-msg--notice")
    refusal.wait_for()

    assert count_over == "You have 1 character too many"
    assert "500 characters or fewer" in error
    assert page.locator(INPUT).get_attribute("aria-invalid") is None  # cleared once a good message was sent
    assert "You are sending messages too quickly" in refusal.inner_text()
    assert [body["message"] for body in app.rasa.webhook_bodies()] == ["first question about bins"]


def test_the_resident_page_and_open_widget_have_no_serious_accessibility_violations(
    page: Any, live_app, axe_source: str
) -> None:
    app = live_app()
    page.goto(app.url + "/")
    page.locator(LAUNCHER).click()
    ask_with_keyboard(page, "my bin was not collected")
    page.locator(LOG).get_by_text("Did that answer your question?").wait_for()

    assert serious_violations(page, axe_source) == []
    small = page.evaluate(
        """() => [...document.querySelectorAll('.h2h button, .h2h input')]
                 .map(e => e.getBoundingClientRect())
                 .filter(r => r.width > 0 && (r.width < 24 || r.height < 24)).length"""
    )
    assert small == 0, "every widget control must be at least 24 by 24 CSS pixels (links in text are exempt)"
