"""The LGSL catalogue: every code any of the three shipped lists knows, with GOV.UK's providing tier."""

from __future__ import annotations

import csv

from bot.directory.lgsl import ENGLISH_LIST, SCOTTISH_LIST, TIERS, is_known_lgsl, lgsl_catalogue


def _codes(path, column: str) -> set[int]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return {int(row[column]) for row in csv.DictReader(handle)}


def test_the_catalogue_is_the_union_of_the_english_scottish_and_govuk_lists() -> None:
    expected = _codes(ENGLISH_LIST, "lgsl_id") | _codes(SCOTTISH_LIST, "lgsl_id") | _codes(TIERS, "LGSL")

    assert set(lgsl_catalogue()) == expected
    assert len(expected) > len(_codes(ENGLISH_LIST, "lgsl_id")), "GOV.UK names codes the 2013 list lacks"


def test_household_waste_is_a_district_service_with_its_navigation_path() -> None:
    waste = lgsl_catalogue()[524]

    assert waste.label == "Household waste collection"
    assert waste.tier == "district/unitary"
    assert waste.nav_path == "Environment and waste > Rubbish and recycling"


def test_a_code_only_govuk_knows_takes_its_label_and_tier_from_govuk() -> None:
    only_govuk = sorted(
        _codes(TIERS, "LGSL") - _codes(ENGLISH_LIST, "lgsl_id") - _codes(SCOTTISH_LIST, "lgsl_id")
    )

    service = lgsl_catalogue()[only_govuk[0]]

    assert service.label and service.tier in ("county/unitary", "district/unitary", "all")


def test_labels_read_normally_without_the_source_files_doubled_spaces() -> None:
    assert all("  " not in service.label for service in lgsl_catalogue().values())


def test_codes_are_recognised_as_numbers_or_text_and_junk_is_not() -> None:
    assert is_known_lgsl(524) and is_known_lgsl(" 524 ")
    assert not is_known_lgsl(99999) and not is_known_lgsl("bins") and not is_known_lgsl("")
