"""Organizations: the viewer's list, creating, editing, switching, deleting, and what blocks leaving."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import Invitation, Invoice, Membership, Order, Organization, PrepaidAccount, Product, User
from gateway.db.models.products import FINAL_STATUSES
from gateway.i18n import N_, Text
from permissions.caller import Caller
from permissions.policy import ACTIVE, Grant
from permissions.rights import ALL_TOPICS, Role
from resolvers import audit, legal, mail
from resolvers.context import Context
from resolvers.invoice_pdf import invoice_document
from resolvers.pagination import Page, Window, build_page, list_identity, seek
from resolvers.results import Outcome

KINDS = ("INDIVIDUAL", "COMPANY")
IMMUTABLE = ("legal_name", "tax_code", "vat_number")
EDITABLE = ("name", "street", "postal_code", "city", "province", "country", "phone")


@dataclass(frozen=True, slots=True)
class OrganizationDraft:
    name: str | None = None
    kind: str | None = None
    legal_name: str | None = None
    tax_code: str | None = None
    vat_number: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    province: str | None = None
    country: str | None = None
    phone: str | None = None


async def viewer_organizations(ctx: Context, page: Window) -> Page[Any]:
    """The caller's active memberships with their organizations, by name; primes the permission loader."""
    sort = (func.lower(Organization.name), Organization.id)
    stmt = seek(
        _viewer_memberships(ctx).add_columns(Organization),
        sort,
        False,
        page,
        _viewer_list(ctx),
        [str, uuid.UUID],
    )
    async with ctx.reads() as session:
        rows = (await session.execute(stmt)).all()
    for row in rows:
        ctx.loaders.grant_by_organization_id.prime(row.Organization.id, Grant.from_row(row))
        ctx.loaders.organization_by_id.prime(row.Organization.id, row.Organization)
    return build_page(rows, page, _viewer_list(ctx), lambda r: [r.Organization.name.lower(), r.Organization.id])


async def viewer_organization_count(ctx: Context) -> int:
    counted = _viewer_memberships(ctx).with_only_columns(func.count(), maintain_column_froms=True)
    async with ctx.reads() as session:
        return int(await session.scalar(counted) or 0)


def _viewer_memberships(ctx: Context) -> Select[Any]:
    return viewer_memberships(ctx.caller)


def viewer_memberships(caller: Caller) -> Select[Any]:
    """The caller's active memberships of organizations that exist: `viewer.organizations`."""
    mine = caller.memberships()
    return (
        select(mine)
        .join(Organization, Organization.id == mine.c.organization_id)
        # A staff member's views are not memberships: the viewer's own list never shows them.
        .where(mine.c.status == ACTIVE, ~mine.c.staff_view, Organization.deleted_at.is_(None))
    )


def _viewer_list(ctx: Context) -> str:
    return list_identity("viewer.organizations", ctx.principal.subject, "name,id", "asc")


async def active_organization(ctx: Context) -> Organization | None:
    user = await ctx.loaders.user_by_id.load(ctx.user_id)
    if user is None or user.active_organization_id is None:
        return None
    grant = await ctx.loaders.grant_by_organization_id.load(user.active_organization_id)
    if grant is None or not grant.active:
        return None
    return await ctx.loaders.organization_by_id.load(user.active_organization_id)


def _clean(draft: OrganizationDraft) -> dict[str, Any]:
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in vars_of(draft).items() if v is not None}
    for key in ("country", "tax_code", "postal_code"):
        if values.get(key):
            values[key] = values[key].upper()
    if values.get("vat_number"):
        values["vat_number"] = legal.compact(values["vat_number"])
    if values.get("tax_code"):
        values["tax_code"] = legal.compact(values["tax_code"])
    return {k: (v if v != "" else None) for k, v in values.items()}


# In the sentence that lists what still stops a deletion.
BLOCKER_NAMES = {
    "ACTIVE_PRODUCTS": N_("active products"),
    "PREPAID_BALANCE": N_("money in the prepaid account"),
    "UNPAID_INVOICES": N_("orders waiting for payment"),
}


def blocker(code: str) -> Text:
    return Text(BLOCKER_NAMES[code])


def vars_of(draft: OrganizationDraft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in OrganizationDraft.__slots__}


