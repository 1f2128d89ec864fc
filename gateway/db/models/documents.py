from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base


class PersistedDocument(Base):
    """GraphQL documents known by their SHA-256: a frontend's trusted documents and the APQ cache.

    A row with `trusted_at` was registered from a manifest (`gateway documents register`) and is kept;
    one without is an automatic persisted query, a cache entry that the oldest-first bound may evict.
    """

    __tablename__ = "persisted_documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    trusted_at: Mapped[datetime | None]
    source: Mapped[str | None] = mapped_column(String(200))  # the manifest's label, for trusted documents
    name: Mapped[str | None] = mapped_column(String(200))  # the operation names, as the manifest or the text gives them
