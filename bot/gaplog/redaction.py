"""Take personal details out of resident text before anything is stored or logged.

The gap log is there to show what people need, not who they are. `redact()` keeps the words that describe the
need and replaces what identifies a person:

| found | becomes |
|---|---|
| email address | `[email]` |
| full UK postcode ("SG13 8EQ") | outward code ("SG13"): the district is demand, the full code an address |
| National Insurance number ("QQ 12 34 56 C") | `[ni number]` |
| payment card number (13-19 digits passing the Luhn check) | `[card]` |
| phone number (UK or international) | `[phone]` |
| any other run of 8 or more digits (account and reference numbers) | `[number]` |
| house or flat number before a street ("12 Acacia Avenue") | `[address] Acacia Avenue` (the street is kept) |
| name after "my name is", "I'm called", "call me", "this is ... speaking", or Mr/Mrs/Ms/Dr | `[name]` |
| a capitalised name after "I'm", "I am", "this is", "it's ... here", "my neighbour/mum/son..." | `[name]` |
| a listed first name and a capitalised surname anywhere ("Gareth Evans next door"); a sign-off | `[name]` |
| a date after "DOB", "date of birth", "born on"; any full date in the last century | `[date of birth]` |
| a sort code after "sort code"/"s/c", or before an 8-digit account number | `[bank details]` |

The street name stays because "pothole on Acacia Avenue" is the need itself; the house number is what
points at one household.

Patterns with a fixed shape are regular expressions; the two that depend on the words around them (addresses
and names) are spaCy `Matcher` rules on a blank English tokenizer, so no model has to be downloaded.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

import phonenumbers

from bot.spacy_import import import_spacy

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher

EMAIL = "[email]"
PHONE = "[phone]"
CARD = "[card]"
NI_NUMBER = "[ni number]"
NUMBER = "[number]"
ADDRESS = "[address]"
NAME = "[name]"
DATE_OF_BIRTH = "[date of birth]"
BANK = "[bank details]"
PLACEHOLDERS = (EMAIL, PHONE, CARD, NI_NUMBER, NUMBER, ADDRESS, NAME, DATE_OF_BIRTH, BANK)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_BIRTH_CUE = re.compile(
    r"(?P<cue>\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|born(?:\s+on)?(?:\s+the)?|birthday(?:\s+is)?)"
    r"\s*(?:is|was|=|:|-|–)?\s*)" + _DATE,
    re.IGNORECASE,
)
_OLD_NUMERIC_DATE = re.compile(r"(?<![\w/.-])\d{1,2}[/.\-]\d{1,2}[/.\-]19\d{2}(?![\w/.-])")
"""A full date in the last century is someone's birth far more often than an event a council is told of."""
_SORT_CODE = re.compile(
    r"(?P<cue>\b(?:sort(?:[\s-]?code)?|s/c|s\.c\.?)\s*(?:is|:|-)?\s*)\d{2}[\s-]?\d{2}[\s-]?\d{2}\b",
    re.IGNORECASE,
)
_SORT_AND_ACCOUNT = re.compile(r"(?<![\w-])\d{2}-?\d{2}-?\d{2}(?P<gap>\s*[/,]\s*)(?=\d{8}\b)")

