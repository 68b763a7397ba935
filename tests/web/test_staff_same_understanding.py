"""The staff lookup understands a caller exactly as the resident bot does: the same trained router, lexicon,
spelling and council overlay (phrases officers taught), so a query gets the same top service on both.

A contact-centre officer and a resident type the same words; the officer's first result is the service the
resident is given. An officer teaches the council's own word for a need ("snorkwattle"), the assistant is
retrained, and both paths then send it to that service, the lookup naming the taught phrase as the reason.

Uses the session's `trained_model` (the demo directory) and trains once more on a copy of its database with
the taught phrase, so it is slow and marked `rasa`. The staff path is the web app's `/api/lookup`; its
call to Rasa's `POST /model/parse` is answered by the same model loaded in-process (what `rasa run` serves).
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from bot.conversation.channel import RESIDENT
from bot.conversation.decide import first_answer
from bot.db import make_engine, session_scope
from bot.directory.phrases import add_phrase
from bot.settings import Settings, get_settings
from bot.web.app import create_app
from tests.support.web import add_account, sign_in

ALLOTMENTS = "06ec5bbd-9049-5cac-a38d-fb8bc7342bf0"
TAUGHT = ("snorkwattle tenancy", "renting a snorkwattle")
"""The council's own word for an allotment, taught by an officer; the query below shares only that word."""
OVERLAY_QUERY = "snorkwattle waiting list"
QUERIES = [
    "my bin wasn't emptied",
    "pothole outside my house",
    "council tax discount for living alone",
    "renew my passport",
    "dumped mattress in the alley",
    "recylcing not colected",
    OVERLAY_QUERY,
]
TUESDAY_MORNING = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.rasa
def test_a_query_gets_the_same_top_service_from_the_staff_lookup_as_from_the_resident_bot(
    trained_model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    from bot.routing import parse as parse_module
    from bot.routing.parse import load_parser
    from bot.routing.training import train

    untaught = load_parser(trained_model.models_dir)
    try:
        [before] = untaught.rank(OVERLAY_QUERY, k=1)
    finally:
        untaught.close()
    assert before.service_id != ALLOTMENTS, "before the officer teaches the word, it means nothing"

    database = tmp_path / "directory.db"
    shutil.copy(trained_model.database_url.removeprefix("sqlite:///"), database)
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    with session_scope(engine) as session:
        for phrase in TAUGHT:
            add_phrase(
                session, ALLOTMENTS, phrase, added_by="olive", now=datetime(2026, 3, 3, tzinfo=timezone.utc)
            )
    add_account(engine, "sam", "staff")

    models = tmp_path / "models"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MODELS_DIR", str(models))
    get_settings.cache_clear()
    train(models_dir=models)
    parser = load_parser(models)
    try:
        monkeypatch.setattr(parse_module, "parse_via_server", lambda text, *_, **__: parser.parse(text))
        settings = Settings(
            var_dir=tmp_path, database_url=url, rasa_url="http://rasa.invalid", gaplog_salt="s"
        )
        client = TestClient(create_app(settings, engine=engine))
        sign_in(client, "sam")

        resident_tops, staff_tops, taught_evidence = {}, {}, []
        for query in QUERIES:
            with session_scope(engine) as session:
                answer = first_answer(
                    session, parser.parse(query), channel=RESIDENT, now=TUESDAY_MORNING
                ).answer
            resident_tops[query] = answer["services"][0]["id"] if answer and answer.get("services") else None
            looked_up = client.get("/api/lookup", params={"q": query})
            assert looked_up.status_code == 200, looked_up.text
            services = looked_up.json()["services"]
            staff_tops[query] = services[0]["service_id"] if services else None
            if query == OVERLAY_QUERY:
                taught_evidence = services[0]["evidence"]["texts"]
    finally:
        parser.close()
        get_settings.cache_clear()
        engine.dispose()

    assert all(resident_tops.values()), f"every query should get a service: {resident_tops}"
    assert staff_tops == resident_tops
    assert resident_tops[OVERLAY_QUERY] == ALLOTMENTS, "the council overlay is learnt by both"
    taught = [match for match in taught_evidence if match["kind"] == "taught phrase"]
    assert taught and taught[0]["text"] in TAUGHT, taught_evidence
    assert taught[0]["words"] == ["snorkwattle"]
    assert taught[0]["label"] == "Taught by olive on 3 March 2026"
