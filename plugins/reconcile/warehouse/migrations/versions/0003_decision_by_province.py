"""Decisions per province, every one kept; the publish lock; status comments (13399cd).

``decision`` was keyed by (case, day), without province or source, so a decisions file of one
province could overwrite another's and a same-day decision replaced the earlier one. It is
rebuilt keyed by ``decision_id`` and its rows are kept: each takes the province and landing
time of the file it came from (or its case's province) and becomes ``<file_id>:legacy:<n>``
with source ``workbook``. A row naming neither a landed file nor a known case cannot be given a
province and is dropped, with a warning (what the pre-Alembic upgrade step did).

Only reflected or lightweight tables here, never ``reconcile.warehouse.schema``'s: this
migration must do the same thing whatever the schema becomes.

Revision ID: 0003_decision_by_province
Revises: 0002_finding_case_indexes
Create Date: 2026-11-30
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003_decision_by_province"
down_revision = "0002_finding_case_indexes"
branch_labels = None
depends_on = None

log = logging.getLogger("reconcile.warehouse.migrate")

FEED_FILE_STATUS_BEFORE = "landed, loaded or failed"
FEED_FILE_STATUS = (
    "landed, loaded, failed (refused as a file), replaced (by a corrected file) or "
    "rejected (set aside by a person)"
)
RUN_STATUS = (
    "running, success, incomplete (a file refused or a province blocked), failed, or "
    "abandoned (still running when a later run found it long gone)"
)

_feed_file = sa.table(
    "feed_file",
    sa.column("file_id", sa.String(64)),
    sa.column("province", sa.String(2)),
    sa.column("landed_at", sa.DateTime(timezone=True)),
)
_case = sa.table("case", sa.column("case_id", sa.String(96)), sa.column("province", sa.String(2)))


def upgrade() -> None:
    conn = op.get_bind()
    moved = _decision_rows(conn)
    op.drop_table("decision")
    decision = op.create_table(
        "decision",
        sa.Column(
            "decision_id",
            sa.String(length=128),
            nullable=False,
            comment="workbook: <file_id>:<row_number>; web: an id of its own",
        ),
        sa.Column(
            "province",
            sa.String(length=2),
            nullable=False,
            comment="the province whose cases it decides",
        ),
        sa.Column(
            "quarter", sa.String(length=6), nullable=False, comment="the quarter it was landed in"
        ),
        sa.Column("case_id", sa.String(length=96), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "inspector", sa.Text(), nullable=True, comment="personal data: masked in exports"
        ),
        sa.Column("source", sa.String(length=16), nullable=False, comment="workbook or web"),
        sa.Column(
            "file_id",
            sa.String(length=64),
            nullable=True,
            comment="the decisions file it came from",
        ),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("landed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("decision_id"),
    )
    op.create_index("ix_decision_partition", "decision", ["quarter", "province", "source"])
    op.create_index("ix_decision_province", "decision", ["province"])
    op.create_index("ix_decision_case", "decision", ["case_id"])
    if moved:
        op.bulk_insert(decision, moved)
    log.info("warehouse: %d decision(s) moved to the table with province and source", len(moved))

    op.create_table(
        "lock",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "holder",
            sa.String(length=250),
            nullable=False,
            comment="host, process and run that hold it",
        ),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    _comment("feed_file", "status", FEED_FILE_STATUS, FEED_FILE_STATUS_BEFORE)
    _comment("run", "status", RUN_STATUS, None)


def _comment(table: str, column: str, comment: str | None, before: str | None) -> None:
    # SQLite keeps no comments (and would copy the whole table to alter one)
    if op.get_bind().dialect.supports_comments:
        op.alter_column(
            table,
            column,
            existing_type=sa.String(length=16),
            existing_nullable=False,
            comment=comment,
            existing_comment=before,
        )


def _decision_rows(conn: sa.Connection) -> list[dict]:
    # reflected, so that dates come back as dates on SQLite too
    legacy = sa.Table("decision", sa.MetaData(), autoload_with=conn)
    old = conn.execute(sa.select(legacy)).mappings().all()
    files = {
        row.file_id: row
        for row in conn.execute(
            sa.select(_feed_file.c.file_id, _feed_file.c.province, _feed_file.c.landed_at)
        )
    }
    case_province = dict(conn.execute(sa.select(_case.c.case_id, _case.c.province)).all())
    rows, lost = [], 0
    for number, row in enumerate(old, start=1):
        source_file = files.get(row.get("file_id"))
        province = source_file.province if source_file else case_province.get(row["case_id"])
        if province is None:
            lost += 1
            continue
        rows.append(
            {
                "decision_id": f"{row.get('file_id') or 'unknown'}:legacy:{number}",
                "province": province,
                "quarter": row.get("quarter") or "",
                "case_id": row["case_id"],
                "decided_on": row["decided_on"],
                "decision": row["decision"],
                "note": row.get("note"),
                "inspector": row.get("inspector"),
                "source": "workbook",
                "file_id": row.get("file_id"),
                "row_number": None,
                "landed_at": source_file.landed_at
                if source_file
                else datetime(2000, 1, 1, tzinfo=UTC),
            }
        )
    if lost:
        log.warning(
            "warehouse upgrade: %d old decision(s) name neither a landed file nor a known case "
            "and were not kept",
            lost,
        )
    return rows


def downgrade() -> None:
    raise NotImplementedError(
        "0003_decision_by_province cannot be undone: the old decision table kept one decision "
        "per case and day, so decisions would be lost; restore a backup instead"
    )
