"""Bad input is refused as a whole, every problem is named (file, record, field, reason), and nothing
already stored is lost or changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory.importers import ImportRejected, import_directory
from tests.directory.builders import (
    BINS_ID,
    POTHOLES_ID,
    bins_service,
    contact_centre_service,
    counts,
    lgsl,
    potholes_service,
    snapshot,
    write_json,
)


@pytest.fixture
def stored(engine, tmp_path: Path):
    """A directory already holding the bins and pothole services: what a bad import must not disturb."""
    import_directory(engine, write_json(tmp_path / "good.json", [bins_service(), potholes_service()]))
    return snapshot(engine), counts(engine)


def refused(engine, path: Path) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        import_directory(engine, path)
    return [str(problem) for problem in rejected.value.errors]


def assert_untouched(engine, stored) -> None:
    before, before_counts = stored
    assert counts(engine) == before_counts
    assert snapshot(engine) == before
    assert snapshot(engine)[1][BINS_ID].name == "Report a missed bin collection"


def test_broken_json_is_refused_with_its_line_and_column(engine, stored, tmp_path: Path) -> None:
    path = tmp_path / "services.json"
    path.write_text('{"contents": [\n  {"id": "a", "name": "B",}\n]}')

    assert refused(engine, path) == [
        "services.json: line 2, column 27: invalid JSON: Expecting property name enclosed in double quotes"
    ]
    assert_untouched(engine, stored)


@pytest.mark.parametrize(
    ("broken", "field", "reason"),
    [
        ({"id": None}, "id", "is missing (every record needs an id)"),
        ({"name": "  "}, "name", "is missing (every service needs a name)"),
        ({"status": None}, "status", "is missing"),
        ({"status": "open"}, "status", '"open" is not a service status'),
    ],
)
def test_a_service_missing_a_required_field_is_refused(
    engine, stored, tmp_path: Path, broken, field, reason
) -> None:
    path = write_json(tmp_path / "services.json", [bins_service(name="Renamed"), potholes_service(**broken)])

    problems = refused(engine, path)

    assert len(problems) == 1
    assert f": {field}: {reason}" in problems[0]
    assert problems[0].startswith("services.json: service ")
    assert_untouched(engine, stored)


def test_an_organisation_without_a_name_is_refused(engine, stored, tmp_path: Path) -> None:
    service = bins_service(organization={"id": "org-x", "name": ""})

    problems = refused(engine, write_json(tmp_path / "s.json", [service]))

    assert problems == [
        f"s.json: service {BINS_ID}: organization.name: is missing (every organisation needs a name)"
    ]
    assert_untouched(engine, stored)


def test_two_different_services_with_one_id_are_refused_naming_both(engine, stored, tmp_path: Path) -> None:
    path = write_json(tmp_path / "s.json", [bins_service(), bins_service(name="Something else")])

    assert refused(engine, path) == [
        f"s.json: service {BINS_ID}: id: duplicate id: s.json: service {BINS_ID} has the same id"
    ]
    assert_untouched(engine, stored)


def test_an_unparseable_phone_number_is_refused_with_its_position(engine, stored, tmp_path: Path) -> None:
    service = bins_service(phones=[{"id": "p1", "number": "01632 960101"}, {"id": "p2", "number": "12ab"}])

    assert refused(engine, write_json(tmp_path / "services.json", [service])) == [
        f'services.json: service {BINS_ID}: phones[1].number: "12ab" is not a UK phone number'
    ]
    assert_untouched(engine, stored)


def test_a_foreign_phone_number_is_refused(engine, stored, tmp_path: Path) -> None:
    service = bins_service(phones=[{"id": "p1", "number": "+1 212 555 0100"}])

    assert (
        "is not a UK phone number (country code +1)"
        in refused(engine, write_json(tmp_path / "s.json", [service]))[0]
    )
    assert_untouched(engine, stored)


def test_an_unparseable_opening_time_is_refused(engine, stored, tmp_path: Path) -> None:
    schedule = {"id": "s1", "freq": "WEEKLY", "byday": "MO", "opens_at": "9am", "closes_at": "25:00"}

    problems = refused(engine, write_json(tmp_path / "s.json", [bins_service(schedules=[schedule])]))

    where = f"s.json: service {BINS_ID}: schedules[0]"
    assert problems == [
        f'{where}.opens_at: "9am" is not a time (write HH:MM, e.g. 09:00 or 17:30)',
        f'{where}.closes_at: "25:00" is not a time of day (00:00 to 23:59; 23:59 ends the day)',
    ]
    assert_untouched(engine, stored)


def test_an_unparseable_date_is_refused(engine, stored, tmp_path: Path) -> None:
    problems = refused(engine, write_json(tmp_path / "s.json", [bins_service(assured_date="01/10/2026")]))

    assert problems == [
        f's.json: service {BINS_ID}: assured_date: "01/10/2026" is not a date (write YYYY-MM-DD)'
    ]
    assert_untouched(engine, stored)


def test_an_unknown_lgsl_code_is_refused(engine, stored, tmp_path: Path) -> None:
    service = potholes_service(attributes=[lgsl(557), lgsl(99999)])

    problems = refused(engine, write_json(tmp_path / "s.json", [service]))

    assert problems == [
        f's.json: service {POTHOLES_ID}: attributes[1].taxonomy_term.code: "99999" is not a known LGSL code '
        "(see bot/directory/reference/)"
    ]
    assert_untouched(engine, stored)


def test_every_rejected_record_is_reported_not_just_the_first(engine, stored, tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "s.json",
        [
            bins_service(phones=[{"number": "12ab"}]),
            potholes_service(status="gone"),
            contact_centre_service(attributes=[lgsl(1)], organization_id="no-such-organisation"),
            {"name": "No id", "status": "active"},
        ],
    )

    problems = refused(engine, path)

    assert len(problems) == 4
    assert "phones[0].number" in problems[0] and ": status: " in problems[1]
    assert "organization_id" in problems[3], "references are checked against the database after reading"
    assert problems[2] == "s.json: service at [3] (no id): id: is missing (every record needs an id)"
    assert_untouched(engine, stored)


def test_an_organisation_reference_to_nothing_is_refused(engine, stored, tmp_path: Path) -> None:
    service = contact_centre_service(organization_id="no-such-organisation")

    assert refused(engine, write_json(tmp_path / "s.json", [service])) == [
        f"s.json: service {service['id']}: organization_id: "
        '"no-such-organisation" is not in this import or the directory'
    ]
    assert_untouched(engine, stored)


def test_a_missing_path_is_refused(engine, stored, tmp_path: Path) -> None:
    assert refused(engine, tmp_path / "nowhere.json") == [f"{tmp_path / 'nowhere.json'}: does not exist"]
    assert_untouched(engine, stored)


def test_a_duplicate_of_a_rejected_service_is_reported_too(engine, stored, tmp_path: Path) -> None:
    path = write_json(tmp_path / "s.json", [bins_service(status="gone"), bins_service()])

    problems = refused(engine, path)

    assert [problem.split(": ")[2] for problem in problems] == ["status", "id"]
    assert_untouched(engine, stored)
