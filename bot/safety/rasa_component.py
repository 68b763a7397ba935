"""`SafetyCheckComponent`: the safety check inside Rasa's NLU pipeline, last, so that it has the final word.

On every message it runs `bot.safety.detect`; when the message shows a crisis it sets the intent to `crisis`
(confidence 1.0, first in the ranking) and adds `crisis` (`{"category", "categories", "lines"}`) to the
parse result, so the `crisis` rule runs `action_crisis` before any conversation intent, routing or follow-up.
The few `crisis` examples in data/nlu.yml exist only so Rasa's validation knows the intent: this component is
the only authority over it, and demotes a `crisis` the intent classifier guessed that the check does not
confirm.

The vocabulary and numbers are read from data/safety/ when the model is loaded (not stored in the model), so
a corrected number or a new phrase takes effect at the next start without retraining.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safety.catalogue import SafetyKnowledge, cached_safety
from bot.safety.detect import CrisisMatch, detect
from bot.safety.learned import start_fitting

logger = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"
CRISIS_KEY = "crisis"
FALLBACK_INTENT = "nlu_fallback"


def crisis_parse(match: CrisisMatch) -> dict[str, Any]:
    """What the parse result carries for a crisis (no words of the message)."""
    return {"category": match.category, "categories": list(match.categories), "lines": list(match.lines)}


NEXT_GUESS_CONFIDENCE = 0.3
"""The classifier's next guess is used only this sure of it: the FallbackClassifier threshold (config.yml)."""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyCheckComponent(GraphComponent):
    """Marks crisis messages so the dialogue answers them first."""

    def __init__(self, config: dict[str, Any], knowledge: SafetyKnowledge) -> None:
        self._config = config
        self._knowledge = knowledge

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyCheckComponent:
        # Validated here, when Rasa loads the model: a broken safety file stops the start with its reason.
        knowledge = cached_safety()
        start_fitting(knowledge)
        return cls(config, knowledge)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text.startswith("/"):
                continue  # a button payload, not typed text
            match = detect(text, self._knowledge, wait=False)
            if match is not None:
                self._mark(message, match)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == CRISIS_INTENT:
                self._demote(message)
        return messages

    @staticmethod
    def _mark(message: Message, match: CrisisMatch) -> None:
        intent = {INTENT_NAME_KEY: CRISIS_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != CRISIS_INTENT
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        message.set(CRISIS_KEY, crisis_parse(match), add_to_output=True)

    @staticmethod
    def _demote(message: Message) -> None:
        """The classifier guessed `crisis`, the check found none: take its next guess if it is a confident one
        (and passes the same guard as any other turn, bot.conversation.decide.turn_intent), else not
        understood. Symbol-led text ("-2+3") used to become `choose_service` here at 6% confidence."""
        from bot.conversation.decide import turn_intent
        from bot.routing.parse import SERVICE_THRESHOLD, SERVICES

        ranking = [
            r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != CRISIS_INTENT
        ]
        intent = {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        if ranking and float(ranking[0].get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= NEXT_GUESS_CONFIDENCE:
            name = str(ranking[0].get(INTENT_NAME_KEY) or "")
            services = message.get(SERVICES) or []
            threshold = float(message.get(SERVICE_THRESHOLD) or 0.0)
            decided = turn_intent(name, str(message.get(TEXT) or ""), services, threshold)
            intent = {**ranking[0], INTENT_NAME_KEY: decided}
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
