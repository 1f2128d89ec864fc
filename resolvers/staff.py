"""What the provider's staff read across tenants: searches, and organizations opened with a reason.

Searches answer only what tells results apart (names, tax ids, numbers, amounts); reading an organization
itself needs `open_organization`, which writes "provider staff viewed this organization: <reason>" to that
organization's audit log, where its owners and admins read it. For a while after that the organization reads
through the customers' own types and entry points (`organization(id:)`, `node(id:)`), as
`permissions.caller.staff_view_rows` allows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select

from gateway.db.models import AuditEntry, Invoice, Membership, Order, Organization, Product, User
from gateway.i18n import text
from permissions.errors import BadUserInput, NotFound
from permissions.staff import VIEW_ACTION
from resolvers import audit
from resolvers.context import Context
from resolvers.pagination import Page, Window, build_page, list_identity, seek

MAX_REASON = 300
MIN_SEARCH = 2
MAX_SEARCH = 100
# A dashboard reopens what it shows; one entry per staff member, organization and reason in this time is enough
# (shorter than the view's life, so reopening keeps a session going).
SAME_VIEW = timedelta(minutes=10)


def _reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned or len(cleaned) > MAX_REASON:
        raise BadUserInput(
            text("Say why you open this organization (at most {maximum} characters).", maximum=MAX_REASON),
            field="reason",
        )
    return cleaned


async def open_organization(ctx: Context, organization_id: uuid.UUID | None, reason: str) -> Any:
    """The organization, readable by the calling staff member from now on for `VIEW_LIFETIME`: the audit entry
    that tells its owners is what opens it."""
    why = _reason(reason)
    row = await ctx.loaders.organization_by_id.load(organization_id) if organization_id is not None else None
    if row is None:
        raise NotFound
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        recent = await session.scalar(
            select(
                exists().where(
                    AuditEntry.organization_id == row.id,
                    AuditEntry.actor_id == ctx.principal.user_id,
                    AuditEntry.action == VIEW_ACTION,
                    AuditEntry.details["reason"].astext == why,
                    AuditEntry.created_at > now - SAME_VIEW,
                )
            )
        )
        if not recent:
            role = ctx.principal.staff_role.value if ctx.principal.staff_role else None
            audit.record(session, ctx, row.id, VIEW_ACTION, ("Organization", row.id), reason=why, staffRole=role)
    ctx.loaders.grant_by_organization_id.clear(row.id)  # a refusal cached before the view opened must not stay
    return row


def _pattern(query: str) -> str:
    cleaned = " ".join(query.split())
    if not MIN_SEARCH <= len(cleaned) <= MAX_SEARCH:
        raise BadUserInput(
            text("Search for {minimum} to {maximum} characters.", minimum=MIN_SEARCH, maximum=MAX_SEARCH),
            field="query",
        )
    escaped = cleaned.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _like(column: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
    return column.ilike(pattern, escape="\\")


def organizations_matching(query: str) -> Select[Any]:
    """By name or legal name, VAT number, tax code, a product's name (a domain) or a member's login email."""
    pattern = _pattern(query)
    by_domain = exists().where(Product.organization_id == Organization.id, _like(Product.name, pattern))
    by_member = exists().where(
        Membership.organization_id == Organization.id, Membership.user_id == User.id, _like(User.email, pattern)
    )
    return select(*Organization.__table__.c).where(
        Organization.deleted_at.is_(None),
        or_(
            _like(Organization.name, pattern),
            _like(Organization.legal_name, pattern),
            _like(func.coalesce(Organization.vat_number, ""), pattern),
            _like(func.coalesce(Organization.tax_code, ""), pattern),
            by_domain,
            by_member,
        ),
    )


def users_matching(query: str) -> Select[Any]:
    pattern = _pattern(query)
    memberships = (
        select(func.count())
        .where(Membership.user_id == User.id, Membership.status == "ACTIVE")
        .scalar_subquery()
        .label("organization_count")
    )
    return select(User.id, User.email, User.full_name, User.email_verified_at, User.created_at, memberships).where(
        or_(_like(User.email, pattern), _like(User.full_name, pattern))
    )


def _numbered(model: Any, when: Any) -> Callable[[str], Select[Any]]:
    """Orders or invoices by number, with the organization each belongs to."""

    def matching(query: str) -> Select[Any]:
        columns = (model.id, model.organization_id, model.number, model.status, model.currency, model.total_cents)
        return (
            select(*columns, when, Organization.name.label("organization_name"))
            .join(Organization, Organization.id == model.organization_id)
            .where(_like(model.number, _pattern(query)))
        )

    return matching


@dataclass(frozen=True, slots=True)
class Search:
    """One of the staff's searches: what matches, in which order (the last key unique), a row's cursor."""

    matching: Callable[[str], Select[Any]]
    sort: tuple[Any, ...]
    labels: str
    key: Callable[[Any], list[Any]]


SEARCHES = {
    "organizations": Search(
        organizations_matching,
        (func.lower(Organization.name), Organization.id),
        "name,id",
        lambda r: [r.name.lower(), r.id],
    ),
    "users": Search(users_matching, (User.email, User.id), "email,id", lambda r: [r.email, r.id]),
    "orders": Search(
        _numbered(Order, Order.created_at), (Order.number, Order.id), "number,id", lambda r: [r.number, r.id]
    ),
    "invoices": Search(
        _numbered(Invoice, Invoice.issued_at), (Invoice.number, Invoice.id), "number,id", lambda r: [r.number, r.id]
    ),
}


async def search(ctx: Context, name: str, query: str, page: Window) -> Page[Any]:
    found = SEARCHES[name]
    identity = list_identity(f"staff.{name}", query, found.labels, "asc")
    stmt = seek(found.matching(query), found.sort, False, page, identity, [str, uuid.UUID])
    async with ctx.reads() as session:
        rows = (await session.execute(stmt)).all()
    return build_page(rows, page, identity, found.key)


async def count(ctx: Context, name: str, query: str) -> int:
    matching = SEARCHES[name].matching(query).subquery()
    async with ctx.reads() as session:
        return int(await session.scalar(select(func.count()).select_from(matching)) or 0)
