"""Turns a resident's message into the plain tokens the router compares: one spelling for one word.

Residents write "fly tipping", "fly-tipping", "flytipping" and "flytiping"; "curb", "kerb"; "color", "colour";
"bins were collected" and "bin collection". The router only sees what this module returns, so every spelling
a resident might use is folded here, once, for the directory's words and the resident's words alike:

1. Unicode and case folding, curly quotes, "&" → "and"; anything not a letter or digit splits words.
2. Multi-word variants joined into one token ("fly tipping" → "flytip", "lamp post" → "lamppost").
3. US → UK spelling (inverted from spaCy's lexeme norms, `spacy-lookups-data`) and common misspellings.
4. Lemmas from spaCy's English lookup table ("dumped" → "dump"), with a few guards where the table merges
   words a council keeps apart ("parked"/"parking" are not the "park" with swings in it).

It is pure Python with tables loaded once per process, so it costs microseconds per message.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_LOOKUPS_PACKAGE = "spacy_lookups_data"

MULTIWORD = [
    (r"\bfly\s*-?\s*tip(?:ping|ped|per|pers|s|)\b", "flytip"),
    (r"\bflytip(?:ping|ped|per|pers|s|ing|pin|pping)\b", "flytip"),
    (r"\bfly\s*-?\s*post(?:ing|ed|er|ers|s|)\b", "flypost"),
    (r"\bflypost(?:ing|ed|er|ers|s)\b", "flypost"),
    (r"\blamp\s*-?\s*posts?\b", "lamppost"),
    (r"\blampposts\b", "lamppost"),
    (r"\balley\s*-?\s*ways?\b", "alley"),
    (r"\bpot\s*-?\s*holes?\b", "pothole"),
    (r"\bpotholes\b", "pothole"),
    (r"\bwheelie\s*-?\s*bins?\b", "wheeliebin"),
    (r"\bman\s*-?\s*holes?\b", "manhole"),
    (r"\bdog\s+(?:poo|poop|mess|muck|dirt|fouling|faeces|feces|excrement|waste|dirt)\b", "dogfoul"),
    (r"\b(?:bin|refuse|dust)\s*-?\s*men\b", "binmen"),
    (r"\bbin\s*-?\s*man\b", "binmen"),
    (r"\bstreet\s*-?\s*lights?\b", "streetlight"),
    (r"\bstreet\s*-?\s*lamps?\b", "streetlight"),
    (r"\bstreetlights\b", "streetlight"),
    (r"\banti\s*-?\s*social\b", "antisocial"),
    (r"\bcouncil\s*-?\s*tax\b", "counciltax"),
    (r"\bzig\s*-?\s*zags?\b", "zigzag"),
    (r"\bset+ee\b", "sofa"),
    (r"\bcouch\b", "sofa"),
    # negations, with or without the apostrophe: "didn't collect" reads as "did not collect", like the
    # lexicon's "not collected"
    (r"\bcan'?t\b", "can not"),
    (r"\bwon'?t\b", "will not"),
    (r"\b(did|does|do|has|have|had|was|were|is|are|would|could|should|must|need)n'?t\b", r"\1 not"),
]
"""Regular expressions applied to the lower-cased text before tokenising, in order."""

SPELLING = {
    # US spellings the lexeme-norm table does not hold
    "curb": "kerb",
    "curbs": "kerb",
    "curbside": "kerbside",
    "tire": "tyre",
    "tires": "tyre",
    "trash": "rubbish",
    "garbage": "rubbish",
    "sidewalk": "pavement",
    "sidewalks": "pavement",
    "faucet": "tap",
    "dumpster": "skip",
    "gray": "grey",
    "aluminum": "aluminium",
    # common misspellings and text-speak
    "rubish": "rubbish",
    "rubbsih": "rubbish",
    "rubbush": "rubbish",
    "rubbis": "rubbish",
    "rubbage": "rubbish",
    "rubbishs": "rubbish",
    "grafitti": "graffiti",
    "grafiti": "graffiti",
    "graffitti": "graffiti",
    "graffitis": "graffiti",
    "graffito": "graffiti",
    "grafitty": "graffiti",
    "matress": "mattress",
    "matresses": "mattress",
    "mattrass": "mattress",
    "mattresss": "mattress",
    "potholes": "pothole",
    "pothoe": "pothole",
    "pothol": "pothole",
    "pavment": "pavement",
    "pavemnt": "pavement",
    "pavemant": "pavement",
    "pavements": "pavement",
    "payement": "pavement",
    "collecton": "collection",
    "colection": "collection",
    "colected": "collect",
    "recyling": "recycling",
    "recylcing": "recycling",
    "recycleing": "recycling",
    "reycling": "recycling",
    "vechicle": "vehicle",
    "vehical": "vehicle",
    "vehicule": "vehicle",
    "abandonned": "abandoned",
    "abondoned": "abandoned",
    "abandened": "abandoned",
    "furnature": "furniture",
    "furnitures": "furniture",
    "fridges": "fridge",
    "frige": "fridge",
    "alleyway": "alley",
    "alleyways": "alley",
    "alleys": "alley",
    "ally": "alley",
    "allyway": "alley",
    "gulley": "gully",
    "gulleys": "gully",
    "gullies": "gully",
    "kerbs": "kerb",
    "kerbstone": "kerb",
    "kerbstones": "kerb",
    "leaves": "leaf",
    "trolleys": "trolley",
    "trolly": "trolley",
    "trollies": "trolley",
    "dumpped": "dumped",
    "dumpt": "dumped",
    "dumpimg": "dumping",
    "litterbin": "litter bin",
    "binbags": "bin bags",
    "binbag": "bin bag",
    "fox's": "fox",
    "thks": "thanks",
    "pls": "please",
    "plz": "please",
    "asap": "soon",
    "u": "you",
    "ur": "your",
    "cos": "because",
    "flat's": "flat",
    "nr": "near",
    "opp": "opposite",
    "rd": "road",
    "st": "street",
    "ave": "avenue",
    "hwy": "highway",
    "carpark": "car park",
    "carparks": "car park",
    "blocked-up": "blocked",
    "lightbulb": "light bulb",
    "streetlamp": "streetlight",
    "streetlamps": "streetlight",
    "pothole's": "pothole",
    "dog's": "dog",
    "tyres": "tyre",
    "neighbour's": "neighbour",
    "neighbours": "neighbour",
    "neighbor": "neighbour",
    "neighbors": "neighbour",
}
"""Word-level replacements applied after the multi-word joins (a value may hold two words)."""

LEMMA_GUARD = {
    "parked": "parked",
    "parking": "parking",
    "parks": "park",
    "leaves": "leaf",
    "left": "left",
    "lying": "lying",
    "bins": "bin",
    "lights": "light",
    "lighting": "lighting",
    "building": "building",
    "buildings": "building",
    "fouling": "fouling",
    "overgrown": "overgrown",
    "rubbish": "rubbish",
    "graffiti": "graffiti",
    "flooding": "flood",
    "flooded": "flood",
    "housing": "housing",
    "planning": "planning",
    "licensing": "licensing",
    "recycling": "recycling",
    "dumping": "dump",
    "tipping": "tip",
    "littering": "litter",
    "littered": "litter",
    "bedding": "bedding",
    "dying": "dying",
    "broken": "broken",
    "missing": "missing",
    "fallen": "fallen",
    "spilt": "spill",
    "spilled": "spill",
    "spillage": "spill",
    "spillages": "spill",
    "emptied": "empty",
    "collection": "collect",
    "collections": "collect",
    "colelction": "collect",
    "abandoned": "abandon",
    "abandoning": "abandon",
    "shopping": "shopping",
    "tired": "tired",
    "us": "us",
    "as": "as",
}
"""Lemmas the router chooses itself, overriding the spaCy table where it would merge or miss words."""

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_MULTIWORD = [(re.compile(pattern), replacement) for pattern, replacement in MULTIWORD]


def _lookups_dir() -> Path | None:
    try:
        import spacy_lookups_data
    except ImportError:  # pragma: no cover - installed with the project; degrade to no lemmas
        return None
    return Path(spacy_lookups_data.__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def _lemma_table() -> dict[str, str]:
    folder = _lookups_dir()
    if folder is None:
        return {}
    with gzip.open(folder / "en_lemma_lookup.json.gz", "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    return {word: lemma.lower() for word, lemma in table.items() if word.islower()}


@lru_cache(maxsize=1)
def _spelling_table() -> dict[str, str]:
    """US → UK from spaCy's (UK → US) lexeme norms, then this module's own list on top."""
    table: dict[str, str] = {}
    folder = _lookups_dir()
    if folder is not None:
        with gzip.open(folder / "en_lexeme_norm.json.gz", "rt", encoding="utf-8") as handle:
            norms = json.load(handle)
        for uk, us in norms.items():
            uk, us = uk.lower(), us.lower()
            if (
                uk != us
                and " " not in us
                and len(uk) > 3
                and uk.endswith(("our", "ise", "ised", "ising", "tre"))
            ):
                table.setdefault(us, uk)
    table.update(SPELLING)
    return table


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'").replace("&", " and ")
    return text


def normalise_token(token: str) -> str:
    """One token's spelling-folded lemma (a token is lower case letters/digits, maybe with 's)."""
    if token.endswith("'s"):
        token = token[:-2]
    if token in LEMMA_GUARD:
        return LEMMA_GUARD[token]
    lemma = _lemma_table().get(token, token)
    return LEMMA_GUARD.get(lemma, lemma)


def tokens(text: str) -> list[str]:
    """The normalised tokens of `text`, in order."""
    text = _fold(text)
    for pattern, replacement in _MULTIWORD:
        text = pattern.sub(replacement, text)
    spelling = _spelling_table()
    out: list[str] = []
    for raw in _TOKEN.findall(text):
        replaced = spelling.get(raw, raw)
        out.extend(normalise_token(word) for word in replaced.split())
    return out


def normalise(text: str) -> str:
    """The normalised text: tokens joined by single spaces (what the vectorisers read)."""
    return " ".join(tokens(text))
