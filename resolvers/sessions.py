"""Server-side login sessions: create, look up (with idle and absolute expiry), revoke."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.models import Session, StaffMember, User
from gateway.settings import Settings
from resolvers.tokens import new_token, token_hash

TOKEN_PREFIX = "gws"  # noqa: S105 (a prefix, not a secret)
# Refreshing last_seen_at on every request would turn each read into a write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedSession:
    id: uuid.UUID
    token: str
    expires_at: datetime


async def create(
    session: AsyncSession,
    settings: Settings,
    user_id: uuid.UUID,
    now: datetime,
    ip: str | None,
    user_agent: str | None,
) -> IssuedSession:
    token = new_token(TOKEN_PREFIX)
    row = Session(
        id=uuid.uuid4(),
        user_id=user_id,
        token_hash=token_hash(settings.secret_key, token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + settings.session_absolute,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(row)
    return IssuedSession(row.id, token, row.expires_at)


@dataclass(frozen=True, slots=True)
class AuthenticatedSession:
    id: uuid.UUID
    user_id: uuid.UUID
    language: str
    staff_role: str | None = None  # the account is the provider's staff: its sessions act as staff


async def authenticate(
    reads: async_sessionmaker[AsyncSession], settings: Settings, token: str, now: datetime
) -> AuthenticatedSession | None:
    """The live session for `token`, or None if unknown, revoked, idle too long or past its end.

    `reads` sessions autocommit: the lookup is one statement, the occasional touch another.
    """
    if not token.startswith(f"{TOKEN_PREFIX}_") or len(token) > 100:
        return None
    digest = token_hash(settings.secret_key, token)
    async with reads() as session:
        found = (
            await session.execute(
                # Columns, not an ORM object: this runs before every authenticated request.
                select(Session.id, Session.user_id, Session.last_seen_at, User.language, StaffMember.role)
                .join(User, User.id == Session.user_id)
                .outerjoin(StaffMember, StaffMember.user_id == Session.user_id)
                .where(
                    Session.token_hash == digest,
                    Session.revoked_at.is_(None),
                    Session.expires_at > now,
                    Session.last_seen_at > now - settings.session_idle,
                )
            )
        ).one_or_none()
        if found is None:
            return None
        if now - found.last_seen_at >= TOUCH_EVERY:
            await session.execute(update(Session).where(Session.id == found.id).values(last_seen_at=now))
        return AuthenticatedSession(found.id, found.user_id, found.language, found.role)


async def revoke(session: AsyncSession, session_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(Session).where(Session.id == session_id, Session.revoked_at.is_(None)).values(revoked_at=now)
    )


async def revoke_all(session: AsyncSession, user_id: uuid.UUID, now: datetime, keep: uuid.UUID | None = None) -> int:
    stmt = update(Session).where(Session.user_id == user_id, Session.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(Session.id != keep)
    result = await session.execute(stmt.values(revoked_at=now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
