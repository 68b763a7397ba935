"""The fictional demo directory in data/directory/ is a sound HSDS 3.0 feed a council could have published.

These tests read the committed JSON files only (no importer, no database): the importer, the router and the
conversation tests all build on this data, so its promises are checked where it is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import re
import uuid
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from bot import PROJECT_ROOT
from tests.conftest import REFERENCE, needs_shared

DIRECTORY = PROJECT_ROOT / "data" / "directory"
REFERENCE_LISTS = PROJECT_ROOT / "bot" / "directory" / "reference"
DEMO_FILES = ("county.json", "district.json", "housing.json", "national_and_voluntary.json")
FICTIONAL_KINDS = {"district", "county", "housing_association", "voluntary"}
DRAMA_NUMBER = re.compile(r"^01632 96\d{4}$")
NATIONAL_SHORT_CODES = {"101", "105", "111", "116 123"}
FICTIONAL_POSTCODE_AREAS = {"BV", "OK"}
"""Outward codes of the demo area. Neither is a Royal Mail postcode area, so no real address can match."""
OUTWARD_CODE = re.compile(r"^[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]?$")


# ------------------------------------------------------------------------------------- helpers


@lru_cache(maxsize=1)
def pages() -> dict[str, dict[str, Any]]:
    return {name: json.loads((DIRECTORY / name).read_text(encoding="utf-8")) for name in DEMO_FILES}


def services() -> list[dict[str, Any]]:
    return [service for page in pages().values() for service in page["contents"]]


def terms(record: dict[str, Any], taxonomy: str) -> list[dict[str, Any]]:
    return [a for a in record.get("attributes", []) if a["taxonomy_term"].get("taxonomy") == taxonomy]


def kind_of(service: dict[str, Any]) -> str:
    (kind,) = [
        a["taxonomy_term"]["code"] for a in terms(service["organization"], "hereToHelpOrganisationKind")
    ]
    return kind


def lgsl_codes(service: dict[str, Any]) -> list[int]:
    return [int(a["taxonomy_term"]["code"]) for a in terms(service, "esdServiceTypes")]


def phrases(service: dict[str, Any]) -> list[str]:
    return [a["value"] for a in terms(service, "hereToHelpResidentPhrase")]


def phone_flags(phone: dict[str, Any]) -> set[str]:
    return {a["taxonomy_term"]["code"] for a in terms(phone, "hereToHelpPhone")}


def all_phones(service: dict[str, Any]) -> list[dict[str, Any]]:
    return service["phones"] + service["organization"].get("phones", [])


def local_providers_of(code: int) -> set[str]:
    """Which local bodies (councils, the housing association) offer a service with this code."""
    local = {"district", "county", "housing_association"}
    return {kind_of(s) for s in services() if code in lgsl_codes(s) and kind_of(s) in local}


def host_council() -> dict[str, Any]:
    hosts = {
        s["organization"]["id"]: s["organization"]
        for s in services()
        if terms(s["organization"], "hereToHelpRole")
    }
    assert len(hosts) == 1, f"expected exactly one host council, found {len(hosts)}"
    return next(iter(hosts.values()))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def build_module():  # noqa: ANN201 - a module object
    spec = importlib.util.spec_from_file_location("build_demo", DIRECTORY / "build_demo.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------------- the feed


def test_each_file_is_a_single_hsds_service_list_page_that_counts_its_contents() -> None:
    for name, page in pages().items():
        assert page["total_items"] == page["size"] == len(page["contents"]) > 0, name
        assert (page["page_number"], page["total_pages"]) == (1, 1), name
        assert page["first_page"] is page["last_page"] is True, name
        assert page["empty"] is False, name


def test_the_demo_is_big_enough_to_route_a_real_councils_traffic() -> None:
    assert len(services()) >= 150
    organisations = {s["organization"]["id"] for s in services()}
    assert len(organisations) >= 20


def test_every_record_id_is_a_uuid_and_no_two_records_share_one() -> None:
    ids = []
    for service in services():
        ids.append(service["id"])
        ids += [phone["id"] for phone in service["phones"]]
        ids += [schedule["id"] for schedule in service["schedules"]]
        ids += [area["id"] for area in service["service_areas"]]
        ids += [attribute["id"] for attribute in service["attributes"]]
    for value in ids:
        uuid.UUID(value)
    duplicates = [value for value, count in Counter(ids).items() if count > 1]
    assert not duplicates


def test_a_service_names_the_organisation_it_embeds() -> None:
    for service in services():
        assert service["organization_id"] == service["organization"]["id"], service["name"]


@needs_shared
def test_every_service_validates_against_the_hsds_3_service_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REFERENCE / "hsds3" / "service.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    problems = [
        f"{service['name']}: {'/'.join(map(str, error.path))}: {error.message}"
        for service in services()
        for error in validator.iter_errors(service)
    ]
    assert not problems, "\n".join(problems[:20])


def test_the_committed_json_is_exactly_what_the_source_builds() -> None:
    built = build_module().build_all()
    assert sorted(built) == sorted(DEMO_FILES)
    for name, text in built.items():
        assert (DIRECTORY / name).read_text(encoding="utf-8") == text, f"{name} is stale: run build_demo.py"


def test_a_mistake_in_the_source_is_reported_with_its_file_and_service(tmp_path: Path) -> None:
    module = build_module()
    source = tmp_path / "broken.yml"
    source.write_text(
        "output: broken.json\norganisations:\n  - slug: org\n    name: Org\n    kind: district\n"
        "    description: d\n    email: a@b.example\n    verified: 2026-01-01\n    services:\n"
        "      - slug: missed-bins\n        name: Missed bins\n        lgsl: [524, 99999]\n        about: x\n"
        "        phrases: |\n          a\n          b\n          c\n          d\n          e\n",
        encoding="utf-8",
    )
    with pytest.raises(module.SourceError, match=r"broken\.yml service 'missed-bins': LGSL codes \[99999\]"):
        module.build_page(source, module.load_lgsl(), set())


# ------------------------------------------------------------------------------------- organisations


def test_the_host_is_a_district_council_in_a_two_tier_area_with_its_county() -> None:
    host = host_council()
    host_services = [s for s in services() if s["organization"]["id"] == host["id"]]
    assert host_services and all(kind_of(s) == "district" for s in host_services)
    kinds = Counter(kind_of(s) for s in services())
    assert kinds["county"] >= 40
    assert kinds["housing_association"] >= 8
    assert kinds["other_public_body"] >= 15
    assert kinds["voluntary"] >= 3


def test_there_is_one_contact_centre_and_it_is_the_host_councils_with_office_hours_and_a_web_link() -> None:
    centres = [
        s
        for s in services()
        if any(a["taxonomy_term"]["code"] == "contact_centre" for a in terms(s, "hereToHelpRole"))
    ]
    assert len(centres) == 1
    (centre,) = centres
    assert centre["organization"]["id"] == host_council()["id"]
    assert centre["url"].startswith("https://")
    weekly = [s for s in centre["schedules"] if s.get("byday")]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in weekly] == [
        ("MO,TU,WE,TH,FR", "08:30", "17:30")
    ]


def test_fictional_bodies_live_on_reserved_example_domains() -> None:
    for service in services():
        if kind_of(service) not in FICTIONAL_KINDS:
            continue
        for address in (service.get("url"), service["organization"].get("website")):
            if address:
                assert re.match(r"^https://[a-z0-9.-]+\.example(/|$)", address), (service["name"], address)
        for email in (service.get("email"), service["organization"].get("email")):
            if email:
                assert email.endswith(".example"), (service["name"], email)


# ------------------------------------------------------------------------------------- phones


def test_every_fictional_body_uses_only_ofcom_drama_numbers() -> None:
    for service in services():
        if kind_of(service) in FICTIONAL_KINDS:
            for phone in all_phones(service):
                assert DRAMA_NUMBER.match(phone["number"]), (service["name"], phone["number"])


def test_national_bodies_give_real_uk_numbers_never_drama_ones() -> None:
    phonenumbers = pytest.importorskip("phonenumbers")
    for service in services():
        if kind_of(service) != "other_public_body":
            continue
        for phone in all_phones(service):
            number = phone["number"]
            assert not number.startswith("01632"), (service["name"], number)
            if number not in NATIONAL_SHORT_CODES:
                assert phonenumbers.is_valid_number(phonenumbers.parse(number, "GB")), (
                    service["name"],
                    number,
                )


def test_a_phone_number_rings_at_one_organisation_only() -> None:
    owners: dict[str, set[str]] = {}
    for service in services():
        for phone in all_phones(service):
            owners.setdefault(phone["number"], set()).add(service["organization"]["name"])
    shared = {number: names for number, names in owners.items() if len(names) > 1}
    assert not shared


def test_every_service_has_a_number_the_public_may_be_given() -> None:
    for service in services():
        public = [p for p in service["phones"] if "staff_only" not in phone_flags(p)]
        assert public, service["name"]


def test_emergencies_out_of_hours_have_their_own_numbers() -> None:
    def out_of_hours(code: int, kind: str) -> bool:
        return any(
            "out_of_hours" in phone_flags(phone)
            for service in services()
            if code in lgsl_codes(service) and kind_of(service) == kind
            for phone in service["phones"]
        )

    assert out_of_hours(557, "county"), "county highways emergencies"
    assert out_of_hours(564, "county"), "exposed street light wiring"
    assert out_of_hours(312, "county"), "emergency social care duty team"
    assert out_of_hours(112, "district"), "homelessness tonight"
    assert out_of_hours(412, "district"), "noise happening now"
    assert out_of_hours(139, "housing_association"), "emergency repairs for tenants"


def test_staff_get_notes_and_direct_lines_that_residents_never_see() -> None:
    with_staff_material = [
        s
        for s in services()
        if terms(s, "hereToHelpStaffNote") or any("staff_only" in phone_flags(p) for p in s["phones"])
    ]
    assert len(with_staff_material) >= 30
    assert sum(1 for s in services() if terms(s, "hereToHelpStaffNote")) >= 25
    for service in with_staff_material:
        for note in terms(service, "hereToHelpStaffNote"):
            assert note["value"].strip() and note["value"] not in service["description"]


# ------------------------------------------------------------------------------------- LGSL and tiers


def test_every_lgsl_code_is_on_the_shipped_list_with_its_term_uri() -> None:
    known = {int(row["lgsl_id"]) for row in read_csv(REFERENCE_LISTS / "lgsl_services.csv")}
    for service in services():
        assert lgsl_codes(service), service["name"]
        for attribute in terms(service, "esdServiceTypes"):
            code = int(attribute["taxonomy_term"]["code"])
            assert code in known, (service["name"], code)
            assert attribute["taxonomy_term"]["term_uri"] == f"http://id.esd.org.uk/service/{code}"


def test_council_services_follow_govuks_providing_tiers() -> None:
    tiers = {
        int(row["LGSL"]): row["Providing Tier"]
        for row in read_csv(REFERENCE_LISTS / "govuk_service_tiers.csv")
    }
    expected = {"county/unitary": "county", "district/unitary": "district"}
    checked = 0
    for service in services():
        kind = kind_of(service)
        for code in lgsl_codes(service):
            tier = expected.get(tiers.get(code, "all"))
            if tier is None:
                continue
            if kind in {"county", "district"}:
                checked += 1
                assert kind == tier, (
                    f"{service['name']} ({kind}) carries LGSL {code}, which GOV.UK gives the {tier}"
                )
            if kind == "housing_association":
                assert tier == "district", (
                    f"{service['name']}: the association stands in for the district landlord"
                )
    assert checked >= 60


@pytest.mark.parametrize(
    ("story", "codes", "provider"),
    [
        ("street lighting", [564], "county"),
        ("potholes and road repairs", [557], "county"),
        ("pavements and dropped kerbs", [537, 477], "county"),
        ("road signs, traffic signals and road markings", [540, 567, 538], "county"),
        ("road gullies and flooding on roads", [555], "county"),
        ("gritting", [561], "county"),
        ("public rights of way", [613], "county"),
        ("the tips (household waste recycling centres)", [531], "county"),
        ("libraries", [437], "county"),
        ("registering births and deaths", [319, 321], "county"),
        ("trading standards", [403], "county"),
        ("schools admissions, free school meals and SEND", [13, 4, 9], "county"),
        ("adult and children's social care", [209, 266], "county"),
        ("blue badges and bus passes", [279, 273], "county"),
        ("bin collections, missed bins and replacement bins", [524, 526], "district"),
        ("garden, food and bulky waste", [530, 1423, 528], "district"),
        ("fly-tipping and street cleaning", [587, 582], "district"),
        ("graffiti, fly-posting and dog fouling", [584, 588, 577], "district"),
        ("abandoned vehicles and shopping trolleys", [372, 1152], "district"),
        ("street name plates and public toilets", [541, 579], "district"),
        ("council car parks", [478], "district"),
        ("noise and pest control", [412, 431], "district"),
        ("council tax and housing benefit", [57, 69], "district"),
        ("homelessness and the housing register", [112, 92], "district"),
        ("planning and building control", [485, 499], "district"),
        ("taxi and alcohol licensing", [632, 860], "district"),
        ("electoral registration", [364], "district"),
        ("repairs to former council homes", [141, 139], "housing_association"),
    ],
)
def test_each_kind_of_problem_is_covered_by_the_body_that_deals_with_it(
    story: str, codes: list[int], provider: str
) -> None:
    for code in codes:
        found = local_providers_of(code)
        assert found == {provider}, f"{story}: LGSL {code} is provided locally by {found}"


def test_the_street_scene_and_council_business_ranges_are_covered() -> None:
    required = {
        # street scene
        587,
        524,
        526,
        530,
        1423,
        528,
        517,
        582,
        580,
        577,
        584,
        588,
        372,
        1152,
        557,
        537,
        477,
        564,
        540,
        567,
        538,
        555,
        505,
        574,
        461,
        670,
        579,
        541,
        478,
        471,
        664,
        431,
        412,
        141,
        # the rest of council business
        57,
        59,
        55,
        69,
        63,
        112,
        92,
        485,
        1158,
        499,
        632,
        860,
        400,
        319,
        321,
        876,
        13,
        4,
        891,
        9,
        209,
        266,
        279,
        273,
        437,
        451,
        364,
        403,
        408,
        1538,
        510,
        1149,
        27,
    }
    covered = {code for service in services() for code in lgsl_codes(service)}
    assert not required - covered


# ------------------------------------------------------------------------------------- residents' words


def test_every_service_has_five_to_fifteen_distinct_resident_phrases() -> None:
    for service in services():
        said = phrases(service)
        assert 5 <= len(said) <= 15, (service["name"], len(said))
        assert len({p.lower() for p in said}) == len(said), service["name"]
        assert all(0 < len(p) <= 120 for p in said), service["name"]


def test_resident_phrases_are_not_just_the_service_name() -> None:
    """Phrases teach the router how residents talk; repeating the service name would teach it nothing."""
    copied = [
        (service["name"], phrase)
        for service in services()
        for phrase in phrases(service)
        if phrase.lower() == service["name"].lower()
    ]
    assert not copied


# ------------------------------------------------------------------------------------- hours and areas


def test_opening_hours_are_weekly_rules_with_valid_days_and_times() -> None:
    days = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
    for service in services():
        weekly = [s for s in service["schedules"] if s.get("byday")]
        assert weekly, service["name"]
        for schedule in weekly:
            assert schedule["freq"] == "WEEKLY"
            assert set(schedule["byday"].split(",")) <= days
            opens = dt.time.fromisoformat(schedule["opens_at"])
            closes = dt.time.fromisoformat(schedule["closes_at"])
            assert opens < closes, service["name"]


def test_closures_are_date_ranges_with_a_reason_and_no_hours() -> None:
    closures = [(s, c) for s in services() for c in s["schedules"] if not c.get("byday")]
    assert len(closures) >= 3
    for service, closure in closures:
        assert dt.date.fromisoformat(closure["valid_from"]) <= dt.date.fromisoformat(closure["valid_to"])
        assert "opens_at" not in closure and "closes_at" not in closure
        assert closure["description"], service["name"]
    assert any(kind_of(s) == "county" and 437 in lgsl_codes(s) for s, _ in closures), (
        "a library refurbishment"
    )


def test_round_the_clock_lines_are_marked_open_on_bank_holidays() -> None:
    for service in services():
        always = any(
            s.get("byday") == "MO,TU,WE,TH,FR,SA,SU" and (s["opens_at"], s["closes_at"]) == ("00:00", "23:59")
            for s in service["schedules"]
        )
        flagged = any(
            a["taxonomy_term"]["code"] == "open_on_bank_holidays" for a in terms(service, "hereToHelpRole")
        )
        if always:
            assert flagged, service["name"]


def test_service_areas_are_fictional_postcode_districts() -> None:
    areas = [(s, a) for s in services() for a in s["service_areas"]]
    assert len(areas) >= 3
    for service, area in areas:
        assert area["extent_type"] == "postcode_districts" and area["name"], service["name"]
        for outward in area["extent"].split():
            assert OUTWARD_CODE.match(outward), (service["name"], outward)
            assert re.match(r"^[A-Z]+", outward).group() in FICTIONAL_POSTCODE_AREAS, (
                service["name"],
                outward,
            )


def test_every_service_says_when_it_was_last_checked() -> None:
    dates = [dt.date.fromisoformat(service["assured_date"]) for service in services()]
    assert all(dt.date(2025, 1, 1) <= day <= dt.date(2026, 12, 31) for day in dates)
    assert len(set(dates)) >= 5
