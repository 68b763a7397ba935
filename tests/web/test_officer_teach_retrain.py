"""Teaching works end to end: a question the assistant could not place is taught to a service on the officer
page, and after `here-to-help train` the assistant sends that question to the service.

Uses routing's session-wide `trained_model` fixture (the demo directory, trained once) and trains once more on
a copy of its database, so it is slow and marked `rasa`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.accounts.users import add_user
from bot.db import make_engine, session_scope
from bot.directory.phrases import OFFICER, list_phrases
from bot.gaplog.models import GapEntry
from bot.gaplog.record import record_unmet
from bot.settings import Settings, get_settings
from bot.web.app import create_app
from tests.gaplog.helpers import PASSWORD, csrf_from, sign_in

ALLOTMENTS = "06ec5bbd-9049-5cac-a38d-fb8bc7342bf0"
QUESTION = "how do I renew my grobblewick plot tenancy"


@pytest.mark.rasa
def test_a_taught_question_is_routed_to_its_service_after_retraining(
    trained_model, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    from bot.routing.parse import load_parser
    from bot.routing.training import train

    before = load_parser(trained_model.models_dir)
    try:
        first = before.rank(QUESTION, k=1)
    finally:
        before.close()
    assert not first or first[0].service_id != ALLOTMENTS or first[0].confidence < 0.5

    database = tmp_path / "directory.db"
    shutil.copy(trained_model.database_url.removeprefix("sqlite:///"), database)
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    settings = Settings(var_dir=trained_model.var_dir, database_url=url, gaplog_salt="s")
    add_user(engine, "olive", PASSWORD, "officer")
    with session_scope(engine) as session:
        record_unmet(
            session,
            conversation_id="c1",
            channel="resident",
            text=QUESTION,
            reason="low_confidence",
            settings=settings,
        )
    with session_scope(engine) as session:
        # The copied database may already hold other tests' gap entries: take this question's.
        entry_id = session.execute(
            select(GapEntry.id).where(GapEntry.text == QUESTION).order_by(GapEntry.id.desc()).limit(1)
        ).scalar_one()

    client = TestClient(create_app(settings, engine=engine))
    sign_in(client, "olive")
    page = client.get(f"/officer/gaps/{entry_id}")
    taught = client.post(
        f"/officer/gaps/{entry_id}/teach",
        data={"csrf_token": csrf_from(page.text), "service_id": ALLOTMENTS, "phrase": QUESTION},
        follow_redirects=False,
    )
    assert taught.status_code == 303
    with session_scope(engine) as session:
        [kept] = list_phrases(session, ALLOTMENTS, OFFICER)
    assert (kept.phrase, kept.added_by) == (QUESTION, "olive"), "taught as the officer's, so imports keep it"
    engine.dispose()

    models = tmp_path / "models"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MODELS_DIR", str(models))
    get_settings.cache_clear()
    try:
        train(models_dir=models)
        after = load_parser(models)
        try:
            ranked = after.rank(QUESTION, k=1)
        finally:
            after.close()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert ranked and ranked[0].service_id == ALLOTMENTS
