"""`ServiceRouterComponent`: the directory router inside Rasa's NLU pipeline.

At `rasa train` it reads the directory database (DATABASE_URL) through `bot.directory.snapshot`, fits
`bot.routing.router.Router` and stores it inside the model archive; at inference it loads that router and
adds, to every parsed message,

* `services`: the ranked candidates, each `Candidate.as_dict()` (service_id, name, lgsl_codes, score,
  confidence), best first;
* `service_threshold`: the router's `unmet_threshold`; a query is unmet when there is no candidate or the top
  candidate's confidence is below it (decided by the actions, not here).

Both are set with `add_to_output=True`: Rasa only copies "output properties" of a message into the parse
result, so without it the keys would never reach the tracker or the actions.

Training-cache trap: Rasa skips any graph node whose config and inputs did not change, and neither the
directory nor the router's code is either. `here-to-help train` therefore writes both fingerprints into this
component's config (`directory_fingerprint`, `code_fingerprint`) in a generated config file, so a directory
or router change retrains this component and nothing else needs to. See docs/routing.md.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import bot.rasa_speedups  # noqa: F401 - applies the fixes to Rasa on import (see the module)
from bot.routing.directory_source import DirectoryEmptyError, read_directory
from bot.routing.parse import SERVICE_THRESHOLD, SERVICES

__all__ = [
    "DirectoryEmptyError",
    "ServiceRouterComponent",
    "ServiceRouterLoadError",
    "read_directory",
    "router_class",
]

if TYPE_CHECKING:
    from bot.routing.router import Router

logger = logging.getLogger(__name__)

META_FILE = "service_router.json"
MAX_TEXT_CHARS = 2000
"""Longer messages are routed on their first 2,000 characters: enough for any request; it bounds the cost."""


class ServiceRouterLoadError(RuntimeError):
    """The model holds a router this code cannot read: the model must be retrained."""


def router_class() -> type[Router]:
    """The router implementation (a seam so the component can be tested before or without the real one)."""
    from bot.routing.router import Router

    return Router


def is_intent_payload(text: str) -> bool:
    """`/intent{...}` button payloads are not resident text and are not routed."""
    return text.startswith("/")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ServiceRouterComponent(GraphComponent):
    """Adds the ranked council services (`services`) and the unmet threshold to every message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "top_k": 5,
            # Written by `here-to-help train`; only there so Rasa's training cache, which fingerprints config
            # and training data but not the database or our code, retrains the router when either changes.
            "directory_fingerprint": None,
            "code_fingerprint": None,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        router: Router | None = None,
        fingerprint: str | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._router = router
        self.fingerprint = fingerprint

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ServiceRouterComponent:
        return cls(config, model_storage, resource)

    @property
    def router(self) -> Router | None:
        return self._router

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the router on the directory database; Rasa's NLU training data plays no part in routing."""
        from bot.directory.snapshot import directory_fingerprint

        entries = read_directory()
        fingerprint = directory_fingerprint(entries)
        expected = self._config.get("directory_fingerprint")
        if expected and expected != fingerprint:
            logger.warning(
                "The directory changed between generating the training config and training; "
                "training on the directory as it is now (%s).",
                fingerprint[:12],
            )
        from bot.routing.fit_cache import cache_folder, reference_router
        from bot.settings import get_settings

        cache = cache_folder(get_settings().models_dir)
        router = router_class()()
        router.fit(entries, reference=lambda: reference_router(cache))
        self._router = router
        self.fingerprint = fingerprint
        self.persist()
        return self._resource

    def persist(self) -> None:
        if self._router is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            self._router.save(directory)
            meta = {"directory_fingerprint": self.fingerprint, "top_k": self._config["top_k"]}
            (directory / META_FILE).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ServiceRouterComponent:
        """The router stored in the model; a model trained without one routes nothing (and says so).

        A router that is there but cannot be read (trained by other code) stops the model from loading with
        a clear message, rather than letting the bot answer every resident with "no service found".
        """
        try:
            with model_storage.read_from(resource) as directory:
                try:
                    router = router_class().load(directory)
                except Exception as error:  # noqa: BLE001 - any failure to read it means the same thing
                    raise ServiceRouterLoadError(
                        f"The service router stored in this model cannot be loaded ({error!r}); it was "
                        "probably trained by a different version of the code: run `here-to-help train`."
                    ) from error
                meta_path = directory / META_FILE
                meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        except ValueError:  # Rasa's storage has nothing for this component
            logger.warning("The model holds no trained service router: every message will have no services.")
            return cls(config, model_storage, resource)
        return cls(
            config, model_storage, resource, router=router, fingerprint=meta.get("directory_fingerprint")
        )

    def rank(self, text: str | None) -> list[dict[str, Any]]:
        """The ranked candidate dicts for one message text (none for empty text or a button payload)."""
        text = (text or "").strip()
        if self._router is None or not text or is_intent_payload(text):
            return []
        candidates = self._router.rank(text[:MAX_TEXT_CHARS], int(self._config["top_k"]))
        return [candidate.as_dict() for candidate in candidates]

    def process(self, messages: list[Message]) -> list[Message]:
        threshold = float(self._router.unmet_threshold) if self._router is not None else 1.0
        for message in messages:
            message.set(SERVICES, self.rank(message.get(TEXT)), add_to_output=True)
            message.set(SERVICE_THRESHOLD, threshold, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
