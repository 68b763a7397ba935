"""`here-to-help train`: everything between the directory database and a Rasa model in MODELS_DIR.

Steps, each cheap when nothing changed:

1. build the spaCy pipeline under `VAR_DIR/spacy/` (`bot.routing.spacy_pipeline`);
2. read the directory (DATABASE_URL) and fail clearly when it is missing or empty;
3. write a generated Rasa config, `VAR_DIR/rasa/config.yml`: the project's `config.yml` with the directory
   fingerprint put into `ServiceRouterComponent`'s settings, so Rasa's training cache retrains the router
   (and only the router) when the directory changes;
4. `rasa.model_training.train` in-process into `MODELS_DIR/here-to-help.tar.gz`, with Rasa's graph cache
   under `VAR_DIR/rasa/cache` (not `.rasa/` in whatever directory the command was started from);
5. write `MODELS_DIR/here-to-help.fingerprint.json` beside the model, so `model_is_stale()` can tell
   `make run` whether it needs to train at all;
6. read back from the model the LGSL codes the router guessed for untagged services (`code_guess`), so the
   command can tell an officer which services to tag.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bot import PROJECT_ROOT
from bot.settings import get_settings

MODEL_NAME = "here-to-help"
MODEL_FILE = f"{MODEL_NAME}.tar.gz"
FINGERPRINT_FILE = f"{MODEL_NAME}.fingerprint.json"
COMPONENT_NAME = "bot.routing.rasa_component.ServiceRouterComponent"
CONFIG_FILE = PROJECT_ROOT / "config.yml"
DATA_DIR = PROJECT_ROOT / "data"
EXCLUDED_DATA_DIRS = ("directory", "safety", "eval")
"""Not Rasa training data: `data/directory/` holds the demo directory (HSDS JSON/CSV), `data/safety/` the
crisis numbers and vocabulary (read when the model loads, docs/safety.md), `data/eval/` evaluation sets."""
ROUTING_CODE_DIR = Path(__file__).resolve().parent
DIRECTORY_CODE_DIR = ROUTING_CODE_DIR.parent / "directory"
REFERENCE_DATA_DIR = DIRECTORY_CODE_DIR / "reference"
"""The LGSL list and GOV.UK's tier table: labels and code guesses are learnt from them."""
ROUTER_INPUT_MODULES = ("snapshot.py", "national.py", "lgsl.py")
"""Directory modules that decide what the router is trained on."""
NOT_IN_MODEL = frozenset({"evaluate.py", "explain.py", "parse.py", "training.py"})
"""Routing modules that read or build models but do not shape what a trained model answers."""
"""The router's code and lexicon: a change to them changes what a trained router does, so it is stale."""


class TrainingError(RuntimeError):
    """Training could not run or failed; the message says why and what to do."""


@dataclass(frozen=True)
class TrainingInputs:
    """The files one training run reads, so the fingerprint and the trainer can never disagree about them."""

    config: Path
    domain: Path
    training_files: tuple[Path, ...]


@dataclass(frozen=True)
class TrainingOutcome:
    model_path: Path
    fingerprint: str
    directory_fingerprint: str
    services: int
    seconds: float
    guessed_codes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Service id → the LGSL code its router learnt because the directory gave it none."""


def project_inputs() -> TrainingInputs:
    """The project's config, domain (file or folder) and Rasa data files (everything but data/directory)."""
    domain = PROJECT_ROOT / "domain.yml"
    if not domain.exists() and (PROJECT_ROOT / "domain").is_dir():
        domain = PROJECT_ROOT / "domain"
    return TrainingInputs(config=CONFIG_FILE, domain=domain, training_files=tuple(rasa_data_files(DATA_DIR)))


def rasa_data_files(data_dir: Path) -> list[Path]:
    """The YAML training files under `data_dir`, sorted, leaving out the directory import folders."""
    if not data_dir.is_dir():
        return []
    files = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if relative.parts and relative.parts[0] in EXCLUDED_DATA_DIRS:
            continue
        if path.is_file() and path.suffix in (".yml", ".yaml"):
            files.append(path)
    return files


