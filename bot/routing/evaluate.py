"""Routing accuracy, unmet detection and latency over a file of labelled queries.

A query file is a CSV with a `text` column and, optionally, `expected_lgsl` (`;`-separated LGSL codes any
one of which is a correct routing; empty means "no service should match: unmet") and `group` (the category
for the per-category average; defaults to the expected codes). A row is correct at rank k when one of the
top k services carries an expected code; accuracy figures are over rows that have expected codes. A row is
predicted unmet when there is no candidate, the top candidate's confidence is below the threshold, or the top
candidate is a body of the national signposting catalogue (the bot says "that's not the council"); unmet
precision and recall treat "unmet" as the positive class, over all rows.
"""

from __future__ import annotations

import csv
import math
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.directory.national import is_national


class RankedCandidate(Protocol):
    lgsl_codes: Sequence[int]
    confidence: float


RankFn = Callable[[str, int], Sequence[RankedCandidate]]


class QueryFileError(ValueError):
    """A query file that cannot be read; the message names the file and, where it applies, the line."""


@dataclass(frozen=True)
class QueryRow:
    text: str
    expected: frozenset[int]
    group: str
    line: int = 0

    @property
    def is_unmet(self) -> bool:
        return not self.expected


def parse_codes(value: str, where: str) -> frozenset[int]:
    codes = set()
    for part in re.split(r"[;,\s]+", value or ""):
        if not part:
            continue
        if not part.isdigit():
            raise QueryFileError(f"{where}: expected_lgsl {value!r} is not a list of LGSL numbers")
        codes.add(int(part))
    return frozenset(codes)


def read_queries(path: Path) -> list[QueryRow]:
    """The rows of a query CSV, with clear errors for a missing file, a missing column or a bad row."""
    path = Path(path)
    if not path.is_file():
        raise QueryFileError(f"{path}: no such file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            if "text" not in fields:
                raise QueryFileError(
                    f"{path}: no 'text' column (columns found: {', '.join(fields) or 'none'})"
                )
            rows = []
            for record in reader:
                line = reader.line_num
                where = f"{path}:{line}"
                if None in record:
                    raise QueryFileError(f"{where}: more values than columns")
                text = (record.get("text") or "").strip()
                expected = parse_codes(record.get("expected_lgsl") or "", where)
                group = (record.get("group") or "").strip() or ";".join(str(c) for c in sorted(expected))
                rows.append(QueryRow(text=text, expected=expected, group=group, line=line))
    except UnicodeDecodeError as error:
        raise QueryFileError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    except csv.Error as error:
        raise QueryFileError(f"{path}: not a readable CSV file ({error})") from error
    if not rows:
        raise QueryFileError(f"{path}: no query rows")
    return rows


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile, so the p95 is a latency that a real query actually took."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def evaluate(
    rows: Iterable[QueryRow | dict[str, Any]],
    rank_fn: RankFn,
    k: int = 3,
    threshold: float = 0.0,
) -> dict[str, Any]:
    """Top-1/top-k accuracy, the per-group average of top-1, unmet precision/recall, latency, and the share
    of rows with expected codes that the bot would answer (`met_share`: top confidence >= `threshold`).

    `rows` are `QueryRow`s or dicts with `text`, `expected_lgsl` (string or codes) and optional `group`.
    """
    top1_hits = topk_hits = labelled = labelled_met = 0
    group_hits: dict[str, list[int]] = defaultdict(list)
    true_unmet = predicted_unmet = correct_unmet = 0
    latencies: list[float] = []
    count = 0
    for row in rows:
        row = _as_row(row)
        count += 1
        started = time.perf_counter()
        candidates = list(rank_fn(row.text, max(k, 1)))
        latencies.append((time.perf_counter() - started) * 1000.0)
        says_unmet = (
            not candidates
            or candidates[0].confidence < threshold
            or is_national(str(getattr(candidates[0], "service_id", "")))
        )
        predicted_unmet += says_unmet
        if row.is_unmet:
            true_unmet += 1
            correct_unmet += says_unmet
            continue
        labelled += 1
        labelled_met += not says_unmet
        first = bool(candidates) and bool(row.expected.intersection(candidates[0].lgsl_codes))
        within = any(row.expected.intersection(c.lgsl_codes) for c in candidates[:k])
        top1_hits += first
        topk_hits += within
        group_hits[row.group].append(int(first))
    macro = (
        round(sum(sum(hits) / len(hits) for hits in group_hits.values()) / len(group_hits), 4)
        if group_hits
        else None
    )
    return {
        "n": count,
        "top1": _ratio(top1_hits, labelled),
        f"top{k}": _ratio(topk_hits, labelled),
        "macro_top1": macro,
        "unmet_precision": (_ratio(correct_unmet, predicted_unmet) if predicted_unmet else 0.0)
        if true_unmet
        else None,
        "unmet_recall": _ratio(correct_unmet, true_unmet) if true_unmet else None,
        "met_share": _ratio(labelled_met, labelled),
        "latency_ms_p50": round(percentile(latencies, 0.50), 3),
        "latency_ms_p95": round(percentile(latencies, 0.95), 3),
    }


def _as_row(row: QueryRow | dict[str, Any]) -> QueryRow:
    if isinstance(row, QueryRow):
        return row
    expected = row.get("expected_lgsl") or ""
    codes = parse_codes(expected, "row") if isinstance(expected, str) else frozenset(int(c) for c in expected)
    group = (row.get("group") or "").strip() or ";".join(str(c) for c in sorted(codes))
    return QueryRow(text=str(row["text"]), expected=codes, group=group)


METRIC_LABELS = [
    ("n", "queries"),
    ("top1", "top-1 accuracy"),
    ("top3", "top-3 accuracy"),
    ("macro_top1", "top-1, mean over groups"),
    ("unmet_precision", "unmet precision"),
    ("unmet_recall", "unmet recall"),
    ("met_share", "answered, labelled rows"),
    ("latency_ms_p50", "latency p50 (ms)"),
    ("latency_ms_p95", "latency p95 (ms)"),
]


def format_table(columns: dict[str, dict[str, Any]]) -> str:
    """A plain-text table: one row per metric, one column per result (e.g. "ours" and "bm25")."""
    names = list(columns)
    width = max(len(label) for _, label in METRIC_LABELS)
    header = f"{'metric':<{width}}  " + "  ".join(f"{name:>10}" for name in names)
    lines = [header, "-" * len(header)]
    for key, label in METRIC_LABELS:
        cells = []
        for name in names:
            value = columns[name].get(key)
            if value is None:
                cells.append(f"{'-':>10}")
            elif key == "n":
                cells.append(f"{int(value):>10d}")
            else:
                cells.append(f"{value:>10.3f}")
        lines.append(f"{label:<{width}}  " + "  ".join(cells))
    return "\n".join(lines)
