"""The read side of the directory used while answering: one service with everything needed to signpost it.

Answers are read from the database at the moment they are given, so an updated phone number shows at once
without retraining. The results are plain frozen values, detached from the session: actions fetch them in a
worker thread and compose the answer on the event loop, and `bot.conversation.answers` can be tested with
hand-made values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from bot.directory.models import Audience, Organisation, Phone, Service, ServiceLgsl, ServiceStatus
from bot.directory.national import ORGANISATION_KIND, body_for, is_national


@dataclass(frozen=True)
class PhoneInfo:
    number: str
    audience: str = Audience.PUBLIC.value
    out_of_hours: bool = False
    description: str = ""
    extension: int | None = None

    @property
    def staff_only(self) -> bool:
        return self.audience == Audience.STAFF.value

    @property
    def display(self) -> str:
        return f"{self.number} ext. {self.extension}" if self.extension else self.number


@dataclass(frozen=True)
class ScheduleInfo:
    byday: str | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    closed: bool = False
    description: str = ""


@dataclass(frozen=True)
class OrganisationInfo:
    id: str
    name: str
    kind: str = ""
    is_host: bool = False
    website: str = ""
    email: str = ""
    phones: tuple[PhoneInfo, ...] = ()


@dataclass(frozen=True)
class ServiceDetails:
    id: str
    name: str
    organisation: OrganisationInfo
    description: str = ""
    url: str = ""
    email: str = ""
    status: str = ServiceStatus.ACTIVE.value
    phones: tuple[PhoneInfo, ...] = ()
    schedules: tuple[ScheduleInfo, ...] = ()
    areas: tuple[str, ...] = ()
    """Postcode districts the service covers; empty means it does not say (treated as everywhere)."""
    area_names: tuple[str, ...] = ()
    staff_notes: str = ""
    lgsl_codes: tuple[int, ...] = ()
    open_on_bank_holidays: bool = False
    is_contact_centre: bool = False
    address: str = ""
    """Where residents can visit, on one line ("Civic Centre, Market Street, Brackenford BV1 1AA")."""

    @property
    def is_active(self) -> bool:
        return self.status == ServiceStatus.ACTIVE.value

    @property
    def provided_elsewhere(self) -> bool:
        """Another organisation's business (the county, a housing association, the police...)."""
        return not self.organisation.is_host


def _phone(row: Phone) -> PhoneInfo:
    return PhoneInfo(
        number=row.number,
        audience=row.audience or Audience.PUBLIC.value,
        out_of_hours=bool(row.out_of_hours),
        description=(row.description or "").strip(),
        extension=row.extension,
    )


def _organisation(row: Organisation | None) -> OrganisationInfo:
    if row is None:
        return OrganisationInfo(id="", name="another organisation")
    return OrganisationInfo(
        id=row.id,
        name=row.name,
        kind=row.kind or "",
        is_host=bool(row.is_host),
        website=row.website or "",
        email=row.email or "",
        phones=tuple(_phone(phone) for phone in row.phones),
    )


def _details(service: Service) -> ServiceDetails:
    districts: list[str] = []
    names: list[str] = []
    for area in service.areas:
        districts.extend(area.districts)
        if area.name:
            names.append(area.name)
    return ServiceDetails(
        id=service.id,
        name=service.name,
        organisation=_organisation(service.organisation),
        description=service.description or "",
        url=service.url or "",
        email=service.email or "",
        status=service.status,
        phones=tuple(_phone(phone) for phone in service.phones),
        schedules=tuple(
            ScheduleInfo(
                byday=row.byday,
                opens_at=row.opens_at,
                closes_at=row.closes_at,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                closed=bool(row.closed),
                description=(row.description or "").strip(),
            )
            for row in service.schedules
        ),
        areas=tuple(dict.fromkeys(district.upper() for district in districts)),
        area_names=tuple(names),
        staff_notes=(service.staff_notes or "").strip(),
        lgsl_codes=tuple(service.codes),
        open_on_bank_holidays=bool(service.open_on_bank_holidays),
        is_contact_centre=bool(service.is_contact_centre),
        address=(service.address or "").strip(),
    )


