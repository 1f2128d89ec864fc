"""Time-driven changes: run by `gateway jobs run` and every few minutes inside `gateway serve`.

Each step is one conditional UPDATE, so running twice, or in two processes at once, changes nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.models import Product
from gateway.db.models.products import FINAL_STATUSES

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobReport:
    suspended_unverified: int
    cancelled: int


async def suspend_unverified_domains(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        update(Product)
        .where(
            Product.kind == "DOMAIN",
            Product.verification_status == "PENDING",
            Product.verification_deadline <= now,
            Product.status == "ACTIVE",
        )
        .values(status="SUSPENDED", suspended_reason="VERIFICATION", updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def apply_cancellations(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        update(Product)
        .where(Product.cancellation_effective_at <= now, Product.status.not_in(FINAL_STATUSES))
        .values(status="CANCELLED", auto_renew=False, updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def run(db: async_sessionmaker[AsyncSession], now: datetime) -> JobReport:
    async with db.begin() as session:
        report = JobReport(
            suspended_unverified=await suspend_unverified_domains(session, now),
            cancelled=await apply_cancellations(session, now),
        )
    if report.suspended_unverified or report.cancelled:
        log.info("jobs ran", extra={"suspended_unverified": report.suspended_unverified, "cancelled": report.cancelled})
    return report