_EMAIL = re.compile(
    r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w.+'-]+\s+(?:at|\[at\]|\(at\))\s+[\w-]+(?:\s+(?:dot|\[dot\]|\(dot\))\s+[a-z]{2,6}){1,2}\b",
    re.UNICODE,
)
"""Addresses, also spelt out to dodge filters ("chen.lina at gmail dot com")."""
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
_NI_NUMBER = re.compile(
    r"\b(?P<prefix>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]|QQ)\s*[-.]?\s*(?:\d{2}\s*[-.]?\s*){2}\d{2}"
    r"(?:\s*(?P<suffix>[A-D])\b|(?!\w))",
    re.IGNORECASE,
)
_NI_LOOKALIKE_WORDS = {
    "on",
    "at",
    "to",
    "is",
    "as",
    "an",
    "am",
    "be",
    "by",
    "go",
    "he",
    "me",
    "my",
    "so",
    "us",
    "we",
}
"""Without the final letter, "on 123456" is more likely a reference number than an NI number."""
_DIGIT_RUN = re.compile(r"(?<![\w])(?:\d[ -]?){12,18}\d(?![\w])")
_LONG_NUMBER = re.compile(r"\d(?:[ -]?\d){7,}")
_PHONE_FALLBACK = re.compile(
    r"(?<![\d.,/@:-])(?:(?:\+|\b00)\s?\d{1,3}[\s-]?(?:\(?\d+\)?[\s-]?){2,6}\d|\b0\d(?:[\s-]?\d){8,9}\b)"
    r"(?![./:,]\d)"
)
"""Numbers phonenumbers leaves out; not digits inside coordinates, dates or decimals."""
_FIRST_NAMES_FILE = Path(__file__).resolve().parent / "data" / "first_names.txt"
_RELATIONS = {
    "neighbour", "neighbor", "neighbours", "mum", "mam", "mom", "mother", "dad", "father", "son", "daughter",
    "husband", "wife", "partner", "boyfriend", "girlfriend", "brother", "sister", "friend", "carer",
    "landlord", "landlady", "nan", "gran", "grandad", "grandson", "granddaughter", "aunt", "uncle", "cousin",
    "tenant", "lodger", "colleague", "child", "ex",
}  # fmt: skip
_PLACE_WORDS = {
    "hospital", "school", "church", "centre", "center", "library", "house", "hall", "college", "academy",
    "estate", "tower", "towers", "bridge", "station", "surgery", "market", "court", "building", "primary",
    "nursery", "pub", "arms", "shop", "store", "stores", "playground", "rec", "recreation", "memorial",
}  # fmt: skip
_SIGN_OFFS = {"thanks", "thank", "regards", "cheers", "sincerely", "best", "wishes", "ta", "from", "love"}
_NOT_NAMES = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "council", "tax", "blue", "badge", "housing", "benefit", "benefits", "adult", "social", "care",
    "christmas", "easter", "the", "a", "an", "i", "not", "so", "just", "really", "very", "sorry", "here",
    "hospital", "school", "church", "centre", "center", "library", "house", "hall", "college", "academy",
    "estate", "tower", "bridge", "station", "surgery", "pharmacy", "market", "community", "primary",
    "nursery", "residents", "association", "group", "society", "team", "department", "services", "service",
    "office", "jobcentre", "plus", "storm", "please", "hi", "hello", "dear", "ok", "okay", "yes", "no",
    "disabled", "deaf", "blind", "pregnant", "homeless", "unemployed", "retired", "elderly", "new", "writing",
    "trying", "looking", "calling", "worried", "concerned", "unhappy", "still", "having", "getting",
    "speaking", "again", "too", "also", "though",
}  # fmt: skip

_STREET_TYPES = {
    "road", "rd", "street", "st", "avenue", "ave", "lane", "ln", "close", "cl", "drive", "dr", "way",
    "crescent", "cres", "court", "ct", "gardens", "gdns", "place", "pl", "grove", "gr", "terrace", "ter",
    "hill", "park", "row", "walk", "square", "sq", "mews", "view", "rise", "green", "parade", "path",
    "vale", "wharf", "yard", "mead", "meadow", "meadows", "chase", "end", "gate", "croft", "fields",
}  # fmt: skip
_NOT_STREET_WORDS = {
    "weeks", "week", "days", "day", "months", "month", "years", "year", "times", "hours", "hour", "minutes",
    "bags", "bag", "bins", "bin", "people", "children", "kids", "cars", "car", "potholes", "items", "boxes",
}  # fmt: skip
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "mx", "sir", "dame", "prof"}
_TITLES |= {f"{title}." for title in _TITLES}


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _ni_numbers(text: str) -> str:
    def replace(match: re.Match) -> str:
        if match.group("suffix") is None and match.group("prefix").lower() in _NI_LOOKALIKE_WORDS:
            return match.group(0)
        return NI_NUMBER

    return _NI_NUMBER.sub(replace, text)


