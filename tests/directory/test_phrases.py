"""Officers' phrases survive imports: every phrase knows its source, and an import replaces only its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bot.db import make_engine, migrate, session_scope
from bot.directory.importers import import_directory
from bot.directory.phrases import (
    DIRECTORY,
    OFFICER,
    PhraseError,
    add_phrase,
    import_overlay,
    list_phrases,
    read_overlay,
    remove_phrase,
)
from tests.directory.builders import (
    BINS_ID,
    POTHOLES_ID,
    bins_service,
    demo_like_directory,
    phrase,
    write_json,
)


def _phrases(engine: Engine, service_id: str, source: str | None = None) -> list[str]:
    with session_scope(engine) as session:
        return [info.phrase for info in list_phrases(session, service_id, source)]


def test_a_phrase_an_officer_taught_survives_the_next_full_import_of_the_same_directory(
    engine: Engine, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "services.json", demo_like_directory())
    import_directory(engine, path)
    with session_scope(engine) as session:
        add_phrase(session, BINS_ID, "wheelie bin left on the pavement", added_by="officer1")

    import_directory(engine, path)

    assert "wheelie bin left on the pavement" in _phrases(engine, BINS_ID, OFFICER)
    assert _phrases(engine, BINS_ID, DIRECTORY) == ["bin not emptied", "they forgot my bin"]


def test_a_changed_feed_replaces_its_own_phrases_and_keeps_the_officers(
    engine: Engine, tmp_path: Path
) -> None:
    import_directory(engine, write_json(tmp_path / "v1.json", demo_like_directory()))
    with session_scope(engine) as session:
        add_phrase(session, BINS_ID, "bin men skipped our street", added_by="officer1")
    v2 = demo_like_directory()
    v2["contents"][0] = bins_service(
        attributes=[phrase("missed collection"), phrase("bin men skipped our street")]
    )

    import_directory(engine, write_json(tmp_path / "v2.json", v2))

    assert _phrases(engine, BINS_ID, DIRECTORY) == ["missed collection"]
    assert _phrases(engine, BINS_ID, OFFICER) == ["bin men skipped our street"]


def test_an_officer_phrase_makes_no_service_look_changed_to_the_importer(
    engine: Engine, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "services.json", demo_like_directory())
    import_directory(engine, path)
    with session_scope(engine) as session:
        add_phrase(session, POTHOLES_ID, "crater in the road", added_by="officer1")

    again = import_directory(engine, path)

    assert again.changes == 0


def test_a_phrase_with_personal_details_is_refused(engine: Engine, tmp_path: Path) -> None:
    import_directory(engine, write_json(tmp_path / "services.json", demo_like_directory()))
    with session_scope(engine) as session, pytest.raises(PhraseError, match="personal details"):
        add_phrase(session, BINS_ID, "my name is Sarah and my bin was missed", added_by="officer1")


def test_a_directory_phrase_cannot_be_removed_here_but_an_officer_phrase_can(
    engine: Engine, tmp_path: Path
) -> None:
    import_directory(engine, write_json(tmp_path / "services.json", demo_like_directory()))
    with session_scope(engine) as session:
        add_phrase(session, BINS_ID, "bin not taken", added_by="officer1")
    with session_scope(engine) as session, pytest.raises(PhraseError, match="directory feed"):
        remove_phrase(session, BINS_ID, "bin not emptied")
    with session_scope(engine) as session:
        remove_phrase(session, BINS_ID, "BIN NOT TAKEN")
    assert "bin not taken" not in _phrases(engine, BINS_ID)


def test_the_overlay_exports_and_imports_into_another_database_all_or_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'another.db'}")
    migrate(sqlite_engine)
    path = write_json(tmp_path / "services.json", demo_like_directory())
    for database in (engine, sqlite_engine):
        import_directory(database, path)
    with session_scope(engine) as session:
        add_phrase(session, BINS_ID, "bin not taken", added_by="officer1")
        overlay = [info.as_dict() for info in list_phrases(session, source=OFFICER)]
    assert set(overlay[0]) == {"service_id", "phrase", "source", "added_at", "added_by"}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([*overlay, {"service_id": "no-such-service", "phrase": "anything"}]))

    with pytest.raises(PhraseError, match="record 2: no service"), session_scope(sqlite_engine) as session:
        import_overlay(session, read_overlay(broken), added_by="admin", where=str(broken))
    assert _phrases(sqlite_engine, BINS_ID, OFFICER) == []

    with session_scope(sqlite_engine) as session:
        counts = import_overlay(session, overlay, added_by="admin")
    assert counts == {"added": 1, "already_there": 0}
    with session_scope(sqlite_engine) as session:
        [info] = list_phrases(session, BINS_ID, OFFICER)
    assert info.added_by == "officer1"


def test_the_phrases_command_adds_lists_as_json_and_removes(tmp_path: Path, monkeypatch) -> None:
    from bot.cli.phrases import app
    from bot.db import get_engine
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        import_directory(get_engine(), write_json(tmp_path / "services.json", demo_like_directory()))
        runner = CliRunner(mix_stderr=False)
        added = runner.invoke(app, ["add", BINS_ID, "bins left behind again"])
        listed = runner.invoke(app, ["list", "--service", BINS_ID, "--json"])
        refused = runner.invoke(app, ["remove", BINS_ID, "bin not emptied"])
        removed = runner.invoke(app, ["remove", BINS_ID, "bins left behind again"])
    finally:
        get_settings.cache_clear()
    assert added.exit_code == 0, added.stderr
    last = json.loads(listed.stdout)[-1]
    assert (last["service_id"], last["phrase"], last["source"]) == (
        BINS_ID,
        "bins left behind again",
        OFFICER,
    )
    assert last["added_by"].startswith("cli") and last["added_at"]
    assert refused.exit_code == 1 and "directory feed" in refused.stderr
    assert removed.exit_code == 0, removed.stderr
