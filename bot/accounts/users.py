"""Web sign-in accounts: creating them and checking passwords.

Passwords are hashed with scrypt from the standard library (no extra dependency), each with its own salt, in
a self-describing string so the cost can be raised later without breaking existing hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.accounts.models import Role, User
from bot.db import session_scope

ROLES = tuple(role.value for role in Role)
MIN_PASSWORD_CHARS = 10
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash`, base64 parts."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    encode = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
"""Checked when the username is unknown, so a wrong username takes as long as a wrong password."""


def validate_new_user(username: str, password: str, role: str) -> None:
    if (
        not username
        or len(username) > 150
        or not username.replace("_", "").replace(".", "").replace("-", "").isalnum()
    ):
        raise ValueError(f"username {username!r} must be 1-150 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password must be at least {MIN_PASSWORD_CHARS} characters long")


def add_user(engine: Engine, username: str, password: str, role: str) -> User:
    """Create a sign-in; ValueError when the details are unacceptable or the username is taken."""
    validate_new_user(username, password, role)
    try:
        with session_scope(engine) as session:
            user = User(username=username, password_hash=hash_password(password), role=role, active=True)
            session.add(user)
            session.flush()
            return user
    except IntegrityError as error:
        raise ValueError(f"a user called {username!r} already exists") from error


def user_exists(engine: Engine, username: str) -> bool:
    with session_scope(engine) as session:
        return session.execute(select(User.id).where(User.username == username)).first() is not None


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (in the same time either way)."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        verify_password(password, _DUMMY_HASH)
        return None
    return user if verify_password(password, user.password_hash) else None
