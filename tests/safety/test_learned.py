"""The learned layer of the safety check: it adds what the patterns miss, and can never break the check."""

from __future__ import annotations

import csv
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.safety import learned as learned_module
from bot.safety.catalogue import SafetyDataError, cached_safety, load_safety
from bot.safety.detect import detect
from bot.safety.learned import LearnedSource, fit, learned_check
from bot.settings import get_settings


@pytest.fixture(scope="module")
def knowledge():
    return cached_safety()


def write_table(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "expected_category", "note"])
        writer.writerows((text, category, "") for text, category in rows)
    return path


def test_a_layer_fitted_on_a_few_examples_recognises_new_wording_of_the_same_kind(
    tmp_path, knowledge
) -> None:
    crisis = [
        ("my dad has gone a strange grey colour and will not wake", "danger_to_life"),
        ("grandma went grey in her chair and is not waking", "danger_to_life"),
        ("he has gone grey and floppy and will not wake up", "danger_to_life"),
        ("the lady next door is grey and slumped and will not wake", "danger_to_life"),
    ] * 3
    ordinary = [
        ("when is the grey bin collected", ""),
        ("can I paint my front door grey in a conservation area", ""),
        ("how do I wake up my council tax account online", ""),
        ("the grey recycling box was not emptied", ""),
    ] * 3
    examples = write_table(tmp_path / "examples.csv", crisis + ordinary)
    plain = tmp_path / "ordinary.yml"
    plain.write_text(yaml.safe_dump(["report a pothole", "pay council tax", "missed bin", "library hours"]))
    layer = fit(LearnedSource((examples,), (plain,), 0.5), knowledge)

    probability, category = layer.predict("my uncle went grey and we cannot wake him")
    assert probability >= 0.5 and category == "danger_to_life"
    assert layer.predict("is the grey bin collected on friday")[0] < 0.5


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my grandad has slumped in his chair and his face looks a funny colour and he wont answer me", None),
        ("the old man upstairs hasnt been seen and theres a horrible smell from his flat", None),
    ],
)
def test_the_shipped_layer_catches_described_danger_the_patterns_miss(knowledge, text, category) -> None:
    assert detect(text, knowledge, learned=False) is None
    match = detect(text, knowledge)
    assert match is not None and match.source == "learned"


@pytest.mark.parametrize(
    "text",
    [
        "when is my green bin collected",
        "pothole outside number 12",
        "how do I apply for a parking permit",
        "can I get a second recycling box",
        "the street light outside my house has been out for a week",
        "how much is a resident's parking permit",
        "I need to register my baby's birth",
        "my neighbour's hedge is blocking the pavement",
        "what time does the tip close on sunday",
        "can my son get free school meals",
    ],
)
def test_everyday_council_questions_stay_below_the_layers_threshold(knowledge, text) -> None:
    # Known false alarms of the layer are listed in docs/safety.md ("my dog got out, has anyone handed him
    # in" scores 0.98); these everyday questions must never be among them.
    assert detect(text, knowledge) is None


def test_a_layer_that_cannot_be_fitted_leaves_the_patterns_working(tmp_path, knowledge, caplog) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("no,columns,here\n1,2,3\n", encoding="utf-8")
    broken_knowledge = replace(knowledge, learned=LearnedSource((broken,), (broken,), 0.97))
    assert learned_check(broken_knowledge) is None
    assert "could not be fitted" in caplog.text
    match = detect("i want to kill myself", broken_knowledge)
    assert match is not None and match.source == "patterns"
    assert detect("when is my bin collected", broken_knowledge) is None


def test_while_the_layer_is_being_fitted_a_reply_does_not_wait(tmp_path, knowledge) -> None:
    examples = write_table(tmp_path / "examples.csv", [("help", "danger_to_life"), ("bins", "")])
    fresh = replace(knowledge, learned=LearnedSource((examples,), (examples,), 0.97))
    acquired = learned_module._LOCK.acquire(timeout=30)  # as a fit in another thread would hold it
    assert acquired
    try:
        finished = threading.Event()
        result: list[object] = []

        def ask() -> None:
            result.append(learned_check(fresh, wait=False))
            finished.set()

        threading.Thread(target=ask).start()
        assert finished.wait(timeout=2), "learned_check(wait=False) waited for the fit"
        assert result == [None]
    finally:
        learned_module._LOCK.release()


def test_a_learned_section_naming_a_missing_file_is_refused_at_start_up(tmp_path) -> None:
    settings = get_settings()
    data = yaml.safe_load(settings.safety_phrases_file.read_text(encoding="utf-8"))
    data["learned"]["examples"].append("data/eval/no_such_table.csv")
    phrases = tmp_path / "crisis_phrases.yml"
    phrases.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SafetyDataError, match="learned: 'examples' names missing file"):
        load_safety(settings.safety_lines_file, phrases)


def test_no_held_out_table_is_ever_learned_from(knowledge) -> None:
    names = [path.name for path in knowledge.learned.examples]
    assert "crisis_messages_heldout_12.csv" not in names
    assert "crisis_messages_heldout_13.csv" not in names
    assert all(path.parent.name == "eval" for path in knowledge.learned.examples)


EVAL = PROJECT_ROOT / "data" / "eval"
LAYER_TABLES = (
    "crisis_messages_heldout_9.csv",
    "crisis_messages_heldout_10.csv",
    "crisis_messages_heldout_11.csv",
)
"""Blind tables measured once as held-out checks, learned from since; the patterns cover them only in part."""


def test_the_check_with_its_layer_finds_every_crisis_in_the_tables_it_learned_from(knowledge) -> None:
    """A resident who writes in words like those in tables 9 to 11 is given the numbers, whether a
    pattern or the learned layer recognises it."""
    learned_check(knowledge)
    rows = [row for name in LAYER_TABLES for row in learned_module.example_rows(EVAL / name)]
    missed = [text for text, category in rows if category and detect(text, knowledge) is None]
    assert missed == []


def test_the_check_with_its_layer_takes_few_near_misses_in_those_tables_for_a_crisis(knowledge) -> None:
    learned_check(knowledge)
    rows = [row for name in LAYER_TABLES for row in learned_module.example_rows(EVAL / name)]
    ordinary = [text for text, category in rows if not category]
    alarms = [text for text in ordinary if detect(text, knowledge) is not None]
    assert len(ordinary) >= 200 and len(alarms) / len(ordinary) <= 0.02, alarms


def test_a_long_message_must_convince_the_layer_more_than_a_short_one(tmp_path, knowledge) -> None:
    """A resident who describes a month-long leak at length is not taken for someone in danger on a
    probability that would do for a short message."""
    layer = learned_module.LearnedCheck(None, None, None, 0.97, long_words=5, long_threshold=0.995)
    assert layer.threshold_for("i cannot go on") == 0.97
    assert layer.threshold_for("the leak has come through the ceiling for a month") == 0.995
    learned = knowledge.learned
    assert learned.long_words and learned.long_threshold and learned.long_threshold > learned.threshold


def test_a_long_message_threshold_below_the_ordinary_one_is_refused_at_start_up(tmp_path) -> None:
    settings = get_settings()
    data = yaml.safe_load(settings.safety_phrases_file.read_text(encoding="utf-8"))
    data["learned"]["long_message_threshold"] = 0.9
    phrases = tmp_path / "crisis_phrases.yml"
    phrases.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SafetyDataError, match="long_message_threshold"):
        load_safety(settings.safety_lines_file, phrases)
