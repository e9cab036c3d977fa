"""Each finding's money counted once across its firm's findings (rules/money.py ``counted``).

Rows written before this revision keep NULL: the readers take their money at stake instead
(the totals as they were), and rerunning a quarter's rules fills the column.

Revision ID: 0007_finding_add_money_counted
Revises: 0006_firm_history_pit_employees
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_finding_add_money_counted"
down_revision = "0006_firm_history_pit_employees"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.add_column(
            sa.Column(
                "money_counted",
                sa.BigInteger(),
                nullable=True,
                comment="money_at_stake less what the firm's other findings already count "
                "(rules/money.py counted); NULL on rows written before it: rerun the quarter's "
                "rules",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.drop_column("money_counted")
