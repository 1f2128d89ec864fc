"""Opening the database: the configured server, or the embedded one started, supervised and stopped here."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db.engine import create_engine
from gateway.embedded_pg import EmbeddedPostgres
from gateway.settings import Settings


@asynccontextmanager
async def open_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    embedded = None
    supervisor = None
    url = settings.database_url
    if url is None:
        embedded = EmbeddedPostgres(settings.embedded_pgdata)
        url = await asyncio.to_thread(embedded.start)
        supervisor = asyncio.create_task(embedded.supervise())
    engine = create_engine(url)
    try:
        yield engine
    finally:
        if supervisor is not None:
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        try:
            await engine.dispose()
        finally:
            if embedded is not None:
                # Fast shutdown: sessions still checked out of the pool are ended, not waited for.
                await asyncio.to_thread(embedded.stop)
