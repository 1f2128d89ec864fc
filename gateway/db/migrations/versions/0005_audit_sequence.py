"""audit_log.seq: entries keep the order they were written in, even within one instant

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False))
    op.drop_index("ix_audit_log_organization_id_created_at_id", "audit_log")
    op.create_index(
        "ix_audit_log_organization_id_created_at_seq", "audit_log", ["organization_id", "created_at", "seq"]
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_organization_id_created_at_seq", "audit_log")
    op.create_index("ix_audit_log_organization_id_created_at_id", "audit_log", ["organization_id", "created_at", "id"])
    op.drop_column("audit_log", "seq")
