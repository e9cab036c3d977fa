"""Fixtures: the small warehouse (web_warehouse.py) on SQLite and PostgreSQL, signed-in clients.

The warehouse comes from the shared ``warehouse_url`` fixture (tests/conftest.py): a SQLite
file, then a fresh PostgreSQL database (skipped with a reason when no server answers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from web_warehouse import PASSWORDS, SECRET, csrf_of, fill, users_mapping

from reconcile.warehouse.engine import get_engine
from reconcile.web.app import create_app
from reconcile.web.auth import load_users


@pytest.fixture
def engine(warehouse_url: str) -> Engine:
    engine = get_engine(warehouse_url)
    fill(engine)
    return engine


@pytest.fixture
def users() -> dict:
    return load_users(users_mapping())


@pytest.fixture
def app(engine: Engine, users: dict):
    return create_app(engine, users, secret_key=SECRET)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def sign_in(app) -> Callable[[str], TestClient]:
    """A client signed in as ``username`` (a new one per call: its own cookie jar)."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        test_client = TestClient(app, follow_redirects=False)
        clients.append(test_client)
        form = test_client.get("/login")
        answer = test_client.post(
            "/login",
            data={"username": username, "password": PASSWORDS[username],
                  "csrf_token": csrf_of(form.text)},
        )  # fmt: skip
        assert answer.status_code == 303, answer.text
        return test_client

    yield make
    for test_client in clients:
        test_client.close()
