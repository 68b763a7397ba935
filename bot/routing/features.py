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

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

FUNCTION_WORDS = frozenset(
    ["the", "a", "an", "on", "in", "at", "of", "to", "by", "for", "and", "or", "it", "its", "this", "that"]
)


def content_words(text: str) -> str:
    """`text` (already normalised) without the function words that carry no need."""
    return " ".join(word for word in text.split() if word not in FUNCTION_WORDS)


WORD_OPTIONS = {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"}
CHAR_OPTIONS = {"analyzer": "char_wb", "ngram_range": (3, 5)}


class TextFeatures:
    """Word (1-2 gram) and character (3-5 gram) TF-IDF vectors of already-normalised text.

    Fitted with scikit-learn's TfidfVectorizer, then kept as what a transform needs: each vocabulary and its
    idf weights. A transform counts with a fixed-vocabulary CountVectorizer and applies the weights itself
    (sublinear tf, idf, L2 per part, as TfidfVectorizer does), which skips the vectorizer's per-call fitted
    checks (they rebuilt the idf vector on every message: most of a parse's time), and lets the router be
    saved as plain arrays and JSON rather than pickle (`to_files` / `from_files`).
    """

    def __init__(self) -> None:
        self.words: CountVectorizer | None = None
        self.chars: CountVectorizer | None = None
        self.word_idf = np.zeros(0, dtype=np.float32)
        self.char_idf = np.zeros(0, dtype=np.float32)

    def fit(self, texts: Sequence[str]) -> TextFeatures:
        texts = [content_words(text) for text in texts]
        words = TfidfVectorizer(**WORD_OPTIONS, sublinear_tf=True, dtype=np.float32).fit(texts)
        chars = TfidfVectorizer(**CHAR_OPTIONS, sublinear_tf=True, min_df=2, dtype=np.float32).fit(texts)
        return self._use(words.vocabulary_, words.idf_, chars.vocabulary_, chars.idf_)

    def _use(
        self,
        word_vocabulary: dict[str, int],
        word_idf: np.ndarray,
        char_vocabulary: dict[str, int],
        char_idf: np.ndarray,
    ) -> TextFeatures:
        self.words = CountVectorizer(**WORD_OPTIONS, vocabulary=word_vocabulary, dtype=np.float32)
        self.chars = CountVectorizer(**CHAR_OPTIONS, vocabulary=char_vocabulary, dtype=np.float32)
        for counter in (self.words, self.chars):
            counter._validate_vocabulary()  # sets vocabulary_ once, as fit would
        self.word_idf = np.asarray(word_idf, dtype=np.float32)
        self.char_idf = np.asarray(char_idf, dtype=np.float32)
        return self

    @staticmethod
    def _weighted(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
        counts = counts.tocsr()
        np.log(counts.data, out=counts.data)
        counts.data += 1.0
        counts.data *= idf[counts.indices]
        return normalize(counts)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        word_counter, char_counter = self._counters()
        texts = [content_words(text) for text in texts]
        words = self._weighted(word_counter.transform(texts), self.word_idf)
        chars = self._weighted(char_counter.transform(texts), self.char_idf)
        return normalize(sparse.hstack([words, chars], format="csr"))

    def _counters(self) -> tuple[CountVectorizer, CountVectorizer]:
        if self.words is None or self.chars is None:
            raise ValueError("TextFeatures used before fit")
        return self.words, self.chars

    def to_files(self, folder: Path) -> None:
        """Vocabularies as JSON, idf weights as `.npy`: nothing that runs code when read."""
        word_counter, char_counter = self._counters()
        parts = (("words", word_counter, self.word_idf), ("chars", char_counter, self.char_idf))
        for name, counter, idf in parts:
            vocabulary = {term: int(index) for term, index in counter.vocabulary_.items()}
            (folder / f"{name}_vocabulary.json").write_text(json.dumps(vocabulary), encoding="utf-8")
            np.save(folder / f"{name}_idf.npy", idf, allow_pickle=False)

    @classmethod
    def from_files(cls, folder: Path) -> TextFeatures:
        parts = []
        for name in ("words", "chars"):
            parts.append(json.loads((folder / f"{name}_vocabulary.json").read_text(encoding="utf-8")))
            parts.append(np.load(folder / f"{name}_idf.npy", allow_pickle=False))
        return cls()._use(*parts)
