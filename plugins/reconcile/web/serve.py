"""``python -m reconcile serve``: the inspectors' web application on the warehouse.

Needs ``RECONCILE_WEB_SECRET`` (signs the session cookie) and a users file (``--users`` or
``RECONCILE_WEB_USERS``, see ``web/auth.py``). The warehouse is the pipeline's
(``RECONCILE_WAREHOUSE_URL`` or ``--warehouse``); its tables are created when missing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from reconcile.settings import Settings
from reconcile.web.app import MIN_SECRET_LENGTH, SECRET_ENV, create_app
from reconcile.web.auth import UsersError, load_users

USERS_ENV = "RECONCILE_WEB_USERS"


def add_serve_command(sub: Any) -> argparse.ArgumentParser:
    """Add ``serve`` to the CLI's subcommands (``sub`` from ``add_subparsers``)."""
    parser = sub.add_parser("serve", help="run the inspectors' web application")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--users", type=Path, help=f"users file, YAML or JSON (default: {USERS_ENV})"
    )
    parser.add_argument(
        "--warehouse", help="SQLAlchemy URL (default: RECONCILE_WAREHOUSE_URL or var/warehouse.db)"
    )
    parser.add_argument(
        "--secure-cookie",
        action="store_true",
        help="send the session cookie over HTTPS only (behind a TLS proxy)",
    )
    parser.set_defaults(func=run_serve)
    return parser


def run_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env(warehouse_url=getattr(args, "warehouse", None))
    users_file = getattr(args, "users", None) or os.environ.get(USERS_ENV)
    return serve(
        settings,
        host=args.host,
        port=args.port,
        users_file=Path(users_file) if users_file else None,
        https_only=getattr(args, "secure_cookie", False),
    )


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    users_file: Path | None = None,
    https_only: bool = False,
) -> int:
    """Run the app with uvicorn until stopped; 2 when the secret or the users are missing."""
    if len(os.environ.get(SECRET_ENV, "")) < MIN_SECRET_LENGTH:
        print(
            f"serve: set {SECRET_ENV} to a random secret of at least {MIN_SECRET_LENGTH} "
            "characters",
            file=sys.stderr,
        )
        return 2
    if users_file is None:
        print(f"serve: give the users file with --users or {USERS_ENV}", file=sys.stderr)
        return 2
    try:
        users = load_users(users_file)
    except (OSError, UsersError) as exc:
        print(f"serve: {users_file}: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    from reconcile.warehouse.engine import get_engine

    engine = get_engine(settings.warehouse_url)  # creates the schema when missing
    app = create_app(engine, users, https_only=https_only)
    uvicorn.run(app, host=host, port=port, proxy_headers=True)
    return 0
