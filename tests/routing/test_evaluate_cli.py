"""`here-to-help evaluate`: bad input is refused with a message saying what and where, before loading."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli import _register, app

runner = CliRunner(mix_stderr=False)


def invoke(*args: str):
    _register()
    return runner.invoke(app, ["evaluate", *args])


def test_a_missing_queries_file_is_named(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "missing.csv"))
    assert result.exit_code == 2
    assert "missing.csv: no such file" in result.stderr


def test_a_file_without_a_text_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("query,expected_lgsl\npothole,557\n", encoding="utf-8")
    result = invoke(str(path))
    assert result.exit_code == 2
    assert "no 'text' column" in result.stderr


def test_a_bad_row_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("text,expected_lgsl\npothole,557\nlamp,five\n", encoding="utf-8")
    result = invoke(str(path))
    assert result.exit_code == 2
    assert "q.csv:3" in result.stderr


def test_an_unknown_baseline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("text,expected_lgsl\npothole,557\n", encoding="utf-8")
    result = invoke(str(path), "--baseline", "tfidf")
    assert result.exit_code == 2
    assert "unknown baseline 'tfidf'" in result.stderr
