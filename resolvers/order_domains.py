"""The domain a hosting, mail or certificate line names: never another organization's, possibly one registered
elsewhere (then the line is marked external: its DNS is the customer's business, not ours)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import Product
from gateway.db.models.products import FINAL_STATUSES

# Kinds whose order lines name a domain they serve.
SERVES_A_DOMAIN = frozenset({"HOSTING", "WORDPRESS_HOSTING", "MAIL", "SSL"})


@dataclass(frozen=True, slots=True)
class DomainUse:
    of_another_organization: bool
    registered_here: bool  # a domain product of the ordering organization covers the name


def covering(name: str) -> list[str]:
    """The name and every parent domain that could be a registration: shop.example.it → shop.example.it, example.it."""
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


async def use_of(session: AsyncSession, organization_id: uuid.UUID, name: str) -> DomainUse:
    owners = set(
        (
            await session.execute(
                select(Product.organization_id).where(
                    Product.kind == "DOMAIN",
                    Product.status.not_in(FINAL_STATUSES),
                    func.lower(Product.name).in_(covering(name)),
                )
            )
        ).scalars()
    )
    return DomainUse(bool(owners - {organization_id}), organization_id in owners)


def external(name: str, use: DomainUse, ordered_domains: Collection[str]) -> bool:
    """Registered neither by the organization nor in this very order."""
    return not use.registered_here and not any(n in ordered_domains for n in covering(name))
