"""description_text: the template and parameters of order lines' and prepaid entries' descriptions

The stored `description` stays the Italian wording written at the time; the template beside it lets
the same line read in the reader's language. Rows from before keep a null and answer their wording.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("order_lines", "prepaid_entries")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("description_text", JSONB(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "description_text")
