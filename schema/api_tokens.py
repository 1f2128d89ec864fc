"""API tokens as the API shows them: never their secret (only in the answer that issues it) nor its hash."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay

from permissions.fields import INHERITED, inherited
from permissions.principal import TokenKind
from permissions.rights import Right
from resolvers import api_token_admin
from schema.common import Info, ProductScope

if TYPE_CHECKING:
    from schema.organizations import Organization

ApiTokenKind = strawberry.enum(
    TokenKind,
    name="ApiTokenKind",
    description="PERSONAL acts as its user (within the user's current rights); INTEGRATION belongs to an "
    "organization, with no person behind it.",
)


@strawberry.enum
class ApiTokenStatus(Enum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


@strawberry.type(description="A token for programs: a person's personal access token or an organization's "
                 "integration token. Its secret is shown once, when it is created or rotated.")  # fmt: skip
class ApiToken(relay.Node):
    id: relay.NodeID[uuid.UUID]
    row: strawberry.Private[Any]
    name: str = inherited()
    kind: ApiTokenKind = inherited()  # type: ignore[valid-type]
    status: ApiTokenStatus = inherited()
    rights: list[Right] = inherited(
        description="At most these; a personal token holds them only as far as its user does in each organization."
    )
    product_scope: ProductScope = inherited()
    all_organizations: bool = inherited(
        description="A personal token not limited to some organizations: it covers every one its user belongs to."
    )
    ip_allowlist: list[str] = inherited(description="Networks it may be used from; empty: anywhere.")
    hint: str = inherited(description="The secret's last four characters, to tell tokens apart.")
    created_by_name: str | None = inherited()
    created_by_email: str | None = inherited()
    created_at: datetime = inherited()
    expires_at: datetime = inherited()
    rotated_at: datetime | None = inherited()
    revoked_at: datetime | None = inherited()
    last_used_at: datetime | None = inherited(description="Kept to about the minute.")
    last_used_ip: str | None = inherited()

    @classmethod
    def from_row(cls, row: Any, now: datetime) -> Self:
        status = (
            ApiTokenStatus.REVOKED
            if row.revoked_at is not None
            else ApiTokenStatus.EXPIRED
            if row.expires_at <= now
            else ApiTokenStatus.ACTIVE
        )
        return cls(
            id=row.id,
            row=row,
            name=row.name,
            kind=TokenKind(row.kind),
            status=status,
            rights=sorted((Right(r) for r in row.rights), key=lambda r: r.value),
            product_scope=ProductScope.of(row.all_products, row.product_ids),
            all_organizations=row.kind == TokenKind.PERSONAL.value and row.organization_ids is None,
            ip_allowlist=list(row.ip_allowlist),
            hint=row.hint,
            created_by_name=getattr(row, "created_by_name", None),
            created_by_email=getattr(row, "created_by_email", None),
            created_at=row.created_at,
            expires_at=row.expires_at,
            rotated_at=row.rotated_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
            last_used_ip=row.last_used_ip,
        )

    @strawberry.field(
        directives=[INHERITED],
        description="The organizations it acts in now: an integration token's own; a personal token's where its "
        "user is an active member (of those it is limited to).",
    )
    async def organizations(self, info: Info) -> list[Annotated[Organization, strawberry.lazy("schema.organizations")]]:
        from schema.organizations import Organization

        rows = await api_token_admin.covered_organizations(info.context, self.row)
        return [Organization.from_row(r) for r in rows]
