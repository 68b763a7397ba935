"""`here-to-help run`: everything `make run` brings up, from an empty checkout to three answering servers.

Steps, each a no-op when there is nothing to do:

0. check the reviewed safety data (data/safety/): a broken crisis file stops the start, naming the entry;
1. reach the database (failing fast: Rasa's SQL tracker store would otherwise retry forever) and migrate it;
2. import the demo directory from `data/directory/` when the directory has no services;
3. train when the model is missing or stale (`bot.routing.training.model_is_stale`);
4. keep a Rasa API token in VAR_DIR (unless RASA_TOKEN is set) and write `VAR_DIR/endpoints.yml`;
5. in development, create the `officer` and `staff` sign-ins once and show their generated passwords;
6. start the action server, Rasa and the web app, wait until each answers its health check, print the URLs;
7. keep them up: a server that dies is started again after a back-off while the others carry on, so the web
   app keeps giving residents the contact-centre number (`bot.supervisor.Backoff`);
8. on Ctrl-C or SIGTERM stop them all: SIGTERM, a grace period, then SIGKILL.

`--role` splits this for containers, where each server is its own service (compose.yaml, docs/deploying.md):
`prepare` does steps 0-3 and exits; `actions`, `rasa` and `web` check and reach the database, then start and
watch only that server, never importing or training (several replicas must not all train at once).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from bot import PROJECT_ROOT
from bot.private_files import open_private
from bot.rasa_endpoints import (
    EndpointsError,
    build_endpoints,
    describe_database,
    load_base,
    write_endpoints,
)
from bot.settings import Settings, get_settings
from bot.supervisor import ServiceError, ServiceSpec, Supervisor

DEMO_DIRECTORY = PROJECT_ROOT / "data" / "directory"
COMMITTED_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
DEV_USERS = {"officer": "officer", "staff": "staff"}
"""Development sign-ins created on first run: username -> role."""
DEFAULT_READY_TIMEOUT = 600.0
"""Seconds to wait for all servers to answer; Rasa loading its model on a busy 2-core machine is slowest."""
LOOPBACK_ALIASES = ("0.0.0.0", "::", "")
ROLES = ("all", "prepare", "actions", "rasa", "web")
"""What `run --role` does: everything (the default), only the one-shot preparation, or one server."""
SERVER_ROLES = {"actions": "action server", "rasa": "Rasa", "web": "web app"}
"""Each single-server role and the name of its `ServiceSpec`."""

RASA_LAUNCHER = (
    "import os, sys; from rasa.__main__ import main; "
    "sys.argv = ['rasa', *sys.argv[1:], '--auth-token', os.environ['RASA_TOKEN']]; main()"
)
"""Starts `rasa` with the token from the environment, so it never appears in the process list (`ps`)."""

Say = Callable[[str], None]


class RunError(RuntimeError):
    """A step before or while starting the servers failed; the message says what and what to do."""


class _StopRequested(Exception):
    """Raised in the main thread by our SIGINT/SIGTERM handler."""


def _say(message: str) -> None:
    print(message, flush=True)


@dataclass(frozen=True)
class Addresses:
    """Where each server listens, and the URLs people and the servers themselves use."""

    host: str
    rasa_port: int
    action_port: int
    web_port: int

    @property
    def reachable_host(self) -> str:
        """The address clients use: loopback when the servers listen on every interface."""
        return "127.0.0.1" if self.host in LOOPBACK_ALIASES else self.host

    def url(self, port: int, path: str = "") -> str:
        host = f"[{self.reachable_host}]" if ":" in self.reachable_host else self.reachable_host
        return f"http://{host}:{port}{path}"

    @property
    def web_origin(self) -> str:
        return self.url(self.web_port)

    @property
    def action_webhook(self) -> str:
        return self.url(self.action_port, "/webhook")

    @property
    def rasa_webhook(self) -> str:
        return self.url(self.rasa_port, "/webhooks/rest/webhook")

    @classmethod
    def from_settings(cls, settings: Settings) -> Addresses:
        return cls(settings.host, settings.rasa_port, settings.action_port, settings.web_port)


def is_development(settings: Settings) -> bool:
    """Development unless HERE_TO_HELP_ENV says production: only then are demo sign-ins made and shown."""
    return not settings.is_production


# -- step 0: the safety data ---------------------------------------------------------------------------------


def check_safety_data(settings: Settings, say: Say = _say) -> None:
    """Validate the crisis numbers and vocabulary before anything starts; a fault stops the start."""
    from bot.safety.catalogue import SafetyDataError, cached_safety

    try:
        knowledge = cached_safety(settings)
    except SafetyDataError as error:
        raise RunError(f"The safety data cannot be used: {error}") from None
    say(f"Safety check: {len(knowledge.categories)} crisis categories, {len(knowledge.lines)} numbers.")


def check_national_bodies(settings: Settings, say: Say = _say) -> None:
    """Validate the national signposting catalogue (part of every directory) before anything starts."""
    from bot.directory.national import NationalBodiesError, national_bodies

    try:
        bodies = national_bodies(settings.national_bodies_file)
    except NationalBodiesError as error:
        raise RunError(f"The national signposting catalogue cannot be used: {error}") from None
    say(f"National signposting catalogue: {len(bodies)} bodies.")


def check_council_area(settings: Settings, say: Say = _say) -> None:
    """Validate the council's area (COUNCIL_AREA_FILE, UK_PLACES_FILE) before anything starts: a broken file
    stops the start, naming the entry; an empty COUNCIL_AREA_FILE turns the out-of-area check off."""
    from bot.conversation.council_area import CouncilAreaError, load_council_area, project_path

    area_file = project_path(settings.council_area_file)
    if area_file is None:
        say("Council area: not set (COUNCIL_AREA_FILE is empty), so places outside it are not pointed out.")
        return
    try:
        area = load_council_area(area_file, project_path(settings.uk_places_file))
    except CouncilAreaError as error:
        raise RunError(f"The council area cannot be used: {error}") from None
    say(
        f"Council area: {len(area.postcode_districts)} postcode districts, {len(area.towns)} towns, "
        f"{len(area.places_elsewhere)} places elsewhere."
    )


# -- step 1: the database ------------------------------------------------------------------------------------


def prepare_database(database_url: str) -> Engine:
    """Check the database answers within seconds, then migrate it; raise RunError naming it otherwise."""
    from sqlalchemy import create_engine

    from bot.db import make_engine, migrate

    shown = describe_database(database_url)
    if not database_url.startswith("sqlite"):
        probe = create_engine(database_url, future=True, connect_args={"connect_timeout": 10})
        try:
            with probe.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            raise RunError(
                f"Cannot reach the database {shown}: {type(error).__name__}: {str(error).splitlines()[0]}\n"
                "Rasa's tracker store would wait for it forever, so nothing was started. "
                "Check DATABASE_URL and that the server is up."
            ) from error
        finally:
            probe.dispose()
    engine = make_engine(database_url)
    try:
        migrate(engine)
    except Exception as error:
        raise RunError(f"Could not bring the database {shown} up to date: {error}") from error
    return engine


# -- step 2: the directory -----------------------------------------------------------------------------------


def service_count(engine: Engine) -> int:
    from bot.directory.models import Service

    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Service)).scalar_one())


def ensure_directory(engine: Engine, say: Say = _say, source: Path = DEMO_DIRECTORY) -> int:
    """Import the demo directory when there are no services; returns how many services there are now."""
    count = service_count(engine)
    if count:
        say(f"Directory: {count} services already in the database.")
        return count
    from bot.directory.importers import ImportRejected, import_directory

    say(f"Directory: empty, importing the demo directory from {source} ...")
    try:
        import_directory(engine, source)
    except ImportRejected as error:
        raise RunError(
            f"The demo directory in {source} was rejected, nothing was imported:\n{error}"
        ) from error
    count = service_count(engine)
    if not count:
        raise RunError(f"Importing {source} left the directory empty: nothing for the assistant to signpost.")
    say(f"Directory: imported {count} services.")
    return count


# -- step 3: the model ---------------------------------------------------------------------------------------


def model_file(settings: Settings) -> Path:
    from bot.routing.training import model_path

    return model_path(settings.models_dir)


def needs_training(settings: Settings) -> bool:
    import warnings

    from bot.routing.training import model_is_stale

    with warnings.catch_warnings():
        # importing Rasa's stack prints pages of deprecation notices, and Rasa adds warning filters of its own
        warnings.showwarning = lambda *args, **kwargs: None
        return model_is_stale(settings.models_dir)


def ensure_model(settings: Settings, *, allow_training: bool, say: Say = _say) -> Path:
    """Train (in a child process, so TensorFlow never loads into this supervisor) when the model is stale."""
    model = model_file(settings)
    if not needs_training(settings):
        say(f"Model: {model} is up to date.")
        return model
    if not allow_training:
        if model.is_file():
            say(f"Model: {model} is older than the directory or training data; starting it anyway.")
            return model
        raise RunError(
            f"There is no trained model at {model}, and --no-train was given: run `make train` first."
        )
    say("Model: missing or out of date, training (a few minutes) ...")
    import subprocess

    command = [sys.executable, "-c", "from bot.cli import main; main()", "train"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=_base_environment(settings), check=False)
    if result.returncode != 0:
        raise RunError(f"Training failed (exit code {result.returncode}); its messages are above.")
    if not model.is_file():
        raise RunError(f"Training finished but {model} is not there.")
    say(f"Model: trained {model}.")
    return model


# -- step 4: token and endpoints -----------------------------------------------------------------------------


def ensure_rasa_token(settings: Settings) -> str:
    """RASA_TOKEN, or the token kept in VAR_DIR/secrets/rasa_token (created on first run)."""
    from bot.gaplog.local_secret import persisted_secret

    return persisted_secret("rasa_token", settings.rasa_token, settings.var_dir)


def shared_rasa_token(settings: Settings, role: str) -> str:
    """The token a single-server role uses: it must be given, since a token generated in one container's
    VAR_DIR would not be the one the other replicas and the web app use."""
    if role == "actions":
        return settings.rasa_token
    if not settings.rasa_token:
        raise RunError(
            f"--role {role} needs RASA_TOKEN: every Rasa replica and the web app must share one token, "
            "so set the same long random value for all of them."
        )
    return settings.rasa_token


def write_rasa_endpoints(settings: Settings, addresses: Addresses) -> tuple[Path, dict[str, str]]:
    """Write VAR_DIR/endpoints.yml; returns its path and the secrets Rasa needs in its environment."""
    try:
        endpoints = build_endpoints(
            settings.database_url,
            settings.action_url or addresses.action_webhook,
            settings.redis_url,
            base=load_base(COMMITTED_ENDPOINTS),
        )
    except EndpointsError as error:
        raise RunError(str(error)) from error
    path = write_endpoints(endpoints, settings.var_dir / "endpoints.yml")
    return path, endpoints.secrets


# -- step 5: development sign-ins ----------------------------------------------------------------------------


def ensure_dev_users(engine: Engine, settings: Settings) -> tuple[Path, dict[str, str]]:
    """Create the `officer` and `staff` sign-ins that do not exist yet, with generated passwords.

    Returns the file the details are kept in and the passwords created now (empty when all existed), so
    passwords are shown once, when they are made; the file (mode 0600) keeps them for the developer.
    """
    import secrets as token_source

    from bot.accounts.users import add_user, user_exists

    path = settings.var_dir / "dev-credentials.txt"
    created: dict[str, str] = {}
    for username, role in DEV_USERS.items():
        if user_exists(engine, username):
            continue
        password = token_source.token_urlsafe(12)
        add_user(engine, username, password, role)
        created[username] = password
    if created:
        with open_private(path, "a") as handle:
            for username, password in created.items():
                handle.write(f"{username} ({DEV_USERS[username]}): {password}\n")
    return path, created


# -- step 6: the servers -------------------------------------------------------------------------------------


def _base_environment(settings: Settings) -> dict[str, str]:
    """What every child needs to agree with us on: the same database, folders, URLs and token."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "VAR_DIR": str(settings.var_dir),
            "MODELS_DIR": str(settings.models_dir),
            "LOG_LEVEL": settings.log_level,
            "PYTHONUNBUFFERED": "1",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
    )
    # Rasa's dependencies print pages of DeprecationWarnings on import, which would bury the lines that
    # matter when a failing server's log is quoted
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    return env


