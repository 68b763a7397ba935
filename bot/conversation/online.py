"""Whether a service can be done online, decided from the directory's own data (issue #19 part 5).

When it can, the resident's answer leads with the link ("You can report it online: URL") and gives the
phone number after it: the web never closes and costs the council a fraction of a call. The rule is
`online_action`; its vocabulary is the two constants below. Nothing is guessed: no URL is ever made up, and a
service without its own web address is never "online" (an organisation's home page is not where a particular
thing is done).
"""

from __future__ import annotations

import re

from bot.directory.queries import ServiceDetails

ONLINE_VERBS = ("report", "apply", "pay", "book", "order", "renew", "register", "request", "sign up", "claim")
"""Things a resident does on a web page, as a directory's description says them ("Apply online", "report it
online by 5pm", "Book a slot online")."""
VERB_WORDS = {"report": "report it", "request": "request it"}
"""How the verb reads in "You can ... online": "You can report it online", "You can apply online"."""

_VERBS = "|".join(re.escape(verb).replace(r"\ ", r"\s+") for verb in ONLINE_VERBS)
_SAYS_ONLINE = re.compile(
    rf"\b(?P<verb>{_VERBS})\b[^.;:?!]{{0,45}}?\bonline\b"
    r"(?=\s*(?:$|[.,;:)!]|(?:at|or|and|in|by|any|through|via|using|from|with|within|before|to|for|if)\b))",
    re.IGNORECASE,
)
"""A doing word, then "online" within the same clause, not as an adjective ("online shopping scams")."""
_REPORTING_SERVICE = re.compile(r"^\s*report\b", re.IGNORECASE)


def online_action(service: ServiceDetails) -> str | None:
    """What a resident can do on the service's own web page ("report it", "apply", "book"), or None.

    The rule, from the directory's data only:

    1. the service has its own web address (`url`; HSDS `service.url`), and
    2. its description says what can be done online ("Apply online", "report it online by 5pm", "Book a slot
       online"), or it is a reporting service ("Report a pothole"): a council's page for reporting something
       is where it is reported.

    A service whose description only mentions the web in passing ("online shopping scams"), or that has no
    web address of its own, is answered phone first as before.
    """
    if not service.url:
        return None
    said = _SAYS_ONLINE.search(service.description or "")
    if said is not None:
        verb = " ".join(said.group("verb").lower().split())
    elif _REPORTING_SERVICE.match(service.name):
        verb = "report"
    else:
        return None
    return VERB_WORDS.get(verb, verb)


def online_sentence(service: ServiceDetails) -> str:
    """ "You can report it online: https://..." for a service that can be done online, else empty."""
    action = online_action(service)
    return f"You can {action} online: {service.url}" if action else ""


def online_label(service: ServiceDetails) -> str:
    """The widget's link text for it ("Report it online"), else empty."""
    action = online_action(service)
    return f"{action[:1].upper()}{action[1:]} online" if action else ""
