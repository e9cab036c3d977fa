"""Recording a decision made on the web: a new row, never an update."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import Connection, insert

from reconcile.warehouse.schema import decision


def new_decision_id() -> str:
    return f"web:{uuid.uuid4().hex}"


def record_decision(
    conn: Connection,
    *,
    province: str,
    quarter: str,
    case_id: str,
    code: str,
    note: str | None,
    inspector: str,
    decided_on: date,
    landed_at: datetime | None = None,
) -> str:
    """Store one decision made on the web (a new row: nothing is ever updated or deleted).

    The one path for every web decision: a case's, and a doubtful link's (its case id is the
    review sheet's, ``workbook.link_case_id``)."""
    decision_id = new_decision_id()
    conn.execute(
        insert(decision).values(
            decision_id=decision_id,
            province=province,
            quarter=quarter,
            case_id=case_id,
            decided_on=decided_on,
            decision=code,
            note=note or None,
            inspector=inspector,
            source="web",
            file_id=None,
            row_number=None,
            landed_at=landed_at or datetime.now(UTC),
        )
    )
    return decision_id
