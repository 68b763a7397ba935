"""The strategy report: what residents and staff asked about over a period, and what the bot could not answer.

Definitions (also in docs/gap-log.md):
- a *conversation* is one hashed conversation id that got at least one answer or gap entry in the period;
- *contained* conversations were signposted (an answer) and had no gap entry of any reason in the period;
- *negative-feedback rate* is the share of signposted conversations with a `negative_feedback` entry;
- *crisis* turns (someone may have been in danger, given the emergency numbers) are counted by category only:
  they keep no words, are not unmet queries and do not count against containment.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.directory.models import Organisation, Service
from bot.directory.national import NationalBodiesError, body_for, is_national
from bot.gaplog.clustering import Cluster, cluster_texts
from bot.gaplog.models import Answer, GapEntry, Reason, Referral
from bot.gaplog.queries import day_start_utc, safe_cell, zone

FORMATS = ("html", "md", "csv")
TOP = 10
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class Row:
    label: str
    count: int
    key: str = ""


@dataclass
class Report:
    date_from: date
    date_to: date
    conversations: int = 0
    signposted: int = 0
    contained: int = 0
    answers: int = 0
    unmet: int = 0
    unmet_by_reason: list[Row] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    other_organisations: list[Row] = field(default_factory=list)
    crisis_by_category: list[Row] = field(default_factory=list)
    services_asked_about: list[Row] = field(default_factory=list)
    negative_feedback_conversations: int = 0
    referrals: list[Row] = field(default_factory=list)

    @property
    def containment_rate(self) -> float:
        return self.contained / self.conversations if self.conversations else 0.0

    @property
    def negative_feedback_rate(self) -> float:
        return self.negative_feedback_conversations / self.signposted if self.signposted else 0.0

    @property
    def referral_total(self) -> int:
        return sum(row.count for row in self.referrals)


def _names(session: Session, model, ids: set[str]) -> dict[str, str]:  # noqa: ANN001 - an ORM class
    if not ids:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(sorted(ids)))).all())


def _organisation_names(session: Session, ids: set[str]) -> dict[str, str]:
    """Names of the bodies residents were sent to: the directory's organisations and the national
    signposting catalogue's bodies (`national:` ids, which have no row in the database)."""
    names = _names(session, Organisation, {i for i in ids if i and not is_national(i)})
    for body_id in (i for i in ids if i and is_national(i)):
        try:
            body = body_for(body_id)
        except NationalBodiesError:
            body = None
        names[body_id] = body.name if body is not None else body_id
    return names


def _rows(counts: Counter, names: dict[str, str], limit: int | None = TOP) -> list[Row]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], names.get(item[0], item[0] or "")))
    chosen = ordered[:limit] if limit else ordered
    return [
        Row(label=names.get(key, key or "(not recorded)"), count=count, key=key or "")
        for key, count in chosen
    ]


