"""Rasa's `SpacyNLP`, made to find the project's spaCy pipeline from any working directory.

Rasa's own `SpacyNLP` calls `spacy.load(model)` with the name from the config, so a folder name resolves
against the current directory, and the pipeline is not stored inside `models/*.tar.gz`: `rasa run` started
from anywhere but the project root fails. This subclass resolves a bare name against `VAR_DIR/spacy/` and
builds the pipeline there if it is missing or out of date (it is cheap: about a quarter of a second).

The class must be called `SpacyNLP`: Rasa wires `SpacyTokenizer` and `SpacyEntityExtractor` to their model
provider by class name (`model_from="SpacyNLP"`). Registering it replaces the stock entry in Rasa's component
registry for this process, which is what we want once this module is imported (by naming it in config.yml).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils import spacy_utils

from bot.routing.spacy_pipeline import BUILD_VERSION, PIPELINE_NAME, ensure_pipeline


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(spacy_utils.SpacyNLP):
    """Provides the project's spaCy pipeline (`bot.routing.spacy_pipeline`) to the spaCy-based components."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**spacy_utils.SpacyNLP.get_default_config(), "model": PIPELINE_NAME}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyNLP:
        config = {**cls.get_default_config(), **config}
        name = str(config["model"])
        path = ensure_pipeline(name)
        loaded = cls.load_model(str(path))
        cls.ensure_proper_language_model(loaded.model)
        # Rasa's training cache fingerprints the provided model by its name only: include the build version so
        # a change to our rules retrains the components that depend on the pipeline.
        model = spacy_utils.SpacyModel(model=loaded.model, model_name=f"{name}@{BUILD_VERSION}")
        return cls(model, config)
