"""Section (k) of `make bench`: the safety check's crisis recall and false-alarm rate.

Measured, for the patterns alone and with the learned layer (bot/safety/learned.py), on:
- the development tables `data/eval/crisis_messages.csv`, `crisis_messages_more.csv` and
  `crisis_messages_heldout_1.csv` to `_11.csv`: each written blind, before the vocabulary; the tests run
  them (the patterns alone must find every crisis in tables 1-8; tables 9 to 11, measured once as
  held-out tables, were since learned from and cover the patterns only in part), their misses shaped the
  patterns, and the learned layer learns from them, so they flatter;
- `data/eval/crisis_messages_heldout_12.csv` and `_13.csv`: written blind by other hands, never used to
  change a phrase or to train; together, the honest figure;
- the Lewisham development reports (real street reports, none a crisis as far as their labels say): how many
  ordinary reports would be answered with emergency numbers instead of a service. Counted only; no text is
  printed or stored.

Recall counts a crisis row as found when any category is found; `category_right` when the first category
is the expected one. The false-alarm rate is over the rows with no expected category.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bot import PROJECT_ROOT
from bot.safety.catalogue import SafetyKnowledge, cached_safety
from bot.safety.detect import detect
from bot.safety.learned import learned_check

EVAL = PROJECT_ROOT / "data" / "eval"
TABLES = {
    "test_table": (
        EVAL / "crisis_messages.csv",
        EVAL / "crisis_messages_more.csv",
        EVAL / "crisis_messages_heldout_1.csv",
        EVAL / "crisis_messages_heldout_2.csv",
        EVAL / "crisis_messages_heldout_3.csv",
        EVAL / "crisis_messages_heldout_4.csv",
        EVAL / "crisis_messages_heldout_5.csv",
        EVAL / "crisis_messages_heldout_6.csv",
        EVAL / "crisis_messages_heldout_7.csv",
        EVAL / "crisis_messages_heldout_8.csv",
        EVAL / "crisis_messages_heldout_9.csv",
        EVAL / "crisis_messages_heldout_10.csv",
        EVAL / "crisis_messages_heldout_11.csv",
    ),
    "heldout": (EVAL / "crisis_messages_heldout_12.csv", EVAL / "crisis_messages_heldout_13.csv"),
}
LABELS = {
    "test_table": "(k) crisis development tables (blind when written; tests, patterns and layer use them)",
    "heldout": "(k) crisis held-out tables 12 and 13 (blind; never used to change a phrase or to train)",
}
START, END = "<!-- bench:safety:start -->", "<!-- bench:safety:end -->"


def measure_table(
    paths: Path | tuple[Path, ...], knowledge: SafetyKnowledge, *, learned: bool = True
) -> dict[str, Any]:
    rows: list[dict[str, str]] = []
    for path in (paths,) if isinstance(paths, Path) else paths:
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    crisis = [row for row in rows if row["expected_category"]]
    ordinary = [row for row in rows if not row["expected_category"]]
    started = time.perf_counter()
    found = {id(row): detect(row["text"], knowledge, learned=learned) for row in rows}
    elapsed = time.perf_counter() - started
    missed = [row for row in crisis if found[id(row)] is None]
    right = [row for row in crisis if (m := found[id(row)]) and m.category == row["expected_category"]]
    alarms = [row for row in ordinary if found[id(row)] is not None]
    return {
        "crisis_rows": len(crisis),
        "ordinary_rows": len(ordinary),
        "recall": round(1 - len(missed) / len(crisis), 3) if crisis else None,
        "category_right": round(len(right) / len(crisis), 3) if crisis else None,
        "false_alarm_rate": round(len(alarms) / len(ordinary), 3) if ordinary else None,
        "missed_by_category": dict(Counter(row["expected_category"] for row in missed)),
        "ms_per_message": round(1000 * elapsed / max(len(rows), 1), 3),
    }


def measure_reports(path: Path, knowledge: SafetyKnowledge, *, learned: bool = True) -> dict[str, Any]:
    """Real reports taken for a crisis, by category (counts only: the reports are never copied)."""
    with path.open(encoding="utf-8", newline="") as handle:
        texts = [row.get("text", "") for row in csv.DictReader(handle)]
    categories = Counter(m.category for text in texts if (m := detect(text, knowledge, learned=learned)))
    return {
        "reports": len(texts),
        "taken_for_crisis": sum(categories.values()),
        "by_category": dict(categories),
    }


def measure(dev_set: Path | None) -> dict[str, Any]:
    knowledge = cached_safety()
    started = time.perf_counter()
    layer = learned_check(knowledge)
    results: dict[str, Any] = {"learned_fit_seconds": round(time.perf_counter() - started, 1)}
    for name, paths in TABLES.items():
        results[name] = measure_table(paths, knowledge, learned=False)
        if layer is not None:
            results[f"{name}_learned"] = measure_table(paths, knowledge)
    if dev_set is not None and dev_set.is_file():
        results["dev_reports"] = measure_reports(dev_set, knowledge, learned=False)
        if layer is not None:
            results["dev_reports_learned"] = measure_reports(dev_set, knowledge)
    return results


def _table_row(label: str, figures: dict[str, Any]) -> str:
    return (
        f"| {label} | {figures['crisis_rows']} | {figures['ordinary_rows']} | "
        f"{figures['recall']:.3f} | {figures['category_right']:.3f} | "
        f"{figures['false_alarm_rate']:.3f} | {figures['ms_per_message']} |"
    )


def _reports_line(label: str, reports: dict[str, Any]) -> str:
    share = reports["taken_for_crisis"] / max(reports["reports"], 1)
    categories = ", ".join(f"{k} {v}" for k, v in sorted(reports["by_category"].items())) or "none"
    return (
        f"- Lewisham development reports taken for a crisis, {label}: {reports['taken_for_crisis']} of "
        f"{reports['reports']} ({share:.2%}); by category: {categories}."
    )


def render(results: dict[str, Any]) -> str:
    lines = [
        "| set | crisis rows | ordinary rows | recall | category right | false alarms | ms / message |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, label in LABELS.items():
        if results.get(key):
            lines.append(_table_row(f"{label}: patterns alone", results[key]))
        if results.get(f"{key}_learned"):
            lines.append(_table_row(f"{label}: patterns + learned layer", results[f"{key}_learned"]))
    lines.append("")
    for key, label in (
        ("dev_reports", "patterns alone"),
        ("dev_reports_learned", "patterns + learned layer"),
    ):
        if results.get(key):
            lines.append(_reports_line(label, results[key]))
    if "learned_fit_seconds" in results:
        lines.append(f"- The learned layer was fitted in {results['learned_fit_seconds']} s.")
    return "\n".join(lines)
