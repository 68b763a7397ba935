"""Compose what the resident or officer reads: who provides the service, how to reach them, and whether they
are open now.

The wording rules live here, away from Rasa, so they can be read and tested in one place:
- residents only ever see public numbers; staff also see staff-only numbers and staff notes;
- when the service belongs to someone other than the host council, the answer says so plainly, first;
- when the service is shut and the directory has an out-of-hours number, it is given;
- when two or three services are about equally likely, the resident picks from buttons instead of the bot
  guessing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.conversation.channel import STAFF
from bot.conversation.opening import OpeningState, describe_weekly, hours_from_schedules, opening_state
from bot.conversation.postcodes import InvalidPostcode, Postcode, in_areas
from bot.directory.national import ORGANISATION_KIND as NATIONAL_KIND
from bot.directory.queries import PhoneInfo, ServiceDetails

CHOOSE_INTENT = "choose_service"
FEEDBACK_QUESTION = "Did that answer your question?"
FEEDBACK_BUTTONS = ({"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"})
CLOSE_MARGIN = 0.1
"""Without router scores: candidates within this confidence of the best one are offered as choices."""
SCORE_MARGIN = 0.12
"""Candidates whose router score is within this of the best one's (and confident enough) are offered as
choices. Measured on the demo directory: clear requests lead by 0.25 or more, genuinely ambiguous ones
("bins": litter bins or a new bin) by less than 0.1. It was 0.15 until the national catalogue and the
GOV.UK-services lexicon (2026-12) brought clear requests closer ("pothole on my road": 0.145 ahead of the
motorways service, which the demo directory tags with the pothole code too); 0.12 still offers buttons for
every lead under 0.1."""
MAX_CHOICES = 3


@dataclass(frozen=True)
class Reply:
    """One bot message: text, and optionally buttons (title + payload) to tap."""

    text: str
    buttons: tuple[dict[str, str], ...] = field(default_factory=tuple)


# --- phones -------------------------------------------------------------------------------------------------


def _visible(phones: Sequence[PhoneInfo], channel: str) -> list[PhoneInfo]:
    if channel == STAFF:
        return sorted(phones, key=lambda phone: not phone.staff_only)  # staff lines first for officers
    return [phone for phone in phones if not phone.staff_only]


def phones_for(service: ServiceDetails, channel: str) -> tuple[list[PhoneInfo], list[PhoneInfo]]:
    """(daytime numbers, out-of-hours numbers) this audience may see; the organisation's if none listed.

    Staff-only numbers never leave the staff channel.
    """
    phones = _visible(service.phones, channel)
    daytime = [phone for phone in phones if not phone.out_of_hours]
    out_of_hours = [phone for phone in phones if phone.out_of_hours]
    if not daytime and out_of_hours:
        return out_of_hours, []  # an emergency line that is only listed as out-of-hours is THE number
    if not daytime:
        organisation = _visible(service.organisation.phones, channel)
        daytime = [phone for phone in organisation if not phone.out_of_hours]
        out_of_hours = [phone for phone in organisation if phone.out_of_hours]
    return daytime, out_of_hours


def _phone_words(phone: PhoneInfo, channel: str) -> str:
    words = phone.display
    if phone.staff_only and channel == STAFF:
        words += " (staff line, do not give to residents)"
    if phone.description:
        words += f" ({phone.description})"
    return words


def _phones_sentence(phones: Sequence[PhoneInfo], channel: str) -> str:
    return " or ".join(_phone_words(phone, channel) for phone in phones[:3])


def contact_phone(service: ServiceDetails | None, channel: str, fallback: str = "") -> str:
    """The first daytime number of `service` for this audience, or `fallback`."""
    if service is None:
        return fallback
    daytime, _ = phones_for(service, channel)
    return daytime[0].display if daytime else fallback


# --- opening ------------------------------------------------------------------------------------------------


def service_opening(service: ServiceDetails, now: datetime) -> OpeningState:
    hours = hours_from_schedules(service.schedules, open_on_bank_holidays=service.open_on_bank_holidays)
    return opening_state(hours, now)


def _opening_sentence(service: ServiceDetails, now: datetime, channel: str) -> str:
    state = service_opening(service, now)
    if not state.known:
        return ""
    words = f"They are {state.describe()}."
    if not state.is_open:
        _, out_of_hours = phones_for(service, channel)
        if out_of_hours:
            words += f" Out of hours, call {_phones_sentence(out_of_hours, channel)}."
    return words


# --- the signposting answer ---------------------------------------------------------------------------------


def _status_sentence(service: ServiceDetails) -> str:
    if service.is_active:
        return ""
    return f"Please note: the directory lists this service as {service.status}."


def national_signpost(service: ServiceDetails, *, host_name: str = "") -> str:
    """Another body's business, said plainly: "That's HM Passport Office, not the council: ..."."""
    council = host_name or "the council"
    lines = [f"That's {service.name}, not {council}: {service.description}"]
    phone = service.organisation.phones[0] if service.organisation.phones else None
    if phone is not None:
        hours = f" ({phone.description})" if phone.description else ""
        lines.append(f"Call {phone.display}{hours}.")
    if service.url:
        lines.append(f"Web: {service.url}")
    return "\n".join(lines)


