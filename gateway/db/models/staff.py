from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, uuid_pk


class StaffMember(Base):
    """A person of the provider's support or billing staff: a platform role, not a membership.

    The account logs in as any user does; while this row exists its sessions act as staff and never as a
    customer (its memberships, if any, are not used).
    """

    __tablename__ = "staff_members"
    __table_args__ = (
        CheckConstraint("role IN ('SUPPORT_AGENT', 'BILLING_STAFF', 'SUPERADMIN')", name="ck_staff_members_role"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
