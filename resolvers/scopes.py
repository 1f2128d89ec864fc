"""Product scopes hold products of their own organization only, and only while the products stay there."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import Invitation, Membership, Product
from resolvers.results import Outcome

PENDING_INVITATION = "PENDING"


async def foreign_ids(session: AsyncSession, organization_id: uuid.UUID, product_ids: Iterable[uuid.UUID]) -> list[int]:
    """Positions in `product_ids` of ids that are not products of the organization (another tenant's, or none)."""
    wanted = list(product_ids)
    if not wanted:
        return []
    own = set(
        (
            await session.execute(
                select(Product.id).where(Product.organization_id == organization_id, Product.id.in_(set(wanted)))
            )
        ).scalars()
    )
    return [index for index, product_id in enumerate(wanted) if product_id not in own]


def foreign_problem(positions: list[int]) -> Outcome[Any]:
    return Outcome.fail(
        "PRODUCT_NOT_IN_ORGANIZATION",
        "A product scope can name only products of this organization.",
        "input",
        "productScope",
        "productIds",
        str(positions[0]),
    )


async def drop_products(session: AsyncSession, organization_id: uuid.UUID, product_ids: Iterable[uuid.UUID]) -> None:
    """Products that leave the organization leave every scope there: memberships and pending invitations."""
    gone = set(product_ids)
    if not gone:
        return
    for table in (Membership, Invitation):
        stmt = select(table).where(table.organization_id == organization_id, table.product_ids.overlap(sorted(gone)))
        if table is Invitation:
            stmt = stmt.where(Invitation.status == PENDING_INVITATION)
        for row in (await session.execute(stmt.with_for_update())).scalars():
            row.product_ids = [i for i in row.product_ids if i not in gone]
