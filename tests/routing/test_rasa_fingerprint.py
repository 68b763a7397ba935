"""What makes a trained model stale, and what makes Rasa's training cache retrain the router.

Rasa fingerprints config and training data only; the directory database and the router's code reach it
through the generated config. These tests need no training.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.routing import training
from bot.routing.training import TrainingError, write_generated_config


def router_settings(path: Path) -> dict:
    pipeline = yaml.safe_load(path.read_text())["pipeline"]
    return next(step for step in pipeline if step["name"].endswith("ServiceRouterComponent"))


def test_the_generated_config_carries_the_directory_and_code_fingerprints(tmp_path: Path) -> None:
    generated = write_generated_config(training.CONFIG_FILE, "d" * 64, tmp_path / "config.yml")

    settings = router_settings(generated)
    assert settings["directory_fingerprint"] == "d" * 64
    assert settings["code_fingerprint"] == training.code_fingerprint()
    original = yaml.safe_load(training.CONFIG_FILE.read_text())
    assert [step["name"] for step in yaml.safe_load(generated.read_text())["pipeline"]] == [
        step["name"] for step in original["pipeline"]
    ]


def test_editing_the_router_code_changes_what_rasa_sees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "router.py"
    code.write_text("WEIGHT = 1\n")
    monkeypatch.setattr(training, "model_code_files", lambda: [code])
    before = router_settings(write_generated_config(training.CONFIG_FILE, "d" * 64, tmp_path / "a.yml"))

    code.write_text("WEIGHT = 2\n")
    after = router_settings(write_generated_config(training.CONFIG_FILE, "d" * 64, tmp_path / "b.yml"))

    assert before["code_fingerprint"] != after["code_fingerprint"]
    assert before["directory_fingerprint"] == after["directory_fingerprint"]


def test_a_config_without_the_router_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("recipe: default.v1\nlanguage: en\npipeline:\n  - name: WhitespaceTokenizer\n")

    with pytest.raises(TrainingError, match="ServiceRouterComponent"):
        write_generated_config(config, "d" * 64, tmp_path / "generated.yml")


def test_the_fingerprint_ignores_code_that_does_not_shape_the_model() -> None:
    names = {path.name for path in training.model_code_files()}

    assert "router.py" in names and "rasa_component.py" in names
    assert not names & {"parse.py", "training.py", "evaluate.py"}


def test_rasa_data_files_leave_out_the_demo_directory_and_the_safety_data(tmp_path: Path) -> None:
    (tmp_path / "directory" / "source").mkdir(parents=True)
    (tmp_path / "directory" / "source" / "county.yml").write_text("services: []\n")
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety" / "crisis_lines.yml").write_text("lines: {}\n")
    (tmp_path / "nlu.yml").write_text("version: '3.1'\n")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "fallback.yaml").write_text("version: '3.1'\n")

    assert training.rasa_data_files(tmp_path) == [tmp_path / "nlu.yml", tmp_path / "rules" / "fallback.yaml"]
