"""The text features the router compares: TF-IDF over words and word pairs, plus character n-grams.

Words carry meaning ("pothole", "dumped"); character n-grams inside word boundaries carry it through typos
and word forms the normaliser missed ("mattres", "grafiti"), at a cost of microseconds per message. Both
are fitted on the directory's own documents (names, descriptions, phrases and lexicon), never on residents'
reports, and every vector is L2-normalised so a dot product is a cosine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


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
        self.words.fit(texts)
        self.chars.fit(texts)
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        words = self.words.transform(texts)
        chars = self.chars.transform(texts)
        return normalize(sparse.hstack([words, chars], format="csr"))
