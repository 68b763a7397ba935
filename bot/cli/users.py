"""`here-to-help users add|list|disable`: the web sign-ins for officers, staff and admins.

No `from __future__ import annotations` here: typer 0.7 reads the annotations at run time, and it cannot read
`X | None`, hence `Optional`.
"""
# ruff: noqa: UP045

import secrets
from typing import Optional

import typer

app = typer.Typer(help="Manage web sign-ins (officers, contact-centre staff, admins).", no_args_is_help=True)


@app.command("add")
def add(
    username: str = typer.Argument(..., help="The sign-in name."),
    role: str = typer.Option(..., "--role", help="officer, staff or admin."),
    password: Optional[str] = typer.Option(
        None, "--password", help="Default: prompt on a terminal, else generate one and print it once."
    ),
) -> None:
    """Create a sign-in."""
    import sys

    from bot.accounts.users import MIN_PASSWORD_CHARS, add_user
    from bot.db import get_engine

    generated = False
    if password is None:
        if sys.stdin.isatty():
            password = typer.prompt(
                f"Password (at least {MIN_PASSWORD_CHARS} characters)",
                hide_input=True,
                confirmation_prompt=True,
            )
        else:
            password = secrets.token_urlsafe(12)
            generated = True
    try:
        add_user(get_engine(), username, password, role)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"added {username} ({role})")
    if generated:
        typer.echo(f"password: {password}")


@app.command("list")
def list_users() -> None:
    """Every sign-in with its role and whether it is active."""
    from sqlalchemy import select

    from bot.accounts.models import User
    from bot.db import get_engine, session_scope

    with session_scope(get_engine()) as session:
        for user in session.execute(select(User).order_by(User.username)).scalars():
            typer.echo(f"{user.username}\t{user.role}\t{'active' if user.active else 'disabled'}")


@app.command("disable")
def disable(username: str = typer.Argument(..., help="The sign-in to disable.")) -> None:
    """Stop a sign-in working (at once, even for a session already open)."""
    from sqlalchemy import select

    from bot.accounts.models import User
    from bot.db import get_engine, session_scope

    with session_scope(get_engine()) as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            typer.echo(f"error: no user called {username!r}", err=True)
            raise typer.Exit(1)
        user.active = False
    typer.echo(f"disabled {username}")
