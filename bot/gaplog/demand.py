"""Demand for a customer-service strategy review: what was asked, by service, body, reason, channel and week.

`here-to-help demand export` turns the answers and the gap log into counts that a review can pivot:

* `service`: answers given, by the LGSL code of the service (each code of a service with several), so two
  councils' figures line up whatever their service names;
* `other_body`: residents sent to another organisation, by body;
* `reason`: turns the assistant could not answer, by reason (readable labels), and requests for a person;
* `crisis`: crisis turns by category;

each by ISO week (Monday start, the council's time zone) and channel. It adds an estimate of phone calls
avoided: resident conversations answered with no unmet turn and no request for a person (the report's
contained conversations, resident channel only), at a cost per phone call against a cost per web contact
(settings `COST_PER_CALL`, `COST_PER_WEB_CONTACT`; defaults from published UK figures, about £2.83-£5.00 a
call and 8p-32p a web contact: the low call cost and the high web cost, so the estimate is cautious).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.channel import RESIDENT
from bot.directory.lgsl import lgsl_catalogue
from bot.directory.models import ServiceLgsl
from bot.gaplog.models import REASON_LABELS, Answer, GapEntry, Reason
from bot.gaplog.queries import day_start_utc, local_time, safe_cell, zone
from bot.gaplog.report import contained_conversations, organisation_names

FORMATS = ("csv", "json")
NO_CODE = "no LGSL code"


@dataclass
class Demand:
    date_from: date
    date_to: date
    cost_per_call: float
    cost_per_web_contact: float
    rows: list[dict[str, Any]] = field(default_factory=list)
    contained_resident_conversations: int = 0

    @property
    def saving(self) -> float:
        return round(
            self.contained_resident_conversations * (self.cost_per_call - self.cost_per_web_contact), 2
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "calls_avoided_estimate": self.contained_resident_conversations,
            "saving_estimate_gbp": self.saving,
            "assumptions": {
                "cost_per_call_gbp": self.cost_per_call,
                "cost_per_web_contact_gbp": self.cost_per_web_contact,
                "calls_avoided": "resident conversations answered (by a council service or by sending the "
                "resident to the right body) with no unmet turn and no request for a person",
            },
            "rows": self.rows,
        }


def _week(moment: datetime, tz: Any) -> str:
    year, week, _ = local_time(moment, tz).isocalendar()
    return f"{year}-W{week:02d}"


def build_demand(
    session: Session,
    date_from: date,
    date_to: date,
    *,
    tz_name: str | None = None,
    cost_per_call: float = 2.83,
    cost_per_web_contact: float = 0.32,
) -> Demand:
    """The counts and the estimate for the local days `date_from`..`date_to` inclusive."""
    if date_from > date_to:
        raise ValueError(f"--from ({date_from}) is after --to ({date_to})")
    if cost_per_call < 0 or cost_per_web_contact < 0:
        raise ValueError("costs per contact cannot be negative")
    tz = zone(tz_name)
    start, end = day_start_utc(date_from, tz), day_start_utc(date_to + timedelta(days=1), tz)
    demand = Demand(date_from, date_to, cost_per_call, cost_per_web_contact)
    answers = session.execute(
        select(Answer.created_at, Answer.channel, Answer.service_id, Answer.conversation_hash).where(
            (Answer.created_at >= start) & (Answer.created_at < end)
        )
    ).all()
    gaps = session.execute(
        select(
            GapEntry.created_at,
            GapEntry.channel,
            GapEntry.reason,
            GapEntry.organisation_id,
            GapEntry.category,
            GapEntry.conversation_hash,
        ).where((GapEntry.created_at >= start) & (GapEntry.created_at < end))
    ).all()
    codes: dict[str, list[int]] = {}
    for service_id, code in session.execute(select(ServiceLgsl.service_id, ServiceLgsl.code)):
        codes.setdefault(service_id, []).append(int(code))
    labels = {code: service.label for code, service in lgsl_catalogue().items()}
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for row in answers:
        service_codes: list[int | None] = [*sorted(codes.get(row.service_id, []))] or [None]
        for code in service_codes:
            key = str(code) if code is not None else NO_CODE
            counts[("service", key, _week(row.created_at, tz), row.channel)] += 1
    bodies = {row.organisation_id for row in gaps if row.reason == Reason.OTHER_ORGANISATION.value}
    names = organisation_names(session, {body for body in bodies if body})
    for row in gaps:
        week = _week(row.created_at, tz)
        if row.reason == Reason.OTHER_ORGANISATION.value:
            counts[("other_body", row.organisation_id or "", week, row.channel)] += 1
        elif row.reason == Reason.CRISIS.value:
            counts[("crisis", row.category or "", week, row.channel)] += 1
        else:
            counts[("reason", row.reason, week, row.channel)] += 1

    def label(dimension: str, key: str) -> str:
        if dimension == "service":
            return labels.get(int(key), key) if key.isdigit() else key
        if dimension == "other_body":
            return names.get(key, key or "(not recorded)")
        if dimension == "reason":
            return REASON_LABELS.get(key, key)
        return key

    demand.rows = [
        {"dimension": d, "key": k, "label": label(d, k), "week": w, "channel": c, "count": n}
        for (d, k, w, c), n in sorted(counts.items())
    ]
    answered = {row.conversation_hash for row in answers if row.channel == RESIDENT}
    answered |= {
        row.conversation_hash
        for row in gaps
        if row.reason == Reason.OTHER_ORGANISATION.value and row.channel == RESIDENT
    }
    demand.contained_resident_conversations = len(contained_conversations(answered, gaps))
    return demand


def render_demand(demand: Demand, output_format: str) -> str:
    if output_format not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}; got {output_format!r}")
    if output_format == "json":
        return json.dumps(demand.as_dict(), indent=2, ensure_ascii=False)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["dimension", "key", "label", "week", "channel", "count"])
    for row in demand.rows:
        writer.writerow(
            [
                row["dimension"],
                safe_cell(row["key"]),
                safe_cell(row["label"]),
                row["week"],
                row["channel"],
                row["count"],
            ]
        )
    period = f"{demand.date_from.isoformat()}/{demand.date_to.isoformat()}"
    writer.writerow(
        [
            "estimate",
            "calls_avoided",
            "phone calls avoided (resident)",
            period,
            RESIDENT,
            demand.contained_resident_conversations,
        ]
    )
    writer.writerow(
        [
            "estimate",
            "saving_gbp",
            f"at £{demand.cost_per_call:.2f} a call and £{demand.cost_per_web_contact:.2f} a web contact",
            period,
            RESIDENT,
            f"{demand.saving:.2f}",
        ]
    )
    return out.getvalue()
