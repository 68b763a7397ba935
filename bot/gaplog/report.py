"""The strategy report: what residents and staff asked about over a period, and what the bot could not answer.

Definitions (printed in the report too, and in docs/gap-log.md):
- a *conversation* is one hashed conversation id that got at least one answer or gap entry in the period;
- *answered by a council service*: a conversation given at least one service that is not another
  organisation's; *sent to another organisation*: one whose resident was told it is another body's business
  (an answer, counted by body, not unmet);
- *unmet* turns are those the assistant could not answer: no match, not understood, low confidence, and
  wrong answers (the resident said no); a request for a person is counted on its own;
- *contained* conversations were answered (by the council or by sending the resident to the right body) and
  had no unmet turn and no request for a person; *containment* is their share of all conversations other
  than crisis-only ones;
- *crisis* turns (someone may have been in danger, given the emergency numbers) are counted by category only:
  they keep no words, are not unmet queries and do not count against containment;
- every figure is also given for the previous period of the same length, and split by channel.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.channel import CHANNEL_LABELS, RESIDENT, STAFF
from bot.directory.models import Organisation, Service
from bot.directory.national import is_national, national_names
from bot.gaplog.charts import bar_chart
from bot.gaplog.clustering import Cluster, compare_periods
from bot.gaplog.models import (
    REASON_LABELS,
    UNMET_REASONS,
    WRONG_ANSWER_REASONS,
    Answer,
    GapEntry,
    Reason,
    Referral,
)
from bot.gaplog.queries import day_start_utc, safe_cell, zone

FORMATS = ("html", "md", "csv")
TOP = 10
MIN_CLUSTER = 2
"""The report lists groups of at least this many unmet queries: a single query is not yet a pattern."""
TEMPLATES = Path(__file__).resolve().parent / "templates"
UNMET_ORDER = (
    Reason.NO_MATCHING_SERVICE.value,
    Reason.NOT_UNDERSTOOD.value,
    Reason.LOW_CONFIDENCE.value,
    Reason.WRONG_ANSWER.value,
    Reason.UNAVAILABLE.value,
)


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
    """Conversations answered: by a council service or by sending the resident to another organisation."""
    answered_by_council: int = 0
    sent_elsewhere: int = 0
    crisis_conversations: int = 0
    contained: int = 0
    answers: int = 0
    unmet: int = 0
    asked_for_person: int = 0
    unmet_by_reason: list[Row] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    other_organisations: list[Row] = field(default_factory=list)
    crisis_by_category: list[Row] = field(default_factory=list)
    services_asked_about: list[Row] = field(default_factory=list)
    wrong_answer_conversations: int = 0
    referrals: list[Row] = field(default_factory=list)
    by_channel: list[Row] = field(default_factory=list)
    """Conversations per channel (resident, staff)."""
    previous: Report | None = None
    """The same figures for the period of the same length just before."""
    channels: dict[str, Report] = field(default_factory=dict)
    """The same figures for each channel on its own ("resident", "staff"), without groups or comparison."""
    unmet_queries: list[tuple[str, int]] = field(default_factory=list, repr=False)
    """(text, id) of the unmet queries that are grouped: what `clusters` is made from."""

    @property
    def containment_rate(self) -> float:
        base = self.conversations - self.crisis_only
        return self.contained / base if base > 0 else 0.0

    crisis_only: int = 0
    """Conversations with nothing but crisis turns: left out of containment's denominator."""

    @property
    def wrong_answer_rate(self) -> float:
        return self.wrong_answer_conversations / self.signposted if self.signposted else 0.0

    @property
    def referral_total(self) -> int:
        return sum(row.count for row in self.referrals)


CONTAINMENT_DEFINITION = (
    "Containment: conversations answered, by a council service or by sending the resident to the right other "
    "organisation, with no turn the assistant could not answer (no match, not understood, low confidence, "
    "wrong answer) and no request for a person, out of all conversations except crisis-only ones."
)


def _names(session: Session, model: type[Organisation | Service], ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(sorted(ids)))).all())


def organisation_names(session: Session, ids: set[str]) -> dict[str, str]:
    """Names of the bodies residents were sent to: the directory's organisations and the national
    signposting catalogue's bodies (`national:` ids, which have no row in the database)."""
    names = _names(session, Organisation, {i for i in ids if i and not is_national(i)})
    names.update(national_names(ids))
    return names


def _rows(counts: Counter, names: dict[str, str], limit: int | None = TOP) -> list[Row]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], names.get(item[0], item[0] or "")))
    chosen = ordered[:limit] if limit else ordered
    return [
        Row(label=names.get(key, key or "(not recorded)"), count=count, key=key or "")
        for key, count in chosen
    ]


