"""The learned layer is fitted once and kept on disk: a process that starts later loads it in a moment,
answers exactly as the fitted layer does, and fits again whenever what it learned from changes."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.safety import learned as learned_module
from bot.safety import learned_store
from bot.safety.catalogue import LearnedSource, cached_safety

CRISIS = [
    ("my dad has gone a strange grey colour and will not wake", "danger_to_life"),
    ("grandma went grey in her chair and is not waking", "danger_to_life"),
    ("he says he will hurt me again when he gets home", "domestic_abuse"),
    ("my partner locks me in and takes my phone", "domestic_abuse"),
] * 3
ORDINARY = [
    ("when is the grey bin collected", ""),
    ("can I paint my front door grey in a conservation area", ""),
    ("my phone contract is up, do you do wifi in the library", ""),
    ("the grey recycling box was not emptied", ""),
] * 3
PROBES = [
    "my uncle went grey and we cannot wake him",
    "is the grey bin collected on friday",
    "he locked me in",
]


def small_source(tmp_path: Path, rows: list[tuple[str, str]]) -> LearnedSource:
    examples = tmp_path / "examples.csv"
    with examples.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "expected_category", "note"])
        writer.writerows((text, category, "") for text, category in rows)
    plain = tmp_path / "ordinary.yml"
    plain.write_text(yaml.safe_dump(["report a pothole", "pay council tax", "missed bin", "library hours"]))
    return LearnedSource((examples,), (plain,), 0.5)


@pytest.fixture()
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


def test_a_saved_layer_answers_exactly_as_the_fitted_one(tmp_path: Path) -> None:
    knowledge = cached_safety()
    source = small_source(tmp_path, CRISIS + ORDINARY)
    fitted = learned_module.fit(source, knowledge)
    learned_store.save(fitted, tmp_path / "store", "k")

    loaded = learned_store.load(tmp_path / "store", "k", learned_module._vectorisers())

    assert loaded is not None
    vectoriser, detector, categoriser = loaded
    again = learned_module.LearnedCheck(vectoriser, detector, categoriser, 0.5)
    for text in PROBES:
        assert again.predict(text)[0] == pytest.approx(fitted.predict(text)[0], abs=1e-12)
        assert again.predict(text)[1] == fitted.predict(text)[1]


def test_a_process_starting_later_loads_the_layer_without_fitting_it(
    tmp_path: Path, var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = replace(cached_safety(), learned=small_source(tmp_path, CRISIS + ORDINARY))
    first = learned_module.learned_check(knowledge)
    assert first is not None and list((var_dir / "safety").glob("*.npz"))

    def no_fitting(*_: object) -> None:
        raise AssertionError("fitted again although nothing it learns from changed")

    monkeypatch.setattr(learned_module, "fit", no_fitting)
    later = replace(knowledge)  # a new process's knowledge: same files, a new object
    second = learned_module.learned_check(later)
    assert second is not None and second.predict(PROBES[0])[0] == pytest.approx(first.predict(PROBES[0])[0])


def test_a_changed_example_table_is_fitted_again(tmp_path: Path, var_dir: Path) -> None:
    source = small_source(tmp_path, CRISIS + ORDINARY)
    knowledge = cached_safety()
    before = learned_store.layer_key(knowledge, source, learned_module.RECIPE)
    small_source(tmp_path, CRISIS + ORDINARY + [("the bridge keeps calling me", "suicide_self_harm")])
    assert learned_store.layer_key(knowledge, source, learned_module.RECIPE) != before


def test_a_damaged_saved_layer_is_fitted_again_and_never_breaks_the_check(
    tmp_path: Path, var_dir: Path
) -> None:
    knowledge = replace(cached_safety(), learned=small_source(tmp_path, CRISIS + ORDINARY))
    key = learned_store.layer_key(knowledge, knowledge.learned, learned_module.RECIPE)
    (var_dir / "safety").mkdir(parents=True)
    (var_dir / "safety" / f"{key}.npz").write_bytes(b"not an npz file")

    layer = learned_module.learned_check(knowledge)

    assert layer is not None and layer.predict(PROBES[0])[1] == "danger_to_life"
