"""Cursors of incremental sources, kept in the warehouse so that every worker shares them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select

from reconcile.warehouse import schema as t


def get(conn: Connection, name: str) -> str | None:
    return conn.execute(
        select(t.source_cursor.c.value).where(t.source_cursor.c.name == name)
    ).scalar()


def put(conn: Connection, name: str, value: str | None) -> None:
    conn.execute(delete(t.source_cursor).where(t.source_cursor.c.name == name))
    conn.execute(
        insert(t.source_cursor).values(name=name, value=value, updated_at=datetime.now(UTC))
    )
