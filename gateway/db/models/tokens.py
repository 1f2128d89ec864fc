from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, uuid_pk


class ApiToken(Base):
    """A partner's way in: a person's personal access token, or an organization's integration token.

    Only the keyed hash of the secret is stored. A personal token belongs to its user (and may be limited to
    some organizations); an integration token belongs to its organization, with no person behind it.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'PERSONAL' AND user_id IS NOT NULL AND organization_id IS NULL)"
            " OR (kind = 'INTEGRATION' AND organization_id IS NOT NULL AND user_id IS NULL)",
            name="ck_api_tokens_owner",
        ),
        Index("ix_api_tokens_user_id_created_at", "user_id", "created_at"),
        Index("ix_api_tokens_organization_id_created_at", "organization_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    # The last characters of the secret (its checksum): enough to tell tokens apart in a list, nothing to guess.
    hint: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # A personal token limited to these organizations; null: every organization its user belongs to.
    organization_ids: Mapped[list[uuid.UUID] | None] = mapped_column(ARRAY(UUID(as_uuid=True)))
    rights: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    all_products: Mapped[bool]
    product_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    ip_allowlist: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    last_used_ip: Mapped[str | None] = mapped_column(String(64))
    # Addresses the token has been used from (the latest ones), so a new one is audited once.
    known_ips: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