def _files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return []


def _hash_files(digest: Any, paths: Iterable[Path]) -> None:
    for path in paths:
        try:
            name = str(path.relative_to(PROJECT_ROOT))
        except ValueError:
            name = str(path)
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")


def model_code_files() -> list[Path]:
    """The routing code and lexicon files whose content ends up shaping the trained model."""
    suffixes = (".py", ".csv", ".yml", ".yaml", ".json", ".txt")
    routing = [
        path
        for path in _files_under(ROUTING_CODE_DIR)
        if path.suffix in suffixes and path.name not in NOT_IN_MODEL
    ]
    directory = [DIRECTORY_CODE_DIR / name for name in ROUTER_INPUT_MODULES]
    return [*routing, *_files_under(REFERENCE_DATA_DIR), *(path for path in directory if path.is_file())]


def current_directory_fingerprint(database_url: str | None = None) -> tuple[str, int]:
    """The directory's fingerprint and service count; DirectoryEmptyError when there is nothing to train."""
    from bot.directory.snapshot import directory_fingerprint
    from bot.routing.directory_source import read_directory

    entries = read_directory(database_url)
    return directory_fingerprint(entries), len(entries)


def training_fingerprint(
    inputs: TrainingInputs | None = None, *, directory_fingerprint: str | None = None
) -> str:
    """One sha256 over everything a trained model depends on: directory, config, domain, training data,
    the spaCy pipeline's rules and the routing code. Equal fingerprints mean retraining would change nothing.
    """
    from bot.routing.contact_rules import BUILD_VERSION

    rasa_version = version("rasa")

    inputs = inputs or project_inputs()
    if directory_fingerprint is None:
        directory_fingerprint, _ = current_directory_fingerprint()
    digest = hashlib.sha256()
    digest.update(f"rasa={rasa_version}|spacy={BUILD_VERSION}|directory={directory_fingerprint}|".encode())
    _hash_files(digest, [inputs.config, *_files_under(inputs.domain), *inputs.training_files])
    _hash_files(digest, model_code_files())
    return digest.hexdigest()


def model_path(models_dir: Path | None = None) -> Path:
    return (models_dir or get_settings().models_dir) / MODEL_FILE


def _fingerprint_path(models_dir: Path | None = None) -> Path:
    return (models_dir or get_settings().models_dir) / FINGERPRINT_FILE


def stored_fingerprint(models_dir: Path | None = None) -> str | None:
    """The fingerprint recorded when the model in `models_dir` was trained, if any."""
    path = _fingerprint_path(models_dir)
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError):
        return None


def model_is_stale(models_dir: Path | None = None) -> bool:
    """True when there is no trained model or anything it was trained from has changed since.

    An unreadable directory database also counts as stale: training will then say what is wrong.
    """
    from bot.routing.directory_source import DirectoryEmptyError

    if not model_path(models_dir).is_file():
        return True
    try:
        current = training_fingerprint()
    except DirectoryEmptyError:
        return True
    return stored_fingerprint(models_dir) != current


def code_fingerprint() -> str:
    """A sha256 of the routing code and lexicon (`model_code_files`)."""
    digest = hashlib.sha256()
    _hash_files(digest, model_code_files())
    return digest.hexdigest()


def write_generated_config(
    config: Path, directory_fingerprint: str, target: Path, router_code_fingerprint: str | None = None
) -> Path:
    """Copy `config` to `target`, adding the directory's and the routing code's fingerprints to
    ServiceRouterComponent's settings: Rasa's cache sees neither the database nor our code, only config."""
    from rasa.shared.utils.io import read_yaml_file, write_yaml

    content = read_yaml_file(str(config)) or {}
    pipeline = content.get("pipeline") or []
    routers = [step for step in pipeline if str(step.get("name", "")).endswith("ServiceRouterComponent")]
    if not routers:
        raise TrainingError(
            f"{config} has no {COMPONENT_NAME} in its pipeline: nothing would route services."
        )
    for step in routers:
        step["directory_fingerprint"] = directory_fingerprint
        step["code_fingerprint"] = router_code_fingerprint or code_fingerprint()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_yaml(content, target)
    return target


