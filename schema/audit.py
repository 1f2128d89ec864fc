from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any, Self

import strawberry
from sqlalchemy import Text, case, cast, func
from strawberry import relay
from strawberry.scalars import JSON

from permissions.fields import inherited
from schema import sql_json
from schema.common import encode_id
from schema.sql_source import Json, NodeId, Scalar, SqlType, sql_type


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


def _target(c: Any) -> Any:
    """`encode_id(target_type, target_id)`: the type's name is data here, so the id is built from it."""
    built = sql_json.base64_string(
        sql_json.concat(cast(c.target_type, Text), sql_json.constant(":"), cast(c.target_id, Text))
    )
    return case((c.target_type.is_(None) | c.target_id.is_(None), sql_json.constant("null")), else_=built)


# The compiled read path's source (schema/sql_source.py): a row of `resolvers.loaders.organizations.audit_rows`.
sql_type(
    "AuditEntry",
    SqlType(
        organization="organization_id",
        fields={
            "id": NodeId("AuditEntry"),
            "action": Scalar("action"),
            "actorKind": Json(lambda c: sql_json.string(func.upper(c.actor_kind))),  # stored as the enum's value
            "actorName": Scalar("actor_name"),
            "actorEmail": Scalar("actor_email"),
            "actorTokenName": Scalar("actor_token_name"),
            "targetId": Json(_target),
            "ip": Scalar("ip"),
            "createdAt": Scalar("created_at", "datetime"),
        },
    ),
)
