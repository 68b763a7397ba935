"""Reading the directory database back into records, so the writer can compare an import with what is
stored and the exporter can write exactly what an import would read.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.directory.importers.records import (
    AreaRecord,
    OrganisationRecord,
    PhoneRecord,
    ScheduleRecord,
    ServiceRecord,
)
from bot.directory.models import Organisation, Phone, Schedule, Service, ServiceArea
from bot.directory.phrases import DIRECTORY


def phone_record(phone: Phone) -> PhoneRecord:
    return PhoneRecord(
        id=phone.id,
        number=phone.number,
        extension=phone.extension,
        type=phone.type,
        description=phone.description,
        audience=phone.audience,
        out_of_hours=bool(phone.out_of_hours),
    )


def schedule_record(schedule: Schedule) -> ScheduleRecord:
    return ScheduleRecord(
        id=schedule.id,
        byday=schedule.byday,
        opens_at=schedule.opens_at,
        closes_at=schedule.closes_at,
        valid_from=schedule.valid_from,
        valid_to=schedule.valid_to,
        closed=bool(schedule.closed),
        description=schedule.description,
    )


def area_record(area: ServiceArea) -> AreaRecord:
    return AreaRecord(id=area.id, name=area.name, postcode_districts=tuple(area.districts))


def organisation_record(organisation: Organisation) -> OrganisationRecord:
    return OrganisationRecord(
        id=organisation.id,
        name=organisation.name,
        alternate_name=organisation.alternate_name,
        description=organisation.description or "",
        email=organisation.email,
        website=organisation.website,
        kind=organisation.kind,
        is_host=bool(organisation.is_host),
        phones=tuple(phone_record(phone) for phone in organisation.phones),
    )


def service_record(service: Service) -> ServiceRecord:
    return ServiceRecord(
        id=service.id,
        organisation_id=service.organisation_id,
        name=service.name,
        status=service.status,
        alternate_name=service.alternate_name,
        description=service.description or "",
        url=service.url,
        email=service.email,
        staff_notes=service.staff_notes,
        last_verified=service.last_verified,
        last_modified=service.last_modified,
        open_on_bank_holidays=bool(service.open_on_bank_holidays),
        is_contact_centre=bool(service.is_contact_centre),
        address=service.address,
        phones=tuple(phone_record(phone) for phone in service.phones),
        schedules=tuple(schedule_record(schedule) for schedule in service.schedules),
        lgsl_codes=tuple(sorted(link.code for link in service.lgsl_codes)),
        phrases=tuple(
            phrase.phrase for phrase in service.phrases if (phrase.source or DIRECTORY) == DIRECTORY
        ),
        areas=tuple(sorted((area_record(area) for area in service.areas), key=lambda area: area.id)),
    )


def stored_organisations(session: Session) -> dict[str, OrganisationRecord]:
    query = select(Organisation).options(selectinload(Organisation.phones)).order_by(Organisation.id)
    return {row.id: organisation_record(row) for row in session.execute(query).scalars()}


def stored_services(session: Session) -> dict[str, ServiceRecord]:
    query = (
        select(Service)
        .options(
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.lgsl_codes),
            selectinload(Service.phrases),
            selectinload(Service.areas),
        )
        .order_by(Service.id)
    )
    return {row.id: service_record(row) for row in session.execute(query).scalars()}
