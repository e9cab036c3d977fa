"""Shared fixtures: a warehouse on SQLite always, and on PostgreSQL when it is reachable.

PostgreSQL tests (and the distributed run, which also needs Redis) skip with a reason when no
server answers, except under CI (``CI=true``) or with ``RECONCILE_REQUIRE_POSTGRES=1``, where the
skip becomes a failure: the PostgreSQL path is always exercised on the machines that have one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from databases import fresh_postgres_database

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POSTGRES_ADMIN_URL = os.environ.get(
    "RECONCILE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("RECONCILE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def postgres_required() -> bool:
    return (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("RECONCILE_REQUIRE_POSTGRES") == "1"
    )


def _postgres_unavailable() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: not reachable here
        return f"PostgreSQL not reachable at {make_url(POSTGRES_ADMIN_URL).render_as_string()}: {exc.__class__.__name__}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The admin URL of a reachable PostgreSQL, or a skip (a failure under CI)."""
    reason = _postgres_unavailable()
    if reason:
        if postgres_required():
            pytest.fail(f"{reason} (required here: CI=true or RECONCILE_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    yield POSTGRES_ADMIN_URL


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """The URL of a reachable Redis (the Celery broker), or a skip (a failure under CI)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # any failure to answer means: not reachable here
        reason = f"Redis not reachable at {REDIS_URL}: {exc.__class__.__name__}"
        if postgres_required():
            pytest.fail(f"{reason} (required here: CI=true or RECONCILE_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    yield REDIS_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty warehouse: a SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warehouse.db'}"
        return
    admin_url = request.getfixturevalue("postgres_server")
    url, drop = fresh_postgres_database(admin_url)
    try:
        yield url
    finally:
        drop()
