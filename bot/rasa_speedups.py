"""Speed fixes to Rasa 3.6 itself, applied once when a model with the project's components is loaded.

Rasa checks every action server response against a JSON schema with `jsonschema.validate(result, schema)`
(`RemoteAction._validate_action_result`). That function first checks the *schema* against the JSON Schema
meta-schema, on every call; with the pinned jsonschema 4.17 this cost about 64 ms of each 130 ms turn on this
machine (measured with `bench.conversation_speed` under cProfile), more than language understanding, the
tracker store and the action itself together. jsonschema's documentation says to build a validator once for
repeated validation; this does exactly that, with the same schema and the same errors: a response that is
not valid still raises `ValidationError` with Rasa's own message.

Importing this module applies the fix (bot.routing.rasa_component imports it, so any process that loads a
model of this project has it); `apply()` is idempotent.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_APPLIED = "_here_to_help_cached_validator"


def apply() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction, _APPLIED, False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate did on every call
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your response from the "
                f"Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise error

    RemoteAction._validate_action_result = _validate_action_result
    setattr(RemoteAction, _APPLIED, True)
    logger.debug("Rasa's action response check now reuses one JSON schema validator")


apply()
