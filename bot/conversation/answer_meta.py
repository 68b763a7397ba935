"""The answer metadata every bot turn ends with: what kind of answer it was and which services it showed.

One Rasa JSON message `{"answer": {...}}` closes every turn, so it reaches the REST webhook's response as
`{"custom": {"answer": ...}}` and `/api/chat` passes it to the widget as `{"answer": ...}`. Tests, the
widget's cards and `here-to-help evaluate` read this instead of parsing reply text. Keys:

* `kind`: one of KINDS;
* `services`: the services shown, in order, each `{"id", "name", "lgsl": [codes], "organisation"}`;
* `body`: the other organisation's name, for `other_body`;
* `category`: the crisis category, for `crisis` (and `lines`: the numbers given, `{"name", "number"}`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.directory.queries import ServiceDetails

CRISIS = "crisis"
SERVICE = "service"
CHOICES = "choices"
OTHER_BODY = "other_body"
UNMET = "unmet"
CLARIFY = "clarify"
CONVERSATION = "conversation"
REFUSED = "refused"
KINDS = (CRISIS, SERVICE, CHOICES, OTHER_BODY, UNMET, CLARIFY, CONVERSATION, REFUSED)
ANSWER_KEY = "answer"


def service_entry(service: ServiceDetails) -> dict[str, Any]:
    """One shown service as the metadata names it."""
    return {
        "id": service.id,
        "name": service.name,
        "lgsl": list(service.lgsl_codes),
        "organisation": service.organisation.name,
    }


def build(
    kind: str,
    services: Iterable[ServiceDetails] = (),
    *,
    body: str | None = None,
    category: str | None = None,
    lines: Sequence[dict[str, str]] = (),
) -> dict[str, Any]:
    """The `answer` object; raises ValueError for a kind outside KINDS so a typo cannot reach the widget."""
    if kind not in KINDS:
        raise ValueError(f"answer kind must be one of {', '.join(KINDS)}; got {kind!r}")
    answer: dict[str, Any] = {"kind": kind, "services": [service_entry(service) for service in services]}
    if body is not None:
        answer["body"] = body
    if category is not None:
        answer["category"] = category
    if lines:
        answer["lines"] = [dict(line) for line in lines]
    return answer


def for_service(service: ServiceDetails) -> dict[str, Any]:
    """A one-service answer: `other_body` (with the body) when another organisation provides it."""
    if service.provided_elsewhere:
        return build(OTHER_BODY, [service], body=service.organisation.name)
    return build(SERVICE, [service])


def message(answer: dict[str, Any]) -> dict[str, Any]:
    """The JSON message that carries it (Rasa `json_message`)."""
    return {ANSWER_KEY: answer}