def service_specs(
    settings: Settings,
    addresses: Addresses,
    *,
    token: str,
    endpoints: Path,
    secrets: dict[str, str],
    model: Path,
    rasa_url: str = "",
) -> list[ServiceSpec]:
    """The three servers, in start order: the action server, Rasa, the web app.

    The web app reaches the Rasa started beside it, unless `rasa_url` says where Rasa is instead (a proxy in
    front of several replicas)."""
    logs = settings.var_dir / "logs"
    env = _base_environment(settings)
    env.update({"RASA_URL": rasa_url or addresses.url(addresses.rasa_port), "RASA_TOKEN": token})
    sdk_verbosity = {"DEBUG": "--debug", "INFO": "--verbose"}.get(settings.log_level, "--quiet")
    action = ServiceSpec(
        name="action server",
        command=[
            sys.executable,
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(addresses.action_port),
        ]
        + [sdk_verbosity],
        port=addresses.action_port,
        health_url=addresses.url(addresses.action_port, "/health"),
        log_path=logs / "actions.log",
        cwd=PROJECT_ROOT,
        env={**env, "SANIC_HOST": addresses.host or "0.0.0.0"},
    )
    rasa = ServiceSpec(
        name="Rasa",
        command=[
            sys.executable,
            "-c",
            RASA_LAUNCHER,
            "run",
            "--enable-api",
            "--interface",
            addresses.host or "0.0.0.0",
            "--port",
            str(addresses.rasa_port),
            "--model",
            str(model),
            "--endpoints",
            str(endpoints),
            "--cors",
            addresses.web_origin,
        ]
        + (["--credentials", str(CREDENTIALS)] if CREDENTIALS.is_file() else []),
        port=addresses.rasa_port,
        health_url=addresses.url(addresses.rasa_port, f"/status?token={token}"),
        log_path=logs / "rasa.log",
        cwd=PROJECT_ROOT,
        env={**env, **secrets},
    )
    web = ServiceSpec(
        name="web app",
        command=[
            sys.executable,
            "-m",
            "uvicorn",
            "bot.web.app:create_app",
            "--factory",
            "--host",
            addresses.host or "0.0.0.0",
            "--port",
            str(addresses.web_port),
            "--log-level",
            settings.log_level.lower(),
            # no websockets: the app does not use them, and uvicorn's websockets support needs a newer
            # `websockets` than the one Rasa's Sanic pins
            "--ws",
            "none",
            # the app reads X-Forwarded-For itself, only from TRUSTED_PROXIES (bot.web.proxies); uvicorn's own
            # handling would believe anyone connecting from 127.0.0.1
            "--no-proxy-headers",
        ],
        port=addresses.web_port,
        health_url=addresses.url(addresses.web_port, "/healthz"),
        log_path=logs / "web.log",
        cwd=PROJECT_ROOT,
        env=env,
    )
    return [action, rasa, web]


