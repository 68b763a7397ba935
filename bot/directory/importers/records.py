"""The validated intermediate form every importer produces and the writer and exporter consume.

Records are frozen and compare by value, so "has this service changed?" is `record != stored_record`. Values
are already normalised (phone numbers in UK national format, times as `datetime.time`, LGSL codes sorted),
so the same feed read twice gives equal records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

UNKNOWN_ORGANISATION_ID = "unknown"
"""Services whose feed names no organisation are attached to this placeholder (see docs/hsds-mapping.md)."""
UNKNOWN_ORGANISATION_NAME = "Unknown"


@dataclass(frozen=True)
class PhoneRecord:
    id: str
    number: str
    extension: int | None = None
    type: str | None = None
    description: str | None = None
    audience: str = "public"
    out_of_hours: bool = False


@dataclass(frozen=True)
class ScheduleRecord:
    """Weekly opening (`byday` and times) or, when `closed`, a closure between `valid_from` and `valid_to`."""

    id: str
    byday: str | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    closed: bool = False
    description: str | None = None


@dataclass(frozen=True)
class AreaRecord:
    id: str
    name: str | None
    postcode_districts: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationRecord:
    id: str
    name: str
    alternate_name: str | None = None
    description: str = ""
    email: str | None = None
    website: str | None = None
    kind: str | None = None
    is_host: bool = False
    phones: tuple[PhoneRecord, ...] = ()


@dataclass(frozen=True)
class ServiceRecord:
    id: str
    organisation_id: str | None
    name: str
    status: str
    alternate_name: str | None = None
    description: str = ""
    url: str | None = None
    email: str | None = None
    staff_notes: str | None = None
    last_verified: date | None = None
    last_modified: datetime | None = None
    open_on_bank_holidays: bool = False
    is_contact_centre: bool = False
    address: str | None = None
    """Where residents can visit, on one line (HSDS: the first physical address of its locations)."""
    phones: tuple[PhoneRecord, ...] = ()
    schedules: tuple[ScheduleRecord, ...] = ()
    lgsl_codes: tuple[int, ...] = ()
    phrases: tuple[str, ...] = ()
    areas: tuple[AreaRecord, ...] = ()


@dataclass
class ParsedDirectory:
    """Everything read from an import, before it is compared with the database.

    `origins` maps a service or organisation id to where it was read ("services.json: service abc"), so
    problems found later (a clash with the database) can still say where to look.
    """

    files: list[str] = field(default_factory=list)
    organisations: dict[str, OrganisationRecord] = field(default_factory=dict)
    services: dict[str, ServiceRecord] = field(default_factory=dict)
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)
    referenced_organisations: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Organisation ids that services point to without the import describing them: must exist already."""
