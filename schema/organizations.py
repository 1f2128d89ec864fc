from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, Self

import strawberry
from sqlalchemy import BigInteger, Text, case, cast, func, select
from strawberry import relay

from gateway.db.models import AuditEntry as AuditEntryRow
from gateway.db.models import Membership
from gateway.db.models import Organization as OrganizationRow
from gateway.db.models import Product as ProductRow
from gateway.i18n import N_, translate
from permissions.caller import Caller
from permissions.errors import BadUserInput
from permissions.fields import (
    INHERITED,
    in_person,
    inherited,
    member,
    personal,
    requires,
    requires_any,
    requires_role,
)
from permissions.policy import Grant
from permissions.rights import Right, Role
from resolvers import organizations, product_transfers
from resolvers.loaders.organizations import audit_rows, members_query
from resolvers.loaders.pages import PageKey
from resolvers.loaders.products import ProductFilter, ProductsPageLoader
from resolvers.organizations import viewer_memberships
from resolvers.pagination import Window
from schema import sql_json
from schema.api_tokens import ApiToken
from schema.audit import AuditEntry
from schema.billing import Invoice, Payment, PrepaidAccount, _invoice_rows, _prepaid_row
from schema.billing_addresses import BillingAddress
from schema.catalog import Money
from schema.common import Connection, Count, Info, PageInfo, ProductScope, check_page, counted
from schema.contract import Contract
from schema.invitations import Invitation, InvitationStatus
from schema.members import Member, MemberStatus
from schema.orders import Order, OrderStatus
from schema.product_transfers import ProductTransfer
from schema.products import Product, ProductFilterInput, ProductOrder, product_filter
from schema.sql_source import Json, Nested, NodeId, Page, Row, Scalar, SqlType, sql_type
from schema.webhooks import WebhookEndpoint

if TYPE_CHECKING:
    from collections.abc import Iterable


@strawberry.enum
class OrganizationKind(Enum):
    INDIVIDUAL = "INDIVIDUAL"
    COMPANY = "COMPANY"


@strawberry.enum(description="What stops a member from leaving, or an organization from being deleted.")
class BlockerCode(Enum):
    LAST_OWNER = "LAST_OWNER"
    SOLE_MEMBER = "SOLE_MEMBER"
    ACTIVE_PRODUCTS = "ACTIVE_PRODUCTS"
    PREPAID_BALANCE = "PREPAID_BALANCE"
    UNPAID_INVOICES = "UNPAID_INVOICES"


BLOCKER_MESSAGES = {
    BlockerCode.LAST_OWNER: N_("You are the last owner: make another member owner first."),
    BlockerCode.SOLE_MEMBER: N_("You are the only member: delete the organization instead of leaving it."),
    BlockerCode.ACTIVE_PRODUCTS: N_(
        "Some products are still active: cancel them or move them to another organization."
    ),
    BlockerCode.PREPAID_BALANCE: N_("The prepaid account still holds money: withdraw it first."),
    BlockerCode.UNPAID_INVOICES: N_("Some orders are waiting for payment: pay or cancel them first."),
}


@strawberry.type
class Blocker:
    code: BlockerCode = inherited()
    message: str = inherited()

    @classmethod
    def of(cls, codes: Iterable[str], language: str) -> list[Blocker]:
        return [cls(code=BlockerCode(c), message=translate(BLOCKER_MESSAGES[BlockerCode(c)], language)) for c in codes]


@strawberry.type
class Address:
    street: str | None = inherited()
    postal_code: str | None = inherited()
    city: str | None = inherited()
    province: str | None = inherited()
    country: str = inherited(description="ISO 3166-1 alpha-2 code.")


