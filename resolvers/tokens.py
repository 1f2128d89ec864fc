"""Secrets handed to clients (session, reset, later invitation and API tokens).

Tokens carry ≥256 random bits, so a fast keyed hash is enough at rest: a stolen
table is useless without the server's secret key, and lookups stay one index probe.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(secret_key: str, token: str) -> bytes:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).digest()


async def live_mailed_token(session: AsyncSession, model: Any, secret_key: str, token: str, now: datetime) -> Any:
    """The unused, unexpired row of a single-use token sent by mail, locked for its use; None otherwise."""
    stmt = select(model).where(
        model.token_hash == token_hash(secret_key, token), model.used_at.is_(None), model.expires_at > now
    )
    return (await session.execute(stmt.with_for_update())).scalar_one_or_none()
