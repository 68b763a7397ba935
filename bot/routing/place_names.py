"""Street and place names taken out of a message before the router weighs its words.

"Church Road", "King Street" and "Lewisham High Street" say where something is, not what is needed, and
their words ("church", "park", "high") would otherwise count as evidence for a service: a resident who types
only an address was offered street cleaning or road repairs. The vocabulary is data
(`lexicon/place_names.yml`); this module only applies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from bot.routing.lexicon import LEXICON_DIR, LexiconError

PLACE_NAMES_FILE = "place_names.yml"
_WORD = re.compile(r"[a-z][a-z'’-]*|\d+[a-z]?")
MAX_NAME_WORDS = 2


@dataclass(frozen=True)
class PlaceNameVocabulary:
    street_types: frozenset[str]
    named_alone: frozenset[tuple[str, ...]]
    not_names: frozenset[str]
    service_nouns: frozenset[str]
    address_phrases: tuple[tuple[str, ...], ...] = ()


def _words(data: dict, key: str) -> frozenset[str]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise LexiconError(f"{LEXICON_DIR / PLACE_NAMES_FILE}: expected '{key}:', a list of words")
    return frozenset(str(word).lower() for word in value)


@lru_cache(maxsize=1)
def place_name_vocabulary() -> PlaceNameVocabulary:
    data = yaml.safe_load((LEXICON_DIR / PLACE_NAMES_FILE).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise LexiconError(f"{LEXICON_DIR / PLACE_NAMES_FILE}: expected a mapping")
    return PlaceNameVocabulary(
        street_types=_words(data, "street_types"),
        named_alone=frozenset(tuple(phrase.split()) for phrase in _words(data, "named_alone")),
        not_names=_words(data, "not_names"),
        service_nouns=_words(data, "service_nouns"),
        address_phrases=tuple(tuple(_WORD.findall(phrase)) for phrase in _words(data, "address_phrases")),
    )


def _name_start(words: list[re.Match[str]], end: int, vocabulary: PlaceNameVocabulary) -> int | None:
    """Index of the first word of the name that ends before `end`, or None when no word there is a name."""
    start = end
    while start > 0 and end - start < MAX_NAME_WORDS:
        word = words[start - 1].group(0)
        if word in vocabulary.not_names or word.isdigit() or word in vocabulary.street_types:
            break
        start -= 1
    return start if start < end else None


def place_name_spans(text: str, vocabulary: PlaceNameVocabulary | None = None) -> list[tuple[int, int]]:
    """Character spans of the street names in `text` (a name word or two, then a street type), and of
    phrases that only say where someone lives."""
    vocabulary = vocabulary or place_name_vocabulary()
    words = list(_WORD.finditer(text.lower()))
    spans: list[tuple[int, int]] = []
    index = 0
    texts = [word.group(0) for word in words]
    while index < len(words):
        phrase = next(
            (p for p in vocabulary.address_phrases if tuple(texts[index : index + len(p)]) == p), None
        )
        if phrase is not None:
            spans.append((words[index].start(), words[index + len(phrase) - 1].end()))
            index += len(phrase)
            continue
        following = words[index + 1].group(0) if index + 1 < len(words) else ""
        pair = (words[index].group(0), following)
        if pair in vocabulary.named_alone:
            after = words[index + 2].group(0) if index + 2 < len(words) else ""
            if after not in vocabulary.service_nouns:
                start = _name_start(words, index, vocabulary)
                spans.append((words[index if start is None else start].start(), words[index + 1].end()))
                index += 2
                continue
        if words[index].group(0) in vocabulary.street_types and following not in vocabulary.service_nouns:
            start = _name_start(words, index, vocabulary)
            if start is not None:
                spans.append((words[start].start(), words[index].end()))
        index += 1
    return spans


def without_place_names(text: str) -> str:
    """`text` with its street names blanked out (the rest of the message, and its length, kept)."""
    for start, end in reversed(place_name_spans(text)):
        text = text[:start] + " " * (end - start) + text[end:]
    return text
