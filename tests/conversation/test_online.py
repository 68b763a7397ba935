"""Whether a service can be done online (bot.conversation.online): the directory's own words decide."""

from __future__ import annotations

import pytest

from bot.conversation.online import online_action, online_label, online_sentence
from bot.directory.queries import OrganisationInfo, ServiceDetails

COUNCIL = OrganisationInfo(
    id="c", name="Brackenford District Council", website="https://www.brackenford.example"
)


def service(name: str, description: str, url: str = "https://www.brackenford.example/x") -> ServiceDetails:
    return ServiceDetails(id="s", name=name, organisation=COUNCIL, description=description, url=url)


@pytest.mark.parametrize(
    ("name", "description", "action"),
    [
        ("Report a missed bin collection", "Report it online by 5pm the next working day.", "report it"),
        (
            "Council tax discounts",
            "Check if you can get a discount. Apply online and we will decide.",
            "apply",
        ),
        ("Bulky waste collection", "Book online and put the items out by 7am.", "book"),
        ("Garden waste", "A paid subscription: sign up or renew online.", "sign up"),
        ("Report a pothole", "Report potholes on county roads.", "report it"),  # a reporting service
        ("Paying your rent", "Pay your rent by Direct Debit, online, in the app.", "pay"),
    ],
)
def test_a_service_the_directory_says_can_be_done_online_leads_with_its_link(
    name: str, description: str, action: str
) -> None:
    found = service(name, description)
    assert online_action(found) == action
    assert online_sentence(found) == f"You can {action} online: https://www.brackenford.example/x"
    assert online_label(found) == f"{action[0].upper()}{action[1:]} online"


@pytest.mark.parametrize(
    ("name", "description", "url"),
    [
        ("Report fly-tipping", "Report it online.", ""),  # no web page of its own: never invented
        ("Action Fraud", "Report fraud and cybercrime such as online shopping scams.", "https://x.example"),
        (
            "Customer Services",
            "Most things can be reported or paid for online, any time.",
            "https://x.example",
        ),
        ("Register a birth", "Book an appointment by phone to register a birth.", "https://x.example"),
        ("Libraries", "Borrow books and use computers to get online.", "https://x.example"),
    ],
)
def test_a_service_whose_data_does_not_say_so_stays_phone_first(
    name: str, description: str, url: str
) -> None:
    found = service(name, description, url)
    assert online_action(found) is None
    assert online_sentence(found) == "" and online_label(found) == ""
