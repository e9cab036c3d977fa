"""Named SQL files from ``sql/``, run with bound parameters only; portable SQLite/PostgreSQL."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text


@cache
def _sql(sql_dir: Path, name: str) -> str:
    path = sql_dir / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query {name!r} in {sql_dir}")
    return path.read_text(encoding="utf-8")


def run_query(conn: Connection, sql_dir: Path, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of the named query as dicts; parameters are bound, never formatted into the text."""
    result = conn.execute(text(_sql(sql_dir, name)), params)
    return [dict(row) for row in result.mappings()]
