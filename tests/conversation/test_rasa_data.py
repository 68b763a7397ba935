"""The hand-written conversation data passes Rasa's own validation, warnings included (about 25 s)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RASA = Path(sys.executable).with_name("rasa")
CONVERSATION_DATA = ["data/nlu.yml", "data/rules.yml", "data/stories.yml"]


@pytest.mark.rasa
def test_domain_and_training_data_validate_without_warnings() -> None:
    result = subprocess.run(
        [
            str(RASA),
            "data",
            "validate",
            "--fail-on-warnings",
            "--domain",
            "domain.yml",
            "--data",
            *CONVERSATION_DATA,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
