"""Several tasks starting at once on an empty warehouse must not trip over table creation."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from sqlalchemy import create_engine, inspect


def _create(url: str) -> None:
    from reconcile.warehouse.engine import create_schema

    engine = create_engine(url)
    create_schema(engine)
    engine.dispose()


def test_concurrent_schema_creation(warehouse_url: str, tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_create, args=(warehouse_url,)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    tables = set(inspect(create_engine(warehouse_url)).get_table_names())
    assert {
        "feed_file",
        "firm",
        "employer_unit",
        "link",
        "finding",
        "case",
        "case_status",
    } <= tables
