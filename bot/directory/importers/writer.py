"""Comparing an import with the database and writing the difference in one transaction.

`plan_changes` only reads: it is what `--dry-run` prints. `apply_plan` writes the plan: organisations and
services are upserted by id, an updated record's children (phones, hours, codes, phrases, areas) are
replaced, and on a full import services missing from the import are marked inactive (never deleted, so
the gap log and referrals that point at them stay valid).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.directory.importers.collect import make_child_ids_unique
from bot.directory.importers.errors import Problems
from bot.directory.importers.records import OrganisationRecord, ParsedDirectory, ServiceRecord
from bot.directory.importers.stored import stored_organisations, stored_services
from bot.directory.models import (
    Organisation,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceLgsl,
    ServicePhrase,
    ServiceStatus,
)
from bot.directory.phrases import DIRECTORY

Progress = Callable[[str, int, int], None]
"""Called as `progress(stage, done, total)` while an import runs; the CLI draws a bar with it."""

DEACTIVATED_STATUS = ServiceStatus.INACTIVE.value
STILL_OFFERED = (ServiceStatus.ACTIVE.value, ServiceStatus.TEMPORARILY_CLOSED.value)
"""Statuses that a full import turns into `inactive` when the service is missing from the import."""
BATCH = 200


@dataclass(frozen=True)
class ServiceChange:
    """A service the import creates, updates or deactivates; `fields` lists what an update changes."""

    id: str
    name: str
    fields: tuple[str, ...] = ()


@dataclass
class ChangePlan:
    parsed: ParsedDirectory
    organisations_created: list[OrganisationRecord] = field(default_factory=list)
    organisations_updated: list[OrganisationRecord] = field(default_factory=list)
    organisations_unchanged: int = 0
    created: list[ServiceRecord] = field(default_factory=list)
    updated: list[tuple[ServiceRecord, tuple[str, ...]]] = field(default_factory=list)
    deactivated: list[ServiceRecord] = field(default_factory=list)
    unchanged: int = 0


def changed_fields(before: ServiceRecord, after: ServiceRecord) -> tuple[str, ...]:
    return tuple(
        item.name for item in fields(before) if getattr(before, item.name) != getattr(after, item.name)
    )


def _ids_held_outside(
    parsed: ParsedDirectory,
    organisations: dict[str, OrganisationRecord],
    services: dict[str, ServiceRecord],
) -> dict[str, set[str]]:
    """Child ids in the database that belong to records this import does not replace."""
    taken: dict[str, set[str]] = {"phone": set(), "schedule": set(), "area": set()}
    for organisation_id, organisation in organisations.items():
        if organisation_id not in parsed.organisations:
            taken["phone"].update(phone.id for phone in organisation.phones)
    for service_id, service in services.items():
        if service_id not in parsed.services:
            taken["phone"].update(phone.id for phone in service.phones)
            taken["schedule"].update(schedule.id for schedule in service.schedules)
            taken["area"].update(area.id for area in service.areas)
    return taken


def plan_changes(session: Session, parsed: ParsedDirectory, *, full: bool, problems: Problems) -> ChangePlan:
    """What writing `parsed` would change. Problems that need the database (an `organization_id` naming
    no organisation anywhere) are added to `problems`; the caller must not apply a plan if there are any.
    """
    organisations = stored_organisations(session)
    services = stored_services(session)
    for organisation_id, (file, record) in sorted(parsed.referenced_organisations.items()):
        if organisation_id not in organisations:
            problems.reject(
                file, record, "organization_id", f'"{organisation_id}" is not in this import or the directory'
            )
    parsed = make_child_ids_unique(parsed, _ids_held_outside(parsed, organisations, services))
    plan = ChangePlan(parsed=parsed)
    for organisation_id, organisation in sorted(parsed.organisations.items()):
        stored = organisations.get(organisation_id)
        if stored is None:
            plan.organisations_created.append(organisation)
        elif stored != organisation:
            plan.organisations_updated.append(organisation)
        else:
            plan.organisations_unchanged += 1
    for service_id, service in sorted(parsed.services.items()):
        stored_service = services.get(service_id)
        if stored_service is None:
            plan.created.append(service)
        elif stored_service != service:
            plan.updated.append((service, changed_fields(stored_service, service)))
        else:
            plan.unchanged += 1
    if full:
        plan.deactivated = [
            service
            for service_id, service in sorted(services.items())
            if service_id not in parsed.services and service.status in STILL_OFFERED
        ]
    return plan


def _organisation_row(record: OrganisationRecord) -> dict:
    return {
        "id": record.id,
        "name": record.name,
        "alternate_name": record.alternate_name,
        "description": record.description,
        "email": record.email,
        "website": record.website,
        "kind": record.kind,
        "is_host": record.is_host,
    }


def _service_row(record: ServiceRecord) -> dict:
    return {
        "id": record.id,
        "organisation_id": record.organisation_id,
        "name": record.name,
        "alternate_name": record.alternate_name,
        "description": record.description,
        "url": record.url,
        "email": record.email,
        "status": record.status,
        "staff_notes": record.staff_notes,
        "last_verified": record.last_verified,
        "last_modified": record.last_modified,
        "open_on_bank_holidays": record.open_on_bank_holidays,
        "is_contact_centre": record.is_contact_centre,
        "address": record.address,
    }


def _phone_rows(phones: Iterable, *, service_id: str | None, organisation_id: str | None) -> list[dict]:
    return [
        {
            "id": phone.id,
            "service_id": service_id,
            "organisation_id": organisation_id,
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "description": phone.description,
            "audience": phone.audience,
            "out_of_hours": phone.out_of_hours,
            "position": position,
        }
        for position, phone in enumerate(phones)
    ]


def _child_rows(services: list[ServiceRecord]) -> dict:
    rows: dict = {Phone: [], Schedule: [], ServiceLgsl: [], ServicePhrase: [], ServiceArea: []}
    for service in services:
        rows[Phone] += _phone_rows(service.phones, service_id=service.id, organisation_id=None)
        rows[Schedule] += [
            {
                "id": schedule.id,
                "service_id": service.id,
                "byday": schedule.byday,
                "opens_at": schedule.opens_at,
                "closes_at": schedule.closes_at,
                "valid_from": schedule.valid_from,
                "valid_to": schedule.valid_to,
                "closed": schedule.closed,
                "description": schedule.description,
                "position": position,
            }
            for position, schedule in enumerate(service.schedules)
        ]
        rows[ServiceLgsl] += [{"service_id": service.id, "code": code} for code in service.lgsl_codes]
        rows[ServicePhrase] += [
            {"service_id": service.id, "phrase": phrase, "position": position, "source": DIRECTORY}
            for position, phrase in enumerate(service.phrases)
        ]
        rows[ServiceArea] += [
            {
                "id": area.id,
                "service_id": service.id,
                "name": area.name,
                "postcode_districts": " ".join(area.postcode_districts),
            }
            for area in service.areas
        ]
    return rows


def _write_organisations(connection: Connection, plan: ChangePlan) -> None:
    table, phones = Organisation.__table__, Phone.__table__
    if plan.organisations_created:
        connection.execute(
            table.insert(), [_organisation_row(record) for record in plan.organisations_created]
        )
    for record in plan.organisations_updated:
        connection.execute(update(table).where(table.c.id == record.id).values(**_organisation_row(record)))
        connection.execute(
            delete(phones).where(phones.c.organisation_id == record.id, phones.c.service_id.is_(None))
        )
    phone_rows = [
        row
        for record in plan.organisations_created + plan.organisations_updated
        for row in _phone_rows(record.phones, service_id=None, organisation_id=record.id)
    ]
    if phone_rows:
        connection.execute(phones.insert(), phone_rows)


def _write_services(connection: Connection, plan: ChangePlan, progress: Progress | None) -> None:
    table = Service.__table__
    work = [(record, False) for record in plan.created] + [(record, True) for record, _ in plan.updated]
    total = len(work) + len(plan.deactivated)
    for start in range(0, len(work), BATCH):
        batch = work[start : start + BATCH]
        existing = [record.id for record, is_update in batch if is_update]
        taught: set[tuple[str, str]] = set()
        if existing:
            for model in (Phone, Schedule, ServiceLgsl, ServiceArea):
                child = model.__table__
                connection.execute(delete(child).where(child.c.service_id.in_(existing)))
            phrases = ServicePhrase.__table__
            connection.execute(
                delete(phrases).where(phrases.c.service_id.in_(existing), phrases.c.source == DIRECTORY)
            )
            taught = {
                (service_id, phrase.lower())
                for service_id, phrase in connection.execute(
                    select(phrases.c.service_id, phrases.c.phrase).where(phrases.c.service_id.in_(existing))
                )
            }
        new_rows = [_service_row(record) for record, is_update in batch if not is_update]
        if new_rows:
            connection.execute(table.insert(), new_rows)
        for record, is_update in batch:
            if is_update:
                connection.execute(
                    update(table).where(table.c.id == record.id).values(**_service_row(record))
                )
        for model, rows in _child_rows([record for record, _ in batch]).items():
            if model is ServicePhrase:  # an officer already taught it: theirs stays, with who and when
                rows = [row for row in rows if (row["service_id"], row["phrase"].lower()) not in taught]
            if rows:
                connection.execute(model.__table__.insert(), rows)
        if progress:
            progress("Writing services", start + len(batch), total)
    for start in range(0, len(plan.deactivated), BATCH):
        ids = [record.id for record in plan.deactivated[start : start + BATCH]]
        connection.execute(update(table).where(table.c.id.in_(ids)).values(status=DEACTIVATED_STATUS))
    if progress:
        progress("Writing services", total, total)


def apply_plan(connection: Connection, plan: ChangePlan, progress: Progress | None = None) -> None:
    """Writes the plan on `connection`; the caller owns the transaction, so a failure writes nothing."""
    _write_organisations(connection, plan)
    _write_services(connection, plan, progress)
