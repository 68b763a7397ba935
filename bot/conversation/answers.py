"""Compose what the resident or officer reads: who provides the service, how to reach them, and whether they
are open now.

The wording rules live here, away from Rasa, so they can be read and tested in one place:
- residents only ever see public numbers; staff also see staff-only numbers and staff notes;
- when the service belongs to someone other than the host council, the answer says so plainly, first;
- when the service (or the contact centre) is shut, the answer says so and when it opens, leads with what can
  be done online now, and gives the out-of-hours number when the directory has one;
- when two or three services are about equally likely, the resident picks from buttons instead of the bot
  guessing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.conversation.channel import RESIDENT, STAFF
from bot.conversation.council_area import FIND_YOUR_COUNCIL
from bot.conversation.online import online_sentence
from bot.conversation.opening import (
    Hours,
    OpeningState,
    day_hours,
    day_words,
    describe_weekly,
    hours_from_schedules,
    next_opening,
    opening_state,
    when_words,
)
from bot.conversation.postcodes import InvalidPostcode, Postcode, in_areas
from bot.conversation.when import AskedDays
from bot.directory.national import ORGANISATION_KIND as NATIONAL_KIND
from bot.directory.queries import PhoneInfo, ServiceDetails
from bot.gaplog.models import Reason
from bot.settings import get_settings

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


def service_hours(service: ServiceDetails) -> Hours:
    """The service's hours; shut on the council's bank holidays (setting BANK_HOLIDAYS) unless it opens."""
    return hours_from_schedules(
        service.schedules,
        open_on_bank_holidays=service.open_on_bank_holidays,
        bank_holidays=get_settings().bank_holidays,
    )


def service_opening(service: ServiceDetails, now: datetime) -> OpeningState:
    return opening_state(service_hours(service), now)


def out_of_hours_phones(service: ServiceDetails, channel: str) -> list[PhoneInfo]:
    """The numbers to give while the service is shut: its own, else its organisation's out-of-hours lines."""
    _, out_of_hours = phones_for(service, channel)
    if not out_of_hours:
        out_of_hours = [p for p in _visible(service.organisation.phones, channel) if p.out_of_hours]
    return out_of_hours


def _out_of_hours_sentence(service: ServiceDetails, channel: str) -> str:
    phones = out_of_hours_phones(service, channel)
    return f"Out of hours, call {_phones_sentence(phones, channel)}." if phones else ""


def _online_sentence(service: ServiceDetails) -> str:
    """What can be done now, while nobody answers the phone: the web, which never closes."""
    url = service.url or service.organisation.website
    return f"You can do many things online now: {url}" if url else ""


def _opening_sentence(service: ServiceDetails, now: datetime, channel: str) -> str:
    state = service_opening(service, now)
    if not state.known:
        return ""
    words = f"They are {state.describe()}."
    if not state.is_open:
        out_of_hours = _out_of_hours_sentence(service, channel)
        if out_of_hours:
            words += f" {out_of_hours}"
    return words


# --- the signposting answer ---------------------------------------------------------------------------------


def _status_sentence(service: ServiceDetails) -> str:
    if service.is_active:
        return ""
    return f"Please note: the directory lists this service as {service.status}."


def national_signpost(service: ServiceDetails, *, host_name: str = "", channel: str = RESIDENT) -> str:
    """Another body's business, said plainly: "That's HM Passport Office, not the council: ...", then the
    link first when it can be done online (bot.conversation.online), then the number."""
    council = host_name or "the council"
    lines = [f"That's {service.name}, not {council}: {service.description}"]
    online = online_sentence(service) if channel == RESIDENT else ""
    if online:
        lines.append(online)
    phone = service.organisation.phones[0] if service.organisation.phones else None
    if phone is not None:
        hours = f" ({phone.description})" if phone.description else ""
        lines.append(f"{'Or call' if online else 'Call'} {phone.display}{hours}.")
    if service.url and not online:
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
    """The answer to "who do I contact about X": provider, phone, email, web page, open now or not.

    Online first (issue #19 part 5): when a resident can do it on the service's web page
    (`bot.conversation.online.online_action`), the link comes straight after who provides it, then "Or
    call ...". Staff keep the phone-first answer with their staff lines on top: they are on a call.
    """
    if service.organisation.kind == NATIONAL_KIND:
        return national_signpost(service, host_name=host_name, channel=channel)
    daytime, _ = phones_for(service, channel)
    organisation = service.organisation.name
    if service.provided_elsewhere:
        not_us = f", not {host_name}" if host_name and host_name != organisation else ""
        lead = f"{service.name} is handled by {organisation}{not_us}"
    else:
        lead = f"{service.name} ({organisation})"
    online = online_sentence(service) if channel == RESIDENT else ""
    if online:
        lines = [f"{lead}.", online]
        if daytime:
            lines.append(f"Or call {_phones_sentence(daytime, channel)}.")
    else:
        lead += (
            f": call {_phones_sentence(daytime, channel)}."
            if daytime
            else ". They do not list a phone number."
        )
        lines = [lead]
    contact = []
    email = service.email or service.organisation.email
    if email:
        contact.append(f"Email: {email}")
    url = service.url or service.organisation.website
    if url and not online:
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


