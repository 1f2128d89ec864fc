"""Reading the outbox: `gateway mail list`, and /dev/mailbox in development."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.db.models import OutboxMessage
from gateway.resources import Resources


async def recent_messages(
    db: async_sessionmaker[AsyncSession], limit: int = 50, to: str | None = None
) -> list[dict[str, Any]]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc()).limit(limit)
    if to:
        stmt = stmt.where(OutboxMessage.recipient == to.strip().lower())
    async with db() as session:
        rows = (await session.execute(stmt)).scalars()
        return [
            {
                "id": str(m.id),
                "kind": m.kind,
                "to": m.recipient,
                "subject": m.subject,
                "body": m.body,
                "createdAt": m.created_at.isoformat(),
                "sentAt": m.sent_at.isoformat() if m.sent_at else None,
            }
            for m in rows
        ]


async def dev_mailbox(request: Request) -> JSONResponse:
    resources: Resources = request.state.resources
    limit = min(
        int(request.query_params.get("limit", "50")) if request.query_params.get("limit", "50").isdigit() else 50, 500
    )
    messages = await recent_messages(resources.db, limit, request.query_params.get("to"))
    return JSONResponse({"messages": messages})
