"""The wording residents and officers read, composed from directory values."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.conversation.answers import (
    choices,
    close_candidates,
    contact_detail,
    fallback,
    handoff,
    opening_answer,
    phones_for,
    signpost,
)
from bot.conversation.channel import RESIDENT, STAFF
from bot.conversation.postcodes import parse_postcode
from bot.directory.queries import OrganisationInfo, PhoneInfo, ScheduleInfo, ServiceDetails

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_AFTERNOON = datetime(2026, 11, 18, 14, 0, tzinfo=LONDON)
WEDNESDAY_EVENING = datetime(2026, 11, 18, 20, 0, tzinfo=LONDON)

DISTRICT = OrganisationInfo(id="district", name="Brackenford District Council", kind="district", is_host=True)
COUNTY = OrganisationInfo(id="county", name="Northmoor County Council", kind="county")
OFFICE_HOURS = (ScheduleInfo(byday="MO,TU,WE,TH,FR", opens_at=time(9), closes_at=time(17)),)

WASTE = ServiceDetails(
    id="waste",
    name="Bin collections",
    organisation=DISTRICT,
    url="https://www.brackenford.example/bins",
    email="waste@brackenford.example",
    phones=(
        PhoneInfo(number="01632 960200", description="Missed collections"),
        PhoneInfo(number="01632 960299", audience="staff", description="Crew supervisor"),
    ),
    schedules=OFFICE_HOURS,
    areas=("SG13", "SG14"),
    staff_notes="Check the round sheet before logging a missed bin.",
)
ROADS = ServiceDetails(
    id="roads",
    name="Potholes and road repairs",
    organisation=COUNTY,
    phones=(
        PhoneInfo(number="01632 960500"),
        PhoneInfo(number="01632 960599", out_of_hours=True, description="Dangerous road emergencies"),
    ),
    schedules=OFFICE_HOURS,
)


def test_a_resident_gets_the_public_number_but_never_the_staff_line_or_notes() -> None:
    text = signpost(WASTE, channel=RESIDENT, now=WEDNESDAY_AFTERNOON)
    assert "01632 960200" in text
    assert "01632 960299" not in text
    assert "round sheet" not in text
    assert "waste@brackenford.example" in text and "https://www.brackenford.example/bins" in text
    assert "open now until 5pm" in text


def test_an_officer_gets_the_staff_line_first_and_the_staff_notes() -> None:
    text = signpost(WASTE, channel=STAFF, now=WEDNESDAY_AFTERNOON)
    assert text.index("01632 960299") < text.index("01632 960200")
    assert "staff line" in text
    assert "Staff notes: Check the round sheet" in text


def test_another_organisations_service_is_said_plainly_with_its_number() -> None:
    text = signpost(
        ROADS, channel=RESIDENT, now=WEDNESDAY_AFTERNOON, host_name="Brackenford District Council"
    )
    assert text.startswith(
        "Potholes and road repairs is handled by Northmoor County Council, not Brackenford District Council: "
        "call 01632 960500"
    )


def test_when_closed_the_out_of_hours_number_is_given() -> None:
    text = signpost(ROADS, channel=RESIDENT, now=WEDNESDAY_EVENING)
    assert "closed now; opens tomorrow at 9am" in text
    assert "Out of hours, call 01632 960599 (Dangerous road emergencies)" in text
    daytime, out_of_hours = phones_for(ROADS, RESIDENT)
    assert [p.number for p in daytime] == ["01632 960500"]
    assert [p.number for p in out_of_hours] == ["01632 960599"]


def test_a_service_without_phones_falls_back_to_its_organisations_numbers() -> None:
    county = OrganisationInfo(
        id="c", name="Northmoor County Council", phones=(PhoneInfo(number="01632 960400"),)
    )
    service = ServiceDetails(id="x", name="Libraries", organisation=county)
    assert "call 01632 960400" in signpost(service, channel=RESIDENT, now=WEDNESDAY_AFTERNOON)


def test_a_postcode_outside_the_service_area_is_said_plainly() -> None:
    inside = signpost(WASTE, channel=RESIDENT, now=WEDNESDAY_AFTERNOON, postcode=parse_postcode("SG13 8DE"))
    outside = signpost(WASTE, channel=RESIDENT, now=WEDNESDAY_AFTERNOON, postcode=parse_postcode("LU1 1AA"))
    assert "SG13 8DE is inside" in inside
    assert "LU1 1AA is outside the area Bin collections covers (SG13, SG14)" in outside


def test_close_candidates_are_offered_as_buttons_that_select_the_service() -> None:
    candidates = [
        {"service_id": "waste", "confidence": 0.62},
        {"service_id": "roads", "confidence": 0.58},
        {"service_id": "other", "confidence": 0.2},
    ]
    close = close_candidates(candidates, threshold=0.4)
    assert [c["service_id"] for c in close] == ["waste", "roads"]
    reply = choices([WASTE, ROADS])
    assert reply.buttons[0] == {
        "title": "Bin collections",
        "payload": '/choose_service{"service_id":"waste"}',
    }
    assert reply.buttons[1]["title"] == "Potholes and road repairs (Northmoor County Council)"


def test_closeness_is_judged_on_the_router_score_among_confident_candidates() -> None:
    candidates = [
        {"service_id": "bins-days", "score": -0.519, "confidence": 0.60},
        {"service_id": "missed-bin", "score": -0.534, "confidence": 0.52},
        {"service_id": "new-bins", "score": -0.82, "confidence": 0.59},
        {"service_id": "unlikely", "score": -0.53, "confidence": 0.30},
    ]
    close = close_candidates(candidates, threshold=0.415)
    assert [c["service_id"] for c in close] == ["bins-days", "missed-bin"]


def test_a_clear_lead_in_score_is_answered_directly_even_if_confidences_are_similar() -> None:
    candidates = [
        {"service_id": "pothole", "score": -0.371, "confidence": 0.621},
        {"service_id": "motorways", "score": -0.641, "confidence": 0.571},
    ]
    assert [c["service_id"] for c in close_candidates(candidates, threshold=0.415)] == ["pothole"]


def test_a_clear_winner_is_answered_directly() -> None:
    candidates = [{"service_id": "waste", "confidence": 0.9}, {"service_id": "roads", "confidence": 0.5}]
    assert [c["service_id"] for c in close_candidates(candidates, threshold=0.4)] == ["waste"]


def test_nothing_confident_gives_no_candidates() -> None:
    assert close_candidates([{"service_id": "waste", "confidence": 0.1}], threshold=0.4) == []


def test_follow_up_details_refer_to_the_service_already_found() -> None:
    assert (
        contact_detail(WASTE, "email", channel=RESIDENT)
        == "You can email Bin collections at waste@brackenford.example."
    )
    assert "does not list an email" in contact_detail(ROADS, "email", channel=RESIDENT)
    assert "01632 960299" not in contact_detail(WASTE, "phone", channel=RESIDENT)
    assert "01632 960299" in contact_detail(WASTE, "phone", channel=STAFF)
    assert "It covers SG13, SG14" in contact_detail(WASTE, "address", channel=RESIDENT)


def test_are_they_open_gives_the_state_and_the_usual_hours() -> None:
    text = opening_answer(WASTE, now=WEDNESDAY_EVENING, channel=RESIDENT)
    assert text == (
        "Bin collections is closed now; opens tomorrow at 9am. Usual hours: Monday to Friday 9am to 5pm."
        "\nYou can do many things online now: https://www.brackenford.example/bins"
    )


def test_asking_for_a_person_when_the_contact_centre_is_closed_says_when_it_opens_and_gives_the_web() -> None:
    centre = ServiceDetails(
        id="cc",
        name="Customer Services",
        organisation=DISTRICT,
        url="https://www.brackenford.example/contact-us",
        phones=(PhoneInfo(number="01632 960100"),),
        schedules=OFFICE_HOURS,
    )
    open_text = handoff(centre, now=WEDNESDAY_AFTERNOON, channel=RESIDENT, fallback_phone="")
    closed_text = handoff(centre, now=WEDNESDAY_EVENING, channel=RESIDENT, fallback_phone="")
    assert open_text == (
        "You can speak to someone at Customer Services on 01632 960100. "
        "They are open now until 5pm (today 9am to 5pm)."
    )
    assert "closed now; opens tomorrow at 9am" in closed_text
    assert "https://www.brackenford.example/contact-us" in closed_text


def test_without_a_contact_centre_in_the_directory_the_configured_number_is_used() -> None:
    assert "0300 123 4567" in handoff(
        None, now=WEDNESDAY_AFTERNOON, channel=RESIDENT, fallback_phone="0300 123 4567"
    )
    assert "0300 123 4567" in fallback("not_understood", phone="0300 123 4567")


def test_an_emergency_line_listed_only_as_out_of_hours_is_given_as_the_number() -> None:
    repairs = ServiceDetails(
        id="repairs",
        name="Emergency repairs",
        organisation=OrganisationInfo(
            id="ha", name="Brackenford Homes", phones=(PhoneInfo(number="01632 960700"),)
        ),
        phones=(PhoneInfo(number="01632 960719", out_of_hours=True),),
        schedules=(ScheduleInfo(byday="MO,TU,WE,TH,FR,SA,SU", opens_at=time(0), closes_at=time(23, 59)),),
    )
    text = signpost(repairs, channel=RESIDENT, now=WEDNESDAY_EVENING)
    assert "call 01632 960719" in text
    assert "01632 960700" not in text
    assert "open 24 hours a day" in text


def test_when_no_number_is_known_at_all_the_outage_reply_still_says_where_to_turn() -> None:
    from bot.conversation.answers import unavailable

    assert unavailable("") == (
        "Sorry, I cannot look that up right now. Please contact the council's contact centre, "
        "or try again in a few minutes."
    )