def contained_conversations(answered: set[str], gaps: Iterable[Any]) -> set[str]:
    """The containment rule: answered conversations (by the council or by sending the resident to another
    body) with no unmet turn and no request for a person among `gaps` (rows with `conversation_hash` and
    `reason`). The report and `demand export` both count by it."""
    troubled = {
        row.conversation_hash
        for row in gaps
        if row.reason in UNMET_REASONS or row.reason == Reason.ASKED_FOR_PERSON.value
    }
    return answered - troubled


def build_report(
    session: Session,
    date_from: date,
    date_to: date,
    tz_name: str | None = None,
    *,
    compare: bool = True,
    channel: str | None = None,
) -> Report:
    """Everything the report shows for the local days `date_from`..`date_to` inclusive. With `compare`, also
    the same figures for the period of the same length before it, each group's change against that period,
    and the figures of each channel on its own; `channel` limits every figure to one channel."""
    if date_from > date_to:
        raise ValueError(f"--from ({date_from}) is after --to ({date_to})")
    tz = zone(tz_name)
    start, end = day_start_utc(date_from, tz), day_start_utc(date_to + timedelta(days=1), tz)
    report = Report(date_from=date_from, date_to=date_to)

    def within(model: Any) -> Any:  # an ORM class → a SQL condition (SQLAlchemy 1.4 is untyped)
        condition = (model.created_at >= start) & (model.created_at < end)
        return condition if channel is None else condition & (model.channel == channel)

    answers = session.execute(
        select(Answer.conversation_hash, Answer.service_id, Answer.channel).where(within(Answer))
    ).all()
    gaps = session.execute(
        select(
            GapEntry.conversation_hash,
            GapEntry.reason,
            GapEntry.organisation_id,
            GapEntry.text,
            GapEntry.id,
            GapEntry.category,
            GapEntry.channel,
        )
        .where(within(GapEntry))
        .order_by(GapEntry.created_at, GapEntry.id)
    ).all()
    crises = [row for row in gaps if row.reason == Reason.CRISIS.value]
    gaps = [row for row in gaps if row.reason != Reason.CRISIS.value]
    elsewhere = [row for row in gaps if row.reason == Reason.OTHER_ORGANISATION.value]
    unmet = [row for row in gaps if row.reason in UNMET_REASONS]
    person = [row for row in gaps if row.reason == Reason.ASKED_FOR_PERSON.value]

    answers_per_conversation = Counter(row.conversation_hash for row in answers)
    elsewhere_per_conversation = Counter(row.conversation_hash for row in elsewhere)
    council = {
        conversation
        for conversation, count in answers_per_conversation.items()
        if count > elsewhere_per_conversation.get(conversation, 0)
    }
    sent = set(elsewhere_per_conversation)
    answered = council | sent
    crisis_conversations = {row.conversation_hash for row in crises}
    everyone = answered | {row.conversation_hash for row in gaps} | crisis_conversations

    report.conversations = len(everyone)
    report.signposted = len(answered)
    report.answered_by_council = len(council)
    report.sent_elsewhere = len(sent)
    report.crisis_conversations = len(crisis_conversations)
    report.crisis_only = len(crisis_conversations - answered - {row.conversation_hash for row in gaps})
    report.contained = len(contained_conversations(answered, gaps))
    report.answers = len(answers)
    report.unmet = len(unmet)
    report.asked_for_person = len(person)
    wrong = {row.conversation_hash for row in unmet if row.reason in WRONG_ANSWER_REASONS}
    report.wrong_answer_conversations = len(wrong & answered)

    by_reason = Counter(REASON_LABELS[row.reason] for row in unmet + person)
    labels = dict.fromkeys(REASON_LABELS[reason] for reason in (*UNMET_ORDER, Reason.ASKED_FOR_PERSON.value))
    report.unmet_by_reason = [Row(label=label, count=by_reason.get(label, 0)) for label in labels]
    report.crisis_by_category = _rows(Counter(row.category for row in crises), {}, None)

    channels: dict[str, set[str]] = {}
    for row in [*answers, *gaps, *crises]:
        channels.setdefault(row.channel, set()).add(row.conversation_hash)
    report.by_channel = [
        Row(label=CHANNEL_LABELS.get(channel, channel), count=len(ids), key=channel)
        for channel, ids in sorted(channels.items())
    ]

    report.unmet_queries = [(row.text, row.id) for row in unmet if row.reason not in WRONG_ANSWER_REASONS]

    organisations = Counter(row.organisation_id for row in elsewhere)
    report.other_organisations = _rows(organisations, organisation_names(session, set(organisations)), None)

    services = Counter(row.service_id for row in answers)
    referrals = Counter(
        service_id for (service_id,) in session.execute(select(Referral.service_id).where(within(Referral)))
    )
    names = _names(session, Service, set(services) | set(referrals))
    report.services_asked_about = _rows(services, names)
    report.referrals = _rows(referrals, names, None)
    if compare:
        length = date_to - date_from + timedelta(days=1)
        report.previous = build_report(
            session,
            date_from - length,
            date_from - timedelta(days=1),
            tz_name,
            compare=False,
            channel=channel,
        )
        report.clusters = compare_periods(
            report.unmet_queries, report.previous.unmet_queries, min_size=MIN_CLUSTER
        )[:TOP]
        if channel is None:
            report.channels = {
                key: build_report(session, date_from, date_to, tz_name, compare=False, channel=key)
                for key in CHANNEL_LABELS
            }
    return report


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def summary_rows(report: Report) -> list[tuple[str, str, str]]:
    """(key, label, value) of the summary, in the order every format shows it."""
    channels = {row.key: row.count for row in report.by_channel}
    return [
        ("conversations", "Conversations", str(report.conversations)),
        ("conversations_resident", "Resident conversations", str(channels.get(RESIDENT, 0))),
        ("conversations_staff", "Staff (contact centre) conversations", str(channels.get(STAFF, 0))),
        ("answered_by_council", "Answered by a council service", str(report.answered_by_council)),
        ("sent_elsewhere", "Sent to another organisation", str(report.sent_elsewhere)),
        ("crisis_conversations", "Crisis (given the emergency numbers)", str(report.crisis_conversations)),
        ("unmet", "Unmet turns (no match, not understood, low confidence, wrong answer)", str(report.unmet)),
        ("asked_for_person", "Asked for a person", str(report.asked_for_person)),
        (
            "contained",
            "Contained conversations (containment)",
            f"{report.contained} ({_percent(report.containment_rate)})",
        ),
        (
            "wrong_answer_rate",
            "Wrong-answer rate",
            f"{_percent(report.wrong_answer_rate)} "
            f"({report.wrong_answer_conversations} of {report.signposted})",
        ),
        ("answers", "Answers given", str(report.answers)),
        ("referrals", "Staff referrals", str(report.referral_total)),
    ]


