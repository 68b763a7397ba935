"""The text features the router compares: TF-IDF over words and word pairs, plus character n-grams.

Words carry meaning ("pothole", "dumped"); character n-grams inside word boundaries carry it through typos
and word forms the normaliser missed ("mattres", "grafiti"), at a cost of microseconds per message. Both
are fitted on the directory's own documents (names, descriptions, phrases and lexicon), never on residents'
reports, and every vector is L2-normalised so a dot product is a cosine.

A few function words are dropped first: the lexicon's templates ("{item} on the {place}") put "the" and "on"
into one service's texts far more often than another's, and the SVM would learn them as evidence ("the lamp
post outside" read as fly-tipping). Words that carry a need ("not", "out", "off", "no") are kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

FUNCTION_WORDS = frozenset(
    ["the", "a", "an", "on", "in", "at", "of", "to", "by", "for", "and", "or", "it", "its", "this", "that"]
)


def content_words(text: str) -> str:
    """`text` (already normalised) without the function words that carry no need."""
    return " ".join(word for word in text.split() if word not in FUNCTION_WORDS)


class TextFeatures:
    """Word (1-2 gram) and character (3-5 gram) TF-IDF vectors of already-normalised text."""

    def __init__(self) -> None:
        self.words = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w+\b",
            dtype=np.float32,
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, dtype=np.float32
        )

    def fit(self, texts: Sequence[str]) -> TextFeatures:
        texts = [content_words(text) for text in texts]
        self.words.fit(texts)
        self.chars.fit(texts)
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        texts = [content_words(text) for text in texts]
        words = self.words.transform(texts)
        chars = self.chars.transform(texts)
        return normalize(sparse.hstack([words, chars], format="csr"))
