"""The tax side's head count in each firm's history (0f23af3).

Revision ID: 0006_firm_history_pit_employees
Revises: 0005_source_cursor
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_firm_history_pit_employees"
down_revision = "0005_source_cursor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("firm_history") as batch:
        batch.add_column(
            sa.Column(
                "pit_employees",
                sa.Integer(),
                nullable=True,
                comment="from the quarterly tax files only",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("firm_history") as batch:
        batch.drop_column("pit_employees")
