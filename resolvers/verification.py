"""Registrant data verification for gTLD domains (ICANN): a link to the registrant's address,
15 days to use it before the domain is suspended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import DomainVerification, Product
from gateway.i18n import local_date
from gateway.settings import Settings
from resolvers import mail, product_status
from resolvers.domains import display_name
from resolvers.tokens import new_token, token_hash

TOKEN_PREFIX = "gwv"  # noqa: S105 (a prefix, not a secret)


async def send(
    session: AsyncSession, settings: Settings, product: Product, email: str, language: str, now: datetime
) -> None:
    """A new link; the ones sent before stop working."""
    await session.execute(
        update(DomainVerification)
        .where(DomainVerification.product_id == product.id, DomainVerification.used_at.is_(None))
        .values(used_at=now)
    )
    token = new_token(TOKEN_PREFIX)
    session.add(
        DomainVerification(
            id=new_id(),
            organization_id=product.organization_id,
            product_id=product.id,
            email=email,
            token_hash=token_hash(settings.secret_key, token),
            created_at=now,
        )
    )
    deadline = local_date(product.verification_deadline) if product.verification_deadline else ""
    mail.enqueue(
        session,
        kind="domain_verification",
        recipient=email,
        language=language,
        now=now,
        domain=display_name(product.name),
        link=f"{settings.public_url}/domains/verify?token={token}",
        token=token,
        deadline=deadline,
    )


async def confirm(session: AsyncSession, settings: Settings, token: str, now: datetime) -> Product | None:
    row = (
        await session.execute(
            select(DomainVerification)
            .where(
                DomainVerification.token_hash == token_hash(settings.secret_key, token),
                DomainVerification.used_at.is_(None),
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    row.used_at = now
    product = await session.get_one(Product, row.product_id, with_for_update=True)
    product.verification_status = "VERIFIED"
    product.verification_deadline = None
    if product.status == "SUSPENDED" and product.suspended_reason == "VERIFICATION":
        product.status, product.suspended_reason = "ACTIVE", None
        await product_status.changed(session, product, "SUSPENDED", now)
    product.updated_at = now
    return product