def with_previous(report: Report) -> list[tuple[str, str, str, str]]:
    previous = (
        dict((key, value) for key, _, value in summary_rows(report.previous)) if report.previous else {}
    )
    return [(key, label, value, previous.get(key, "–")) for key, label, value in summary_rows(report)]


def channel_rows(report: Report) -> list[tuple[str, str, str, str]]:
    """(key, label, resident value, staff value) of the summary, for the table that splits the channels."""
    split = {key: dict((k, v) for k, _, v in summary_rows(part)) for key, part in report.channels.items()}
    return [
        (key, label, split.get("resident", {}).get(key, "–"), split.get("staff", {}).get(key, "–"))
        for key, label, _ in summary_rows(report)
        if not key.startswith("conversations_")
    ]


CHARTED = (
    ("conversations", "Conversations"),
    ("answered_by_council", "Answered by a council service"),
    ("sent_elsewhere", "Sent to another organisation"),
    ("crisis_conversations", "Crisis"),
    ("unmet", "Unmet turns"),
    ("asked_for_person", "Asked for a person"),
)
"""The counts drawn in the report's charts (rates stay in the tables: a bar of 50.0% beside 120 misleads)."""


def _counts(report: Report) -> list[int]:
    return [int(getattr(report, key)) for key, _ in CHARTED]


def change_text(cluster: Cluster) -> str:
    """ "+3", "-2", "0", "new" (none in the previous period), or "–" when not compared."""
    if cluster.previous_count is None:
        return "–"
    if cluster.previous_count == 0:
        return "new"
    return f"{cluster.change:+d}" if cluster.change else "0"


def charts(report: Report) -> dict[str, Markup]:
    """The report's SVG charts: this period against the previous one, the resident and staff channels, unmet
    turns by reason and the most common unmet queries, each against the previous period."""
    labels = [label for _, label in CHARTED]
    previous = report.previous
    this = f"{report.date_from.isoformat()} to {report.date_to.isoformat()}"
    drawn = {
        "periods": bar_chart(
            "This period and the previous one",
            labels,
            [(this, _counts(report))] + ([(previous_label(report), _counts(previous))] if previous else []),
            "chart-periods",
        )
    }
    if report.channels:
        drawn["channels"] = bar_chart(
            "Resident and staff channels",
            labels,
            [(CHANNEL_LABELS[key], _counts(part)) for key, part in report.channels.items()],
            "chart-channels",
        )
    reasons = [(this, [row.count for row in report.unmet_by_reason])]
    if previous:
        reasons.append((previous_label(report), [row.count for row in previous.unmet_by_reason]))
    drawn["reasons"] = bar_chart(
        "Unmet turns by reason", [row.label for row in report.unmet_by_reason], reasons, "chart-reasons"
    )
    if report.clusters:
        groups = [(this, [cluster.count for cluster in report.clusters])]
        previous_counts = [cluster.previous_count for cluster in report.clusters]
        if all(count is not None for count in previous_counts):
            groups.append((previous_label(report), [count or 0 for count in previous_counts]))
        names = [cluster.name for cluster in report.clusters]
        drawn["clusters"] = bar_chart("Most common unmet queries", names, groups, "chart-clusters")
    return drawn