def _problems(values: dict[str, Any], *, creating: bool) -> Outcome[Any] | None:
    def fail(code: str, message: str | Text, field: str) -> Outcome[Any]:
        return Outcome.fail(code, message, "input", _camel(field))

    if creating or "name" in values:
        name = values.get("name") or ""
        if not name or len(name) > 200:
            return fail("NAME_INVALID", "The name is required and at most 200 characters.", "name")
    if creating:
        if values.get("kind") not in KINDS:
            return fail("KIND_INVALID", "Choose an individual or a company.", "kind")
        if not values.get("legal_name") or len(values["legal_name"]) > 300:
            return fail("LEGAL_NAME_INVALID", "The legal name is required and at most 300 characters.", "legalName")
    country = values.get("country") or ("IT" if creating else None)
    if country is not None and not legal.COUNTRY.match(country):
        return fail("COUNTRY_INVALID", "The country is a two-letter ISO code, e.g. IT.", "country")
    if creating and country == "IT":
        if values.get("kind") == "COMPANY" and not values.get("vat_number"):
            return fail("VAT_NUMBER_REQUIRED", "An Italian company needs its VAT number (partita IVA).", "vatNumber")
        if not values.get("tax_code"):
            return fail("TAX_CODE_REQUIRED", "An Italian customer needs a tax code (codice fiscale).", "taxCode")
    if values.get("tax_code") and country == "IT" and not legal.italian_tax_code_ok(values["tax_code"]):
        return fail("TAX_CODE_INVALID", "This codice fiscale is not valid.", "taxCode")
    if values.get("vat_number") and not legal.vat_number_ok(values["vat_number"], country or "IT"):
        return fail("VAT_NUMBER_INVALID", "This VAT number is not valid.", "vatNumber")
    if values.get("phone") and not legal.phone_ok(values["phone"]):
        return fail("PHONE_INVALID", "Enter the phone number with digits, e.g. +39 055 123456.", "phone")
    if values.get("postal_code") and not legal.postal_code_ok(values["postal_code"]):
        return fail("POSTAL_CODE_INVALID", "This postal code is not valid.", "postalCode")
    for key in ("street", "city", "province"):
        if values.get(key) and len(values[key]) > 300:
            return fail("ADDRESS_INVALID", "Address lines are at most 300 characters.", key)
    return None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


async def create(ctx: Context, draft: OrganizationDraft) -> Outcome[Organization]:
    values = _clean(draft)
    values.setdefault("country", "IT")
    if problem := _problems(values, creating=True):
        return problem
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        organization = Organization(
            id=new_id(), legal_representative_id=ctx.user_id, created_at=now, updated_at=now, **values
        )
        session.add(organization)
        await session.flush()
        session.add(
            Membership(
                id=new_id(),
                organization_id=organization.id,
                user_id=ctx.user_id,
                role=Role.OWNER.value,
                rights=[],
                all_products=True,
                product_ids=[],
                topics=sorted(t.value for t in ALL_TOPICS),
                status=ACTIVE,
                created_at=now,
                updated_at=now,
            )
        )
        # The first organization becomes the one the frontends open.
        await session.execute(
            update(User)
            .where(User.id == ctx.user_id, User.active_organization_id.is_(None))
            .values(active_organization_id=organization.id)
        )
        audit.record(session, ctx, organization.id, "organization.create", ("Organization", organization.id))
    return Outcome(organization)


async def update_details(ctx: Context, organization_id: uuid.UUID, draft: OrganizationDraft) -> Outcome[Organization]:
    values = _clean(draft)
    async with ctx.db.begin() as session:
        organization = await session.get_one(Organization, organization_id, with_for_update=True)
        changed_legal = [k for k in IMMUTABLE if k in values and values[k] != getattr(organization, k)]
        if changed_legal:
            return Outcome.fail(
                "LEGAL_IDENTITY_IMMUTABLE",
                "The legal name, tax code and VAT number cannot change. A different legal entity needs a new "
                "organization: create it, then transfer the products to it.",
                "input",
                _camel(changed_legal[0]),
            )
        editable = {k: v for k, v in values.items() if k in EDITABLE}
        if problem := _problems(editable | {"country": editable.get("country", organization.country)}, creating=False):
            return problem
        changes = {k: v for k, v in editable.items() if getattr(organization, k) != v}
        for key, value in changes.items():
            setattr(organization, key, value)
        if changes:
            organization.updated_at = ctx.clock.now()
            audit.record(
                session,
                ctx,
                organization.id,
                "organization.update",
                ("Organization", organization.id),
                fields=sorted(changes),
            )
    return Outcome(organization)


