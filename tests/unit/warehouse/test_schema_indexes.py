"""A warehouse created before an index joined the schema gets it on first use."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from reconcile.warehouse.engine import create_schema
from reconcile.warehouse.schema import metadata


def test_an_index_missing_from_an_existing_warehouse_is_created(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    create_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_finding_case"))
    assert "ix_finding_case" not in {i["name"] for i in inspect(engine).get_indexes("finding")}

    create_schema(engine)

    for table in metadata.sorted_tables:
        names = {i["name"] for i in inspect(engine).get_indexes(table.name)}
        assert {index.name for index in table.indexes} <= names, table.name
