"""Why a service matched, as the staff lookup shows it: the caller's words that the service's own texts use,
compared the way the router compares them."""

from __future__ import annotations

from bot.routing import explain
from bot.routing.explain import ServiceText
from bot.routing.router import EVIDENCE_SPELLING

MISSED_BINS = [
    ServiceText("Report a missed bin collection", explain.NAME),
    ServiceText("Waste was not collected on your usual day.", explain.DESCRIPTION),
    ServiceText("bins left behind again", explain.TAUGHT_PHRASE, taught_by="olive", taught_on="2026-03-03"),
    ServiceText("bin not emptied", explain.LEXICON, lgsl_code=524),
]


def test_a_caller_whose_bin_was_not_emptied_matches_on_bin_and_empty_with_the_lexicon_phrase_first() -> None:
    found = explain.explain("my bin wasn't emptied", MISSED_BINS)

    assert found.words == ("bin", "empty")
    assert found.texts[0].source.text == "bin not emptied"
    assert found.texts[0].words == ("bin", "empty")


def test_an_officers_taught_phrase_is_named_as_the_evidence_with_who_taught_it() -> None:
    found = explain.explain("bins left out again", MISSED_BINS)

    taught = found.texts[0]
    assert taught.source.kind == explain.TAUGHT_PHRASE
    assert (taught.source.taught_by, taught.source.taught_on) == ("olive", "2026-03-03")
    assert taught.words == ("bin", "left")
    assert found.as_dict()["texts"][0]["taught_by"] == "olive"


def test_a_misspelt_word_matches_as_the_router_reads_it() -> None:
    found = explain.explain("recylcing not colected", [ServiceText("Recycling collections", explain.NAME)])

    assert found.words == ("recycling", "collect")


def test_words_that_never_point_at_a_service_are_no_evidence() -> None:
    found = explain.explain("I want to ask the council for help", MISSED_BINS)

    assert found.words == ()
    assert found.texts == ()


def test_no_more_texts_are_shown_than_the_limit() -> None:
    texts = [ServiceText(f"bin problem number {n}", explain.DIRECTORY_PHRASE) for n in range(10)]
    assert len(explain.explain("bin", texts).texts) == explain.MAX_TEXTS


def test_near_spellings_count_as_the_router_counts_them() -> None:
    assert explain.EVIDENCE_SPELLING == EVIDENCE_SPELLING
