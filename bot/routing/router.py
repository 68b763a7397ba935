"""`Router`: from a resident's own words to the directory services most likely to meet the need.

Method (chosen by measurement, see docs/benchmarks.md, "Method selection"):

1. Every service becomes a set of short training texts: its name, alternate name, description sentences and
   directory phrases, plus, for each LGSL code it carries, the LGSL label and the resident lexicon's phrases
   for that code. The lexicon is what lets any LGSL-tagged directory understand "rubbish dumped in the alley"
   without ever seeing that council's reports.
2. Texts are normalised (`text_normalise`: spelling, misspellings, lemmas) and turned into word + character
   n-gram TF-IDF vectors (`features`).
3. A linear SVM (one class per service, one-vs-rest) learns which words point to which service, so that
   "flytip" outweighs "street" and "book" tells a bulky-waste collection from a dumped sofa.
4. The ranking score is the SVM margin. Confidence blends that margin with how closely the message matches
   the nearest single training text (cosine), through a logistic curve with two parameters set on the
   development measurements (`calibration`): a message about nothing in the directory matches no text
   closely and gets a low margin everywhere, so it falls below `unmet_threshold`.

Fitting takes seconds for a few hundred services; ranking takes about a millisecond.
"""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.svm import LinearSVC

from bot.directory.snapshot import DirectoryEntry
from bot.routing.calibration import Calibration
from bot.routing.features import TextFeatures
from bot.routing.lexicon import Lexicon, default_lexicon
from bot.routing.text_normalise import normalise

FORMAT_VERSION = 1
MODEL_FILE = "router.pkl"
META_FILE = "router.json"
MAX_QUERY_CHARS = 2000
"""Only the first 2,000 characters of a message are routed: plenty for any request, and it bounds the cost."""

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")


class RouterNotTrained(ValueError):
    """`rank` or `save` on a router that has not been fitted, or `load` from a folder with no router."""


@dataclass(frozen=True)
class Candidate:
    """One ranked service: `score` orders candidates, `confidence` (0-1) decides met or unmet."""

    service_id: str
    name: str
    lgsl_codes: tuple[int, ...]
    score: float
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["lgsl_codes"] = list(self.lgsl_codes)
        return data


def _labels() -> dict[int, str]:
    from bot.directory.lgsl import lgsl_catalogue

    return {code: service.label for code, service in lgsl_catalogue().items()}


def service_texts(entry: DirectoryEntry, lexicon: Lexicon, labels: dict[int, str]) -> list[str]:
    """The short texts that describe one service, before normalisation (its training examples)."""
    texts = [entry.name]
    if entry.alternate_name:
        texts.append(entry.alternate_name)
    texts.extend(s for s in _SENTENCE.split(entry.description or "") if len(s.split()) >= 2)
    texts.extend(entry.phrases)
    for code in entry.lgsl_codes:
        if code in labels:
            texts.append(labels[code])
        texts.extend(lexicon.get(code, ()))
    seen: set[str] = set()
    unique = []
    for text in texts:
        key = " ".join(text.lower().split())
        if key and key not in seen:
            seen.add(key)
            unique.append(text)
    return unique


