"""Importing HSDS 3.0 / Open Referral UK JSON: what a council's feed becomes in the directory."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, time
from pathlib import Path

import pytest

from bot.directory.importers import ImportRejected, import_directory
from bot.directory.importers.records import UNKNOWN_ORGANISATION_ID
from tests.conftest import REFERENCE, needs_shared
from tests.directory.builders import (
    BINS_ID,
    CONTACT_ID,
    COUNCIL_ID,
    POTHOLES_ID,
    bins_service,
    counts,
    demo_like_directory,
    snapshot,
    write_json,
)

HSDS_EXAMPLES = REFERENCE / "hsds3"
EXAMPLE_SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def test_a_feed_with_every_field_we_use_is_stored_as_the_feed_says(engine, tmp_path: Path) -> None:
    path = write_json(tmp_path / "services.json", demo_like_directory())

    report = import_directory(engine, path)

    assert [change.name for change in report.created] == [
        "Report a missed bin collection",
        "Report a pothole",
        "Customer Services",
    ]
    organisations, services = snapshot(engine)
    council = organisations[COUNCIL_ID]
    assert (council.kind, council.is_host, council.phones[0].number) == ("district", True, "01632 960000")
    assert organisations[services[POTHOLES_ID].organisation_id].kind == "county"

    bins = services[BINS_ID]
    assert bins.lgsl_codes == (524, 1130)
    assert bins.phrases == ("bin not emptied", "they forgot my bin")
    assert bins.staff_notes == "Check the round calendar before logging."
    assert bins.open_on_bank_holidays and not bins.is_contact_centre
    assert bins.last_verified == date(2026, 10, 1)
    assert bins.last_modified == datetime(2026, 10, 1, 9, 30, 0, 250000)
    public, staff = bins.phones
    assert (public.number, public.extension, public.audience) == ("01632 960101", 12, "public")
    assert (staff.audience, staff.description) == ("staff", "Crew supervisor")
    weekdays, saturday, christmas = bins.schedules
    assert (weekdays.byday, weekdays.opens_at, weekdays.closes_at) == (
        "MO,TU,WE,TH,FR",
        time(8, 30),
        time(17),
    )
    assert (saturday.opens_at, saturday.valid_to) == (time(9, 0, 30), date(2026, 12, 31))
    assert christmas.closed and (christmas.valid_from, christmas.valid_to) == (
        date(2026, 12, 24),
        date(2027, 1, 2),
    )
    assert bins.areas[0].postcode_districts == ("AV6", "AV7", "AV8")

    potholes = services[POTHOLES_ID]
    assert [phone.out_of_hours for phone in potholes.phones] == [False, True]
    contact = services[CONTACT_ID]
    assert contact.is_contact_centre and contact.status == "temporarily closed"
    assert contact.organisation_id == COUNCIL_ID, (
        "organization_id may point at an organisation embedded elsewhere"
    )


@needs_shared
def test_the_hsds_full_example_imports_with_its_quoted_phone_number_cleaned(engine) -> None:
    """The specification's example writes the number as "\\"+44 1234 234567\\"" (quotes inside the string):
    we strip stray quotes and store the UK national form. Its geojson service area is not postcode
    districts, so it is left out with a warning rather than rejecting the service."""
    report = import_directory(engine, HSDS_EXAMPLES / "service_full.json")

    organisations, services = snapshot(engine)
    service = services[EXAMPLE_SERVICE_ID]
    assert service.name == "Community Counselling" and service.status == "active"
    assert [(phone.number, phone.extension) for phone in service.phones] == [("01234 234567", 100)]
    assert service.schedules[0].byday == "TH,FR"
    assert (service.schedules[0].opens_at, service.schedules[0].closes_at) == (time(10), time(18))
    assert service.areas == () and service.lgsl_codes == ()
    assert any("geojson" in str(warning) for warning in report.warnings)
    organisation = organisations[service.organisation_id]
    assert organisation.name == "Example Organization Inc." and organisation.kind is None
    assert organisation.phones[0].number == "01234 234567"
    assert organisation.phones[0].id != service.phones[0].id, (
        "the example reuses one phone id; ours must differ"
    )


@needs_shared
def test_the_hsds_list_example_imports_a_service_with_no_phones_or_codes(engine) -> None:
    import_directory(engine, HSDS_EXAMPLES / "service_list.json")

    _, services = snapshot(engine)
    assert services[EXAMPLE_SERVICE_ID].phones == () and services[EXAMPLE_SERVICE_ID].lgsl_codes == ()


@needs_shared
def test_two_example_files_that_disagree_about_one_service_are_refused_naming_both(
    engine, tmp_path: Path
) -> None:
    folder = tmp_path / "feed"
    folder.mkdir()
    shutil.copy(HSDS_EXAMPLES / "service_full.json", folder / "a_full.json")
    shutil.copy(HSDS_EXAMPLES / "service_list.json", folder / "b_list.json")

    with pytest.raises(ImportRejected) as rejected:
        import_directory(engine, folder)

    message = str(rejected.value.errors[0])
    assert message.startswith(f"b_list.json: service {EXAMPLE_SERVICE_ID}: id: duplicate id")
    assert f"a_full.json: service {EXAMPLE_SERVICE_ID}" in message
    assert counts(engine)["services"] == 0


def test_a_folder_import_reads_every_json_file_but_not_the_spreadsheet_beside_it(
    engine, tmp_path: Path
) -> None:
    write_json(tmp_path / "1_bins.json", [bins_service()])
    write_json(tmp_path / "2_contact.json", demo_like_directory()["contents"][2])
    (tmp_path / "template_example.csv").write_text("service_id,service_name,organisation_name\nx,Y,Z\n")

    report = import_directory(engine, tmp_path)

    assert sorted(report.files) == ["1_bins.json", "2_contact.json"]
    assert sorted(service.id for service in report.created) == sorted([BINS_ID, CONTACT_ID])


def test_a_service_from_a_feed_without_our_extensions_still_imports(engine, tmp_path: Path) -> None:
    """Plain ORUK: no organisation kind, no LGSL codes, no phrases, no organisation at all."""
    plain = {
        "id": "plain-1",
        "name": "Lunch club",
        "status": "active",
        "description": "Hot meals on Tuesdays.",
    }

    import_directory(engine, write_json(tmp_path / "plain.json", plain))

    organisations, services = snapshot(engine)
    assert services["plain-1"].organisation_id == UNKNOWN_ORGANISATION_ID
    assert organisations[UNKNOWN_ORGANISATION_ID].name == "Unknown"
    assert services["plain-1"].lgsl_codes == () and organisations[UNKNOWN_ORGANISATION_ID].kind is None


def test_a_malformed_email_is_left_out_with_a_warning_not_a_rejection(engine, tmp_path: Path) -> None:
    path = write_json(tmp_path / "s.json", [bins_service(email="waste at brackenford")])

    report = import_directory(engine, path)

    assert snapshot(engine)[1][BINS_ID].email is None
    assert [str(warning) for warning in report.warnings] == [
        f's.json: service {BINS_ID}: email: "waste at brackenford" is not an e-mail address; left out'
    ]


def test_an_exactly_repeated_service_is_tolerated_as_paged_feeds_repeat_records(
    engine, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "s.json", [bins_service(), bins_service()])

    report = import_directory(engine, path)

    assert len(report.created) == 1 and "copy ignored" in str(report.warnings[0])


# --- Real Open Referral UK data (Bristol and North Lincolnshire, December 2024) ---

ORUK_CSV = REFERENCE / "oruk" / "oruk_services_bristol_northlincs_2024-12.csv"


def oruk_rows_as_hsds(rows: list[dict[str, str]]) -> list[dict]:
    """The reference file is the feeds flattened to CSV; turn each row back into an HSDS 3.0 service."""
    import uuid

    services = []
    for row in rows:
        service = {
            "id": row["service_id"],
            "name": row["name"],
            "description": row["description"],
            "url": row["url"],
            "email": row["email"],
            "status": row["status"],
        }
        if row["organization"].strip():
            organisation_id = str(
                uuid.uuid5(uuid.NAMESPACE_URL, f"{row['council_feed']}/{row['organization']}")
            )
            service["organization"] = {"id": organisation_id, "name": row["organization"]}
        services.append(service)
    return services


def oruk_rows() -> list[dict[str, str]]:
    import csv

    with ORUK_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@needs_shared
def test_real_oruk_feeds_are_refused_for_their_one_conflicting_duplicate_id_and_nothing_is_written(
    engine, tmp_path: Path
) -> None:
    rows = oruk_rows()
    path = write_json(tmp_path / "oruk.json", {"contents": oruk_rows_as_hsds(rows)})

    with pytest.raises(ImportRejected) as rejected:
        import_directory(engine, path)

    assert len(rejected.value.errors) == 1
    problem = rejected.value.errors[0]
    assert (problem.record, problem.field) == ("service 2af617e5-4532-bebe-1036-ffdf2e93ce55", "id")
    assert counts(engine)["services"] == 0


@needs_shared
def test_real_oruk_services_import_once_the_duplicate_is_resolved(engine, tmp_path: Path) -> None:
    rows = oruk_rows()
    seen: set[str] = set()
    unique_rows = [row for row in rows if not (row["service_id"] in seen or seen.add(row["service_id"]))]
    path = write_json(tmp_path / "oruk.json", {"contents": oruk_rows_as_hsds(unique_rows)})

    report = import_directory(engine, path)

    assert len(report.created) == len(unique_rows) == 1555
    _, services = snapshot(engine)
    without_organisation = [row for row in unique_rows if not row["organization"].strip()]
    assert sum(service.organisation_id == UNKNOWN_ORGANISATION_ID for service in services.values()) == len(
        without_organisation
    )
    assert all(service.lgsl_codes == () for service in services.values())
    again = import_directory(engine, path)
    assert again.changes == 0 and again.unchanged == 1555


def test_json_documents_of_other_shapes_are_refused_with_the_reason(engine, tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"services": []}))

    with pytest.raises(ImportRejected) as rejected:
        import_directory(engine, path)

    assert "is not an HSDS service" in str(rejected.value.errors[0])


def test_a_services_address_is_read_from_its_location_and_survives_export(engine, tmp_path: Path) -> None:
    from bot.directory.exporter import export_directory

    directory = demo_like_directory()
    services = directory if isinstance(directory, list) else directory["contents"]
    contact = next(service for service in services if service["id"] == CONTACT_ID)
    contact["service_at_locations"] = [
        {
            "id": "a1b2c3d4-0000-4000-8000-000000000001",
            "service_id": CONTACT_ID,
            "location_id": "a1b2c3d4-0000-4000-8000-000000000002",
            "location": {
                "id": "a1b2c3d4-0000-4000-8000-000000000002",
                "location_type": "physical",
                "name": "Civic Centre",
                "addresses": [
                    {"address_1": "PO Box 9", "city": "Brackenford", "address_type": "postal"},
                    {
                        "address_1": "Market Street",
                        "city": "Brackenford",
                        "state_province": "Oakshire",
                        "postal_code": "BV1 1AA",
                        "country": "GB",
                        "address_type": "physical",
                    },
                ],
            },
        }
    ]
    import_directory(engine, write_json(tmp_path / "services.json", directory))
    _, stored = snapshot(engine)
    assert stored[CONTACT_ID].address == "Civic Centre, Market Street, Brackenford, Oakshire, BV1 1AA"
    assert stored[BINS_ID].address is None

    export_directory(engine, tmp_path / "export.json")
    before = stored
    import_directory(engine, tmp_path / "export.json")
    assert snapshot(engine)[1][CONTACT_ID].address == before[CONTACT_ID].address
