"""Signing in (throttled after repeated failures) and out."""

from __future__ import annotations

import math
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from reconcile.web.auth import authenticate, sign_in
from reconcile.web.page_tools import _check_csrf, redirect, render

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request) -> RedirectResponse:
    return redirect(request, "/cases")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html.j2", error="", username="")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Any:
    _check_csrf(request, csrf_token)
    name, throttle, now = username.strip(), request.app.state.throttle, time.monotonic()
    wait = throttle.wait(name, now)
    if wait:
        minutes = math.ceil(wait / 60)
        return render(
            request,
            "login.html.j2",
            status_code=429,
            username=username,
            error=f"Đăng nhập sai quá nhiều lần: thử lại sau {minutes} phút.",
        )
    user = authenticate(request.app.state.users, name, password)
    if user is None:
        throttle.failed(name, now)
        return render(
            request,
            "login.html.j2",
            status_code=401,
            error="Tên đăng nhập hoặc mật khẩu không đúng.",
            username=username,
        )
    throttle.succeeded(name)
    sign_in(request.session, user)
    return redirect(request, "/cases")


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
    _check_csrf(request, csrf_token)
    request.session.clear()
    return redirect(request, "/login")
