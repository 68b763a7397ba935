"""Reading HSDS 3.0 / Open Referral UK 3.0 service JSON into records (mapping: docs/hsds-mapping.md).

Standard HSDS fields are read as the specification names them; our extensions travel as `attributes`
(taxonomy terms) and are all optional, so a plain ORUK feed imports with no organisation kind, no LGSL
codes and no resident phrases. A service's address is the first physical address of its
`service_at_locations`, joined on one line. Fields we do not store (programs, costs...) are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.directory.importers import fields
from bot.directory.importers.collect import Collector, derived_id
from bot.directory.importers.errors import Problems
from bot.directory.importers.reader import RecordReader
from bot.directory.importers.records import (
    AreaRecord,
    OrganisationRecord,
    PhoneRecord,
    ScheduleRecord,
    ServiceRecord,
)

T = TypeVar("T")

LGSL_TAXONOMY = "esdServiceTypes"
LGSL_URI_PREFIX = "http://id.esd.org.uk/service/"
KIND_TAXONOMY = "hereToHelpOrganisationKind"
ROLE_TAXONOMY = "hereToHelpRole"
PHRASE_TAXONOMY = "hereToHelpResidentPhrase"
STAFF_NOTE_TAXONOMY = "hereToHelpStaffNote"
PHONE_TAXONOMY = "hereToHelpPhone"
POSTCODE_DISTRICTS_EXTENT = "postcode_districts"


@dataclass(frozen=True)
class Term:
    """One attribute's taxonomy term, reduced to what we read."""

    index: int
    taxonomy: str
    code: str | None
    value: str | None
    term_uri: str | None

    def is_lgsl(self) -> bool:
        return self.taxonomy.lower() in ("esdservicetypes", "lgsl") or (self.term_uri or "").startswith(
            LGSL_URI_PREFIX
        )

    def is_(self, taxonomy: str) -> bool:
        return self.taxonomy.lower() == taxonomy.lower()


def load_json(path: Path, display: str, problems: Problems) -> Any | None:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        problems.reject(display, "", "", f"is not UTF-8 text (byte {error.start})")
        return None
    except OSError as error:
        problems.reject(display, "", "", f"cannot be read: {error.strerror}")
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        problems.reject(
            display, f"line {error.lineno}, column {error.colno}", "", f"invalid JSON: {error.msg}"
        )
        return None


def service_objects(document: Any, display: str, problems: Problems) -> Iterator[tuple[str, dict]]:
    """The service objects in a document of any accepted shape, each with its path in the document."""
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        items, prefix = document["contents"], "contents"
    elif isinstance(document, list):
        items, prefix = document, ""
    elif isinstance(document, dict) and ("id" in document or "name" in document):
        yield "", document
        return
    else:
        problems.reject(
            display,
            "",
            "",
            "is not an HSDS service, a service_list page (with contents) or an array of services",
        )
        return
    for index, item in enumerate(items):
        where = f"{prefix}[{index}]"
        if isinstance(item, dict):
            yield where, item
        else:
            problems.reject(display, where, "", f"expected a service object, got {type(item).__name__}")


def read_hsds_file(path: Path, display: str, collector: Collector) -> None:
    """Reads every service in one file into `collector`; problems go to `collector.problems`."""
    collector.files.append(display)
    document = load_json(path, display, collector.problems)
    if document is None:
        return
    for where, item in service_objects(document, display, collector.problems):
        read_service(item, display, where, collector)


def _label(item: dict, where: str) -> str:
    service_id = item.get("id")
    if isinstance(service_id, str | int) and str(service_id).strip():
        return f"service {str(service_id).strip()}"
    return f"service at {where or 'top level'} (no id)"


def _list(reader: RecordReader, path: str, value: object) -> list[tuple[int, dict]]:
    """The objects of an optional array field; anything else in it is rejected."""
    if value is None:
        return []
    if not isinstance(value, list):
        reader.reject(path, f"expected an array, got {type(value).__name__}")
        return []
    result = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            result.append((index, item))
        else:
            reader.reject(f"{path}[{index}]", f"expected an object, got {type(item).__name__}")
    return result


