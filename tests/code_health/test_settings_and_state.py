"""One Settings for every switch: no module reads the environment itself, and a changed variable is seen
without resetting anything."""

from __future__ import annotations

import ast

import pytest

from bot import PROJECT_ROOT
from bot.settings import get_settings


def _environment_reads(tree: ast.Module) -> list[int]:
    """Lines that read a variable from the environment: os.getenv(...), os.environ.get(...) or
    os.environ[...] as a value. Writing one for a library (setdefault, assignment) or handing the whole
    environment to a child process is not reading a switch."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = ast.unparse(node.func)
            if target in ("os.getenv", "os.environ.get", "environ.get", "getenv"):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and ast.unparse(node.value) in ("os.environ", "environ")
        ):
            lines.append(node.lineno)
    return lines


def test_only_bot_settings_reads_the_environment() -> None:
    found = []
    for package in ("bot", "actions"):
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            if path == PROJECT_ROOT / "bot" / "settings.py" or "migrations/versions" in path.as_posix():
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(PROJECT_ROOT)}:{line}" for line in _environment_reads(tree)]
    assert not found, "read these through bot.settings.Settings: " + ", ".join(found)


def test_the_check_finds_each_way_of_reading_the_environment() -> None:
    source = (
        "import os\nfrom os import environ\n"
        "a = os.getenv('A')\nb = os.environ.get('B', '')\nc = os.environ['C']\nd = environ.get('D')\n"
        "os.environ['E'] = '1'\nos.environ.setdefault('F', '0')\nenv = dict(os.environ)\n"
    )
    assert _environment_reads(ast.parse(source)) == [3, 4, 5, 6]


def test_a_changed_variable_is_seen_without_resetting_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    before = get_settings()
    assert get_settings() is before, "read once for the same environment"
    monkeypatch.setenv("MAX_MESSAGE_CHARS", str(before.max_message_chars + 1))
    assert get_settings().max_message_chars == before.max_message_chars + 1
    monkeypatch.delenv("MAX_MESSAGE_CHARS")
    assert get_settings().max_message_chars == before.max_message_chars