def _cards(text: str) -> str:
    def replace(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return CARD if 13 <= len(digits) <= 19 and _luhn_valid(digits) else match.group(0)

    return _DIGIT_RUN.sub(replace, text)


def _phones(text: str) -> str:
    spans = [
        (match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
        if _looks_like_phone(match.raw_string) and not _inside_other_number(text, match.start, match.end)
    ]
    for start, end in reversed(spans):
        text = text[:start] + PHONE + text[end:]
    return _PHONE_FALLBACK.sub(PHONE, text)


def _looks_like_phone(raw: str) -> bool:
    """POSSIBLE leniency also accepts years and short amounts; a phone number has 10+ digits (8+ with "+")."""
    digits = sum(char.isdigit() for char in raw)
    return digits >= 10 or (raw.lstrip().startswith(("+", "00")) and digits >= 8)


def _inside_other_number(text: str, start: int, end: int) -> bool:
    """Digits that belong to something else: map coordinates ("@51.4675,0.0123456789"), dates and times
    ("10/02/22", "05.02.22 at 9.25"). Phone numbers are written with spaces, dashes or brackets, not these."""
    raw = text[start:end]
    before = text[start - 1] if start > 0 else " "
    after = text[end : end + 2]
    return (
        any(mark in raw for mark in ".:/")
        or before in ".,/@-:"
        or (len(after) == 2 and after[0] in "./:," and after[1].isdigit())
    )


def _postcodes(text: str) -> str:
    return _POSTCODE.sub(lambda match: match.group(1).upper(), text)


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    lines = _FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(word.lower() for line in lines if not line.startswith("#") for word in line.split())


def _dates_of_birth(text: str) -> str:
    text = _BIRTH_CUE.sub(lambda match: match.group("cue") + DATE_OF_BIRTH, text)
    return _OLD_NUMERIC_DATE.sub(DATE_OF_BIRTH, text)


def _bank_details(text: str) -> str:
    text = _SORT_CODE.sub(lambda match: match.group("cue") + BANK, text)
    return _SORT_AND_ACCOUNT.sub(lambda match: BANK + match.group("gap"), text)


@lru_cache(maxsize=1)
def _nlp_and_matchers() -> tuple[Language, Matcher, Matcher]:
    """A blank English tokenizer and the two Matchers; built once per process (about 0.3 s)."""
    spacy = import_spacy()
    from spacy.matcher import Matcher

    nlp = spacy.blank("en")
    address = Matcher(nlp.vocab)
    number = {"TEXT": {"REGEX": r"^\d{1,4}[A-Za-z]?(?:/\d{1,3})?$"}}
    street_word = {
        "TEXT": {"REGEX": r"^(?:[A-Z][\w'’]*|[a-z]{3,}[\w'’]*|St\.?|['’]s)$"},
        "LOWER": {"NOT_IN": sorted(_NOT_STREET_WORDS)},
    }
    street_type = {"LOWER": {"IN": sorted(_STREET_TYPES)}}
    for words in (1, 2, 3):
        address.add("HOUSE", [[number, *([street_word] * words), street_type]])
        address.add("HOUSE", [[number, {"ORTH": ","}, *([street_word] * words), street_type]])
    address.add("FLAT", [[{"LOWER": {"IN": ["flat", "apartment", "apt", "unit"]}}, number]])
    named_house = {"TEXT": {"REGEX": r"^[A-Z][a-z]+$"}, "LOWER": {"NOT_IN": sorted(_NOT_NAMES)}}
    address.add("HOUSE", [[number, {"ORTH": "The"}, named_house]])  # "1 The Paddocks"

    names = Matcher(nlp.vocab)
    name_word = {"TEXT": {"REGEX": r"^[^\W\d_][^\W\d_'\-]*(?:['\-][^\W\d_]+)*$"}, "IS_STOP": False}
    capital_word = {"TEXT": {"REGEX": r"^[A-Z][^\W\d_]*(?:['\-][^\W\d_]+)*$"}, "IS_STOP": False}
    capital_name = {**capital_word, "LOWER": {"NOT_IN": sorted(_NOT_NAMES | _STREET_TYPES)}}
    first_name = {"LOWER": {"IN": sorted(_first_names())}}
    surname = {**name_word, "LOWER": {"NOT_IN": sorted(_NOT_NAMES)}}
    follower = {
        "LOWER": {"IN": [",", ".", "!", "-", "and", "from", "at", "here", "of", "in", "on", "my", "i"]}
    }
    title = {"LOWER": {"IN": sorted(_TITLES)}}
    cues: list[list[dict[str, Any]]] = [
        [{"LOWER": "my"}, {"LOWER": "name"}, {"LOWER": {"IN": ["is", "'s", "s"]}}],
        [{"LOWER": {"IN": ["i'm", "im"]}}, {"LOWER": "called"}],
        [{"LOWER": "i"}, {"LOWER": {"IN": ["'m", "am"]}}, {"LOWER": "called"}],
        [{"LOWER": "name"}, {"ORTH": ":"}],
    ]
    for cue in cues:
        label = f"CUED_{len(cue)}"
        for words in (1, 2, 3):
            names.add(label, [[*cue, title, {"ORTH": ".", "OP": "?"}, *([name_word] * words)]])
            names.add(label, [[*cue, *([name_word] * words)]])
    # Cues that also start ordinary sentences ("I'm disabled", "this is ridiculous", "call me old
    # fashioned"): only a capitalised name, or a known first name in any case, counts.
    capital_cues: list[list[dict[str, Any]]] = [
        [{"LOWER": {"IN": ["i'm", "im"]}}],
        [{"LOWER": "i"}, {"LOWER": "m"}],
        [{"LOWER": "i"}, {"LOWER": {"IN": ["'m", "am"]}}],
        [{"LOWER": "this"}, {"LOWER": "is"}],
        [{"LOWER": "call"}, {"LOWER": "me"}],
        [{"LOWER": "my"}, {"LOWER": {"IN": sorted(_RELATIONS)}}],
        [{"LOWER": "my"}, {"LOWER": {"IN": sorted(_RELATIONS)}}, {"ORTH": ","}],
    ]
    for cue in capital_cues:
        label = f"CUED_{len(cue)}"
        for words in (1, 2):
            names.add(label, [[*cue, *([capital_name] * words)]])
        names.add(label, [[*cue, first_name]])
        # all in lower case ("im niamh byrne, ..."): the surname only where the name clearly ends
        names.add(f"CUEDT_{len(cue)}", [[*cue, first_name, surname, follower]])
    here: list[dict[str, Any]] = [{"LOWER": {"IN": ["it", "its"]}}, {"LOWER": {"IN": ["'s", "s"]}, "OP": "?"}]
    for words in (1, 2):
        names.add(f"CUED_{len(here)}", [[*here, *([capital_name] * words), {"LOWER": "here"}]])
        names.add("CUED_1", [[{"LOWER": "its"}, *([capital_name] * words), {"LOWER": "here"}]])
        names.add("OPENING", [[*([capital_name] * words), {"LOWER": "here"}]])
    for cue in (here, [{"LOWER": "its"}]):
        names.add(f"CUED_{len(cue)}", [[*cue, first_name]])
        names.add(f"CUEDT_{len(cue)}", [[*cue, first_name, surname, follower]])
    # A first name and a surname anywhere ("Gareth Evans next door"); not "Victoria Park" or "Florence Road".
    names.add("FULL", [[{**first_name, "TEXT": {"REGEX": r"^[A-Z]"}}, capital_name]])
    names.add("FULL", [[{**first_name, "TEXT": {"REGEX": r"^[A-Z]"}}, capital_name, capital_name]])
    # A signature at the end ("Thanks, Priya Shah", "Regards Tom").
    for words in (1, 2, 3):
        sign: list[dict[str, Any]] = [
            {"LOWER": {"IN": sorted(_SIGN_OFFS)}},
            {"LOWER": {"IN": ["you", "regards", "wishes"]}, "OP": "?"},
        ]
        names.add(
            "SIGNED", [[*sign, {"ORTH": {"IN": [",", "-", "!"]}, "OP": "?"}, *([capital_name] * words)]]
        )
    for words in (1, 2, 3):
        names.add("TITLED", [[title, {"ORTH": ".", "OP": "?"}, *([capital_word] * words)]])
    for words in (1, 2):
        speaking: list[dict[str, Any]] = [
            {"LOWER": "this"},
            {"LOWER": "is"},
            *([name_word] * words),
            {"LOWER": "speaking"},
        ]
        names.add("SPEAKING", [speaking])
    return nlp, address, names


def _replace_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace character spans (start, end, replacement), longest first where they overlap."""
    chosen: list[tuple[int, int, str]] = []
    for start, end, replacement in sorted(spans, key=lambda span: (-(span[1] - span[0]), span[0])):
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in chosen):
            chosen.append((start, end, replacement))
    for start, end, replacement in sorted(chosen, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _addresses_and_names(text: str) -> str:
    nlp, address_matcher, name_matcher = _nlp_and_matchers()
    doc = nlp.make_doc(text)
    spans: list[tuple[int, int, str]] = []
    for match_id, start, _end in address_matcher(doc):
        label = nlp.vocab.strings[match_id]
        token = doc[start + 1] if label == "FLAT" else doc[start]
        spans.append((token.idx, token.idx + len(token.text), ADDRESS))
        if label == "FLAT":
            spans.append((doc[start].idx, token.idx + len(token.text), ADDRESS))
    for match_id, start, end in name_matcher(doc):
        label = nlp.vocab.strings[match_id]
        first = start
        if label.startswith("CUEDT_"):  # the cue, the name, and the word after it (kept)
            first, end = start + int(label.removeprefix("CUEDT_")), end - 1
        elif label.startswith("CUED_"):  # keep the cue ("my name is"), replace only the name and its title
            first = start + int(label.removeprefix("CUED_"))
            if doc[end - 1].lower_ == "here":
                end -= 1
        elif label == "SPEAKING":
            first, end = start + 2, end - 1
        elif label == "FULL" and end < len(doc) and doc[end].lower_ in _PLACE_WORDS | _STREET_TYPES:
            continue  # a place named after someone: "Mary Ann Gardens", "John Stainer School"
        elif label == "OPENING":  # "Patience Mensah here, ..." opening the message
            if start != 0:
                continue
            end -= 1
        elif label == "SIGNED":
            if any(not token.is_punct for token in doc[end:]):
                continue  # a sign-off word in the middle of a sentence ("thanks Tuesday was fine")
            first = next(i for i in range(start, end) if doc[i].text[:1].isupper() and i > start)
        spans.append((doc[first].idx, doc[end - 1].idx + len(doc[end - 1].text), NAME))
    return _replace_spans(text, spans)


def redact(text: str) -> str:
    """`text` with the personal details listed in this module's docstring replaced; the rest unchanged.

    Order matters: emails and postcodes contain digits that the number rules would otherwise eat.
    """
    if not text:
        return ""
    text = _EMAIL.sub(EMAIL, text)
    text = _dates_of_birth(text)
    text = _bank_details(text)
    text = _postcodes(text)
    text = _ni_numbers(text)
    text = _cards(text)
    text = _phones(text)
    text = _LONG_NUMBER.sub(NUMBER, text)
    text = _addresses_and_names(text)
    return text


def _redact_value(value: object) -> object:
    if not isinstance(value, str):
        return value
    if value.startswith("/") and "%" in value:  # a logged URL path: "/staff?q=SG13%208EQ"
        value = unquote_plus(value)
    return redact(value)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a log record's message and each of its string arguments in place (once).

    Arguments are redacted one by one rather than merged into the message, because some formatters
    (uvicorn's access log) unpack `record.args` themselves.
    """
    if getattr(record, "redacted", False):
        return record
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_value(value) for value in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: _redact_value(value) for key, value in record.args.items()}
    record.redacted = True
    return record


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record, so raw resident text passed to a log call never reaches
    the application's own logs. `install_redacting_filter` puts it where it is needed."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_FACTORY_PREFIXES: set[str] = set()


def _install_record_factory(prefixes: tuple[str, ...]) -> None:
    """Redact records of these loggers (and their children) as they are created, so even a handler added
    later, or Python's last-resort handler when none is configured, never sees raw text."""
    if not _FACTORY_PREFIXES:
        previous = logging.getLogRecordFactory()

        def factory(name: str, *args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(name, *args, **kwargs)
            if any(name == prefix or name.startswith(prefix + ".") for prefix in _FACTORY_PREFIXES):
                redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
    _FACTORY_PREFIXES.update(prefixes)


def install_redacting_filter(*logger_names: str) -> RedactingFilter:
    """Redact what `logger_names` (and their children) log, wherever it is handled, and add a
    `RedactingFilter` to the root logger's handlers for everything else that reaches them.

    Calling it again adds no second filter.
    """
    _install_record_factory(tuple(name for name in logger_names if name))
    redacting = RedactingFilter()
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logger_names)]
    for logger in loggers:
        for target in [logger, *logger.handlers]:
            if not any(isinstance(existing, RedactingFilter) for existing in target.filters):
                target.addFilter(redacting)
    return redacting