def _terms(reader: RecordReader, path: str, value: object) -> list[Term]:
    terms = []
    for index, attribute in _list(reader, path, value):
        term = attribute.get("taxonomy_term")
        if not isinstance(term, dict):
            continue
        taxonomy = term.get("taxonomy")
        if isinstance(taxonomy, dict):
            taxonomy = taxonomy.get("name")
        detail = term.get("taxonomy_detail")
        if not taxonomy and isinstance(detail, dict):
            taxonomy = detail.get("name")
        code, term_value, uri = term.get("code"), attribute.get("value"), term.get("term_uri")
        terms.append(
            Term(
                index=index,
                taxonomy=str(taxonomy or ""),
                code=str(code).strip() if isinstance(code, str | int) else None,
                value=term_value.strip() if isinstance(term_value, str) else None,
                term_uri=uri if isinstance(uri, str) else None,
            )
        )
    return terms


def read_service(item: dict, display: str, where: str, collector: Collector) -> None:
    label = _label(item, where)
    reader = RecordReader(collector.problems, display, label)
    service_id = reader.read("id", fields.identifier, item.get("id"))
    name = reader.read("name", fields.required_text(255, "every service needs a name"), item.get("name"))
    status = reader.read("status", fields.status, item.get("status"))
    organisation = _organisation(reader, item)
    organisation_id = organisation.id if organisation else None
    reference = reader.read("organization_id", fields.text_up_to(64), item.get("organization_id"))
    if organisation and reference and reference != organisation.id:
        reader.reject("organization_id", f'"{reference}" differs from organization.id "{organisation.id}"')
    owner = service_id or "?"
    terms = _terms(reader, "attributes", item.get("attributes"))
    record = ServiceRecord(
        id=owner,
        organisation_id=organisation_id or reference,
        name=name or "",
        status=status or "",
        alternate_name=reader.read("alternate_name", fields.text_up_to(255), item.get("alternate_name")),
        description=reader.read("description", fields.text, item.get("description")) or "",
        url=reader.web_address("url", item.get("url")),
        email=reader.email("email", item.get("email")),
        staff_notes=_staff_notes(terms),
        last_verified=_optional(reader, "assured_date", fields.calendar_date, item.get("assured_date")),
        last_modified=_optional(reader, "last_modified", fields.date_time, item.get("last_modified")),
        open_on_bank_holidays=any(t.is_(ROLE_TAXONOMY) and t.code == "open_on_bank_holidays" for t in terms),
        is_contact_centre=any(t.is_(ROLE_TAXONOMY) and t.code == "contact_centre" for t in terms),
        address=_address(reader, item.get("service_at_locations")),
        phones=_phones(reader, "phones", item.get("phones"), owner),
        schedules=_schedules(reader, item.get("schedules"), owner),
        lgsl_codes=_lgsl_codes(reader, terms),
        phrases=_phrases(reader, terms),
        areas=_areas(reader, item.get("service_areas"), owner),
    )
    for term in terms:
        if term.is_(ROLE_TAXONOMY) and term.code not in ("open_on_bank_holidays", "contact_centre"):
            reader.warn(
                f"attributes[{term.index}]", f'service role "{term.code}" is not one we know; ignored'
            )
    origin = (display, label)
    if reader.failed or service_id is None:
        collector.add_rejected_service(service_id, origin)
        return
    if organisation is not None:
        collector.add_organisation(organisation, origin)
    elif reference is not None:
        collector.reference_organisation(reference, origin)
    collector.add_service(record, origin)


ADDRESS_PARTS = ("address_1", "address_2", "city", "region", "state_province", "postal_code")


