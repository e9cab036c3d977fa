"""The inspectors' web app served by a real Airflow api-server, signed in by Airflow's tokens.

One api-server (SimpleAuthManager, a SQLite metadata database, this project's plugins folder)
serves the plugin under /reconcile; tokens come from its own ``POST /auth/token``. The rest of
the deployment (scheduler, Celery) is not needed for this, so it is not started.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
import yaml

from airflow_deployment import AIRFLOW, ROOT, free_port
from reconcile.warehouse.engine import get_engine
from unit.web.web_warehouse import csrf_of, decision_count, fill

pytestmark = [pytest.mark.distributed, pytest.mark.slow]

SIMPLE = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
PASSWORDS = {"an": secrets.token_urlsafe(12), "stranger": secrets.token_urlsafe(12)}
OURS, OTHERS = "UNREGISTERED-0300000001", "UNREGISTERED-8600000001"
BOOT_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The api-server's URL and the warehouse URL behind its /reconcile app."""
    home = tmp_path_factory.mktemp("airflow_web")
    warehouse = f"sqlite:///{home / 'warehouse.db'}"
    fill(get_engine(warehouse))
    users = {"an": {"name": "Nguyễn Thị An", "role": "inspector", "provinces": ["82"]}}
    (home / "users.yaml").write_text(yaml.safe_dump({"users": users}), encoding="utf-8")
    (home / "passwords.json").write_text(json.dumps(PASSWORDS), encoding="utf-8")
    (home / "dags").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "RECONCILE_"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "PYTHONPATH": str(ROOT / "plugins"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "an:viewer,stranger:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(48),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "RECONCILE_WEB_USERS": str(home / "users.yaml"),
        "RECONCILE_WAREHOUSE_URL": warehouse,
    })  # fmt: skip
    log = (home / "api-server.log").open("ab")
    subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, stdout=log, stderr=subprocess.STDOUT,
                   check=True, timeout=BOOT_TIMEOUT_S)  # fmt: skip
    url = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [str(AIRFLOW), "api-server", "--port", url.rsplit(":", 1)[1], "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while True:
            assert server.poll() is None, (home / "api-server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{url}/api/v2/version", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the api-server did not answer"
            time.sleep(1)
        yield url, warehouse
    finally:
        server.terminate()
        server.wait(timeout=30)


def token(url: str, username: str) -> str:
    reply = httpx.post(f"{url}/auth/token", timeout=10,
                       json={"username": username, "password": PASSWORDS[username]})  # fmt: skip
    assert reply.status_code < 300, reply.text
    return reply.json()["access_token"]


def test_without_a_token_the_cases_are_401(api) -> None:
    url, _ = api
    assert httpx.get(f"{url}/reconcile/cases").status_code == 401
    forged = {"_token": "eyJhbGciOiJIUzUxMiJ9.e30.c2lnbmF0dXJl"}
    assert httpx.get(f"{url}/reconcile/cases", cookies=forged).status_code == 401


def test_airflows_token_opens_the_cases_of_the_users_provinces(api) -> None:
    url, _ = api
    bearer = {"Authorization": f"Bearer {token(url, 'an')}"}
    page = httpx.get(f"{url}/reconcile/cases", headers=bearer)
    assert page.status_code == 200 and "Nguyễn Thị An" in page.text
    with httpx.Client(base_url=url, cookies={"_token": token(url, "an")}) as browser:
        assert browser.get("/reconcile/cases").status_code == 200  # the UI's cookie
        assert browser.get(f"/reconcile/cases/{OTHERS}").status_code == 403


def test_an_airflow_user_without_a_mapping_is_403(api) -> None:
    url, _ = api  # even an Airflow admin: what the app shows is the users file's to say
    cookies = {"_token": token(url, "stranger")}
    assert httpx.get(f"{url}/reconcile/cases", cookies=cookies).status_code == 403


def test_a_decision_needs_the_form_token_through_the_api_server(api) -> None:
    url, warehouse = api
    engine = get_engine(warehouse)
    before = decision_count(engine)
    with httpx.Client(base_url=url, cookies={"_token": token(url, "an")}) as browser:
        action = f"/reconcile/cases/{OURS}/decision"
        assert browser.post(action, data={"decision": "in_progress"}).status_code == 403
        assert decision_count(engine) == before
        form = browser.get(f"/reconcile/cases/{OURS}")
        answer = browser.post(action, data={"decision": "in_progress", "note": "qua Airflow",
                                            "csrf_token": csrf_of(form.text)})  # fmt: skip
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].startswith(f"/reconcile/cases/{OURS}")
        assert browser.get("/reconcile/static/style.css").status_code == 200
    assert decision_count(engine) == before + 1


def test_the_api_server_lists_the_plugin_and_its_menu_entry(api) -> None:
    url, _ = api
    admin = {"Authorization": f"Bearer {token(url, 'stranger')}"}
    listed = httpx.get(f"{url}/api/v2/plugins", headers=admin)
    assert listed.status_code == 200, listed.text
    (ours,) = [p for p in listed.json()["plugins"] if p["name"] == "reconcile_web"]
    assert ours["fastapi_apps"][0]["url_prefix"] == "/reconcile"
    assert ours["external_views"][0]["href"] == "/reconcile/cases"
