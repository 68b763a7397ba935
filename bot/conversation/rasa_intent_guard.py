"""`IntentGuardComponent`: conversation intents never swallow service words.

The intent classifier knows a handful of conversational intents from a few examples each, so a short
question it has never seen ("pip", "dvla", "universal credit sign in") can come out as `thanks` or
`goodbye`. Placed after the router and the FallbackClassifier, this component applies
`bot.conversation.decide.turn_intent`: a conversational intent on a message that names a need the router is
confident about becomes `find_service`, and `choose_service` on text that is neither a button's payload nor
words picking a button ("-2+3", "@SUM(1+1)") becomes `nlu_fallback`, answered with the contact-centre number
and logged. The safety check still runs after it and has the last word.
"""

from __future__ import annotations

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

from bot.conversation.decide import turn_intent
from bot.conversation.turns import NLU_FALLBACK
from bot.routing.parse import SERVICE_THRESHOLD, SERVICES


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentGuardComponent(GraphComponent):
    """Turns a conversational intent into `find_service` when the message carries service evidence."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentGuardComponent:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or text.startswith("/"):
                continue
            intent = message.get(INTENT) or {}
            name = str(intent.get(INTENT_NAME_KEY) or "")
            services = message.get(SERVICES) or []
            threshold = float(message.get(SERVICE_THRESHOLD) or 0.0)
            decided = turn_intent(name, text, services, threshold)
            if decided != name:
                top = float(services[0].get("confidence") or 0.0) if services else 0.0
                if decided == NLU_FALLBACK:
                    top = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
                guarded = {INTENT_NAME_KEY: decided, PREDICTED_CONFIDENCE_KEY: top}
                ranking = [
                    r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != decided
                ]
                message.set(INTENT, guarded, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [guarded, *ranking], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
