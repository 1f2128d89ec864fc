"""Time-driven changes: run by `gateway jobs run` and every few minutes inside `gateway serve`.

Each step is one conditional UPDATE, so running twice, or in two processes at once, changes nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.models import Product
from gateway.db.models.products import FINAL_STATUSES
from gateway.settings import Settings
from resolvers import product_status, renewals

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobReport:
    suspended_unverified: int
    cancelled: int
    notices: int = 0
    renewed: int = 0
    renewals_to_pay: int = 0
    expired: int = 0
    suspended_unpaid: int = 0


async def suspend_unverified_domains(session: AsyncSession, now: datetime) -> int:
    pending = [
        Product.kind == "DOMAIN",
        Product.verification_status == "PENDING",
        Product.verification_deadline <= now,
        Product.status == "ACTIVE",
    ]
    return await product_status.change_where(session, pending, now, status="SUSPENDED", suspended_reason="VERIFICATION")


async def apply_cancellations(session: AsyncSession, now: datetime) -> int:
    due = [Product.cancellation_effective_at <= now, Product.status.not_in(FINAL_STATUSES)]
    return await product_status.change_where(session, due, now, status="CANCELLED", auto_renew=False)


async def run(db: async_sessionmaker[AsyncSession], settings: Settings, now: datetime) -> JobReport:
    async with db.begin() as session:
        suspended_unverified = await suspend_unverified_domains(session, now)
        cancelled = await apply_cancellations(session, now)
    async with db.begin() as session:
        notices = await renewals.send_expiry_notices(session, now)
    async with db.begin() as session:
        renewed, to_pay = await renewals.renew_due(session, settings, now)
    async with db.begin() as session:
        expired = await renewals.expire_lapsed(session, now)
        suspended_unpaid = await renewals.suspend_unpaid(session, settings, now)
    report = JobReport(suspended_unverified, cancelled, notices, renewed, to_pay, expired, suspended_unpaid)
    if any(vars_of(report).values()):
        log.info("jobs ran", extra=vars_of(report))
    return report


def vars_of(report: JobReport) -> dict[str, int]:
    return {name: getattr(report, name) for name in JobReport.__slots__}
