from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.settings import Settings


@dataclass(frozen=True, slots=True)
class Resources:
    """What the lifespan opens and every request shares."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    db: async_sessionmaker[AsyncSession]
