"""Idempotency keys for paying requests.

A key is claimed in its own committed transaction before any money moves, so a
concurrent duplicate sees it at once. The paying transaction then holds the key's
row lock until it commits the answer beside the payment's effects; a replay returns
that answer without charging again.

A claim whose request never finished (the process died, the database went away) must
not block the key for its 24 hours: a failure releases it, and when even that cannot
run, a retry takes the claim over once it is older than LEASE and no transaction holds
it. A live request always holds it, so a takeover never runs beside one.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import IdempotencyKey
from gateway.i18n import N_, text
from resolvers.context import Context

log = logging.getLogger(__name__)
T = TypeVar("T")

KEPT_FOR = timedelta(hours=24)
# Longer than a claim waits before its paying transaction takes the row lock (one loader read).
LEASE = timedelta(seconds=60)
MAX_KEY = 255


@dataclass(frozen=True, slots=True)
class Claim:
    """What to do with a request: run it (`fresh`), return a stored answer, or refuse it."""

    fresh: bool
    response: dict[str, Any] | None = None
    refusal: tuple[str, str] | None = None


class ClaimLost(Exception):
    """Another attempt with the same key answered first: nothing was done; replay its answer."""


IN_PROGRESS = ("CONFLICT", N_("The same request is being processed; retry in a moment."))
REUSED = ("IDEMPOTENCY_KEY_REUSED", N_("This idempotency key was used for a different request; use a new key."))


def request_hash(operation: str, request: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps([operation, request], option=orjson.OPT_SORT_KEYS)).hexdigest()


def _key(organization_id: uuid.UUID, key: str) -> Any:
    return (IdempotencyKey.organization_id == organization_id) & (IdempotencyKey.key == key)


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
        expired = delete(IdempotencyKey).where(_key(organization_id, key), IdempotencyKey.expires_at <= now)
        await session.execute(expired)
        # SKIP LOCKED, and no INSERT that would meet the row: a row locked by a paying transaction
        # belongs to a live request, and waiting on it would hold this one for the whole payment.
        existing = (
            await session.execute(
                select(IdempotencyKey).where(_key(organization_id, key)).with_for_update(skip_locked=True)
            )
        ).scalar_one_or_none()
        if existing is None:
            held = await session.scalar(select(IdempotencyKey.request_hash).where(_key(organization_id, key)))
            if held is not None:
                return Claim(False, refusal=REUSED if held != digest else IN_PROGRESS)
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
            # Nothing inserted: a concurrent duplicate claimed the key a moment ago.
            return Claim(True) if inserted is not None else Claim(False, refusal=IN_PROGRESS)
        if existing.request_hash != digest:
            return Claim(False, refusal=REUSED)
        if existing.response is not None:
            return Claim(False, response=existing.response)
        if existing.created_at > now - LEASE:
            return Claim(False, refusal=IN_PROGRESS)
        log.warning("taking over an abandoned idempotency claim", extra={"operation": operation})
        existing.created_at = now
    return Claim(True)


async def hold(session: AsyncSession, organization_id: uuid.UUID, key: str) -> None:
    """First statement of the paying transaction: lock the claim until the answer is recorded.

    Raises ClaimLost when another attempt recorded an answer meanwhile (a takeover that won).
    """
    held = await session.scalar(
        select(IdempotencyKey.key)
        .where(_key(organization_id, key), IdempotencyKey.response.is_(None))
        .with_for_update()
    )
    if held is None:
        raise ClaimLost


async def record(session: AsyncSession, organization_id: uuid.UUID, key: str, response: dict[str, Any]) -> None:
    """Store the answer, in the transaction that made it true."""
    await session.execute(update(IdempotencyKey).where(_key(organization_id, key)).values(response=response))


async def release(ctx: Context, organization_id: uuid.UUID, key: str) -> None:
    """The request failed unexpectedly and changed nothing: the key may be used again.

    Best effort: when the database itself is gone this cannot run either; the lease frees the key.
    """
    try:
        async with ctx.db.begin() as session:
            await session.execute(
                delete(IdempotencyKey).where(_key(organization_id, key), IdempotencyKey.response.is_(None))
            )
    except Exception:
        log.warning("could not release an idempotency claim; it lapses after its lease", exc_info=True)


async def once(
    ctx: Context,
    organization_id: uuid.UUID,
    key: str,
    operation: str,
    request: dict[str, Any],
    work: Callable[[], Awaitable[T]],
    *,
    replay: Callable[[dict[str, Any]], Awaitable[T]],
    refused: Callable[[str, str], T],
) -> T:
    """Run `work` at most once per key: a retry replays the stored answer, another request is refused.

    `work` opens the transaction that moves money, calls `hold` first in it and `record` before it commits.
    """
    claimed = await claim(ctx, organization_id, key, operation, request)
    if claimed.refusal is not None:
        return refused(*claimed.refusal)
    if claimed.response is not None:
        return await replay(claimed.response)
    try:
        return await work()
    except ClaimLost:
        # A takeover of our claim answered first and nothing of ours was written: its answer is ours.
        again = await claim(ctx, organization_id, key, operation, request)
        if again.response is None:
            raise
        return await replay(again.response)
    except BaseException:
        await release(ctx, organization_id, key)
        raise
