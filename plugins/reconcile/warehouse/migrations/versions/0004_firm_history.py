"""Each firm's history from the change notices (7d16686), and the change notices' staging
table (d9e0975, the feed contract's ``changes`` feed, landed four minutes earlier).

Revision ID: 0004_firm_history
Revises: 0003_decision_by_province
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_firm_history"
down_revision = "0003_decision_by_province"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "firm_history",
        sa.Column("tax_code", sa.String(length=32), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column(
            "valid_to",
            sa.Date(),
            nullable=True,
            comment="the day it stopped being so; empty: still so",
        ),
        sa.Column("province", sa.String(length=2), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("status_since", sa.Date(), nullable=True),
        sa.Column(
            "status_by",
            sa.String(length=96),
            nullable=True,
            comment="the notice (or snapshot) that told the status",
        ),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column(
            "representative",
            sa.Text(),
            nullable=True,
            comment="personal data: never logged, masked in exports",
        ),
        sa.Column("legal_form", sa.Text(), nullable=True),
        sa.Column("declared_employees", sa.Integer(), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("opened_by", sa.String(length=96), nullable=False),
        sa.PrimaryKeyConstraint("tax_code", "valid_from"),
    )
    op.create_index("ix_firm_history_province", "firm_history", ["province", "valid_from"])
    # A warehouse opened by the code between d9e0975 and 7d16686 (before migrations, when
    # create_all made every missing table) already has it; it is the same table.
    if not sa.inspect(op.get_bind()).has_table("staged_changes"):
        _staged_changes()


def _staged_changes() -> None:
    op.create_table(
        "staged_changes",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("notice_id", sa.String(length=64), nullable=True),
        sa.Column("change_kind", sa.String(length=32), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=True),
        sa.Column("withdraws", sa.String(length=64), nullable=True),
        sa.Column("sender", sa.Text(), nullable=True),
        sa.Column("tax_code", sa.String(length=32), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("stated_province", sa.Text(), nullable=True),
        sa.Column("representative", sa.Text(), nullable=True),
        sa.Column("legal_form", sa.Text(), nullable=True),
        sa.Column("declared_employees", sa.Integer(), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("file_id", "row_number"),
    )
    op.create_index("ix_staged_changes_partition", "staged_changes", ["quarter", "province"])


def downgrade() -> None:
    op.drop_table("staged_changes")
    op.drop_table("firm_history")
