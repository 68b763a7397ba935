"""Is this message a crisis, and which kind? Deterministic, explainable, and run before anything else.

The check is a set of reviewed patterns (data/safety/crisis_phrases.yml) over the normalised text
(`bot.safety.normalise`), not a trained model: a safeguarding lead can read why a message was or was not
treated as a crisis, and a missed phrase is fixed by adding it, with a test row, without retraining. It
errs towards giving the numbers: an ordinary question that merely shares words with a crisis is kept out by
`mask` phrases and `unless` words, never by a score.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.safety.catalogue import SafetyKnowledge
from bot.safety.learned import learned_check
from bot.safety.patterns import MAX_CHECKED_CHARS, CrisisMatch, pattern_check

__all__ = ["MAX_CHECKED_CHARS", "CrisisMatch", "crisis_from_parse", "detect"]

logger = logging.getLogger(__name__)


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


def _learned_match(normal: str, knowledge: SafetyKnowledge, wait: bool) -> CrisisMatch | None:
    try:
        model = learned_check(knowledge, wait=wait)
        if model is None:
            return None
        probability, category = model.predict(normal)
    except Exception:  # noqa: BLE001 - the patterns have already answered; never fail the check
        logger.exception("the learned safety layer failed on a message; the patterns' answer stands")
        return None
    if probability < model.threshold_for(normal) or category not in knowledge.categories:
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
    normal, found = pattern_check(text, knowledge)
    if found is None and learned:
        return _learned_match(normal, knowledge, wait)
    return found
