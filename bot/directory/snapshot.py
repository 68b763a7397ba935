"""What training reads from the directory: an immutable snapshot of the services the router can route to.

The router and the Rasa component never touch the ORM: they get `DirectoryEntry` values, so they can be built
from a database, from an HSDS file or by hand in a test, and a fingerprint of the same values tells training
whether the directory has changed since the model was built.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.directory.models import Service, ServiceStatus


@dataclass(frozen=True)
class DirectoryEntry:
    """One service as the router sees it: the words that describe it and the LGSL codes it carries."""

    service_id: str
    name: str
    alternate_name: str = ""
    description: str = ""
    phrases: tuple[str, ...] = ()
    lgsl_codes: tuple[int, ...] = ()
    organisation_id: str = ""
    organisation_name: str = ""
    organisation_kind: str = ""
    active: bool = True


def _entry(service: Service) -> DirectoryEntry:
    organisation = service.organisation
    return DirectoryEntry(
        service_id=service.id,
        name=service.name,
        alternate_name=service.alternate_name or "",
        description=service.description or "",
        phrases=tuple(link.phrase for link in service.phrases),
        lgsl_codes=tuple(sorted({link.code for link in service.lgsl_codes})),
        organisation_id=service.organisation_id or "",
        organisation_name=organisation.name if organisation is not None else "",
        organisation_kind=(organisation.kind or "") if organisation is not None else "",
        active=service.status == ServiceStatus.ACTIVE.value,
    )


def load_directory_entries(session: Session, *, include_inactive: bool = False) -> list[DirectoryEntry]:
    """Every active service (all services with `include_inactive`), ordered by id so training is repeatable.

    Inactive, defunct and temporarily closed services are left out by default: the bot should not route a
    resident to a service that is not running.
    """
    query = (
        select(Service)
        .options(
            selectinload(Service.organisation),
            selectinload(Service.phrases),
            selectinload(Service.lgsl_codes),
        )
        .order_by(Service.id)
    )
    if not include_inactive:
        query = query.where(Service.status == ServiceStatus.ACTIVE.value)
    return [_entry(service) for service in session.execute(query).scalars().all()]


def directory_fingerprint(entries: Iterable[DirectoryEntry]) -> str:
    """A stable sha256 of everything routing depends on, independent of the order the entries come in."""
    records = sorted((asdict(entry) for entry in entries), key=lambda record: record["service_id"])
    for record in records:
        record["phrases"] = list(record["phrases"])
        record["lgsl_codes"] = sorted(record["lgsl_codes"])
    payload = json.dumps(records, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
