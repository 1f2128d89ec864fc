"""Products: the agency view, and what members do to a product they manage."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select, update

from gateway.db.models import IpUnblock, Organization, Product
from gateway.db.models.products import FINAL_STATUSES
from gateway.i18n import N_, Text, text
from permissions.caller import Caller
from permissions.policy import membership_holds, membership_sees
from permissions.rights import Right
from resolvers import addresses, audit, legal, product_settings, product_status, verification
from resolvers.context import Context
from resolvers.dates import add_months
from resolvers.emails import normalize_email
from resolvers.loaders.products import NEVER, product_rows
from resolvers.pagination import Page, Window, build_page, list_identity, seek
from resolvers.results import Outcome, Problem

NOTICE = timedelta(days=60)
UNBLOCKS_PER_HOUR = 5
UNBLOCKABLE = frozenset({"HOSTING", "WORDPRESS_HOSTING", "SERVER"})


def _fail(code: str, message: str | Text, field: str = "productId") -> Outcome[Any]:
    return Outcome.fail(code, message, "input", field)


def _viewer_expiring(ctx: Context, within_days: int) -> Select[Any]:
    now = ctx.clock.now()
    return viewer_expiring_rows(ctx.caller, now, now + timedelta(days=within_days))


def viewer_expiring_rows(caller: Caller, now: Any, until: Any) -> Select[Any]:
    """The agency view's rows: every organization where the caller sees products, cut to their scope."""
    mine = caller.memberships()
    return (
        product_rows()
        .join(mine, mine.c.organization_id == Product.organization_id)
        .join(Organization, and_(Organization.id == Product.organization_id, Organization.deleted_at.is_(None)))
        .where(
            membership_holds(mine.c, Right.VIEW_PRODUCTS),
            membership_sees(mine.c, Product.id),
            Product.status.not_in(FINAL_STATUSES),
            Product.expires_at >= now,
            Product.expires_at < until,
        )
    )


async def viewer_expiring(ctx: Context, within_days: int, page: Window) -> Page[Any]:
    """Products expiring soon across the caller's organizations, soonest first: one statement."""
    expires = func.coalesce(Product.expires_at, NEVER)
    identity = list_identity("viewer.expiringProducts", ctx.principal.subject, "expires,id", "asc")
    stmt = seek(
        _viewer_expiring(ctx, within_days),
        [expires, Product.id],
        False,
        page,
        identity,
        [datetime.fromisoformat, uuid.UUID],
    )
    async with ctx.reads() as session:
        rows = (await session.execute(stmt)).all()
    return build_page(rows, page, identity, lambda r: [r.sort_expires, r.id])


async def viewer_expiring_count(ctx: Context, within_days: int) -> int:
    counted = _viewer_expiring(ctx, within_days).with_only_columns(func.count(), maintain_column_froms=True)
    async with ctx.reads() as session:
        return int(await session.scalar(counted) or 0)


async def set_auto_renew(ctx: Context, product_id: uuid.UUID, enabled: bool) -> Outcome[Product]:
    async with ctx.db.begin() as session:
        product = await session.get_one(Product, product_id, with_for_update=True)
        if product.status in FINAL_STATUSES:
            return _fail("PRODUCT_CLOSED", "This product is cancelled or expired.")
        product.auto_renew = enabled
        product.updated_at = ctx.clock.now()
        audit.record(
            session, ctx, product.organization_id, "product.auto_renew", ("Product", product.id), enabled=enabled
        )
    return Outcome(product)


async def configure(ctx: Context, product_id: uuid.UUID, settings: dict[str, Any]) -> Outcome[Product]:
    async with ctx.db.begin() as session:
        product = await session.get_one(Product, product_id, with_for_update=True)
        if product.status != "TO_CONFIGURE":
            return _fail("NOT_TO_CONFIGURE", "This product is not waiting to be configured.")
        clean, problems = product_settings.check(product.kind, settings)
        if problems:
            return Outcome(
                problems=[
                    Problem("SETTING_INVALID", expected, ("input", "settings", name)) for name, expected in problems
                ]
            )
        product.settings = clean
        product.status = "ACTIVE"
        product.updated_at = ctx.clock.now()
        await product_status.changed(session, product, "TO_CONFIGURE", product.updated_at)
        audit.record(session, ctx, product.organization_id, "product.configure", ("Product", product.id))
    return Outcome(product)


@dataclass(frozen=True, slots=True)
class Cancellation:
    product: Product
    effective_at: datetime
    within_notice: bool


async def request_cancellation(ctx: Context, product_id: uuid.UUID) -> Outcome[Cancellation]:
    """Tacit annual renewal: with 60 days' notice the product ends at its expiry; later, at the end of the next term."""
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        product = await session.get_one(Product, product_id, with_for_update=True)
        if product.status in (*FINAL_STATUSES, "PENDING_PAYMENT") or product.expires_at is None:
            return _fail("NOT_CANCELLABLE", "Only a product in use can be cancelled; cancel its order instead.")
        if product.cancellation_effective_at is not None:
            return _fail("ALREADY_REQUESTED", "A cancellation is already planned for this product.")
        within_notice = now <= product.expires_at - NOTICE
        effective = product.expires_at if within_notice else add_months(product.expires_at, product.term_months)
        product.cancellation_requested_at = now
        product.cancellation_effective_at = effective
        product.updated_at = now
        # Add-ons end with the product they belong to.
        await session.execute(
            update(Product)
            .where(Product.parent_id == product.id, Product.status.not_in(FINAL_STATUSES))
            .values(cancellation_requested_at=now, cancellation_effective_at=effective, updated_at=now)
        )
        audit.record(
            session,
            ctx,
            product.organization_id,
            "product.cancellation",
            ("Product", product.id),
            effectiveAt=effective.isoformat(),
            withinNotice=within_notice,
        )
    return Outcome(Cancellation(product, effective, within_notice))


