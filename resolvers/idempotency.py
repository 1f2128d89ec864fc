"""Idempotency keys for paying requests.

A key is claimed in its own committed transaction before any money moves, so a
concurrent duplicate sees it at once. The answer is stored in the same
transaction as the payment's effects; a replay returns it without charging again.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import IdempotencyKey
from gateway.i18n import N_, text
from resolvers.context import Context

KEPT_FOR = timedelta(hours=24)
MAX_KEY = 255


@dataclass(frozen=True, slots=True)
class Claim:
    """What to do with a request: run it (`fresh`), return a stored answer, or refuse it."""

    fresh: bool
    response: dict[str, Any] | None = None
    refusal: tuple[str, str] | None = None


def request_hash(operation: str, request: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps([operation, request], option=orjson.OPT_SORT_KEYS)).hexdigest()


async def claim(ctx: Context, organization_id: uuid.UUID, key: str, operation: str, request: dict[str, Any]) -> Claim:
    if not key or len(key) > MAX_KEY:
        return Claim(
            False,
            refusal=(
                "IDEMPOTENCY_KEY_INVALID",
                text("Send an idempotency key of 1 to {count} characters.", count=MAX_KEY),
            ),
        )
    digest = request_hash(operation, request)
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        await session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.organization_id == organization_id,
                IdempotencyKey.key == key,
                IdempotencyKey.expires_at <= now,
            )
        )
        inserted = await session.scalar(
            insert(IdempotencyKey)
            .values(
                organization_id=organization_id,
                key=key,
                operation=operation,
                request_hash=digest,
                created_at=now,
                expires_at=now + KEPT_FOR,
            )
            .on_conflict_do_nothing()
            .returning(IdempotencyKey.key)
        )
        if inserted is not None:
            return Claim(True)
        existing = (
            await session.execute(
                select(IdempotencyKey).where(
                    IdempotencyKey.organization_id == organization_id, IdempotencyKey.key == key
                )
            )
        ).scalar_one()
    if existing.request_hash != digest:
        return Claim(
            False,
            refusal=(
                "IDEMPOTENCY_KEY_REUSED",
                N_("This idempotency key was used for a different request; use a new key."),
            ),
        )
    if existing.response is None:
        return Claim(False, refusal=("CONFLICT", N_("The same request is being processed; retry in a moment.")))
    return Claim(False, response=existing.response)


async def record(session: AsyncSession, organization_id: uuid.UUID, key: str, response: dict[str, Any]) -> None:
    """Store the answer, in the transaction that made it true."""
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.organization_id == organization_id, IdempotencyKey.key == key)
        .values(response=response)
    )


async def release(ctx: Context, organization_id: uuid.UUID, key: str) -> None:
    """The request failed unexpectedly and changed nothing: the key may be used again."""
    async with ctx.db.begin() as session:
        await session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.organization_id == organization_id,
                IdempotencyKey.key == key,
                IdempotencyKey.response.is_(None),
            )
        )
