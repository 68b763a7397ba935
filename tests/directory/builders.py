"""Small HSDS 3.0 documents for directory tests, written the way a council feed would write them.

`demo_like_directory()` exercises every field we store (organisation kind and host flag, phones with
extensions, staff-only and out-of-hours numbers, weekly hours and a closure, LGSL codes, resident phrases,
staff notes, postcode districts, dates and statuses), so a round trip through export covers all of them.
Numbers are in Ofcom's drama range.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.directory.importers.stored import stored_organisations, stored_services
from bot.directory.models import Organisation, Phone, Schedule, Service

COUNCIL_ID = "5b0a1a43-6a55-4f4c-9d0e-0c7e2f4d1a01"
COUNTY_ID = "5b0a1a43-6a55-4f4c-9d0e-0c7e2f4d1a02"
BINS_ID = "0f6e2c1a-1111-4a5b-8c9d-000000000001"
POTHOLES_ID = "0f6e2c1a-1111-4a5b-8c9d-000000000002"
CONTACT_ID = "0f6e2c1a-1111-4a5b-8c9d-000000000003"


def term(taxonomy: str, code: str, value: str | None = None, *, uri: str | None = None) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "id": f"attr-{taxonomy}-{code}-{value}",
        "taxonomy_term": {"id": f"term-{taxonomy}-{code}", "code": code, "name": code, "taxonomy": taxonomy},
    }
    if uri:
        attribute["taxonomy_term"]["term_uri"] = uri
    if value is not None:
        attribute["value"] = value
    return attribute


def lgsl(code: int | str) -> dict[str, Any]:
    return term("esdServiceTypes", str(code), uri=f"http://id.esd.org.uk/service/{code}")


def phrase(text: str) -> dict[str, Any]:
    return term("hereToHelpResidentPhrase", "resident_phrase", text)


def council(**overrides: Any) -> dict[str, Any]:
    organisation = {
        "id": COUNCIL_ID,
        "name": "Brackenford District Council",
        "alternate_name": "Brackenford Council",
        "description": "The district council.",
        "email": "hello@brackenford.example",
        "website": "https://www.brackenford.example",
        "phones": [{"id": "b1a7e0d0-0000-4000-8000-0000000000c1", "number": "01632 960000", "type": "voice"}],
        "attributes": [
            term("hereToHelpOrganisationKind", "district"),
            term("hereToHelpRole", "host_council"),
        ],
    }
    organisation.update(overrides)
    return organisation


def county() -> dict[str, Any]:
    return {
        "id": COUNTY_ID,
        "name": "Wessex County Council",
        "description": "The county council: roads, schools, social care.",
        "attributes": [term("hereToHelpOrganisationKind", "county")],
    }


def bins_service(**overrides: Any) -> dict[str, Any]:
    service = {
        "id": BINS_ID,
        "name": "Report a missed bin collection",
        "alternate_name": "Missed bins",
        "description": "Tell us if your bin was not emptied on collection day.",
        "url": "https://www.brackenford.example/bins",
        "email": "waste@brackenford.example",
        "status": "active",
        "assured_date": "2026-10-01",
        "last_modified": "2026-10-01T09:30:00.250Z",
        "organization": council(),
        "phones": [
            {
                "id": "b1a7e0d0-0000-4000-8000-000000000001",
                "number": "01632 960101",
                "extension": 12,
                "type": "voice",
                "description": "Waste line",
            },
            {
                "id": "b1a7e0d0-0000-4000-8000-000000000002",
                "number": "01632 960199",
                "type": "voice",
                "description": "Crew supervisor",
                "attributes": [term("hereToHelpPhone", "staff_only")],
            },
        ],
        "schedules": [
            {
                "id": "b1a7e0d0-0000-4000-8000-000000000011",
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR",
                "opens_at": "08:30",
                "closes_at": "17:00",
                "description": "Weekdays",
            },
            {
                "id": "b1a7e0d0-0000-4000-8000-000000000012",
                "freq": "WEEKLY",
                "byday": "SA",
                "opens_at": "09:00:30",
                "closes_at": "12:00",
                "valid_from": "2026-01-01",
                "valid_to": "2026-12-31",
            },
            {
                "id": "b1a7e0d0-0000-4000-8000-000000000013",
                "valid_from": "2026-12-24",
                "valid_to": "2027-01-02",
                "description": "Closed over Christmas",
            },
        ],
        "service_areas": [
            {
                "id": "b1a7e0d0-0000-4000-8000-000000000021",
                "name": "Brackenford",
                "extent": "AV6 AV7, av8",
                "extent_type": "postcode_districts",
            }
        ],
        "attributes": [
            lgsl(524),
            lgsl(1130),
            phrase("bin not emptied"),
            phrase("they forgot my bin"),
            term("hereToHelpStaffNote", "staff_note", "Check the round calendar before logging."),
            term("hereToHelpRole", "open_on_bank_holidays"),
        ],
    }
    service.update(overrides)
    return service


def potholes_service(**overrides: Any) -> dict[str, Any]:
    service = {
        "id": POTHOLES_ID,
        "name": "Report a pothole",
        "description": "Potholes on county roads.",
        "status": "active",
        "organization": county(),
        "phones": [
            {"id": "b1a7e0d0-0000-4000-8000-000000000003", "number": "01632 960300", "type": "voice"},
            {
                "id": "b1a7e0d0-0000-4000-8000-000000000004",
                "number": "01632 960399",
                "description": "Dangerous road emergencies out of hours",
                "attributes": [term("hereToHelpPhone", "out_of_hours")],
            },
        ],
        "schedules": [
            {
                "id": "b1a7e0d0-0000-4000-8000-000000000014",
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR,SA,SU",
                "opens_at": "00:00",
                "closes_at": "23:59",
            }
        ],
        "attributes": [lgsl(557), phrase("hole in the road")],
    }
    service.update(overrides)
    return service


def contact_centre_service(**overrides: Any) -> dict[str, Any]:
    service = {
        "id": CONTACT_ID,
        "name": "Customer Services",
        "description": "Everything else.",
        "status": "temporarily closed",
        "organization_id": COUNCIL_ID,
        "phones": [{"id": "b1a7e0d0-0000-4000-8000-000000000005", "number": "0300 123 4567"}],
        "schedules": [
            {
                "id": "b1a7e0d0-0000-4000-8000-000000000015",
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR",
                "opens_at": "09:00",
                "closes_at": "17:00",
            }
        ],
        "attributes": [term("hereToHelpRole", "contact_centre"), lgsl(370)],
    }
    service.update(overrides)
    return service


def demo_like_directory() -> dict[str, Any]:
    services = [bins_service(), potholes_service(), contact_centre_service()]
    return {"total_items": len(services), "page_number": 1, "contents": services}


def write_json(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def snapshot(engine: Engine) -> tuple[dict, dict]:
    """Everything stored, as records: equal snapshots mean the database did not change at all."""
    with Session(engine) as session:
        return stored_organisations(session), stored_services(session)


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Organisation, Service, Phone, Schedule)
        }
