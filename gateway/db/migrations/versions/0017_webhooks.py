"""webhooks: endpoints, signing secrets, the delivery outbox and its attempts

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _fk(name: str, table: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", UUID(as_uuid=True), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        _id(),
        _fk("organization_id", "organizations"),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("events", ARRAY(sa.String(64)), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("disabled_at", TS),
        sa.Column("disabled_reason", sa.String(16)),
        sa.Column("failing_since", TS),
        _fk("created_by_id", "users", nullable=True, ondelete="SET NULL"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(
        "ix_webhook_endpoints_organization_id_created_at_id",
        "webhook_endpoints",
        ["organization_id", "created_at", "id"],
    )
    op.create_table(
        "webhook_secrets",
        _id(),
        _fk("organization_id", "organizations"),
        _fk("endpoint_id", "webhook_endpoints"),
        sa.Column("secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS),
    )
    op.create_index("ix_webhook_secrets_endpoint_id", "webhook_secrets", ["endpoint_id"])
    op.create_table(
        "webhook_deliveries",
        _id(),
        _fk("organization_id", "organizations"),
        _fk("endpoint_id", "webhook_endpoints"),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS),
        sa.Column("retry_until", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("delivered_at", TS),
    )
    op.create_index(
        "ix_webhook_deliveries_endpoint_id_created_at_id", "webhook_deliveries", ["endpoint_id", "created_at", "id"]
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'PENDING'"),
    )
    op.create_table(
        "webhook_attempts",
        _id(),
        _fk("organization_id", "organizations"),
        _fk("delivery_id", "webhook_deliveries"),
        sa.Column("attempted_at", TS, nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
        sa.Column("http_status", sa.Integer),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("response_excerpt", sa.String(1024)),
        sa.Column("error", sa.String(500)),
    )
    op.create_index("ix_webhook_attempts_delivery_id_attempted_at", "webhook_attempts", ["delivery_id", "attempted_at"])


def downgrade() -> None:
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_secrets")
    op.drop_table("webhook_endpoints")
