"""The root types: each domain's Query and Mutation, merged."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy import literal, select
from strawberry import relay

from gateway.db.models import Organization as OrganizationRow
from permissions.caller import Caller
from permissions.fields import authenticated, member, staff
from permissions.staff import StaffRole
from schema.api_token_mutations import ApiTokenMutation
from schema.billing_addresses import BillingAddressMutation
from schema.catalog import CatalogQuery
from schema.common import Info, decode_id, organization_argument
from schema.contract import ContractMutation
from schema.email_verification import EmailVerificationMutation
from schema.identity import IdentityMutation
from schema.invitation_mutations import InvitationMutation
from schema.member_mutations import MemberMutation
from schema.node import NodeQuery
from schema.order_mutations import OrderMutation
from schema.organization_mutations import OrganizationMutation
from schema.organizations import Organization
from schema.payment_mutations import PaymentMutation
from schema.product_mutations import ProductMutation
from schema.product_transfers import ProductTransferMutation
from schema.proforma import ProformaMutation
from schema.sql_source import Root, sql_root
from schema.staff import StaffQuery
from schema.staff_mutations import StaffMutation
from schema.viewer import Viewer
from schema.webhook_mutations import WebhookMutation


@strawberry.type
class Query(NodeQuery, CatalogQuery):
    @strawberry.field(extensions=[authenticated()], description="The logged-in caller.")
    def viewer(self) -> Viewer:
        return Viewer()

    @strawberry.field(
        extensions=[member(organization_argument("id"))],
        description="NOT_FOUND unless the caller is an active member.",
    )
    async def organization(self, info: Info, id: relay.GlobalID) -> Organization | None:
        organization_id: uuid.UUID = decode_id(id, "Organization")  # type: ignore[assignment]
        return Organization.from_row(await info.context.loaders.organization_by_id.load(organization_id))

    @strawberry.field(
        extensions=[staff(StaffRole.SUPPORT_AGENT)],
        description="For the provider's support and billing staff: searches across organizations, and "
        "organizations opened with a reason (audited).",
    )
    def staff(self) -> StaffQuery | None:
        return StaffQuery()


@strawberry.type
class Mutation(
    IdentityMutation,
    EmailVerificationMutation,
    OrganizationMutation,
    MemberMutation,
    InvitationMutation,
    OrderMutation,
    ProductMutation,
    ProductTransferMutation,
    PaymentMutation,
    BillingAddressMutation,
    ContractMutation,
    ProformaMutation,
    ApiTokenMutation,
    WebhookMutation,
    StaffMutation,
):
    pass


def _viewer_row(caller: Caller, arguments: dict[str, Any]) -> Any:
    return select(literal(1).label("viewer"))  # one row, whoever calls: its fields say what the caller sees


def _organization_row(caller: Caller, arguments: dict[str, Any]) -> Any:
    found = select(*OrganizationRow.__table__.c)
    return found.where(OrganizationRow.id == arguments["id"], OrganizationRow.deleted_at.is_(None))


# The compiled read path's roots (schema/sql_source.py).
sql_root("viewer", Root("Viewer", _viewer_row))
sql_root("organization", Root("Organization", _organization_row, {"id": "Organization"}, organization_argument="id"))