async def unblock_ip(ctx: Context, product_id: uuid.UUID, raw_ip: str) -> Outcome[Product]:
    ip = addresses.parse(raw_ip)
    ipv4, ipv6 = addresses.EXAMPLES
    if ip is None:
        message = text("Enter an IPv4 or IPv6 address, e.g. {ipv4} or {ipv6}.", ipv4=ipv4, ipv6=ipv6)
        return _fail("IP_INVALID", message, "ip")
    if not addresses.is_global_unicast_host(ip):
        return _fail(
            "IP_NOT_PUBLIC",
            text(
                "Only a public (global unicast) host address can be blocked or unblocked, e.g. {ipv4} or {ipv6}.",
                ipv4=ipv4,
                ipv6=ipv6,
            ),
            "ip",
        )
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        product = await session.get_one(Product, product_id, with_for_update=True)
        if product.kind not in UNBLOCKABLE:
            return _fail("UNSUPPORTED_KIND", "Addresses are unblocked on hosting and servers only.")
        if product.status != "ACTIVE":
            return _fail("PRODUCT_NOT_ACTIVE", "The product is not active.")
        recent = await session.scalar(
            select(func.count()).where(
                IpUnblock.product_id == product.id, IpUnblock.created_at > now - timedelta(hours=1)
            )
        )
        if (recent or 0) >= UNBLOCKS_PER_HOUR:
            return _fail(
                "TOO_MANY_UNBLOCKS",
                text("At most {count} unblocks an hour per product; try later.", count=UNBLOCKS_PER_HOUR),
                "ip",
            )
        session.add(
            IpUnblock(
                organization_id=product.organization_id,
                product_id=product.id,
                ip=ip.compressed,
                requested_by_id=ctx.principal.user_id,
                created_at=now,
            )
        )
        audit.record(
            session, ctx, product.organization_id, "product.unblock_ip", ("Product", product.id), ip=ip.compressed
        )
    return Outcome(product)


REGISTRANT_TYPES = ("PERSON", "COMPANY")


def clean_registrant(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, str] | None]:
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    values["country"] = (values.get("country") or "").upper()
    if values.get("type") not in REGISTRANT_TYPES:
        return values, ("type", N_("The registrant is a person or a company."))
    for name in ("name", "street", "city", "postalCode"):
        if not values.get(name) or len(values[name]) > 200:
            return values, (name, N_("This field is required (at most 200 characters)."))
    if values["type"] == "COMPANY" and not values.get("organization"):
        return values, ("organization", N_("Enter the company's legal name."))
    email = normalize_email(values.get("email") or "")
    if email is None:
        return values, ("email", N_("Enter a valid email address."))
    values["email"] = email
    if not legal.phone_ok(values.get("phone") or ""):
        return values, ("phone", N_("Enter a phone number in digits, e.g. +39 055 123456."))
    if not legal.COUNTRY.match(values["country"]):
        return values, ("country", N_("The country is a two-letter ISO code, e.g. IT."))
    if not legal.postal_code_ok(values["postalCode"]):
        return values, ("postalCode", N_("This postal code is not valid."))
    tax_code = legal.compact(values.get("taxCode") or "")
    if values["country"] == "IT" and not legal.italian_tax_code_ok(tax_code):
        return values, ("taxCode", N_("Enter a valid codice fiscale (or the company's VAT number)."))
    values["taxCode"] = tax_code or None
    return values, None


async def update_registrant(ctx: Context, product_id: uuid.UUID, data: dict[str, Any]) -> Outcome[Product]:
    values, problem = clean_registrant(data)
    if problem:
        return Outcome.fail("REGISTRANT_INVALID", problem[1], "input", "registrant", problem[0])
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        product = await session.get_one(Product, product_id, with_for_update=True)
        if product.kind != "DOMAIN":
            return _fail("NOT_A_DOMAIN", "Only domains have a registrant.")
        if product.status in (*FINAL_STATUSES, "PENDING_PAYMENT"):
            return _fail("PRODUCT_CLOSED", "This domain is not registered.")
        previous = (product.registrant or {}).get("email")
        product.registrant = values
        product.updated_at = now
        if product.verification_status is not None and values["email"] != previous:
            # A new registrant address must be verified again, within a new 15 days.
            product.verification_status = "PENDING"
            product.verification_deadline = now + timedelta(days=15)
            await verification.send(session, ctx.settings, product, values["email"], "it", now)
        audit.record(session, ctx, product.organization_id, "domain.registrant", ("Product", product.id))
    return Outcome(product)


async def resend_verification(ctx: Context, product_id: uuid.UUID) -> Outcome[Product]:
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        product = await session.get_one(Product, product_id, with_for_update=True)
        if product.verification_status != "PENDING":
            return _fail("NOT_PENDING", "This domain has nothing to verify.")
        email = (product.registrant or {}).get("email")
        if not email:
            return _fail("NO_REGISTRANT_EMAIL", "Set the registrant's email first.")
        await verification.send(session, ctx.settings, product, email, "it", now)
        audit.record(session, ctx, product.organization_id, "domain.verification_resent", ("Product", product.id))
    return Outcome(product)


async def confirm_verification(ctx: Context, token: str) -> Outcome[Product]:
    async with ctx.db.begin() as session:
        product = await verification.confirm(session, ctx.settings, token, ctx.clock.now())
        if product is None:
            return Outcome.fail("TOKEN_INVALID", "This verification link is not valid any more.", "input", "token")
        audit.record(session, ctx, product.organization_id, "domain.verified", ("Product", product.id))
    return Outcome(product)
