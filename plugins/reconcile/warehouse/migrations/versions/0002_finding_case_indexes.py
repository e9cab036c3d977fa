"""Indexes for the rules' reads of a province's earlier findings and of a case's history
(e6ea628): finding by (province, quarter) and by case, case by province.

Revision ID: 0002_finding_case_indexes
Revises: 0001_baseline
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0002_finding_case_indexes"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_finding_province", "finding", ["province", "quarter"])
    op.create_index("ix_finding_case", "finding", ["case_id"])
    op.create_index("ix_case_province", "case", ["province"])


def downgrade() -> None:
    op.drop_index("ix_case_province", table_name="case")
    op.drop_index("ix_finding_case", table_name="finding")
    op.drop_index("ix_finding_province", table_name="finding")
