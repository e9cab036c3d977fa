"""``python -m reconcile serve``: the inspectors' web application on the warehouse.

Needs ``RECONCILE_WEB_SECRET`` (signs the session cookie) and a users file (``--users`` or
``RECONCILE_WEB_USERS``, see ``web/auth.py``). The warehouse is the pipeline's
(``RECONCILE_WAREHOUSE_URL`` or ``--warehouse``); its tables are created when missing.

``--demo`` is for the embedded default after ``make demo``: one admin, ``demo``, whose random
password is made on first use and kept (with its hash in the users file) under ``var/web/``,
which git ignores; a secret made for the process when none is set. Nothing of it is in the
repository.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from reconcile.settings import Settings, project_home
from reconcile.web.app import MIN_SECRET_LENGTH, SECRET_ENV, create_app
from reconcile.web.auth import USERS_ENV, UsersError, load_users


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
    parser.add_argument(
        "--demo",
        action="store_true",
        help="the embedded default: an admin 'demo' with a password made once under var/web/",
    )
    parser.set_defaults(func=run_serve)
    return parser


DEMO_USER = "demo"


def demo_login(folder: Path) -> tuple[Path, str]:
    """The demo's users file and password, made on first use (the password readable by the
    owner only)."""
    from werkzeug.security import generate_password_hash

    folder.mkdir(parents=True, exist_ok=True)
    users, login = folder / "users.yaml", folder / "demo-password.txt"
    if not (users.exists() and login.exists()):
        password = secrets.token_urlsafe(12)
        login.touch(mode=0o600)
        login.write_text(password + "\n", encoding="utf-8")
        users.write_text(
            "users:\n"
            f"  {DEMO_USER}:\n"
            '    name: "Quản trị (bản chạy thử)"\n'
            "    role: admin\n"
            f'    password_hash: "{generate_password_hash(password)}"\n',
            encoding="utf-8",
        )
    return users, login.read_text(encoding="utf-8").strip()


def run_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env(warehouse_url=getattr(args, "warehouse", None))
    users_file = getattr(args, "users", None) or os.environ.get(USERS_ENV)
    secret = None  # serve reads RECONCILE_WEB_SECRET
    if getattr(args, "demo", False):
        users_file, password = demo_login(project_home() / "var" / "web")
        secret = os.environ.get(SECRET_ENV) or secrets.token_urlsafe(32)
        print(
            f"the inspectors' page: http://{args.host}:{args.port}/  "
            f"(user {DEMO_USER}, password {password}; kept in var/web/)",
            flush=True,
        )
    return serve(
        settings,
        host=args.host,
        port=args.port,
        users_file=Path(users_file) if users_file else None,
        https_only=getattr(args, "secure_cookie", False),
        secret=secret,
    )


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    users_file: Path | None = None,
    https_only: bool = False,
    secret: str | None = None,
) -> int:
    """Run the app with uvicorn until stopped; 2 when the secret or the users are missing.
    The secret is ``secret`` or else ``RECONCILE_WEB_SECRET``."""
    secret = secret or os.environ.get(SECRET_ENV, "")
    if len(secret) < MIN_SECRET_LENGTH:
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
    app = create_app(
        engine, users, secret_key=secret, https_only=https_only, options=settings.options
    )
    uvicorn.run(app, host=host, port=port, proxy_headers=True)
    return 0