def signpost(
    service: ServiceDetails,
    *,
    channel: str,
    now: datetime,
    host_name: str = "",
    postcode: Postcode | str | None = None,
) -> str:
    """The answer to "who do I contact about X": provider, phone, email, web page, open now or not."""
    if service.organisation.kind == NATIONAL_KIND:
        return national_signpost(service, host_name=host_name)
    daytime, _ = phones_for(service, channel)
    organisation = service.organisation.name
    if service.provided_elsewhere:
        not_us = f", not {host_name}" if host_name and host_name != organisation else ""
        lead = f"{service.name} is handled by {organisation}{not_us}"
    else:
        lead = f"{service.name} ({organisation})"
    if daytime:
        lead += f": call {_phones_sentence(daytime, channel)}."
    else:
        lead += ". They do not list a phone number."
    lines = [lead]
    contact = []
    email = service.email or service.organisation.email
    if email:
        contact.append(f"Email: {email}")
    url = service.url or service.organisation.website
    if url:
        contact.append(f"Web: {url}")
    if contact:
        lines.append(". ".join(contact) + ".")
    for sentence in (_opening_sentence(service, now, channel), _status_sentence(service)):
        if sentence:
            lines.append(sentence)
    if postcode is not None:
        area = area_sentence(service, postcode)
        if area:
            lines.append(area)
    if channel == STAFF and service.staff_notes:
        lines.append(f"Staff notes: {service.staff_notes}")
    return "\n".join(lines)


def area_sentence(service: ServiceDetails, postcode: Postcode | str) -> str:
    """Whether `postcode` is inside the service's declared area; empty when the service declares none."""
    if not service.areas:
        return ""
    covered = ", ".join(service.area_names) or ", ".join(service.areas[:8])
    if in_areas(postcode, service.areas):
        return f"{postcode} is inside the area this service covers ({covered})."
    return (
        f"{postcode} is outside the area {service.name} covers ({covered}), so it may be provided by a "
        "different council or organisation where you are."
    )


# --- follow-ups ---------------------------------------------------------------------------------------------

CONTACT_KINDS = ("phone", "email", "address", "web")


def contact_detail(service: ServiceDetails, kind: str, *, channel: str) -> str:
    """One detail of the service already found: "what's their email?", "where are they?"."""
    name = service.name
    if kind == "email":
        email = service.email or service.organisation.email
        return f"You can email {name} at {email}." if email else f"{name} does not list an email address."
    if kind == "web":
        url = service.url or service.organisation.website
        return f"{name} on the web: {url}" if url else f"{name} does not list a web page."
    if kind == "address":
        words = f"{name} does not list an address to visit in our directory."
        if service.areas:
            covered = ", ".join(service.area_names) or ", ".join(service.areas[:8])
            words += f" It covers {covered}."
        url = service.url or service.organisation.website
        if url:
            words += f" Their web page has the details: {url}"
        return words
    daytime, out_of_hours = phones_for(service, channel)
    if not daytime and not out_of_hours:
        return f"{name} does not list a phone number."
    words = f"You can call {name} on {_phones_sentence(daytime, channel)}." if daytime else ""
    if out_of_hours:
        words += f" Out of hours: {_phones_sentence(out_of_hours, channel)}."
    return words.strip()


def opening_answer(service: ServiceDetails, *, now: datetime, channel: str) -> str:
    """ "Are they open now?" about the service already found."""
    hours = hours_from_schedules(service.schedules, open_on_bank_holidays=service.open_on_bank_holidays)
    state = opening_state(hours, now)
    if not state.known:
        phone = contact_phone(service, channel)
        extra = f" You could call them on {phone} to check." if phone else ""
        return f"The directory does not list opening hours for {service.name}.{extra}"
    words = f"{service.name} is {state.describe()}."
    usual = describe_weekly(hours)
    if usual and not state.always_open:
        words += f" Usual hours: {usual}."
    if not state.is_open:
        _, out_of_hours = phones_for(service, channel)
        if out_of_hours:
            words += f" Out of hours, call {_phones_sentence(out_of_hours, channel)}."
    return words


