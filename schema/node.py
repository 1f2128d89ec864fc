"""`node(id:)`: any object by global id, under the same rules as the edges that lead to it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry import relay

from permissions.check import authorize
from permissions.errors import NotFound
from permissions.fields import authenticated
from permissions.rights import Right
from schema.common import Info
from schema.identity import User
from schema.invitations import Invitation
from schema.members import Member
from schema.organizations import Organization


@dataclass(frozen=True, slots=True)
class NodeRule:
    load: Callable[[Any, uuid.UUID], Awaitable[Any]]
    build: Callable[[Any, Any], relay.Node]
    right: Right | None = None


RULES: dict[str, NodeRule] = {
    "Organization": NodeRule(
        load=lambda ctx, i: ctx.loaders.organization_by_id.load(i),
        build=lambda ctx, row: Organization.from_row(row),
    ),
    "Member": NodeRule(
        load=lambda ctx, i: ctx.loaders.member_by_id.load(i),
        build=lambda ctx, row: Member.from_row(row),
    ),
    "Invitation": NodeRule(
        load=lambda ctx, i: ctx.loaders.invitation_by_id.load(i),
        build=lambda ctx, row: Invitation.from_row(row, ctx.clock.now()),
        right=Right.MANAGE_MEMBERS,
    ),
}


@strawberry.type
class NodeQuery:
    @strawberry.field(
        extensions=[authenticated()],
        description="Any object by its global id. NOT_FOUND when it does not exist or is not visible to the caller.",
    )
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node:
        ctx = info.context
        try:
            node_id = uuid.UUID(id.node_id)
        except ValueError:
            raise NotFound from None
        if id.type_name == "User":
            if node_id != ctx.user_id:
                raise NotFound
            return User.from_row(await ctx.loaders.user_by_id.load(node_id))
        rule = RULES.get(id.type_name)
        row = await rule.load(ctx, node_id) if rule else None
        if rule is None or row is None:
            raise NotFound
        organization_id = row.id if id.type_name == "Organization" else row.organization_id
        await authorize(ctx, organization_id, right=rule.right)
        return rule.build(ctx, row)
