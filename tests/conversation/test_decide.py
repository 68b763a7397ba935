"""Which kind of turn a message is: conversation intents never swallow service words."""

from __future__ import annotations

from bot.conversation.decide import SEARCH_INTENT, turn_intent
from bot.routing.evaluate import QueryRow
from bot.routing.evaluate_answers import score_answers

CONFIDENT = [{"service_id": "national:dwp_pip", "confidence": 0.9, "lgsl_codes": []}]
UNSURE = [{"service_id": "s1", "confidence": 0.1, "lgsl_codes": [524]}]


def test_a_resident_who_types_pip_is_asking_a_question_not_saying_thanks() -> None:
    assert turn_intent("thanks", "pip", CONFIDENT, 0.4) == SEARCH_INTENT


def test_thanks_with_a_need_is_a_search() -> None:
    assert turn_intent("thanks", "thanks, where do I renew my passport", CONFIDENT, 0.4) == SEARCH_INTENT


def test_plain_thanks_stays_thanks_even_if_the_router_is_sure_of_something() -> None:
    assert turn_intent("thanks", "thank you so much", CONFIDENT, 0.4) == "thanks"


def test_a_greeting_without_a_confident_service_stays_a_greeting() -> None:
    assert turn_intent("greet", "hello there sunshine", UNSURE, 0.4) == "greet"


def test_other_intents_are_left_alone() -> None:
    assert turn_intent("ask_person", "can I speak to someone about bins", CONFIDENT, 0.4) == "ask_person"


def _row(text: str, codes: set[int]) -> QueryRow:
    return QueryRow(text=text, expected=frozenset(codes), group="g")


def test_answers_are_scored_by_the_first_service_shown_and_other_bodies_as_not_council() -> None:
    pairs = [
        (_row("missed bin", {524}), {"kind": "service", "services": [{"lgsl": [524]}]}),
        (_row("pothole", {148}), {"kind": "choices", "services": [{"lgsl": [524]}, {"lgsl": [148]}]}),
        (_row("passport", set()), {"kind": "other_body", "services": [{"lgsl": []}], "body": "HMPO"}),
        (_row("weather", set()), {"kind": "service", "services": [{"lgsl": [524]}]}),
        (_row("bulky waste", {525}), {"kind": "unmet", "services": []}),
        (
            _row("school admissions", {1}),
            {"kind": "other_body", "services": [{"lgsl": [1]}], "body": "County"},
        ),
    ]
    figures = score_answers(pairs)
    assert figures["first_answer_top1"] == 0.5  # the county's service counts as a council answer
    assert figures["not_council_recall"] == 0.5
    assert figures["not_council_precision"] == round(1 / 3, 4)  # and as other_body
    assert figures["kinds"] == {"choices": 1, "other_body": 2, "service": 2, "unmet": 1}


SYMBOL_LED = ["-2+3", "<img src=x onerror=alert(1)>", "@SUM(1+1)", "=1+1", "+44", "(2)"]


def test_symbol_led_messages_the_classifier_calls_a_choice_are_answered_as_not_understood() -> None:
    for text in SYMBOL_LED:
        assert turn_intent("choose_service", text, [], 0.3) == "nlu_fallback", text


def test_a_button_payload_and_words_picking_a_button_are_still_a_choice() -> None:
    for text in (
        '/choose_service{"service_id":"waste"}',
        "the second one",
        "option 2",
        "that one please",
        "2",
    ):
        assert turn_intent("choose_service", text, [], 0.3) == "choose_service", text


def test_other_free_text_never_becomes_a_choice() -> None:
    for text in ("the bins", "one more thing about parking", "first time here"):
        assert turn_intent("choose_service", text, [], 0.3) == "nlu_fallback", text
