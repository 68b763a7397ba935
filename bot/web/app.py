"""The web application: the resident widget and `/api/chat`, the staff lookup, and the officer pages.

`create_app()` is what `here-to-help run` starts (`uvicorn bot.web.app:create_app --factory`). Each area adds
its routes from its own module in `bot/web/routes/`; see docs/web.md for how to add one.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from bot.gaplog.redaction import install_redacting_filter
from bot.safety.catalogue import cached_safety
from bot.safety.learned import start_fitting
from bot.settings import Settings, get_settings
from bot.web import security_headers
from bot.web.proxies import TrustedProxyMiddleware
from bot.web.routes import sign_in

STATIC_DIR = Path(__file__).resolve().parent / "static"

OPTIONAL_ROUTERS = (
    "bot.web.routes.chat",
    "bot.web.routes.notices",
    "bot.web.routes.staff",
    "bot.web.routes.officer",
    "bot.web.routes.retrain",
)
"""Route modules included when present; each exposes `router` (an APIRouter)."""


def _include_routers(app: FastAPI) -> None:
    for module_name in OPTIONAL_ROUTERS:
        if importlib.util.find_spec(module_name) is None:
            continue  # that area is not installed yet; a module that exists but fails to import is an error
        module = importlib.import_module(module_name)
        app.include_router(module.router)


def _keep_resilient(app: FastAPI, settings: Settings, engine: Engine | None) -> None:
    """Read the contact-centre number now, so the first failure already has it, and while serving keep it
    fresh and write spooled gap-log entries back (bot.conversation.contact_line, bot.gaplog.spool)."""
    from bot.conversation import contact_line
    from bot.gaplog import spool

    contact_line.refresh(engine, force=True)  # bounded by DATABASE_TIMEOUT_SECONDS; never raises
    stop = threading.Event()

    @app.on_event("startup")
    def start_background() -> None:
        stop.clear()
        contact_line.keep_fresh(engine, stop)
        spool.keep_replaying(engine, stop, settings)

    @app.on_event("shutdown")
    def stop_background() -> None:
        stop.set()


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the app. `engine` overrides DATABASE_URL (tests pass their own migrated database)."""
    settings = settings or get_settings()
    # The crisis fallback needs it: a broken safety file stops the start, named; the learned layer is fitted
    # in the background meanwhile.
    start_fitting(cached_safety(settings))
    install_redacting_filter("bot", "actions", "uvicorn.error", "uvicorn.access")
    app = FastAPI(title="Here to Help", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.retrain_spawn = None  # the real background process (bot.retrain.launch); tests set their own
    sign_in.install_auth_handlers(app)
    security_headers.install(app, settings)
    # outermost, so the rate limits and everything else see the real client
    app.add_middleware(TrustedProxyMiddleware, trusted=settings.trusted_proxies)

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app.include_router(sign_in.router)
    _include_routers(app)
    _keep_resilient(app, settings, engine)
    logging.getLogger(__name__).debug("web app created")
    return app
