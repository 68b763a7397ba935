"""Secrets the deployment may leave unset (the gap-log salt, the Rasa token): generated once and kept under
VAR_DIR, so conversation hashes stay comparable across restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from bot.private_files import private_folder
from bot.settings import Settings, get_settings


def persisted_secret(name: str, configured: str, var_dir: Path) -> str:
    """`configured` when set; otherwise the value stored in `var_dir/secrets/<name>`, created on first use.

    The file is written with mode 0600 and created atomically, so two processes starting together agree.
    """
    if configured:
        return configured
    folder = private_folder(var_dir / "secrets")
    path = folder / name
    if not path.exists():
        value = secrets.token_hex(32)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process won the race: read its value below
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(value)
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise RuntimeError(
            f"{path} is empty: delete it to generate a new secret, or set it in the environment"
        )
    return value


def gaplog_salt(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    return persisted_secret("gaplog_salt", settings.gaplog_salt, settings.var_dir)


def conversation_hash(conversation_id: str, settings: Settings | None = None) -> str:
    """A keyed hash of a conversation id: the same conversation always gets the same hash, but the id
    (which can be a phone number on some channels) cannot be read back or guessed without the salt."""
    salt = gaplog_salt(settings)
    return hmac.new(salt.encode("utf-8"), conversation_id.encode("utf-8"), hashlib.sha256).hexdigest()
