"""Bring a warehouse created by an earlier version to the current table shapes.

There is no migration tool yet (Alembic is planned with the operations work); until then each
change of shape that ``create_all`` cannot make on its own (it only creates missing tables) has
a step here, run on first use of a warehouse, idempotent and inside one transaction.

- ``decision`` before 2026-11: keyed by (case, day), without province or source, so a decisions
  file of one province could overwrite another's and a same-day decision replaced the earlier
  one. Its rows are kept: each takes the province and landing time of the file it came from
  (or its case's province), and becomes ``<file_id>:legacy:<n>`` with source ``workbook``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, MetaData, Table, inspect, select

from reconcile.warehouse import schema as t

log = logging.getLogger(__name__)


def upgrade(engine: Engine) -> list[str]:
    """Run the steps a warehouse needs; the names of those that ran (none on a current one)."""
    done = []
    columns = {c["name"] for c in inspect(engine).get_columns("decision")}
    if "decision_id" not in columns:
        with engine.begin() as conn:
            moved = _decision_by_province(conn)
        done.append(f"decision: {moved} decision(s) moved to the table with province and source")
    for step in done:
        log.info("warehouse upgraded: %s", step)
    return done


def _decision_by_province(conn: Connection) -> int:
    # reflected, so that dates come back as dates on SQLite too
    legacy = Table("decision", MetaData(), autoload_with=conn)
    old = conn.execute(select(legacy)).mappings().all()
    files = {
        row.file_id: row
        for row in conn.execute(
            select(t.feed_file.c.file_id, t.feed_file.c.province, t.feed_file.c.landed_at)
        )
    }
    case_province = dict(conn.execute(select(t.case.c.case_id, t.case.c.province)).all())
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
    legacy.drop(conn)
    t.decision.create(conn)
    if rows:
        conn.execute(t.decision.insert(), rows)
    if lost:
        log.warning(
            "warehouse upgrade: %d old decision(s) name neither a landed file nor a known case "
            "and were not kept",
            lost,
        )
    return len(rows)
