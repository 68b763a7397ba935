"""Group similar unmet queries, so an officer sees "dog fouling park (14)" rather than fourteen rows.

Each query becomes a TF-IDF vector of its words and of its character 3-5-grams (so "colected" and
"collected" still meet); queries whose cosine similarity reaches `threshold` are neighbours, and groups
are formed around the queries with the most neighbours (star clustering), named by the words that weigh
most across them. The same queries always give
the same clusters: no random state, ties broken by text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bot.gaplog.redaction import PLACEHOLDERS

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

DEFAULT_THRESHOLD = 0.35
MAX_ITEMS = 5000
SHARED_BY = 2
"""A title word must occur in at least this many of the group's queries."""
"""Similarity is quadratic: beyond this many queries only the newest are clustered."""
_PLACEHOLDER = re.compile("|".join(re.escape(token) for token in PLACEHOLDERS))
_TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z]+\b"


@dataclass
class Cluster:
    """Similar queries: a name made of their top terms, how many, and a few examples."""

    name: str
    terms: list[str]
    count: int
    examples: list[str]
    item_ids: list = field(default_factory=list)
    previous_count: int | None = None
    """How many of the previous period's queries fell in this group; None if not compared."""

    @property
    def change(self) -> int | None:
        return None if self.previous_count is None else self.count - self.previous_count


def _clean(text: str) -> str:
    return _PLACEHOLDER.sub(" ", text or "").lower()


def _star_clusters(vectors: csr_matrix, threshold: float, documents: list[str]) -> list[int]:
    """Star clustering: the query with the most similar neighbours founds a group of itself and its unassigned
    neighbours, then the next, and so on. Unlike linking neighbours of neighbours (single linkage), a long
    chain of slightly similar queries cannot swallow unrelated ones into one giant group."""
    similarity = (vectors @ vectors.T).tocsr()
    similarity.data = np.where(similarity.data >= threshold, 1.0, 0.0)
    similarity.eliminate_zeros()
    degree = np.diff(similarity.indptr)
    order = sorted(range(len(documents)), key=lambda index: (-int(degree[index]), documents[index], index))
    labels = [-1] * len(documents)
    next_label = 0
    for seed in order:
        if labels[seed] >= 0:
            continue
        labels[seed] = next_label
        for neighbour in similarity.indices[similarity.indptr[seed] : similarity.indptr[seed + 1]]:
            if labels[neighbour] < 0:
                labels[neighbour] = next_label
        next_label += 1
    return labels


def cluster_texts(
    texts: Sequence[str],
    ids: Sequence | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_examples: int = 3,
    top_terms: int = 3,
    min_size: int = 1,
) -> list[Cluster]:
    """Clusters of `texts`, largest first, then by name; `ids` (default: positions) name the items.

    A group's title is made only of words at least two of its queries share, so a name or other detail that
    one resident typed (and redaction missed) never becomes a title; a single query's group is titled
    "(one query)". Groups smaller than `min_size` are left out (the report shows groups of two or more).
    """
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
    from sklearn.preprocessing import normalize

    ids = list(ids) if ids is not None else list(range(len(texts)))
    if len(ids) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(ids)} ids")
    items = list(zip(texts, ids, strict=True))[-MAX_ITEMS:]
    cleaned = [_clean(text) for text, _ in items]
    usable = [index for index, text in enumerate(cleaned) if re.search(r"[a-z]{2}", text)]
    if not usable:
        return []
    stop_words = sorted(
        ENGLISH_STOP_WORDS | {"please", "hi", "hello", "thanks", "thank", "need", "want", "help"}
    )
    documents = [cleaned[index] for index in usable]
    words = TfidfVectorizer(token_pattern=_TOKEN_PATTERN, stop_words=stop_words, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    try:
        word_matrix = words.fit_transform(documents)
    except ValueError:  # nothing but stop words
        word_matrix = None
    char_matrix = chars.fit_transform(documents)
    parts = [char_matrix] if word_matrix is None else [word_matrix, char_matrix]
    combined = normalize(hstack(parts).tocsr())
    labels = _star_clusters(combined, threshold, documents)

    vocabulary = np.array(words.get_feature_names_out()) if word_matrix is not None else np.array([])
    clusters = []
    groups: dict[int, list[int]] = {}
    for position, label in enumerate(labels):
        groups.setdefault(label, []).append(position)
    for members in groups.values():
        if len(members) < min_size:
            continue
        terms: list[str] = []
        if word_matrix is not None and word_matrix.shape[1] and len(members) > 1:
            weights = np.asarray(word_matrix[members].sum(axis=0)).ravel()
            shared = np.asarray((word_matrix[members] > 0).sum(axis=0)).ravel() >= SHARED_BY
            order = sorted(range(len(weights)), key=lambda column: (-weights[column], vocabulary[column]))
            terms = [str(vocabulary[column]) for column in order if weights[column] > 0 and shared[column]]
            terms = terms[:top_terms]
        texts_in = sorted(
            {items[usable[position]][0] for position in members}, key=lambda text: (len(text), text)
        )
        clusters.append(
            Cluster(
                name=" · ".join(terms) if terms else ("(one query)" if len(members) == 1 else "(various)"),
                terms=terms,
                count=len(members),
                examples=texts_in[:max_examples],
                item_ids=[items[usable[position]][1] for position in members],
            )
        )
    clusters.sort(key=lambda cluster: (-cluster.count, cluster.name))
    return clusters


PREVIOUS, CURRENT = "previous", "current"


def compare_periods(
    current: Sequence[tuple[str, object]],
    previous: Sequence[tuple[str, object]],
    *,
    min_size: int = 1,
    max_examples: int = 3,
) -> list[Cluster]:
    """Groups of this period's `(text, id)` queries, each with how many of the previous period's fell in it.

    Both periods are grouped together, so "dog fouling" this month and last month is one group whose change
    an officer can read, rather than two groups whose names may differ by a word. Counts, examples and ids
    are this period's only; groups with fewer than `min_size` queries this period are left out (a group that
    has gone away is not this period's demand). Previous queries come first, so a capped set keeps the newest.
    """
    texts = [text for text, _ in previous] + [text for text, _ in current]
    tagged = [(PREVIOUS, item) for _, item in previous] + [(CURRENT, item) for _, item in current]
    text_of = dict(zip(tagged, texts, strict=True))
    result = []
    for cluster in cluster_texts(texts, tagged, max_examples=len(texts)):
        now = [tag for tag in cluster.item_ids if tag[0] == CURRENT]
        if len(now) < max(1, min_size):
            continue
        examples = sorted({text_of[tag] for tag in now}, key=lambda text: (len(text), text))
        cluster.count = len(now)
        cluster.previous_count = len(cluster.item_ids) - len(now)
        cluster.examples = examples[:max_examples]
        cluster.item_ids = [item for _, item in now]
        result.append(cluster)
    result.sort(key=lambda cluster: (-cluster.count, cluster.name))
    return result
