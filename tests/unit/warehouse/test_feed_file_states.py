"""A landed file's moves (``warehouse.feed_files``): landed, replaced by a corrected file of
the same name, loaded with what was read, failed; and the reads the steps make of them. On
SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from reconcile.warehouse import feed_files, readiness
from reconcile.warehouse.engine import get_engine


def _land(conn, tmp_path: Path, file_id: str, name: str = "roll_82_2025Q3.csv") -> list[str]:
    copy = tmp_path / f"{file_id}_{name}"
    copy.write_bytes(b"ma_dvi\n" + file_id.encode())
    where = ("2025Q3", "82", "roll", name)
    replaced = feed_files.replace_earlier(conn, file_id, *where)
    feed_files.record_landed(conn, file_id, *where, stored_path=copy, replaces=replaced)
    return replaced


def test_a_file_lands_loads_and_a_corrected_one_replaces_it(
    tmp_path: Path, warehouse_url: str
) -> None:
    engine = get_engine(warehouse_url)
    with engine.begin() as conn:
        assert feed_files.status_of(conn, "a" * 64) is None
        assert _land(conn, tmp_path, "a" * 64) == []
        assert feed_files.status_of(conn, "a" * 64) == "landed"
        assert feed_files.to_ingest(conn, "2025Q3") == ["a" * 64]
        assert feed_files.provinces_with_files(conn, "2025Q3") == ["82"]
        assert feed_files.has_quarterly_files(conn, "2025Q3")
        assert not feed_files.has_quarterly_files(conn, "2025Q4")

        first = feed_files.get(conn, "a" * 64)
        assert first is not None and first.status == "landed" and first.message is None
        feed_files.mark_loaded(conn, first, feed_files.ReadCounts("utf-8", 1, 3, 2, 1))
        assert feed_files.loaded_among(conn, ["a" * 64, "f" * 64]) == ["a" * 64]

        assert _land(conn, tmp_path, "b" * 64) == ["a" * 64]
        old, new = feed_files.get(conn, "a" * 64), feed_files.get(conn, "b" * 64)
    assert old is not None and old.status == "replaced"
    assert old.message is not None and old.message.startswith(f"replaced by {'b' * 64} ")
    assert new is not None and new.status == "landed" and new.message == f"replaces {'a' * 64}"
    with engine.begin() as conn:
        # loaded, the correction keeps its note of what it replaced
        feed_files.mark_loaded(conn, new, feed_files.ReadCounts(None, 1, 2, 2, 0))
        files = feed_files.files_frame(conn, "2025Q3", "82").set_index("file_id")
    assert files.at["b" * 64, "status"] == "loaded"
    assert files.at["b" * 64, "message"] == f"replaces {'a' * 64}"
    assert files.at["b" * 64, "rows_accepted"] == 2


def test_a_failed_file_blocks_its_province_until_a_person_acts(
    tmp_path: Path, warehouse_url: str
) -> None:
    engine = get_engine(warehouse_url)
    with engine.begin() as conn:
        _land(conn, tmp_path, "c" * 64)
        feed_files.mark_failed(conn, "c" * 64, "roll_82_2025Q3.csv: not a text file")
        state = readiness.province_readiness(conn, "2025Q3", "82", {})
        assert state.blocked and [g.kind for g in state.blocking] == [
            "missing",
            "missing",
            "failed",
        ]
        assert feed_files.to_ingest(conn, "2025Q3") == []
        feed_files.reject(conn, "c" * 8, "sent by mistake", by="tester")
        assert feed_files.status_of(conn, "c" * 64) == "rejected"
        state = readiness.province_readiness(conn, "2025Q3", "82", {"required_feeds": ["roll"]})
        assert [g.kind for g in state.gaps] == ["missing"]
