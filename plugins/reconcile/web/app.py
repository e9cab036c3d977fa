"""The application factory: one app per (engine, users, secret); no module-level state.

The session lives in a signed cookie (Starlette's ``SessionMiddleware``, itsdangerous) whose
secret comes from ``RECONCILE_WEB_SECRET``; the app refuses to start without one unless the
caller (a test) passes it. Static assets are served by the app itself: no CDN, no font host.

Inside Airflow (``airflow_auth.py``) the app is built with ``identify``: Airflow's token says who
is signed in, the sign-in form is not served, and the session only carries the form token.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import Engine
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from reconcile.quarter import LOCAL_TZ
from reconcile.rules.catalog import rules
from reconcile.web import present
from reconcile.web.auth import SignInThrottle, User, adopt
from reconcile.web.outreach_page import router as outreach_router
from reconcile.web.pages import NotSignedIn, current_user, router

SECRET_ENV = "RECONCILE_WEB_SECRET"
SESSION_COOKIE = "reconcile_session"
SESSION_HOURS = 8
MIN_SECRET_LENGTH = 16
HERE = Path(__file__).resolve().parent
ERRORS = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa đăng nhập",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# who is signed in according to another system: the user name, or None when no one is
Identify = Callable[[Request], Awaitable[str | None]]


def today_in_vietnam() -> date:
    return datetime.now(LOCAL_TZ).date()


def templates() -> Environment:
    """Jinja2 with autoescape on for every template: every feed value is escaped."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=present.money,
        day=present.day,
        moment=present.moment,
        quarter_words=present.quarter_words,
        province_name=present.province_name,
        status_words=present.status_words,
        source_words=present.source_words,
    )
    return env


def create_app(
    engine: Engine,
    users: Mapping[str, User],
    *,
    secret_key: str | None = None,
    today: Callable[[], date] = today_in_vietnam,
    https_only: bool = False,
    identify: Identify | None = None,
    login_url: Callable[[Request], str] | None = None,
    options: dict[str, Any] | None = None,
) -> FastAPI:
    """The inspectors' application on ``engine`` for ``users``.

    ``secret_key`` signs the session cookie; without it, ``RECONCILE_WEB_SECRET`` must be set.
    ``today`` gives the day a decision is recorded as decided on (tests pass a fixed one).
    ``https_only`` marks the cookie Secure (set it behind HTTPS).
    ``identify``, when given, replaces the sign-in form: it names the user signed in elsewhere
    (Airflow), None is 401 and a name not in ``users`` is 403; ``/login`` then redirects to
    ``login_url`` (404 without one).
    ``options`` are the settings' (``rules:`` overrides, ``outreach_lookback_days``...), so that
    an export reads the catalogue as the publish step reads it and the outreach page lists what
    the weekly workbook lists.
    """
    secret = secret_key or os.environ.get(SECRET_ENV, "")
    if len(secret) < MIN_SECRET_LENGTH:
        raise RuntimeError(
            f"{SECRET_ENV} must be set to a random secret of at least {MIN_SECRET_LENGTH} "
            "characters (it signs the session cookie); the web app does not start without it"
        )
    app = FastAPI(
        title="Đối chiếu BHXH – hồ sơ kiểm tra", docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.engine = engine
    app.state.users = dict(users)
    app.state.throttle = SignInThrottle()
    app.state.today = today
    app.state.options = dict(options or {})
    app.state.catalog = rules(app.state.options.get("rules"))
    app.state.templates = templates()
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=https_only,
    )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc: NotSignedIn) -> HTMLResponse:
        return _error_page(request, 401, "Vui lòng đăng nhập để xem trang này.")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> HTMLResponse:
        return _error_page(request, exc.status_code, str(exc.detail or ""))

    if identify is not None:
        _signed_in_elsewhere(app, identify, login_url)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    app.include_router(outreach_router)
    return app


def _signed_in_elsewhere(
    app: FastAPI, identify: Identify, login_url: Callable[[Request], str] | None
) -> None:
    """Every page's user comes from ``identify``; the session follows it (``adopt``)."""

    async def identified(request: Request) -> User:
        username = await identify(request)
        if not username:
            raise NotSignedIn()
        user = request.app.state.users.get(username)
        if user is None:
            request.session.clear()
            raise HTTPException(403, "Tài khoản này chưa được giao hồ sơ kiểm tra nào.")
        adopt(request.session, user)
        return user

    app.dependency_overrides[current_user] = identified

    # registered before the pages' routes, so these answer /login instead of the form
    @app.api_route("/login", methods=["GET", "POST"], include_in_schema=False)
    def sign_in_elsewhere(request: Request) -> RedirectResponse:
        if login_url is None:
            raise HTTPException(404)
        return RedirectResponse(login_url(request), status_code=303)


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    env: Environment = request.app.state.templates
    body = env.get_template("error.html.j2").render(
        status=status,
        title=ERRORS.get(status, "Lỗi"),
        message=message if message and message != ERRORS.get(status) else "",
        user=None,
        csrf="",
        root=str(request.scope.get("root_path") or "").rstrip("/"),  # "/reconcile" in Airflow
    )
    headers = {"WWW-Authenticate": 'FormBased realm="reconcile"'} if status == 401 else None
    return HTMLResponse(body, status_code=status, headers=headers)
