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
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

FUNCTION_WORDS = frozenset(
    ["the", "a", "an", "on", "in", "at", "of", "to", "by", "for", "and", "or", "it", "its", "this", "that"]
)


def content_words(text: str) -> str:
    """`text` (already normalised) without the function words that carry no need."""
    return " ".join(word for word in text.split() if word not in FUNCTION_WORDS)


WORD_OPTIONS = {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"}
CHAR_OPTIONS = {"analyzer": "char_wb", "ngram_range": (3, 5)}


def _weighted_idf(
    counter: CountVectorizer, texts: Sequence[str], copies: np.ndarray, min_df: int
) -> tuple[dict[str, int], np.ndarray]:
    """The vocabulary (terms in at least `min_df` documents) and smoothed idf (`TfidfVectorizer`'s:
    ln((1 + n) / (1 + df)) + 1) of documents `texts`, text `i` counted `copies[i]` times."""
    counts = counter.fit_transform(texts).tocsc()
    present = np.diff(counts.indptr)  # per term, the texts holding it (indices sorted by column)
    holders = counts.indices
    df = (
        np.add.reduceat(copies[holders].astype(np.float64), counts.indptr[:-1])
        if holders.size
        else np.zeros(0)
    )
    df = np.where(present > 0, df, 0.0)
    keep = df >= min_df
    terms = np.asarray(counter.get_feature_names_out(), dtype=object)[keep]
    n = float(np.sum(copies))
    idf = np.log((1.0 + n) / (1.0 + df[keep])) + 1.0
    return {str(term): index for index, term in enumerate(terms)}, idf.astype(np.float32)


class TextFeatures:
    """Word (1-2 gram) and character (3-5 gram) TF-IDF vectors of already-normalised text.

    Fitted the way scikit-learn's TfidfVectorizer fits (a text may stand for several copies), then kept as
    what a transform needs: each vocabulary and its idf weights. A transform counts with a fixed-vocabulary
    CountVectorizer and applies the weights itself (sublinear tf, idf, L2 per part, as TfidfVectorizer
    does), which skips the vectorizer's per-call fitted
    checks (they rebuilt the idf vector on every message: most of a parse's time), and lets the router be
    saved as plain arrays and JSON rather than pickle (`to_files` / `from_files`).
    """

    def __init__(self) -> None:
        self.words: CountVectorizer | None = None
        self.chars: CountVectorizer | None = None
        self.word_idf = np.zeros(0, dtype=np.float32)
        self.char_idf = np.zeros(0, dtype=np.float32)

    def fit(self, texts: Sequence[str], copies: np.ndarray | None = None) -> TextFeatures:
        """Fit the vocabularies and idf weights on `texts`; `copies[i]` says how many documents text `i`
        stands for (the same weights as fitting on the texts repeated, without building them)."""
        texts = [content_words(text) for text in texts]
        if copies is None:
            copies = np.ones(len(texts), dtype=np.int64)
        words = _weighted_idf(CountVectorizer(**WORD_OPTIONS), texts, copies, min_df=1)
        chars = _weighted_idf(CountVectorizer(**CHAR_OPTIONS), texts, copies, min_df=2)
        return self._use(*words, *chars)

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
