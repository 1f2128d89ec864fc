"""Leaky buckets of query cost in PostgreSQL, so that every gateway process spends from the same one.

A bucket holds `available` points as of `updated_at`; by now it has regained the seconds since
times the restore rate, up to the maximum. Spending is one atomic statement: restore, then take
the cost only if that much is there. Each statement runs alone in autocommit: its own
transaction, one round trip, no lock held beyond it. The time is the gateway's clock, not the
server's, so tests move it and every process agrees on it as far as their clocks do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.settings import Budget

RESTORED = """least(CAST(:maximum AS float8),
  b.available + CAST(:rate AS float8) * greatest(0, extract(epoch FROM CAST(:now AS timestamptz) - b.updated_at)))"""

SPEND = text(f"""
INSERT INTO query_cost_buckets AS b (key, available, updated_at)
VALUES (:key, CAST(:maximum AS float8) - CAST(:cost AS float8), :now)
ON CONFLICT (key) DO UPDATE
  SET available = {RESTORED} - CAST(:cost AS float8), updated_at = greatest(b.updated_at, :now)
  WHERE {RESTORED} >= CAST(:cost AS float8)
RETURNING available
""")  # noqa: S608 (constant SQL, values are parameters)

CURRENT = text(f"SELECT {RESTORED} FROM query_cost_buckets AS b WHERE b.key = :key")  # noqa: S608

REFUND = text("""
UPDATE query_cost_buckets SET available = least(CAST(:maximum AS float8), available + CAST(:refund AS float8))
WHERE key = :key RETURNING available
""")


@dataclass(frozen=True, slots=True)
class Spent:
    granted: bool
    available: float  # after the charge, or what there is when refused

    def retry_after(self, cost: int, budget: Budget) -> int:
        """Whole seconds until the bucket holds `cost` again (at least 1 when refused)."""
        return max(1, math.ceil((cost - self.available) / budget.restore_rate)) if not self.granted else 0


def seconds_to_full(available: float, budget: Budget) -> int:
    return max(0, math.ceil((budget.maximum - available) / budget.restore_rate))


def bucket_key(kind: str, subject: object | None, client_ip: str) -> str:
    """Per principal (its kind and id); anonymous callers, and any without an id, per client address."""
    return f"{kind}:{subject}" if subject is not None else f"{kind}:ip:{client_ip}"


_AUTOCOMMIT: dict[int, AsyncEngine] = {}


def _autocommit(engine: AsyncEngine) -> AsyncEngine:
    """The engine's autocommit view, made once: switching a checked-out connection's isolation level on every
    request costs more than the statement it runs."""
    found = _AUTOCOMMIT.get(id(engine))
    if found is None or found.sync_engine.pool is not engine.sync_engine.pool:
        found = _AUTOCOMMIT[id(engine)] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found


async def spend(engine: AsyncEngine, key: str, cost: int, budget: Budget, now: datetime) -> Spent:
    params = {"key": key, "cost": cost, "maximum": budget.maximum, "rate": budget.restore_rate, "now": now}
    async with _autocommit(engine).connect() as conn:
        available = (await conn.execute(SPEND, params)).scalar_one_or_none()
        if available is not None:
            return Spent(True, float(available))
        # Refused: nothing was written; read what there is, only to say when to come back.
        current = (await conn.execute(CURRENT, params)).scalar_one_or_none()
    return Spent(False, float(budget.maximum if current is None else current))


async def refund(engine: AsyncEngine, key: str, points: int, budget: Budget) -> float | None:
    """Gives back what an operation was charged and did not use; returns what the bucket holds then."""
    async with _autocommit(engine).connect() as conn:
        params = {"key": key, "refund": points, "maximum": budget.maximum}
        available = (await conn.execute(REFUND, params)).scalar_one_or_none()
    return None if available is None else float(available)
