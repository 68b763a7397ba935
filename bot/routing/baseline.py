"""The BM25 anchor: plain keyword search over each service's name and description, nothing else.

No lexicon, no phrases, no learning. It is the figure to beat: what a council gets from a search box over its
own directory. `here-to-help evaluate --baseline bm25` and `make bench` report it beside the router.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import bm25s
import numpy as np

from bot.directory.snapshot import DirectoryEntry
from bot.routing.router import Candidate

_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "the",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
        "we",
        "they",
        "there",
        "their",
        "them",
        "can",
        "do",
        "does",
        "how",
        "not",
        "no",
    ]
)


def _tokens(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]


class Bm25Baseline:
    """Ranks services by BM25 over "name + alternate name + description"."""

    unmet_threshold = 0.5
    """BM25 has no calibrated confidence (1 when any word matches, else no candidates): a query is unmet
    only when none of its words occurs in the directory."""

    def __init__(self, entries: Sequence[DirectoryEntry]) -> None:
        active = [entry for entry in entries if entry.active]
        if not active:
            raise ValueError("no active services to search")
        self.services = [(e.service_id, e.name, tuple(e.lgsl_codes)) for e in active]
        corpus = [_tokens(" ".join([e.name, e.alternate_name, e.description])) for e in active]
        self.index = bm25s.BM25()
        self.index.index(bm25s.tokenization.Tokenized(*_vocabulary_ids(corpus)), show_progress=False)
        self.vocabulary = _vocabulary_ids(corpus)[1]

    def rank(self, text: str, k: int = 5) -> list[Candidate]:
        words = [word for word in _tokens(text) if word in self.vocabulary]
        if not words:
            return []
        scores = self.index.get_scores(words)
        order = np.argsort(-scores, kind="stable")[:k]
        top = float(scores[order[0]]) if len(order) else 0.0
        return [
            Candidate(
                service_id=self.services[i][0],
                name=self.services[i][1],
                lgsl_codes=self.services[i][2],
                score=round(float(scores[i]), 6),
                confidence=1.0 if top > 0 else 0.0,
            )
            for i in (int(j) for j in order)
        ]


def _vocabulary_ids(corpus: list[list[str]]) -> tuple[list[list[int]], dict[str, int]]:
    vocabulary: dict[str, int] = {}
    ids = [[vocabulary.setdefault(word, len(vocabulary)) for word in document] for document in corpus]
    return ids, vocabulary
