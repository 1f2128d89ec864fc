from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import AuditEntry
from permissions.principal import Principal, PrincipalKind
from resolvers.context import Context


def actor_kind(principal: Principal) -> str:
    """How the audit log names the kind of actor; nobody signed in is the gateway itself (a job, the CLI)."""
    return "system" if principal.kind is PrincipalKind.ANONYMOUS else principal.kind.value


def record(
    session: AsyncSession,
    ctx: Context,
    organization_id: uuid.UUID,
    action: str,
    target: tuple[str, uuid.UUID] | None = None,
    **details: Any,
) -> None:
    """Append who did what to `organization_id`, in the caller's transaction."""
    session.add(
        AuditEntry(
            id=new_id(),
            organization_id=organization_id,
            actor_id=ctx.principal.user_id,
            actor_kind=actor_kind(ctx.principal),
            action=action,
            target_type=target[0] if target else None,
            target_id=target[1] if target else None,
            details=details,
            ip=ctx.client_ip,
            created_at=ctx.clock.now(),
        )
    )