def _address(reader: RecordReader, value: object) -> str | None:
    """The first physical (else any) address of the service's locations, with the location's name, on one
    line: "Brackenford Civic Centre, Market Street, Brackenford BV1 1AA"."""
    found: list[tuple[bool, str]] = []
    for _index, link in _list(reader, "service_at_locations", value):
        location = link.get("location")
        if not isinstance(location, dict):
            continue
        name = str(location.get("name") or "").strip()
        addresses = location.get("addresses")
        for address in addresses if isinstance(addresses, list) else []:
            if not isinstance(address, dict):
                continue
            parts = [str(address.get(key) or "").strip() for key in ADDRESS_PARTS]
            parts = [part for part in parts if part]
            if name and parts and name.lower() not in parts[0].lower():
                parts.insert(0, name)
            if parts:
                physical = str(address.get("address_type") or "physical").lower() == "physical"
                found.append((not physical, ", ".join(dict.fromkeys(parts))))
    if not found:
        return None
    line = sorted(found, key=lambda item: item[0])[0][1]
    return reader.read("service_at_locations", fields.text_up_to(500), line)


def _optional(reader: RecordReader, path: str, parser: Callable[[Any], T], value: object) -> T | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return reader.read(path, parser, value)


def _organisation(reader: RecordReader, item: dict) -> OrganisationRecord | None:
    value = item.get("organization")
    if value is None:
        return None
    if not isinstance(value, dict):
        reader.reject("organization", f"expected an object, got {type(value).__name__}")
        return None
    organisation_id = reader.read("organization.id", fields.identifier, value.get("id"))
    name = reader.read(
        "organization.name", fields.required_text(255, "every organisation needs a name"), value.get("name")
    )
    terms = _terms(reader, "organization.attributes", value.get("attributes"))
    kinds = [term for term in terms if term.is_(KIND_TAXONOMY)]
    kind = None
    if kinds:
        kind = reader.read(
            f"organization.attributes[{kinds[0].index}]", fields.organisation_kind, kinds[0].code
        )
    owner = f"organisation:{organisation_id}"
    record = OrganisationRecord(
        id=organisation_id or "?",
        name=name or "",
        alternate_name=reader.read(
            "organization.alternate_name", fields.text_up_to(255), value.get("alternate_name")
        ),
        description=reader.read("organization.description", fields.text, value.get("description")) or "",
        email=reader.email("organization.email", value.get("email")),
        website=reader.web_address("organization.website", value.get("website")),
        kind=kind,
        is_host=any(term.is_(ROLE_TAXONOMY) and term.code == "host_council" for term in terms),
        phones=_phones(reader, "organization.phones", value.get("phones"), owner),
    )
    return record if organisation_id and name else None


def _phones(reader: RecordReader, path: str, value: object, owner: str) -> tuple[PhoneRecord, ...]:
    phones = []
    for index, item in _list(reader, path, value):
        where = f"{path}[{index}]"
        parsed = reader.read(f"{where}.number", fields.phone, item.get("number"))
        explicit_extension = reader.read(f"{where}.extension", fields.extension, item.get("extension"))
        terms = _terms(reader, f"{where}.attributes", item.get("attributes"))
        flags = {term.code for term in terms if term.is_(PHONE_TAXONOMY)}
        if parsed is None:
            continue
        number, written_extension = parsed
        phone_id = reader.read(f"{where}.id", fields.text_up_to(64), item.get("id"))
        phones.append(
            PhoneRecord(
                id=phone_id or derived_id(owner, "phone", index),
                number=number,
                extension=explicit_extension if explicit_extension is not None else written_extension,
                type=reader.read(f"{where}.type", fields.text_up_to(32), item.get("type")),
                description=reader.read(f"{where}.description", fields.text, item.get("description")),
                audience="staff" if "staff_only" in flags else "public",
                out_of_hours="out_of_hours" in flags,
            )
        )
    return tuple(phones)


