"""The web app as an Airflow 3 plugin: found by Airflow, signed in by Airflow's token.

The tokens are real: signed by the installed ``SimpleAuthManager`` with a test JWT secret and
validated by its ``get_user_from_token``, as the api-server does. Only the revocation lookup,
which reads Airflow's metadata database, is replaced by an in-memory set.
The app is mounted under ``/reconcile`` in a bare FastAPI app, as ``init_plugins`` mounts it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from web_warehouse import SECRET, csrf_of, decision_count, users_mapping

from reconcile.web.app import SECRET_ENV

ROOT = Path(__file__).resolve().parents[3]
PLUGINS = ROOT / "plugins"
AIRFLOW = Path(sys.executable).with_name("airflow")
OURS, OTHERS = "UNREGISTERED-0300000001", "UNREGISTERED-8600000001"
JWT_SECRET = "a-jwt-secret-for-the-web-tests-" * 3  # 64 bytes or more: HS512
SIMPLE = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


@pytest.fixture
def auth_manager(monkeypatch):
    """The installed SimpleAuthManager as the api-server's auth manager, with a test secret."""
    from airflow.api_fastapi import app as airflow_app
    from airflow.models.revoked_token import RevokedToken

    monkeypatch.setenv("AIRFLOW__CORE__AUTH_MANAGER", SIMPLE)
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", JWT_SECRET)
    monkeypatch.setattr(airflow_app._AuthManagerState, "instance", None)
    revoked: set[str] = set()
    monkeypatch.setattr(RevokedToken, "is_revoked", classmethod(lambda cls, jti: jti in revoked))
    manager = airflow_app.create_auth_manager()
    manager.revoked = revoked  # type: ignore[attr-defined]
    return manager


def token_for(manager, username: str, expires_in: int = 600) -> str:
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    user = SimpleAuthManagerUser(username=username, role="viewer")
    return manager.generate_jwt(user, expiration_time_in_seconds=expires_in)


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    """The serve users file reused: Airflow user names, roles, provinces (hashes ignored)."""
    path = tmp_path / "users.yaml"
    path.write_text(yaml.safe_dump({"users": users_mapping()}), encoding="utf-8")
    return path


@pytest.fixture
def airflow(engine: Engine, users_file: Path, auth_manager) -> Iterator[TestClient]:
    """The api-server in small: the plugin's app mounted under /reconcile."""
    from reconcile.web.airflow_auth import URL_PREFIX, LazyApp, create_airflow_app

    server = FastAPI()
    built = LazyApp(lambda: create_airflow_app(users_file, engine=engine, secret_key=SECRET))
    server.mount(URL_PREFIX, built)
    with TestClient(server, follow_redirects=False) as client:
        yield client


def signed(client: TestClient, token: str) -> TestClient:
    client.cookies.set("_token", token)
    return client


