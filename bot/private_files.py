"""Files holding personal or secret data are readable only by the user the app runs as.

The SQLite database (residents' messages, the gap log, sign-ins), the servers' logs, the generated secrets
and gap-log exports would otherwise be created with the umask's usual 0644: readable by every account on the
machine. Each is created 0600 (folders 0700) whatever the umask, and an existing one is tightened when the
app opens it, so a file made by an older version is not left readable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def private_folder(path: Path) -> Path:
    """Create `path` (and its parents) if missing; a folder created here is 0700."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, PRIVATE_FOLDER)
    return path


def ensure_private(path: Path) -> Path:
    """Create the file empty (an empty file is a valid SQLite database) 0600 if it is missing; tighten it to
    0600 if it is ours and looser."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        _tighten(path)
    else:
        os.chmod(path, PRIVATE_FILE)  # the umask may have taken bits away, never added: this is exact
    return path


def _tighten(path: Path) -> None:
    status = path.stat()
    if status.st_uid == os.getuid() and status.st_mode & 0o077:
        os.chmod(path, PRIVATE_FILE)


def open_private(path: Path, mode: str, encoding: str | None = None, newline: str | None = None) -> IO:
    """`open(path, mode)` for "w", "a", "wb" or "ab", with the file 0600 from the moment it exists."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, flags, PRIVATE_FILE)
    if os.fstat(descriptor).st_uid == os.getuid():
        os.fchmod(descriptor, PRIVATE_FILE)  # also a log an older version made 0644
    if "b" in mode:
        return os.fdopen(descriptor, mode)
    return os.fdopen(descriptor, mode, encoding=encoding or "utf-8", newline=newline)


def write_private_text(path: Path, text: str, newline: str | None = None) -> None:
    with open_private(path, "w", newline=newline) as handle:
        handle.write(text)
