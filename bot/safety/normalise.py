"""Text as the safety check reads it: lower case, plain words, contractions and misspellings put right.

People in distress type fast and badly ("im gonna kill myslef", "sucidal", "HELP!!! 🔥🔥"). The patterns in
`data/safety/crisis_phrases.yml` are written once against this normal form, so every way of typing the same
words meets them. Spelling is mended in two ways: the reviewed `spelling` table (slang, and misspellings that
are real words, such as "overdoes"), then an automatic correction of a word that is not English and is one
edit (two for long words) from a word the patterns use, starting with the same letter.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources

from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

from bot.safety.catalogue import SafetyKnowledge

APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
NOT_A_WORD = re.compile(r"[^a-z0-9'.]+")
REPEATED = re.compile(r"([a-z])\1{2,}")
MIN_CORRECTED_LENGTH = 5
"""Shorter words are too easily another real word to correct automatically: the spelling table covers them."""


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """English word forms (spaCy's lookup-lemma table: inflected forms and lemmas), never 'corrected'."""
    data = resources.files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        table: dict[str, str] = json.load(text)
    return frozenset(table) | frozenset(table.values())


def _fold(text: str) -> str:
    """Lower case, compatibility forms folded (full-width letters, ligatures), accents and emoji dropped."""
    text = unicodedata.normalize("NFKD", text.translate(APOSTROPHES)).lower()
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _phrase_table(table: dict[str, str], words: list[str]) -> list[str]:
    """Replace one- and two-word keys of `table` (longest first) in a list of words."""
    out: list[str] = []
    index = 0
    while index < len(words):
        pair = " ".join(words[index : index + 2])
        if index + 1 < len(words) and pair in table:
            out.extend(table[pair].split())
            index += 2
            continue
        out.extend(table.get(words[index], words[index]).split())
        index += 1
    return out


def _corrected(word: str, knowledge: SafetyKnowledge, english: frozenset[str]) -> str:
    if (
        len(word) < MIN_CORRECTED_LENGTH
        or word in english
        or word in knowledge.keywords
        or not word.isalpha()
    ):
        return word
    limit = 1 if len(word) < 8 else 2
    candidates = knowledge.keywords_by_initial.get(word[0], ())
    best = extractOne(word, candidates, scorer=OSA.distance, score_cutoff=limit)
    return best[0] if best else word


def normalise(text: str, knowledge: SafetyKnowledge) -> str:
    """The message as one line of lower-case words separated by single spaces."""
    folded = _fold(text)
    folded = REPEATED.sub(r"\1", folded)
    folded = re.sub(r"(?<=[a-z])\.(?=[a-z])", "", folded)  # "o.d." -> "od"
    words = [word.strip("'.") for word in NOT_A_WORD.sub(" ", folded).replace("'", " ' ").split()]
    joined = " ".join(word for word in words if word)
    joined = re.sub(r" ' ", " ", joined).replace("'", "")
    words = _phrase_table(knowledge.contractions, joined.split())
    words = _phrase_table(knowledge.spelling, words)
    english = english_words()
    words = [_corrected(word, knowledge, english) for word in words]
    words = [word for word in _phrase_table(knowledge.contractions, words) if word not in knowledge.fillers]
    return " ".join(words)
