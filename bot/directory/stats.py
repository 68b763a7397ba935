"""Counts that say whether a directory is fit to answer from: how many services, how many are active,
how many LGSL codes they cover, and how many lack the things the bot needs (a code, a phone, hours).

`lgsl_codes` counts distinct codes across ALL services (what the directory knows about);
`active_lgsl_codes` counts only those of active services (what the bot can route to today).
"""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

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

ACTIVE = ServiceStatus.ACTIVE.value


def _count(session: Session, query: Select) -> int:
    return int(session.execute(query).scalar_one() or 0)


def _services_lacking(session: Session, service_ids: Select) -> int:
    """Services whose id is not among `service_ids` (a select of one service_id column)."""
    return _count(session, select(func.count()).select_from(Service).where(Service.id.not_in(service_ids)))


def directory_stats(engine: Engine) -> dict[str, object]:
    """One JSON-ready object; the keys are a contract used by `here-to-help directory stats --json`."""
    with Session(engine) as session:
        by_status = dict(
            session.execute(
                select(Service.status, func.count()).group_by(Service.status).order_by(Service.status)
            ).all()
        )
        by_kind: dict[str, int] = {}
        for kind, count in session.execute(
            select(Organisation.kind, func.count()).group_by(Organisation.kind)
        ):
            by_kind[kind or "unknown"] = by_kind.get(kind or "unknown", 0) + int(count)
        active_ids = select(Service.id).where(Service.status == ACTIVE)
        return {
            "organisations": _count(session, select(func.count()).select_from(Organisation)),
            "services": _count(session, select(func.count()).select_from(Service)),
            "active_services": int(by_status.get(ACTIVE, 0)),
            "lgsl_codes": _count(session, select(func.count(distinct(ServiceLgsl.code)))),
            "active_lgsl_codes": _count(
                session,
                select(func.count(distinct(ServiceLgsl.code))).where(ServiceLgsl.service_id.in_(active_ids)),
            ),
            "phones": _count(session, select(func.count()).select_from(Phone)),
            "schedules": _count(session, select(func.count()).select_from(Schedule)),
            "resident_phrases": _count(session, select(func.count()).select_from(ServicePhrase)),
            "services_with_areas": _count(session, select(func.count(distinct(ServiceArea.service_id)))),
            "services_without_lgsl": _services_lacking(session, select(ServiceLgsl.service_id)),
            "services_without_phone": _services_lacking(
                session, select(Phone.service_id).where(Phone.service_id.is_not(None))
            ),
            "services_without_hours": _services_lacking(
                session, select(Schedule.service_id).where(Schedule.closed.is_(False))
            ),
            "contact_centre_services": _count(
                session, select(func.count()).select_from(Service).where(Service.is_contact_centre.is_(True))
            ),
            "host_councils": _count(
                session, select(func.count()).select_from(Organisation).where(Organisation.is_host.is_(True))
            ),
            "services_by_status": {status: int(count) for status, count in by_status.items()},
            "organisations_by_kind": dict(sorted(by_kind.items())),
        }