def outside_area(place: str, council: str, *, answer_follows: bool = True) -> str:
    """A place outside the council's area, said plainly (issue #19 part 6): "LU1 looks outside the area of
    Brackenford District Council.", GOV.UK's "find your local council" link, then (when an answer follows)
    that it is the answer for this council's residents. `place` is an outward code or a town, never a full
    postcode."""
    council = council or "this council"
    lines = [
        f"{place} looks outside the area of {council}.",
        f"If that is where you live, your own council can help. Find it on GOV.UK: {FIND_YOUR_COUNCIL}",
    ]
    if answer_follows:
        lines.append(f"If you live in the area of {council}, this is the answer for you:")
    return "\n".join(lines)


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
    """ "Are they open now?" about the service already found; when shut, the web comes before phones."""
    hours = service_hours(service)
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
        for sentence in (_online_sentence(service), _out_of_hours_sentence(service, channel)):
            if sentence:
                words += f"\n{sentence}"
    return words


def day_lines(service: ServiceDetails, asked: AskedDays) -> list[str]:
    """A line per day asked about: "Saturday 26 December (Boxing Day): closed", "Monday 30 November: open
    9am to 5pm"."""
    hours = service_hours(service)
    lines = []
    for day in asked.days:
        found = day_hours(hours, day)
        name = day_words(day)
        if found.holiday and not found.reason:
            name += f" ({found.holiday})"
        state = found.describe()
        lines.append(f"{name}: {'open ' if found.is_open and not state.startswith('open') else ''}{state}")
    return lines


def day_answer(service: ServiceDetails, asked: AskedDays, *, now: datetime, channel: str) -> str:
    """ "Are they open tomorrow / at the weekend / over Christmas?" from the service's hours on those days.

    A day it is shut says why (a bank holiday, a closure) and when it next opens after it; the out-of-hours
    number follows when the directory has one.
    """
    hours = service_hours(service)
    if not hours.known:
        return opening_answer(service, now=now, channel=channel)
    lines = day_lines(service, asked)
    if len(lines) == 1 and asked.label == f"on {day_words(asked.days[0])}":
        words = f"{service.name} on {lines[0]}."
    elif len(lines) == 1:
        day, _, state = lines[0].partition(": ")
        words = f"{service.name} {asked.label} ({day}): {state}."
    else:
        words = f"{service.name} {asked.label}:\n" + "\n".join(lines)
    closed = [day for day in asked.days if not day_hours(hours, day).is_open]
    if closed:
        start = datetime.combine(closed[0], datetime.min.time(), tzinfo=now.tzinfo)
        reopens = next_opening(hours, max(start, now))
        if reopens is not None:
            words += f"\nThey next open {when_words(reopens, now)}."
        out_of_hours = _out_of_hours_sentence(service, channel)
        if out_of_hours:
            words += f" {out_of_hours}"
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


def centre_status(
    centre: ServiceDetails, *, now: datetime, channel: str, phone: str, subject: str = ""
) -> str:
    """Whether the contact centre is open now, and if not, what to do until it opens.

    Open: "Customer Services is open now until 5:30pm (today 8:30am to 5:30pm)." Shut: it says so and when it
    opens, then what can be done online now, then any out-of-hours number, so nobody is sent to a phone line
    that will not answer. Empty when the directory lists no hours. `subject` replaces the centre's name.
    """
    subject = subject or centre.name
    state = service_opening(centre, now)
    if not state.known:
        return ""
    if state.is_open:
        today = day_hours(service_hours(centre), now.date())
        hours = "" if state.always_open or not today.is_open else f" (today {today.describe()})"
        return f"{subject} {'are' if subject == 'They' else 'is'} {state.describe()}{hours}."
    words = f"{subject} ({phone}) is {state.describe()}." if phone else f"{subject} is {state.describe()}."
    for sentence in (_online_sentence(centre), _out_of_hours_sentence(centre, channel)):
        if sentence:
            words += f"\n{sentence}"
    return words


