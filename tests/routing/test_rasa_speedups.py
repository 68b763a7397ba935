"""Rasa's check of each action server response reuses one validator (bot/rasa_speedups.py)."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot.rasa_speedups  # noqa: F401 - applies the fix


def action() -> RemoteAction:
    return RemoteAction("action_signpost", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_a_valid_action_server_response_is_accepted_without_checking_the_schema_again(monkeypatch) -> None:
    checked: list[object] = []
    monkeypatch.setattr(jsonschema.validators.Draft202012Validator, "check_schema", checked.append)
    monkeypatch.setattr(jsonschema.validators.Draft7Validator, "check_schema", checked.append)
    response = {"events": [{"event": "slot", "name": "service_id", "value": "waste"}], "responses": []}
    for _ in range(3):
        assert action()._validate_action_result(response) is True
    assert checked == []


def test_an_invalid_action_server_response_still_fails_with_rasas_own_message() -> None:
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result({"events": "not a list"})
