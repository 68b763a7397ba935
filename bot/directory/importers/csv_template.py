"""Reading the spreadsheet template (one row per service) for councils that have no HSDS feed.

The columns are documented in docs/directory.md and shown in data/directory/template_example.csv. List
cells use `;` between items; opening hours use a compact form, `Mo-Fr 09:00-17:00; Sa 09:00-12:00`.
Problems name the CSV line where the row starts (the header is line 1, so this is the spreadsheet row
number unless an earlier cell holds a line break) and the column.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from bot.directory.importers import fields
from bot.directory.importers.collect import Collector, derived_id
from bot.directory.importers.reader import RecordReader
from bot.directory.importers.records import (
    AreaRecord,
    OrganisationRecord,
    PhoneRecord,
    ScheduleRecord,
    ServiceRecord,
)

COLUMNS = (
    "service_id",
    "service_name",
    "alternate_name",
    "description",
    "status",
    "url",
    "email",
    "address",
    "organisation_id",
    "organisation_name",
    "organisation_kind",
    "organisation_is_host",
    "organisation_website",
    "organisation_email",
    "organisation_phones",
    "lgsl_codes",
    "phones",
    "staff_phones",
    "out_of_hours_phones",
    "opening_hours",
    "closures",
    "open_on_bank_holidays",
    "contact_centre",
    "resident_phrases",
    "staff_notes",
    "postcode_districts",
    "area_name",
    "last_verified",
)
REQUIRED_COLUMNS = ("service_id", "service_name", "organisation_name")

DAY_NAMES = {"mo": "MO", "tu": "TU", "we": "WE", "th": "TH", "fr": "FR", "sa": "SA", "su": "SU"}
DAY_ORDER = list(DAY_NAMES.values())
HOURS_ENTRY = re.compile(r"(?P<days>[A-Za-z][A-Za-z,\-\s]*?)\s+(?P<ranges>\d.*)")
TIME_RANGE = re.compile(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})")
CLOSURE = re.compile(
    r"(?P<start>\d{4}-\d{2}-\d{2})(?:\s*(?:to|\.\.)\s*(?P<end>\d{4}-\d{2}-\d{2}))?"
    r"\s*(?:\((?P<bracketed>.*)\)|(?P<reason>.*))"
)
PHONE_PURPOSE = re.compile(r"\(([^()]*[A-Za-z][^()]*)\)\s*$")
HOURS_HELP = "write e.g. Mo-Fr 09:00-17:00; Sa 09:00-12:00"


def split_list(value: str | None) -> list[str]:
    """The items of a `;`-separated cell, trimmed, blanks dropped."""
    return [item.strip() for item in (value or "").split(";") if item.strip()]


def _days(text: str) -> str:
    """`Mo-Fr,Su` to `MO,TU,WE,TH,FR,SU`; ranges may wrap round the week (`Sa-Mo`)."""
    chosen: set[str] = set()
    for part in (piece.strip().lower() for piece in text.split(",")):
        ends = [end.strip()[:2] for end in part.split("-")]
        if not part or len(ends) > 2 or any(end not in DAY_NAMES for end in ends):
            raise fields.FieldError(f'"{text.strip()}" are not days (use Mo Tu We Th Fr Sa Su, e.g. Mo-Fr)')
        first, last = DAY_ORDER.index(DAY_NAMES[ends[0]]), DAY_ORDER.index(DAY_NAMES[ends[-1]])
        span = (last - first) % 7
        chosen.update(DAY_ORDER[(first + offset) % 7] for offset in range(span + 1))
    return ",".join(day for day in DAY_ORDER if day in chosen)


def opening_hours(value: str | None) -> list[tuple[str, str, str]]:
    """`Mo-Fr 09:00-12:30,13:30-17:00; Sa 09:00-12:00` (or `24/7`) as (byday, opens, closes) triples."""
    result = []
    for entry in split_list(value):
        if entry.replace(" ", "") == "24/7":
            result.append((",".join(DAY_ORDER), "00:00", "23:59"))
            continue
        match = HOURS_ENTRY.fullmatch(entry)
        if not match:
            raise fields.FieldError(f'"{entry}" is not opening hours ({HOURS_HELP})')
        byday = _days(match.group("days"))
        ranges = [piece.strip() for piece in match.group("ranges").split(",")]
        for piece in ranges:
            times = TIME_RANGE.fullmatch(piece)
            if not times:
                raise fields.FieldError(f'"{piece}" in "{entry}" is not a time range ({HOURS_HELP})')
            result.append((byday, times.group(1), times.group(2)))
    return result


def _phone_items(value: str | None) -> list[tuple[str, str | None]]:
    """`01632 960100 (Missed bins); 01632 960101 ext 12` as (number, purpose) pairs."""
    items = []
    for item in split_list(value):
        purpose = PHONE_PURPOSE.search(item)
        if purpose and not re.fullmatch(r"\s*(?:ext\.?|x)\s*\d+\s*", purpose.group(1), re.IGNORECASE):
            items.append((item[: purpose.start()].strip(), purpose.group(1).strip()))
        else:
            items.append((item, None))
    return items


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64] or "organisation"


def read_csv_file(path: Path, display: str, collector: Collector) -> None:
    collector.files.append(display)
    problems = collector.problems
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
        with handle:
            reader = csv.DictReader(handle)
            header = [name.strip().lower().replace(" ", "_") for name in (reader.fieldnames or [])]
            missing = [column for column in REQUIRED_COLUMNS if column not in header]
            if missing:
                problems.reject(display, "line 1", "", f"missing column(s): {', '.join(missing)}")
                return
            for column in header:
                if column and column not in COLUMNS:
                    problems.warn(display, "line 1", column, "is not a template column; ignored")
            reader.fieldnames = header
            line = reader.line_num + 1
            for row in reader:
                if any((value or "").strip() for key, value in row.items() if key is not None):
                    _read_row(row, display, line, collector)
                line = reader.line_num + 1
    except UnicodeDecodeError as error:
        problems.reject(display, "", "", f"is not UTF-8 text (byte {error.start}): save it as 'CSV UTF-8'")
    except csv.Error as error:
        problems.reject(display, "", "", f"is not a readable CSV file: {error}")


def _read_row(row: dict, display: str, line: int, collector: Collector) -> None:
    raw_id = (row.get("service_id") or "").strip()
    label = f"line {line}" + (f", service {raw_id}" if raw_id else "")
    reader = RecordReader(collector.problems, display, label)
    service_id = reader.read("service_id", fields.identifier, row.get("service_id"))
    owner = service_id or "?"
    organisation = _organisation(reader, row)
    record = ServiceRecord(
        id=owner,
        organisation_id=organisation.id if organisation else None,
        name=reader.read(
            "service_name", fields.required_text(255, "every service needs a name"), row.get("service_name")
        )
        or "",
        status=reader.read("status", fields.status, row.get("status") or "active") or "",
        alternate_name=reader.read("alternate_name", fields.text_up_to(255), row.get("alternate_name")),
        description=reader.read("description", fields.text, row.get("description")) or "",
        url=reader.web_address("url", row.get("url")),
        email=reader.email("email", row.get("email")),
        address=reader.read("address", fields.text_up_to(500), row.get("address")),
        staff_notes=reader.read("staff_notes", fields.text, row.get("staff_notes")),
        last_verified=reader.read("last_verified", _optional_date, row.get("last_verified")),
        open_on_bank_holidays=bool(
            reader.read("open_on_bank_holidays", fields.yes_no, row.get("open_on_bank_holidays"))
        ),
        is_contact_centre=bool(reader.read("contact_centre", fields.yes_no, row.get("contact_centre"))),
        phones=_service_phones(reader, row, owner),
        schedules=_schedules(reader, row, owner),
        lgsl_codes=_lgsl_codes(reader, row),
        phrases=_phrases(reader, row),
        areas=_areas(reader, row, owner),
    )
    origin = (display, label)
    if reader.failed or service_id is None or organisation is None:
        collector.add_rejected_service(service_id, origin)
        return
    collector.add_organisation(organisation, origin)
    collector.add_service(record, origin)


def _optional_date(value: object) -> date | None:
    return fields.calendar_date(value) if fields.text(value) else None


def _organisation(reader: RecordReader, row: dict) -> OrganisationRecord | None:
    name = reader.read(
        "organisation_name",
        fields.required_text(255, "every service needs an organisation"),
        row.get("organisation_name"),
    )
    organisation_id = reader.read("organisation_id", fields.text_up_to(64), row.get("organisation_id"))
    if name is None:
        return None
    organisation_id = organisation_id or _slug(name)
    phones = tuple(
        _phone(reader, "organisation_phones", number, purpose, f"organisation:{organisation_id}", index)
        for index, (number, purpose) in enumerate(_phone_items(row.get("organisation_phones")))
    )
    return OrganisationRecord(
        id=organisation_id,
        name=name,
        email=reader.email("organisation_email", row.get("organisation_email")),
        website=reader.web_address("organisation_website", row.get("organisation_website")),
        kind=reader.read("organisation_kind", fields.organisation_kind, row.get("organisation_kind")),
        is_host=bool(reader.read("organisation_is_host", fields.yes_no, row.get("organisation_is_host"))),
        phones=tuple(phone for phone in phones if phone is not None),
    )


def _phone(
    reader: RecordReader,
    column: str,
    number: str,
    purpose: str | None,
    owner: str,
    index: int,
    *,
    audience: str = "public",
    out_of_hours: bool = False,
) -> PhoneRecord | None:
    parsed = reader.read(column, fields.phone, number)
    if parsed is None:
        return None
    return PhoneRecord(
        id=derived_id(owner, "phone", index),
        number=parsed[0],
        extension=parsed[1],
        type="voice",
        description=purpose,
        audience=audience,
        out_of_hours=out_of_hours,
    )


def _service_phones(reader: RecordReader, row: dict, owner: str) -> tuple[PhoneRecord, ...]:
    phones: list[PhoneRecord | None] = []
    for column, audience, out_of_hours in (
        ("phones", "public", False),
        ("staff_phones", "staff", False),
        ("out_of_hours_phones", "public", True),
    ):
        for number, purpose in _phone_items(row.get(column)):
            phones.append(
                _phone(
                    reader,
                    column,
                    number,
                    purpose,
                    owner,
                    len(phones),
                    audience=audience,
                    out_of_hours=out_of_hours,
                )
            )
    return tuple(phone for phone in phones if phone is not None)


def _schedules(reader: RecordReader, row: dict, owner: str) -> tuple[ScheduleRecord, ...]:
    schedules: list[ScheduleRecord] = []
    weekly = reader.read("opening_hours", opening_hours, row.get("opening_hours"), [])
    for byday, opens, closes in weekly or []:
        opens_at = reader.read("opening_hours", fields.clock_time, opens)
        closes_at = reader.read("opening_hours", fields.clock_time, closes)
        schedules.append(
            ScheduleRecord(
                id=derived_id(owner, "schedule", len(schedules)),
                byday=byday,
                opens_at=opens_at,
                closes_at=closes_at,
            )
        )
    for item in split_list(row.get("closures")):
        match = CLOSURE.fullmatch(item)
        if not match:
            reader.reject(
                "closures", f'"{item}" is not a closure (write e.g. 2026-12-24 to 2027-01-01 (Christmas))'
            )
            continue
        start = reader.read("closures", fields.calendar_date, match.group("start"))
        end = reader.read("closures", fields.calendar_date, match.group("end") or match.group("start"))
        if start and end and end < start:
            reader.reject("closures", f'"{item}" ends before it starts')
        reason = (match.group("bracketed") or match.group("reason") or "").strip() or None
        schedules.append(
            ScheduleRecord(
                id=derived_id(owner, "schedule", len(schedules)),
                valid_from=start,
                valid_to=end,
                closed=True,
                description=reason,
            )
        )
    return tuple(schedules)


def _lgsl_codes(reader: RecordReader, row: dict) -> tuple[int, ...]:
    codes = (reader.read("lgsl_codes", fields.lgsl_code, item) for item in split_list(row.get("lgsl_codes")))
    return tuple(sorted({code for code in codes if code is not None}))


def _phrases(reader: RecordReader, row: dict) -> tuple[str, ...]:
    phrases: list[str] = []
    for item in split_list(row.get("resident_phrases")):
        phrase = reader.read("resident_phrases", fields.text_up_to(500), item)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    return tuple(phrases)


def _areas(reader: RecordReader, row: dict, owner: str) -> tuple[AreaRecord, ...]:
    districts = reader.read(
        "postcode_districts", fields.postcode_districts, row.get("postcode_districts"), ()
    )
    name = reader.read("area_name", fields.text_up_to(255), row.get("area_name"))
    if not districts:
        if name:
            reader.warn("area_name", "is given without postcode_districts; ignored")
        return ()
    return (AreaRecord(id=derived_id(owner, "area", 0), name=name, postcode_districts=districts),)