def _schedules(reader: RecordReader, value: object, owner: str) -> tuple[ScheduleRecord, ...]:
    schedules = []
    for index, item in _list(reader, "schedules", value):
        where = f"schedules[{index}]"
        has_hours = any(item.get(key) not in (None, "") for key in ("opens_at", "closes_at", "byday"))
        valid_from = _optional(reader, f"{where}.valid_from", fields.calendar_date, item.get("valid_from"))
        valid_to = _optional(reader, f"{where}.valid_to", fields.calendar_date, item.get("valid_to"))
        description = reader.read(f"{where}.description", fields.text, item.get("description"))
        schedule_id = reader.read(f"{where}.id", fields.text_up_to(64), item.get("id"))
        schedule_id = schedule_id or derived_id(owner, "schedule", index)
        if has_hours:
            frequency = str(item.get("freq") or "WEEKLY").upper()
            if frequency != "WEEKLY":
                reader.warn(
                    f"{where}.freq", f'"{frequency}" schedules are not supported (only WEEKLY); left out'
                )
                continue
            byday = reader.read(f"{where}.byday", fields.byday, item.get("byday"))
            opens_at = reader.read(f"{where}.opens_at", fields.clock_time, item.get("opens_at"))
            closes_at = reader.read(f"{where}.closes_at", fields.clock_time, item.get("closes_at"))
            schedules.append(
                ScheduleRecord(
                    id=schedule_id,
                    byday=byday,
                    opens_at=opens_at,
                    closes_at=closes_at,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    description=description,
                )
            )
        elif valid_from and valid_to:
            if valid_to < valid_from:
                reader.reject(f"{where}.valid_to", f"{valid_to} is before valid_from {valid_from}")
            schedules.append(
                ScheduleRecord(
                    id=schedule_id,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    closed=True,
                    description=description,
                )
            )
        else:
            reader.warn(
                where, "has no opening times and is not a closure (valid_from and valid_to); left out"
            )
    return tuple(schedules)


def _areas(reader: RecordReader, value: object, owner: str) -> tuple[AreaRecord, ...]:
    areas = []
    for index, item in _list(reader, "service_areas", value):
        where = f"service_areas[{index}]"
        if item.get("extent_type") != POSTCODE_DISTRICTS_EXTENT:
            kind = item.get("extent_type") or "no extent_type"
            reader.warn(where, f'"{kind}" areas are not used (only postcode_districts); left out')
            continue
        districts = reader.read(f"{where}.extent", fields.postcode_districts, item.get("extent"), ())
        area_id = reader.read(f"{where}.id", fields.text_up_to(64), item.get("id"))
        areas.append(
            AreaRecord(
                id=area_id or derived_id(owner, "area", index),
                name=reader.read(f"{where}.name", fields.text_up_to(255), item.get("name")),
                postcode_districts=districts or (),
            )
        )
    return tuple(areas)


def _lgsl_codes(reader: RecordReader, terms: list[Term]) -> tuple[int, ...]:
    codes: set[int] = set()
    for term in terms:
        if not term.is_lgsl():
            continue
        raw = term.code
        if not raw and term.term_uri and term.term_uri.startswith(LGSL_URI_PREFIX):
            raw = term.term_uri[len(LGSL_URI_PREFIX) :].strip("/")
        code = reader.read(f"attributes[{term.index}].taxonomy_term.code", fields.lgsl_code, raw)
        if code is not None:
            codes.add(code)
    return tuple(sorted(codes))


def _phrases(reader: RecordReader, terms: list[Term]) -> tuple[str, ...]:
    phrases: list[str] = []
    for term in terms:
        if not term.is_(PHRASE_TAXONOMY):
            continue
        phrase = reader.read(f"attributes[{term.index}].value", fields.text_up_to(500), term.value)
        if phrase is None:
            reader.warn(f"attributes[{term.index}].value", "resident phrase is empty; left out")
        elif phrase not in phrases:
            phrases.append(phrase)
    return tuple(phrases)


def _staff_notes(terms: list[Term]) -> str | None:
    notes = [term.value for term in terms if term.is_(STAFF_NOTE_TAXONOMY) and term.value]
    return "\n\n".join(notes) if notes else None
