"""Opening the database: the configured server, or the embedded one started (and stopped) here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db.engine import create_engine
from gateway.embedded_pg import EmbeddedPostgres
from gateway.settings import Settings


@asynccontextmanager
async def open_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    embedded = None
    url = settings.database_url
    if url is None:
        embedded = EmbeddedPostgres(settings.embedded_pgdata)
        url = await asyncio.to_thread(embedded.start)
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
