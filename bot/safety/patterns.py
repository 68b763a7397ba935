"""The reviewed patterns of the safety check (data/safety/crisis_phrases.yml) over the normalised text.

`bot.safety.detect` asks these first and the learned layer (`bot.safety.learned`) only when they find
nothing; the learned layer's fit asks them alone, to leave out of its "not a crisis" examples any text they
call a crisis. Kept apart from `detect` so that neither of those two modules needs the other.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import product

from bot.safety.catalogue import Group, NearRule, SafetyKnowledge
from bot.safety.normalise import normalise

logger = logging.getLogger(__name__)

MAX_CHECKED_CHARS = 5000
"""The safety check reads this much of any message (the channels refuse longer ones before it)."""
MASKED = " . "
WORD = re.compile(r"\S+")
MAX_TERM_HITS = 50
"""Occurrences of one `near` term looked at; more only repeat the word (5,000 characters of "help")."""


@dataclass(frozen=True)
class CrisisMatch:
    """What the safety check found: the category answered first, every category found, the lines to say."""

    category: str
    categories: tuple[str, ...]
    lines: tuple[str, ...]
    """Line ids for the first category (a pattern group may name more specific ones than its category)."""
    evidence: str = ""
    """The normalised words that matched: for tests and `make bench` only, never logged or stored."""
    source: str = "patterns"
    """`patterns`, or `learned` when only the learned layer (bot.safety.learned) saw a crisis."""


def _masked(text: str, knowledge: SafetyKnowledge) -> str:
    """The text with every mask's matches blanked out. Each mask is matched on the same unmasked text and
    the union of their spans is removed, so no mask can spoil another by removing words it needed."""
    spans = sorted(match.span() for mask in knowledge.masks for match in mask.finditer(text))
    if not spans:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        if end <= position:
            continue
        start = max(start, position)
        pieces.append(text[position:start])
        pieces.append(MASKED)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _word_starts(text: str) -> list[int]:
    """Where each word of the checked text begins, to turn a match into a word position."""
    return [match.start() for match in WORD.finditer(text)]


def _near(rule: NearRule, text: str, starts: list[int]) -> str | None:
    """The words from the first to the last term when every term of `rule` occurs within `rule.within` words.

    Each term's occurrences become word positions; the first stretch of at most `within` words holding every
    term, each on a word of its own, is the evidence. Occurrences are capped (MAX_TERM_HITS), so a long
    message stays cheap.
    """
    hits: list[tuple[int, int, int]] = []  # (word position, term number, character end)
    for number, term in enumerate(rule.terms):
        found = False
        for count, match in enumerate(term.finditer(text)):
            if count >= MAX_TERM_HITS:
                break
            hits.append((max(0, bisect_right(starts, match.start()) - 1), number, match.end()))
            found = True
        if not found:
            return None
    hits.sort()
    needed = len(rule.terms)
    for left, (start_position, _, _) in enumerate(hits):
        for right in range(left, len(hits)):
            if hits[right][0] - start_position > rule.within:
                break
            window = hits[left : right + 1]
            if _distinct_words(window, needed):
                last = max(end for _, _, end in window)
                return text[starts[start_position] : last]
    return None


def _distinct_words(window: list[tuple[int, int, int]], needed: int) -> bool:
    """Whether each term can be given its own word in the window: one word ("alone", "light to") must not
    stand for two terms of a rule."""
    positions = [{position for position, number, _ in window if number == term} for term in range(needed)]
    return any(len(set(choice)) == needed for choice in product(*positions))


def _group_match(group: Group, checked: str, normal: str, starts: list[int]) -> str | None:
    """The words by which `group` matches the message, or None: patterns, then weak ones, then near rules."""
    match = next((m for p in group.patterns if (m := p.search(checked))), None)
    if match is None and group.weak and (group.unless is None or not group.unless.search(normal)):
        match = next((m for p in group.weak if (m := p.search(checked))), None)
    if match is not None:
        return match.group(0)
    for rule in group.near:
        if rule.unless is not None and rule.unless.search(normal):
            continue
        evidence = _near(rule, checked, starts)
        if evidence is not None:
            return evidence
    return None


def pattern_check(text: str, knowledge: SafetyKnowledge) -> tuple[str, CrisisMatch | None]:
    """The normalised text, and the crisis the reviewed patterns find in it (None when they find none)."""
    try:
        normal = normalise(text[:MAX_CHECKED_CHARS], knowledge)
    except Exception:  # noqa: BLE001 - fall back to the plainest form rather than skip the check
        logger.exception("the safety check could not normalise a message; checking it as lower case")
        normal = " ".join(text[:MAX_CHECKED_CHARS].lower().split())
    checked = _masked(normal, knowledge)
    starts = _word_starts(checked)
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for group in knowledge.groups:
        if group.category in found:
            continue
        evidence = _group_match(group, checked, normal, starts)
        if evidence is not None:
            found[group.category] = (group.lines, evidence)
    if not found:
        return normal, None
    ordered = tuple(sorted(found, key=knowledge.category_order))
    first = ordered[0]
    group_lines, evidence = found[first]
    return normal, CrisisMatch(
        category=first,
        categories=ordered,
        lines=group_lines or knowledge.categories[first].lines,
        evidence=evidence.strip(),
    )