# --- choices ------------------------------------------------------------------------------------------------


def choose_payload(service_id: str) -> str:
    return f"/{CHOOSE_INTENT}" + json.dumps({"service_id": service_id}, separators=(",", ":"))


def _number(candidate: Mapping[str, Any], key: str) -> float | None:
    try:
        value = candidate.get(key)
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def close_candidates(
    candidates: Sequence[Mapping[str, Any]],
    threshold: float,
    *,
    margin: float = CLOSE_MARGIN,
    score_margin: float = SCORE_MARGIN,
) -> list[Mapping[str, Any]]:
    """The best candidate and any others too close to it to pick between; one means "just answer".

    The router's `score` orders candidates and `confidence` says whether one is good enough, so closeness is
    judged on the score (within `score_margin` of the best), among candidates confident enough to offer.
    Candidates without a score fall back to a confidence margin.
    """
    if not candidates or (_number(candidates[0], "confidence") or 0.0) < threshold:
        return []
    best = candidates[0]
    close = [best]
    for other in candidates[1:]:
        if (_number(other, "confidence") or 0.0) < threshold:
            continue
        best_score, other_score = _number(best, "score"), _number(other, "score")
        if best_score is not None and other_score is not None:
            near = best_score - other_score <= score_margin
        else:
            near = (_number(best, "confidence") or 0.0) - (_number(other, "confidence") or 0.0) <= margin
        if near:
            close.append(other)
    return close[:MAX_CHOICES]


def choice_buttons(services: Sequence[ServiceDetails]) -> tuple[dict[str, str], ...]:
    """One button per service; another organisation's service says whose it is."""
    buttons = []
    for service in services:
        title = (
            service.name
            if not service.provided_elsewhere
            else f"{service.name} ({service.organisation.name})"
        )
        buttons.append({"title": title, "payload": choose_payload(service.id)})
    return tuple(buttons)


def choices(services: Sequence[ServiceDetails], *, retry: bool = False) -> Reply:
    text = (
        "Was it one of these instead?"
        if retry
        else "I found a few services that could help. Which is closest?"
    )
    return Reply(text=text, buttons=choice_buttons(services))


# --- hand-off and fallback ----------------------------------------------------------------------------------


def handoff(centre: ServiceDetails | None, *, now: datetime, channel: str, fallback_phone: str) -> str:
    """ "Can I speak to someone?": the contact centre's number and whether it is open now."""
    phone = contact_phone(centre, channel, fallback_phone)
    if centre is None:
        return f"You can speak to someone at the council's contact centre on {phone}."
    words = f"You can speak to someone at {centre.name} on {phone}."
    state = service_opening(centre, now)
    if state.known:
        if state.is_open:
            words += f" They are {state.describe()}."
        else:
            words = f"{centre.name} ({phone}) is {state.describe()}."
            url = centre.url or centre.organisation.website
            if url:
                words += f" In the meantime you can find help and report things online at {url}"
    return words


FALLBACK_WORDING = {
    "not_understood": "Sorry, I did not understand that.",
    "no_matching_service": "Sorry, I could not find a service for that in our directory.",
    "low_confidence": "Sorry, I am not sure which service you need.",
}


def fallback(reason: str, *, phone: str) -> str:
    """The polite reply when the bot cannot help, always with a way to reach a person."""
    opening = FALLBACK_WORDING.get(reason, FALLBACK_WORDING["not_understood"])
    words = (
        f"{opening} I can help you find council services, such as bin collections, council tax, "
        "housing or reporting a problem in the street."
    )
    if phone:
        words += f" You can also call our contact centre on {phone}."
    return words


def invalid_postcode(error: InvalidPostcode) -> str:
    return f"{error} Please check it and send it again, for example SG13 8DE."


def too_long(limit: int) -> str:
    return f"Sorry, that message is too long for me. Please keep it under {limit} characters and try again."


EMPTY_MESSAGE = "I did not receive a message. Please type what you need help with."


def unavailable(phone: str) -> str:
    """What a resident reads when part of the assistant is down: never silence, a number whenever known."""
    if not phone:
        return (
            "Sorry, I cannot look that up right now. Please contact the council's contact centre, "
            "or try again in a few minutes."
        )
    return (
        "Sorry, I cannot look that up right now. Please call our contact centre on "
        f"{phone}, or try again in a few minutes."
    )
