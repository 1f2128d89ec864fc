"""The provider's staff: `staff { … }` searches across tenants, and organizations opened with a reason.

Results of a search are small types of their own (enough to tell them apart); the organization itself is read
with `staff { organization(id, reason) }`, which the organization's owners then find in their audit log, and
through the customers' own `Organization` type from there on.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Self

import strawberry
from strawberry import relay

from permissions.fields import inherited, staff
from permissions.staff import StaffRole
from resolvers import staff as staff_reads
from resolvers import staff_members
from schema.catalog import Money
from schema.common import Connection, Info, check_page, decode_id, encode_id
from schema.organizations import Organization

AGENT = StaffRole.SUPPORT_AGENT


def _id(type_name: str, value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(encode_id(type_name, value))


@strawberry.type(description="An organization a staff search found; open it with `staff.organization(id, reason)`.")
class StaffOrganizationResult:
    organization_id: strawberry.ID = inherited(description="What `staff.organization(id:)` opens.")
    name: str = inherited()
    legal_name: str = inherited()
    vat_number: str | None = inherited()
    tax_code: str | None = inherited()
    country: str = inherited()
    created_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            organization_id=_id("Organization", row.id),
            name=row.name,
            legal_name=row.legal_name,
            vat_number=row.vat_number,
            tax_code=row.tax_code,
            country=row.country,
            created_at=row.created_at,
        )


@strawberry.type(description="An account a staff search found. Credentials are never shown, to staff neither.")
class StaffUserResult:
    user_id: strawberry.ID = inherited()
    email: str = inherited()
    full_name: str = inherited()
    email_verified: bool = inherited()
    organization_count: int = inherited(description="Organizations it is an active member of.")
    created_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            user_id=_id("User", row.id),
            email=row.email,
            full_name=row.full_name,
            email_verified=row.email_verified_at is not None,
            organization_count=row.organization_count,
            created_at=row.created_at,
        )


@strawberry.type(description="An order a staff search found, with the organization that placed it.")
class StaffOrderResult:
    order_id: strawberry.ID = inherited()
    number: str = inherited()
    status: str = inherited()
    total: Money = inherited()
    organization_id: strawberry.ID = inherited()
    organization_name: str = inherited()
    created_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            order_id=_id("Order", row.id),
            number=row.number,
            status=row.status,
            total=Money.of(row.total_cents, row.currency),
            organization_id=_id("Organization", row.organization_id),
            organization_name=row.organization_name,
            created_at=row.created_at,
        )


@strawberry.type(description="An invoice a staff search found, with the organization it was issued to.")
class StaffInvoiceResult:
    invoice_id: strawberry.ID = inherited()
    number: str = inherited()
    status: str = inherited()
    total: Money = inherited()
    organization_id: strawberry.ID = inherited()
    organization_name: str = inherited()
    issued_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            invoice_id=_id("Invoice", row.id),
            number=row.number,
            status=row.status,
            total=Money.of(row.total_cents, row.currency),
            organization_id=_id("Organization", row.organization_id),
            organization_name=row.organization_name,
            issued_at=row.issued_at,
        )


@strawberry.type(description="A person of the provider's staff.")
class StaffMember:
    staff_member_id: strawberry.ID = inherited(description="What `changeStaffRole` and `removeStaffMember` take.")
    email: str = inherited()
    full_name: str = inherited()
    role: StaffRole = inherited()
    created_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            staff_member_id=_id("StaffMember", row.id),
            email=row.email,
            full_name=row.full_name,
            role=StaffRole(row.role),
            created_at=row.created_at,
        )


@strawberry.type(description="What the provider's staff read across organizations.")
class StaffQuery:
    @strawberry.field(extensions=[staff(AGENT)], description="The caller's own platform role.")
    def role(self, info: Info) -> StaffRole:
        role: StaffRole = info.context.principal.staff_role
        return role

    @strawberry.field(
        extensions=[staff(AGENT)],
        description="Opens an organization to the caller for 30 minutes, read through the customers' own types and "
        "entry points. Writes the view and its reason to the organization's audit log, which its owners and admins "
        "read.",
    )
    async def organization(
        self,
        info: Info,
        id: relay.GlobalID,
        reason: Annotated[str, strawberry.argument(description="Why (a ticket number, a call): shown to the owners.")],
    ) -> Organization | None:
        row = await staff_reads.open_organization(info.context, decode_id(id, "Organization"), reason)
        return Organization.from_row(row)

    @strawberry.field(
        extensions=[staff(AGENT)],
        description="By name or legal name, VAT number, tax code, a product's name (a domain) or a member's email.",
    )
    async def organizations(
        self, info: Info, query: str, first: int | None = None, after: str | None = None, last: int | None = None,
        before: str | None = None,
    ) -> Connection[StaffOrganizationResult]:  # fmt: skip
        return await _results(info, "organizations", query, (first, after, last, before), StaffOrganizationResult)

    @strawberry.field(extensions=[staff(AGENT)], description="By login email or name.")
    async def users(
        self, info: Info, query: str, first: int | None = None, after: str | None = None, last: int | None = None,
        before: str | None = None,
    ) -> Connection[StaffUserResult]:  # fmt: skip
        return await _results(info, "users", query, (first, after, last, before), StaffUserResult)

    @strawberry.field(extensions=[staff(AGENT)], description="By order number, e.g. ORD-2026-000042.")
    async def orders(
        self, info: Info, query: str, first: int | None = None, after: str | None = None, last: int | None = None,
        before: str | None = None,
    ) -> Connection[StaffOrderResult]:  # fmt: skip
        return await _results(info, "orders", query, (first, after, last, before), StaffOrderResult)

    @strawberry.field(extensions=[staff(AGENT)], description="By invoice number, e.g. 2026/000042.")
    async def invoices(
        self, info: Info, query: str, first: int | None = None, after: str | None = None, last: int | None = None,
        before: str | None = None,
    ) -> Connection[StaffInvoiceResult]:  # fmt: skip
        return await _results(info, "invoices", query, (first, after, last, before), StaffInvoiceResult)

    @strawberry.field(extensions=[staff(StaffRole.SUPERADMIN)], description="The whole staff, by email.")
    async def members(self, info: Info) -> list[StaffMember]:
        return [StaffMember.from_row(r) for r in await staff_members.list_staff(info.context.reads)]


async def _results(info: Info, name: str, query: str, window: tuple[Any, ...], result: Any) -> Any:
    page = await staff_reads.search(info.context, name, query, check_page(info, *window))
    return Connection.of(page, result.from_row, lambda: staff_reads.count(info.context, name, query))