class Router:
    """Ranks directory services for a message. `fit` on directory entries, then `rank`; `save`/`load`."""

    def __init__(self, c: float = 0.1, calibration: Calibration | None = None) -> None:
        self.c = c
        self.calibration = calibration or Calibration()
        self.features: TextFeatures | None = None
        self.model: LinearSVC | None = None
        self.services: list[tuple[str, str, tuple[int, ...]]] = []
        self.phrase_matrix = None
        self.phrase_owner: np.ndarray | None = None

    @property
    def unmet_threshold(self) -> float:
        """Below this top-candidate confidence the bot says it has no service for the message."""
        return self.calibration.threshold

    @property
    def is_fitted(self) -> bool:
        return self.model is not None

    def fit(self, entries: Sequence[DirectoryEntry], lexicon: Lexicon | None = None) -> Router:
        """Learn the services in `entries` (active ones; inactive are skipped) with the resident lexicon."""
        lexicon = default_lexicon() if lexicon is None else lexicon
        labels = _labels()
        active = [entry for entry in entries if entry.active]
        if not active:
            raise ValueError("no active services to route to: the directory is empty")
        texts: list[str] = []
        owners: list[int] = []
        for index, entry in enumerate(active):
            for text in service_texts(entry, lexicon, labels):
                normalised = normalise(text)
                if normalised:
                    texts.append(normalised)
                    owners.append(index)
        self.services = [(e.service_id, e.name, tuple(e.lgsl_codes)) for e in active]
        self.features = TextFeatures().fit(texts)
        matrix = self.features.transform(texts)
        self.phrase_matrix = matrix
        self.phrase_owner = np.asarray(owners, dtype=np.int32)
        if len(active) == 1:
            self.model = _SingleService()
        else:
            self.model = LinearSVC(C=self.c, class_weight=None, max_iter=2000)
            self.model.fit(matrix, self.phrase_owner)
        return self

    def scores(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Per service: the SVM margin and the best cosine with any one of its training texts."""
        if self.model is None or self.features is None:
            raise RouterNotTrained("the router has not been fitted: call fit(entries) or Router.load(folder)")
        vector = self.features.transform([normalise(text[:MAX_QUERY_CHARS])])
        count = len(self.services)
        margins = np.full(count, -10.0, dtype=np.float64)
        margins[self.model.classes_] = np.asarray(self.model.decision_function(vector)).ravel()
        cosines = np.asarray((self.phrase_matrix @ vector.T).todense()).ravel()
        nearest = np.zeros(count, dtype=np.float64)
        np.maximum.at(nearest, self.phrase_owner, cosines)
        return margins, nearest

    def rank(self, text: str, k: int = 5) -> list[Candidate]:
        """The `k` most likely services for `text`, best first; empty text gives no candidates."""
        if not (text or "").strip():
            if self.model is None:
                raise RouterNotTrained("the router has not been fitted")
            return []
        margins, nearest = self.scores(text)
        order = np.argsort(-margins, kind="stable")[: max(k, 0)]
        candidates = []
        for index in order:
            service_id, name, codes = self.services[int(index)]
            confidence = self.calibration.confidence(float(margins[index]), float(nearest[index]))
            candidates.append(
                Candidate(
                    service_id=service_id,
                    name=name,
                    lgsl_codes=codes,
                    score=round(float(margins[index]), 6),
                    confidence=round(confidence, 6),
                )
            )
        return candidates

    def save(self, folder: Path) -> None:
        """Write the fitted router to `folder`: the sklearn objects (pickle) and a JSON summary."""
        if self.model is None:
            raise RouterNotTrained("nothing to save: the router has not been fitted")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {
            "version": FORMAT_VERSION,
            "c": self.c,
            "features": self.features,
            "model": self.model,
            "services": self.services,
            "phrase_matrix": self.phrase_matrix,
            "phrase_owner": self.phrase_owner,
        }
        with (folder / MODEL_FILE).open("wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        meta = {
            "version": FORMAT_VERSION,
            "services": len(self.services),
            "calibration": self.calibration.as_dict(),
            "unmet_threshold": self.unmet_threshold,
        }
        (folder / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Router:
        """The router saved in `folder`; `RouterNotTrained` (a ValueError) when there is none."""
        folder = Path(folder)
        model_path, meta_path = folder / MODEL_FILE, folder / META_FILE
        if not model_path.is_file() or not meta_path.is_file():
            raise RouterNotTrained(f"{folder}: no saved router ({MODEL_FILE} and {META_FILE})")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        with model_path.open("rb") as handle:
            state = pickle.load(handle)  # noqa: S301 - our own file, written by save() into the model
        if state.get("version") != FORMAT_VERSION:
            found = state.get("version")
            raise RouterNotTrained(f"{folder}: router format {found}, expected {FORMAT_VERSION}: retrain")
        router = cls(c=state["c"], calibration=Calibration.from_dict(meta["calibration"]))
        router.features = state["features"]
        router.model = state["model"]
        router.services = [(s, n, tuple(c)) for s, n, c in state["services"]]
        router.phrase_matrix = state["phrase_matrix"]
        router.phrase_owner = state["phrase_owner"]
        return router


class _SingleService:
    """A one-service directory: the SVM needs two classes, and with one there is nothing to choose."""

    classes_ = np.array([0])

    def decision_function(self, vector: Any) -> np.ndarray:
        return np.zeros((vector.shape[0], 1))
