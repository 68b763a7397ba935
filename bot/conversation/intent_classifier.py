"""The conversational intents (greet, thanks, ask_open, find_service, ...) from a small linear classifier.

Why not DIET: the intents are a dozen, hand-written, and the message features are sparse word and character
counts; a logistic regression learns them in about a second. DIET's TensorFlow graph took about 25 s to load
(graph tracing) and ~10 ms a parse, which was most of the model's start-up and of every turn.

Why not Rasa's own LogisticRegressionClassifier: it saves the model with skops, whose import scans every
loaded module for trusted types and took about 12 s of start-up here. This component saves only arrays
(`.npy`, loaded with `allow_pickle=False`) and the class names as JSON, so loading executes no stored code
(the reason Rasa moved off pickle, CVE-2024-49375) and takes milliseconds.

Probabilities are the softmax of the linear scores, as scikit-learn's multinomial logistic regression gives
them, so the FallbackClassifier and the intent guard read them as before.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack

logger = logging.getLogger(__name__)

COEFFICIENTS_FILE = "coefficients.npy"
INTERCEPTS_FILE = "intercepts.npy"
CLASSES_FILE = "classes.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Intents from a logistic regression over the sentence features of the featurizers before it."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Inverse regularisation strength, chosen by 5-fold cross-validation on data/nlu.yml's examples
            # with the FallbackClassifier's 0.3 threshold applied (3, 10 and 30 tried without an intercept).
            # Never tuned on the evaluation sets.
            "C": 30.0,
            # No intercept: a message with no known words or letter groups ("xqzv blorp") then scores zero
            # for every intent and falls below the fallback threshold. With intercepts such a message took the
            # intent with the largest bias (thanks, 0.38-0.59) and was answered "you're welcome".
            "fit_intercept": False,
            "max_iter": 1000,
            "random_state": 1,
            # How many intents `intent_ranking` lists (the FallbackClassifier reads the top two).
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classes: list[str] | None = None,
        coefficients: np.ndarray | None = None,
        intercepts: np.ndarray | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.classes = classes or []
        self.coefficients = coefficients
        self.intercepts = intercepts
        self._weights: np.ndarray | None = None
        """`coefficients` transposed and contiguous: a sparse row times it is one pass over the row."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def _features(messages: list[Message]) -> csr_matrix:
        """One row per message: its sparse sentence features, then any dense ones."""
        rows = []
        for message in messages:
            _, sparse = message.get_sparse_features(TEXT)
            _, dense = message.get_dense_features(TEXT)
            parts = [csr_matrix(sparse.features) if sparse is not None else csr_matrix((1, 0))]
            if dense is not None:
                parts.append(csr_matrix(dense.features))
            rows.append(hstack(parts).tocsr())
        return vstack(rows).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        labels = sorted({e.get(INTENT) for e in examples})
        if len(labels) < 2:
            logger.debug("LinearIntentClassifier: fewer than two intents to learn; not trained.")
            return self._resource
        model = LogisticRegression(
            C=self.config["C"],
            max_iter=self.config["max_iter"],
            random_state=self.config["random_state"],
            class_weight="balanced",
            solver="lbfgs",
            fit_intercept=bool(self.config["fit_intercept"]),
        )
        model.fit(self._features(examples), [e.get(INTENT) for e in examples])
        self.classes = [str(name) for name in model.classes_]
        self.coefficients = np.asarray(model.coef_, dtype=np.float64)
        self.intercepts = np.asarray(model.intercept_, dtype=np.float64).reshape(-1)
        if self.intercepts.size != self.coefficients.shape[0]:  # fit_intercept=False gives a scalar 0.0
            self.intercepts = np.zeros(self.coefficients.shape[0], dtype=np.float64)
        self._weights = None
        self.persist()
        return self._resource

    def probabilities(self, features: csr_matrix) -> np.ndarray:
        """Each row's probability for each of `classes`, as scikit-learn's predict_proba would give them."""
        coefficients, intercepts = self._fitted()
        if self._weights is None:
            self._weights = np.ascontiguousarray(coefficients.T)
        scores = np.asarray(features @ self._weights) + intercepts
        if len(self.classes) == 2:  # a binary model keeps one row of weights: the second class's score
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exponentials = np.exp(scores)
        return exponentials / exponentials.sum(axis=1, keepdims=True)

    def _fitted(self) -> tuple[np.ndarray, np.ndarray]:
        if self.coefficients is None or self.intercepts is None:
            raise ValueError("LinearIntentClassifier used before training")
        return self.coefficients, self.intercepts

    def process(self, messages: list[Message]) -> list[Message]:
        if not self.classes or self.coefficients is None or not messages:
            return messages
        features = self._features(messages)
        if features.shape[1] != self.coefficients.shape[1]:
            logger.warning(
                "LinearIntentClassifier: %d features but the model has %d; intents not set",
                features.shape[1],
                self.coefficients.shape[1],
            )
            return messages
        for message, row in zip(messages, self.probabilities(features), strict=True):
            scored = sorted(zip(self.classes, map(float, row), strict=True), key=lambda pair: -pair[1])
            ranking = [{"name": name, "confidence": confidence} for name, confidence in scored]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: self.config["ranking_length"]], add_to_output=True)
        return messages

    def persist(self) -> None:
        coefficients, intercepts = self._fitted()
        with self._model_storage.write_to(self._resource) as directory:
            np.save(directory / COEFFICIENTS_FILE, coefficients, allow_pickle=False)
            np.save(directory / INTERCEPTS_FILE, intercepts, allow_pickle=False)
            (directory / CLASSES_FILE).write_text(json.dumps(self.classes), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                classes = json.loads((directory / CLASSES_FILE).read_text(encoding="utf-8"))
                coefficients = np.load(directory / COEFFICIENTS_FILE, allow_pickle=False)
                intercepts = np.load(directory / INTERCEPTS_FILE, allow_pickle=False)
        except (ValueError, FileNotFoundError):
            logger.warning("LinearIntentClassifier: no trained model in the archive; intents will not be set")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, classes, coefficients, intercepts)
