"""`make bench`: routing accuracy, unmet detection, latency and training time, into docs/benchmarks.md.

Measures, in one run:

(a) the Lewisham development reports against the demo directory (`data/directory/`);
(b) the same reports against a directory built only from the LGSL reference list (one service per code,
    named and described by LGSL): a council that has tagged its services and written nothing else;
(c) unmet precision and recall over the reports plus `data/eval/unmet_queries.csv`, and over the reports plus
    `data/eval/unmet_queries_heldout.csv` (written later, never used to set a number);
(d) routing latency p50/p95 per message;
(e) training time (the router alone; with `--rasa`, also `here-to-help train` end to end and the figures
    through the trained Rasa model, i.e. the bot's own code path);
(f) the BM25 anchor (service name + description, no lexicon) on the same queries;
(g) the supervised reference (`bench.ceiling`): a classifier cross-validated on the development reports'
    own labels, to show how much of any shortfall the labels themselves allow. It is measured, never shipped;
(h) `data/eval/resident_questions.csv` against the demo directory: 100 questions beyond street problems
    (council tax, housing, schools, care, licensing...), which the street-report development set lacks;
(i) (a) again with 30% of the demo services untagged, with and without guessing their codes
    (`bot.routing.code_guess`), scored against the codes those services really carry;
(j) street reports in the national FixMyStreet mix (potholes, lights, drains, vegetation, signs, rights of
    way...), which Lewisham's fly-tipping-heavy reports under-represent, against the demo and the LGSL-only
    directory: `data/eval/street_reports_national.csv` (written first; its misses informed lexicon row 38) and
    `data/eval/street_reports_national_2.csv` (written after that change, measured once);
(k) the safety check (`bench.safety`): crisis recall, category and false alarms on the crisis test table and
    the held-out crisis table, and how many real development reports it would take for a crisis;
(l) with `--rasa`, `bench/questions_broad.csv` through the bot's own decision (`here-to-help evaluate
    --answers`): first answer right, and other bodies' business answered as such or logged unmet;
(m) with `--rasa`, the runtime (`bench.runtime`): model load, parse latency, memory, conversational intent
    accuracy, and 16 concurrent conversations through Rasa's REST webhook under `here-to-help run`; with
    `--large`, training at scale: `here-to-help train` on the demo directory and on generated directories of
    1,712 and 5,000 services (`bench.large_directory`, real public data), from scratch and after one service
    changed, with its time, its peak memory and the routing figures of the development reports through the
    trained model, in one table.

The development reports are read from `../shared/eval/` and never copied; when they are absent the bench says
so and stops. Results go to `var/bench/results.json` and between the markers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench import safety
from bench.ceiling import supervised_reference
from bench.directories import demo_directory_entries, lgsl_only_entries, partly_untagged_entries
from bot import PROJECT_ROOT
from bot.directory.snapshot import DirectoryEntry
from bot.routing.baseline import Bm25Baseline
from bot.routing.evaluate import QueryRow, evaluate, format_table, read_queries
from bot.routing.router import Router

DEV_SET = PROJECT_ROOT.parent / "shared" / "eval" / "lewisham_dev.csv"
UNMET_SET = PROJECT_ROOT / "data" / "eval" / "unmet_queries.csv"
HELDOUT_UNMET_SET = PROJECT_ROOT / "data" / "eval" / "unmet_queries_heldout.csv"
QUESTIONS_SET = PROJECT_ROOT / "data" / "eval" / "resident_questions.csv"
"""Residents' questions beyond the street, labelled with the demo directory's LGSL codes (so measured
against the demo directory only: a directory with finer codes would be marked wrong for right answers)."""
NATIONAL_SETS = {
    "national": PROJECT_ROOT / "data" / "eval" / "street_reports_national.csv",
    "national_2": PROJECT_ROOT / "data" / "eval" / "street_reports_national_2.csv",
}
"""(j): street reports in the national mix, labelled with acceptable LGSL codes (each has a demo service)."""
BROAD_SET = PROJECT_ROOT / "bench" / "questions_broad.csv"
"""(l) 852 residents' questions across every service area and the national bodies, written blind before the
vocabulary they test; rows with no code are other bodies' business (right when answered `other_body` or
`unmet`)."""
DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
OUT_DIR = PROJECT_ROOT / "var" / "bench"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
NOT_IN_DEMO = "not_in_demo_directory"
"""Unmet-set rows about real council services the demo directory lacks: unmet there, but the LGSL-only
directory does hold those services, so they are left out when measuring it."""


def _measure(
    entries: Sequence[DirectoryEntry], query_sets: dict[str, tuple[str, Sequence[QueryRow]]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Fit the router and the BM25 anchor on `entries` once, then score each named query set on both."""
    started = time.perf_counter()
    router = Router().fit(entries)
    fit_seconds = time.perf_counter() - started
    anchor = Bm25Baseline(entries)
    measured = {}
    for key, (title, rows) in query_sets.items():
        ours = evaluate(rows, router.rank, k=3, threshold=router.unmet_threshold)
        ours.update(services=len(router.services), fit_seconds=round(fit_seconds, 2))
        bm25 = evaluate(rows, anchor.rank, k=3, threshold=anchor.unmet_threshold)
        print(f"\n{title}: {len(router.services)} services, router fitted in {fit_seconds:.1f} s")
        print(format_table({"router": ours, "bm25": bm25}))
        measured[key] = {"router": ours, "bm25": bm25}
    return measured


