"""evaluate(): the figures on a tiny hand-made set, computed by hand; and clear errors for bad query files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.routing.evaluate import QueryFileError, QueryRow, evaluate, format_table, read_queries


@dataclass(frozen=True)
class Fake:
    lgsl_codes: tuple[int, ...]
    confidence: float


ANSWERS = {
    "dumped sofa": [Fake((587,), 0.9), Fake((528,), 0.2)],  # right at 1
    "bin missed": [Fake((528,), 0.8), Fake((524,), 0.1)],  # right at 2 only
    "light out": [Fake((557,), 0.7), Fake((541,), 0.1), Fake((564,), 0.05)],  # right at 3 only
    "graffiti": [Fake((584,), 0.3)],  # right at 1 but below the threshold: wrongly called unmet
    "weather": [Fake((587,), 0.2)],  # unmet, correctly called unmet
    "joke": [Fake((587,), 0.6)],  # unmet, wrongly answered
    "zzz": [],  # unmet, no candidates: called unmet
}


def fake_rank(text: str, k: int) -> list[Fake]:
    return ANSWERS[text][:k]


ROWS = [
    QueryRow("dumped sofa", frozenset({587}), "fly"),
    QueryRow("bin missed", frozenset({524, 1130}), "bins"),
    QueryRow("light out", frozenset({564}), "lights"),
    QueryRow("graffiti", frozenset({584}), "lights"),
    QueryRow("weather", frozenset(), "unmet"),
    QueryRow("joke", frozenset(), "unmet"),
    QueryRow("zzz", frozenset(), "unmet"),
]


def test_evaluate_counts_top1_top3_macro_and_unmet_as_worked_out_by_hand() -> None:
    figures = evaluate(ROWS, fake_rank, k=3, threshold=0.5)
    assert figures["n"] == 7
    # 4 rows with codes: top1 right for "dumped sofa" and "graffiti"
    assert figures["top1"] == 0.5
    # top3: all four
    assert figures["top3"] == 1.0
    # groups: fly 1/1, bins 0/1, lights (light out 0, graffiti 1) 1/2 -> (1 + 0 + 0.5) / 3
    assert figures["macro_top1"] == 0.5
    # predicted unmet: graffiti (0.3), weather (0.2), zzz (none) = 3; truly unmet among them: 2
    assert figures["unmet_precision"] == round(2 / 3, 4)
    # truly unmet: weather, joke, zzz = 3; caught: 2
    assert figures["unmet_recall"] == round(2 / 3, 4)
    # rows with codes the bot would answer: all but graffiti (0.3 < 0.5)
    assert figures["met_share"] == 0.75
    assert figures["latency_ms_p95"] >= figures["latency_ms_p50"] >= 0


def test_without_unmet_rows_unmet_figures_are_null_and_group_defaults_to_the_codes() -> None:
    rows = [
        {"text": "dumped sofa", "expected_lgsl": "587"},
        {"text": "bin missed", "expected_lgsl": "524;1130"},
    ]
    figures = evaluate(rows, fake_rank, k=1)
    assert figures["unmet_precision"] is None and figures["unmet_recall"] is None
    assert figures["top1"] == 0.5 and figures["macro_top1"] == 0.5
    assert "top-1 accuracy                0.500" in format_table({"ours": figures})


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "queries.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_query_file_is_read_with_codes_groups_and_unmet_rows(tmp_path: Path) -> None:
    rows = read_queries(write(tmp_path, "text,expected_lgsl,group\npothole,557;537,Roads\nhello,,chat\n"))
    assert rows[0] == QueryRow("pothole", frozenset({557, 537}), "Roads", line=2)
    assert rows[1].is_unmet and rows[1].group == "chat"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(QueryFileError, match="no such file"):
        read_queries(tmp_path / "nope.csv")


def test_a_file_without_a_text_column_says_which_columns_it_has(tmp_path: Path) -> None:
    with pytest.raises(QueryFileError, match="no 'text' column.*message, code"):
        read_queries(write(tmp_path, "message,code\npothole,557\n"))


def test_a_bad_row_says_which_line(tmp_path: Path) -> None:
    with pytest.raises(QueryFileError, match=r"queries.csv:3: expected_lgsl 'potholes'"):
        read_queries(write(tmp_path, "text,expected_lgsl\npothole,557\nlight,potholes\n"))
    with pytest.raises(QueryFileError, match=r"queries.csv:2: more values than columns"):
        read_queries(write(tmp_path, "text,expected_lgsl\npothole,557,extra\n"))
