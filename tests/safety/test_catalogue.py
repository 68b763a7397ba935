"""The reviewed safety data is checked at start-up: a broken file stops the start and names the entry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.safety.catalogue import SafetyDataError, load_safety
from bot.settings import get_settings

SHIPPED_LINES = get_settings().safety_lines_file
SHIPPED_PHRASES = get_settings().safety_phrases_file

REQUIRED_NUMBERS = {
    "danger_to_life": ["999"],
    "fire": ["999"],
    "suicide_self_harm": ["999", "116 123", "85258", "111"],
    "overdose": ["999"],
    "domestic_abuse": ["999", "0808 2000 247"],
    "child_at_risk": ["999", "0808 800 5000"],
    "adult_at_risk": ["999"],
    "gas_leak": ["0800 111 999"],
    "power_cut": ["105"],
    "flooding": ["999", "0345 988 1188"],
    "police_non_emergency": ["101"],
    "urgent_medical": ["111"],
}


def test_the_shipped_files_validate_and_every_category_gives_its_numbers() -> None:
    knowledge = load_safety(SHIPPED_LINES, SHIPPED_PHRASES)
    for category, numbers in REQUIRED_NUMBERS.items():
        given = [knowledge.lines[line].number for line in knowledge.categories[category].lines]
        for number in numbers:
            assert number in given, f"{category} must give {number}"


def test_every_line_says_its_number_and_names_a_source_page_and_when_it_was_verified() -> None:
    knowledge = load_safety(SHIPPED_LINES, SHIPPED_PHRASES)
    for line in knowledge.lines.values():
        assert line.number in line.say
        assert line.source.startswith("https://")
        assert line.last_verified <= date.today()


def test_the_silent_solution_is_given_for_domestic_abuse() -> None:
    knowledge = load_safety(SHIPPED_LINES, SHIPPED_PHRASES)
    said = [knowledge.lines[line].say for line in knowledge.categories["domestic_abuse"].lines]
    assert any("999" in sentence and "55" in sentence for sentence in said)


def test_the_council_services_for_children_and_adults_at_risk_are_found_by_lgsl_code() -> None:
    knowledge = load_safety(SHIPPED_LINES, SHIPPED_PHRASES)
    assert 266 in knowledge.categories["child_at_risk"].local_lgsl  # Child protection
    assert 731 in knowledge.categories["adult_at_risk"].local_lgsl  # Safeguarding vulnerable adults


def broken_copy(tmp_path: Path, change) -> Path:  # noqa: ANN001 - a function editing the parsed YAML
    data = yaml.safe_load(SHIPPED_LINES.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "crisis_lines.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["lines"]["samaritans"].pop("source"), "line 'samaritans': 'source' must be non-empty"),
        (lambda d: d["lines"]["samaritans"].update(number="116 000"), "'say' must contain the number"),
        (lambda d: d["lines"]["nspcc"].update(last_verified="2999-01-01"), "line 'nspcc': 'last_verified'"),
        (lambda d: d["lines"]["nspcc"].update(last_verified="last week"), "must be a date"),
        (lambda d: d["categories"]["fire"].update(lines=["no_such_line"]), "category 'fire': unknown line"),
        (lambda d: d["categories"]["fire"].update(lines=[]), "category 'fire': 'lines' must list"),
        (lambda d: d["lines"]["shout"].update(source="http://example.org"), "must be an https:// page"),
    ],
)
def test_a_broken_lines_file_is_refused_with_the_file_and_entry_named(tmp_path, change, message) -> None:
    path = broken_copy(tmp_path, change)
    with pytest.raises(SafetyDataError, match=message) as error:
        load_safety(path, SHIPPED_PHRASES)
    assert str(path) in str(error.value)


def test_a_pattern_that_does_not_compile_is_refused_with_its_group_named(tmp_path) -> None:
    data = yaml.safe_load(SHIPPED_PHRASES.read_text(encoding="utf-8"))
    data["groups"][0]["patterns"].append("(unclosed")
    path = tmp_path / "crisis_phrases.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SafetyDataError, match=r"group 1 \(overdose\): pattern '\(unclosed' does not compile"):
        load_safety(SHIPPED_LINES, path)


def test_a_missing_file_is_refused_by_name(tmp_path) -> None:
    with pytest.raises(SafetyDataError, match="the safety data file is missing"):
        load_safety(tmp_path / "nope.yml", SHIPPED_PHRASES)
