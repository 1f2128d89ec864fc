from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import func, select

from gateway.db.models import User as UserRow
from permissions.fields import authenticated, in_person
from resolvers import api_token_admin, invitations, organizations, products, users
from schema.api_tokens import ApiToken
from schema.common import Connection, Info, check_page
from schema.identity import User
from schema.invitations import Invitation
from schema.organizations import Organization, OrganizationConnection, check_days
from schema.products import Product
from schema.sql_source import Page, Row, SqlType, sql_type


@strawberry.type(description="The caller: their login and the organizations they belong to.")
class Viewer:
    @strawberry.field(extensions=[authenticated()], description="Null for an organization's integration token.")
    async def user(self, info: Info) -> User | None:
        if info.context.principal.user_id is None:
            return None
        return User.from_row(await users.viewer_user(info.context))

    @strawberry.field(
        extensions=[authenticated()], description="The API token this request came with; null for a login session."
    )
    async def api_token(self, info: Info) -> ApiToken | None:
        token = info.context.principal.token
        row = await info.context.loaders.api_token_by_id.load(token.id) if token is not None else None
        return ApiToken.from_row(row, info.context.clock.now()) if row is not None else None

    @strawberry.field(extensions=[in_person(authenticated())], description="Your personal access tokens, newest first.")
    async def api_tokens(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ApiToken] | None:
        page = await api_token_admin.viewer_tokens(info.context, check_page(info, first, after, last, before))
        now = info.context.clock.now()
        count = lambda: api_token_admin.viewer_token_count(info.context)  # noqa: E731
        return Connection.of(page, lambda row: ApiToken.from_row(row, now), count)

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
        if info.context.principal.user_id is None:
            return None
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
        if info.context.principal.user_id is None:
            return []  # an integration token: nobody to invite
        now = info.context.clock.now()
        return [Invitation.from_row(r, now) for r in await invitations.pending_for_viewer(info.context)]


def _user_row(caller: Any, parent: Any) -> Any:
    return select(*UserRow.__table__.c).where(UserRow.id == caller.user_param())


def _organization_rows(caller: Any, parent: Any, values: Any) -> Any:
    from schema.organizations import _viewer_organization_rows

    return _viewer_organization_rows(caller, parent)


def _expiring_rows(caller: Any, parent: Any, values: Any) -> Any:
    return products.viewer_expiring_rows(caller, values["now"], values["until"])


# The compiled read path's source (schema/sql_source.py): the caller's `users` row.
sql_type(
    "Viewer",
    SqlType(
        fields={
            "user": Row("User", _user_row),  # none for an integration token: null
            "organizations": Page(
                "Organization", _organization_rows, lambda c: [func.lower(c.name), c.id], edge_type="OrganizationEdge"
            ),
            "expiringProducts": Page(
                "Product",
                _expiring_rows,
                lambda c: [c.sort_expires, c.id],
                arguments=frozenset({"first", "withinDays"}),
            ),
        }
    ),
)
