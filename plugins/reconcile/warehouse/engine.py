"""One engine per warehouse URL; the schema brought to the code's version on first use."""

from __future__ import annotations

import logging
import sqlite3
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


@cache
def get_engine(url: str) -> Engine:
    """An engine with the schema in place (migrated to head). SQLite gets WAL and foreign-key
    pragmas."""
    engine = make_engine(url)
    create_schema(engine)
    log.info("warehouse ready at %s", engine.url.render_as_string(hide_password=True))
    return engine


def make_engine(url: str) -> Engine:
    """An engine on the warehouse, its schema untouched (``db upgrade`` reports what it does)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    return engine


def create_schema(engine: Engine) -> list[str]:
    """Bring the warehouse to the code's schema revision (reconcile.warehouse.migrate): create
    a new one, adopt one made before migrations, or run the migrations it lacks. Safe when
    several tasks start at once on a new warehouse (the migration holds a lock)."""
    from reconcile.warehouse import migrate

    return migrate.upgrade(engine)
