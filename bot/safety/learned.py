"""The learned layer of the safety check: a text classifier for crisis wording the patterns do not cover.

Every blind table written for this project found wording the reviewed patterns missed on first contact
(recall 0.73-0.84; docs/benchmarks.md, section k), because people in distress describe rather than name
("out cold and blood coming from his ear"). This layer generalises from examples instead: TF-IDF over
character and word n-grams of the normalised text, a logistic regression for "crisis or not" and another
for the category. It only ever adds: it is asked only when no pattern matched, and it answers only above a
high threshold, so an ordinary council question is rarely taken for a crisis.

What it learns from is reviewed data named in `data/safety/crisis_phrases.yml` (`learned:`): the
development crisis tables as examples, and the project's own ordinary texts (the resident lexicon, council
category names, the demo directory) as things that are not a crisis, leaving out any the patterns call one.
It is fitted once for each loaded safety knowledge, in the background when a process starts (about 6 s);
a failure to fit leaves the patterns working alone, logged.
"""

from __future__ import annotations

import csv
import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.safety import learned_store
from bot.safety.catalogue import LearnedSource, SafetyKnowledge
from bot.safety.learned_store import ConstantCategory
from bot.safety.normalise import normalise
from bot.safety.patterns import pattern_check

logger = logging.getLogger(__name__)

TEXT_KEYS = frozenset({"name", "description", "alternate_name"})
"""The fields of a directory JSON file read as ordinary text: service and organisation names, descriptions."""


