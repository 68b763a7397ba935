"""What training reads from the directory database, and the fingerprint that says whether it changed."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.directory.models import Organisation, Service, ServiceLgsl, ServicePhrase
from bot.directory.snapshot import DirectoryEntry, directory_fingerprint, load_directory_entries


def add_services(engine: Engine) -> None:
    with session_scope(engine) as session:
        council = Organisation(
            id="org-1", name="Brackenford District Council", kind="district", description=""
        )
        session.add(council)
        session.add(
            Service(
                id="svc-fly",
                organisation=council,
                name="Report fly-tipping",
                description="Dumped waste on public land.",
                status="active",
                lgsl_codes=[ServiceLgsl(code=587)],
                phrases=[ServicePhrase(phrase="rubbish dumped in the lane", position=0)],
            )
        )
        session.add(
            Service(
                id="svc-old",
                organisation=council,
                name="Old recycling scheme",
                description="",
                status="defunct",
                lgsl_codes=[ServiceLgsl(code=1130), ServiceLgsl(code=533)],
            )
        )


def test_training_reads_active_services_with_their_codes_phrases_and_organisation(engine: Engine) -> None:
    add_services(engine)
    with session_scope(engine) as session:
        entries = load_directory_entries(session)
    assert entries == [
        DirectoryEntry(
            service_id="svc-fly",
            name="Report fly-tipping",
            alternate_name="",
            description="Dumped waste on public land.",
            phrases=("rubbish dumped in the lane",),
            lgsl_codes=(587,),
            organisation_id="org-1",
            organisation_name="Brackenford District Council",
            organisation_kind="district",
            active=True,
        )
    ]


def test_inactive_services_are_included_only_when_asked(engine: Engine) -> None:
    add_services(engine)
    with session_scope(engine) as session:
        entries = load_directory_entries(session, include_inactive=True)
    old = next(e for e in entries if e.service_id == "svc-old")
    assert old.active is False and old.lgsl_codes == (533, 1130)


def test_the_fingerprint_ignores_order_but_sees_any_change_routing_depends_on() -> None:
    a = DirectoryEntry(service_id="a", name="Potholes", lgsl_codes=(557,))
    b = DirectoryEntry(service_id="b", name="Street lights", lgsl_codes=(564,), phrases=("lamp out",))
    assert directory_fingerprint([a, b]) == directory_fingerprint([b, a])
    assert len(directory_fingerprint([a, b])) == 64
    changed = [a, replace(b, phrases=("lamp out", "light flickering"))]
    assert directory_fingerprint(changed) != directory_fingerprint([a, b])
    assert directory_fingerprint([a, replace(b, lgsl_codes=(564, 566))]) != directory_fingerprint([a, b])
