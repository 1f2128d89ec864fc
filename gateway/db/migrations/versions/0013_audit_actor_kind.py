"""audit_log.actor_kind and actor_token_id: who acted, now that people are not the only callers

A person in their session, an API token (personal or an organization's integration, which has
no person behind it), the provider's staff, or the gateway itself (jobs, the command line).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("actor_kind", sa.String(16), nullable=False, server_default="user"))
    op.add_column("audit_log", sa.Column("actor_token_id", sa.Uuid(), nullable=True))
    op.execute("UPDATE audit_log SET actor_kind = 'system' WHERE actor_id IS NULL")
    op.create_check_constraint(
        "ck_audit_log_actor_kind", "audit_log", "actor_kind IN ('user', 'token', 'staff', 'system')"
    )


def downgrade() -> None:
    op.drop_constraint("ck_audit_log_actor_kind", "audit_log")
    op.drop_column("audit_log", "actor_token_id")
    op.drop_column("audit_log", "actor_kind")
