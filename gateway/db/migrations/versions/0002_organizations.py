"""organizations, memberships, invitations, logos, audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", UUID(as_uuid=True), primary_key=True)


def _fk(name: str, table: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def _grant_columns() -> list[sa.Column]:
    return [
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("rights", ARRAY(sa.String(32)), nullable=False, server_default="{}"),
        sa.Column("all_products", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("product_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
        sa.Column("topics", ARRAY(sa.String(16)), nullable=False, server_default="{}"),
    ]


def upgrade() -> None:
    op.create_table(
        "organizations",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("legal_name", sa.String(300), nullable=False),
        sa.Column("tax_code", sa.String(32)),
        sa.Column("vat_number", sa.String(32)),
        sa.Column("street", sa.String(300)),
        sa.Column("postal_code", sa.String(16)),
        sa.Column("city", sa.String(120)),
        sa.Column("province", sa.String(64)),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("phone", sa.String(32)),
        _fk("legal_representative_id", "users", nullable=True, ondelete="SET NULL"),
        sa.Column("logo_updated_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
    )
    op.add_column("users", _fk("active_organization_id", "organizations", nullable=True, ondelete="SET NULL"))

    op.create_table(
        "organization_logos",
        sa.Column(
            "organization_id",
            UUID(as_uuid=True),
            sa.ForeignKey("organizations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("media_type", sa.String(32), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )

    op.create_table(
        "memberships",
        _id(),
        _fk("organization_id", "organizations"),
        _fk("user_id", "users"),
        *_grant_columns(),
        sa.Column("status", sa.String(16), nullable=False, server_default="ACTIVE"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("organization_id", "user_id", name="uq_memberships_organization_id_user_id"),
    )
    op.create_index("ix_memberships_user_id_organization_id", "memberships", ["user_id", "organization_id"])

    op.create_table(
        "invitations",
        _id(),
        _fk("organization_id", "organizations"),
        sa.Column("email", sa.String(254), nullable=False),
        *_grant_columns(),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="PENDING"),
        _fk("invited_by_id", "users", nullable=True, ondelete="SET NULL"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("responded_at", TS),
    )
    op.create_index("ix_invitations_organization_id_created_at", "invitations", ["organization_id", "created_at"])
    op.create_index(
        "ix_invitations_email_pending",
        "invitations",
        [sa.text("lower(email)")],
        postgresql_where=sa.text("status = 'PENDING'"),
    )

    op.create_table(
        "audit_log",
        _id(),
        _fk("organization_id", "organizations"),
        _fk("actor_id", "users", nullable=True, ondelete="SET NULL"),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(32)),
        sa.Column("target_id", UUID(as_uuid=True)),
        sa.Column("details", JSONB, nullable=False, server_default="{}"),
        sa.Column("ip", sa.String(64)),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_audit_log_organization_id_created_at_id", "audit_log", ["organization_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("invitations")
    op.drop_table("memberships")
    op.drop_table("organization_logos")
    op.drop_column("users", "active_organization_id")
    op.drop_table("organizations")
