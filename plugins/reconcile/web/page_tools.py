"""What every page needs: the signed-in user (else 401), the provinces they may read (else
403), the form token checked, a quarter checked, and pages rendered and links written under the
app's mount."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException

from reconcile.quarter import Quarter
from reconcile.web.auth import User, csrf_ok, csrf_token, signed_in

NOTE_LIMIT = 2000


class NotSignedIn(Exception):
    """No valid session: answered 401 with a link to the sign-in page."""


def current_user(request: Request) -> User:
    user = signed_in(request.session, request.app.state.users)
    if user is None:
        raise NotSignedIn()
    return user


SignedIn = Annotated[User, Depends(current_user)]


def root(request: Request) -> str:
    """Where the app is mounted ("" at the server's root, "/reconcile" in Airflow): every link
    and redirect a page writes starts with it."""
    return str(request.scope.get("root_path") or "").rstrip("/")


def redirect(request: Request, url: str) -> RedirectResponse:
    """303 to ``url`` (root-relative in the app) under the app's mount."""
    return RedirectResponse(root(request) + url, status_code=303)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    env = request.app.state.templates
    user = signed_in(request.session, request.app.state.users)
    body = env.get_template(template).render(
        user=user, csrf=csrf_token(request.session), root=root(request), **context
    )
    return HTMLResponse(body, status_code=status_code)


def case_url(case_id: str, quarter: str | None = None) -> str:
    url = f"/cases/{quote(case_id, safe='')}"
    return f"{url}?{urlencode({'quarter': quarter})}" if quarter else url


def _check_csrf(request: Request, token: str) -> None:
    if not csrf_ok(request.session, token):
        raise HTTPException(403, "Phiên làm việc không hợp lệ: tải lại trang rồi gửi lại.")


def _quarter(text: str) -> str:
    try:
        return str(Quarter.parse(text))
    except ValueError:
        raise HTTPException(400, "Quý không hợp lệ (dạng 2025Q3).") from None


def _allowed(user: User, province: str) -> Collection[str] | None:
    """The provinces ``user`` reads (None: all); 403 when ``province`` is not among them."""
    allowed = None if user.all_provinces else user.provinces
    if province and allowed is not None and province not in allowed:
        raise HTTPException(403, "Bạn không được giao tỉnh này.")
    return allowed
