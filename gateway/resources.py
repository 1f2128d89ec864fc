from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.db.engine import read_session_factory, session_factory
from gateway.settings import Settings


@dataclass(frozen=True, slots=True)
class Resources:
    """What the lifespan opens and every request shares."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    db: async_sessionmaker[AsyncSession]
    reads: async_sessionmaker[AsyncSession]

    @classmethod
    def open(cls, settings: Settings, clock: Clock, engine: AsyncEngine) -> Resources:
        return cls(settings, clock, engine, session_factory(engine), read_session_factory(engine))
