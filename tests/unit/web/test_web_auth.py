"""Signing in: users validated, passwords checked against hashes, every page behind a session."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from web_warehouse import PASSWORDS, SECRET, csrf_of, users_mapping

from reconcile.web.app import SECRET_ENV, create_app
from reconcile.web.auth import UsersError, load_users


def test_users_load_from_a_file_and_bad_entries_are_clear_errors(tmp_path) -> None:
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"users": users_mapping()}), encoding="utf-8")
    users = load_users(path)
    assert users["an"].role == "inspector" and users["an"].provinces == {"82"}
    assert users["chi"].may_see("86") and not users["an"].may_see("86")
    with pytest.raises(UsersError, match="role 'boss'"):
        load_users({"x": {"role": "boss", "provinces": ["82"], "password_hash": "a$b"}})
    with pytest.raises(UsersError, match="password_hash missing"):
        load_users({"x": {"role": "viewer", "provinces": ["82"]}})
    with pytest.raises(UsersError, match="at least one province"):
        load_users({"x": {"role": "inspector", "password_hash": "a$b"}})


def test_the_app_refuses_to_start_without_a_secret(engine, users, monkeypatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(RuntimeError, match=SECRET_ENV):
        create_app(engine, users)
    monkeypatch.setenv(SECRET_ENV, SECRET)
    assert create_app(engine, users) is not None


@pytest.mark.parametrize("path", ["/cases", "/cases/UNREGISTERED-0300000001"])
def test_an_unsigned_request_is_401_with_a_link_to_sign_in(client: TestClient, path) -> None:
    answer = client.get(path)
    assert answer.status_code == 401
    assert 'href="/login"' in answer.text
    assert "Sen Hồng" not in answer.text


def test_an_unsigned_post_writes_nothing(client: TestClient, engine) -> None:
    from web_warehouse import decision_count

    before = decision_count(engine)
    answer = client.post("/cases/UNREGISTERED-0300000001/decision", data={"decision": "resolved"})
    assert answer.status_code == 401
    assert decision_count(engine) == before


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    refused = client.post("/login", data={"username": "an", "password": "sai", "csrf_token": token})
    assert refused.status_code == 401
    assert "không đúng" in refused.text
    assert client.get("/cases").status_code == 401
    unknown = client.post("/login", data={"username": "ai", "password": "sai", "csrf_token": token})
    assert unknown.status_code == 401
    accepted = client.post(
        "/login", data={"username": "an", "password": PASSWORDS["an"], "csrf_token": token}
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == "/cases"
    page = client.get("/cases")
    assert page.status_code == 200 and "Nguyễn Thị An" in page.text


def test_repeated_wrong_passwords_make_a_name_wait_even_with_the_right_one(
    client: TestClient,
) -> None:
    token = csrf_of(client.get("/login").text)

    def attempt(name: str, password: str):  # type: ignore[no-untyped-def]
        return client.post(
            "/login", data={"username": name, "password": password, "csrf_token": token}
        )

    limit = client.app.state.throttle.limit
    assert all(attempt("an", f"sai-{i}").status_code == 401 for i in range(limit))
    held = attempt("AN", PASSWORDS["an"])  # the right password, during the wait: refused
    assert held.status_code == 429 and "thử lại sau 15 phút" in held.text
    assert client.get("/cases").status_code == 401
    # another user is not held back by it
    assert attempt("chi", PASSWORDS["chi"]).status_code == 303


def test_the_throttle_forgets_failures_older_than_its_window() -> None:
    from reconcile.web.auth import SignInThrottle

    throttle = SignInThrottle(limit=2, window=60)
    throttle.failed("an", 0)
    throttle.failed("an", 10)
    assert throttle.wait("an", 20) == 40  # until the first failure is a minute old
    assert throttle.wait("an", 61) == 0
    throttle.failed("an", 70)
    throttle.succeeded("an")
    assert throttle.wait("an", 71) == 0


def test_sign_in_without_the_form_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    answer = client.post("/login", data={"username": "an", "password": PASSWORDS["an"]})
    assert answer.status_code == 403
    assert client.get("/cases").status_code == 401


def test_logout_ends_the_session(sign_in) -> None:
    client = sign_in("an")
    page = client.get("/cases")
    assert client.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    assert client.get("/cases").status_code == 401


def test_static_assets_are_served_by_the_app(client: TestClient) -> None:
    answer = client.get("/static/style.css")
    assert answer.status_code == 200 and "font-family" in answer.text
    login = client.get("/login").text
    assert "http://" not in login and "https://" not in login
