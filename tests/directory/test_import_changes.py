"""Re-importing: upsert by id, nothing changes twice, absent services are deactivated (full) or left alone
(partial), and a dry run says exactly what a real import would do without writing it."""

from __future__ import annotations

from pathlib import Path

from bot.directory.importers import import_directory
from tests.directory.builders import (
    BINS_ID,
    CONTACT_ID,
    POTHOLES_ID,
    bins_service,
    contact_centre_service,
    counts,
    demo_like_directory,
    potholes_service,
    snapshot,
    write_json,
)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(engine, tmp_path: Path) -> None:
    path = write_json(tmp_path / "services.json", demo_like_directory())
    first = import_directory(engine, path)
    before = snapshot(engine)

    second = import_directory(engine, path)

    assert first.changes == 5 and second.changes == 0
    assert second.unchanged == 3 and second.organisations_unchanged == 2
    assert snapshot(engine) == before


def test_a_changed_service_is_updated_in_place_and_its_phones_replaced(engine, tmp_path: Path) -> None:
    import_directory(engine, write_json(tmp_path / "v1.json", demo_like_directory()))
    changed = bins_service(name="Missed bins", phones=[{"id": "new-phone", "number": "01632 960555"}])
    v2 = demo_like_directory()
    v2["contents"][0] = changed

    report = import_directory(engine, write_json(tmp_path / "v2.json", v2))

    assert [(change.id, change.fields) for change in report.updated] == [(BINS_ID, ("name", "phones"))]
    bins = snapshot(engine)[1][BINS_ID]
    assert bins.name == "Missed bins"
    assert [(phone.id, phone.number) for phone in bins.phones] == [("new-phone", "01632 960555")]
    assert counts(engine)["phones"] == 1 + 2 + 1 + 1, "old bin phones are gone, others untouched"


def test_a_full_import_marks_services_missing_from_the_feed_inactive_but_keeps_them(
    engine, tmp_path: Path
) -> None:
    import_directory(engine, write_json(tmp_path / "v1.json", demo_like_directory()))

    report = import_directory(engine, write_json(tmp_path / "v2.json", [bins_service()]))

    assert sorted(change.id for change in report.deactivated) == sorted([POTHOLES_ID, CONTACT_ID])
    _, services = snapshot(engine)
    assert {service_id: service.status for service_id, service in services.items()} == {
        BINS_ID: "active",
        POTHOLES_ID: "inactive",
        CONTACT_ID: "inactive",
    }
    assert services[POTHOLES_ID].phones, "a deactivated service keeps its details"


def test_a_defunct_service_missing_from_a_full_import_stays_defunct(engine, tmp_path: Path) -> None:
    import_directory(
        engine, write_json(tmp_path / "v1.json", [bins_service(), potholes_service(status="defunct")])
    )

    report = import_directory(engine, write_json(tmp_path / "v2.json", [bins_service()]))

    assert report.deactivated == [] and report.changes == 0
    assert snapshot(engine)[1][POTHOLES_ID].status == "defunct"


def test_a_partial_import_leaves_services_missing_from_it_alone(engine, tmp_path: Path) -> None:
    import_directory(engine, write_json(tmp_path / "v1.json", demo_like_directory()))
    before = snapshot(engine)[1]

    report = import_directory(
        engine, write_json(tmp_path / "v2.json", [bins_service(name="Bins")]), full=False
    )

    assert report.deactivated == [] and [change.name for change in report.updated] == ["Bins"]
    after = snapshot(engine)[1]
    assert after[POTHOLES_ID] == before[POTHOLES_ID] and after[CONTACT_ID] == before[CONTACT_ID]


def test_a_dry_run_reports_what_would_change_and_writes_nothing(engine, tmp_path: Path) -> None:
    import_directory(engine, write_json(tmp_path / "v1.json", [bins_service(), potholes_service()]))
    before, before_counts = snapshot(engine), counts(engine)
    path = write_json(tmp_path / "v2.json", [bins_service(name="Bins"), contact_centre_service()])

    dry = import_directory(engine, path, dry_run=True)

    assert snapshot(engine) == before and counts(engine) == before_counts
    assert dry.counts()["created"] == 1 and dry.counts()["updated"] == 1 and dry.counts()["deactivated"] == 1
    text = "\n".join(dry.lines())
    assert (
        "Dry run" in text and "created: Customer Services" in text and "deactivated: Report a pothole" in text
    )
    real = import_directory(engine, path)
    assert real.counts() == dry.counts(), "the dry run predicted exactly what the import did"


def test_a_phone_id_already_used_by_a_service_outside_a_partial_import_does_not_clash(
    engine, tmp_path: Path
) -> None:
    import_directory(engine, write_json(tmp_path / "v1.json", [potholes_service()]))
    reused = potholes_service()["phones"][0]["id"]
    bins = bins_service(phones=[{"id": reused, "number": "01632 960101"}])

    import_directory(engine, write_json(tmp_path / "v2.json", [bins]), full=False)
    again = import_directory(engine, write_json(tmp_path / "v2.json", [bins]), full=False)

    _, services = snapshot(engine)
    assert services[POTHOLES_ID].phones[0].id == reused
    assert services[BINS_ID].phones[0].number == "01632 960101" and services[BINS_ID].phones[0].id != reused
    assert again.changes == 0, "the substitute id is derived, so a re-import finds nothing to change"


def test_progress_is_reported_while_reading_and_writing(engine, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []

    import_directory(
        engine,
        write_json(tmp_path / "v1.json", demo_like_directory()),
        progress=lambda *step: seen.append(step),
    )

    assert ("Reading", 1, 1) in seen and seen[-1] == ("Writing services", 3, 3)
