"""Throwaway PostgreSQL databases for tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def create_database(admin_url: str, prefix: str = "reconcile_test") -> str:
    """A new empty database on the server of ``admin_url``, named ``<prefix>_<random>``: its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    """Drop the database of ``url``, even with sessions still open on it."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def fresh_postgres_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    """A new warehouse database: its URL, and how to drop it (closing the package's engine)."""
    url = create_database(admin_url)

    def drop() -> None:
        from reconcile.warehouse.engine import get_engine

        get_engine(url).dispose()
        drop_database(admin_url, url)

    return url, drop