def describe_running(addresses: Addresses, logs: Path) -> list[str]:
    return [
        "",
        "Here to Help is running:",
        f"  Resident demo page   {addresses.url(addresses.web_port, '/')}",
        f"  Staff lookup         {addresses.url(addresses.web_port, '/staff')}",
        f"  Officer review       {addresses.url(addresses.web_port, '/officer')}",
        f"  Rasa REST webhook    {addresses.rasa_webhook}",
        f"  Action server        {addresses.url(addresses.action_port, '/health')}",
        f"  Logs                 {logs}/",
    ]


# -- the whole run -------------------------------------------------------------------------------------------


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """Turn SIGINT/SIGTERM into `_StopRequested` in the main thread; a repeat while stopping is ignored."""
    stopping = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        if stopping.is_set():
            return
        stopping.set()
        raise _StopRequested(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopping
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run(
    *,
    role: str = "all",
    train: bool = True,
    check: bool = False,
    ready_timeout: float = DEFAULT_READY_TIMEOUT,
    settings: Settings | None = None,
    say: Say = _say,
) -> int:
    """Bring everything (or `role`'s part) up and keep it up until Ctrl-C or SIGTERM; returns the process exit
    code (0: stopped cleanly, or `prepare` finished)."""
    if role not in ROLES:
        say(f"error: unknown role {role!r}; choose one of {', '.join(ROLES)}")
        return 2
    if role in SERVER_ROLES:
        return run_server(role, ready_timeout=ready_timeout, settings=settings, say=say)
    started = time.monotonic()
    settings = settings or get_settings()
    addresses = Addresses.from_settings(settings)
    supervisor: Supervisor | None = None
    with _stop_on_signals() as stopping:
        try:
            _warn_about_workers(settings, say)
            check_safety_data(settings, say)
            check_national_bodies(settings, say)
            check_council_area(settings, say)
            say(f"Database: {describe_database(settings.database_url)}")
            engine = prepare_database(settings.database_url)
            ensure_directory(engine, say)
            model = ensure_model(settings, allow_training=train, say=say)
            if role == "prepare":
                engine.dispose()
                say("Prepared: the database is migrated, the directory imported and the model trained.")
                return 0
            token = ensure_rasa_token(settings)
            endpoints, secrets = write_rasa_endpoints(settings, addresses)
            sign_ins = ensure_dev_users(engine, settings) if is_development(settings) else None
            engine.dispose()

            specs = service_specs(
                settings, addresses, token=token, endpoints=endpoints, secrets=secrets, model=model
            )
            supervisor = Supervisor(specs)
            supervisor.check_ports(addresses.host)
            say(
                "Starting the action server, Rasa and the web app (Rasa takes a minute to load its model) ..."
            )
            supervisor.start_all()
            supervisor.wait_until_healthy(ready_timeout)
            for line in describe_running(addresses, settings.var_dir / "logs"):
                say(line)
            say(f"  Ready after          {time.monotonic() - started:.0f} s")
            if sign_ins is not None:
                _show_sign_ins(*sign_ins, say=say)
            if check:
                say("Check passed: every server answered its health check. Stopping.")
                return 0
            say("Press Ctrl-C to stop.")
            supervisor.watch(
                lambda seconds: stopping.wait(seconds), report=lambda message: say(f"\n{message}")
            )
            return 0
        except _StopRequested as request:
            say(f"\n{request} received: stopping.")
            return 0
        except (RunError, ServiceError) as error:
            say(f"\nerror: {error}")
            return 1
        finally:
            stopping.set()
            if supervisor is not None:
                supervisor.stop_all()
                say("All servers stopped.")


def run_server(
    role: str,
    *,
    ready_timeout: float = DEFAULT_READY_TIMEOUT,
    settings: Settings | None = None,
    say: Say = _say,
) -> int:
    """Start and watch one server (`role`: actions, rasa or web), as one container of a deployment does.

    The database must answer and be migrated (a no-op after `--role prepare`); nothing is imported or trained,
    so Rasa replicas started together never race to train. Rasa is given the same endpoints.yml as
    `here-to-help run` writes, with ACTION_URL when the action server is elsewhere."""
    settings = settings or get_settings()
    addresses = Addresses.from_settings(settings)
    name = SERVER_ROLES[role]
    supervisor: Supervisor | None = None
    with _stop_on_signals() as stopping:
        try:
            check_safety_data(settings, say)
            check_national_bodies(settings, say)
            check_council_area(settings, say)
            say(f"Database: {describe_database(settings.database_url)}")
            prepare_database(settings.database_url).dispose()
            token = shared_rasa_token(settings, role)
            model = model_file(settings)
            endpoints = settings.var_dir / "endpoints.yml"
            secrets: dict[str, str] = {}
            if role == "rasa":
                model = ensure_model(settings, allow_training=False, say=say)
                endpoints, secrets = write_rasa_endpoints(settings, addresses)
            specs = service_specs(
                settings,
                addresses,
                token=token,
                endpoints=endpoints,
                secrets=secrets,
                model=model,
                rasa_url=settings.rasa_url,
            )
            supervisor = Supervisor([spec for spec in specs if spec.name == name])
            supervisor.check_ports(addresses.host)
            say(f"Starting the {name} ...")
            supervisor.start_all()
            supervisor.wait_until_healthy(ready_timeout)
            spec = supervisor.children[0].spec
            say(f"The {name} is ready on port {spec.port}; its log is {spec.log_path}.")
            supervisor.watch(lambda seconds: stopping.wait(seconds), report=lambda message: say(message))
            return 0
        except _StopRequested as request:
            say(f"\n{request} received: stopping.")
            return 0
        except (RunError, ServiceError) as error:
            say(f"\nerror: {error}")
            return 1
        finally:
            stopping.set()
            if supervisor is not None:
                supervisor.stop_all()
                say(f"The {name} stopped.")


def _show_sign_ins(path: Path, created: dict[str, str], *, say: Say) -> None:
    if created:
        say("")
        say("Development sign-ins (shown once; also kept, readable only by you, in " + str(path) + "):")
        for username, password in created.items():
            say(f"  {username:<8} password {password}   ({DEV_USERS[username]})")
    elif path.is_file():
        say(f"  Sign-ins             {path} (development; readable only by you)")


def _warn_about_workers(settings: Settings, say: Say) -> None:
    workers = settings.sanic_workers
    if workers.strip() not in ("", "1") and not settings.redis_url:
        say(f"Note: SANIC_WORKERS={workers} is ignored by Rasa without a Redis lock store: set REDIS_URL.")
