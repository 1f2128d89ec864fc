"""Per-key attempt counters in PostgreSQL, so every gateway process shares them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import RateLimitBucket

WINDOW = timedelta(minutes=1)


async def hit(session: AsyncSession, key: str, now: datetime) -> int:
    """Count one attempt for `key` in the current one-minute window; returns the count so far."""
    window = now.replace(second=0, microsecond=0)
    stmt = (
        insert(RateLimitBucket)
        .values(key=key, window_start=window, hits=1)
        .on_conflict_do_update(
            index_elements=[RateLimitBucket.key, RateLimitBucket.window_start],
            set_={"hits": RateLimitBucket.hits + 1},
        )
        .returning(RateLimitBucket.hits)
    )
    return int((await session.execute(stmt)).scalar_one())


async def prune(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(RateLimitBucket).where(RateLimitBucket.window_start < now - 2 * WINDOW))
