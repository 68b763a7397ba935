"""The national signposting catalogue: reviewed data every directory routes with, council records first."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.directory.national import (
    ID_PREFIX,
    NationalBodiesError,
    load_national_bodies,
    national_entries,
    with_national_bodies,
)
from bot.directory.queries import national_details
from bot.directory.snapshot import DirectoryEntry, directory_fingerprint
from bot.settings import get_settings

SHIPPED = get_settings().national_bodies_file


def _write(tmp_path: Path, bodies: list[dict]) -> Path:
    path = tmp_path / "bodies.yml"
    path.write_text(yaml.safe_dump({"bodies": bodies}), encoding="utf-8")
    return path


def _body(**changes) -> dict:
    body = {
        "id": "hm_passport_office",
        "name": "HM Passport Office",
        "handles": "Passports.",
        "phone": "0300 222 0000",
        "web": "https://www.gov.uk/browse/abroad/passports",
        "source": "https://www.gov.uk/passport-advice-line",
        "last_verified": date(2026, 12, 7),
        "phrases": ["renew my passport", "lost passport"],
    }
    body.update(changes)
    return body


def test_the_shipped_catalogue_names_the_bodies_residents_ask_councils_about() -> None:
    bodies = {body.id: body for body in load_national_bodies(SHIPPED)}
    names = " | ".join(body.name for body in bodies.values()).lower()
    for expected in ("passport", "dvla", "dvsa", "hmrc", "valuation office", "universal credit"):
        assert expected in names, f"the catalogue has no body for {expected!r}"
    for body in bodies.values():
        assert body.source.startswith("https://") and body.last_verified <= date.today()
        assert len(body.phrases) >= 5, f"{body.id} has too few phrases to be recognised"


def test_every_phone_number_in_the_catalogue_is_a_dialable_uk_number() -> None:
    for body in load_national_bodies(SHIPPED):
        if body.phone:
            digits = body.phone.replace(" ", "")
            assert digits.isdigit() and (digits.startswith("0") or len(digits) == 3), body.id


def test_an_entry_without_a_source_is_refused_with_the_file_and_entry_named(tmp_path: Path) -> None:
    entry = _body()
    del entry["source"]
    path = _write(tmp_path, [entry])
    with pytest.raises(
        NationalBodiesError, match=r"bodies.yml: body 1 \(hm_passport_office\): missing source"
    ):
        load_national_bodies(path)


def test_a_made_up_phone_number_format_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, [_body(phone="call us!")])
    with pytest.raises(NationalBodiesError, match=r"hm_passport_office.*not a UK number"):
        load_national_bodies(path)


def test_a_body_listed_twice_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, [_body(), _body()])
    with pytest.raises(NationalBodiesError, match="listed twice"):
        load_national_bodies(path)


def test_the_councils_own_record_of_a_body_wins_over_the_catalogue(tmp_path: Path) -> None:
    bodies = load_national_bodies(_write(tmp_path, [_body(), _body(id="dvla", name="DVLA")]))
    council = [
        DirectoryEntry(
            service_id="s1", name="Passport checking service", organisation_name="HM Passport Office"
        )
    ]
    added = national_entries(council, bodies)
    assert [entry.service_id for entry in added] == [ID_PREFIX + "dvla"]
    kept = with_national_bodies(council, bodies)[0]
    assert kept.service_id == "s1" and kept.name == "Passport checking service"
    assert "renew my passport" in kept.phrases, "the council's record learns the catalogue's words for it"


def test_a_change_to_the_catalogue_changes_the_directory_fingerprint(tmp_path: Path) -> None:
    council = [DirectoryEntry(service_id="s1", name="Missed bins", lgsl_codes=(524,))]
    before = load_national_bodies(_write(tmp_path, [_body()]))
    after = load_national_bodies(_write(tmp_path, [_body(phrases=["renew my passport", "passport photo"])]))
    assert directory_fingerprint(with_national_bodies(council, before)) != directory_fingerprint(
        with_national_bodies(council, after)
    )


def test_a_body_is_answered_from_the_catalogue_with_its_number_and_page() -> None:
    body = load_national_bodies(SHIPPED)[0]
    details = national_details(body.service_id)
    assert details is not None and details.provided_elsewhere
    assert details.organisation.name == body.name and details.url == body.web
    if body.phone:
        assert details.organisation.phones[0].number == body.phone
    assert national_details(ID_PREFIX + "no_such_body") is None


def test_a_council_listing_a_body_under_another_name_keeps_its_own_record(tmp_path: Path) -> None:
    bodies = load_national_bodies(_write(tmp_path, [_body(also_known_as=["Passport Office"])]))
    council = [DirectoryEntry(service_id="s1", name="Passports", organisation_name="Passport Office")]
    assert national_entries(council, bodies) == []