def previous_label(report: Report) -> str:
    if report.previous is None:
        return "previous period"
    return f"{report.previous.date_from.isoformat()} to {report.previous.date_to.isoformat()}"


MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]<>|~&])")
"""Characters that can start Markdown syntax mid-line: raw HTML and entities, links and images (`[`),
code, emphasis, table cells. CommonMark lets each be backslash-escaped. Line-start syntax (`#`, `-`) cannot
arise: newlines are removed and every value sits after a `| `."""


def plain_markdown(text: object) -> str:
    """Text (residents' words, names from the directory) that Markdown shows exactly as written: `<script>`
    stays text instead of raw HTML, `[click](url)` and `![](url)` are not links or images, `|` does not
    open a table cell, and a newline cannot start a heading or a list."""
    return MARKDOWN_SYNTAX.sub(r"\\\1", " ".join(str(text).split()))


def _or_dash(value: int | None) -> str:
    return "–" if value is None else str(value)


def to_markdown(report: Report) -> str:
    cell = plain_markdown

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
        f"| measure | this period | previous ({previous_label(report)}) |",
        "|---|---:|---:|",
        *(f"| {label} | {value} | {previous} |" for _, label, value, previous in with_previous(report)),
        "",
        CONTAINMENT_DEFINITION,
        "",
        "## Resident and staff channels",
        "",
        "| measure | resident | staff |",
        "|---|---:|---:|",
        *(f"| {label} | {resident} | {staff} |" for _, label, resident, staff in channel_rows(report)),
        "",
        "## Unmet turns by reason",
        "",
        *table(("reason", "count"), report.unmet_by_reason),
        "## Most common unmet queries",
        "",
    ]
    if report.clusters:
        lines += ["| group (top terms) | count | previous | change | examples |", "|---|---:|---:|---:|---|"]
        lines += [
            f"| {cell(cluster.name)} | {cluster.count} | {_or_dash(cluster.previous_count)} | "
            f"{change_text(cluster)} | {cell('; '.join(cluster.examples))} |"
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


def _numbers(report: Report) -> dict[str, object]:
    return {
        "conversations": report.conversations,
        "answered_by_council": report.answered_by_council,
        "sent_elsewhere": report.sent_elsewhere,
        "crisis_conversations": report.crisis_conversations,
        "unmet": report.unmet,
        "asked_for_person": report.asked_for_person,
        "contained": report.contained,
        "containment_rate": f"{report.containment_rate:.4f}",
        "wrong_answer_conversations": report.wrong_answer_conversations,
        "wrong_answer_rate": f"{report.wrong_answer_rate:.4f}",
        "answers": report.answers,
        "referrals": report.referral_total,
    }


def to_csv(report: Report) -> str:
    """Long format (section, label, value): easy to pivot in a spreadsheet. `previous_summary` rows hold the
    previous period's figures, `resident_summary` and `staff_summary` each channel's, and `cluster_previous`
    each group's count in the previous period."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "label", "value"])
    writer.writerow(["summary", "period_from", report.date_from.isoformat()])
    writer.writerow(["summary", "period_to", report.date_to.isoformat()])
    for label, value in _numbers(report).items():
        writer.writerow(["summary", label, value])
    for row in report.by_channel:
        writer.writerow(["conversations_by_channel", row.key, row.count])
    for key, part in report.channels.items():
        for label, value in _numbers(part).items():
            writer.writerow([f"{key}_summary", label, value])
    if report.previous is not None:
        for key, _, value in summary_rows(report.previous):
            writer.writerow(["previous_summary", key, value])
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
        if cluster.previous_count is not None:
            writer.writerow(["cluster_previous", safe_cell(cluster.name), cluster.previous_count])
    return out.getvalue()


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


def template_context(report: Report) -> dict[str, Any]:
    """What the HTML report and the officer's report page both draw, so the two cannot drift apart."""
    return {
        "report": report,
        "summary": with_previous(report),
        "channel_summary": channel_rows(report),
        "previous_label": previous_label(report),
        "definition": CONTAINMENT_DEFINITION,
        "charts": charts(report),
        "change_text": change_text,
    }


def to_html(report: Report) -> str:
    """A standalone page (styles inline, nothing fetched) that can be emailed or printed."""
    return _environment().get_template("report.html").render(**template_context(report))


def render(report: Report, output_format: str) -> str:
    if output_format not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}; got {output_format!r}")
    return {"html": to_html, "md": to_markdown, "csv": to_csv}[output_format](report)
