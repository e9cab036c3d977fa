"""``bench pipeline`` on a tiny generated quarter: every task is counted, measured and right.

The figures themselves are never asserted (shared, noisy machines); what is checked is what a
wrong benchmark would get wrong: a stage missing or run for the wrong tasks, a task whose peak
memory was not measured, counts that are not the warehouse's, or a run whose rows differ from
the pipeline's own in one process. Tasks start from a forkserver that imported the heavy
modules once, so the test does not pay Great Expectations' import in every task.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconcile.pipeline import run_quarter
from reconcile.quarter import Quarter
from reconcile.settings import Settings
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame
from reconcile_dev.bench.pipeline import STAGES, bench_pipeline, format_report

PROVINCES = ("01", "82")
TABLES = ("firm", "employer_unit", "link", "finding")


def _rows(url: str, table: str) -> list[tuple[str, ...]]:
    with get_engine(url).connect() as conn:
        frame = read_frame(conn, getattr(t, table), quarter="2025Q3")
    return sorted(tuple(str(v) for v in row) for row in frame.itertuples(index=False))


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path, str]:
    base = tmp_path_factory.mktemp("bench_pipeline")
    url = f"sqlite:///{base / 'bench.db'}"
    report = bench_pipeline(
        firms=300,
        provinces=",".join(PROVINCES),
        seed=42,
        workers=2,  # SQLite: falls back to one task at a time, with a note
        folder=base / "feeds",
        warehouse_url=url,
        start_method="forkserver",
    )
    return report, base, url


def test_every_stage_runs_its_tasks(bench: tuple) -> None:
    report, base, url = bench
    assert [s.stage for s in report.stages] == list(STAGES)
    landed = sorted((base / "feeds" / "landing" / "2025Q3").rglob("*.*"))
    assert report.files == len(landed) == 6  # tax, registry, roll for each province
    assert report.stage("land").tasks == 1
    assert sorted(report.stage("ingest").seconds) == sorted(p.name for p in landed)
    for name in ("load", "link", "rules", "publish"):
        assert sorted(report.stage(name).seconds) == list(PROVINCES), name
    assert report.stage("summarise").tasks == 1
    assert report.workers == 1 and any("SQLite" in note for note in report.notes)
    with get_engine(url).connect() as conn:
        files = read_frame(conn, t.feed_file, quarter="2025Q3")
    assert set(files["status"]) == {"loaded"}
    assert report.summary["files"]["in_warehouse"] == len(files)


def test_every_task_has_a_time_and_a_peak(bench: tuple) -> None:
    report, _, _ = bench
    for stage in report.stages:
        assert stage.tasks and set(stage.peak_mb) == set(stage.seconds), stage.stage
        assert all(mb > 0 for mb in stage.peak_mb.values()), stage.stage
        assert all(seconds >= 0 for seconds in stage.seconds.values()), stage.stage
        assert stage.wall_seconds > 0
    stage, key, mb = report.largest_task
    assert mb == max(max(s.peak_mb.values()) for s in report.stages)
    assert report.within_limit  # a tiny quarter is far below 8 GB
    text = format_report(report)
    assert "OK (" in text and "summarise" in text
    assert report.as_dict()["largest_task"] == {
        "stage": stage,
        "task": key,
        "peak_mb": round(mb, 1),
    }


def test_counts_are_the_warehouse_rows(bench: tuple) -> None:
    report, _, url = bench
    assert set(report.warehouse_rows) == set(TABLES)
    for table in TABLES:
        assert report.warehouse_rows[table] == len(_rows(url, table)), table
    assert report.firms == report.warehouse_rows["firm"] > 0
    assert report.units == report.warehouse_rows["employer_unit"] > 0
    assert report.warehouse_rows["link"] > 0 and report.warehouse_rows["finding"] > 0
    assert report.feed_rows == report.rows_accepted + report.rows_quarantined


def test_same_rows_as_the_pipeline_in_one_process(bench: tuple, tmp_path: Path) -> None:
    _, base, url = bench
    settings = Settings.from_env(
        landing_dir=base / "feeds" / "landing",
        data_dir=tmp_path / "data",
        output_dir=tmp_path / "output",
        warehouse_url=f"sqlite:///{tmp_path / 'one.db'}",
    )
    run_quarter(settings, Quarter.parse("2025Q3"), "one-process")
    for table in TABLES:
        assert _rows(url, table) == _rows(settings.warehouse_url, table), table
