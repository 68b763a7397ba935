"""`here-to-help train` and `here-to-help route`, end to end through a real Rasa model.

The session's `trained_model` fixture trains once from the demo directory; the directory-change test copies
that database, so the shared model is left as it was.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import _register, app
from bot.db import make_engine, session_scope
from bot.directory.lgsl import lgsl_catalogue
from bot.directory.models import Organisation, Service, ServiceLgsl, ServicePhrase
from bot.routing.parse import load_parser
from bot.routing.training import (
    guessed_codes_in_model,
    model_is_stale,
    router_meta_in_model,
    stored_fingerprint,
    training_fingerprint,
)
from bot.settings import get_settings

pytestmark = pytest.mark.rasa

runner = CliRunner(mix_stderr=False)
if not any(command.name == "route" for command in app.registered_commands):
    _register()


def cli(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result


def route_json(text: str) -> dict:
    result = cli("route", text, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def is_waste(codes: list[int]) -> bool:
    catalogue = lgsl_catalogue()
    return any("waste" in catalogue[code].nav_path.lower() for code in codes if code in catalogue)


def test_a_resident_whose_bin_was_not_collected_is_routed_to_a_waste_service(trained_model) -> None:
    answer = route_json("my bin wasn't collected")

    assert answer["services"], "the demo directory has bin services: something must be ranked"
    top = answer["services"][0]
    assert is_waste(top["lgsl_codes"]), f"expected a waste service first, got {top['name']}"
    assert set(top) >= {"service_id", "name", "lgsl_codes", "score", "confidence"}
    assert isinstance(answer["service_threshold"], float)


def test_route_prints_a_readable_table_for_people(trained_model) -> None:
    result = cli("route", "there is a pothole outside my house")

    assert result.exit_code == 0, result.stderr
    assert "Ranked services" in result.stdout
    assert "threshold" in result.stdout


def test_a_freshly_trained_model_is_not_stale(trained_model) -> None:
    assert stored_fingerprint(trained_model.models_dir) == training_fingerprint()
    assert not model_is_stale(trained_model.models_dir)


def test_the_model_parses_from_any_working_directory(
    trained_model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    parser = load_parser(trained_model.models_dir)
    result = parser.parse("my bins were not emptied, I'm at SG13 7DN")
    parser.close()

    assert result["services"], "the router inside the model must answer from another directory"
    assert ("POSTCODE", "SG13 7DN") in {(e["entity"], e["value"]) for e in result["entities"]}


async def test_the_parser_works_from_inside_a_running_event_loop(trained_model) -> None:
    parser = load_parser(trained_model.models_dir)
    sync_result = parser.parse("council tax bill")
    async_result = await parser.parse_async("council tax bill")
    ranked = parser.rank("council tax bill", k=2)
    parser.close()

    assert sync_result["services"] == async_result["services"]
    assert [c.service_id for c in ranked] == [s["service_id"] for s in sync_result["services"][:2]]


def add_service(
    database_url: str,
    phrase: str,
    service_id: str = "dragon-control",
    name: str = "Dragon control",
    codes: tuple[int, ...] = (524,),
) -> None:
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        council = session.query(Organisation).filter_by(is_host=True).first()
        service = Service(id=service_id, name=name, organisation=council)
        service.phrases = [ServicePhrase(phrase=phrase, position=0)]
        service.lgsl_codes = [ServiceLgsl(code=code) for code in codes]
        session.add(service)
    engine.dispose()


def copy_of_the_trained_directory(trained_model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the session's database and models (same VAR_DIR, so Rasa's cache is reused)."""
    database = tmp_path / "changed.db"
    shutil.copy(trained_model.database_url.split("///", 1)[1], database)
    models_dir = tmp_path / "models"
    shutil.copytree(trained_model.models_dir, models_dir)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("MODELS_DIR", str(models_dir))
    get_settings.cache_clear()
    return database


def test_a_directory_change_then_train_changes_routing_despite_rasas_cache(
    trained_model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa's cache would reuse the old router (same config, same NLU data); the fingerprint prevents it."""
    database = copy_of_the_trained_directory(trained_model, tmp_path, monkeypatch)
    models_dir = tmp_path / "models"
    message = "a dragon is nesting on the roof of my shed"
    assert not model_is_stale(models_dir)
    assert "dragon-control" not in [s["service_id"] for s in route_json(message)["services"]]

    add_service(f"sqlite:///{database}", "dragon nesting on my shed roof")
    assert model_is_stale(models_dir)
    started = time.perf_counter()
    result = cli("train")
    retrain_seconds = time.perf_counter() - started

    assert result.exit_code == 0, result.stderr
    print(f"\nretrain after a directory change: {retrain_seconds:.1f} s")
    assert route_json(message)["services"][0]["service_id"] == "dragon-control"
    assert not model_is_stale(models_dir)
    get_settings.cache_clear()


def test_a_fully_tagged_directory_trains_a_router_that_guessed_no_codes(trained_model) -> None:
    meta = router_meta_in_model(trained_model.model_path)
    assert meta is not None, "the model archive holds no router.json"
    assert meta["guessed_lgsl_codes"] == {}


def test_train_tells_an_officer_which_untagged_services_learnt_a_guessed_code(
    trained_model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service the council did not tag still learns residents' words; `train` says so, to get it tagged."""
    database = copy_of_the_trained_directory(trained_model, tmp_path, monkeypatch)
    name = "Seafront lifeguards and beach wardens"
    add_service(f"sqlite:///{database}", "lifeguard on the beach", "beach-wardens", name, codes=())

    result = cli("train")

    assert result.exit_code == 0, result.stderr
    assert "1 service without an LGSL code" in result.stdout
    assert f"  {name}: " in result.stdout
    assert list(guessed_codes_in_model(tmp_path / "models" / "here-to-help.tar.gz")) == ["beach-wardens"]
    get_settings.cache_clear()


def test_training_with_an_empty_directory_explains_what_to_do(
    trained_model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.db import migrate

    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate(empty)
    empty.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("MODELS_DIR", str(tmp_path / "models"))
    get_settings.cache_clear()

    result = cli("train")

    assert result.exit_code == 1
    assert "import a directory first: here-to-help directory import data/directory" in result.stderr
    assert not (tmp_path / "models" / "here-to-help.tar.gz").exists()
    get_settings.cache_clear()


def test_a_model_trained_by_other_code_fails_to_load_with_what_to_do(trained_model, tmp_path: Path) -> None:
    import tarfile

    from bot.routing.parse import ModelLoadError

    unpacked = tmp_path / "unpacked"
    with tarfile.open(trained_model.model_path) as archive:
        archive.extractall(unpacked)
    routers = [p for p in unpacked.rglob("*") if p.is_file() and "ServiceRouterComponent" in str(p.parent)]
    assert routers, "the router must be stored inside the model archive"
    for stored in routers:
        if stored.name != "service_router.json":
            stored.write_bytes(b"written by some other version")
    broken = tmp_path / "models" / "here-to-help.tar.gz"
    broken.parent.mkdir()
    with tarfile.open(broken, "w:gz") as archive:
        for item in sorted(unpacked.iterdir()):
            archive.add(item, arcname=item.name)

    with pytest.raises(ModelLoadError, match="run `here-to-help train`"):
        load_parser(broken.parent)
