from __future__ import annotations

import uuid
from datetime import datetime
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
    session.add(entry(ctx.principal, ctx.client_ip, ctx.clock.now(), organization_id, action, target, details))


def entry(
    principal: Principal,
    ip: str | None,
    now: datetime,
    organization_id: uuid.UUID,
    action: str,
    target: tuple[str, uuid.UUID] | None,
    details: dict[str, Any],
) -> AuditEntry:
    """One audit row; for callers that have no request context yet (the token check itself)."""
    return AuditEntry(
        id=new_id(),
        organization_id=organization_id,
        actor_id=principal.user_id,
        actor_kind=actor_kind(principal),
        actor_token_id=principal.token.id if principal.token is not None else None,
        action=action,
        target_type=target[0] if target else None,
        target_id=target[1] if target else None,
        details=details,
        ip=ip,
        created_at=now,
    )
