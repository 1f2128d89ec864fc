"""Staff commands for money the gateway does not charge: free credits and promo codes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert

from gateway.db.base import new_id
from gateway.db.models import FreeCredit, Organization, PromoCode
from gateway.resources import Resources
from resolvers.pricing import plain_amount

KINDS = (
    "DOMAIN",
    "HOSTING",
    "WORDPRESS_HOSTING",
    "MAIL",
    "SSL",
    "SERVER",
    "BACKUP",
    "DNS_ANYCAST",
    "DOMAIN_PRIVACY",
    "RENEWAL_WARRANTY",
)


async def grant_credit(resources: Resources, organization: str, kind: str, amount_cents: int, reason: str) -> str:
    if kind not in KINDS or amount_cents <= 0:
        return f"a credit needs a product kind ({', '.join(KINDS)}) and a positive amount"
    async with resources.db.begin() as session:
        org = await session.get(Organization, uuid.UUID(organization))
        if org is None or org.deleted_at is not None:
            return f"no organization {organization}"
        session.add(
            FreeCredit(
                id=new_id(),
                organization_id=org.id,
                kind=kind,
                amount_cents=amount_cents,
                remaining_cents=amount_cents,
                reason=reason,
                granted_at=resources.clock.now(),
            )
        )
    return f"granted {plain_amount(amount_cents)} of {kind} credit to {org.name}"


async def create_promo(
    resources: Resources,
    code: str,
    description: str,
    *,
    percent_off: int | None,
    amount_off_cents: int | None,
    kinds: list[str],
    valid_from: datetime,
    valid_until: datetime,
    max_uses: int | None,
) -> str:
    if (percent_off is None) == (amount_off_cents is None):
        return "give either a percentage or an amount off"
    if percent_off is not None and not 1 <= percent_off <= 100:
        return "the percentage is between 1 and 100"
    if any(kind not in KINDS for kind in kinds):
        return f"kinds are among: {', '.join(KINDS)}"
    async with resources.db.begin() as session:
        created = await session.scalar(
            insert(PromoCode)
            .values(
                code=code.strip().upper(),
                description=description,
                percent_off=percent_off,
                amount_off_cents=amount_off_cents,
                kinds=kinds,
                valid_from=valid_from,
                valid_until=valid_until,
                max_uses=max_uses,
                uses=0,
            )
            .on_conflict_do_nothing()
            .returning(PromoCode.code)
        )
    return f"promo code {created} created" if created else f"promo code {code.upper()} already exists"
