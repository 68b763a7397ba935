"""Work one training run leaves for the next, in `MODELS_DIR/router-cache/`: `reference_router(folder)`.

The reference router (one service per LGSL code with the shipped lexicon, `code_guess`) is needed whenever a
directory has a service without an LGSL code, which every Open Referral UK feed of community services has.
Fitting it takes about half a minute, and it depends only on the routing code, the lexicon and the LGSL
reference data: on nothing a council changes. It is therefore kept beside the models, saved the way models
are (`Router.save`: `.npz`, `.npy` and JSON, never pickle), under the sha256 of exactly those files
(`training.code_fingerprint`), so it is refitted when any of them changes and never otherwise. A cache that
is missing, from other code or unreadable is simply fitted again.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from bot.routing.router import Router, RouterNotTrained, default_reference_router
from bot.routing.training import code_fingerprint

logger = logging.getLogger(__name__)

CACHE_DIR = "router-cache"
"""The folder under MODELS_DIR that holds reusable training work."""
REFERENCE_PREFIX = "reference-"


def cache_folder(models_dir: Path) -> Path:
    return Path(models_dir) / CACHE_DIR


def reference_router(folder: Path | None) -> Router:
    """The reference router of every LGSL service: from `folder` when it holds one fitted by this code and
    lexicon, else fitted now and saved there (atomically, replacing older ones). Without a folder it is
    fitted (once a process) and not saved."""
    if folder is None:
        return default_reference_router()
    key = code_fingerprint()[:16]
    target = folder / f"{REFERENCE_PREFIX}{key}"
    if target.is_dir():
        try:
            return Router.load(target)
        except (RouterNotTrained, OSError, ValueError, KeyError) as error:
            logger.warning(
                "The cached reference router in %s cannot be read (%s); fitting it again.", target, error
            )
    router = default_reference_router()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".reference-", dir=folder))
        router.save(staging)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        for old in folder.glob(f"{REFERENCE_PREFIX}*"):
            if old != target and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    except OSError as error:  # a read-only models folder costs time, never the training
        logger.warning("Could not keep the reference router in %s (%s).", folder, error)
    return router