def _measure_untagged(rows: Sequence[QueryRow]) -> dict[str, dict[str, Any]]:
    """(i): the partly untagged demo directory, routed with and without guessed codes."""
    entries, codes = partly_untagged_entries()
    untagged = sum(1 for entry in entries if not entry.lgsl_codes)
    measured = {}
    for key, guess in (("guessed", True), ("unguessed", False)):
        started = time.perf_counter()
        router = Router().fit(entries, guess_codes=guess)
        fit_seconds = time.perf_counter() - started

        def rank(text: str, k: int, router: Router = router) -> list:
            return [replace(c, lgsl_codes=codes[c.service_id]) for c in router.rank(text, k)]

        figures = evaluate(rows, rank, k=3, threshold=router.unmet_threshold)
        figures.update(
            fit_seconds=round(fit_seconds, 2), untagged=untagged, guessed=len(router.guessed_codes)
        )
        measured[key] = figures
    print(f"\n(i) demo directory, {untagged} of {len(entries)} services untagged")
    print(format_table(measured))
    return measured


def _reference(rows: Sequence[QueryRow], *, balanced: bool) -> dict[str, Any]:
    started = time.perf_counter()
    figures = supervised_reference(rows, balanced=balanced)
    weighting = "groups weighted equally" if balanced else "plain"
    folds = figures["folds"]
    print(f"\n(g) supervised reference ({weighting}, {folds}-fold cross-validation on the dev reports)")
    print(format_table({"reference": figures}))
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


def _rasa_env(database: Path, models: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=f"sqlite:///{database}", MODELS_DIR=str(models))
    return env


