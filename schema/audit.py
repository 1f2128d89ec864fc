from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from permissions.fields import inherited
from schema.common import encode_id


@strawberry.enum(description="Who acted: a person, an API token, the provider's staff, or the gateway itself.")
class ActorKind(Enum):
    USER = "user"
    TOKEN = "token"  # noqa: S105 (a kind of actor, not a secret)
    STAFF = "staff"
    SYSTEM = "system"


@strawberry.type(description="One change to an organization: who, what, to what, when, from where.")
class AuditEntry(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    action: str = inherited(description="e.g. `member.update`, `organization.update`, `invitation.create`.")
    actor_kind: ActorKind = inherited()
    actor_name: str | None = inherited()
    actor_email: str | None = inherited()
    actor_token_name: str | None = inherited(description="The API token it was done with (actorKind TOKEN).")
    target_id: strawberry.ID | None = inherited(description="Global id of what the action changed.")
    details: JSON = inherited()
    ip: str | None = inherited()
    created_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        target = encode_id(row.target_type, row.target_id) if row.target_type and row.target_id else None
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            action=row.action,
            actor_kind=ActorKind(row.actor_kind),
            actor_name=row.actor_name,
            actor_email=row.actor_email,
            actor_token_name=row.actor_token_name,
            target_id=strawberry.ID(target) if target else None,
            details=row.details,
            ip=row.ip,
            created_at=row.created_at,
        )
