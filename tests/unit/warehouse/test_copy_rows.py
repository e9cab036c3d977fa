"""PostgreSQL's COPY path writes exactly what the multi-row INSERT path writes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from databases import fresh_postgres_database
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import copy_rows, insert_batches, insert_rows, read_frame

AWKWARD = [
    "Công ty TNHH Một Thành Viên Hoà Bình",
    "back\\slash and \\N and \\t written out",
    "tab\there, newline\nthere, return\rtoo",
    "",
    "'quotes\" and ; semicolons -- comment",
    None,
]


def _findings(province: str) -> list[dict]:
    return [
        {
            "quarter": "2025Q3",
            "case_id": f"NOT_REGISTERED-{province}-{number}",
            "rule": "NOT_REGISTERED",
            "province": province,
            "tax_code": None if text is None else text[:32],
            "unit_code": None,
            "name": text,
            "address": text,
            "severity": number,
            "legal_basis": f"Art. {number}",
            "evidence": {"text": text, "nested": [1, 2.5, None, {"a": "Đ\\n"}], "flag": True},
            "money_at_stake": 1_234_567_890_123 if number % 2 else 0.0,  # a float, as after a gap
        }  # fmt: skip
        for number, text in enumerate(AWKWARD)
    ]


def _content(frame: pd.DataFrame) -> list[str]:
    return sorted(map(repr, frame.drop(columns=["province", "case_id"]).itertuples(index=False)))


@pytest.mark.postgres
def test_copy_and_insert_write_the_same_values(postgres_server: str) -> None:
    url, drop = fresh_postgres_database(postgres_server)
    try:
        with get_engine(url).begin() as conn:
            assert copy_rows(conn, t.finding, _findings("01")) == len(AWKWARD)
            assert insert_batches(conn, t.finding, _findings("02")) == len(AWKWARD)
            # a table whose name is a reserved word, through insert_rows (COPY on PostgreSQL)
            cases = [{"case_id": "X-1", "kind": "X", "province": "01", "tax_code": "0101\\t",
                      "unit_code": None, "first_seen": "2025Q2", "last_seen": "2025Q3"}]  # fmt: skip
            assert insert_rows(conn, t.case, cases) == 1
            run = {"run_id": "r", "quarter": "2025Q3", "started_at": datetime(2025, 10, 10, 6, tzinfo=UTC),
                   "finished_at": None, "status": "ok", "counts": None, "versions": {"v": "1"}}  # fmt: skip
            copy_rows(conn, t.run, [run])
            insert_batches(conn, t.run, [run | {"run_id": "s"}])
        with get_engine(url).connect() as conn:
            copied = read_frame(conn, t.finding, province="01")
            assert _content(copied) == _content(read_frame(conn, t.finding, province="02"))
            assert sorted(copied["name"], key=str) == sorted(AWKWARD, key=str)
            assert read_frame(conn, t.case).to_dict("records") == cases
            runs = read_frame(conn, t.run).sort_values("run_id").to_dict("records")
            assert runs[0] | {"run_id": "s"} == runs[1]
            assert runs[0]["started_at"] == run["started_at"] and runs[0]["versions"] == {"v": "1"}
            # None in a JSON column is JSON null on both paths, not SQL NULL on one of them
            sql_nulls = select(t.run.c.run_id).where(t.run.c.counts.is_(None))
            assert conn.execute(sql_nulls).all() == []
    finally:
        drop()


def test_other_databases_take_the_batched_inserts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with get_engine(url).begin() as conn:
        assert insert_rows(conn, t.finding, _findings("01")) == len(AWKWARD)
    with get_engine(url).connect() as conn:
        assert sorted(read_frame(conn, t.finding)["name"], key=str) == sorted(AWKWARD, key=str)