# ---------------------------------------------------------------- the plugin and Airflow
def test_importing_the_plugin_builds_nothing(monkeypatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv("RECONCILE_WEB_USERS", raising=False)
    sys.modules.pop("reconcile_web_plugin", None)
    import reconcile_web_plugin

    plugin = reconcile_web_plugin.ReconcileWebPlugin
    assert plugin.name == "reconcile_web"
    (app,) = plugin.fastapi_apps
    assert app["url_prefix"] == "/reconcile" and app["name"] == "Hồ sơ kiểm tra"
    assert app["app"]._app is None  # built on the first request, not on import
    (view,) = plugin.external_views
    assert view["href"] == "/reconcile/cases" and view["destination"] == "nav"


def test_airflow_lists_the_plugin_from_the_plugins_folder(tmp_path) -> None:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
    for name in (SECRET_ENV, "RECONCILE_WEB_USERS"):
        env.pop(name, None)
    listed = subprocess.run(
        [str(AIRFLOW), "plugins", "-o", "json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    plugins = {p["name"]: p for p in json.loads(listed.stdout[listed.stdout.index("[") :])}
    ours = plugins["reconcile_web"]
    assert ours["source"] == "$PLUGINS_FOLDER/reconcile_web_plugin.py"
    assert ours["fastapi_apps"] == [
        {"app": "reconcile.web.airflow_auth.LazyApp", "url_prefix": "/reconcile",
         "name": "Hồ sơ kiểm tra"}
    ]  # fmt: skip
    assert ours["external_views"] == [
        {"name": "Hồ sơ kiểm tra", "href": "/reconcile/cases", "destination": "nav"}
    ]
    assert set(plugins) == {"reconcile_web"}  # the domain package is not taken for a plugin


# ---------------------------------------------------------------- signed in by Airflow
@pytest.mark.parametrize("path", ["/reconcile/cases", f"/reconcile/cases/{OURS}"])
def test_without_an_airflow_token_every_page_is_401(airflow: TestClient, path) -> None:
    answer = airflow.get(path)
    assert answer.status_code == 401
    assert "Sen Hồng" not in answer.text


def test_every_page_but_signing_in_and_out_asks_airflow_who_is_signed_in() -> None:
    """Airflow mode overrides ``current_user``: a page not depending on it would be open."""
    from fastapi.routing import APIRoute

    from reconcile.web.pages import current_user, router

    def calls(dependant):
        yield dependant.call
        for sub in dependant.dependencies:
            yield from calls(sub)

    routes = [route for route in router.routes if isinstance(route, APIRoute)]
    open_paths = {route.path for route in routes if current_user not in set(calls(route.dependant))}
    assert open_paths == {"/", "/login", "/logout"}


def test_the_apps_own_session_alone_does_not_sign_in(airflow: TestClient, auth_manager) -> None:
    signed(airflow, token_for(auth_manager, "an"))
    assert airflow.get("/reconcile/cases").status_code == 200
    airflow.cookies.delete("_token")  # signed out of Airflow; the app's session cookie remains
    assert airflow.cookies.get("reconcile_session")
    assert airflow.get("/reconcile/cases").status_code == 401


def test_a_forged_or_expired_or_revoked_token_is_401(airflow: TestClient, auth_manager) -> None:
    from airflow.api_fastapi.auth.tokens import JWTGenerator

    forger = JWTGenerator(
        secret_key="x" * 64, valid_for=600, audience=auth_manager._get_jwt_audience()
    )
    forged = forger.generate({"sub": "an", "role": "viewer"})
    assert signed(airflow, forged).get("/reconcile/cases").status_code == 401
    expired = token_for(auth_manager, "an", expires_in=-60)
    assert signed(airflow, expired).get("/reconcile/cases").status_code == 401
    revoked = token_for(auth_manager, "an")
    assert signed(airflow, revoked).get("/reconcile/cases").status_code == 200
    auth_manager.revoked.add(auth_manager._get_token_validator().validated_claims(revoked)["jti"])
    assert signed(airflow, revoked).get("/reconcile/cases").status_code == 401


def test_an_inspector_of_82_sees_the_cases_of_82_and_not_another_province(
    airflow: TestClient, auth_manager
) -> None:
    signed(airflow, token_for(auth_manager, "an"))
    page = airflow.get("/reconcile/cases")
    assert page.status_code == 200
    assert "Nguyễn Thị An" in page.text and "Mỹ Trà" in page.text
    assert "Vĩnh Long" not in page.text
    assert airflow.get(f"/reconcile/cases/{OURS}").status_code == 200
    other = airflow.get(f"/reconcile/cases/{OTHERS}")
    assert other.status_code == 403 and "Vĩnh Long" not in other.text
    assert airflow.get("/reconcile/cases", params={"province": "86"}).status_code == 403


def test_the_bearer_header_is_accepted_like_the_ui_cookie(
    airflow: TestClient, auth_manager
) -> None:
    header = {"Authorization": f"Bearer {token_for(auth_manager, 'chi')}"}
    page = airflow.get(f"/reconcile/cases/{OTHERS}", headers=header)
    assert page.status_code == 200 and "Vĩnh Long" in page.text  # chi: an admin


def test_an_airflow_user_without_a_mapping_is_403(airflow: TestClient, auth_manager) -> None:
    signed(airflow, token_for(auth_manager, "admin"))
    for path in ("/reconcile/cases", f"/reconcile/cases/{OURS}"):
        answer = airflow.get(path)
        assert answer.status_code == 403 and "Sen Hồng" not in answer.text


def test_forms_still_need_the_session_token(
    airflow: TestClient, auth_manager, engine: Engine
) -> None:
    signed(airflow, token_for(auth_manager, "an"))
    before = decision_count(engine)
    url = f"/reconcile/cases/{OURS}/decision"
    refused = airflow.post(url, data={"decision": "in_progress"})
    assert refused.status_code == 403 and decision_count(engine) == before
    token = csrf_of(airflow.get(f"/reconcile/cases/{OURS}").text)
    wrong = airflow.post(url, data={"decision": "in_progress", "csrf_token": token + "x"})
    assert wrong.status_code == 403 and decision_count(engine) == before
    # another Airflow user in the same browser gets a fresh session: the old token is void
    signed(airflow, token_for(auth_manager, "chi"))
    stale = airflow.post(url, data={"decision": "in_progress", "csrf_token": token})
    assert stale.status_code == 403 and decision_count(engine) == before


def test_the_sign_in_form_is_airflows(airflow: TestClient, auth_manager) -> None:
    for answer in (airflow.get("/reconcile/login"), airflow.post("/reconcile/login", data={})):
        assert answer.status_code == 303
        assert answer.headers["location"].startswith(auth_manager.get_url_login())
        assert "next=%2Freconcile%2Fcases" in answer.headers["location"]


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src|action)="(/[^"]*)"', html)


def test_links_and_redirects_stay_under_the_mount(airflow: TestClient, auth_manager) -> None:
    unsigned = airflow.get("/reconcile/cases")  # the error page: its sign-in link too
    assert "/reconcile/login" in _links(unsigned.text)
    signed(airflow, token_for(auth_manager, "an"))
    assert airflow.get("/reconcile/").headers["location"].startswith("/reconcile/")
    for path in ("/reconcile/cases", f"/reconcile/cases/{OURS}"):
        links = _links(airflow.get(path).text)
        assert links and all(link.startswith("/reconcile/") for link in links), links
    missing = airflow.get("/reconcile/cases/NO-SUCH-CASE")
    assert missing.status_code == 404 and "/reconcile/cases" in _links(missing.text)


# ---------------------------------------------------------------- configuration
def test_the_users_file_needs_no_password_hash_in_airflow(tmp_path) -> None:
    from reconcile.web.auth import UsersError, authenticate, load_users

    users = load_users({"an": {"role": "inspector", "provinces": ["82"]}}, passwords=False)
    assert users["an"].provinces == {"82"} and users["an"].password_hash == ""
    assert authenticate(users, "an", "") is None
    hashed = load_users(users_mapping(), passwords=False)
    assert all(user.password_hash == "" for user in hashed.values())  # ignored
    with pytest.raises(UsersError, match="at least one province"):
        load_users({"an": {"role": "inspector"}}, passwords=False)


def test_the_app_answers_503_until_it_is_configured(monkeypatch) -> None:
    from reconcile.web.airflow_auth import LazyApp

    monkeypatch.delenv("RECONCILE_WEB_USERS", raising=False)
    server = FastAPI()
    server.mount("/reconcile", LazyApp())
    with TestClient(server) as client:
        answer = client.get("/reconcile/cases")
    assert answer.status_code == 503 and "api-server" in answer.text


def test_the_warehouse_is_the_tasks_own_an_airflow_connection_when_named(
    monkeypatch, tmp_path
) -> None:
    """As the pipeline's tasks read it: RECONCILE_WAREHOUSE_CONN_ID names the connection."""
    from reconcile.warehouse import engine as engines
    from reconcile.web import airflow_auth

    opened: list[str] = []
    monkeypatch.setattr(engines, "get_engine", lambda url: opened.append(url) or url)
    monkeypatch.setattr(
        airflow_auth, "create_app", lambda engine, users, **kw: engine, raising=False
    )
    users = tmp_path / "users.yaml"
    users.write_text(yaml.safe_dump({"users": {"an": {"role": "inspector", "provinces": ["82"]}}}))
    monkeypatch.setenv("AIRFLOW_CONN_RECONCILE_WH", "postgresql://reader:pw@wh.example:5432/bhxh")
    monkeypatch.setenv("RECONCILE_WAREHOUSE_CONN_ID", "reconcile_wh")
    monkeypatch.setenv("RECONCILE_WAREHOUSE_URL", "sqlite:///never.db")
    airflow_auth.create_airflow_app(users, secret_key="s" * 32)
    assert opened == ["postgresql+psycopg2://reader:pw@wh.example:5432/bhxh"]


def test_the_session_secret_is_set_or_derived_from_airflows(monkeypatch) -> None:
    from reconcile.web.airflow_auth import session_secret

    monkeypatch.setenv(SECRET_ENV, SECRET)
    assert session_secret() == SECRET
    monkeypatch.delenv(SECRET_ENV)
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "the-deployments-jwt-secret")
    derived = session_secret()
    assert len(derived) == 64 and "the-deployments-jwt-secret" not in derived
    assert session_secret() == derived
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "another-jwt-secret")
    assert session_secret() != derived
