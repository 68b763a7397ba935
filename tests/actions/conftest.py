"""Fixtures for action tests: a small hand-made directory in SQLite, trackers, a dispatcher, the domain.

The directory is written with the ORM so every number the tests look for is visible right here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from bot.conversation import contact_line
from bot.db import get_engine, make_engine, migrate, session_scope
from bot.directory.models import Organisation, Phone, Schedule, Service, ServiceArea
from bot.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]

WEEKDAYS = "MO,TU,WE,TH,FR"


def _office(prefix: str, opens: time = time(9), closes: time = time(17)) -> list[Schedule]:
    return [Schedule(id=f"{prefix}-hours", byday=WEEKDAYS, opens_at=opens, closes_at=closes)]


def build_directory(engine: Engine) -> None:
    """Brackenford District Council (host), Northmoor County Council, and the police."""
    with session_scope(engine) as session:
        district = Organisation(
            id="district",
            name="Brackenford District Council",
            kind="district",
            is_host=True,
            website="https://www.brackenford.example",
        )
        county = Organisation(id="county", name="Northmoor County Council", kind="county")
        police = Organisation(id="police", name="Northmoor Police", kind="other_public_body")
        session.add_all([district, county, police])
        session.add_all(
            [
                Service(
                    id="contact-centre",
                    organisation=district,
                    name="Customer Services",
                    url="https://www.brackenford.example/contact-us",
                    is_contact_centre=True,
                    phones=[
                        Phone(id="cc-1", number="01632 960100"),
                        Phone(id="cc-2", number="01632 960290", audience="staff", position=1),
                    ],
                    schedules=_office("cc", time(8, 30), time(17, 30)),
                ),
                Service(
                    id="waste",
                    organisation=district,
                    name="Bin collections",
                    url="https://www.brackenford.example/bins",
                    email="waste@brackenford.example",
                    staff_notes="Check the crew's round sheet before logging a missed bin.",
                    phones=[
                        Phone(id="w-1", number="01632 960200", description="Missed collections"),
                        Phone(id="w-2", number="01632 960299", audience="staff", position=1),
                    ],
                    schedules=_office("w"),
                    areas=[ServiceArea(id="w-area", postcode_districts="SG13 SG14")],
                ),
                Service(
                    id="bulky",
                    organisation=district,
                    name="Bulky waste collections",
                    phones=[Phone(id="b-1", number="01632 960210")],
                    schedules=_office("b"),
                ),
                Service(
                    id="council-tax",
                    organisation=district,
                    name="Council Tax",
                    phones=[Phone(id="ct-1", number="01632 960300")],
                    schedules=_office("ct"),
                ),
                Service(
                    id="roads",
                    organisation=county,
                    name="Potholes and road repairs",
                    url="https://www.northmoor.example/roads",
                    phones=[
                        Phone(id="r-1", number="01632 960500"),
                        Phone(
                            id="r-2", number="01632 960599", out_of_hours=True, description="Dangerous roads"
                        ),
                    ],
                    schedules=_office("r"),
                ),
                Service(
                    id="police-101",
                    organisation=police,
                    name="Police non-emergency",
                    phones=[Phone(id="p-1", number="101")],
                    schedules=[
                        Schedule(
                            id="p-h", byday="MO,TU,WE,TH,FR,SA,SU", opens_at=time(0), closes_at=time(23, 59)
                        )
                    ],
                ),
            ]
        )


COUNCIL_AREA = """\
council: Brackenford District Council
postcode_districts: [SG12, SG13, SG14]
towns: [Brackenford, Hertford]
"""
"""The hand-made council's area (bot.conversation.council_area); its bin service covers SG13 and SG14."""


@pytest.fixture
def directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The hand-made directory, and DATABASE_URL/VAR_DIR pointing the actions at it."""
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    engine = make_engine(url)
    migrate(engine)
    build_directory(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    area_file = tmp_path / "council_area.yml"
    area_file.write_text(COUNCIL_AREA, encoding="utf-8")
    monkeypatch.setenv("COUNCIL_AREA_FILE", str(area_file))
    monkeypatch.delenv("CONTACT_CENTRE_PHONE", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    contact_line.forget()
    yield engine
    engine.dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
    contact_line.forget()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def candidate(
    service_id: str, confidence: float, name: str = "", score: float | None = None
) -> dict[str, Any]:
    """A router candidate as the parse result carries it; the score defaults to the confidence."""
    return {
        "service_id": service_id,
        "name": name or service_id,
        "lgsl_codes": [],
        "score": confidence if score is None else score,
        "confidence": confidence,
    }


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    """A tracker whose latest message is `text` with `intent` and `services`, plus slots and history."""

    def make(
        text: str,
        *,
        intent: str = "find_service",
        services: list[dict[str, Any]] | None = None,
        threshold: float = 0.4,
        slots: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        history: list[dict[str, Any]] | None = None,
        sender_id: str = "resident-1",
    ) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
            "services": services or [],
            "service_threshold": threshold,
            "metadata": metadata or {},
        }
        events = [*(history or []), {"event": "user", "text": text, "parse_data": latest}]
        return Tracker.from_dict(
            {"sender_id": sender_id, "slots": slots or {}, "latest_message": latest, "events": events}
        )

    return make


def user_event(
    text: str, intent: str, services: list[dict[str, Any]], threshold: float = 0.4
) -> dict[str, Any]:
    """An earlier user message in the tracker history."""
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": intent},
            "services": services,
            "service_threshold": threshold,
        },
    }
