"""The reference router is kept between training runs, keyed by the code that fitted it, and never trusted
blindly: a missing, stale or unreadable cache is fitted again."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.routing.fit_cache as fit_cache
from bot.routing.router import Router
from tests.routing.directory_fixtures import lgsl_only_directory


@pytest.fixture()
def fits(monkeypatch: pytest.MonkeyPatch) -> list[Router]:
    """Stands in for fitting the real reference router (half a minute): a small one, counted."""
    fitted: list[Router] = []

    def fit() -> Router:
        router = Router().fit(lgsl_only_directory(), guess_codes=False)
        fitted.append(router)
        return router

    monkeypatch.setattr(fit_cache, "default_reference_router", fit)
    return fitted


def test_the_reference_router_is_fitted_once_then_read_back_with_the_same_rankings(
    tmp_path: Path, fits: list[Router]
) -> None:
    first = fit_cache.reference_router(tmp_path)
    second = fit_cache.reference_router(tmp_path)
    assert len(fits) == 1
    for text in ("street light out", "pothole", "what's the weather"):
        assert second.rank(text, k=3) == first.rank(text, k=3)
    saved = [path.name for path in tmp_path.rglob("*") if path.is_file()]
    assert saved and all(name.endswith((".json", ".npy", ".npz")) for name in saved), saved


def test_a_change_to_the_routing_code_fits_it_again_and_drops_the_old_one(
    tmp_path: Path, fits: list[Router], monkeypatch: pytest.MonkeyPatch
) -> None:
    fit_cache.reference_router(tmp_path)
    monkeypatch.setattr(fit_cache, "code_fingerprint", lambda: "f" * 64)
    fit_cache.reference_router(tmp_path)
    assert len(fits) == 2
    kept = [path.name for path in tmp_path.iterdir() if path.name.startswith(fit_cache.REFERENCE_PREFIX)]
    assert kept == [fit_cache.REFERENCE_PREFIX + "f" * 16]


def test_an_unreadable_cache_is_fitted_again(tmp_path: Path, fits: list[Router]) -> None:
    fit_cache.reference_router(tmp_path)
    (folder,) = [path for path in tmp_path.iterdir() if path.name.startswith(fit_cache.REFERENCE_PREFIX)]
    (folder / "router.json").write_text("{not json", encoding="utf-8")
    router = fit_cache.reference_router(tmp_path)
    assert len(fits) == 2
    assert router.rank("street light out", k=1)
    assert fit_cache.reference_router(tmp_path).rank("pothole", k=1) == router.rank("pothole", k=1)
    assert len(fits) == 2


def test_without_a_folder_nothing_is_written(fits: list[Router]) -> None:
    assert fit_cache.reference_router(None).rank("pothole", k=1)
    assert len(fits) == 1
