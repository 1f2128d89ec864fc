"""persisted_documents: trusted documents from frontends' manifests and the automatic persisted queries cache

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "persisted_documents",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("trusted_at", TS),
        sa.Column("source", sa.String(200)),
        sa.Column("name", sa.String(200)),
    )
    op.create_index("ix_persisted_documents_created_at", "persisted_documents", ["created_at"])


def downgrade() -> None:
    op.drop_table("persisted_documents")
