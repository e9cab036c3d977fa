"""The warehouse's schema version, kept by Alembic (docs/migrations.md).

``upgrade(engine)`` brings any warehouse to the code's head revision:

- an empty database gets the current tables at once (``metadata.create_all``) and is stamped
  at head: the same tables as running every migration (a test checks it), in one step;
- a warehouse made before migrations (tables, no ``alembic_version``) is matched to the
  revision its tables show, stamped there, then upgraded;
- a versioned one runs the migrations it lacks; one at a revision this code does not know
  (upgraded by a newer version) is refused with a ``ConfigError``.

Everything happens in one transaction holding a lock, so that several tasks starting at once
on a new warehouse do not trip over each other: PostgreSQL's ``pg_advisory_xact_lock`` (DDL is
transactional there), SQLite's write lock (``BEGIN IMMEDIATE`` on a connection of its own).
Alembic is configured here, in code: there is no ``alembic.ini``.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import (
    Connection,
    Engine,
    String,
    column,
    create_engine,
    event,
    inspect,
    select,
    table,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from reconcile.errors import ConfigError
from reconcile.warehouse.schema import metadata

log = logging.getLogger(__name__)

_VERSION = table("alembic_version", column("version_num", String(32)))

MIGRATIONS = Path(__file__).with_name("migrations")
# pg_advisory_xact_lock's key: any fixed number, the same in every process ("reconc" in hex)
ADVISORY_LOCK_KEY = 0x7265636F6E63

# The column comments migration 0003 set. A warehouse made before migrations and already
# reshaped by the old upgrade step (so matched to 0003 or later) kept the earlier comments,
# since create_all never alters an existing table: they are set when it is adopted.
_COMMENTS_0003 = {
    ("feed_file", "status"): "landed, loaded, failed (refused as a file), replaced (by a "
    "corrected file) or rejected (set aside by a person)",
    ("run", "status"): "running, success, incomplete (a file refused or a province blocked), "
    "failed, or abandoned (still running when a later run found it long gone)",
}


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration, in code: the script folder, and the database if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this code knows."""
    head = _script().get_current_head()
    assert head is not None, f"no migration in {MIGRATIONS}"
    return head


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [r.revision for r in reversed(list(_script().walk_revisions()))]


def current_revision(engine: Engine) -> str | None:
    """The warehouse's revision; None when it has none (empty, or made before migrations)."""
    with engine.connect() as conn:
        return _current(conn)


def _current(conn: Connection) -> str | None:
    # read directly rather than through a MigrationContext: this runs on every first use of a
    # warehouse, and should cost one query (and log nothing)
    if not inspect(conn).has_table(_VERSION.name):
        return None
    versions = conn.execute(select(_VERSION.c.version_num)).scalars().all()
    if len(versions) > 1:
        raise ConfigError(f"the warehouse has several versions at once ({versions}): a branch?")
    return versions[0] if versions else None


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _check_known(revision: str, url: URL) -> None:
    try:
        _script().get_revision(revision)
    except (CommandError, RevisionError):
        raise ConfigError(
            f"the warehouse at {_shown(url)} is at revision {revision!r}, which this code does "
            f"not know (its newest is {head_revision()!r}): the warehouse was upgraded by a "
            "newer version of reconcile; upgrade the code, do not point an older one at it"
        ) from None


