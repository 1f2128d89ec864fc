from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(url: str) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        # No pre-ping: it is a round trip on every checkout, and every loader batch checks out.
        # Connections are recycled instead, and a dead one fails one request, not all.
        pool_recycle=1800,
        connect_args={"server_settings": {"application_name": "organization-gateway", "timezone": "UTC"}},
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for writes: one explicit transaction each (`async with db.begin()`)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads of single statements: no BEGIN/ROLLBACK round trips around each one."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False, autoflush=False
    )
