"""The normaliser folds the many ways residents spell the same thing into one."""

from __future__ import annotations

import pytest

from bot.routing.text_normalise import normalise, tokens


@pytest.mark.parametrize(
    "variant", ["fly tipping", "fly-tipping", "flytipping", "Fly Tipping", "flytiping", "fly tipped"]
)
def test_every_spelling_of_fly_tipping_is_one_word(variant: str) -> None:
    assert tokens(variant) == ["flytip"]


@pytest.mark.parametrize(
    ("us_or_misspelt", "uk"),
    [
        ("curb", "kerb"),
        ("color", "colour"),
        ("tire", "tyre"),
        ("rubish", "rubbish"),
        ("grafitti", "graffiti"),
    ],
)
def test_us_spellings_and_common_misspellings_become_the_uk_word(us_or_misspelt: str, uk: str) -> None:
    assert normalise(us_or_misspelt) == uk


def test_word_forms_share_a_lemma_but_parking_is_not_a_park() -> None:
    assert normalise("bins were dumped") == normalise("bin was dump")
    assert "park" not in tokens("car parked on the pavement")


def test_curly_quotes_ampersands_and_case_are_folded() -> None:
    assert normalise("They\u2019ve dumped a SOFA & a fridge") == "they've dump a sofa and a fridge"
