"""The Markdown report is pasted into wikis and strategy papers: what residents typed (and names from an old
directory) must show as the words they were, never as HTML, a link, an image or an extra table cell."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import time_machine
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.directory.models import Service
from bot.gaplog.record import record_answer, record_unmet
from bot.gaplog.report import build_report, render
from tests.gaplog.helpers import add_directory, make_settings

WEEK = (date(2026, 3, 2), date(2026, 3, 8))
HOSTILE_QUERIES = [
    "garden bin not collected <script>alert(1)</script> [click here](javascript:alert(1))",
    "garden bin not collected <img src=x onerror=alert(2)> ![tracker](https://evil.example/p.png)",
    "garden bin not collected | injected cell | &lt;b&gt; **loud**",
]
ORDINARY_QUERIES = ["dog fouling in the park", "dog fouling on the park path", "noisy neighbours at night"]
"""Other questions, so that what the hostile ones share stands out and each pair forms a group."""
HOSTILE_SERVICE = "Bins <b onmouseover=alert(3)>now</b> [more](https://evil.example)"


@pytest.fixture
def hostile_week(engine: Engine, tmp_path: Path) -> Engine:
    settings = make_settings(tmp_path, engine)
    add_directory(engine)
    with session_scope(engine) as session:
        session.add(
            Service(id="svc-old", organisation_id="org-district", name=HOSTILE_SERVICE, description="")
        )
    wednesday = datetime(2026, 3, 4, 10, tzinfo=timezone.utc)
    with time_machine.travel(wednesday, tick=False), session_scope(engine) as session:
        for n, text in enumerate(HOSTILE_QUERIES * 2 + ORDINARY_QUERIES):
            record_unmet(
                session,
                conversation_id=f"c{n}",
                channel="resident",
                text=text,
                reason="not_understood",
                settings=settings,
            )
        record_answer(
            session,
            conversation_id="c9",
            channel="resident",
            service_id="svc-old",
            confidence=0.9,
            settings=settings,
        )
    return engine


def markdown_of(engine: Engine) -> str:
    with session_scope(engine) as session:
        return render(build_report(session, *WEEK), "md")


def test_the_residents_words_are_in_the_report_but_their_markup_is_inert(hostile_week: Engine) -> None:
    text = markdown_of(hostile_week)
    assert text.count("garden bin not collected") >= 3, "every hostile query is among the examples"

    assert "alert(1)" in text and "onmouseover" in text, "the words themselves are kept, for the officer"
    assert not re.search(r"(?<!\\)<", text), "every < is escaped, so none can open a tag"
    assert "[click here](" not in text and "![tracker](" not in text and "[more](" not in text


def test_rendered_as_markdown_the_report_has_no_html_links_images_or_extra_cells(
    hostile_week: Engine,
) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    html = renderer.render(markdown_of(hostile_week))

    for tag in ("<script", "<img", "<b ", "<a ", "<strong>"):
        assert tag not in html, f"{tag} got through"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, "the text shows as typed"
    assert "&amp;lt;b&amp;gt;" in html, "an entity a resident typed is shown, not decoded"
    for row in (line for line in html.splitlines() if line.startswith("<tr>")):
        assert row.count("<td") <= 3, f"a table row gained cells: {row}"
