"""What the assistant does on each kind of turn, given what Rasa parsed and what the conversation remembers.

Each function reads the directory through a session (so the answer reflects the database at this moment) and
returns an `Outcome`: the replies to send, the slots to set, and what to write to the gap log. The Rasa
actions in `actions/` only gather the inputs from the tracker, run one of these in a worker thread and pass
the outcome back; the gap-log records are written separately (`write_records`), so a gap-log failure never
costs the resident their answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.conversation import answer_meta, answers, contact_line
from bot.conversation.answers import FEEDBACK_BUTTONS, FEEDBACK_QUESTION, Reply
from bot.conversation.channel import RESIDENT
from bot.conversation.council_area import PlaceOutside, council_area, place_outside
from bot.conversation.followups import (
    COUNCIL_WORDS,
    FEEDBACK_WORDS,
    PERSON_WORDS,
    chosen_position,
    contact_kind,
    mentions_the_council,
    names_a_need,
    reads_as_a_choice,
)
from bot.conversation.postcodes import (
    InvalidPostcode,
    Postcode,
    find_postcode,
    find_postcode_text,
    in_areas,
    outward_code,
    parse_outward,
    parse_postcode,
)
from bot.conversation.when import DAY_WORDS, AskedDays, asked_days
from bot.directory.models import OrganisationKind
from bot.directory.national import ORGANISATION_KIND as NATIONAL_KIND
from bot.directory.queries import ServiceDetails, contact_centre, host_organisation, services_details
from bot.gaplog.models import Reason
from bot.settings import get_settings

logger = logging.getLogger(__name__)

NOT_UNDERSTOOD = Reason.NOT_UNDERSTOOD.value
LOW_CONFIDENCE = Reason.LOW_CONFIDENCE.value
NO_MATCHING_SERVICE = Reason.NO_MATCHING_SERVICE.value
OTHER_ORGANISATION = Reason.OTHER_ORGANISATION.value
WRONG_ANSWER = Reason.WRONG_ANSWER.value
ASKED_FOR_PERSON = Reason.ASKED_FOR_PERSON.value
NLU_FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class TurnInput:
    """Everything a turn may need, gathered from the tracker by the action."""

    conversation_id: str
    channel: str
    now: datetime
    text: str = ""
    intent: str = ""
    services: Sequence[Mapping[str, Any]] = ()
    """This message's ranked candidates (`services` in the parse result)."""
    threshold: float = 0.0
    service_id: str | None = None
    """The service the conversation is about, if one was found."""
    candidates: Sequence[str] = ()
    offered: Sequence[str] = ()
    postcode: str | None = None
    feedback_pending: bool = False
    query_text: str = ""
    """The message that started the current search (for negative feedback)."""
    query_services: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class UnmetRecord:
    reason: str
    text: str
    candidates: tuple[Mapping[str, Any], ...] = ()
    organisation_id: str | None = None
    service_id: str | None = None
    """For a wrong answer: the service given."""


@dataclass(frozen=True)
class AnswerRecord:
    service_id: str
    confidence: float | None = None


@dataclass(frozen=True)
class CrisisRecord:
    """A crisis turn: logged with its category and no words at all."""

    category: str


Record = UnmetRecord | AnswerRecord | CrisisRecord


@dataclass
class Outcome:
    replies: list[Reply] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    answer: dict[str, Any] | None = None
    """The answer metadata (bot.conversation.answer_meta) the turn ends with; None means `conversation`."""

    def say(self, text: str, buttons: Sequence[Mapping[str, str]] = ()) -> None:
        self.replies.append(Reply(text=text, buttons=tuple(dict(button) for button in buttons)))


# --- helpers ------------------------------------------------------------------------------------------------


