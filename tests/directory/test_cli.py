"""`here-to-help directory import|export|validate|stats`, as an officer or a script would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import PROJECT_ROOT
from bot.cli.directory import app
from bot.settings import get_settings
from tests.directory.builders import demo_like_directory, potholes_service, write_json


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL pointing at a fresh SQLite file, as the commands read it."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def run(*args: str):
    return CliRunner(mix_stderr=False).invoke(app, list(args), catch_exceptions=False)


def stats() -> dict:
    result = run("stats", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_an_officer_imports_a_feed_and_stats_counts_it(database_url: str, tmp_path: Path) -> None:
    feed = write_json(tmp_path / "feed.json", demo_like_directory())

    result = run("import", str(feed))

    assert result.exit_code == 0, result.output
    assert "Services: 3 created, 0 updated, 0 deactivated, 0 unchanged" in result.stdout
    counted = stats()
    assert {key: counted[key] for key in ("organisations", "services", "active_services", "lgsl_codes")} == {
        "organisations": 2,
        "services": 3,
        "active_services": 2,
        "lgsl_codes": 4,
    }
    assert (counted["phones"], counted["services_without_lgsl"], counted["active_lgsl_codes"]) == (6, 0, 3)


def test_a_dry_run_from_the_command_line_lists_changes_and_writes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    result = run("import", str(write_json(tmp_path / "feed.json", demo_like_directory())), "--dry-run")

    assert result.exit_code == 0
    assert "Dry run" in result.stdout and "created: Report a pothole" in result.stdout
    assert stats()["services"] == 0


def test_a_partial_import_from_the_command_line_deactivates_nothing(
    database_url: str, tmp_path: Path
) -> None:
    run("import", str(write_json(tmp_path / "feed.json", demo_like_directory())))

    result = run("import", str(write_json(tmp_path / "one.json", [potholes_service()])), "--partial")

    assert result.exit_code == 0 and "0 deactivated" in result.stdout
    assert stats()["active_services"] == 2


def test_a_rejected_import_exits_non_zero_and_says_where_on_stderr(database_url: str, tmp_path: Path) -> None:
    broken = write_json(tmp_path / "feed.json", [potholes_service(phones=[{"number": "12ab"}])])

    result = run("import", str(broken))

    assert result.exit_code == 1
    assert "nothing was written" in result.stderr
    assert (
        'feed.json: service 0f6e2c1a-1111-4a5b-8c9d-000000000002: phones[0].number: "12ab"' in result.stderr
    )
    assert stats()["services"] == 0


def test_validate_lists_every_problem_and_exits_1_when_invalid(database_url: str, tmp_path: Path) -> None:
    broken = write_json(
        tmp_path / "feed.json", [potholes_service(status="open"), {"name": "x", "status": "active"}]
    )

    result = run("validate", str(broken))

    assert result.exit_code == 1
    assert "Invalid: 2 problem(s)" in result.stderr and '"open" is not a service status' in result.stderr


def test_validate_accepts_a_good_feed_and_writes_nothing(database_url: str, tmp_path: Path) -> None:
    result = run("validate", str(write_json(tmp_path / "feed.json", demo_like_directory())))

    assert result.exit_code == 0
    assert result.stdout.strip() == "Valid: 3 service(s) and 2 organisation(s) in 1 file(s)."
    assert stats()["services"] == 0


def test_export_writes_the_directory_as_hsds_json(database_url: str, tmp_path: Path) -> None:
    run("import", str(write_json(tmp_path / "feed.json", demo_like_directory())))

    result = run("export", str(tmp_path / "out" / "directory.json"))

    assert result.exit_code == 0 and "Exported 3 service(s)" in result.stdout
    assert len(json.loads((tmp_path / "out" / "directory.json").read_text())["contents"]) == 3


def test_export_to_an_unwritable_place_fails_with_a_message(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")

    result = run("export", str(tmp_path / "file" / "directory.json"))

    assert result.exit_code == 1 and "Cannot write" in result.stderr


def test_stats_without_json_prints_a_readable_table(database_url: str, tmp_path: Path) -> None:
    run("import", str(write_json(tmp_path / "feed.json", demo_like_directory())))

    result = run("stats")

    assert result.exit_code == 0 and "active services" in result.stdout and "lgsl codes" in result.stdout


def test_a_relative_path_is_found_from_the_project_root_when_not_in_the_working_directory(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = run("validate", "data/directory/template_example.csv")

    assert result.exit_code == 0, result.output
    assert "Valid: 5 service(s)" in result.stdout


def test_the_installed_command_prints_one_json_object_for_stats(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'sub.db'}"}
    command = [str(Path(sys.executable).parent / "here-to-help"), "directory"]
    feed = write_json(tmp_path / "feed.json", demo_like_directory())

    imported = subprocess.run(
        [*command, "import", str(feed)], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    counted = subprocess.run(
        [*command, "stats", "--json"], env=env, capture_output=True, text=True, timeout=120
    )

    assert imported.returncode == 0, imported.stderr
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout)["lgsl_codes"] == 4
