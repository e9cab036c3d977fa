"""Generated worlds shared by the synth tests (generated once per session, a few seconds)."""

from __future__ import annotations

import pytest
from synth_support import Generated, make, quarters

from reconcile_dev.synth import SynthConfig


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """Two provinces over the 2025 merger: Đồng Tháp (prefixes 12, 14) and Hà Nội (prefix 01)."""
    config = SynthConfig(
        quarters=quarters("2025Q2", "2025Q3"), provinces=("82", "01"), firms=3000, seed=7
    )
    return make(tmp_path_factory.mktemp("world"), config)


@pytest.fixture(scope="session")
def turn_of_year(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """Over a new year: new wage floors from 2026Q1, and m = 4 is not yet 60 days late in Q1."""
    config = SynthConfig(
        quarters=quarters("2025Q4", "2026Q1"), provinces=("86",), firms=1500, seed=11
    )
    return make(tmp_path_factory.mktemp("turn"), config)


@pytest.fixture(scope="session")
def many_files(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """All 34 provinces, small: enough files to measure per-file trouble rates."""
    from reconcile_dev.synth.reference import provinces

    config = SynthConfig(
        quarters=quarters("2025Q3", "2025Q4"), provinces=tuple(provinces()), firms=40, seed=3
    )
    return make(tmp_path_factory.mktemp("many"), config)


@pytest.fixture(params=["world", "turn_of_year"])
def any_world(request: pytest.FixtureRequest) -> Generated:
    return request.getfixturevalue(request.param)
