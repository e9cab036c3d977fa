"""One engine per warehouse URL; tables created on first use."""

from __future__ import annotations

import logging
import random
import time
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from reconcile.warehouse.schema import metadata
from reconcile.warehouse.upgrade import upgrade

log = logging.getLogger(__name__)


@cache
def get_engine(url: str) -> Engine:
    """An engine with the schema in place. SQLite gets WAL and foreign-key pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    create_schema(engine)
    log.info("warehouse ready at %s", parsed.render_as_string(hide_password=True))
    return engine


def create_schema(engine: Engine, attempts: int = 5) -> None:
    """Create missing tables; safe when several tasks start at once on a new warehouse.

    ``create_all`` checks then creates, so two processes can both see a table missing and one
    of them fails with "already exists" (seen with parallel mapped tasks). Checking again after
    a short pause resolves it.
    """
    for attempt in range(1, attempts + 1):
        try:
            metadata.create_all(engine)
            upgrade(engine)
            _create_missing_indexes(engine)
            return
        except DBAPIError as exc:
            if attempt == attempts or "exist" not in str(exc.orig).lower():
                raise
            log.info("warehouse schema being created by another process; checking again")
            time.sleep(0.2 * attempt + random.random() / 5)


def _create_missing_indexes(engine: Engine) -> None:
    """Indexes added to the schema after a warehouse was created are built on first use.

    ``create_all`` makes a table's indexes only with the table; a new index on an old table
    (the rule queries' ones, say) would otherwise never reach a warehouse already in service.
    """
    inspector = inspect(engine)
    existing = {
        table: {index["name"] for index in inspector.get_indexes(table)}
        for table in metadata.tables
    }
    for table in metadata.sorted_tables:
        for index in table.indexes:
            if index.name not in existing[table.name]:
                log.info("warehouse: creating index %s on %s", index.name, table.name)
                index.create(engine)
