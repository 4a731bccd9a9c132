"""Alembic wiring shared by every service: its env.py calls `run_env`, tools call `upgrade`."""

from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config


def run_env(metadata: sa.MetaData) -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    engine = sa.create_engine(url or "", poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


def upgrade(service_dir: Path, database_url: str) -> None:
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")


def create_plumbing() -> None:
    """For a service's first migration: the outbox, processed-events and dead-letter tables."""
    from eventbus.runtime import Plumbing

    plumbing = Plumbing.on(sa.MetaData())
    for table in (plumbing.outbox, plumbing.processed, plumbing.dead_letters):
        table.create(context.get_bind())


def drop_plumbing() -> None:
    from eventbus.runtime import Plumbing

    plumbing = Plumbing.on(sa.MetaData())
    for table in (plumbing.outbox, plumbing.processed, plumbing.dead_letters):
        table.drop(context.get_bind())
