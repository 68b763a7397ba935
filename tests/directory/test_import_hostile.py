"""A directory feed is not trusted: a `javascript:` address, a script in a name or a Markdown link in a
description would reach residents in the widget. Such records are refused, named, and nothing already stored
is lost; a feed too large to read safely is refused before it is read."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.directory.importers import ImportRejected, import_directory, validate_directory
from tests.directory.builders import (
    BINS_ID,
    POTHOLES_ID,
    bins_service,
    counts,
    potholes_service,
    snapshot,
    write_json,
)


@pytest.fixture
def stored(engine, tmp_path: Path):
    """A directory already holding the bins and pothole services: what a hostile import must not disturb."""
    import_directory(engine, write_json(tmp_path / "good.json", [bins_service(), potholes_service()]))
    return snapshot(engine), counts(engine)


def refused(engine, path: Path, **options) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        import_directory(engine, path, **options)
    return [str(problem) for problem in rejected.value.errors]


def assert_untouched(engine, stored) -> None:
    before, before_counts = stored
    assert counts(engine) == before_counts
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:x",
    ],
)
def test_a_service_address_that_is_not_a_web_page_is_refused(engine, stored, tmp_path: Path, address) -> None:
    path = write_json(tmp_path / "feed.json", [bins_service(name="Renamed"), potholes_service(url=address)])

    problems = refused(engine, path)

    assert len(problems) == 1
    assert problems[0].startswith(f"feed.json: service {POTHOLES_ID}: url: ")
    assert "is not a web address" in problems[0]
    assert_untouched(engine, stored)


def test_an_organisation_website_must_be_a_web_address_too(engine, stored, tmp_path: Path) -> None:
    organisation = {"id": "org-x", "name": "Friends of the Park", "website": "javascript:void(0)"}
    path = write_json(tmp_path / "feed.json", [bins_service(organization=organisation)])

    assert refused(engine, path) == [
        f'feed.json: service {BINS_ID}: organization.website: "javascript:void(0)" is not a web address: '
        "only http:// and https:// are accepted"
    ]
    assert_untouched(engine, stored)


def test_an_address_without_its_scheme_gets_https_and_a_malformed_one_is_left_out(
    engine, tmp_path: Path
) -> None:
    """Real feeds write "www.example.org": that is a web page. "http:www.example.org" cannot be a link."""
    path = write_json(
        tmp_path / "feed.json",
        [bins_service(url="www.example.org/bins"), potholes_service(url="http:www.example.org")],
    )
    report = import_directory(engine, path)
    stored = snapshot(engine)[1]
    assert stored[BINS_ID].url == "https://www.example.org/bins"
    assert stored[POTHOLES_ID].url is None
    assert [str(warning) for warning in report.warnings if "url" in warning.field] == [
        f'feed.json: service {POTHOLES_ID}: url: "http:www.example.org" is not a web address '
        "(write it in full, starting https://); left out"
    ]


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("name", "Bins <script>alert(1)</script>", '"<script>"'),
        ("name", "Bins <img src=x onerror=alert(1)>", '"<img src=x onerror=alert(1)>"'),
        ("description", "Report it [here](javascript:alert(1)).", '"[here]("'),
        ("description", "Missed bins<!-- hidden -->", '"<!-- hidden -->"'),
    ],
)
def test_markup_in_a_text_field_is_refused_naming_the_record_and_field(
    engine, stored, tmp_path: Path, field, value, shown
) -> None:
    path = write_json(tmp_path / "feed.json", [potholes_service(), bins_service(**{field: value})])

    assert refused(engine, path) == [
        f"feed.json: service {BINS_ID}: {field}: contains markup ({shown}); "
        "write plain text, without HTML tags or Markdown links"
    ]
    assert_untouched(engine, stored)


def test_ordinary_punctuation_is_not_mistaken_for_markup(engine, tmp_path: Path) -> None:
    service = bins_service(
        name="Bins (and recycling) for under-5s < 3 bags",
        description="Children <5 years [all areas] go free; a < b is fine.",
    )
    assert validate_directory(write_json(tmp_path / "feed.json", [service])).ok


def test_the_spreadsheet_template_is_held_to_the_same_rules(engine, stored, tmp_path: Path) -> None:
    source = Path("data/directory/template_example.csv")
    rows = list(csv.DictReader(source.open(encoding="utf-8")))
    rows[0]["url"] = "javascript:alert(1)"
    path = tmp_path / "directory.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    problems = refused(engine, path)

    assert any(
        problem.startswith("directory.csv: line 2")
        and ": url: " in problem
        and "not a web address" in problem
        for problem in problems
    ), problems
    assert_untouched(engine, stored)


def test_an_import_over_the_size_limit_is_refused_unread(engine, stored, tmp_path: Path) -> None:
    services = [bins_service(description="x" * 4000, id=f"svc-{n}") for n in range(300)]
    path = write_json(tmp_path / "big.json", services)
    size_mb = path.stat().st_size / 1024 / 1024
    assert size_mb > 1

    problems = refused(engine, path, max_mb=1)

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: is {size_mb:.1f} MB; imports are limited to 1 MB (IMPORT_MAX_MB)")
    assert_untouched(engine, stored)


def test_the_size_limit_is_the_import_max_mb_setting(engine, tmp_path: Path, monkeypatch) -> None:
    from bot.settings import get_settings

    path = write_json(tmp_path / "feed.json", [bins_service(description="y" * 200_000)])
    monkeypatch.setenv("IMPORT_MAX_MB", "0.1")
    get_settings.cache_clear()
    try:
        assert "IMPORT_MAX_MB" in str(validate_directory(path).errors[0])
        monkeypatch.setenv("IMPORT_MAX_MB", "1")
        get_settings.cache_clear()
        assert validate_directory(path).ok
    finally:
        get_settings.cache_clear()
