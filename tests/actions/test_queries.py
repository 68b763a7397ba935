"""The directory read side used when answering, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from datetime import time

from bot.db import session_scope
from bot.directory.queries import contact_centre, host_organisation, service_details, services_details
from tests.actions.conftest import build_directory


def test_a_service_comes_with_its_organisation_phones_hours_areas_and_notes(engine) -> None:
    build_directory(engine)
    with session_scope(engine) as session:
        waste = service_details(session, "waste")
    assert waste is not None
    assert (waste.organisation.name, waste.organisation.is_host) == ("Brackenford District Council", True)
    assert [(p.number, p.staff_only) for p in waste.phones] == [
        ("01632 960200", False),
        ("01632 960299", True),
    ]
    assert waste.schedules[0].opens_at == time(9)
    assert waste.areas == ("SG13", "SG14")
    assert waste.staff_notes.startswith("Check the crew's round sheet")
    assert not waste.provided_elsewhere


def test_another_organisations_service_is_marked_as_provided_elsewhere(engine) -> None:
    build_directory(engine)
    with session_scope(engine) as session:
        roads = service_details(session, "roads")
    assert roads.provided_elsewhere
    assert roads.organisation.name == "Northmoor County Council"


def test_unknown_ids_are_skipped_and_the_order_asked_for_is_kept(engine) -> None:
    build_directory(engine)
    with session_scope(engine) as session:
        found = services_details(session, ["roads", "gone", "waste"])
        assert service_details(session, "gone") is None
    assert [service.id for service in found] == ["roads", "waste"]


def test_the_contact_centre_and_the_host_council_are_found(engine) -> None:
    build_directory(engine)
    with session_scope(engine) as session:
        centre = contact_centre(session)
        host = host_organisation(session)
    assert centre is not None and centre.id == "contact-centre"
    assert host is not None and host.name == "Brackenford District Council"


def test_an_empty_directory_has_no_contact_centre(engine) -> None:
    with session_scope(engine) as session:
        assert contact_centre(session) is None
        assert host_organisation(session) is None
