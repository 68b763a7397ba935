"""Is this message a crisis, and which kind? Deterministic, explainable, and run before anything else.

The check is a set of reviewed patterns (data/safety/crisis_phrases.yml) over the normalised text
(`bot.safety.normalise`), not a trained model: a safeguarding lead can read why a message was or was not
treated as a crisis, and a missed phrase is fixed by adding it, with a test row, without retraining. It
errs towards giving the numbers: an ordinary question that merely shares words with a crisis is kept out by
`mask` phrases and `unless` words, never by a score.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import product

from bot.safety.catalogue import Group, NearRule, SafetyKnowledge
from bot.safety.learned import learned_check
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


def crisis_from_parse(found: object, knowledge: SafetyKnowledge) -> CrisisMatch | None:
    """The finding the NLU pipeline put in a parse result (`crisis`, see bot.safety.rasa_component), checked
    against the safety data; None when there is none or it names an unknown category."""
    if not isinstance(found, Mapping) or found.get("category") not in knowledge.categories:
        return None
    category = str(found["category"])
    categories = tuple(c for c in found.get("categories") or [category] if c in knowledge.categories)
    lines = tuple(line for line in found.get("lines") or [] if line in knowledge.lines)
    return CrisisMatch(
        category=category,
        categories=categories or (category,),
        lines=lines or knowledge.categories[category].lines,
    )


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


def _learned_match(normal: str, knowledge: SafetyKnowledge, wait: bool) -> CrisisMatch | None:
    try:
        model = learned_check(knowledge, wait=wait)
        if model is None:
            return None
        probability, category = model.predict(normal)
    except Exception:  # noqa: BLE001 - the patterns have already answered; never fail the check
        logger.exception("the learned safety layer failed on a message; the patterns' answer stands")
        return None
    if probability < model.threshold or category not in knowledge.categories:
        return None
    return CrisisMatch(
        category=category,
        categories=(category,),
        lines=knowledge.categories[category].lines,
        evidence=f"learned layer, probability {probability:.2f}",
        source="learned",
    )


def detect(
    text: str | None, knowledge: SafetyKnowledge, *, learned: bool = True, wait: bool = True
) -> CrisisMatch | None:
    """The crisis this message shows, or None. Never raises on odd input: a crash here would cost a reply.

    The patterns answer first; only when they find nothing is the learned layer asked (`learned=False`
    asks the patterns alone, as `make bench` does to report each part). Serving code passes `wait=False`:
    while the layer is still being fitted, the patterns answer alone rather than keep someone waiting.
    """
    if not isinstance(text, str) or not text.strip():
        return None
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
        return _learned_match(normal, knowledge, wait) if learned else None
    ordered = tuple(sorted(found, key=knowledge.category_order))
    first = ordered[0]
    group_lines, evidence = found[first]
    return CrisisMatch(
        category=first,
        categories=ordered,
        lines=group_lines or knowledge.categories[first].lines,
        evidence=evidence.strip(),
    )
