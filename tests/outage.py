"""A database outage as the gateway sees one: its connections are cut and new ones are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool


@asynccontextmanager
async def admin_connection(engine: AsyncEngine) -> AsyncIterator[tuple[AsyncConnection, str]]:
    """A connection to the server's `postgres` database: a database cannot close its own doors."""
    admin = create_async_engine(engine.url.set(database="postgres"), poolclass=NullPool)
    try:
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn, engine.url.database or ""
    finally:
        await admin.dispose()


async def cut_connections(conn: AsyncConnection, database: str) -> None:
    """Refuse new connections to `database` and end every session on it."""
    await conn.execute(text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false'))
    await conn.execute(
        text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"), {"db": database}
    )


async def restore_connections(conn: AsyncConnection, database: str) -> None:
    await conn.execute(text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true'))


@asynccontextmanager
async def database_outage(engine: AsyncEngine) -> AsyncIterator[None]:
    """While inside, the database refuses connections; on leaving it accepts them again.

    The test's own pooled connections were cut too, so its pool is emptied afterwards.
    """
    async with admin_connection(engine) as (conn, database):
        await cut_connections(conn, database)
        try:
            yield
        finally:
            await restore_connections(conn, database)
    await engine.dispose()
