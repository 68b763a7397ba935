"""`here-to-help evaluate QUERIES.csv --json OUT.json [--baseline bm25]`: routing accuracy of the trained bot.

It goes through the same trained Rasa model and code path the bot uses (`bot.routing.parse.load_parser`), so
the figures are the bot's, not a side copy's. With `--baseline bm25` it also ranks the same queries by plain
BM25 over the directory's service names and descriptions and prints both side by side.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Optional

import typer

from bot.routing.evaluate import QueryFileError, QueryRow, evaluate, format_table, read_queries
from bot.routing.evaluate_answers import format_answers, score_answers

BASELINES = ("bm25",)
MAX_TEXT_CHARS = 5000


def _bot_ranker() -> tuple[Callable[[str, int], Sequence[Any]], float]:
    """The bot's rank function and its unmet threshold, from the newest trained model."""
    from bot.routing.parse import load_parser

    parser = load_parser()

    def rank(text: str, k: int) -> Sequence[Any]:
        return parser.rank(text[:MAX_TEXT_CHARS], k) if text.strip() else []

    _, threshold = parser.services("hello")
    return rank, threshold


def _answer_rows(rows: Sequence[QueryRow], out: Path) -> dict[str, Any]:
    """Each row's first answer through the trained model and the directory database, written as JSONL."""
    from bot.conversation.channel import RESIDENT
    from bot.conversation.decide import first_answer
    from bot.conversation.opening import london_now
    from bot.db import get_engine, session_scope
    from bot.routing.parse import load_parser
    from bot.settings import get_settings

    parser = load_parser()
    now = london_now(get_settings().timezone)
    out.parent.mkdir(parents=True, exist_ok=True)
    pairs = []
    with session_scope(get_engine()) as session, out.open("w", encoding="utf-8") as handle:
        for row in rows:
            text = row.text[:MAX_TEXT_CHARS]
            parse = parser.parse(text) if text.strip() else {"text": text}
            answer = first_answer(session, parse, channel=RESIDENT, now=now).answer or {
                "kind": "conversation"
            }
            pairs.append((row, answer))
            record = {
                "line": row.line,
                "text": row.text,
                "expected_lgsl": sorted(row.expected),
                "answer": answer,
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        session.rollback()
    return score_answers(pairs)


def _baseline_ranker(name: str) -> tuple[Callable[[str, int], Sequence[Any]], float]:
    from bot.db import get_engine, session_scope
    from bot.directory.snapshot import load_directory_entries
    from bot.routing.baseline import Bm25Baseline

    with session_scope(get_engine()) as session:
        entries = load_directory_entries(session)
    if not entries:
        raise ValueError("the directory database has no active services: import a directory first")
    baseline = Bm25Baseline(entries)
    return baseline.rank, baseline.unmet_threshold


def evaluate_command(
    queries: Path = typer.Argument(..., help="CSV with columns text, expected_lgsl (';'-separated), group."),
    json_out: Optional[Path] = typer.Option(  # noqa: UP007, UP045 - typer 0.7 cannot read "Path | None"
        None, "--json", help="Also write the figures to this JSON file."
    ),
    baseline: Optional[str] = typer.Option(  # noqa: UP007, UP045 - typer 0.7 cannot read "str | None"
        None, "--baseline", help="Also measure an anchor: 'bm25'."
    ),
    k: int = typer.Option(3, "--top", "-k", min=1, help="Rank counted for the top-k accuracy."),
    answers_out: Optional[Path] = typer.Option(  # noqa: UP007, UP045
        None, "--answers", help="Also write each row's first answer (answer metadata) to this JSONL file."
    ),
) -> None:
    """Measure routing accuracy, unmet detection and latency on a file of labelled queries."""
    if baseline is not None and baseline not in BASELINES:
        typer.echo(f"error: unknown baseline {baseline!r}; choose from: {', '.join(BASELINES)}", err=True)
        raise typer.Exit(2)
    try:
        rows = read_queries(queries)
    except QueryFileError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        rank, threshold = _bot_ranker()
    except (FileNotFoundError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    ours = evaluate(rows, rank, k=k, threshold=threshold)
    ours["unmet_threshold"] = threshold
    columns = {"ours": ours}
    result: dict[str, Any] = dict(ours)
    result["queries_file"] = str(queries)
    if baseline is not None:
        try:
            anchor_rank, anchor_threshold = _baseline_ranker(baseline)
        except ValueError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        anchor = evaluate(rows, anchor_rank, k=k, threshold=anchor_threshold)
        anchor["name"] = baseline
        columns[baseline] = anchor
        result["baseline"] = anchor
    typer.echo(format_table(columns))
    if answers_out is not None:
        try:
            figures = _answer_rows(rows, answers_out)
        except (FileNotFoundError, ValueError) as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        result["answers"] = figures
        typer.echo(format_answers(figures))
        typer.echo(f"wrote {answers_out}")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"wrote {json_out}")
