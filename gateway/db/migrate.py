"""Alembic, driven from code: `gateway migrate`, `serve --migrate`, /readyz and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db import catalog_sync

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


async def upgrade(engine: AsyncEngine) -> None:
    """Migrate to head, then load the catalog data file."""
    async with engine.begin() as conn:
        # A lock so two processes starting together do not migrate twice.
        await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7411)")
        await conn.run_sync(lambda sync: command.upgrade(_config(sync), "head"))
        await catalog_sync.sync(conn)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
