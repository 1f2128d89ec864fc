"""GraphQL documents by their SHA-256, in PostgreSQL so that every gateway process knows the same ones.

Trusted documents come from frontends' manifests and stay; automatic persisted queries (APQ) are a
cache that any caller fills, bounded in count: past the bound the oldest entries go, and their clients
simply send the text again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.models import PersistedDocument


@dataclass(frozen=True, slots=True)
class StoredDocument:
    body: str
    trusted: bool


@dataclass(frozen=True, slots=True)
class NewTrustedDocument:
    sha256: str
    body: str
    name: str | None


async def find(reads: async_sessionmaker[AsyncSession], sha256: str) -> StoredDocument | None:
    async with reads() as session:
        row = (
            await session.execute(
                select(PersistedDocument.body, PersistedDocument.trusted_at).where(PersistedDocument.sha256 == sha256)
            )
        ).one_or_none()
    return None if row is None else StoredDocument(row.body, row.trusted_at is not None)


async def remember(
    db: async_sessionmaker[AsyncSession], sha256: str, body: str, name: str | None, now: datetime, keep: int
) -> None:
    """Caches an automatic persisted query; keeps only the `keep` newest of them."""
    async with db.begin() as session:
        await session.execute(
            insert(PersistedDocument)
            .values(sha256=sha256, body=body, name=name, created_at=now)
            .on_conflict_do_nothing(index_elements=[PersistedDocument.sha256])
        )
        beyond = (
            select(PersistedDocument.sha256)
            .where(PersistedDocument.trusted_at.is_(None))
            .order_by(PersistedDocument.created_at.desc(), PersistedDocument.sha256)
            .offset(keep)
        )
        await session.execute(delete(PersistedDocument).where(PersistedDocument.sha256.in_(beyond)))


async def register_trusted(
    db: async_sessionmaker[AsyncSession], documents: Sequence[NewTrustedDocument], source: str, now: datetime
) -> int:
    """Makes every document trusted, in one transaction; returns how many were not trusted before."""
    async with db.begin() as session:
        known = set(
            (
                await session.execute(
                    select(PersistedDocument.sha256).where(
                        PersistedDocument.sha256.in_([d.sha256 for d in documents]),
                        PersistedDocument.trusted_at.is_not(None),
                    )
                )
            ).scalars()
        )
        new = [d for d in documents if d.sha256 not in known]
        for doc in new:
            # An APQ entry of the same text becomes trusted: same hash, same text.
            stmt = insert(PersistedDocument).values(
                sha256=doc.sha256, body=doc.body, name=doc.name, created_at=now, trusted_at=now, source=source
            )
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[PersistedDocument.sha256],
                    set_={"trusted_at": now, "source": source, "name": stmt.excluded.name},
                )
            )
    return len(new)


async def trusted_documents(reads: async_sessionmaker[AsyncSession]) -> list[PersistedDocument]:
    async with reads() as session:
        rows = await session.execute(
            select(PersistedDocument)
            .where(PersistedDocument.trusted_at.is_not(None))
            .order_by(PersistedDocument.trusted_at, PersistedDocument.sha256)
        )
        return list(rows.scalars())


async def cached_count(reads: async_sessionmaker[AsyncSession]) -> int:
    async with reads() as session:
        query = select(func.count()).select_from(PersistedDocument).where(PersistedDocument.trusted_at.is_(None))
        return int((await session.execute(query)).scalar_one())
