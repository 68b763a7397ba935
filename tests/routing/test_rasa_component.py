"""ServiceRouterComponent on its own: trained from a tiny directory database, fed hand-built Rasa messages.

No `rasa train` here: the component is created, trained, persisted and loaded the way Rasa's graph does it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.directory.models import Organisation, Service, ServiceLgsl, ServicePhrase
from bot.routing.rasa_component import (
    SERVICE_THRESHOLD,
    SERVICES,
    DirectoryEmptyError,
    ServiceRouterComponent,
    ServiceRouterLoadError,
)
from bot.settings import get_settings

TINY_DIRECTORY = [
    ("waste", "Bin collections", 524, ["my bin was not emptied", "missed bin collection", "wheelie bin"]),
    ("potholes", "Report a pothole", 557, ["pothole in the road", "road surface damaged"]),
    ("council-tax", "Council Tax", 58, ["pay my council tax", "council tax bill"]),
]


def fill_directory(engine: Engine, services=TINY_DIRECTORY) -> None:
    with session_scope(engine) as session:
        council = session.get(Organisation, "council") or Organisation(
            id="council", name="Brackenford District Council", kind="district", is_host=True
        )
        session.add(council)
        for service_id, name, code, phrases in services:
            service = Service(id=service_id, name=name, organisation=council)
            service.phrases = [ServicePhrase(phrase=text, position=i) for i, text in enumerate(phrases)]
            service.lgsl_codes = [ServiceLgsl(code=code)]
            session.add(service)


@pytest.fixture
def directory(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """DATABASE_URL points at a migrated SQLite database holding the three services above."""
    fill_directory(sqlite_engine)
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield sqlite_engine
    get_settings.cache_clear()


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model")


def trained(storage_dir: Path) -> tuple[ServiceRouterComponent, LocalModelStorage, Resource]:
    storage_dir.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(storage_dir)
    resource = Resource("service_router")
    component = ServiceRouterComponent.create({}, storage, resource, context())
    component.train(TrainingData())
    return component, storage, resource


def parsed(component: ServiceRouterComponent, text: str) -> dict:
    message = Message.build(text=text)
    component.process([message])
    return message.as_dict(only_output_properties=True)


def test_a_missed_bin_is_routed_to_the_waste_service_and_reaches_the_parse_output(
    directory: Engine, tmp_path: Path
) -> None:
    component, _, _ = trained(tmp_path / "storage")

    output = parsed(component, "nobody emptied my bin this week")

    assert output[SERVICES], "services must be an output property, or actions never see them"
    assert output[SERVICES][0]["service_id"] == "waste"
    assert set(output[SERVICES][0]) >= {"service_id", "name", "lgsl_codes", "score", "confidence"}
    assert output[SERVICES][0]["lgsl_codes"] == [524]
    assert 0.0 <= output[SERVICE_THRESHOLD] <= 1.0


def test_the_router_is_stored_in_the_model_and_ranks_the_same_after_loading(
    directory: Engine, tmp_path: Path
) -> None:
    component, storage, resource = trained(tmp_path / "storage")
    directory.dispose()
    Path(directory.url.database).unlink()  # the loaded model must not need the database

    loaded = ServiceRouterComponent.load({}, storage, resource, context())

    for text in ("there is a pothole in the road outside", "how do I pay my council tax"):
        assert parsed(loaded, text)[SERVICES] == parsed(component, text)[SERVICES]
    assert parsed(loaded, "pothole in the road")[SERVICES][0]["service_id"] == "potholes"
    assert loaded.fingerprint == component.fingerprint is not None


def test_a_button_payload_or_an_empty_message_gets_no_services(directory: Engine, tmp_path: Path) -> None:
    component, _, _ = trained(tmp_path / "storage")

    assert parsed(component, '/choose_service{"service_id": "waste"}')[SERVICES] == []
    assert parsed(component, "   ")[SERVICES] == []


def test_a_5000_character_message_is_routed_without_error(directory: Engine, tmp_path: Path) -> None:
    component, _, _ = trained(tmp_path / "storage")
    text = ("my wheelie bin was not emptied again " * 200)[:5000]

    assert parsed(component, text)[SERVICES][0]["service_id"] == "waste"


def test_training_on_an_empty_directory_says_to_import_one_first(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    component = ServiceRouterComponent.create({}, LocalModelStorage(tmp_path), Resource("r"), context())

    with pytest.raises(DirectoryEmptyError, match="here-to-help directory import data/directory"):
        component.train(TrainingData())
    get_settings.cache_clear()


def test_training_without_a_database_file_says_to_import_one_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    get_settings.cache_clear()
    component = ServiceRouterComponent.create({}, LocalModelStorage(tmp_path), Resource("r"), context())

    with pytest.raises(DirectoryEmptyError, match="does not exist"):
        component.train(TrainingData())
    assert not missing.exists(), "a failed training must not create an empty database"
    get_settings.cache_clear()


def test_a_model_without_a_trained_router_loads_and_routes_nothing(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    loaded = ServiceRouterComponent.load({}, storage, Resource("never-trained"), context())

    assert parsed(loaded, "my bin was not emptied")[SERVICES] == []
    assert parsed(loaded, "my bin was not emptied")[SERVICE_THRESHOLD] == 1.0


def test_a_model_whose_router_cannot_be_read_refuses_to_load_and_says_retrain(
    directory: Engine, tmp_path: Path
) -> None:
    _, storage, resource = trained(tmp_path / "storage")
    for stored in (tmp_path / "storage" / resource.name).iterdir():
        if stored.name != "service_router.json":
            stored.write_bytes(b"not a router written by this code")

    with pytest.raises(ServiceRouterLoadError, match="here-to-help train"):
        ServiceRouterComponent.load({}, storage, resource, context())
