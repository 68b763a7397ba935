"""Scoring the bot's first answers (answer metadata) against labelled queries: `evaluate --answers`.

Each row's answer is what `bot.conversation.decide.first_answer` gives for the message opening a
conversation. Scored:

* `first_answer_top1`: over council rows (with `expected_lgsl`), right only when the answer shows a service
  first and that service carries an expected code (choices count by their first service; a service another
  council provides counts like the host's);
* `not_council_recall`: over rows with empty `expected_lgsl`, the share answered `other_body` or `unmet`;
* `not_council_precision`: over rows answered so, the share with empty `expected_lgsl`;
* `kinds`: how many answers of each kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from bot.routing.evaluate import QueryRow

NOT_COUNCIL_KINDS = frozenset({"other_body", "unmet"})


def first_service_codes(answer: Mapping[str, Any]) -> set[int]:
    services = answer.get("services") or []
    if answer.get("kind") not in ("service", "choices", "other_body") or not services:
        return set()
    return {int(code) for code in services[0].get("lgsl") or []}


def says_not_a_council_service(answer: Mapping[str, Any]) -> bool:
    """`unmet` or `other_body`, as the breadth issue counts them (another council's service, the county's in
    a district's directory, is `other_body` too, so precision is lower in a two-tier directory)."""
    return answer.get("kind") in NOT_COUNCIL_KINDS


def score_answers(pairs: Iterable[tuple[QueryRow, Mapping[str, Any]]]) -> dict[str, Any]:
    """The figures above for (row, answer metadata) pairs."""
    council = council_right = not_council = not_council_right = said_not_council = said_right = 0
    kinds: Counter[str] = Counter()
    for row, answer in pairs:
        kind = str(answer.get("kind") or "")
        kinds[kind] += 1
        says_not_council = says_not_a_council_service(answer)
        said_not_council += says_not_council
        if row.is_unmet:
            not_council += 1
            not_council_right += says_not_council
            said_right += says_not_council
            continue
        council += 1
        council_right += bool(row.expected & first_service_codes(answer))
    return {
        "rows": council + not_council,
        "council_rows": council,
        "not_council_rows": not_council,
        "first_answer_top1": round(council_right / council, 4) if council else None,
        "not_council_recall": round(not_council_right / not_council, 4) if not_council else None,
        "not_council_precision": round(said_right / said_not_council, 4) if said_not_council else None,
        "kinds": dict(sorted(kinds.items())),
    }


def format_answers(figures: Mapping[str, Any]) -> str:
    """The answer figures as plain text, under the routing table."""
    lines = ["first answers (answer metadata)"]
    for key in ("first_answer_top1", "not_council_recall", "not_council_precision"):
        value = figures.get(key)
        lines.append(f"  {key:<24}{'-' if value is None else f'{value:.3f}':>8}")
    kinds = ", ".join(f"{kind} {count}" for kind, count in (figures.get("kinds") or {}).items())
    lines.append(f"  kinds: {kinds}")
    return "\n".join(lines)
