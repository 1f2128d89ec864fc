from __future__ import annotations

from datetime import datetime

from sqlalchemy import Double, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base


class RateLimitBucket(Base):
    """Fixed-window counters shared by every process serving the database."""

    __tablename__ = "rate_limit_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)


class QueryCostBucket(Base):
    """A caller's budget of query cost (a leaky bucket), shared by every process serving the database.

    `available` is what the bucket held at `updated_at`; what it holds now is that plus the time
    since times the restore rate, up to the maximum (gateway/graphql/buckets.py).
    """

    __tablename__ = "query_cost_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    available: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[datetime]
