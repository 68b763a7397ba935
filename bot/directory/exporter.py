"""Exporting the directory as HSDS 3.0 JSON: one `service_list` page holding every service, each with its
organisation embedded, in the mapping of docs/hsds-mapping.md.

Importing the export reproduces every stored field (the round trip is tested field by field). Output is
sorted by id and ids of attributes and terms are derived, not random, so exporting twice gives identical
files and a diff between two exports shows only real changes.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.directory.importers.hsds import (
    KIND_TAXONOMY,
    LGSL_TAXONOMY,
    LGSL_URI_PREFIX,
    PHONE_TAXONOMY,
    PHRASE_TAXONOMY,
    POSTCODE_DISTRICTS_EXTENT,
    ROLE_TAXONOMY,
    STAFF_NOTE_TAXONOMY,
)
from bot.directory.importers.records import (
    AreaRecord,
    OrganisationRecord,
    PhoneRecord,
    ScheduleRecord,
    ServiceRecord,
)
from bot.directory.importers.stored import stored_organisations, stored_services
from bot.directory.lgsl import lgsl_catalogue

EXPORT_NAMESPACE = uuid.UUID("0b6c7d0e-6a43-4b8e-8f55-2f4a5e1b9c30")

TERM_TEXT = {
    (ROLE_TAXONOMY, "contact_centre"): ("Contact centre", "The council's general contact centre."),
    (ROLE_TAXONOMY, "open_on_bank_holidays"): ("Open on bank holidays", "Open on bank holidays."),
    (ROLE_TAXONOMY, "host_council"): ("Host council", "The council that runs this assistant."),
    (PHRASE_TAXONOMY, "resident_phrase"): ("Resident phrase", "How residents describe the need."),
    (STAFF_NOTE_TAXONOMY, "staff_note"): ("Staff note", "Shown to council staff only."),
    (PHONE_TAXONOMY, "staff_only"): ("Staff only", "A number for council staff, not residents."),
    (PHONE_TAXONOMY, "out_of_hours"): ("Out of hours", "The number to call when the service is closed."),
}


def _stable_id(*parts: object) -> str:
    return str(uuid.uuid5(EXPORT_NAMESPACE, "/".join(str(part) for part in parts)))


def _drop_empty(document: dict[str, Any]) -> dict[str, Any]:
    """HSDS fields are optional: leave out what we do not have rather than writing nulls."""
    return {key: value for key, value in document.items() if value is not None and value != []}


def _clock(value: time | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat() + "Z"


def _term(taxonomy: str, code: str) -> dict[str, Any]:
    if taxonomy == LGSL_TAXONOMY:
        service = lgsl_catalogue().get(int(code))
        name = service.label if service else f"LGSL {code}"
        description = service.description if service else name
        return {
            "id": _stable_id("term", taxonomy, code),
            "code": code,
            "name": name,
            "description": description or name,
            "taxonomy": taxonomy,
            "term_uri": f"{LGSL_URI_PREFIX}{code}",
        }
    name, description = TERM_TEXT.get((taxonomy, code), (code.replace("_", " ").capitalize(), code))
    return {
        "id": _stable_id("term", taxonomy, code),
        "code": code,
        "name": name,
        "description": description,
        "taxonomy": taxonomy,
    }


def _attribute(owner: str, taxonomy: str, code: str, value: str | None = None, position: int = 0) -> dict:
    return _drop_empty(
        {
            "id": _stable_id("attribute", owner, taxonomy, code, position),
            "taxonomy_term_id": _stable_id("term", taxonomy, code),
            "value": value,
            "taxonomy_term": _term(taxonomy, code),
        }
    )


def phone_to_hsds(phone: PhoneRecord) -> dict[str, Any]:
    attributes = []
    if phone.audience == "staff":
        attributes.append(_attribute(phone.id, PHONE_TAXONOMY, "staff_only"))
    if phone.out_of_hours:
        attributes.append(_attribute(phone.id, PHONE_TAXONOMY, "out_of_hours"))
    return _drop_empty(
        {
            "id": phone.id,
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "description": phone.description,
            "attributes": attributes,
        }
    )


def schedule_to_hsds(schedule: ScheduleRecord) -> dict[str, Any]:
    dates = {
        "valid_from": schedule.valid_from.isoformat() if schedule.valid_from else None,
        "valid_to": schedule.valid_to.isoformat() if schedule.valid_to else None,
    }
    if schedule.closed:
        return _drop_empty({"id": schedule.id, **dates, "description": schedule.description})
    return _drop_empty(
        {
            "id": schedule.id,
            **dates,
            "freq": "WEEKLY",
            "byday": schedule.byday,
            "opens_at": _clock(schedule.opens_at),
            "closes_at": _clock(schedule.closes_at),
            "description": schedule.description,
        }
    )


def area_to_hsds(area: AreaRecord) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": area.id,
            "name": area.name,
            "extent": " ".join(area.postcode_districts),
            "extent_type": POSTCODE_DISTRICTS_EXTENT,
        }
    )


def organisation_to_hsds(organisation: OrganisationRecord) -> dict[str, Any]:
    attributes = []
    if organisation.kind:
        attributes.append(_attribute(organisation.id, KIND_TAXONOMY, organisation.kind))
    if organisation.is_host:
        attributes.append(_attribute(organisation.id, ROLE_TAXONOMY, "host_council"))
    return _drop_empty(
        {
            "id": organisation.id,
            "name": organisation.name,
            "alternate_name": organisation.alternate_name,
            "description": organisation.description or "",
            "email": organisation.email,
            "website": organisation.website,
            "phones": [phone_to_hsds(phone) for phone in organisation.phones],
            "attributes": attributes,
        }
    )


def _service_attributes(service: ServiceRecord) -> list[dict[str, Any]]:
    attributes = [_attribute(service.id, LGSL_TAXONOMY, str(code)) for code in service.lgsl_codes]
    if service.is_contact_centre:
        attributes.append(_attribute(service.id, ROLE_TAXONOMY, "contact_centre"))
    if service.open_on_bank_holidays:
        attributes.append(_attribute(service.id, ROLE_TAXONOMY, "open_on_bank_holidays"))
    attributes += [
        _attribute(service.id, PHRASE_TAXONOMY, "resident_phrase", phrase, position)
        for position, phrase in enumerate(service.phrases)
    ]
    if service.staff_notes:
        attributes.append(_attribute(service.id, STAFF_NOTE_TAXONOMY, "staff_note", service.staff_notes))
    return attributes


def _locations(service: ServiceRecord) -> list[dict[str, Any]]:
    """The service's address as one HSDS location (the whole line in `address_1`, as it is stored)."""
    if not service.address:
        return []
    location_id = _stable_id(service.id, "location")
    return [
        {
            "id": _stable_id(service.id, "service_at_location"),
            "service_id": service.id,
            "location_id": location_id,
            "location": {
                "id": location_id,
                "location_type": "physical",
                "addresses": [
                    {
                        "id": _stable_id(service.id, "address"),
                        "location_id": location_id,
                        "address_1": service.address,
                        "city": "",
                        "state_province": "",
                        "postal_code": "",
                        "country": "GB",
                        "address_type": "physical",
                    }
                ],
            },
        }
    ]


def service_to_hsds(service: ServiceRecord, organisation: OrganisationRecord | None) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": service.id,
            "organization_id": service.organisation_id,
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "assured_date": service.last_verified.isoformat() if service.last_verified else None,
            "last_modified": _timestamp(service.last_modified),
            "phones": [phone_to_hsds(phone) for phone in service.phones],
            "schedules": [schedule_to_hsds(schedule) for schedule in service.schedules],
            "service_areas": [area_to_hsds(area) for area in service.areas],
            "service_at_locations": _locations(service),
            "organization": organisation_to_hsds(organisation) if organisation else None,
            "attributes": _service_attributes(service),
        }
    )


def directory_document(session: Session) -> dict[str, Any]:
    """The whole directory as one HSDS `service_list` page, services sorted by id."""
    organisations = stored_organisations(session)
    services = stored_services(session)
    contents = [
        service_to_hsds(service, organisations.get(service.organisation_id or ""))
        for _, service in sorted(services.items())
    ]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def export_directory(engine: Engine, path: Path | str) -> int:
    """Writes the directory to `path` as HSDS 3.0 JSON and returns how many services it holds."""
    with Session(engine) as session:
        document = directory_document(session)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    return document["total_items"]
