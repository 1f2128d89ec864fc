from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any, Self

import strawberry
from strawberry import relay

from permissions.fields import inherited
from permissions.rights import Right, Role, Topic
from resolvers.invitations import status_of
from schema.common import ProductScope, effective_rights


@strawberry.enum
class InvitationStatus(Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


@strawberry.type(description="An invitation to join an organization, sent by email.")
class Invitation(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    email: str = inherited()
    organization_name: str | None = inherited(description="Shown to the invited person before they join.")
    role: Role = inherited()
    rights: list[Right] = inherited()
    product_scope: ProductScope = inherited()
    topics: list[Topic] = inherited()
    status: InvitationStatus = inherited()
    created_at: datetime = inherited()
    expires_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any, now: datetime, organization_name: str | None = None) -> Self:
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            email=row.email,
            organization_name=getattr(row, "organization_name", organization_name),
            role=Role(row.role),
            rights=effective_rights(row.role, row.rights),
            product_scope=ProductScope.of(row.all_products, row.product_ids),
            topics=sorted((Topic(t) for t in row.topics), key=lambda t: t.value),
            status=InvitationStatus(status_of(row, now)),
            created_at=row.created_at,
            expires_at=row.expires_at,
        )