def _confidence(candidate: Mapping[str, Any]) -> float:
    try:
        return float(candidate.get("confidence") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def is_confident(services: Sequence[Mapping[str, Any]], threshold: float) -> bool:
    return bool(services) and _confidence(services[0]) >= threshold


def _phone(session: Session, channel: str) -> str:
    centre = contact_centre(session)
    phone = answers.contact_phone(centre, channel)
    contact_line.remember(answers.contact_phone(centre, RESIDENT))
    return phone or contact_line.current(channel)


def _host_name(session: Session) -> str:
    host = host_organisation(session)
    return host.name if host is not None else ""


def _council_name(session: Session) -> str:
    """The council residents are asking: the directory's host organisation, else the area file's name."""
    area = council_area()
    return _host_name(session) or (area.council if area is not None else "")


def _say_if_outside(
    session: Session, text: str, outcome: Outcome, *, answer_follows: bool = True
) -> PlaceOutside | None:
    """Say plainly when `text` names a postcode or town outside the council's area (issue #19 part 6),
    with GOV.UK's "find your local council" link; the caller still gives this council's answer after it."""
    place = place_outside(text)
    if place is not None:
        outcome.say(answers.outside_area(place.place, _council_name(session), answer_follows=answer_follows))
    return place


def _mark_outside(outcome: Outcome, place: PlaceOutside | None) -> None:
    """Add the place to the turn's answer metadata (`area`), once the answer itself is set."""
    if place is None:
        return
    if outcome.answer is None:
        outcome.answer = answer_meta.build(answer_meta.CONVERSATION)
    outcome.answer["area"] = answer_meta.outside_area(place)


def _postcode_in(text: str) -> tuple[Postcode | str | None, InvalidPostcode | None]:
    try:
        return find_postcode(text), None
    except InvalidPostcode as error:
        return None, error


def _stored_postcode(value: str | None) -> Postcode | str | None:
    if not value:
        return None
    try:
        return parse_postcode(value) if " " in value else parse_outward(value)
    except InvalidPostcode:
        return None


def _answer(
    session: Session,
    turn: TurnInput,
    service: ServiceDetails,
    outcome: Outcome,
    *,
    confidence: float | None,
    picked: bool = False,
) -> None:
    """The signposting answer for one service, the feedback question, and the records that go with it.

    `picked`: the resident chose it from buttons, so the need is in the earlier message (`query_text`).
    """
    postcode, invalid = _postcode_in("" if picked else turn.text)
    postcode = postcode or _stored_postcode(turn.postcode)
    place = None if picked else _say_if_outside(session, turn.text, outcome)
    said_outside = place is not None and place.kind == "postcode"
    area_postcode = postcode
    if said_outside and postcode is not None and service.areas and not in_areas(postcode, service.areas):
        area_postcode = None  # "outside the area" was just said; once is plain enough
    outcome.say(
        answers.signpost(
            service, channel=turn.channel, now=turn.now, host_name=_host_name(session), postcode=area_postcode
        )
    )
    if invalid is not None:
        outcome.say(answers.invalid_postcode(invalid))
    outcome.say(FEEDBACK_QUESTION, FEEDBACK_BUTTONS)
    outcome.slots.update(service_id=service.id, feedback_pending=True)
    outcome.answer = answer_meta.for_service(service, turn.now)
    _mark_outside(outcome, place)
    if postcode is not None:
        outcome.slots["postcode"] = outward_code(postcode)  # never the full postcode: an address
    outcome.records.append(AnswerRecord(service_id=service.id, confidence=confidence))
    if service.provided_elsewhere:
        outcome.records.append(
            UnmetRecord(
                reason=OTHER_ORGANISATION,
                text=turn.query_text if picked else turn.text,
                candidates=tuple(turn.query_services if picked else turn.services),
                organisation_id=service.organisation.id or None,
            )
        )


def names_a_confident_need(turn: TurnInput, also_ignore: frozenset[str] = frozenset()) -> bool:
    """The message names a need the router is sure about, whatever the intent classifier said.

    Real reports often carry "please", "thank you" or "can someone..." ("Dumped sofa. Thank you!"); the
    classifier then picks a conversational intent, but the need is still there and should be signposted.
    """
    return names_a_need(turn.text, also_ignore) and is_confident(turn.services, turn.threshold)


def is_mostly_postcode(text: str) -> bool:
    """A message that is a postcode and little else ("BV4 2QT", "my postcode is SG13 8DE"), valid or not.

    The intent classifier has not seen most postcodes, so such a message may arrive as a fallback or a
    low-confidence need; it is recognised here by its shape instead.
    """
    found = find_postcode_text(text)
    if found is None:
        return False
    pattern = r"\s*".join(re.escape(part) for part in found.split())
    remainder = re.sub(pattern, " ", text, count=1, flags=re.IGNORECASE)
    return not names_a_need(remainder)


def _unmet(session: Session, turn: TurnInput, reason: str, outcome: Outcome) -> None:
    centre = contact_centre(session)
    phone = _phone(session, turn.channel)
    place = _say_if_outside(session, turn.text, outcome, answer_follows=False)
    outcome.say(answers.fallback(reason, phone=phone, centre=centre, now=turn.now, channel=turn.channel))
    outcome.answer = answer_meta.build(answer_meta.UNMET)
    _mark_outside(outcome, place)
    outcome.slots.update(feedback_pending=False)
    outcome.records.append(UnmetRecord(reason=reason, text=turn.text, candidates=tuple(turn.services)))


# --- turns --------------------------------------------------------------------------------------------------


COUNCIL_KINDS = frozenset(
    {OrganisationKind.DISTRICT.value, OrganisationKind.COUNTY.value, OrganisationKind.UNITARY.value}
)
OTHER_BODY_KINDS = frozenset({OrganisationKind.OTHER_PUBLIC_BODY.value, NATIONAL_KIND})


def _nearest_first(close: list[ServiceDetails]) -> list[ServiceDetails]:
    """The close services, less other public bodies ranked below a council's service.

    The council (or county) is the nearer provider of the same kind of thing: "who do I call about a
    pothole" is the county's road, not National Highways'. A resident who means the other body names it
    or its business (a motorway, a passport), and that ranks it first, where it is still offered.
    """
    if not close or close[0].organisation.kind not in COUNCIL_KINDS:
        return close
    return [close[0], *(s for s in close[1:] if s.organisation.kind not in OTHER_BODY_KINDS)]


def signpost(session: Session, turn: TurnInput) -> Outcome:
    """A need: answer with the best service, offer buttons when several are as likely, or say we cannot."""
    services = list(turn.services)
    if not is_confident(services, turn.threshold) and is_mostly_postcode(turn.text):
        return postcode(session, turn)
    outcome = Outcome()
    if not is_confident(services, turn.threshold):
        _unmet(session, turn, LOW_CONFIDENCE if services else NO_MATCHING_SERVICE, outcome)
        outcome.slots.update(service_id=None, candidates=[], offered=[])
        return outcome
    ranked_ids = [str(candidate["service_id"]) for candidate in services if candidate.get("service_id")]
    close_ids = [str(c["service_id"]) for c in answers.close_candidates(services, turn.threshold)]
    found = {service.id: service for service in services_details(session, close_ids)}
    close = _nearest_first([found[service_id] for service_id in close_ids if service_id in found])
    outcome.slots.update(candidates=ranked_ids)
    if not close:  # the directory changed since training: the services are gone
        _unmet(session, turn, NO_MATCHING_SERVICE, outcome)
        outcome.slots.update(service_id=None, candidates=[], offered=[])
        return outcome
    if len(close) > 1:
        place = _say_if_outside(session, turn.text, outcome)
        reply = answers.choices(close)
        outcome.say(reply.text, reply.buttons)
        outcome.answer = answer_meta.build(answer_meta.CHOICES, close)
        _mark_outside(outcome, place)
        outcome.slots.update(
            service_id=None, offered=[service.id for service in close], feedback_pending=False
        )
        return outcome
    outcome.slots.update(offered=[close[0].id])
    _answer(session, turn, close[0], outcome, confidence=_confidence(services[0]))
    return outcome


def choose_service(session: Session, turn: TurnInput, chosen_id: str | None) -> Outcome:
    """A button was tapped (or "the second one" typed): answer with that service."""
    outcome = Outcome()
    if not chosen_id:
        position = chosen_position(turn.text, turn.offered) if reads_as_a_choice(turn.text) else None
        chosen_id = turn.offered[position] if position is not None else None
    if not chosen_id and names_a_confident_need(turn):
        return signpost(session, turn)
    found = services_details(session, [chosen_id]) if chosen_id else []
    if not found:  # not understood: like every such turn, the contact-centre number and a gap-log entry
        if turn.text.startswith("/"):  # a button for a service gone from the directory: log the question
            return unmet(session, replace(turn, text=turn.query_text), NO_MATCHING_SERVICE)
        return unmet(session, turn)
    confidence = next(
        (_confidence(c) for c in turn.query_services if str(c.get("service_id")) == found[0].id), None
    )
    outcome.slots.update(offered=list(dict.fromkeys([*turn.offered, found[0].id])))
    _answer(session, turn, found[0], outcome, confidence=confidence, picked=True)
    return outcome


def _target(
    session: Session, turn: TurnInput, outcome: Outcome, also_ignore: frozenset[str] = frozenset()
) -> ServiceDetails | None:
    """The service a follow-up is about: a new need named in the message, else the one already found.

    `also_ignore`: words that do not make a new need here ("boxing day" in "are they open on boxing day?")."""
    if names_a_need(turn.text, also_ignore) and is_confident(turn.services, turn.threshold):
        top_id = str(turn.services[0]["service_id"])
        if top_id != turn.service_id:
            found = services_details(session, [top_id])
            if found:
                outcome.slots.update(
                    service_id=top_id,
                    candidates=[str(c["service_id"]) for c in turn.services],
                    offered=[top_id],
                )
                outcome.records.append(
                    AnswerRecord(service_id=top_id, confidence=_confidence(turn.services[0]))
                )
                return found[0]
    if turn.service_id:
        found = services_details(session, [turn.service_id])
        if found:
            return found[0]
    return None


_WHICH_SERVICE = 'Which service do you mean? Tell me what you need help with, for example "missed bin".'


def asked_about(turn: TurnInput) -> AskedDays | None:
    """The days the message asks about ("tomorrow", "over Christmas"), with the council's bank holidays."""
    return asked_days(turn.text, turn.now.date(), get_settings().bank_holidays)


def about_the_council(turn: TurnInput) -> bool:
    """The message asks about the council itself ("what time does the council open?", "council phone
    number"), and names no other need the router is sure of ("when does the council tax office open?")."""
    if not mentions_the_council(turn.text, service_in_view=bool(turn.service_id)):
        return False
    return not names_a_confident_need(turn, COUNCIL_WORDS | DAY_WORDS)


def council(session: Session, turn: TurnInput, kind: str) -> Outcome:
    """The council itself, which to a resident is its contact centre: open or not now (or on the days asked
    about), when it next opens, its number, address and web page, and what to do while it is shut."""
    outcome = Outcome()
    centre = contact_centre(session)
    if centre is not None:
        contact_line.remember(answers.contact_phone(centre, RESIDENT))
    outcome.say(
        answers.council_answer(
            centre,
            kind,
            now=turn.now,
            channel=turn.channel,
            fallback_phone=contact_line.current(turn.channel),
            asked=asked_about(turn) if kind == "open" else None,
        )
    )
    outcome.answer = answer_meta.build(
        answer_meta.SERVICE, [centre] if centre is not None else [], now=turn.now
    )
    outcome.slots.update(feedback_pending=False)
    return outcome


_WHICH_SERVICE = 'Which service do you mean? Tell me what you need help with, for example "missed bin".'


def contact_details(session: Session, turn: TurnInput) -> Outcome:
    """ "What's their email / number / web page?", "where are they?"; "council phone number": the council."""
    if about_the_council(turn):
        return council(session, turn, contact_kind(turn.text))
    if not turn.service_id and names_a_confident_need(turn):
        return signpost(session, turn)
    outcome = Outcome()
    service = _target(session, turn, outcome)
    if service is None:
        outcome.say(_WHICH_SERVICE)
        outcome.answer = answer_meta.build(answer_meta.CLARIFY)
        return outcome
    outcome.say(answers.contact_detail(service, contact_kind(turn.text), channel=turn.channel))
    outcome.answer = answer_meta.for_service(service, turn.now)
    return outcome


def opening_hours(session: Session, turn: TurnInput) -> Outcome:
    """ "Are they open now / tomorrow / at the weekend / over Christmas?", "what time does the council open?"

    The service already found is answered from its hours on the days asked about (bank holidays and
    closures included); the council itself from its contact centre's.
    """
    if about_the_council(turn):
        return council(session, turn, "open")
    if not turn.service_id and names_a_confident_need(turn, DAY_WORDS):
        return signpost(session, turn)
    outcome = Outcome()
    service = _target(session, turn, outcome, DAY_WORDS)
    if service is None:
        outcome.say(_WHICH_SERVICE)
        outcome.answer = answer_meta.build(answer_meta.CLARIFY)
        return outcome
    asked = asked_about(turn)
    if asked is not None and asked.days and asked.days != (turn.now.date(),):
        outcome.say(answers.day_answer(service, asked, now=turn.now, channel=turn.channel))
    else:
        outcome.say(answers.opening_answer(service, now=turn.now, channel=turn.channel))
    outcome.answer = answer_meta.for_service(service, turn.now)
    return outcome


def postcode(session: Session, turn: TurnInput) -> Outcome:
    """A postcode on its own: check it, keep it, and say whether the current service covers it."""
    outcome = Outcome(answer=answer_meta.build(answer_meta.CLARIFY))
    found, invalid = _postcode_in(turn.text)
    if invalid is not None:
        outcome.say(answers.invalid_postcode(invalid))
        return outcome
    if found is None:
        outcome.say("I couldn't see a postcode in that. A full UK postcode looks like SG13 8DE.")
        return outcome
    outcome.slots["postcode"] = outward_code(found)  # never the full postcode: an address
    found_services = services_details(session, [turn.service_id]) if turn.service_id else []
    service = found_services[0] if found_services else None
    place = _say_if_outside(session, turn.text, outcome, answer_follows=service is not None)
    if place is not None:
        if service is not None:  # still this council's answer, for a resident of its area
            outcome.say(
                answers.signpost(service, channel=turn.channel, now=turn.now, host_name=_host_name(session))
            )
            outcome.answer = answer_meta.for_service(service, turn.now)
        else:
            outcome.say("What do you need help with?")
        _mark_outside(outcome, place)
        return outcome
    if service is None:
        outcome.say(f"Thanks, I've noted {found}. What do you need help with?")
    elif service.areas:
        outcome.say(answers.area_sentence(service, found))
        outcome.answer = answer_meta.for_service(service, turn.now)
    else:
        outcome.say(f"{service.name} does not limit its service to particular postcodes.")
        outcome.answer = answer_meta.for_service(service, turn.now)
    return outcome


def handoff(session: Session, turn: TurnInput) -> Outcome:
    """ "Can I speak to someone?": the contact centre, whether it is open, and the web when it is not.

    "Can I speak to someone about my council tax?" gets the council tax service (whose number reaches the
    right people), still logged as a request for a person.
    """
    if names_a_confident_need(turn, PERSON_WORDS):
        outcome = signpost(session, turn)
        outcome.records.append(
            UnmetRecord(reason=ASKED_FOR_PERSON, text=turn.text, candidates=tuple(turn.services))
        )
        return outcome
    outcome = council(session, turn, "person")
    outcome.records.append(
        UnmetRecord(reason=ASKED_FOR_PERSON, text=turn.text, candidates=tuple(turn.services))
    )
    return outcome


def feedback(session: Session, turn: TurnInput, *, positive: bool) -> Outcome:
    """The reply to "Did that answer your question?"; "no" offers the next candidates and is logged."""
    if not turn.feedback_pending and names_a_confident_need(turn, FEEDBACK_WORDS):
        return signpost(session, turn)
    outcome = Outcome()
    outcome.slots.update(feedback_pending=False)
    if not turn.feedback_pending:
        if positive:
            outcome.say("OK. What can I help you with?")
        else:
            outcome.say("OK. Tell me what you need help with, or ask to speak to a person.")
        return outcome
    if positive:
        outcome.say("Good, I'm glad that helped. Is there anything else?")
        return outcome
    outcome.records.append(
        UnmetRecord(
            reason=WRONG_ANSWER,
            text=turn.query_text,
            candidates=tuple(turn.query_services),
            service_id=turn.service_id,
        )
    )
    remaining = [service_id for service_id in turn.candidates if service_id not in set(turn.offered)]
    confident_ids = {
        str(c.get("service_id")) for c in turn.query_services if _confidence(c) >= turn.threshold / 2
    } or set(remaining)
    remaining = [service_id for service_id in remaining if service_id in confident_ids][: answers.MAX_CHOICES]
    others = services_details(session, remaining)
    phone = _phone(session, turn.channel)
    if others:
        reply = answers.choices(others, retry=True)
        outcome.say(reply.text, reply.buttons)
        outcome.answer = answer_meta.build(answer_meta.CHOICES, others)
        outcome.say(f"If none of these is right, our contact centre can help: call {phone}.")
        outcome.slots.update(offered=[*turn.offered, *(service.id for service in others)])
    else:
        outcome.say(
            f"Sorry about that. Our contact centre can help: call {phone}. Or try describing it another way."
        )
        outcome.answer = answer_meta.build(answer_meta.UNMET)
    return outcome


def unmet(session: Session, turn: TurnInput, reason: str = NOT_UNDERSTOOD) -> Outcome:
    """Out of scope or not understood: a polite reply with the contact-centre number, logged as unmet.

    The intent classifier knows only the few conversational intents; when it is unsure (nlu_fallback) but the
    directory router is confident ("rubbish", "skip licence"), the message names a need and is signposted.
    """
    if is_mostly_postcode(turn.text):
        return postcode(session, turn)
    if turn.intent == NLU_FALLBACK and is_confident(turn.services, turn.threshold):
        return signpost(session, turn)
    outcome = Outcome()
    _unmet(session, turn, reason, outcome)
    return outcome


def crisis(turn: TurnInput, reply_text: str, answer: dict[str, Any], category: str) -> Outcome:
    """Someone may be in danger: the numbers (composed by bot.safety.reply), nothing else, logged wordless.

    No buttons and no feedback question; the next message carries on as usual, so nothing pending is kept.
    """
    outcome = Outcome(answer=answer)
    outcome.say(reply_text)
    outcome.slots.update(feedback_pending=False)
    outcome.records.append(CrisisRecord(category=category))
    return outcome


# --- the gap log --------------------------------------------------------------------------------------------


def record_rows(turn: TurnInput, records: Sequence[Record]) -> list:
    """The turn's gap-log rows (bot.gaplog.record), built without a session: redacted and hashed already."""
    from bot.gaplog.record import answer_row, crisis_entry, unmet_entry

    rows: list = []
    for item in records:
        if isinstance(item, CrisisRecord):
            rows.append(
                crisis_entry(
                    conversation_id=turn.conversation_id, channel=turn.channel, category=item.category
                )
            )
        elif isinstance(item, AnswerRecord):
            rows.append(
                answer_row(
                    conversation_id=turn.conversation_id,
                    channel=turn.channel,
                    service_id=item.service_id,
                    confidence=item.confidence,
                )
            )
        else:
            rows.append(
                unmet_entry(
                    conversation_id=turn.conversation_id,
                    channel=turn.channel,
                    text=item.text,
                    reason=item.reason,
                    candidates=item.candidates,
                    organisation_id=item.organisation_id,
                    service_id=item.service_id,
                )
            )
    return rows


def write_records(session: Session, turn: TurnInput, records: Sequence[Record]) -> None:
    """Write the turn's gap-log records (bot.gaplog.record), in the caller's session."""
    session.add_all(record_rows(turn, records))
    session.flush()
