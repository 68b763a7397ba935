"""Putting records read from many files together: one organisation per id, one service per id, child ids
unique across the import, every service attached to an organisation.

Importers call `add_service`/`add_organisation` as they read; `finish` runs the checks that need the
whole import (duplicates, organisation references) and returns the `ParsedDirectory`.
"""

from __future__ import annotations

import uuid
from dataclasses import fields, replace
from typing import Any

from bot.directory.importers.errors import Problems
from bot.directory.importers.records import (
    UNKNOWN_ORGANISATION_ID,
    UNKNOWN_ORGANISATION_NAME,
    OrganisationRecord,
    ParsedDirectory,
    ServiceRecord,
)

CHILD_ID_NAMESPACE = uuid.UUID("6f1d3c52-2b8e-4f0e-9a57-3d2f1c0b7e41")

Origin = tuple[str, str]
"""(file, record label): where a record was read, for messages."""


def derived_id(owner_id: str, kind: str, position: int) -> str:
    """A stable id for a child record the feed gave no (usable) id: same owner and position, same id."""
    return str(uuid.uuid5(CHILD_ID_NAMESPACE, f"{owner_id}/{kind}/{position}"))


def _is_empty(value: object) -> bool:
    return value is None or value == "" or value == () or value is False


class Collector:
    """Accumulates services and organisations from every file of one import."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.files: list[str] = []
        self.services: dict[str, ServiceRecord] = {}
        self.organisations: dict[str, OrganisationRecord] = {}
        self.origins: dict[str, Origin] = {}
        self.organisation_origins: dict[str, Origin] = {}
        self.references: dict[str, Origin] = {}
        self._rejected_ids: set[str] = set()

    def add_organisation(self, record: OrganisationRecord, origin: Origin) -> None:
        """Feeds embed the same organisation in every service: copies are merged, blanks filled from others.

        Two copies that disagree on a filled-in value (two names for one id) are rejected: which one is
        right is for the feed's owner to say.
        """
        existing = self.organisations.get(record.id)
        if existing is None or existing == record:
            self.organisations.setdefault(record.id, record)
            self.organisation_origins.setdefault(record.id, origin)
            return
        merged: dict[str, Any] = {}  # field name → value, for dataclasses.replace
        for item in fields(OrganisationRecord):
            ours, theirs = getattr(existing, item.name), getattr(record, item.name)
            if ours == theirs or _is_empty(theirs):
                merged[item.name] = ours
            elif _is_empty(ours):
                merged[item.name] = theirs
            else:
                first_file, first_record = self.organisation_origins[record.id]
                self.problems.reject(
                    origin[0],
                    origin[1],
                    f"organization.{item.name}",
                    f"organisation {record.id} is described differently in {first_file}: {first_record}",
                )
                return
        self.organisations[record.id] = replace(existing, **merged)

    def add_service(self, record: ServiceRecord, origin: Origin) -> None:
        """A repeated identical service is tolerated (paged feeds repeat records); a different one is not."""
        existing = self.services.get(record.id)
        if existing is None and record.id in self._rejected_ids:
            self.add_rejected_service(record.id, origin)
            return
        if existing is None:
            self.services[record.id] = record
            self.origins[record.id] = origin
            return
        first_file, first_record = self.origins[record.id]
        if existing == record:
            self.problems.warn(
                origin[0], origin[1], "id", f"repeats {first_file}: {first_record} exactly; copy ignored"
            )
            return
        self.problems.reject(
            origin[0], origin[1], "id", f"duplicate id: {first_file}: {first_record} has the same id"
        )

    def add_rejected_service(self, service_id: str | None, origin: Origin) -> None:
        """A service that failed its own checks still takes part in the duplicate check."""
        if service_id is None:
            return
        if service_id in self.origins:
            first_file, first_record = self.origins[service_id]
            self.problems.reject(
                origin[0], origin[1], "id", f"duplicate id: {first_file}: {first_record} has the same id"
            )
            return
        self.origins[service_id] = origin
        self._rejected_ids.add(service_id)

    def reference_organisation(self, organisation_id: str, origin: Origin) -> None:
        self.references.setdefault(organisation_id, origin)

    def finish(self) -> ParsedDirectory:
        services = dict(self.services)
        organisations = dict(self.organisations)
        if any(service.organisation_id is None for service in services.values()):
            organisations.setdefault(
                UNKNOWN_ORGANISATION_ID,
                OrganisationRecord(id=UNKNOWN_ORGANISATION_ID, name=UNKNOWN_ORGANISATION_NAME),
            )
            for service_id, service in services.items():
                if service.organisation_id is None:
                    services[service_id] = replace(service, organisation_id=UNKNOWN_ORGANISATION_ID)
        referenced = {
            organisation_id: origin
            for organisation_id, origin in self.references.items()
            if organisation_id not in organisations
        }
        parsed = ParsedDirectory(
            files=list(self.files),
            organisations=organisations,
            services=services,
            origins={**self.organisation_origins, **self.origins},
            referenced_organisations=referenced,
        )
        return make_child_ids_unique(parsed)


def make_child_ids_unique(
    parsed: ParsedDirectory, taken: dict[str, set[str]] | None = None
) -> ParsedDirectory:
    """Phone, schedule and area ids must be unique tables-wide; feeds reuse them (the HSDS example gives a
    service and its organisation the same phone id). Later copies, and ids in `taken` (held in the
    database by records outside this import), get a derived id instead. Deterministic, so a re-import
    derives the same ids again.
    """
    taken = taken or {}
    seen = {kind: set(taken.get(kind, ())) for kind in ("phone", "schedule", "area")}

    def unique(owner_id: str, kind: str, position: int, child_id: str) -> str:
        if child_id in seen[kind]:
            child_id = derived_id(owner_id, kind, position)
        seen[kind].add(child_id)
        return child_id

    organisations = {}
    for organisation_id in sorted(parsed.organisations):
        organisation = parsed.organisations[organisation_id]
        phones = tuple(
            replace(phone, id=unique(f"organisation:{organisation.id}", "phone", index, phone.id))
            for index, phone in enumerate(organisation.phones)
        )
        organisations[organisation_id] = replace(organisation, phones=phones)
    services = {}
    for service_id in sorted(parsed.services):
        service = parsed.services[service_id]
        phones = tuple(
            replace(phone, id=unique(service.id, "phone", index, phone.id))
            for index, phone in enumerate(service.phones)
        )
        schedules = tuple(
            replace(schedule, id=unique(service.id, "schedule", index, schedule.id))
            for index, schedule in enumerate(service.schedules)
        )
        areas = [
            replace(area, id=unique(service.id, "area", index, area.id))
            for index, area in enumerate(service.areas)
        ]
        areas.sort(key=lambda area: area.id)
        services[service_id] = replace(service, phones=phones, schedules=schedules, areas=tuple(areas))
    return replace(parsed, organisations=organisations, services=services)
