"""Alembic environment: runs migrations on the connection or URL handed over by ``riskloop.storage.migrate``."""

from __future__ import annotations

from alembic import context

from riskloop.storage.engine import make_engine
from riskloop.storage.models import metadata

config = context.config


def run_migrations_online() -> None:
    """Run migrations on a given connection, else on a new engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.attributes["database_url"])
    try:
        with engine.connect() as conn:
            context.configure(connection=conn, target_metadata=metadata)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("riskloop migrations run online only")
run_migrations_online()
