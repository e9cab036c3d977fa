"""``db``: the warehouse's schema version (docs/migrations.md)."""

from __future__ import annotations

import argparse
import os

from reconcile.cli.common import Subcommands, settings_of


def cmd_db(args: argparse.Namespace) -> int:
    """The warehouse's schema version: upgrade it, say where it is, or draft a migration."""
    from reconcile.warehouse import migrate

    if args.action == "revision":
        path = migrate.new_revision(args.message, args.warehouse)
        print(f"new migration {path}: read it and edit it before committing it")
        return 0
    from reconcile.warehouse.engine import make_engine

    url = _warehouse_of_db_command(args)
    print(f"warehouse {migrate.warehouse_url_shown(url)}")
    engine = make_engine(url)
    try:
        if args.action == "upgrade":
            before = migrate.current_revision(engine)
            applied = migrate.upgrade(engine)
            if before is None and applied == migrate.revisions():
                print(f"new warehouse: created at {applied[-1]} (head)")
            else:
                for revision in applied:
                    print(f"applied {revision}")
            if not applied:
                print(f"warehouse already at {migrate.head_revision()}")
            return 0
        current = migrate.current_revision(engine)
        head = migrate.head_revision()
        if current == head:
            print(f"at {current} (head)")
        elif current is None:
            print(f"no version (empty, or made before migrations); head is {head}: run db upgrade")
        elif current in migrate.revisions():
            print(f"at {current}, behind head {head}: run db upgrade")
        else:
            print(f"at {current}, unknown to this code (head {head}): made by a newer version")
        return 0
    finally:
        engine.dispose()


def _warehouse_of_db_command(args: argparse.Namespace) -> str:
    """``--warehouse``; else the Airflow connection named by RECONCILE_WAREHOUSE_CONN_ID (as the
    DAG's tasks take it: compose's airflow-init must migrate the warehouse the tasks will use);
    else RECONCILE_WAREHOUSE_URL or the bundled SQLite file."""
    if getattr(args, "warehouse", None):
        return str(args.warehouse)
    if os.environ.get("RECONCILE_WAREHOUSE_CONN_ID"):
        from reconcile.airflow.hooks import warehouse_url_from_connection

        url = warehouse_url_from_connection()
        if url:
            return url
    return settings_of(args).warehouse_url


def add_commands(sub: Subcommands) -> None:
    db = sub.add_parser(
        "db", help="the warehouse's schema version (docs/migrations.md): upgrade, current, revision"
    )
    db_sub = db.add_subparsers(dest="action", required=True)
    db_upgrade = db_sub.add_parser(
        "upgrade", help="bring the warehouse to this code's schema (creates a new one)"
    )
    db_upgrade.add_argument(
        "--warehouse", help="SQLAlchemy URL (default: RECONCILE_WAREHOUSE_URL or var/warehouse.db)"
    )
    db_current = db_sub.add_parser("current", help="the warehouse's revision and this code's head")
    db_current.add_argument(
        "--warehouse", help="SQLAlchemy URL (default: RECONCILE_WAREHOUSE_URL or var/warehouse.db)"
    )
    db_revision = db_sub.add_parser(
        "revision",
        help="draft the next migration from schema.py's changes (autogenerate), for developers",
    )
    db_revision.add_argument("-m", "--message", required=True, help="what the migration does")
    db_revision.add_argument(
        "--warehouse",
        help="compare against this database (empty, or at head) instead of a scratch SQLite "
        "file; PostgreSQL also sees comment changes",
    )
    db.set_defaults(func=cmd_db)
