"""Fixtures of the partner API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """No proxies and no ~/.netrc from the environment: traffic stays on loopback."""
    with requests.Session() as s:
        s.trust_env = False
        yield s
