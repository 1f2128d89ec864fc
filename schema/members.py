from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from sqlalchemy import case
from strawberry import relay

from permissions.fields import INHERITED, inherited, member
from permissions.rights import Right, Role, Topic
from schema import sql_json
from schema.common import Info, ProductScope, effective_rights
from schema.sql_source import Json, NodeId, Row, Scalar, SqlType, organization_row, sql_type

if TYPE_CHECKING:
    from schema.organizations import Organization


@strawberry.enum
class MemberStatus(Enum):
    ACTIVE = "ACTIVE"
    BLOCKED = "BLOCKED"


@strawberry.type(description="A person's membership of an organization.")
class Member(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    user_id: strawberry.Private[uuid.UUID]
    full_name: str = inherited()
    email: str = inherited(description="The member's login email.")
    role: Role = inherited()
    rights: list[Right] = inherited(description="Every right the member holds (OWNER and ADMIN: all).")
    all_products: strawberry.Private[bool]
    scope_ids: strawberry.Private[tuple[uuid.UUID, ...]]
    topics: list[Topic] = inherited(description="What the member is mailed about.")
    status: MemberStatus = inherited()
    joined_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            user_id=row.user_id,
            full_name=row.full_name,
            email=row.email,
            role=Role(row.role),
            rights=effective_rights(row.role, row.rights),
            all_products=row.all_products,
            scope_ids=tuple(row.product_ids),
            topics=sorted((Topic(t) for t in row.topics), key=lambda t: t.value),
            status=MemberStatus(row.status),
            joined_at=row.created_at,
        )

    @strawberry.field(
        directives=[INHERITED],
        description="Which products another member's scope names is itself product data: shown only to callers "
        "holding VIEW_PRODUCTS, and only as far as their own scope reaches. Your own scope you always see.",
    )
    async def product_scope(self, info: Info) -> ProductScope:
        viewer = await info.context.loaders.grant_by_organization_id.load(self.organization_id)
        return ProductScope.of(self.all_products, viewer.scope_seen(self.id, self.scope_ids) if viewer else None)

    @strawberry.field(extensions=[member()])
    async def organization(self, info: Info) -> Annotated[Organization, strawberry.lazy("schema.organizations")] | None:
        from schema.organizations import Organization

        return Organization.from_row(await info.context.loaders.organization_by_id.load(self.organization_id))


def effective_rights_json(role: Any, rights: Any) -> Any:
    """`effective_rights` in SQL: every right for an owner or admin, else the granted ones, sorted."""
    every = sql_json.constant("[" + ",".join(f'"{r.value}"' for r in sorted(Right, key=lambda r: r.value)) + "]")
    return case((role.in_([Role.OWNER.value, Role.ADMIN.value]), every), else_=sql_json.sorted_strings(rights))


# The compiled read path's source (schema/sql_source.py): a row of `resolvers.loaders.organizations.members_query`.
sql_type(
    "Member",
    SqlType(
        organization="organization_id",
        fields={
            "id": NodeId("Member"),
            "fullName": Scalar("full_name"),
            "email": Scalar("email"),
            "role": Scalar("role", "enum"),
            "rights": Json(lambda c: effective_rights_json(c.role, c.rights)),
            "topics": Json(lambda c: sql_json.sorted_strings(c.topics)),
            "status": Scalar("status", "enum"),
            "joinedAt": Scalar("created_at", "datetime"),
            "organization": Row("Organization", organization_row),
        },
    ),
)
