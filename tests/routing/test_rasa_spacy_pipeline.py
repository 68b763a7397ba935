"""The project's spaCy pipeline: built locally (no downloads), it finds the contact details residents type
and gives Rasa lemmas; Rasa's SpacyNLP finds it from any working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.routing.spacy_pipeline import (
    BUILD_VERSION,
    PIPELINE_NAME,
    ensure_pipeline,
    find_contact_entities,
    is_current,
    load_pipeline,
)
from bot.settings import get_settings


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private VAR_DIR, so the test builds its own pipeline and never touches the project's var/."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def entities(nlp, text: str) -> list[tuple[str, str]]:
    return [(entity.text, entity.label_) for entity in nlp(text).ents]


def test_the_pipeline_is_built_under_var_dir_from_installed_packages_only(var_dir: Path) -> None:
    path = ensure_pipeline()

    assert path == var_dir / "spacy" / PIPELINE_NAME
    assert (path / "meta.json").is_file()
    assert is_current(path)


def test_a_resident_giving_a_postcode_phone_number_and_email_has_all_three_recognised(var_dir: Path) -> None:
    nlp = load_pipeline()

    found = entities(nlp, "I live at SG13 7DN, ring me on 01992 555 123 or email jo.bloggs@example.co.uk")

    assert found == [
        ("SG13 7DN", "POSTCODE"),
        ("01992 555 123", "PHONE"),
        ("jo.bloggs@example.co.uk", "EMAIL"),
    ]


def test_lower_case_text_as_rasa_passes_it_is_recognised_too(var_dir: Path) -> None:
    nlp = load_pipeline()

    assert entities(nlp, "my postcode is sw1a1aa") == [("sw1a1aa", "POSTCODE")]
    assert entities(nlp, "call +44 20 7946 0958 please") == [("+44 20 7946 0958", "PHONE")]


def test_road_names_and_ordinary_numbers_are_not_mistaken_for_contact_details() -> None:
    assert find_contact_entities("the M25 and the A10 were closed, I have 2 bins and 3 children") == []
    assert find_contact_entities("my reference is 12345") == []


def test_lemmas_let_different_word_forms_share_features(var_dir: Path) -> None:
    nlp = load_pipeline()

    lemmas = [token.lemma_ for token in nlp("my bins were not collected")]

    assert lemmas[:3] == ["my", "bin", "be"]
    assert lemmas[-1] == "collect"


def test_an_outdated_pipeline_on_disk_is_rebuilt_not_reused(var_dir: Path) -> None:
    path = ensure_pipeline()
    meta = path / "meta.json"
    meta.write_text(meta.read_text().replace(BUILD_VERSION, "old-build"))
    assert not is_current(path)

    ensure_pipeline()

    assert is_current(path)


def test_rasa_loads_the_pipeline_by_name_from_any_working_directory(
    var_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.routing.spacy_nlp import SpacyNLP

    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)

    component = SpacyNLP.create(
        {"model": PIPELINE_NAME},
        LocalModelStorage(tmp_path / "storage"),
        Resource("spacy_nlp"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    nlp = component.provide().model

    assert Path(nlp.path) == var_dir / "spacy" / PIPELINE_NAME
    assert entities(nlp, "bin missed at sg13 7dn") == [("sg13 7dn", "POSTCODE")]