def centre_is_open(centre: ServiceDetails | None, now: datetime) -> bool | None:
    """True or False when the directory lists the contact centre's hours, else None."""
    if centre is None:
        return None
    state = service_opening(centre, now)
    return state.is_open if state.known else None


def council_answer(
    centre: ServiceDetails | None,
    kind: str,
    *,
    now: datetime,
    channel: str,
    fallback_phone: str,
    asked: AskedDays | None = None,
) -> str:
    """ "What time does the council open?", "council phone number", "where is the council office?", "can I
    speak to someone?".

    The council, to a resident, is its contact centre (the directory's `is_contact_centre` service): its
    number, whether it is open now and its hours today (or on the days asked about), its address and web page.
    `kind` is what was asked ("open", "phone", "address", "email", "web", "person"), answered first; when the
    centre is shut, what can be done online now and any out-of-hours number come before the address.
    """
    phone = contact_phone(centre, channel, fallback_phone)
    if centre is None:
        return (
            f"You can contact the council's contact centre on {phone}."
            if phone
            else ("Please contact the council's offices.")
        )
    if asked is not None and asked.days != (now.date(),):
        words = day_answer(centre, asked, now=now, channel=channel)
        return f"{words}\nCall {phone}." if phone else words
    is_open = centre_is_open(centre, now)
    lines = []
    daytime, _ = phones_for(centre, channel)
    if kind == "address":
        lines.append(
            f"{centre.name} is at {centre.address}."
            if centre.address
            else f"{centre.name} does not list an address to visit in our directory."
        )
    elif kind in ("email", "web"):
        lines.append(contact_detail(centre, kind, channel=channel))
    elif kind == "phone" and daytime:
        lines.append(f"You can call {centre.name} on {_phones_sentence(daytime, channel)}.")
    elif kind == "person" and is_open is not False:
        lines.append(f"You can speak to someone at {centre.name} on {phone}.")
    subject = "They" if lines and is_open else centre.name
    status = centre_status(centre, now=now, channel=channel, phone=phone, subject=subject)
    if status and subject == "They":
        lines[-1] += f" {status}"
    elif status:
        lines.append(status)
    if kind == "open" and is_open is not False:
        lines.append(f"Call {_phones_sentence(daytime, channel)}." if daytime else f"Call {phone}.")
    if kind in ("open", "phone", "person") and centre.address:
        lines.append(f"Address: {centre.address}.")
    return "\n".join(line for line in lines if line)


def handoff(centre: ServiceDetails | None, *, now: datetime, channel: str, fallback_phone: str) -> str:
    """ "Can I speak to someone?": the contact centre's number and whether it is open now; when it is shut,
    when it opens, what can be done online now and any out-of-hours number."""
    if centre is None:
        phone = contact_phone(centre, channel, fallback_phone)
        return f"You can speak to someone at the council's contact centre on {phone}."
    return council_answer(centre, "person", now=now, channel=channel, fallback_phone=fallback_phone)


FALLBACK_WORDING = {
    Reason.NOT_UNDERSTOOD.value: "Sorry, I did not understand that.",
    Reason.NO_MATCHING_SERVICE.value: "Sorry, I could not find a service for that in our directory.",
    Reason.LOW_CONFIDENCE.value: "Sorry, I am not sure which service you need.",
}


def fallback(
    reason: str,
    *,
    phone: str,
    centre: ServiceDetails | None = None,
    now: datetime | None = None,
    channel: str = RESIDENT,
) -> str:
    """The polite reply when the bot cannot help, always with a way to reach a person.

    When the contact centre is shut (`centre` and `now` given), the reply says so instead of sending the
    resident to a phone nobody answers: when it opens, what can be done online now, any out-of-hours number.
    """
    opening = FALLBACK_WORDING.get(reason, FALLBACK_WORDING[Reason.NOT_UNDERSTOOD.value])
    words = (
        f"{opening} I can help you find council services, such as bin collections, council tax, "
        "housing or reporting a problem in the street."
    )
    if centre is not None and now is not None and centre_is_open(centre, now) is False:
        status = centre_status(centre, now=now, channel=channel, phone=phone, subject="Our contact centre")
        return f"{words}\n{status}"
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
