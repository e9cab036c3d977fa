"""The few functions that write and read warehouse partitions.

Writers replace a whole partition (delete then insert) inside the caller's transaction, so a
rerun of a step gives the same rows and never duplicates. Everything goes through bound
parameters; no SQL is built from values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Table, and_, delete, insert, select

BATCH_ROWS = 5_000


def _where(table: Table, filters: Mapping[str, Any]):  # type: ignore[no-untyped-def]
    clauses = []
    for name, value in filters.items():
        column = table.c[name]
        if isinstance(value, list | tuple | set):
            clauses.append(column.in_(list(value)))
        else:
            clauses.append(column == value)
    return and_(*clauses) if clauses else None


def _clean_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes | date | datetime):
        return value.item()  # numpy scalar
    return value


def records(frame: pd.DataFrame, table: Table) -> list[dict[str, Any]]:
    """Rows of ``frame`` restricted to ``table``'s columns, as plain Python values."""
    names = [c.name for c in table.columns if c.name in frame.columns]
    out = []
    for row in frame[names].itertuples(index=False, name=None):
        out.append({name: _clean_value(value) for name, value in zip(names, row, strict=True)})
    return out


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    batch: list[Mapping[str, Any]] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            conn.execute(insert(table), batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)
        count += len(batch)
    return count


def replace_partition(
    conn: Connection, table: Table, filters: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
) -> int:
    """Delete the rows matching ``filters`` and insert ``rows``: one step's idempotent write."""
    condition = _where(table, filters)
    conn.execute(delete(table).where(condition) if condition is not None else delete(table))
    return insert_rows(conn, table, rows)


def read_frame(conn: Connection, table: Table, **filters: Any) -> pd.DataFrame:
    condition = _where(table, filters)
    query = select(table) if condition is None else select(table).where(condition)
    result = conn.execute(query)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)
