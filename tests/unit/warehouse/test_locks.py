"""The publish lock: one holder at a time, a clear retryable error for the second, a dead
holder's lock taken over once stale. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from reconcile.errors import Locked
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.locks import held


def test_a_second_holder_is_refused_until_the_first_gives_back(warehouse_url: str) -> None:
    engine = get_engine(warehouse_url)
    with held(engine, "publish:2025Q3:82", holder="run-a"):
        with (
            pytest.raises(Locked, match="publish:2025Q3:82 is being written by run-a") as caught,
            held(engine, "publish:2025Q3:82", holder="run-b"),
        ):
            pass
        assert caught.value.retryable
        # another province is another lock
        with held(engine, "publish:2025Q3:86", holder="run-b"):
            pass
    with held(engine, "publish:2025Q3:82", holder="run-b"), engine.connect() as conn:
        assert conn.execute(select(t.lock.c.holder)).scalars().all() == ["run-b"]
    with engine.connect() as conn:
        assert conn.execute(select(t.lock)).all() == []


def test_a_lock_left_by_a_dead_holder_is_taken_over_when_stale(warehouse_url: str) -> None:
    engine = get_engine(warehouse_url)
    with engine.begin() as conn:
        conn.execute(t.lock.insert().values(name="publish:2025Q3:82", holder="killed",
                                            acquired_at=datetime.now(UTC) - timedelta(hours=2)))  # fmt: skip
    with (
        held(engine, "publish:2025Q3:82", holder="next", stale_after=timedelta(hours=1)),
        engine.connect() as conn,
    ):
        assert conn.execute(select(t.lock.c.holder)).scalar_one() == "next"


def test_publish_waits_for_another_run_of_the_same_province(tmp_path, warehouse_url: str) -> None:
    from reconcile import steps
    from reconcile.quarter import Quarter
    from reconcile.settings import Settings

    settings = Settings.from_env(output_dir=tmp_path / "out", data_dir=tmp_path / "data",
                                 landing_dir=tmp_path / "in", warehouse_url=warehouse_url)  # fmt: skip
    engine = get_engine(warehouse_url)
    with held(engine, "publish:2025Q3:82", holder="other-run"), pytest.raises(Locked):
        steps.publish(settings, Quarter.parse("2025Q3"), "82")
    assert not (tmp_path / "out").exists()