@strawberry.type(description="A customer account: its products, invoices and members live here.")
class Organization(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    legal_representative_id: strawberry.Private[uuid.UUID | None]
    name: str = inherited()
    kind: OrganizationKind = inherited()
    legal_name: str = inherited(description="Fixed at creation, like the tax code and the VAT number.")
    tax_code: str | None = inherited()
    vat_number: str | None = inherited()
    address: Address = inherited()
    phone: str | None = inherited()
    logo_url: str | None = inherited(description="Served to members only (cookie or bearer).")
    created_at: datetime = inherited()
    updated_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: OrganizationRow) -> Self:
        logo = f"/organizations/{row.id}/logo?v={int(row.logo_updated_at.timestamp())}" if row.logo_updated_at else None
        return cls(
            id=row.id,
            organization_id=row.id,
            legal_representative_id=row.legal_representative_id,
            name=row.name,
            kind=OrganizationKind(row.kind),
            legal_name=row.legal_name,
            tax_code=row.tax_code,
            vat_number=row.vat_number,
            address=Address(
                street=row.street,
                postal_code=row.postal_code,
                city=row.city,
                province=row.province,
                country=row.country,
            ),
            phone=row.phone,
            logo_url=logo,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(
        extensions=[personal()],
        description="The caller's own role, rights and scope here; null for an integration token (no member).",
    )
    async def my_membership(self, info: Info) -> Member | None:
        user_id = info.context.principal.user_id
        row = await info.context.loaders.member_by_organization_and_user.load((self.id, user_id)) if user_id else None
        return Member.from_row(row) if row else None

    @strawberry.field(extensions=[member()], description="The owner who is the legal representative.")
    async def legal_representative(self, info: Info) -> Member | None:
        if self.legal_representative_id is None:
            return None
        key = (self.organization_id, self.legal_representative_id)
        row = await info.context.loaders.member_by_organization_and_user.load(key)
        return Member.from_row(row) if row else None

    @strawberry.field(extensions=[member()], description="Oldest first.")
    async def members(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: MemberStatus | None = None,
    ) -> Connection[Member] | None:
        filters = (status.value,) if status else ()
        loader = info.context.loaders.members_page
        page = await loader.load(PageKey(self.organization_id, check_page(info, first, after, last, before), filters))
        return Connection.of(page, Member.from_row, counted(loader, self.organization_id, filters))

    @strawberry.field(extensions=[requires(Right.MANAGE_MEMBERS)], description="Newest first.")
    async def invitations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: InvitationStatus | None = None,
    ) -> Connection[Invitation] | None:
        filters = (status.value,) if status and status is not InvitationStatus.EXPIRED else ()
        loader = info.context.loaders.invitations_page
        page = await loader.load(PageKey(self.organization_id, check_page(info, first, after, last, before), filters))
        now = info.context.clock.now()
        count = counted(loader, self.organization_id, filters)
        return Connection.of(page, lambda row: Invitation.from_row(row, now), count)

    @strawberry.field(
        extensions=[requires_role(Role.ADMIN)],
        description="Product hand-offs given or received that wait for an answer, newest first.",
    )
    async def product_transfers(self, info: Info) -> list[ProductTransfer] | None:
        now = info.context.clock.now()
        rows = await product_transfers.open_for(info.context, self.organization_id)
        return [ProductTransfer.from_row(r, self.organization_id, now) for r in rows]

    @strawberry.field(
        extensions=[in_person(requires_role(Role.ADMIN))],
        description="The organization's integration tokens, newest first (revoked and expired ones too).",
    )
    async def integration_tokens(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ApiToken] | None:
        loader = info.context.loaders.integration_tokens_page
        page = await loader.load(PageKey(self.organization_id, check_page(info, first, after, last, before)))
        now = info.context.clock.now()
        return Connection.of(page, lambda row: ApiToken.from_row(row, now), counted(loader, self.organization_id))

    @strawberry.field(extensions=[requires_role(Role.ADMIN)], description="Newest first.")
    async def audit_log(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AuditEntry] | None:
        loader = info.context.loaders.audit_page
        page = await loader.load(PageKey(self.organization_id, check_page(info, first, after, last, before)))
        return Connection.of(page, AuditEntry.from_row, counted(loader, self.organization_id))

    @strawberry.field(
        extensions=[requires(Right.MANAGE_ORGANIZATION)],
        description="Where the organization's events are sent (see the README's Webhooks section), oldest first.",
    )
    async def webhook_endpoints(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[WebhookEndpoint] | None:
        loader = info.context.loaders.webhook_endpoints_page
        page = await loader.load(PageKey(self.organization_id, check_page(info, first, after, last, before)))
        return Connection.of(page, WebhookEndpoint.from_row, counted(loader, self.organization_id))

    @strawberry.field(
        extensions=[requires(Right.VIEW_PRODUCTS)],
        description="In the caller's product scope. `first` at most 100.",
    )
    async def products(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ProductFilterInput | None = None,
        order_by: ProductOrder | None = None,
    ) -> Connection[Product] | None:
        spec = product_filter(filter, order_by)
        return await _product_page(info, self.organization_id, spec, check_page(info, first, after, last, before))

    @strawberry.field(
        extensions=[requires(Right.VIEW_PRODUCTS)],
        description="Products expiring within the next `withinDays` days, soonest first.",
    )
    async def expiring_products(
        self,
        info: Info,
        within_days: int = 30,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Product] | None:
        now = info.context.clock.now()
        spec = ProductFilter(
            statuses=LIVE_STATUSES,
            expires_after=now,
            expires_before=now + timedelta(days=check_days(within_days)),
            order="EXPIRES_AT",
        )
        return await _product_page(info, self.organization_id, spec, check_page(info, first, after, last, before))

    @strawberry.field(extensions=[requires(Right.VIEW_PRODUCTS)], description="Bought and waiting to be configured.")
    async def products_to_configure(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Product] | None:
        spec = ProductFilter(statuses=("TO_CONFIGURE",), order="CREATED_AT")
        return await _product_page(info, self.organization_id, spec, check_page(info, first, after, last, before))

    @strawberry.field(
        extensions=[requires_any(Right.ORDER, Right.VIEW_BILLING)],
        description="Newest first. A member limited to some products sees the orders touching only those.",
    )
    async def orders(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: OrderStatus | None = None,
    ) -> Connection[Order] | None:
        filters = (status.value,) if status else ()
        return await _order_page(info, self.organization_id, check_page(info, first, after, last, before), filters)

    @strawberry.field(extensions=[requires(Right.VIEW_BILLING)], description="Newest first.")
    async def invoices(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: InvoiceFilter | None = None,
    ) -> Connection[Invoice] | None:
        given = filter or InvoiceFilter()
        filters = (given.issued_from, given.issued_to)
        loader = info.context.loaders.invoices_page
        page = await loader.load(PageKey(self.organization_id, check_page(info, first, after, last, before), filters))
        return Connection.of(page, Invoice.from_row, counted(loader, self.organization_id, filters))

    @strawberry.field(
        extensions=[requires(Right.VIEW_BILLING)],
        description="Every payment attempt (orders and prepaid top-ups), newest first: the payment history.",
    )
    async def payments(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Payment] | None:
        loader = info.context.loaders.payments_page
        page = await loader.load(PageKey(self.organization_id, check_page(info, first, after, last, before)))
        return Connection.of(page, Payment.from_row, counted(loader, self.organization_id))

    @strawberry.field(
        extensions=[requires_any(Right.PAY, Right.VIEW_BILLING)],
        description="Orders and renewals waiting for payment, newest first.",
    )
    async def to_pay(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Order] | None:
        page = check_page(info, first, after, last, before)
        return await _order_page(info, self.organization_id, page, ("PENDING_PAYMENT",))

    @strawberry.field(extensions=[requires(Right.VIEW_BILLING)], description="The default first.")
    async def billing_addresses(self, info: Info) -> list[BillingAddress] | None:
        return [
            BillingAddress.from_row(r) for r in await info.context.loaders.billing_addresses.load(self.organization_id)
        ]

    @strawberry.field(extensions=[requires(Right.VIEW_BILLING)])
    async def prepaid_account(self, info: Info) -> PrepaidAccount | None:
        balance = await info.context.loaders.prepaid_balance.load(self.organization_id)
        return PrepaidAccount(organization_id=self.organization_id, balance=Money.of(balance, "EUR"))

    @strawberry.field(extensions=[member()], description="The general conditions in force, and what was accepted.")
    async def contract(self, info: Info) -> Contract | None:
        return await Contract.for_organization(info, self.organization_id)

    @strawberry.field(extensions=[personal()], description="Why the caller cannot leave now; empty when they can.")
    async def leave_blockers(self, info: Info) -> list[Blocker] | None:
        return Blocker.of(await organizations.leave_blockers(info.context, self.organization_id), info.context.language)

    @strawberry.field(extensions=[requires_role(Role.OWNER)], description="What to settle before deleting.")
    async def deletion_blockers(self, info: Info) -> list[Blocker] | None:
        return Blocker.of(
            await organizations.deletion_blockers(info.context, self.organization_id), info.context.language
        )


LIVE_STATUSES = ("ACTIVE", "SUSPENDED", "TO_CONFIGURE")


def check_days(within_days: int) -> int:
    if not 1 <= within_days <= 366:
        raise BadUserInput("`withinDays` must be between 1 and 366.")
    return within_days


async def _product_page(
    info: Info, organization_id: uuid.UUID, spec: ProductFilter, page: Window
) -> Connection[Product]:
    loader = info.context.loaders.products_page
    rows = await loader.load(PageKey(organization_id, page, (spec,)))
    return Connection.of(rows, Product.from_row, counted(loader, organization_id, (spec,)))


async def _order_page(
    info: Info, organization_id: uuid.UUID, page: Window, filters: tuple[Any, ...]
) -> Connection[Order]:
    loader = info.context.loaders.orders_page
    rows = await loader.load(PageKey(organization_id, page, filters))
    return Connection.of(rows, Order.from_row, counted(loader, organization_id, filters))


@strawberry.input
class InvoiceFilter:
    issued_from: datetime | None = strawberry.field(default=None, name="from")
    issued_to: datetime | None = strawberry.field(default=None, name="to", description="Exclusive.")


@strawberry.type(description="An organization the viewer belongs to, with their place in it.")
class OrganizationEdge:
    cursor: str = inherited()
    node: Organization = inherited()
    role: Role = inherited()
    rights: list[Right] = inherited()
    product_scope: ProductScope = inherited()


@strawberry.type
class OrganizationConnection:
    edges: list[OrganizationEdge] = inherited()
    page_info: PageInfo = inherited()
    count: strawberry.Private[Count]

    @strawberry.field(directives=[INHERITED], description="Every organization the viewer is an active member of.")
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def from_page(cls, page: Any, count: Count) -> Self:
        edges = []
        for row, cursor in zip(page.rows, page.cursors, strict=True):
            grant = Grant.from_row(row)  # the caller's own, as every check reads it
            edges.append(
                OrganizationEdge(
                    cursor=cursor,
                    node=Organization.from_row(row.Organization),
                    role=grant.role,
                    rights=sorted(grant.rights, key=lambda r: r.value),
                    product_scope=ProductScope.of(grant.all_products, grant.product_ids),
                )
            )
        return cls(edges=edges, page_info=PageInfo.from_page(page), count=count)


def _logo_url(c: Any) -> Any:
    version = cast(func.floor(func.extract("epoch", c.logo_updated_at)), BigInteger)
    url = sql_json.concat(
        sql_json.constant('"/organizations/'),
        cast(c.id, Text),
        sql_json.constant("/logo?v="),
        cast(version, Text),
        sql_json.constant('"'),
    )
    return case((c.logo_updated_at.is_(None), sql_json.constant("null")), else_=url)


def _member_rows(caller: Caller, parent: Any, values: Any) -> Any:
    return members_query().where(Membership.organization_id == parent.id)


def _my_membership(caller: Caller, parent: Any) -> Any:
    return members_query().where(Membership.organization_id == parent.id, Membership.user_id == caller.user_param())


def _legal_representative(caller: Caller, parent: Any) -> Any:
    return members_query().where(
        Membership.organization_id == parent.id, Membership.user_id == parent.legal_representative_id
    )


def _audit_rows(caller: Caller, parent: Any, values: Any) -> Any:
    return audit_rows().where(AuditEntryRow.organization_id == parent.id)


def _product_rows(caller: Caller, parent: Any, values: Any) -> Any:
    return ProductsPageLoader.of(caller).query((ProductFilter(),)).where(ProductRow.organization_id == parent.id)


def _viewer_organization_rows(caller: Caller, parent: Any, values: Any = None) -> Any:
    mine = viewer_memberships(caller).subquery("mine")
    return select(
        *OrganizationRow.__table__.c,
        mine.c.role.label("m_role"),
        mine.c.rights.label("m_rights"),
        mine.c.full.label("m_full"),
    ).join(mine, mine.c.organization_id == OrganizationRow.id)


def _edge_rights(c: Any) -> Any:
    every = sql_json.constant("[" + ",".join(f'"{r.value}"' for r in sorted(Right, key=lambda r: r.value)) + "]")
    return case((c.m_full, every), else_=sql_json.sorted_strings(c.m_rights))


# The compiled read path's sources (schema/sql_source.py): an `organizations` row; a viewer's membership row.
sql_type(
    "Address",
    SqlType(
        fields={
            "street": Scalar("street"),
            "postalCode": Scalar("postal_code"),
            "city": Scalar("city"),
            "province": Scalar("province"),
            "country": Scalar("country"),
        }
    ),
)
sql_type(
    "Organization",
    SqlType(
        organization="id",
        fields={
            "id": NodeId("Organization"),
            "name": Scalar("name"),
            "kind": Scalar("kind", "enum"),
            "legalName": Scalar("legal_name"),
            "taxCode": Scalar("tax_code"),
            "vatNumber": Scalar("vat_number"),
            "address": Nested("Address"),
            "phone": Scalar("phone"),
            "logoUrl": Json(_logo_url),
            "createdAt": Scalar("created_at", "datetime"),
            "updatedAt": Scalar("updated_at", "datetime"),
            "myMembership": Row("Member", _my_membership),
            "legalRepresentative": Row("Member", _legal_representative),
            "members": Page("Member", _member_rows, lambda c: [c.created_at, c.id]),
            "products": Page("Product", _product_rows, lambda c: [c.sort_name, c.id]),
            "auditLog": Page("AuditEntry", _audit_rows, lambda c: [c.created_at.desc(), c.seq.desc()]),
            "invoices": Page("Invoice", _invoice_rows, lambda c: [c.issued_at.desc(), c.id.desc()]),
            "prepaidAccount": Row("PrepaidAccount", _prepaid_row),
        },
    ),
)
sql_type(
    "OrganizationEdge",
    SqlType(fields={"role": Scalar("m_role", "enum"), "rights": Json(_edge_rights)}),
)
