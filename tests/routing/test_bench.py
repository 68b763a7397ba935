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
    assert "residents' questions" not in text


def test_the_residents_questions_get_their_own_rows_with_the_share_answered() -> None:
    figures = {"n": 100, "top1": 0.9, "top3": 0.95, "macro_top1": 0.85, "met_share": 0.97}
    results = {
        "measured_at": "2026-01-01 10:00",
        "machine": "2 CPUs",
        "questions": {"router": figures, "bm25": {**figures, "met_share": 0.5}},
    }
    text = bench_run.render(results)
    label = "residents' questions beyond the street, demo directory"
    assert f"| {label}: router | 100 | 0.900 | 0.950 | 0.850 | – | – | 0.970 |" in text
    assert "demo directory: BM25 anchor | 100 | 0.900 | 0.950 | 0.850 | – | – | 0.500 |" in text


def test_the_held_out_unmet_set_gets_its_own_rows() -> None:
    figures = {"n": 9341, "top1": 0.82, "unmet_precision": 0.9, "unmet_recall": 0.84}
    results = {
        "measured_at": "2026-01-01 10:00",
        "machine": "2 CPUs",
        "heldout": {"router": figures, "bm25": figures},
    }
    text = bench_run.render(results)
    label = "demo directory, reports + held-out unmet set"
    assert f"| {label}: router | 9341 | 0.820 | – | – | 0.900 | 0.840 |" in text
    assert f"| {label}: BM25 anchor | 9341 |" in text


def test_the_partly_untagged_directory_is_shown_with_and_without_guessed_codes() -> None:
    guessed = {"n": 10, "top1": 0.8, "untagged": 63, "guessed": 45, "fit_seconds": 20.5}
    results = {
        "measured_at": "2026-01-01 10:00",
        "machine": "2 CPUs",
        "untagged": {"guessed": guessed, "unguessed": {"n": 10, "top1": 0.7}},
    }
    text = bench_run.render(results)
    assert "| demo directory, 30% of services untagged: codes guessed | 10 | 0.800 |" in text
    assert "| demo directory, 30% of services untagged: not guessed | 10 | 0.700 |" in text
    assert "63 services untagged, 45 given a guessed code; fitted in 20.5 s" in text


def test_the_national_street_reports_are_shown_for_both_directories() -> None:
    figures = {"n": 64, "top1": 0.95, "top3": 1.0, "macro_top1": 0.96}
    results = {
        "measured_at": "2026-01-01 10:00",
        "machine": "2 CPUs",
        "demo_national_2": {"router": figures, "bm25": {**figures, "top1": 0.5}},
        "lgsl_only_national_2": {"router": {**figures, "top1": 0.94}, "bm25": figures},
    }
    text = bench_run.render(results)
    label = "national-mix street reports (second set, unseen by row 38)"
    assert f"| {label}, demo directory: router | 64 | 0.950 | 1.000 | 0.960 |" in text
    assert f"| {label}, demo directory: BM25 anchor | 64 | 0.500 |" in text
    assert f"| {label}, LGSL-only directory: router | 64 | 0.940 |" in text
    assert "(first set)" not in text


def _rows(group: str, codes: set[int], texts: list[str]) -> list:
    from bot.routing.evaluate import QueryRow

    return [QueryRow(text=t, expected=frozenset(codes), group=group) for t in texts]


def test_the_supervised_reference_learns_labels_that_the_words_separate() -> None:
    from bench.ceiling import supervised_reference

    potholes = _rows("Potholes", {557}, [f"deep pothole number {i} in the road surface" for i in range(20)])
    lights = _rows("Lights", {564}, [f"street light {i} not working at night" for i in range(20)])
    figures = supervised_reference(potholes + lights)
    assert figures["top1"] == 1.0 and figures["macro_top1"] == 1.0 and figures["n"] == 40


def test_the_supervised_reference_cannot_learn_labels_the_words_do_not_carry() -> None:
    """Residents who write the same words under two categories cap any classifier, which is the point."""
    from bench.ceiling import supervised_reference

    texts = [f"rubbish left outside house {i}" for i in range(30)]
    figures = supervised_reference(_rows("Fly-Tipping", {587}, texts) + _rows("Fly-Posting", {588}, texts))
    assert figures["top1"] <= 0.6


def test_the_supervised_reference_counts_a_category_whose_codes_overlap_as_right() -> None:
    from bench.ceiling import supervised_reference

    texts = [f"pavement cracked outside number {i}" for i in range(20)]
    rows = _rows("Potholes", {537, 557}, texts) + _rows("Pavements", {537}, texts)
    assert supervised_reference(rows)["top1"] == 1.0


def test_the_supervised_reference_needs_two_labelled_groups() -> None:
    from bench.ceiling import supervised_reference

    with pytest.raises(ValueError, match="two groups"):
        supervised_reference(_rows("Potholes", {557}, ["pothole"] * 10))


def test_the_supervised_reference_scores_a_category_with_a_single_report() -> None:
    """One-report categories (the dev set has two) cannot be stratified, but they are still scored."""
    import warnings

    from bench.ceiling import supervised_reference

    rows = _rows("Potholes", {557}, [f"deep pothole {i} in the road" for i in range(20)])
    rows += _rows("Lights", {564}, [f"street light {i} not working" for i in range(20)])
    rows += _rows("Toilets", {579}, ["public toilets locked"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        figures = supervised_reference(rows)
    assert figures["n"] == 41 and figures["top1"] >= 0.97  # at most the lone report is missed
