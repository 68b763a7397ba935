"""How well one model routes the bench sets: the figures `here-to-help evaluate` prints, per set.

The model is loaded in this process (about 3 s) and closed before the next, so scoring the old and the new
model never holds two Rasa agents in memory at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot import PROJECT_ROOT

MAX_TEXT_CHARS = 5000


def bench_sets(setting: str) -> dict[str, Path]:
    """RETRAIN_BENCH_SETS as {file name without extension: path}, relative paths from the project folder."""
    sets = {}
    for item in (part.strip() for part in setting.split(",")):
        if item:
            path = Path(item) if Path(item).is_absolute() else PROJECT_ROOT / item
            sets[path.stem] = path
    return sets


def score_model(model: Path, sets: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """Each bench set's figures (n, top1, top3, unmet_recall, met_share, ...) through `model`."""
    from bot.routing.evaluate import evaluate, read_queries
    from bot.routing.parse import load_parser

    rows = {name: read_queries(path) for name, path in sets.items()}  # a bad file fails before the load
    parser = load_parser(model.parent)  # the folder's here-to-help.tar.gz: the candidate's has that name too
    if parser.model_path != model:
        parser.close()
        raise ValueError(f"{model.parent} holds {parser.model_path.name}, not {model.name}")
    try:

        def rank(text: str, k: int) -> list:
            return parser.rank(text[:MAX_TEXT_CHARS], k) if text.strip() else []

        _, threshold = parser.services("hello")
        return {name: evaluate(queries, rank, k=3, threshold=threshold) for name, queries in rows.items()}
    finally:
        parser.close()
