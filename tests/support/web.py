"""Helpers for tests of the web pages: a small directory to look things up in, and signing in as a user."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.accounts.users import add_user
from bot.db import session_scope
from bot.directory.models import Organisation, Phone, Schedule, Service, ServiceLgsl
from bot.settings import Settings

PASSWORD = "correct horse battery"

WASTE_ID = "svc-waste"
HIGHWAYS_ID = "svc-highways"
CONTACT_ID = "svc-contact"


def make_settings(tmp_path: Path, rasa_url: str, **overrides: object) -> Settings:
    """Settings for a test app: its own VAR_DIR, the given (fake) Rasa, no contact-centre override."""
    values: dict = {
        "var_dir": tmp_path,
        "rasa_url": rasa_url,
        "rasa_token": "test-token",
        "chat_rate_limit": "100/minute",
        "chat_timeout_seconds": 5.0,
        "contact_centre_phone": "",
    }
    values.update(overrides)
    return Settings(**values)


def add_directory(engine: Engine) -> None:
    """A host district council with a contact centre and a waste service, and a county highways service."""
    weekdays = dict(byday="MO,TU,WE,TH,FR", opens_at=time(9, 0), closes_at=time(17, 0))
    with session_scope(engine) as session:
        district = Organisation(
            id="org-district",
            name="Brackenford District Council",
            kind="district",
            is_host=True,
            description="",
        )
        county = Organisation(id="org-county", name="Greyshire County Council", kind="county", description="")
        waste = Service(
            id=WASTE_ID,
            organisation=district,
            name="Waste and recycling collections",
            description="Household bin collections, missed bins and bulky waste.",
            url="https://www.example.org/bins",
            email="waste@example.org",
            staff_notes="Missed bins must be reported within two working days.",
        )
        waste.phones = [
            Phone(id="ph-waste", number="01632 960123", audience="public", position=0),
            Phone(
                id="ph-waste-staff",
                number="01632 960124",
                audience="staff",
                position=1,
                description="Crews' supervisor",
            ),
        ]
        waste.schedules = [Schedule(id="sch-waste", **weekdays)]
        waste.lgsl_codes = [ServiceLgsl(code=524)]
        highways = Service(
            id=HIGHWAYS_ID,
            organisation=county,
            name="Potholes and road repairs",
            description="Report a pothole or damaged road.",
        )
        highways.phones = [Phone(id="ph-highways", number="01632 960200", audience="public", position=0)]
        highways.lgsl_codes = [ServiceLgsl(code=1056)]
        contact = Service(
            id=CONTACT_ID,
            organisation=district,
            name="Customer contact centre",
            is_contact_centre=True,
            description="",
        )
        contact.phones = [Phone(id="ph-contact", number="01632 960000", audience="public", position=0)]
        contact.schedules = [Schedule(id="sch-contact", **weekdays)]
        session.add_all([district, county, waste, highways, contact])


def ranked(*service_ids: str) -> list[dict]:
    """Candidate dicts as the Rasa ServiceRouter component returns them, best first."""
    return [
        {
            "service_id": service_id,
            "name": service_id,
            "lgsl_codes": [],
            "score": 10.0 - i,
            "confidence": 0.9 - i / 5,
        }
        for i, service_id in enumerate(service_ids)
    ]


def add_account(engine: Engine, username: str, role: str) -> None:
    add_user(engine, username, PASSWORD, role)


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token field"
    return match.group(1)


def sign_in(client, username: str) -> None:  # noqa: ANN001 - a starlette TestClient
    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, f"sign-in as {username} failed: {response.status_code}"
