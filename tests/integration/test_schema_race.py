"""Several tasks starting at once on an empty warehouse must not trip over its creation: the
migration holds a lock (PostgreSQL's advisory lock, SQLite's write lock), so one creates it and
the others find it current."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from sqlalchemy import create_engine, inspect, text


def _create(url: str) -> None:
    from reconcile.warehouse.engine import create_schema

    engine = create_engine(url)
    create_schema(engine)
    engine.dispose()


def test_concurrent_schema_creation(warehouse_url: str, tmp_path: Path) -> None:
    from reconcile.warehouse.migrate import head_revision
    from reconcile.warehouse.schema import metadata

    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_create, args=(warehouse_url,)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    engine = create_engine(warehouse_url)
    try:
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [row[0] for row in versions] == [head_revision()]  # stamped once, at head
    finally:
        engine.dispose()
