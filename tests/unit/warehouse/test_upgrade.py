"""A warehouse made before decisions carried their province is upgraded on first use, keeping
every decision and giving each the province of the file it came in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine, inspect, text

from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame

OLD_DECISION = """CREATE TABLE decision (
    case_id VARCHAR(96) NOT NULL, decided_on DATE NOT NULL, decision VARCHAR(32) NOT NULL,
    note TEXT, inspector TEXT, file_id VARCHAR(64), quarter VARCHAR(6),
    PRIMARY KEY (case_id, decided_on))"""


def test_old_decision_table_is_upgraded_with_its_rows(warehouse_url: str) -> None:
    old = create_engine(warehouse_url)
    t.feed_file.create(old)
    with old.begin() as conn:
        conn.execute(text(OLD_DECISION))
        conn.execute(t.feed_file.insert().values(
            file_id="f" * 64, quarter="2025Q4", province="86", feed="decisions",
            file_name="decisions_86.xlsx", stored_path="x", size_bytes=1, status="loaded",
            landed_at=datetime(2025, 11, 2, tzinfo=UTC)))  # fmt: skip
        conn.execute(text(
            "INSERT INTO decision VALUES ('ARREARS-U1', '2025-10-20', 'resolved', 'ok', 'A', "
            ":file, '2025Q4')"), {"file": "f" * 64})  # fmt: skip
    old.dispose()

    engine = get_engine(warehouse_url)
    columns = {c["name"] for c in inspect(engine).get_columns("decision")}
    assert {"decision_id", "province", "source", "landed_at"} <= columns
    with engine.connect() as conn:
        rows = read_frame(conn, t.decision).to_dict("records")
    assert len(rows) == 1
    row = rows[0]
    assert (row["case_id"], row["province"], row["decision"], row["source"]) == (
        "ARREARS-U1", "86", "resolved", "workbook")  # fmt: skip
    assert str(row["decided_on"]) == "2025-10-20"
    # a second start finds nothing to do and keeps the row
    from reconcile.warehouse.upgrade import upgrade

    assert upgrade(engine) == []