async def switch(ctx: Context, organization_id: uuid.UUID) -> Outcome[Organization]:
    async with ctx.db.begin() as session:
        await session.execute(update(User).where(User.id == ctx.user_id).values(active_organization_id=organization_id))
    organization = await ctx.loaders.organization_by_id.load(organization_id)
    return Outcome(organization)


def blockers_for_leaving(active_members: int, active_owners: int, is_owner: bool) -> list[str]:
    """Why a member may not leave: LAST_OWNER, SOLE_MEMBER. The same rule for display and for the mutation."""
    blockers = []
    if is_owner and active_owners <= 1:
        blockers.append("LAST_OWNER")
    if active_members <= 1:
        blockers.append("SOLE_MEMBER")
    return blockers


async def leave_blockers(ctx: Context, organization_id: uuid.UUID) -> list[str]:
    grant = await ctx.loaders.grant_by_organization_id.load(organization_id)
    active, owners = await ctx.loaders.member_stats.load(organization_id)
    return blockers_for_leaving(active, owners, grant is not None and grant.role is Role.OWNER)


async def deletion_blockers(ctx: Context, organization_id: uuid.UUID) -> list[str]:
    """What must be settled before the organization can be deleted."""
    live = select(func.count()).where(Product.organization_id == organization_id, Product.status.not_in(FINAL_STATUSES))
    balance = select(PrepaidAccount.balance_cents).where(PrepaidAccount.organization_id == organization_id)
    unpaid = select(func.count()).where(Order.organization_id == organization_id, Order.status == "PENDING_PAYMENT")
    async with ctx.reads() as session:
        products, money, orders = (
            await session.execute(select(live.scalar_subquery(), balance.scalar_subquery(), unpaid.scalar_subquery()))
        ).one()
    found = {"ACTIVE_PRODUCTS": products, "PREPAID_BALANCE": money, "UNPAID_INVOICES": orders}
    return [code for code, count in found.items() if count]


async def delete_organization(
    ctx: Context, organization_id: uuid.UUID, confirm_name: str, send_invoices: bool = False
) -> Outcome[uuid.UUID]:
    if blockers := await deletion_blockers(ctx, organization_id):
        return Outcome.fail(
            blockers[0], "The organization cannot be deleted yet: {blockers}.", blockers=[blocker(b) for b in blockers]
        )
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        organization = await session.get_one(Organization, organization_id, with_for_update=True)
        if confirm_name.strip() != organization.name:
            return Outcome.fail(
                "CONFIRMATION_MISMATCH", "Type the organization's name exactly to confirm.", "input", "confirmName"
            )
        if send_invoices:
            await _mail_invoices(ctx, session, organization)
        # The row stays (invoices and audit entries refer to it); memberships and invitations go.
        organization.deleted_at = now
        organization.updated_at = now
        await session.execute(delete(Membership).where(Membership.organization_id == organization_id))
        await session.execute(delete(Invitation).where(Invitation.organization_id == organization_id))
        await session.execute(
            update(User).where(User.active_organization_id == organization_id).values(active_organization_id=None)
        )
        audit.record(session, ctx, organization_id, "organization.delete", ("Organization", organization_id))
    return Outcome(organization_id)


async def _mail_invoices(ctx: Context, session: AsyncSession, organization: Organization) -> None:
    """The paid invoices, as PDFs, to the owner deleting the organization."""
    rows = (
        (
            await session.execute(
                select(Invoice).where(Invoice.organization_id == organization.id).order_by(Invoice.issued_at)
            )
        )
        .scalars()
        .all()
    )
    user = await session.get_one(User, ctx.user_id)
    mail.enqueue(
        session,
        kind="organization_invoices",
        recipient=user.email,
        language=user.language,
        now=ctx.clock.now(),
        attachments=[_attachment(row, user.language) for row in rows],
        organization=organization.name,
        count=str(len(rows)),
    )


def _attachment(row: Invoice, language: str) -> tuple[str, str, bytes]:
    filename, pdf = invoice_document(row, language)
    return filename, "application/pdf", pdf
