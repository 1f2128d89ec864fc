"""Staff commands for money the gateway does not charge: free credits and promo codes."""

from __future__ import annotations

import uuid
from datetime import datetime

from gateway.cli_support import object_id, refused
from gateway.resources import Resources
from resolvers import staff_billing
from resolvers.pricing import plain_amount


async def grant_credit(resources: Resources, organization: uuid.UUID, kind: str, amount_cents: int, reason: str) -> str:
    organization_id = organization if isinstance(organization, uuid.UUID) else object_id(organization, "Organization")
    operator = staff_billing.cli_operator(resources)
    credit, org = refused(
        await staff_billing.grant_credit(resources.db, operator, organization_id, kind, amount_cents, reason)
    )
    return f"granted {plain_amount(credit.amount_cents)} of {kind} credit to {org.name}"


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
    draft = staff_billing.PromoDraft(
        code, description, percent_off, amount_off_cents, kinds, valid_from, valid_until, max_uses
    )
    created = refused(await staff_billing.create_promo(resources.db, draft))
    return f"promo code {created.code} created"
