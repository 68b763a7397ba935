"""The spreadsheet template, for councils without an HSDS feed: one row per service, compact cells."""

from __future__ import annotations

import csv
from dataclasses import fields
from datetime import date, time
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.db import make_engine, migrate
from bot.directory.exporter import export_directory
from bot.directory.importers import ImportRejected, import_directory
from bot.directory.importers.csv_template import COLUMNS, opening_hours
from bot.directory.importers.fields import FieldError
from tests.directory.builders import counts, snapshot

EXAMPLE = PROJECT_ROOT / "data" / "directory" / "template_example.csv"


def write_template(path: Path, *rows: dict[str, str], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(**cells: str) -> dict[str, str]:
    base = {
        "service_id": "bins",
        "service_name": "Missed bins",
        "organisation_name": "Millbrook District Council",
        "lgsl_codes": "524",
        "phones": "01632 960810",
        "opening_hours": "Mo-Fr 09:00-17:00",
    }
    return {**base, **cells}


def test_the_shipped_example_spreadsheet_imports_every_column(engine) -> None:
    report = import_directory(engine, EXAMPLE)

    assert len(report.created) == 5 and len(report.organisations_created) == 2
    organisations, services = snapshot(engine)
    council = organisations["millbrook-district-council"]
    assert (council.kind, council.is_host, council.phones[0].description) == ("district", True, "Switchboard")
    assert organisations["wessex-county-council"].kind == "county"

    contact = services["millbrook-customer-services"]
    assert contact.is_contact_centre and contact.lgsl_codes == (370,)
    assert [(p.number, p.description, p.audience) for p in contact.phones] == [
        ("01632 960800", "Customer Services", "public"),
        ("01632 960801", "Textphone", "public"),
        ("01632 960890", "Team leaders' escalation line", "staff"),
    ]
    closures = [s for s in contact.schedules if s.closed]
    assert [(s.valid_from, s.valid_to, s.description) for s in closures] == [
        (date(2026, 12, 25), date(2026, 12, 28), "Christmas"),
        (date(2027, 2, 17), date(2027, 2, 17), "Staff training"),
    ]

    bins = services["millbrook-missed-bins"]
    assert bins.organisation_id == "millbrook-district-council", "rows naming the same organisation share it"
    assert bins.lgsl_codes == (524, 1130) and bins.phones[0].extension == 2
    assert bins.phrases == ("bin not emptied", "they missed my bin", "recycling not collected")
    assert [(s.byday, s.opens_at, s.closes_at) for s in bins.schedules if not s.closed] == [
        ("MO,TU,WE,TH,FR", time(9), time(17)),
        ("SA", time(9), time(12)),
    ]
    assert bins.areas[0].postcode_districts == ("MB1", "MB2", "MB3") and bins.last_verified == date(
        2026, 9, 30
    )

    noise = services["millbrook-noise"]
    assert [(s.byday, s.opens_at, s.closes_at) for s in noise.schedules] == [
        ("MO,TU,WE,TH", time(9), time(12, 30)),
        ("MO,TU,WE,TH", time(13, 30), time(17)),
        ("FR", time(9), time(16, 30)),
    ]
    assert [p.out_of_hours for p in noise.phones] == [False, True]
    homeless = services["millbrook-homeless-out-of-hours"]
    assert homeless.open_on_bank_holidays
    assert [(s.byday, s.opens_at, s.closes_at) for s in homeless.schedules] == [
        ("MO,TU,WE,TH,FR,SA,SU", time(0), time(23, 59))
    ]


def test_the_example_spreadsheet_survives_export_and_re_import(engine, tmp_path: Path) -> None:
    import_directory(engine, EXAMPLE)
    export_directory(engine, tmp_path / "export.json")
    copy = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    migrate(copy)

    import_directory(copy, tmp_path / "export.json")

    for original, copied in zip(snapshot(engine), snapshot(copy), strict=True):
        for record_id, record in original.items():
            for item in fields(record):
                assert getattr(copied[record_id], item.name) == getattr(record, item.name), item.name
    copy.dispose()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mo-Fr 09:00-17:00", [("MO,TU,WE,TH,FR", "09:00", "17:00")]),
        ("sa-mo 10:00-16:00", [("MO,SA,SU", "10:00", "16:00")]),
        ("Mo,We,Fr 9:00-12:00", [("MO,WE,FR", "9:00", "12:00")]),
        ("24/7", [("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")]),
        ("", []),
    ],
)
def test_opening_hours_are_written_compactly(text: str, expected: list) -> None:
    assert opening_hours(text) == expected


