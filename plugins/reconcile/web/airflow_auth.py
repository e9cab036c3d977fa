"""The inspectors' web application inside Airflow's api-server (``plugins/reconcile_web_plugin.py``).

The only module of ``reconcile.web`` that imports Airflow, and only when a request comes: the
plugin file imports this module in every Airflow component that loads plugins, so nothing here
opens the warehouse or reads a secret until the api-server serves the first page.

Who is signed in is Airflow's business. An Airflow plugin's FastAPI app is not behind Airflow's
authentication, so every request is checked here the way the api-server checks its own: the
JWT Airflow's UI keeps in the ``_token`` cookie (or an ``Authorization: Bearer`` header, which
wins) is validated by the api-server's auth manager (``get_user_from_token``: signature, expiry,
revocation). No token, or an invalid or expired one, is 401; a valid one names the Airflow user
(``get_name()``: the user name for the simple and FAB auth managers).

What that user may see comes from the users file named by ``RECONCILE_WEB_USERS`` (the format
of ``auth.py``; ``password_hash`` is not needed and is ignored): Airflow user name -> role and
provinces. A valid Airflow user who is not in the file is 403.

The app keeps its own signed session cookie, which now carries only the form token (CSRF). Its
secret is ``RECONCILE_WEB_SECRET`` when set, else derived (HMAC-SHA256, labelled) from Airflow's
``[api_auth] jwt_secret``, else from ``[api] secret_key``: every api-server process of one
deployment shares those, so a form made by one is accepted by another.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from sqlalchemy import Engine

    from reconcile.web.app import Identify

log = logging.getLogger(__name__)

URL_PREFIX = "/reconcile"
MENU_NAME = "Hồ sơ kiểm tra"
_SECRET_LABEL = b"reconcile-web-session"
_AIRFLOW_SECRETS = (("api_auth", "jwt_secret"), ("api", "secret_key"))


def request_token(request: Request) -> str | None:
    """The Airflow JWT a request carries: ``Authorization: Bearer`` first, else the UI's cookie."""
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN

    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.cookies.get(COOKIE_NAME_JWT_TOKEN) or None


async def airflow_username(request: Request) -> str | None:
    """The Airflow user signed in on ``request``, or None: no token, or one the api-server's auth
    manager refuses (bad signature, expired, revoked)."""
    from airflow.api_fastapi.app import get_auth_manager
    from jwt import InvalidTokenError

    token = request_token(request)
    if token is None:
        return None
    try:
        user = await get_auth_manager().get_user_from_token(token)
    except InvalidTokenError:
        return None
    return user.get_name() or None


def airflow_login_url(request: Request) -> str:
    """Airflow's sign-in page, coming back to the cases afterwards."""
    from airflow.api_fastapi.app import get_auth_manager

    back = f"{request.scope.get('root_path', '')}/cases"
    return get_auth_manager().get_url_login(next_url=back)


def session_secret() -> str:
    """``RECONCILE_WEB_SECRET``, else a key derived from Airflow's own shared secret."""
    from reconcile.web.app import SECRET_ENV

    explicit = os.environ.get(SECRET_ENV, "")
    if explicit:
        return explicit
    from airflow.configuration import conf

    for section, key in _AIRFLOW_SECRETS:
        base = conf.get(section, key, fallback="") or ""
        if base:
            return hmac.new(base.encode(), _SECRET_LABEL, hashlib.sha256).hexdigest()
    raise RuntimeError(
        f"set {SECRET_ENV}, or Airflow's [api_auth] jwt_secret, to sign the app's session cookie"
    )


def _cookie_over_https() -> bool:
    from airflow.configuration import conf

    return (conf.get("api", "base_url", fallback="") or "").startswith("https://")


def create_airflow_app(
    users_file: Path | str | None = None,
    *,
    engine: Engine | None = None,
    secret_key: str | None = None,
    identify: Identify = airflow_username,
    login_url: Callable[[Request], str] | None = airflow_login_url,
    https_only: bool | None = None,
) -> FastAPI:
    """The inspectors' app with Airflow's sign-in. Without arguments (in the api-server): users
    from ``RECONCILE_WEB_USERS``, the tasks' warehouse (``airflow.tasks.settings``), the secret
    of ``session_secret``.
    Tests pass their own users, engine, secret and ``identify``."""
    from reconcile.web.app import create_app
    from reconcile.web.auth import USERS_ENV, load_users

    source = users_file or os.environ.get(USERS_ENV)
    if not source:
        raise RuntimeError(
            f"set {USERS_ENV} to the users file mapping Airflow user names to role and provinces"
        )
    users = load_users(source, passwords=False)
    # the pipeline's own settings in Airflow: the warehouse from the Airflow connection named
    # by RECONCILE_WAREHOUSE_CONN_ID when there is one, as the tasks read it
    from reconcile.airflow.tasks import settings

    pipeline = settings()
    if engine is None:
        from reconcile.warehouse.engine import get_engine

        engine = get_engine(pipeline.warehouse_url)
    return create_app(
        engine,
        users,
        secret_key=secret_key or session_secret(),
        https_only=_cookie_over_https() if https_only is None else https_only,
        identify=identify,
        login_url=login_url,
        options=pipeline.options,
    )


class LazyApp:
    """An ASGI app built on its first request, not when the plugin is imported.

    Until it can be built (no users file, no secret, no warehouse) every request is 503 and the
    reason is logged; it is tried again on the next request.
    """

    def __init__(self, build: Callable[[], Any] = create_airflow_app) -> None:
        self._build = build
        self._app: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._app is None:
                self._app = self._build()
            return self._app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        app = self._app
        if app is None:
            import anyio.to_thread

            try:
                app = await anyio.to_thread.run_sync(self._get)
            except Exception:
                log.exception("the inspectors' web app could not start")
                if scope["type"] != "http":
                    raise
                await _unavailable(send)
                return
        await app(scope, receive, send)


async def _unavailable(send: Callable) -> None:
    body = "Ứng dụng hồ sơ kiểm tra chưa sẵn sàng: xem nhật ký của api-server.".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