def build_report(session: Session, date_from: date, date_to: date, tz_name: str | None = None) -> Report:
    """Everything the report shows for the local days `date_from`..`date_to` inclusive."""
    if date_from > date_to:
        raise ValueError(f"--from ({date_from}) is after --to ({date_to})")
    tz = zone(tz_name)
    start, end = day_start_utc(date_from, tz), day_start_utc(date_to + timedelta(days=1), tz)
    report = Report(date_from=date_from, date_to=date_to)

    def within(model):  # noqa: ANN001, ANN202
        return (model.created_at >= start) & (model.created_at < end)

    answers = session.execute(select(Answer.conversation_hash, Answer.service_id).where(within(Answer))).all()
    gaps = session.execute(
        select(
            GapEntry.conversation_hash,
            GapEntry.reason,
            GapEntry.organisation_id,
            GapEntry.text,
            GapEntry.id,
            GapEntry.category,
        )
        .where(within(GapEntry))
        .order_by(GapEntry.created_at, GapEntry.id)
    ).all()
    crises = [row for row in gaps if row.reason == Reason.CRISIS.value]
    gaps = [row for row in gaps if row.reason != Reason.CRISIS.value]
    answered = {row.conversation_hash for row in answers}
    with_gap = {row.conversation_hash for row in gaps}
    negative = {row.conversation_hash for row in gaps if row.reason == Reason.NEGATIVE_FEEDBACK.value}
    report.conversations = len(answered | with_gap | {row.conversation_hash for row in crises})
    report.signposted = len(answered)
    report.contained = len(answered - with_gap)
    report.answers = len(answers)
    report.unmet = sum(1 for row in gaps if row.reason != Reason.NEGATIVE_FEEDBACK.value)
    report.negative_feedback_conversations = len(negative & answered)

    by_reason = Counter(row.reason for row in gaps)
    report.unmet_by_reason = [
        Row(label=reason.value, count=by_reason.get(reason.value, 0))
        for reason in Reason
        if reason is not Reason.CRISIS
    ]
    report.crisis_by_category = _rows(Counter(row.category for row in crises), {}, None)

    cluster_rows = [row for row in gaps if row.reason != Reason.NEGATIVE_FEEDBACK.value]
    report.clusters = cluster_texts([row.text for row in cluster_rows], [row.id for row in cluster_rows])[
        :TOP
    ]

    organisations = Counter(
        row.organisation_id for row in gaps if row.reason == Reason.OTHER_ORGANISATION.value
    )
    report.other_organisations = _rows(organisations, _organisation_names(session, set(organisations)), None)

    services = Counter(row.service_id for row in answers)
    referrals = Counter(
        service_id for (service_id,) in session.execute(select(Referral.service_id).where(within(Referral)))
    )
    names = _names(session, Service, set(services) | set(referrals))
    report.services_asked_about = _rows(services, names)
    report.referrals = _rows(referrals, names, None)
    return report


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def to_markdown(report: Report) -> str:
    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    def table(headers: tuple[str, str], rows: list[Row]) -> list[str]:
        if not rows:
            return ["None in this period.", ""]
        lines = [f"| {headers[0]} | {headers[1]} |", "|---|---:|"]
        lines += [f"| {cell(row.label)} | {row.count} |" for row in rows]
        return [*lines, ""]

    lines = [
        f"# Here to Help report, {report.date_from.isoformat()} to {report.date_to.isoformat()}",
        "",
        "## Summary",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| Conversations | {report.conversations} |",
        f"| Conversations signposted | {report.signposted} |",
        f"| Signposted without an unmet turn (containment) | {report.contained} "
        f"({_percent(report.containment_rate)}) |",
        f"| Answers given | {report.answers} |",
        f"| Unmet queries | {report.unmet} |",
        f"| Negative-feedback rate | {_percent(report.negative_feedback_rate)} "
        f"({report.negative_feedback_conversations} of {report.signposted}) |",
        f"| Staff referrals | {report.referral_total} |",
        "",
        "## Gap-log entries by reason",
        "",
        *table(("reason", "count"), report.unmet_by_reason),
        "## Most common unmet queries",
        "",
    ]
    if report.clusters:
        lines += ["| group (top terms) | count | examples |", "|---|---:|---|"]
        lines += [
            f"| {cell(cluster.name)} | {cluster.count} | {cell('; '.join(cluster.examples))} |"
            for cluster in report.clusters
        ]
        lines.append("")
    else:
        lines += ["None in this period.", ""]
    lines += [
        "## Demand for other organisations",
        "",
        *table(("organisation", "count"), report.other_organisations),
    ]
    lines += [
        "## Crisis turns by category (given the emergency numbers; no words kept)",
        "",
        *table(("category", "count"), report.crisis_by_category),
    ]
    lines += ["## Services most asked about", "", *table(("service", "answers"), report.services_asked_about)]
    lines += ["## Referrals by service", "", *table(("service", "referrals"), report.referrals)]
    return "\n".join(lines)


def to_csv(report: Report) -> str:
    """Long format (section, label, value): easy to pivot in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "label", "value"])
    summary = [
        ("period_from", report.date_from.isoformat()),
        ("period_to", report.date_to.isoformat()),
        ("conversations", report.conversations),
        ("signposted", report.signposted),
        ("contained", report.contained),
        ("containment_rate", f"{report.containment_rate:.4f}"),
        ("answers", report.answers),
        ("unmet", report.unmet),
        ("negative_feedback_conversations", report.negative_feedback_conversations),
        ("negative_feedback_rate", f"{report.negative_feedback_rate:.4f}"),
        ("referrals", report.referral_total),
    ]
    for label, value in summary:
        writer.writerow(["summary", label, value])
    for section, rows in (
        ("unmet_by_reason", report.unmet_by_reason),
        ("other_organisation", report.other_organisations),
        ("crisis_by_category", report.crisis_by_category),
        ("service_asked_about", report.services_asked_about),
        ("referrals_by_service", report.referrals),
    ):
        for row in rows:
            writer.writerow([section, safe_cell(row.label), row.count])
    for cluster in report.clusters:
        writer.writerow(["cluster", safe_cell(cluster.name), cluster.count])
    return out.getvalue()


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


def to_html(report: Report) -> str:
    """A standalone page (styles inline, nothing fetched) that can be emailed or printed."""
    return _environment().get_template("report.html").render(report=report, percent=_percent)


def render(report: Report, output_format: str) -> str:
    if output_format not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}; got {output_format!r}")
    return {"html": to_html, "md": to_markdown, "csv": to_csv}[output_format](report)
