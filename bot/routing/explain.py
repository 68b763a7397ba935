"""Why the router put a service forward: the caller's words that the service's own texts use.

The staff lookup shows, beside each candidate, the evidence behind it, so that a contact-centre officer can
judge a match instead of trusting a percentage: "matched: bin, empty; taught phrase “bins left behind again”
(olive, 3 March 2026); residents' words for LGSL 524 “bin not emptied”".

It compares words the way the router does, with the router's own normaliser (`text_normalise`: spelling,
misspellings, lemmas, "fly tipping" → "flytip"), function words and the words that never point at a service
(`lexicon/not_evidence.yml`) left out, and a near spelling (`Router.has_evidence`'s difflib ratio) counted as
the word. It explains; it never ranks: the ranking and the confidence stay the trained router's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import lru_cache

from bot.routing.lexicon import not_evidence_words
from bot.routing.text_normalise import normalise

MAX_TEXTS = 3
"""How many of a service's matching texts are shown: the best few say why; the rest is noise on a call."""
NEAR_SPELLING_MIN_LETTERS = 5
EVIDENCE_SPELLING = 0.8
"""A near spelling counts as the word as `Router.has_evidence` counts it (the same ratio and length; a test
keeps them equal). Not imported from `router`: that would load the SVM code into the web app for a
constant."""

NAME = "name"
ALTERNATE_NAME = "alternate name"
DESCRIPTION = "description"
DIRECTORY_PHRASE = "directory phrase"
TAUGHT_PHRASE = "taught phrase"
LGSL_LABEL = "LGSL label"
LEXICON = "residents' words"
KIND_ORDER = (TAUGHT_PHRASE, NAME, ALTERNATE_NAME, DIRECTORY_PHRASE, LEXICON, LGSL_LABEL, DESCRIPTION)
"""When texts match equally well, a council's own words (what its officers taught, the service's name) are
shown before the generic ones."""


@dataclass(frozen=True)
class ServiceText:
    """One text the router learnt a service from, and where it came from."""

    text: str
    kind: str
    lgsl_code: int | None = None
    taught_by: str | None = None
    taught_on: str | None = None
    """ISO date the officer taught it."""


@dataclass(frozen=True)
class TextMatch:
    source: ServiceText
    words: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.source.kind,
            "text": self.source.text,
            "words": list(self.words),
            "lgsl_code": self.source.lgsl_code,
            "taught_by": self.source.taught_by,
            "taught_on": self.source.taught_on,
        }


@dataclass(frozen=True)
class Evidence:
    """The caller's words (normalised) that the service's texts use, and the texts that use most of them."""

    words: tuple[str, ...] = ()
    texts: tuple[TextMatch, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {"words": list(self.words), "texts": [match.as_dict() for match in self.texts]}


def content_words(normal: str) -> str:
    """`features.content_words`, imported when first needed: `features` loads scikit-learn's text vectorisers
    (about 2 s), which the web app otherwise never needs."""
    from bot.routing.features import content_words as router_content_words

    return router_content_words(normal)


def query_words(query: str) -> tuple[str, ...]:
    """The words of `query` that can point at a service, normalised as the router sees them, in order."""
    generic = not_evidence_words()
    words = [w for w in content_words(normalise(query)).split() if len(w) >= 2 and w not in generic]
    return tuple(dict.fromkeys(words))


@lru_cache(maxsize=20000)
def _text_words(text: str) -> frozenset[str]:
    return frozenset(content_words(normalise(text)).split())


def _matches(word: str, words: frozenset[str]) -> bool:
    if word in words:
        return True
    if len(word) < NEAR_SPELLING_MIN_LETTERS:
        return False
    similar = [other for other in words if other[:1] == word[:1]]
    return bool(get_close_matches(word, similar, n=1, cutoff=EVIDENCE_SPELLING))


def explain(query: str, texts: Iterable[ServiceText], *, limit: int = MAX_TEXTS) -> Evidence:
    """Which of the caller's words one service's texts use, and its `limit` texts that use the most."""
    wanted = query_words(query)
    if not wanted:
        return Evidence()
    found: list[TextMatch] = []
    for source in texts:
        own = _text_words(source.text)
        shared = tuple(word for word in wanted if _matches(word, own))
        if shared:
            found.append(TextMatch(source, shared))
    used = {word for match in found for word in match.words}
    found.sort(key=lambda match: (-len(match.words), _kind_rank(match.source.kind), len(match.source.text)))
    return Evidence(tuple(word for word in wanted if word in used), tuple(_distinct(found)[:limit]))


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _distinct(found: Sequence[TextMatch]) -> list[TextMatch]:
    """One text per wording: the lexicon often repeats a directory phrase word for word."""
    seen: set[str] = set()
    kept = []
    for match in found:
        key = " ".join(match.source.text.lower().split())
        if key not in seen:
            seen.add(key)
            kept.append(match)
    return kept