def _here_to_help(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    command = [str(Path(sys.executable).with_name("here-to-help")), *args]
    subprocess.run(command, env=env, check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _measure_rasa(rows: Sequence[QueryRow]) -> dict[str, Any]:
    """Import the demo directory into a private database, train the Rasa model, evaluate through it."""
    folder = OUT_DIR / "rasa"
    database, models = folder / "demo.db", folder / "models"
    if database.exists():
        database.unlink()
    env = _rasa_env(database, models)
    _here_to_help(["directory", "import", str(PROJECT_ROOT / "data" / "directory")], env)
    train_seconds = _here_to_help(["train", "--force"], env)
    from bot.routing.parse import load_parser

    parser = load_parser(models)
    _, threshold = parser.services("hello")

    def rank(text: str, k: int) -> list:
        return parser.rank(text[:5000], k) if text.strip() else []

    result = evaluate(rows, rank, k=3, threshold=threshold)
    result.update(train_seconds=round(train_seconds, 1), unmet_threshold=threshold)
    parser.close()
    print(f"\nthrough the trained Rasa model (demo directory), trained in {train_seconds:.1f} s")
    print(format_table({"rasa": result}))
    result["broad"] = _measure_broad(env, folder)
    from bench import runtime

    result["runtime"] = runtime.measure(database, models)
    print(f"\n(m) runtime: {json.dumps(result['runtime'])}")
    return result


LARGE_SIZES = (None, 1712, 5000)
"""(m) `--large`: the demo directory (None) and the issue's two generated sizes."""
CHANGED_DESCRIPTION = " Updated: the service now also answers questions by email."


def _changed_service(env: dict[str, str], folder: Path) -> dict[str, Any]:
    """One service of the directory, as HSDS, with a sentence added to its description: a small change."""
    exported = folder / "exported.json"
    _here_to_help(["directory", "export", str(exported)], env)
    services = json.loads(exported.read_text(encoding="utf-8"))["contents"]
    service = dict(sorted(services, key=lambda item: str(item["id"]))[0])
    service["description"] = (service.get("description") or "") + CHANGED_DESCRIPTION
    return service


def _measure_large(rows_file: Path, sizes: Sequence[int | None] = LARGE_SIZES) -> dict[str, Any]:
    """(m) `--large`: train each directory from scratch (fresh models and Rasa cache), then again after one
    service's description changed, each with its peak memory; then the query file through the model."""
    from bench import runtime
    from bench.large_directory import write_large_directory

    measured: dict[str, Any] = {}
    for size in sizes:
        key = "demo" if size is None else str(size)
        folder = OUT_DIR / f"large-{key}"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        source = PROJECT_ROOT / "data" / "directory"
        if size is not None:
            source = write_large_directory(size, folder / "directory")
        database, models, var = folder / "directory.db", folder / "models", folder / "var"
        env = _rasa_env(database, models)
        env["VAR_DIR"] = str(var)
        _here_to_help(["directory", "import", str(source)], env)
        figures: dict[str, Any] = {"services": _here_to_help_json(["directory", "stats", "--json"], env)}
        figures["scratch"] = runtime.train_figures(database, models, var, force=True)
        changed = folder / "changed.json"
        changed.write_text(json.dumps([_changed_service(env, folder)]), encoding="utf-8")
        _here_to_help(["directory", "import", "--partial", str(changed)], env)
        figures["changed"] = runtime.train_figures(database, models, var, force=False)
        out = folder / "evaluate.json"
        _here_to_help(["evaluate", str(rows_file), "--json", str(out)], env)
        figures["routing"] = json.loads(out.read_text(encoding="utf-8"))
        print(f"\n(m) training at scale, {key}: {json.dumps(figures)}")
        measured[key] = figures
    return measured


def _here_to_help_json(args: list[str], env: dict[str, str]) -> int:
    command = [str(Path(sys.executable).with_name("here-to-help")), *args]
    done = subprocess.run(command, env=env, check=True, cwd=PROJECT_ROOT, capture_output=True, text=True)
    return int(json.loads(done.stdout)["active_services"])


def render_large(large: dict[str, Any]) -> list[str]:
    """(m) training at scale: one row per directory, the issue's goals beside them."""
    goals = {
        "demo": "<= 60 s",
        "1712": "<= 120 s, <= 2,500 MB, top-1 within 0.02 of the demo's",
        "5000": "<= 300 s, <= 4,000 MB",
    }
    lines = [
        "",
        "(m) training at scale (`bench.run --large`): `here-to-help train` from scratch (`--force`, fresh "
        "models and Rasa cache) and after one service's description changed; peak memory of the whole "
        "process tree; the development reports and unmet set through the trained model:",
        "",
        "| directory | services imported | from scratch: s / peak MB | one service changed: s / peak MB "
        "| top1 | top3 | unmet precision / recall | goal |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, figures in large.items():
        scratch, changed, routing = figures["scratch"], figures["changed"], figures["routing"]
        label = "demo" if key == "demo" else f"generated, {key}"
        lines.append(
            f"| {label} | {figures['services']} | {scratch['seconds']} / {scratch['peak_mb']:,} "
            f"| {changed['seconds']} / {changed['peak_mb']:,} "
            f"| {routing['top1']:.3f} | {routing['top3']:.3f} "
            f"| {routing['unmet_precision']:.3f} / {routing['unmet_recall']:.3f} | {goals.get(key, '–')} |"
        )
    return lines


def _measure_broad(env: dict[str, str], folder: Path) -> dict[str, Any]:
    """(l) The broad question set through the bot's decision (`here-to-help evaluate --answers`)."""
    answers, figures = folder / "broad_answers.jsonl", folder / "broad.json"
    _here_to_help(["evaluate", str(BROAD_SET), "--answers", str(answers), "--json", str(figures)], env)
    result = json.loads(figures.read_text(encoding="utf-8"))
    broad = dict(result["answers"])
    broad.update({key: result.get(key) for key in ("top1", "top3", "latency_ms_p50", "latency_ms_p95")})
    print(f"\n(l) {BROAD_SET.name} through the bot's first answers: {json.dumps(broad)}")
    return broad


def _write_queries(rows: Sequence[QueryRow], path: Path) -> None:
    """A query file for `here-to-help evaluate` (under var/bench: the development reports are never copied
    into the repository)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "expected_lgsl", "group"])
        for row in rows:
            writer.writerow([row.text, ";".join(str(code) for code in sorted(row.expected)), row.group])


def _row(label: str, figures: dict[str, Any], keys: Sequence[str]) -> str:
    cells = []
    for key in keys:
        value = figures.get(key)
        cells.append("–" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value)))
    return f"| {label} | " + " | ".join(cells) + " |"


def render(results: dict[str, Any]) -> str:
    keys = [
        "n",
        "top1",
        "top3",
        "macro_top1",
        "unmet_precision",
        "unmet_recall",
        "met_share",
        "latency_ms_p50",
        "latency_ms_p95",
    ]
    header = "| run | " + " | ".join(keys) + " |\n|---|" + "---|" * len(keys)
    lines = [f"Measured {results['measured_at']} on {results['machine']}.", "", header]
    for directory, label in (("demo", "demo directory"), ("lgsl_only", "LGSL-only directory")):
        if directory in results:
            lines.append(_row(f"{label}: router", results[directory]["router"], keys))
            lines.append(_row(f"{label}: BM25 anchor", results[directory]["bm25"], keys))
    if "heldout" in results:
        label = "demo directory, reports + held-out unmet set"
        lines.append(_row(f"{label}: router", results["heldout"]["router"], keys))
        lines.append(_row(f"{label}: BM25 anchor", results["heldout"]["bm25"], keys))
    if "rasa" in results:
        lines.append(_row("demo directory: through the trained Rasa model", results["rasa"], keys))
    if "questions" in results:
        label = "residents' questions beyond the street, demo directory"
        lines.append(_row(f"{label}: router", results["questions"]["router"], keys))
        lines.append(_row(f"{label}: BM25 anchor", results["questions"]["bm25"], keys))
    for key, label in (
        ("national", "national-mix street reports (first set)"),
        ("national_2", "national-mix street reports (second set, unseen by row 38)"),
    ):
        for directory, where in (("demo", "demo directory"), ("lgsl_only", "LGSL-only directory")):
            if f"{directory}_{key}" in results:
                lines.append(_row(f"{label}, {where}: router", results[f"{directory}_{key}"]["router"], keys))
                lines.append(
                    _row(f"{label}, {where}: BM25 anchor", results[f"{directory}_{key}"]["bm25"], keys)
                )
    if "untagged" in results:
        label = "demo directory, 30% of services untagged"
        lines.append(_row(f"{label}: codes guessed", results["untagged"]["guessed"], keys))
        lines.append(_row(f"{label}: not guessed", results["untagged"]["unguessed"], keys))
    for name, label in (
        ("reference", "supervised reference: SVM cross-validated on the dev reports' own labels"),
        ("reference_balanced", "supervised reference, groups weighted equally"),
    ):
        if name in results:
            lines.append(_row(label, results[name], keys))
    lines.append("")
    for directory, label in (("demo", "demo directory"), ("lgsl_only", "LGSL-only directory")):
        if directory in results:
            router = results[directory]["router"]
            lines.append(
                f"- {label}: {router['services']} services; router fitted in {router['fit_seconds']} s."
            )
    if "untagged" in results:
        guessed = results["untagged"]["guessed"]
        lines.append(
            f"- partly untagged demo directory: {guessed['untagged']} services untagged, "
            f"{guessed['guessed']} given a guessed code; fitted in {guessed['fit_seconds']} s with guessing "
            f"(the reference router of every LGSL service included)."
        )
    broad = (results.get("rasa") or {}).get("broad")
    if broad:
        lines.append(
            f"- (l) `bench/questions_broad.csv` ({broad['rows']} questions, {broad['not_council_rows']} "
            "of them other bodies' business) through the bot's first answers, demo directory: first answer "
            f"right **{broad['first_answer_top1']}** (router top-1 {broad['top1']}, top-3 {broad['top3']}); "
            "other bodies' business answered `other_body` or `unmet`: recall "
            f"**{broad['not_council_recall']}**, precision {broad['not_council_precision']} (the county's "
            f"services count as `other_body` in this two-tier directory); answer kinds {broad['kinds']}."
        )
    if "rasa" in results:
        lines.append(
            f"- `here-to-help train --force` (every component retrained, demo directory, on a shared "
            f"machine): {results['rasa']['train_seconds']} s."
        )
        lines.extend(render_runtime(results["rasa"].get("runtime") or {}))
    else:
        lines.append("- Rasa end-to-end figures: not measured in this run (`python -m bench.run --rasa`).")
    if "large" in results:
        lines.extend(render_large(results["large"]))
    return "\n".join(lines)


def render_runtime(runtime: dict[str, Any]) -> list[str]:
    """(m) the runtime table: one row per figure, with the issue's goal beside it."""
    model, webhook = runtime.get("model") or {}, runtime.get("webhook") or {}
    rows = [
        ("model load (fresh process, after imports)", model.get("load_seconds"), "s", "<= 5"),
        ("imports before the load (Rasa, TensorFlow)", model.get("import_seconds"), "s", "–"),
        ("parse p50 / p95", _pair(model, "parse_ms_p50", "parse_ms_p95"), "ms", "<= 5 / <= 10"),
        ("Rasa process peak RSS after load", model.get("rss_mb_after_load"), "MB", "<= 600"),
        ("conversational intent accuracy (blind set)", model.get("intent_accuracy"), "", "no drop"),
        ("REST webhook, 16 concurrent conversations", webhook.get("turns_per_second"), "turns/s", ">= 100"),
        ("turn p50 / p95", _pair(webhook, "turn_ms_p50", "turn_ms_p95"), "ms", "– / <= 250"),
        ("errors", webhook.get("errors"), "", "0"),
    ]
    lines = ["", "(m) runtime, demo directory (`bench.runtime`):", "", "| figure | value | unit | goal |"]
    lines.append("|---|---|---|---|")
    for label, value, unit, goal in rows:
        lines.append(f"| {label} | {'–' if value is None else value} | {unit} | {goal} |")
    for name, part in (("model", model), ("webhook", webhook)):
        if "error" in part:
            lines.append(f"- (m) {name}: not measured ({part['error']})")
    return lines


def _pair(figures: dict[str, Any], first: str, second: str) -> str | None:
    if figures.get(first) is None:
        return None
    return f"{figures[first]} / {figures.get(second)}"


def write_doc(text: str, doc: Path = DOC, start: str = START, end: str = END) -> None:
    block = f"{start}\n{text}\n{end}"
    current = doc.read_text(encoding="utf-8") if doc.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    if start not in current or end not in current:
        current = current.rstrip() + f"\n\n## Latest results\n\n{start}\n{end}\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    doc.write_text(pattern.sub(lambda _: block, current, count=1), encoding="utf-8")


def main(argv: list[str] | None = None, measure_rasa: Callable | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", action="store_true", help="also train and evaluate through Rasa (minutes)")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the supervised reference (about a minute)"
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="also train on generated directories of 1,712 and 5,000 services (section m; about 25 minutes)",
    )
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    safety_results = safety.measure(DEV_SET)
    print(safety.render(safety_results))
    if not args.no_doc:
        write_doc(safety.render(safety_results), start=safety.START, end=safety.END)
    if not DEV_SET.is_file():
        print(f"skipped: the development set {DEV_SET} is not here (it is only on project machines).")
        return 0
    dev = read_queries(DEV_SET)
    unmet = read_queries(UNMET_SET)
    results: dict[str, Any] = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        "dev_rows": len(dev),
        "unmet_rows": len(unmet),
        "safety": safety_results,
    }
    questions = read_queries(QUESTIONS_SET)
    demo_sets = {
        "demo": ("(a) demo directory", dev + unmet),
        "questions": ("(h) residents' questions beyond the street", questions),
        "heldout": (
            "(c) demo directory, reports + held-out unmet set",
            dev + read_queries(HELDOUT_UNMET_SET),
        ),
    }
    national = {key: read_queries(path) for key, path in NATIONAL_SETS.items()}
    demo_sets.update(
        {f"demo_{key}": (f"(j) {key} street reports, demo directory", rows) for key, rows in national.items()}
    )
    results.update(_measure(demo_directory_entries(), demo_sets))
    lgsl_unmet = [row for row in unmet if row.group != NOT_IN_DEMO]
    lgsl_sets = {"lgsl_only": ("(b) LGSL-only directory", dev + lgsl_unmet)}
    lgsl_sets.update(
        {
            f"lgsl_only_{key}": (f"(j) {key} street reports, LGSL-only directory", rows)
            for key, rows in national.items()
        }
    )
    results.update(_measure(lgsl_only_entries(), lgsl_sets))
    results["untagged"] = _measure_untagged(dev + unmet)
    if args.rasa:
        results["rasa"] = (measure_rasa or _measure_rasa)(dev + unmet)
    if args.large:
        rows_file = OUT_DIR / "dev_and_unmet.csv"
        _write_queries(dev + unmet, rows_file)
        results["large"] = _measure_large(rows_file)
    if not args.no_reference:
        results["reference"] = _reference(dev, balanced=False)
        results["reference_balanced"] = _reference(dev, balanced=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if not args.no_doc:
        write_doc(render(results))
        print(f"\nwrote {DOC.relative_to(PROJECT_ROOT)} and var/bench/results.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
