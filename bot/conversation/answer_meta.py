"""The answer metadata every bot turn ends with: what kind of answer it was and which services it showed.

One Rasa JSON message `{"answer": {...}}` closes every turn, so it reaches the REST webhook's response as
`{"custom": {"answer": ...}}` and `/api/chat` passes it to the widget as `{"answer": ...}`. Tests, the
widget's cards and `here-to-help evaluate` read this instead of parsing reply text. Keys:

* `kind`: one of KINDS;
* `services`: the services shown, in order, each `{"id", "name", "lgsl": [codes], "organisation"}`;
* `body`: the other organisation's name, for `other_body`;
* `area`: when the message named a place outside the council's area, `{"outside": true, "place", "kind",
  "find_council"}` (place: an outward code or a town, never a full postcode; kind: "postcode" or "town");
* `category`: the crisis category, for `crisis` (and `lines`: the numbers given, `{"name", "number"}`).

A `service` or `other_body` answer built with the turn's `now` also gives each service what the widget draws
on its card (bot/web/static/widget): `phone` (`{"display", "tel"}`, the first public daytime number: never a
staff-only line, whatever the channel, since the card is for residents), `url` (its web page, else its
organisation's), `online` (the link's words, "Report it online", when the service can be done on that page:
bot.conversation.online; the card then leads with the link) and `opening` (`{"open": bool, "summary": "open
now until 5pm"}`, only when hours are known).
Crisis answers never carry these: a safety reply stays plain text, the number first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.conversation import answers
from bot.conversation.channel import RESIDENT
from bot.conversation.council_area import FIND_YOUR_COUNCIL, PlaceOutside
from bot.conversation.online import online_label
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
CARD_KINDS = (SERVICE, OTHER_BODY)
"""The kinds the widget draws as a card: one service answered. Choices are buttons; a crisis stays plain."""
ANSWER_KEY = "answer"


def service_entry(service: ServiceDetails) -> dict[str, Any]:
    """One shown service as the metadata names it."""
    return {
        "id": service.id,
        "name": service.name,
        "lgsl": list(service.lgsl_codes),
        "organisation": service.organisation.name,
    }


def tel_number(number: str) -> str:
    """The digits of a number for a `tel:` link ("01632 960100" -> "01632960100"); a leading + is kept."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return "+" + digits if number.strip().startswith("+") else digits


def card_details(service: ServiceDetails, now: datetime) -> dict[str, Any]:
    """What a resident's card shows beyond the name: the number to call, the web page, open now or not.

    Read from the same helpers as the answer's text (bot.conversation.answers), so card and sentence agree.
    """
    details: dict[str, Any] = {}
    daytime, _ = answers.phones_for(service, RESIDENT)
    if daytime:
        phone = daytime[0]
        details["phone"] = {"display": phone.display, "tel": tel_number(phone.number)}
    url = service.url or service.organisation.website
    if url:
        details["url"] = url
    label = online_label(service)
    if label:
        details["online"] = label  # it can be done online: the card leads with this link
    state = answers.service_opening(service, now)
    if state.known:
        details["opening"] = {"open": bool(state.is_open), "summary": state.describe()}
    return details


def outside_area(place: PlaceOutside) -> dict[str, Any]:
    """The `area` key: a place named outside the council's area (an outward code or a town, never a full
    postcode) and GOV.UK's "find your local council" link."""
    return {"outside": True, "place": place.place, "kind": place.kind, "find_council": FIND_YOUR_COUNCIL}


def build(
    kind: str,
    services: Iterable[ServiceDetails] = (),
    *,
    body: str | None = None,
    category: str | None = None,
    lines: Sequence[dict[str, str]] = (),
    now: datetime | None = None,
) -> dict[str, Any]:
    """The `answer` object; raises ValueError for a kind outside KINDS so a typo cannot reach the widget.

    `now` (the turn's time) adds the card details to a `service` or `other_body` answer's services.
    """
    if kind not in KINDS:
        raise ValueError(f"answer kind must be one of {', '.join(KINDS)}; got {kind!r}")
    entries = []
    for service in services:
        entry = service_entry(service)
        if now is not None and kind in CARD_KINDS:
            entry.update(card_details(service, now))
        entries.append(entry)
    answer: dict[str, Any] = {"kind": kind, "services": entries}
    if body is not None:
        answer["body"] = body
    if category is not None:
        answer["category"] = category
    if lines:
        answer["lines"] = [dict(line) for line in lines]
    return answer


def for_service(service: ServiceDetails, now: datetime | None = None) -> dict[str, Any]:
    """A one-service answer: `other_body` (with the body) when another organisation provides it."""
    if service.provided_elsewhere:
        return build(OTHER_BODY, [service], body=service.organisation.name, now=now)
    return build(SERVICE, [service], now=now)


def message(answer: dict[str, Any]) -> dict[str, Any]:
    """The JSON message that carries it (Rasa `json_message`)."""
    return {ANSWER_KEY: answer}
