"""The few functions that write and read warehouse partitions.

Writers replace a whole partition (delete then insert) inside the caller's transaction, so a
rerun of a step gives the same rows and never duplicates. Everything goes through bound
parameters; no SQL is built from values.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Connection,
    Integer,
    Table,
    and_,
    delete,
    insert,
    select,
)

from reconcile.values import is_missing

BATCH_ROWS = 5_000
COPY_ROWS = 20_000


def _where(table: Table, filters: Mapping[str, Any]) -> ColumnElement[bool] | None:
    clauses: list[ColumnElement[bool]] = []
    for name, value in filters.items():
        column = table.c[name]
        if isinstance(value, list | tuple | set):
            clauses.append(column.in_(list(value)))
        else:
            clauses.append(column == value)
    return and_(*clauses) if clauses else None


def _clean_value(value: Any) -> Any:
    if is_missing(value):
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
    """Append rows: PostgreSQL's COPY where the driver offers it, else batched multi-row inserts."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg2":
        rows = list(rows)
        if rows and all(row.keys() == rows[0].keys() for row in rows):
            return copy_rows(conn, table, rows)
    return insert_batches(conn, table, rows)


def insert_batches(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Multi-row INSERTs of ``BATCH_ROWS`` rows (SQLAlchemy's insertmanyvalues), any database."""
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


def copy_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Stream rows into PostgreSQL with ``COPY ... FROM STDIN`` on the caller's transaction.

    A national quarter stages millions of rows; COPY moves them several times faster than
    multi-row INSERTs. Values travel as COPY's text format (escaped data, never SQL); only the
    table and column names, quoted by the dialect, are in the statement.
    """
    if not rows:
        return 0
    names = list(rows[0].keys())
    kinds = [_copy_kind(table.c[name].type) for name in names]
    quote = conn.dialect.identifier_preparer
    statement = (
        f"COPY {quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)}) FROM STDIN"
    )
    driver = conn.connection.driver_connection
    if driver is None:  # a pooled connection always has one; mypy cannot know it
        raise RuntimeError("COPY needs the database driver's own connection")
    buffer = io.StringIO()
    for start in range(0, len(rows), COPY_ROWS):
        buffer.seek(0)
        buffer.truncate()
        for row in rows[start : start + COPY_ROWS]:
            buffer.write(
                "\t".join(_copy_text(row[n], k) for n, k in zip(names, kinds, strict=True))
            )
            buffer.write("\n")
        buffer.seek(0)
        with driver.cursor() as cursor:
            cursor.copy_expert(statement, buffer)
    return len(rows)


def _copy_kind(kind: Any) -> str:
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, Integer):
        return "int"
    return "plain"


_NEEDS_ESCAPE = re.compile(r"[\\\n\r\t]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_text(value: Any, kind: str) -> str:
    """One value in COPY's text format: NULL as \\N, backslash and line breaks escaped.

    Values are plain Python already (``records`` cleaned them), as the INSERT path needs too.
    """
    if value is None:
        # SQLAlchemy's JSON type stores Python None as JSON null, not SQL NULL: the same here
        return "null" if kind == "json" else "\\N"
    if kind == "json":
        value = json.dumps(value, ensure_ascii=False, default=str)
    elif kind == "bool" or isinstance(value, bool):
        return "t" if value else "f"
    elif isinstance(value, date | datetime):
        value = value.isoformat()
    elif kind == "int" and isinstance(value, float) and value.is_integer():
        value = int(value)  # a pandas column with gaps holds its integers as floats
    text = str(value)
    # most values need no escape; looking is much cheaper than translating every one
    return text.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


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
