"""Staff commands for money the gateway does not charge: free credits and promo codes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert

from gateway.cli_support import CommandError, object_id
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


async def grant_credit(resources: Resources, organization: uuid.UUID, kind: str, amount_cents: int, reason: str) -> str:
    if kind not in KINDS or amount_cents <= 0:
        raise CommandError(f"a credit needs a product kind ({', '.join(KINDS)}) and a positive amount")
    organization_id = organization if isinstance(organization, uuid.UUID) else object_id(organization, "Organization")
    async with resources.db.begin() as session:
        org = await session.get(Organization, organization_id)
        if org is None or org.deleted_at is not None:
            raise CommandError(f"no organization {organization}")
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
        raise CommandError("give either a percentage or an amount off")
    if percent_off is not None and not 1 <= percent_off <= 100:
        raise CommandError("the percentage is between 1 and 100")
    if amount_off_cents is not None and amount_off_cents <= 0:
        raise CommandError("the amount off is a positive number of cents")
    if any(kind not in KINDS for kind in kinds):
        raise CommandError(f"kinds are among: {', '.join(KINDS)}")
    if valid_until <= valid_from:
        raise CommandError("--valid-until must be later than --valid-from")
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
    if not created:
        raise CommandError(f"promo code {code.strip().upper()} already exists")
    return f"promo code {created} created"
