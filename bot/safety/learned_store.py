"""The fitted learned layer kept on disk, so that a process starting up loads it instead of fitting it.

Fitting takes about 10 s of CPU, in every process that answers messages (web app, action server, Rasa),
and on a busy two-core machine that slowed each start (Rasa back within 30 s after a crash is a goal). The
layer is saved once, as arrays (`.npz`, no pickle: loading a file can run no stored code) under a key that
changes whenever anything it was fitted from changes: the safety files, every example and ordinary file,
the settings of the fit and scikit-learn's version. A file that cannot be read is ignored and the layer is
fitted again; nothing here can stop the patterns working.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from bot.safety.catalogue import LearnedSource, SafetyKnowledge
    from bot.safety.learned import LearnedCheck

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
KEEP = 3
"""Saved layers kept in the folder, newest first: older ones were fitted from data that has since changed."""


def layer_key(knowledge: SafetyKnowledge, source: LearnedSource, recipe: str) -> str:
    """What the fitted layer depends on, as one hash: `recipe` names the fit's own settings."""
    import sklearn

    digest = hashlib.sha256(
        f"{FORMAT_VERSION}|{sklearn.__version__}|{recipe}|{knowledge.fingerprint}".encode()
    )
    for path in (*source.examples, *source.ordinary):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


class ConstantCategory:
    """The category answer of a layer fitted on one category only (a small council's table)."""

    def __init__(self, category: str) -> None:
        self.category = category

    def predict(self, features: Any) -> np.ndarray:
        return np.array([self.category] * features.shape[0])


def _vectoriser_arrays(vectoriser: Any) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for index, (_, part) in enumerate(vectoriser.transformer_list):
        terms = sorted(part.vocabulary_, key=part.vocabulary_.__getitem__)
        arrays[f"terms_{index}"] = np.array(terms, dtype=np.str_)
        arrays[f"idf_{index}"] = np.asarray(part.idf_, dtype=np.float64)
    return arrays


def save(layer: LearnedCheck, folder: Path, key: str) -> None:
    """Write the layer as `<key>.npz`, atomically (a reader never sees half a file)."""
    arrays = _vectoriser_arrays(layer.vectoriser)
    arrays["detector_coef"] = layer.detector.coef_
    arrays["detector_intercept"] = layer.detector.intercept_
    arrays["detector_classes"] = np.asarray(layer.detector.classes_)
    if isinstance(layer.categoriser, ConstantCategory):
        arrays["category_constant"] = np.array([layer.categoriser.category], dtype=np.str_)
    else:
        arrays["category_coef"] = layer.categoriser.coef_
        arrays["category_intercept"] = layer.categoriser.intercept_
        arrays["category_classes"] = np.asarray(layer.categoriser.classes_, dtype=np.str_)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".npz.tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
        os.replace(temporary, folder / f"{key}.npz")
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    saved = sorted(folder.glob("*.npz"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in saved[KEEP:]:
        old.unlink(missing_ok=True)


def _classifier(coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(solver="liblinear")  # liblinear: one-vs-rest probabilities, as when fitted
    model.coef_, model.intercept_, model.classes_ = coef, intercept, classes
    model.n_features_in_ = coef.shape[1]
    return model


def load(folder: Path, key: str, vectorisers: list[Any]) -> tuple[Any, Any, Any] | None:
    """(vectoriser, detector, categoriser) saved under `key`, or None when there is none or it is unreadable.

    `vectorisers` are unfitted TfidfVectorizers made as `fit` makes them; they are given the saved terms."""
    from sklearn.pipeline import make_union

    path = folder / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as saved:
            for index, part in enumerate(vectorisers):
                terms = saved[f"terms_{index}"]
                part.vocabulary_ = {str(term): position for position, term in enumerate(terms)}
                part.idf_ = saved[f"idf_{index}"]
            detector = _classifier(
                saved["detector_coef"], saved["detector_intercept"], saved["detector_classes"]
            )
            if "category_constant" in saved:
                categoriser: Any = ConstantCategory(str(saved["category_constant"][0]))
            else:
                categoriser = _classifier(
                    saved["category_coef"], saved["category_intercept"], saved["category_classes"]
                )
    except Exception:  # noqa: BLE001 - a damaged file only costs a fit
        logger.warning("the saved learned safety layer %s could not be read; fitting it again", path.name)
        return None
    return make_union(*vectorisers), detector, categoriser
