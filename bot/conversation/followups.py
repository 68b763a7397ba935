"""Reading follow-ups: which detail a resident wants, whether a message names a new need, "the second one".

"What's their email?" refers to the service already found; "what's the number for the tip?" is a new need and
starts a new search. The difference is whether anything is left once the follow-up words are taken away.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORDS = re.compile(r"[a-z0-9']+")

_EMAIL = {"email", "e-mail", "mail", "emails", "emailing", "write"}
_WEB = {"web", "website", "webpage", "site", "link", "online", "url", "page", "internet"}
_ADDRESS = {"address", "where", "located", "location", "visit", "office", "offices", "building", "directions"}

_FOLLOW_UP_TEXT = """
a an the their they them there theyre they're its it's it is are was were be been do does did can could
i i'm im me my we our you your u please pls what's whats what when where how who which
phone number numbers telephone tel ring call calling contact contacts reach get touch in on at for to of
and or with by from about email e-mail mail web website webpage site link online url page address
located location visit office open opened opening hours times time close closed closing shut today
tomorrow now weekend saturday sunday monday tuesday wednesday thursday friday morning afternoon evening
until till til still right yet usually normally details info information send give tell need want
ok okay so then also just again thanks thank cheers that this those these one service team
postcode postcodes post code live living lives area
that's thats i've ive we've i'd i'll don't dont can't cant won't wont doesn't doesnt there's
"""
FOLLOW_UP_WORDS = frozenset(re.findall(r"\S+", _FOLLOW_UP_TEXT))


def words(text: str) -> list[str]:
    return _WORDS.findall((text or "").lower())


def contact_kind(text: str) -> str:
    """Which detail is wanted: "email", "web", "address" or (the default) "phone"."""
    tokens = set(words(text))
    if tokens & _EMAIL:
        return "email"
    if tokens & _WEB:
        return "web"
    if tokens & _ADDRESS:
        return "address"
    return "phone"


FEEDBACK_WORDS = frozenset(
    re.findall(
        r"\S+",
        """yes yeah yep yup no nope not really correct wrong great perfect brilliant good fine sure did didn't
        didnt help helped helpful answer answered question quite exactly lovely nice
        wasn't wasnt isn't isnt""",
    )
)
PERSON_WORDS = frozenset(
    re.findall(
        r"\S+",
        """speak talk talking someone somebody anyone person people human real advisor adviser agent operator
        customer services council back connect transfer put through staff member officer""",
    )
)


COUNCIL_PHRASES = (
    "council",
    "councils",
    "council's",
    "the councils",
    "town hall",
    "civic centre",
    "civic center",
    "contact centre",
    "contact center",
    "call centre",
    "customer services",
    "customer service",
    "council offices",
)
"""What residents call the council itself: to them, its contact centre."""
COUNCIL_WORDS = frozenset(word for phrase in COUNCIL_PHRASES for word in phrase.split()) | {"offices"}
YOU_WORDS = frozenset({"you", "your", "yours", "youre", "you're", "ya"})
"""Asked of the assistant with no service in view, "when are you open?" means the council."""


def mentions_the_council(text: str, *, service_in_view: bool) -> bool:
    """Does the message ask about the council itself ("what time does the council open?", "where is the town
    hall?"), or, with no service found yet, about "you"?"""
    padded = " " + " ".join(words(text)) + " "
    if any(f" {phrase} " in padded for phrase in COUNCIL_PHRASES):
        return True
    return not service_in_view and bool(set(words(text)) & YOU_WORDS)


def names_a_need(text: str, also_ignore: frozenset[str] = frozenset()) -> bool:
    """Does the message say something beyond "what's their number / are they open" (and `also_ignore`)?"""
    return any(
        word not in FOLLOW_UP_WORDS and word not in also_ignore and len(word) > 2 for word in words(text)
    )


_ORDINALS = {
    "first": 0,
    "1st": 0,
    "one": 0,
    "1": 0,
    "second": 1,
    "2nd": 1,
    "two": 1,
    "2": 1,
    "third": 2,
    "3rd": 2,
    "three": 2,
    "3": 2,
}


def chosen_position(text: str, offered: Sequence[str]) -> int | None:
    """ "the second one" -> 1 when at least two choices were offered; "that one" -> 0 when only one was."""
    for word in words(text):
        if word in _ORDINALS and _ORDINALS[word] < len(offered):
            if word == "one" and len(offered) > 1 and not {"first", "1st", "1"} & set(words(text)):
                continue  # "that one" is ambiguous among several
            return _ORDINALS[word]
    return 0 if len(offered) == 1 else None


_CHOICE_WORDS = frozenset(
    {"the", "a", "that", "this", "one", "option", "number", "no", "please", "pls", "i", "want", "ll", "take"}
)
_CHOICE_TEXT = re.compile(r"[A-Za-z0-9 ,.!?']+")


def reads_as_a_choice(text: str) -> bool:
    """Typed words that pick one of the offered buttons: "the second one", "option 2", "that one please".

    Only plain words qualify: text led by symbols ("-2+3", "<img src=x onerror=alert(1)>", "@SUM(1+1)")
    holds digits but picks nothing, and must be answered as a question that was not understood."""
    stripped = text.strip()
    if not stripped or not _CHOICE_TEXT.fullmatch(stripped):
        return False
    found = words(stripped)
    return (
        bool(found)
        and all(word in _CHOICE_WORDS or word in _ORDINALS for word in found)
        and any(word in _ORDINALS or word in {"that", "this"} for word in found)
    )
