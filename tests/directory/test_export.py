"""Exporting to HSDS 3.0: valid against the specification's schema, stable byte for byte, and lossless:
importing an export reproduces every stored field."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from bot.db import make_engine, migrate
from bot.directory.exporter import export_directory
from bot.directory.importers import import_directory
from tests.conftest import REFERENCE, needs_shared
from tests.directory.builders import demo_like_directory, snapshot, write_json

SERVICE_SCHEMA = REFERENCE / "hsds3" / "service.json"


@pytest.fixture
def other_database(tmp_path: Path):
    """A second, empty directory database to import an export into."""
    engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def assert_same_records(expected: dict, actual: dict) -> None:
    """Field by field, so a failure names the record and the field that did not survive."""
    assert sorted(actual) == sorted(expected)
    for record_id, record in expected.items():
        for item in fields(record):
            assert getattr(actual[record_id], item.name) == getattr(record, item.name), (
                f"{record_id}.{item.name}"
            )


def test_exporting_then_importing_elsewhere_reproduces_every_field(
    engine, other_database, tmp_path: Path
) -> None:
    import_directory(engine, write_json(tmp_path / "feed.json", demo_like_directory()))
    exported = tmp_path / "export.json"

    assert export_directory(engine, exported) == 3
    import_directory(other_database, exported)

    organisations, services = snapshot(engine)
    copied_organisations, copied_services = snapshot(other_database)
    assert_same_records(organisations, copied_organisations)
    assert_same_records(services, copied_services)


def test_re_importing_an_export_into_the_same_directory_changes_nothing(engine, tmp_path: Path) -> None:
    import_directory(engine, write_json(tmp_path / "feed.json", demo_like_directory()))
    export_directory(engine, tmp_path / "export.json")

    assert import_directory(engine, tmp_path / "export.json").changes == 0


def test_two_exports_of_the_same_directory_are_identical(engine, tmp_path: Path) -> None:
    import_directory(engine, write_json(tmp_path / "feed.json", demo_like_directory()))

    export_directory(engine, tmp_path / "one.json")
    export_directory(engine, tmp_path / "two.json")

    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
    ids = [service["id"] for service in json.loads((tmp_path / "one.json").read_text())["contents"]]
    assert ids == sorted(ids)


def test_an_export_is_a_service_list_page_with_organisations_and_our_extensions(
    engine, tmp_path: Path
) -> None:
    import_directory(engine, write_json(tmp_path / "feed.json", demo_like_directory()))
    export_directory(engine, tmp_path / "export.json")

    page = json.loads((tmp_path / "export.json").read_text())

    assert (page["total_items"], page["total_pages"], page["first_page"], page["last_page"]) == (
        3,
        1,
        True,
        True,
    )
    bins = next(
        service for service in page["contents"] if service["name"] == "Report a missed bin collection"
    )
    assert bins["organization"]["name"] == "Brackenford District Council"
    lgsl_terms = [
        a["taxonomy_term"] for a in bins["attributes"] if a["taxonomy_term"]["taxonomy"] == "esdServiceTypes"
    ]
    assert [(term["code"], term["term_uri"]) for term in lgsl_terms] == [
        ("524", "http://id.esd.org.uk/service/524"),
        ("1130", "http://id.esd.org.uk/service/1130"),
    ]
    assert bins["service_areas"][0] == {
        "id": "b1a7e0d0-0000-4000-8000-000000000021",
        "name": "Brackenford",
        "extent": "AV6 AV7 AV8",
        "extent_type": "postcode_districts",
    }
    assert bins["schedules"][2] == {
        "id": "b1a7e0d0-0000-4000-8000-000000000013",
        "valid_from": "2026-12-24",
        "valid_to": "2027-01-02",
        "description": "Closed over Christmas",
    }


@needs_shared
def test_every_exported_service_is_valid_against_the_hsds_3_schema(engine, tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads(SERVICE_SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    import_directory(engine, write_json(tmp_path / "feed.json", demo_like_directory()))
    export_directory(engine, tmp_path / "export.json")

    for service in json.loads((tmp_path / "export.json").read_text())["contents"]:
        problems = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(service)]
        assert problems == [], service["name"]


@needs_shared
def test_the_hsds_schema_check_would_catch_a_broken_export(engine, tmp_path: Path) -> None:
    """The validation above can fail: a service without its required status does."""
    import jsonschema

    schema = json.loads(SERVICE_SCHEMA.read_text())
    import_directory(engine, write_json(tmp_path / "feed.json", demo_like_directory()))
    export_directory(engine, tmp_path / "export.json")
    service = json.loads((tmp_path / "export.json").read_text())["contents"][0]
    del service["status"]

    assert list(jsonschema.Draft202012Validator(schema).iter_errors(service))


def test_an_export_to_a_folder_that_does_not_exist_yet_creates_it(engine, tmp_path: Path) -> None:
    assert export_directory(engine, tmp_path / "new" / "folder" / "export.json") == 0
    assert json.loads((tmp_path / "new" / "folder" / "export.json").read_text())["empty"] is True