def _quiet_rasa() -> None:
    """No telemetry calls (no internet here), no user text in logs, Rasa's cache under VAR_DIR."""
    import logging

    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["RASA_CACHE_DIRECTORY"] = str(get_settings().var_dir / "rasa" / "cache")
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)


def train(
    *, force: bool = False, inputs: TrainingInputs | None = None, models_dir: Path | None = None
) -> TrainingOutcome:
    """Train the Rasa model from the directory database into MODELS_DIR; see the module docstring.

    `force` ignores Rasa's training cache (every component retrains). Raises `DirectoryEmptyError` when the
    directory is missing or empty and `TrainingError` when Rasa fails.
    """
    from bot.routing.spacy_pipeline import ensure_pipeline

    started = time.perf_counter()
    settings = get_settings()
    inputs = inputs or project_inputs()
    models_dir = models_dir or settings.models_dir
    for required in (inputs.config, inputs.domain):
        if not required.exists():
            raise TrainingError(f"{required} is missing: it is needed to train the assistant.")
    if not inputs.training_files:
        raise TrainingError(f"No Rasa training data (*.yml) found under {DATA_DIR}.")

    directory_fp, services = current_directory_fingerprint()
    ensure_pipeline()
    fingerprint = training_fingerprint(inputs, directory_fingerprint=directory_fp)
    generated = write_generated_config(inputs.config, directory_fp, settings.var_dir / "rasa" / "config.yml")

    _quiet_rasa()
    from rasa.model_training import train as rasa_train

    models_dir.mkdir(parents=True, exist_ok=True)
    try:
        result = rasa_train(
            domain=str(inputs.domain),
            config=str(generated),
            training_files=[str(path) for path in inputs.training_files],
            output=str(models_dir),
            force_training=force,
            fixed_model_name=MODEL_NAME,
        )
    except SystemExit as error:  # Rasa exits on invalid data instead of raising
        raise TrainingError(
            f"Rasa refused the training data (exit code {error.code}); see the messages above."
        ) from None
    if result.code != 0 or not result.model:
        raise TrainingError(f"Rasa training failed (code {result.code}); see the messages above.")

    path = Path(result.model)
    record = {
        "fingerprint": fingerprint,
        "directory_fingerprint": directory_fp,
        "services": services,
        "model": path.name,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    _fingerprint_path(models_dir).write_text(json.dumps(record, indent=2), encoding="utf-8")
    seconds = time.perf_counter() - started
    return TrainingOutcome(path, fingerprint, directory_fp, services, seconds, guessed_codes_in_model(path))


def guessed_codes_in_model(model: Path) -> dict[str, tuple[int, ...]]:
    """The codes the trained router guessed for untagged services (`code_guess`), from the model archive
    (empty for a model without a router, or one trained before guesses were recorded)."""
    meta = router_meta_in_model(model) or {}
    guessed = meta.get("guessed_lgsl_codes") or {}
    return {service_id: tuple(codes) for service_id, codes in guessed.items()}


def router_meta_in_model(model: Path) -> dict[str, Any] | None:
    """The router's JSON summary (`router.json`) inside a trained model archive, or None without one."""
    from bot.routing.router import META_FILE

    component = COMPONENT_NAME.rsplit(".", 1)[-1]
    with tarfile.open(model, "r:gz") as archive:
        for member in archive.getmembers():
            folder, _, name = member.name.rpartition("/")
            handle = archive.extractfile(member) if name == META_FILE and component in folder else None
            if handle is not None:
                return json.load(handle)
    return None
