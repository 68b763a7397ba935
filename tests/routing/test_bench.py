"""The benchmark rewrites only its own block of docs/benchmarks.md and skips politely without the dev set."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.run as bench_run


def test_the_results_block_is_replaced_and_the_rest_of_the_page_kept(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        f"# Benchmarks\n\nintro\n\n{bench_run.START}\nold figures\n{bench_run.END}\n\nmethod notes\n"
    )
    bench_run.write_doc("new figures", doc)
    text = doc.read_text()
    assert "old figures" not in text
    assert f"{bench_run.START}\nnew figures\n{bench_run.END}" in text
    assert text.startswith("# Benchmarks\n\nintro") and text.rstrip().endswith("method notes")


def test_without_the_development_set_the_bench_says_so_and_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(bench_run, "DEV_SET", tmp_path / "absent.csv")
    assert bench_run.main(["--no-doc"]) == 0
    assert "skipped" in capsys.readouterr().out


def test_the_rendered_table_has_a_row_per_directory_and_anchor() -> None:
    figures = {"n": 10, "top1": 0.9, "top3": 1.0, "macro_top1": 0.8, "unmet_precision": None}
    results = {
        "measured_at": "2026-01-01 10:00",
        "machine": "2 CPUs",
        "demo": {"router": {**figures, "services": 5, "fit_seconds": 1.0}, "bm25": figures},
    }
    text = bench_run.render(results)
    assert "| demo directory: router | 10 | 0.900 | 1.000 | 0.800 | – |" in text
    assert "| demo directory: BM25 anchor |" in text
    assert "not measured in this run" in text
