from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from sqlalchemy import case, null
from strawberry import relay
from strawberry.scalars import JSON

from gateway.db.models import Product as Product_
from permissions.caller import Caller
from permissions.fields import INHERITED, inherited, member, requires
from permissions.rights import Right
from resolvers.domains import display_name
from resolvers.loaders.products import ForViewer, ProductFilter, product_rows
from schema import sql_json
from schema.catalog import CatalogItem, ProductKind
from schema.common import Info
from schema.sql_source import Json, NodeId, Row, Rows, Scalar, SqlType, organization_row, sql_type

if TYPE_CHECKING:
    from schema.organizations import Organization


@strawberry.enum
class ProductStatus(Enum):
    PENDING_PAYMENT = "PENDING_PAYMENT"
    TO_CONFIGURE = "TO_CONFIGURE"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


@strawberry.enum
class VerificationStatus(Enum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"


@strawberry.enum
class ProductOrderField(Enum):
    NAME = "NAME"
    EXPIRES_AT = "EXPIRES_AT"
    CREATED_AT = "CREATED_AT"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.type(description="The holder of a domain, as registries know them.")
class Registrant:
    type: str = inherited(description="PERSON or COMPANY.")
    name: str = inherited()
    organization: str | None = inherited()
    email: str | None = inherited()
    phone: str | None = inherited()
    street: str | None = inherited()
    postal_code: str | None = inherited()
    city: str | None = inherited()
    province: str | None = inherited()
    country: str | None = inherited()
    tax_code: str | None = inherited()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        return cls(
            type=data.get("type") or "PERSON",
            name=data.get("name") or "",
            organization=data.get("organization"),
            email=data.get("email"),
            phone=data.get("phone"),
            street=data.get("street"),
            postal_code=data.get("postalCode"),
            city=data.get("city"),
            province=data.get("province"),
            country=data.get("country"),
            tax_code=data.get("taxCode"),
        )


@strawberry.type
class DomainDetails:
    registrant: Registrant | None = inherited()
    verification_status: VerificationStatus | None = inherited(
        description="gTLDs: PENDING until the registrant confirms their email; suspended after 15 days."
    )
    verification_deadline: datetime | None = inherited()


@strawberry.type
class Cancellation:
    requested_at: datetime = inherited()
    effective_at: datetime = inherited(description="When the product stops; it is renewed and billed until then.")


@strawberry.type(description="A service the organization owns.")
class Product(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    parent_id: strawberry.Private[uuid.UUID | None]
    sku: strawberry.Private[str]
    name: str = inherited(
        description="The domain name for domains; otherwise the plan and what it serves. Domain names in Unicode."
    )
    name_ascii: str = inherited(description="`name` with internationalised domain names in ASCII (xn--), as in DNS.")
    kind: ProductKind = inherited()
    status: ProductStatus = inherited()
    suspended_reason: str | None = inherited(description="VERIFICATION or NON_PAYMENT when SUSPENDED.")
    auto_renew: bool = inherited()
    term_months: int = inherited(description="Length of the current term; renewals repeat it unless told otherwise.")
    settings: JSON = inherited(description="The configuration given with configureProduct.")
    domain: DomainDetails | None = inherited(description="Only for domains.")
    cancellation: Cancellation | None = inherited()
    created_at: datetime = inherited()
    expires_at: datetime | None = inherited(description="Null until the first payment.")

    @classmethod
    def from_row(cls, row: Any) -> Self:
        domain = None
        if row.kind == "DOMAIN":
            domain = DomainDetails(
                registrant=Registrant.from_data(row.registrant) if row.registrant else None,
                verification_status=VerificationStatus(row.verification_status) if row.verification_status else None,
                verification_deadline=row.verification_deadline,
            )
        cancellation = None
        if row.cancellation_effective_at is not None:
            cancellation = Cancellation(
                requested_at=row.cancellation_requested_at, effective_at=row.cancellation_effective_at
            )
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            parent_id=row.parent_id,
            sku=row.catalog_sku,
            name=display_name(row.name),
            name_ascii=row.name,
            kind=ProductKind(row.kind),
            status=ProductStatus(row.status),
            suspended_reason=row.suspended_reason,
            auto_renew=row.auto_renew,
            term_months=row.term_months,
            settings=row.settings,
            domain=domain,
            cancellation=cancellation,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )

    @strawberry.field(directives=[INHERITED])
    async def catalog_item(self, info: Info) -> CatalogItem:
        item, prices = await info.context.loaders.catalog_item_by_sku.load(self.sku)
        return CatalogItem.from_rows(item, prices)

    @strawberry.field(extensions=[requires(Right.VIEW_PRODUCTS)], description="Add-ons in the caller's scope.")
    async def add_ons(self, info: Info) -> list[Product] | None:
        return [Product.from_row(r) for r in await info.context.loaders.add_ons_by_parent_id.load(self.id)]

    @strawberry.field(extensions=[requires(Right.VIEW_PRODUCTS)], description="For an add-on: what it is added to.")
    async def parent(self, info: Info) -> Product | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.product_by_id.load(self.parent_id)
        return Product.from_row(row) if row else None

    @strawberry.field(extensions=[member()])
    async def organization(self, info: Info) -> Annotated[Organization, strawberry.lazy("schema.organizations")] | None:
        from schema.organizations import Organization

        return Organization.from_row(await info.context.loaders.organization_by_id.load(self.organization_id))


@strawberry.input
class ProductFilterInput:
    kinds: list[ProductKind] | None = None
    statuses: list[ProductStatus] | None = None
    search: str | None = strawberry.field(default=None, description="Part of the name, e.g. part of a domain.")
    expires_before: datetime | None = None
    auto_renew: bool | None = None


@strawberry.input
class ProductOrder:
    field: ProductOrderField = ProductOrderField.NAME
    direction: OrderDirection = OrderDirection.ASC


def product_filter(filter: ProductFilterInput | None, order: ProductOrder | None) -> ProductFilter:
    given = filter or ProductFilterInput()
    sort = order or ProductOrder()
    search = (given.search or "").strip()[:100] or None
    return ProductFilter(
        kinds=tuple(sorted(k.value for k in given.kinds or ())),
        statuses=tuple(sorted(s.value for s in given.statuses or ())),
        search=search,
        expires_before=given.expires_before,
        auto_renew=given.auto_renew,
        order=sort.field.value,
        descending=sort.direction is OrderDirection.DESC,
    )


def _display_name(name: Any) -> Any:
    """`display_name` is Python's (IDNA): names with an xn-- label keep to the standard path."""
    return case((name.contains("xn--"), null()), else_=sql_json.string(name))


def add_on_rows(caller: Caller, parent: Any) -> Any:
    return ForViewer.of(caller).visible(product_rows()).where(Product_.parent_id == parent.id)


# The compiled read path's source (schema/sql_source.py): a row of `resolvers.loaders.products.product_rows`.
sql_type(
    "Product",
    SqlType(
        organization="organization_id",
        fields={
            "id": NodeId("Product"),
            "name": Json(lambda c: _display_name(c.name)),
            "nameAscii": Scalar("name"),
            "kind": Scalar("kind", "enum"),
            "status": Scalar("status", "enum"),
            "suspendedReason": Scalar("suspended_reason"),
            "autoRenew": Scalar("auto_renew", "bool"),
            "termMonths": Scalar("term_months", "int"),
            "createdAt": Scalar("created_at", "datetime"),
            "expiresAt": Scalar("expires_at", "datetime"),
            "addOns": Rows("Product", add_on_rows, lambda c: [c.created_at, c.id]),
            "organization": Row("Organization", organization_row),
        },
    ),
)
