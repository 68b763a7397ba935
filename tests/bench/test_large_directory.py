"""The generated large directory: exactly the size asked for, the same every time, and importable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import large_directory
from bench.run import render_large
from bot.directory.importers import validate_directory

pytestmark = pytest.mark.skipif(
    not large_directory.ORUK_SERVICES.is_file(), reason="the shared reference data is not on this machine"
)


def _services(folder: Path) -> list[dict]:
    services = []
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        services.extend(document["contents"] if isinstance(document, dict) else document)
    return services


@pytest.mark.parametrize("extra", [0, 40, 1700])
def test_the_directory_has_exactly_the_services_asked_for_and_validates(tmp_path: Path, extra: int) -> None:
    size = large_directory.demo_service_count() + extra
    folder = large_directory.write_large_directory(size, tmp_path / "directory")
    services = _services(folder)
    assert len(services) == len({service["id"] for service in services}) == size
    result = validate_directory(folder)
    assert result.ok, result.errors[:3]
    assert len(result.parsed.services) == size
    if extra > 1556:  # past the Open Referral UK services: other councils' pages, tagged with their code
        tagged = [
            s for s in services[-10:] if any("esdServiceTypes" in json.dumps(a) for a in s["attributes"])
        ]
        assert tagged


def test_the_same_size_gives_the_same_files(tmp_path: Path) -> None:
    size = large_directory.demo_service_count() + 1600
    first = large_directory.write_large_directory(size, tmp_path / "a")
    second = large_directory.write_large_directory(size, tmp_path / "b")
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(path.name for path in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_directory_smaller_than_the_demo_is_refused(tmp_path: Path) -> None:
    with pytest.raises(large_directory.NotEnoughData, match="demo"):
        large_directory.write_large_directory(5, tmp_path)


def test_the_training_table_has_a_row_per_directory_with_its_goal() -> None:
    figures = {
        "services": 1757,
        "scratch": {"seconds": 99.5, "peak_mb": 2100},
        "changed": {"seconds": 80.1, "peak_mb": 2000},
        "routing": {"top1": 0.8, "top3": 0.9, "unmet_precision": 0.7, "unmet_recall": 0.8},
    }
    text = "\n".join(render_large({"demo": {**figures, "services": 256}, "1712": figures}))
    assert "| demo | 256 | 99.5 / 2,100 | 80.1 / 2,000 | 0.800 | 0.900 | 0.700 / 0.800 | <= 60 s |" in text
    assert "| generated, 1712 | 1757 |" in text and "<= 2,500 MB" in text