@pytest.mark.parametrize("text", ["Mo-Fx 09:00-17:00", "weekdays 9 to 5", "Mo-Fr 09:00", "Mo-Fr 9am-5pm"])
def test_opening_hours_that_cannot_be_read_are_refused(text: str) -> None:
    with pytest.raises(FieldError):
        opening_hours(text)


def test_spreadsheet_problems_name_the_line_the_service_and_the_column(engine, tmp_path: Path) -> None:
    path = write_template(
        tmp_path / "council.csv",
        row(),
        row(service_id="noise", opening_hours="Mo-Fx 09:00-17:00", lgsl_codes="412; 99999"),
        row(service_id="rats", phones="call us", description="two\nlines"),
        row(service_id="pests", service_name=""),
    )

    with pytest.raises(ImportRejected) as rejected:
        import_directory(engine, path)

    noise = "council.csv: line 3, service noise"
    assert [str(problem) for problem in rejected.value.errors] == [
        f'{noise}: opening_hours: "Mo-Fx" are not days (use Mo Tu We Th Fr Sa Su, e.g. Mo-Fr)',
        f'{noise}: lgsl_codes: "99999" is not a known LGSL code (see bot/directory/reference/)',
        'council.csv: line 4, service rats: phones: "call us" is not a UK phone number',
        "council.csv: line 6, service pests: service_name: is missing (every service needs a name)",
    ], "line 6 in the file: the description on line 4 holds a line break"
    assert counts(engine)["services"] == 0


def test_a_spreadsheet_with_the_same_service_id_twice_is_refused(engine, tmp_path: Path) -> None:
    path = write_template(tmp_path / "council.csv", row(), row(service_name="Bins again"))

    with pytest.raises(ImportRejected) as rejected:
        import_directory(engine, path)

    assert str(rejected.value.errors[0]) == (
        "council.csv: line 3, service bins: id: duplicate id: "
        "council.csv: line 2, service bins has the same id"
    )


def test_a_spreadsheet_without_the_required_columns_is_refused(engine, tmp_path: Path) -> None:
    path = write_template(tmp_path / "council.csv", {"service_name": "Bins"}, columns=("service_name",))

    with pytest.raises(ImportRejected) as rejected:
        import_directory(engine, path)

    assert str(rejected.value.errors[0]) == (
        "council.csv: line 1: missing column(s): service_id, organisation_name"
    )


def test_a_spreadsheet_saved_in_a_windows_encoding_is_refused_with_advice(engine, tmp_path: Path) -> None:
    path = tmp_path / "council.csv"
    path.write_bytes("service_id,service_name,organisation_name\nx,Caf\xe9 grants,Council\n".encode("cp1252"))

    with pytest.raises(ImportRejected) as rejected:
        import_directory(engine, path)

    assert "save it as 'CSV UTF-8'" in str(rejected.value.errors[0])


def test_blank_rows_and_extra_columns_are_tolerated(engine, tmp_path: Path) -> None:
    path = write_template(
        tmp_path / "council.csv",
        row(notes="ours"),
        {},
        row(service_id="noise", lgsl_codes="412", notes=""),
        columns=(*COLUMNS, "notes"),
    )

    report = import_directory(engine, path)

    assert len(report.created) == 2
    assert [str(warning) for warning in report.warnings] == [
        "council.csv: line 1: notes: is not a template column; ignored"
    ]
