"""Alembic environment: migrations run on the connection `bot.db.migrate` hands over, or on DATABASE_URL."""

from alembic import context

import bot.accounts.models  # noqa: F401 - registers the sign-in tables
import bot.directory.models  # noqa: F401 - registers the directory tables
import bot.gaplog.models  # noqa: F401 - registers the gap-log tables
from bot.db import Base, make_engine
from bot.settings import get_settings

target_metadata = Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
