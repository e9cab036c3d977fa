"""Baseline: the warehouse as first released (5790957).

Fourteen tables: the landed files and their quarantined rows, one staging table per feed (tax,
registry, roll, decisions; their columns as the feed contract then had them), the quarter's
firms, employer units, links, findings, cases and their statuses, decisions keyed by (case,
day), and the runs.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case",
        sa.Column("case_id", sa.String(length=96), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=True),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("first_seen", sa.String(length=6), nullable=False),
        sa.Column("last_seen", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_table(
        "case_status",
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("case_id", sa.String(length=96), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column(
            "status",
            sa.String(length=16),
            nullable=False,
            comment="new, persisting, reopened, resolved",
        ),
        sa.PrimaryKeyConstraint("quarter", "case_id"),
    )
    op.create_index(
        "ix_case_status_partition", "case_status", ["quarter", "province"], unique=False
    )
    op.create_table(
        "decision",
        sa.Column("case_id", sa.String(length=96), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("inspector", sa.Text(), nullable=True),
        sa.Column("file_id", sa.String(length=64), nullable=True),
        sa.Column("quarter", sa.String(length=6), nullable=True),
        sa.PrimaryKeyConstraint("case_id", "decided_on"),
    )
    op.create_table(
        "employer_unit",
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("tax_code_raw", sa.Text(), nullable=True, comment="as written in the roll"),
        sa.Column(
            "tax_code", sa.String(length=32), nullable=True, comment="normalised, valid codes only"
        ),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("office", sa.Text(), nullable=True),
        sa.Column("joined_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("insured_employees", sa.Integer(), nullable=True),
        sa.Column("wage_bill", sa.BigInteger(), nullable=True),
        sa.Column("due", sa.BigInteger(), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=True),
        sa.Column("arrears", sa.BigInteger(), nullable=True),
        sa.Column("arrears_months", sa.Integer(), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("quarter", "unit_code"),
    )
    op.create_index(
        "ix_employer_unit_partition", "employer_unit", ["quarter", "province"], unique=False
    )
    op.create_index(
        "ix_employer_unit_tax_code", "employer_unit", ["quarter", "tax_code"], unique=False
    )
    op.create_table(
        "feed_file",
        sa.Column(
            "file_id", sa.String(length=64), nullable=False, comment="SHA-256 of the file's bytes"
        ),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("feed", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("stored_path", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("landed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status", sa.String(length=16), nullable=False, comment="landed, loaded or failed"
        ),
        sa.Column("encoding", sa.String(length=16), nullable=True),
        sa.Column("header_line", sa.Integer(), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=True),
        sa.Column("rows_accepted", sa.Integer(), nullable=True),
        sa.Column("rows_quarantined", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("file_id"),
    )
    op.create_index(
        "ix_feed_file_partition", "feed_file", ["quarter", "province", "feed"], unique=False
    )
    op.create_table(
        "finding",
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("case_id", sa.String(length=96), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=True),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("money_at_stake", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("quarter", "case_id", "rule"),
    )
    op.create_index("ix_finding_partition", "finding", ["quarter", "province"], unique=False)
    op.create_table(
        "firm",
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column(
            "root",
            sa.String(length=10),
            nullable=False,
            comment="10-digit root; the parent of a branch",
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("legal_form", sa.Text(), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("tax_status", sa.String(length=32), nullable=True),
        sa.Column("tax_status_since", sa.Date(), nullable=True),
        sa.Column("registry_status", sa.String(length=32), nullable=True),
        sa.Column("registry_status_since", sa.Date(), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column(
            "started_on",
            sa.Date(),
            nullable=True,
            comment="earliest of registered_on and founded_on",
        ),
        sa.Column("pit_employees", sa.Integer(), nullable=True),
        sa.Column("pit_wage_bill", sa.BigInteger(), nullable=True),
        sa.Column("declared_employees", sa.Integer(), nullable=True),
        sa.Column(
            "representative",
            sa.Text(),
            nullable=True,
            comment="personal data: never logged, masked in exports",
        ),
        sa.Column("in_tax", sa.Boolean(), nullable=False),
        sa.Column("in_registry", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("quarter", "tax_code"),
    )
    op.create_index("ix_firm_partition", "firm", ["quarter", "province"], unique=False)
    op.create_index("ix_firm_root", "firm", ["quarter", "root"], unique=False)
    op.create_table(
        "link",
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column(
            "method",
            sa.String(length=32),
            nullable=False,
            comment="exact, exact_parent, fuzzy, confirmed",
        ),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("band", sa.String(length=16), nullable=False, comment="link or review"),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("quarter", "unit_code"),
    )
    op.create_index("ix_link_partition", "link", ["quarter", "province"], unique=False)
    op.create_index("ix_link_tax_code", "link", ["quarter", "tax_code"], unique=False)
    op.create_table(
        "quarantine",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column(
            "row_number", sa.Integer(), nullable=False, comment="data row below the header, from 1"
        ),
        sa.Column(
            "line",
            sa.Integer(),
            nullable=True,
            comment="line (CSV record) or sheet row in the file",
        ),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("feed", sa.String(length=16), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False, comment="the row as written, JSON"),
        sa.Column("reasons", sa.Text(), nullable=False, comment="reasons joined with ' | '"),
        sa.PrimaryKeyConstraint("file_id", "row_number"),
    )
    op.create_index("ix_quarantine_partition", "quarantine", ["quarter", "province"], unique=False)
    op.create_table(
        "run",
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("versions", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_table(
        "staged_decisions",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("decision", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("inspector", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("file_id", "row_number"),
    )
    op.create_index(
        "ix_staged_decisions_partition", "staged_decisions", ["quarter", "province"], unique=False
    )
    op.create_table(
        "staged_registry",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("enterprise_code", sa.String(length=32), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("short_name", sa.Text(), nullable=True),
        sa.Column("foreign_name", sa.Text(), nullable=True),
        sa.Column("legal_form", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("representative", sa.Text(), nullable=True),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("status_since", sa.Date(), nullable=True),
        sa.Column("suspended_until", sa.Date(), nullable=True),
        sa.Column("declared_employees", sa.Integer(), nullable=True),
        sa.Column("payment_cycle", sa.Text(), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("file_id", "row_number"),
    )
    op.create_index(
        "ix_staged_registry_partition", "staged_registry", ["quarter", "province"], unique=False
    )
    op.create_table(
        "staged_roll",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("tax_code", sa.String(length=32), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("office", sa.Text(), nullable=True),
        sa.Column("joined_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("insured_employees", sa.Integer(), nullable=True),
        sa.Column("wage_bill", sa.BigInteger(), nullable=True),
        sa.Column("due", sa.BigInteger(), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=True),
        sa.Column("arrears", sa.BigInteger(), nullable=True),
        sa.Column("arrears_months", sa.Integer(), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("file_id", "row_number"),
    )
    op.create_index(
        "ix_staged_roll_partition", "staged_roll", ["quarter", "province"], unique=False
    )
    op.create_table(
        "staged_tax",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("stated_province", sa.Text(), nullable=True),
        sa.Column("tax_office", sa.Text(), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("status_since", sa.Date(), nullable=True),
        sa.Column("pit_employees", sa.Integer(), nullable=True),
        sa.Column("pit_wage_bill", sa.BigInteger(), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("file_id", "row_number"),
    )
    op.create_index("ix_staged_tax_partition", "staged_tax", ["quarter", "province"], unique=False)


def downgrade() -> None:
    op.drop_table("staged_tax")
    op.drop_table("staged_roll")
    op.drop_table("staged_registry")
    op.drop_table("staged_decisions")
    op.drop_table("run")
    op.drop_table("quarantine")
    op.drop_table("link")
    op.drop_table("firm")
    op.drop_table("finding")
    op.drop_table("feed_file")
    op.drop_table("employer_unit")
    op.drop_table("decision")
    op.drop_table("case_status")
    op.drop_table("case")
