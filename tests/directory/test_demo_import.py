"""The demo directory shipped in data/directory/ imports cleanly and is complete enough to answer from."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from bot import PROJECT_ROOT
from bot.db import make_engine, migrate
from bot.directory.exporter import export_directory
from bot.directory.importers import import_directory, validate_directory
from tests.conftest import REFERENCE, needs_shared
from tests.directory.builders import snapshot

DEMO = PROJECT_ROOT / "data" / "directory"


def test_the_demo_directory_imports_with_at_least_150_services_each_with_codes_a_phone_and_hours(
    engine,
) -> None:
    report = import_directory(engine, DEMO)

    _, services = snapshot(engine)
    assert len(report.created) == len(services) >= 150
    lacking = {
        service.name: [
            what
            for what, missing in (
                ("LGSL codes", not service.lgsl_codes),
                ("a phone", not service.phones),
                ("weekly hours", not any(not schedule.closed for schedule in service.schedules)),
            )
            if missing
        ]
        for service in services.values()
    }
    assert {name: gaps for name, gaps in lacking.items() if gaps} == {}


def test_the_demo_directory_validates_without_rejections() -> None:
    result = validate_directory(DEMO)

    assert [str(problem) for problem in result.errors] == []


def test_the_demo_directory_survives_an_export_and_re_import_unchanged(engine, tmp_path: Path) -> None:
    import_directory(engine, DEMO)
    export_directory(engine, tmp_path / "demo_export.json")
    copy = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    migrate(copy)

    import_directory(copy, tmp_path / "demo_export.json")

    for original, copied in zip(snapshot(engine), snapshot(copy), strict=True):
        assert sorted(original) == sorted(copied)
        for record_id, record in original.items():
            for item in fields(record):
                assert getattr(copied[record_id], item.name) == getattr(record, item.name), item.name
    copy.dispose()


@needs_shared
def test_the_exported_demo_directory_is_valid_hsds(sqlite_engine, tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads((REFERENCE / "hsds3" / "service.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    import_directory(sqlite_engine, DEMO)
    export_directory(sqlite_engine, tmp_path / "demo_export.json")

    invalid = {
        service["name"]: [error.message for error in validator.iter_errors(service)]
        for service in json.loads((tmp_path / "demo_export.json").read_text())["contents"]
    }
    assert {name: errors for name, errors in invalid.items() if errors} == {}