def _with_everything() -> Select:
    return select(Service).options(
        selectinload(Service.organisation).selectinload(Organisation.phones),
        selectinload(Service.phones),
        selectinload(Service.schedules),
        selectinload(Service.areas),
        selectinload(Service.lgsl_codes),
    )


def national_details(service_id: str) -> ServiceDetails | None:
    """A body of the national signposting catalogue (`bot.directory.national`) as a service to signpost."""
    body = body_for(service_id)
    if body is None:
        return None
    phones = (PhoneInfo(number=body.phone, description=body.phone_hours),) if body.phone else ()
    organisation = OrganisationInfo(
        id=body.service_id, name=body.name, kind=ORGANISATION_KIND, website=body.web, phones=phones
    )
    return ServiceDetails(
        id=body.service_id, name=body.name, organisation=organisation, description=body.handles, url=body.web
    )


def service_details(session: Session, service_id: str) -> ServiceDetails | None:
    """Everything about one service, or None when the id is unknown (e.g. removed since training)."""
    if is_national(service_id):
        return national_details(service_id)
    service = session.execute(_with_everything().where(Service.id == service_id)).scalars().first()
    return _details(service) if service is not None else None


def services_details(session: Session, service_ids: Sequence[str]) -> list[ServiceDetails]:
    """Several services in the order asked for; unknown ids are skipped."""
    if not service_ids:
        return []
    rows = session.execute(_with_everything().where(Service.id.in_(list(service_ids)))).scalars().all()
    by_id = {row.id: _details(row) for row in rows}
    for service_id in service_ids:
        if service_id not in by_id and is_national(service_id):
            found = national_details(service_id)
            if found is not None:
                by_id[service_id] = found
    return [by_id[service_id] for service_id in service_ids if service_id in by_id]


def contact_centre(session: Session) -> ServiceDetails | None:
    """The host council's contact centre: the number given when the bot cannot help or a person is wanted.

    Prefers an active contact-centre service of the host council, then any active contact-centre service.
    """
    rows = (
        session.execute(_with_everything().where(Service.is_contact_centre.is_(True)).order_by(Service.id))
        .scalars()
        .all()
    )
    if not rows:
        return None
    rows.sort(key=lambda row: (not row.is_active, not (row.organisation and row.organisation.is_host)))
    return _details(rows[0])


def host_organisation(session: Session) -> OrganisationInfo | None:
    """The council running this assistant, if the directory marks one."""
    row = (
        session.execute(
            select(Organisation)
            .options(selectinload(Organisation.phones))
            .where(Organisation.is_host.is_(True))
            .order_by(Organisation.id)
        )
        .scalars()
        .first()
    )
    return _organisation(row) if row is not None else None


def services_with_lgsl(session: Session, codes: Sequence[int]) -> list[ServiceDetails]:
    """Active services tagged with any of these LGSL codes: the codes' order first, the host council's first.

    Used by the safety check to add the council's own children's services or adult safeguarding number.
    """
    if not codes:
        return []
    rows = (
        session.execute(
            _with_everything()
            .join(ServiceLgsl, ServiceLgsl.service_id == Service.id)
            .where(ServiceLgsl.code.in_(list(codes)))
            .order_by(Service.id)
        )
        .scalars()
        .unique()
        .all()
    )
    details = [_details(row) for row in rows if row.is_active]
    rank = {code: index for index, code in enumerate(codes)}

    def order(service: ServiceDetails) -> tuple[int, int]:
        first_code = min((rank[code] for code in service.lgsl_codes if code in rank), default=len(rank))
        return (first_code, 0 if service.organisation.is_host else 1)

    return sorted(details, key=order)
