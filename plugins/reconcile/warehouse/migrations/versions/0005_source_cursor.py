"""Where an incremental source goes on from: the partner API's ``since`` cursor (bf2215d).

Revision ID: 0005_source_cursor
Revises: 0004_firm_history
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_source_cursor"
down_revision = "0004_firm_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_cursor",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("source_cursor")
