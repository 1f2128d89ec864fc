from __future__ import annotations

import strawberry

from permissions.fields import authenticated
from resolvers import invitations, organizations, products, users
from schema.common import Connection, Info, check_page
from schema.identity import User
from schema.invitations import Invitation
from schema.organizations import Organization, OrganizationConnection, check_days
from schema.products import Product


@strawberry.type(description="The caller: their login and the organizations they belong to.")
class Viewer:
    @strawberry.field(extensions=[authenticated()])
    async def user(self, info: Info) -> User:
        return User.from_row(await users.viewer_user(info.context))

    @strawberry.field(extensions=[authenticated()], description="Active memberships, by organization name.")
    async def organizations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> OrganizationConnection:
        page = await organizations.viewer_organizations(info.context, check_page(info, first, after, last, before))
        return OrganizationConnection.from_page(page, lambda: organizations.viewer_organization_count(info.context))

    @strawberry.field(
        extensions=[authenticated()],
        description="The organization chosen with switchOrganization; kept across logins. Null if none.",
    )
    async def active_organization(self, info: Info) -> Organization | None:
        row = await organizations.active_organization(info.context)
        return Organization.from_row(row) if row else None

    @strawberry.field(
        extensions=[authenticated()],
        description="The agency view: products expiring soon in every organization where the viewer sees products.",
    )
    async def expiring_products(
        self,
        info: Info,
        within_days: int = 30,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Product]:
        days = check_days(within_days)
        page = await products.viewer_expiring(info.context, days, check_page(info, first, after, last, before))
        return Connection.of(page, Product.from_row, lambda: products.viewer_expiring_count(info.context, days))

    @strawberry.field(extensions=[authenticated()], description="Invitations sent to the viewer's login email.")
    async def pending_invitations(self, info: Info) -> list[Invitation]:
        now = info.context.clock.now()
        return [Invitation.from_row(r, now) for r in await invitations.pending_for_viewer(info.context)]
