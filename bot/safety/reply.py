"""The reply to a crisis: the numbers first, short and kind, no buttons and no "did this help?".

Composed from the reviewed lines (data/safety/crisis_lines.yml) and, where a category names LGSL codes, the
council's own service from the directory (children's services, adult safeguarding). Needs no database:
`local_services` is whatever the caller could read in time, possibly nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.conversation import answer_meta
from bot.conversation.answers import contact_phone
from bot.conversation.channel import RESIDENT
from bot.directory.queries import ServiceDetails
from bot.safety.catalogue import SafetyKnowledge
from bot.safety.detect import CrisisMatch

MAX_LOCAL_SERVICES = 2
MAX_EXTRA_CATEGORIES = 2
"""Lines from other categories the message also showed (a partner's violence beside suicidal thoughts)."""


@dataclass(frozen=True)
class CrisisReply:
    text: str
    answer: dict[str, Any]


def crisis_reply(
    match: CrisisMatch,
    knowledge: SafetyKnowledge,
    *,
    local_services: Sequence[ServiceDetails] = (),
    channel: str = RESIDENT,
) -> CrisisReply:
    """The sentences, one a line, leading with the first number; and the `crisis` answer metadata."""
    category = knowledge.categories[match.category]
    said: list[str] = []
    numbers: list[dict[str, str]] = []

    def add(line_id: str) -> None:
        line = knowledge.lines[line_id]
        if line.say not in said:
            said.append(line.say)
            numbers.append({"name": line.name, "number": line.number})

    for line_id in match.lines:
        add(line_id)
    shown: list[ServiceDetails] = []
    for service in local_services:
        phone = contact_phone(service, channel)
        given = {_digits(number["number"]) for number in numbers}
        if phone and _digits(phone) not in given and len(shown) < MAX_LOCAL_SERVICES:
            said.append(category.local_say.format(name=service.name, phone=phone))
            numbers.append({"name": service.name, "number": phone})
            shown.append(service)
    for other in match.categories[1 : 1 + MAX_EXTRA_CATEGORIES]:
        for line_id in knowledge.categories[other].lines:
            if knowledge.lines[line_id].number != "999":  # 999 has been said already, by every category
                add(line_id)
    text = "\n".join(part for part in (category.intro, *said, category.outro) if part)
    answer = answer_meta.build(answer_meta.CRISIS, shown, category=match.category, lines=numbers)
    return CrisisReply(text=text, answer=answer)


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def local_codes(match: CrisisMatch, knowledge: SafetyKnowledge) -> tuple[int, ...]:
    """The LGSL codes whose council services the reply adds, for the first category."""
    return knowledge.categories[match.category].local_lgsl
