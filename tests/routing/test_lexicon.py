"""The shipped resident lexicon: valid, broad, and free of any one council's residents' reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory.lgsl import lgsl_catalogue
from bot.routing.lexicon import LexiconError, default_lexicon, merge, out_of_scope_phrases, read_lexicon_file

COMMON_CODES = {
    587: "fly-tipping",
    580: "litter",
    584: "graffiti",
    557: "potholes",
    537: "pavements",
    564: "street lights",
    524: "bin collection",
    1130: "recycling",
    530: "garden waste",
    528: "bulky waste",
    372: "abandoned vehicles",
    577: "dog fouling",
    505: "trees",
    471: "parking",
    555: "drains",
    58: "council tax",
    141: "housing repairs",
    112: "homelessness",
    69: "housing benefit",
    485: "planning",
    860: "licensing",
    209: "adult social care",
    266: "child protection",
    13: "school places",
    437: "libraries",
    319: "birth registration",
    321: "death registration",
    364: "electoral register",
    412: "noise",
    431: "pest control",
}


def test_every_common_council_service_has_resident_phrases() -> None:
    lexicon = default_lexicon()
    missing = [name for code, name in COMMON_CODES.items() if len(lexicon.get(code, ())) < 3]
    assert missing == []


def test_every_lexicon_code_is_a_real_lgsl_code_or_a_govuk_one() -> None:
    known = set(lgsl_catalogue())
    assert sorted(set(default_lexicon()) - known) == []


def test_out_of_scope_phrases_are_loaded() -> None:
    assert "football scores" in out_of_scope_phrases()
    assert "passport renewal" not in out_of_scope_phrases(), "passports are the national catalogue's"


def test_a_lexicon_file_with_a_word_for_a_code_is_rejected_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("potholes:\n  - hole in road\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="bad.yml: key 'potholes' is not an LGSL code"):
        read_lexicon_file(path)


def test_merging_keeps_each_phrase_once_in_order() -> None:
    assert merge({557: ("pothole", "hole")}, {557: ("hole", "crater")}) == {
        557: ("pothole", "hole", "crater")
    }


def test_a_slot_template_becomes_one_phrase_per_word(tmp_path: Path) -> None:
    path = tmp_path / "slots.yml"
    path.write_text(
        "slots:\n  item: [sofa, fridge]\n587:\n  - dumped {item}\n  - fly tipping\n", encoding="utf-8"
    )
    assert read_lexicon_file(path) == {587: ("dumped sofa", "dumped fridge", "fly tipping")}


def test_a_template_with_an_unknown_slot_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "slots.yml"
    path.write_text("587:\n  - dumped {thing}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="unknown slot"):
        read_lexicon_file(path)