@dataclass(frozen=True)
class LearnedCheck:
    """A fitted layer: `predict` gives the probability of a crisis and the likeliest category."""

    vectoriser: Any
    detector: Any
    categoriser: Any
    threshold: float
    long_words: int | None = None
    long_threshold: float | None = None

    def threshold_for(self, normal_text: str) -> float:
        """How sure the layer must be for this message: stricter for a long one (`LearnedSource`)."""
        long = self.long_words is not None and len(normal_text.split()) > self.long_words
        return self.long_threshold if long and self.long_threshold is not None else self.threshold

    def predict(self, normal_text: str) -> tuple[float, str]:
        features = self.vectoriser.transform([normal_text])
        probability = float(self.detector.predict_proba(features)[0][1])
        category = str(self.categoriser.predict(features)[0])
        return probability, category


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _json_texts(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in TEXT_KEYS and isinstance(item, str):
                yield item
            else:
                yield from _json_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_texts(item)


def ordinary_texts(path: Path) -> list[str]:
    """Texts that are not a crisis: every string of a YAML file, the names and descriptions of JSON, or the
    `text` column of a CSV question set."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [row["text"] for row in csv.DictReader(handle) if (row.get("text") or "").strip()]
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return [item for item in _json_texts(json.loads(text)) if item.strip()]
    return [item for item in _strings(yaml.safe_load(text)) if item.strip()]


def example_rows(path: Path) -> list[tuple[str, str]]:
    """(text, expected_category) rows of a crisis table; an empty category is an ordinary message."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["expected_category"] or "") for row in csv.DictReader(handle)]


def _ordinary(text: str, path: Path, source: LearnedSource, knowledge: SafetyKnowledge) -> bool:
    """Whether a text may serve as "not a crisis": residents' phrases (YAML) are checked by the patterns;
    directory names and descriptions (JSON) by the cheaper `not_ordinary` word list."""
    if path.suffix == ".json" and source.not_ordinary is not None:
        return source.not_ordinary.search(normalise(text, knowledge)) is None
    return pattern_check(text, knowledge)[1] is None


# Character 2-6-grams and word 1-3-grams, C=20: trained without held-out table 10 and tried on it, the layer
# alone found 0.763 of its crises at the 0.97 threshold against 0.662 with 3-5-grams, 1-2-grams and C=4, for
# 34 Lewisham reports taken for a crisis instead of 24 (docs/benchmarks.md, section k).
CHAR_NGRAMS = (2, 6)
WORD_NGRAMS = (1, 3)
C = 20.0
RECIPE = f"char{CHAR_NGRAMS}-word{WORD_NGRAMS}-C{C}-min_df2-sublinear-categoriser-C4"
"""The fit's settings, in the key of the saved layer (bot.safety.learned_store)."""


def _vectorisers() -> list[Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [
        TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, min_df=2, sublinear_tf=True),
        TfidfVectorizer(ngram_range=WORD_NGRAMS, sublinear_tf=True),
    ]


def fit(source: LearnedSource, knowledge: SafetyKnowledge) -> LearnedCheck:
    """Fit both classifiers; ordinary texts the patterns call a crisis are left out of the negatives."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_union

    examples = [row for path in source.examples for row in example_rows(path)]
    ordinary = [
        text
        for path in source.ordinary
        for text in ordinary_texts(path)
        if _ordinary(text, path, source, knowledge)
    ]
    texts = [normalise(text, knowledge) for text, _ in examples] + [normalise(t, knowledge) for t in ordinary]
    labels = [1 if category else 0 for _, category in examples] + [0] * len(ordinary)
    vectoriser = make_union(*_vectorisers())
    features = vectoriser.fit_transform(texts)
    detector = LogisticRegression(C=C, class_weight="balanced", solver="liblinear").fit(features, labels)
    crisis = [index for index, (_, category) in enumerate(examples) if category]
    categories = [examples[index][1] for index in crisis]
    if len(set(categories)) > 1:
        categoriser: Any = LogisticRegression(C=4.0, solver="liblinear").fit(features[crisis], categories)
    else:  # one category only (a small council table): it is always the answer
        categoriser = ConstantCategory(categories[0])
    return LearnedCheck(
        vectoriser, detector, categoriser, source.threshold, source.long_words, source.long_threshold
    )


def _saved_or_fitted(source: LearnedSource, knowledge: SafetyKnowledge) -> LearnedCheck:
    """The layer saved for exactly this knowledge (`learned_store`), or a new fit, saved for next time."""
    from bot.settings import get_settings

    folder = get_settings().var_dir / "safety"
    key = learned_store.layer_key(knowledge, source, RECIPE) if knowledge.fingerprint else ""
    loaded = learned_store.load(folder, key, _vectorisers()) if key else None
    if loaded is not None:
        vectoriser, detector, categoriser = loaded
        return LearnedCheck(
            vectoriser, detector, categoriser, source.threshold, source.long_words, source.long_threshold
        )
    layer = fit(source, knowledge)
    if key:
        try:
            learned_store.save(layer, folder, key)
        except OSError as error:  # a read-only folder only costs the next start a fit
            logger.warning("the learned safety layer could not be saved (%s)", error)
    return layer


_LOCK = threading.Lock()
_FITTED: dict[int, tuple[SafetyKnowledge, LearnedCheck | None]] = {}


def start_fitting(knowledge: SafetyKnowledge) -> None:
    """Fit the layer in the background, so that the first message a new process answers does not wait.

    Not a daemon thread: a short-lived process (`rasa test`) that exits while the fit is in numerical code
    would abort; this way exit waits the few seconds the fit takes.
    """
    threading.Thread(target=learned_check, args=(knowledge,), daemon=False, name="safety-learned-fit").start()


def learned_check(knowledge: SafetyKnowledge, *, wait: bool = True) -> LearnedCheck | None:
    """The layer for this knowledge, fitted once; None when the knowledge names no learned layer or fitting
    failed (the patterns still work, and it is logged). A changed safety file gives new knowledge
    (`cached_safety`), and so a new fit; nothing is checked on disk here, on every message's path.

    `wait=False` answers None at once while another thread is fitting: a reply never waits for the fit.
    """
    source = knowledge.learned
    if source is None:
        return None
    key = id(knowledge)
    found = _FITTED.get(key)
    if found is not None:
        return found[1]
    if not _LOCK.acquire(blocking=wait):
        return None
    try:
        if key not in _FITTED:
            try:
                fitted: LearnedCheck | None = _saved_or_fitted(source, knowledge)
            except Exception:  # noqa: BLE001 - the patterns must keep working whatever happens here
                logger.exception("the learned safety layer could not be fitted; the patterns work alone")
                fitted = None
            _FITTED[key] = (knowledge, fitted)  # the knowledge is kept so that its id is not reused
        return _FITTED[key][1]
    finally:
        _LOCK.release()