def upgrade(engine: Engine, *, by_migrations: bool = False) -> list[str]:
    """Bring the warehouse to head; the revisions it went through (none when already current).

    A new warehouse is built by ``create_all`` and stamped at head (every revision is listed);
    ``by_migrations`` builds it by running each migration instead (tests, ``db revision``).
    """
    with engine.connect() as conn:  # the usual case, without waiting for any lock
        current = _current(conn)
    if current is not None:
        _check_known(current, engine.url)
        if current == head_revision():
            return []
    with _locked(engine) as conn:
        return _upgrade(conn, engine.url, by_migrations)


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """One transaction that no other process's migration runs beside."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
            yield conn
        return
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        # pysqlite would run DDL outside any transaction: a connection of our own that begins
        # with BEGIN IMMEDIATE takes the database's write lock first (and waits for it)
        serial = create_engine(url, poolclass=NullPool, connect_args={"timeout": 60})

        @event.listens_for(serial, "connect")
        def _connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(serial, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        try:
            with serial.begin() as conn:
                yield conn
        finally:
            serial.dispose()
        return
    with engine.begin() as conn:
        yield conn


def _upgrade(conn: Connection, url: URL, by_migrations: bool) -> list[str]:
    current = _current(conn)  # again: another process may have upgraded it meanwhile
    head = head_revision()
    if current is None:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        if not tables:
            if by_migrations:
                applied = _run_upgrade(conn)
            else:
                metadata.create_all(conn)
                MigrationContext.configure(conn).stamp(_script(), head)
                applied = revisions()
            log.info("warehouse %s created at %s", _shown(url), head)
            return applied
        found = _adopt(conn, url, tables)
        if found == head:
            return []
    else:
        _check_known(current, url)
        if current == head:
            return []
        log.info("warehouse %s at %s: upgrading to %s", _shown(url), current, head)
    applied = _run_upgrade(conn)
    for revision in applied:
        log.info("warehouse %s: applied %s", _shown(url), revision)
    return applied


def _run_upgrade(conn: Connection) -> list[str]:
    config = alembic_config()
    applied: list[str] = []
    config.attributes["connection"] = conn
    config.attributes["applied"] = applied
    command.upgrade(config, "head")
    return applied


def detect_revision(conn: Connection) -> str:
    """The revision a warehouse made before migrations matches, from what its tables show."""
    inspector = inspect(conn)
    tables = set(inspector.get_table_names())

    def columns(table: str) -> set[str]:
        return {c["name"] for c in inspector.get_columns(table)} if table in tables else set()

    if "money_counted" in columns("finding"):
        return "0007_finding_add_money_counted"
    if "pit_employees" in columns("firm_history"):
        return "0006_firm_history_pit_employees"
    if "source_cursor" in tables:
        return "0005_source_cursor"
    if "firm_history" in tables:
        return "0004_firm_history"
    if "decision_id" in columns("decision"):
        return "0003_decision_by_province"
    if "finding" in tables and "ix_finding_case" in {
        i["name"] for i in inspector.get_indexes("finding")
    }:
        return "0002_finding_case_indexes"
    return "0001_baseline"


def _adopt(conn: Connection, url: URL, tables: set[str]) -> str:
    """Stamp a warehouse made before migrations at the revision its tables match."""
    if not {"feed_file", "decision", "finding", "run"} <= tables:
        raise ConfigError(
            f"the database at {_shown(url)} holds tables ({', '.join(sorted(tables)[:8])}"
            f"{', ...' if len(tables) > 8 else ''}) but is not a reconcile warehouse: point "
            "RECONCILE_WAREHOUSE_URL at the warehouse, or at an empty database for a new one"
        )
    found = detect_revision(conn)
    log.warning(
        "warehouse %s has no version (made before migrations): its tables match %s; "
        "stamping it there and upgrading",
        _shown(url),
        found,
    )
    if revisions().index(found) >= revisions().index("0003_decision_by_province"):
        _set_comments_0003(conn)
    MigrationContext.configure(conn).stamp(_script(), found)
    return found


def _set_comments_0003(conn: Connection) -> None:
    if not conn.dialect.supports_comments:
        return
    inspector = inspect(conn)
    operations = Operations(MigrationContext.configure(conn))
    for (table_name, column_name), comment in _COMMENTS_0003.items():
        existing = {c["name"]: c.get("comment") for c in inspector.get_columns(table_name)}
        if existing.get(column_name) != comment:
            operations.alter_column(
                table_name,
                column_name,
                existing_type=String(16),
                existing_nullable=False,
                comment=comment,
                existing_comment=existing.get(column_name),
            )


def new_revision(message: str, url: str | None = None) -> Path:
    """Autogenerate the next migration: the difference between ``schema.py`` and a database
    built by the migrations so far (a scratch SQLite file, or ``url``: an empty database or a
    warehouse at head; PostgreSQL sees comment changes, SQLite does not)."""
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40] or "change"
    number = len(revisions()) + 1
    rev_id = f"{number:04d}_{slug}"
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(url or f"sqlite:///{Path(scratch) / 'scratch.db'}")
        try:
            upgrade(engine, by_migrations=True)
            with engine.begin() as conn:
                config = alembic_config()
                config.attributes["connection"] = conn
                script = command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()
    _script.cache_clear()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


def warehouse_url_shown(url: str) -> str:
    """A warehouse URL as it may be printed or logged: without its password."""
    return _shown(make_url(url))
