"""Every DAG imports cleanly, and carries tags, retries, a schedule and docs (astro-cli style)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory: pytest.TempPathFactory):
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_every_dag_imports_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert len(dagbag.dags) >= 1


def test_every_dag_has_tags_retries_schedule_and_docs(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md, f"{dag_id} has no doc_md"
        assert dag.description, f"{dag_id} has no description"
        assert dag.timetable.can_be_scheduled, f"{dag_id} has no schedule"
        assert dag.dagrun_timeout is not None, f"{dag_id} has no dagrun_timeout"
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"
            assert task.execution_timeout is not None, f"{dag_id}.{task.task_id}: no timeout"
            assert task.execution_timeout < dag.dagrun_timeout


def test_quarterly_dag_fires_on_the_tenth_after_each_quarter_in_vietnam(dagbag) -> None:
    from croniter import croniter

    timetable = dagbag.dags["quarterly_reconciliation"].timetable
    assert str(timetable.timezone) in ("Asia/Ho_Chi_Minh", "Timezone('Asia/Ho_Chi_Minh')")
    start = datetime(2025, 1, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    fires = croniter(timetable.expression, start)
    fired = [fires.get_next(datetime) for _ in range(4)]
    assert [(d.month, d.day, d.hour) for d in fired] == [
        (1, 10, 6),
        (4, 10, 6),
        (7, 10, 6),
        (10, 10, 6),
    ]
    # each firing processes the quarter that has just closed
    from reconcile.quarter import quarter_closed_before

    assert [str(quarter_closed_before(d)) for d in fired] == [
        "2024Q4",
        "2025Q1",
        "2025Q2",
        "2025Q3",
    ]


def test_quarterly_dag_has_a_quarter_param_and_maps_over_files_and_provinces(dagbag) -> None:
    dag = dagbag.dags["quarterly_reconciliation"]
    assert "quarter" in dag.params
    assert dag.params["quarter"] is None
    mapped = {
        task.task_id
        for task in dag.tasks
        if getattr(task, "is_mapped", False) or task.get_closest_mapped_task_group() is not None
    }
    assert {
        "ingest",
        "province.load",
        "province.link",
        "province.rules",
        "province.publish",
    } <= mapped
    task_ids = {task.task_id for task in dag.tasks}
    assert {"decide_quarter", "fetch_from_api", "land", "summarise"} <= task_ids
    assert "fetch_from_api" in dag.task_dict["land"].upstream_task_ids
    for step in ("load", "link", "rules", "publish"):
        assert dag.task_dict[f"province.{step}"].pool == "warehouse"


def test_parsing_the_dags_imports_no_heavy_library() -> None:
    """The scheduler parses DAG files often: pandas and Great Expectations load only in tasks."""
    import subprocess
    import sys

    code = (
        "import sys, runpy; sys.path[:0] = ['plugins', 'dags'];"
        "[runpy.run_path(str(p)) for p in __import__('pathlib').Path('dags').glob('*.py')];"
        "print(sorted(m for m in ('pandas', 'great_expectations', 'openpyxl') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_the_change_notices_run_daily_and_the_outreach_on_mondays_in_vietnam(dagbag) -> None:
    from croniter import croniter

    start = datetime(2025, 9, 24, 12, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # a Wednesday
    for dag_id, expected in (
        ("enterprise_changes", [(9, 25, 7, 3), (9, 26, 7, 4), (9, 27, 7, 5)]),
        ("new_firm_outreach", [(9, 29, 7, 0), (10, 6, 7, 0), (10, 13, 7, 0)]),
    ):
        timetable = dagbag.dags[dag_id].timetable
        assert str(timetable.timezone) in ("Asia/Ho_Chi_Minh", "Timezone('Asia/Ho_Chi_Minh')")
        fires = croniter(timetable.expression, start)
        fired = [fires.get_next(datetime) for _ in range(3)]
        assert [(d.month, d.day, d.hour, d.weekday()) for d in fired] == expected, dag_id
        assert "day" in dagbag.dags[dag_id].params
        assert dagbag.dags[dag_id].max_active_runs == 1


def test_the_firm_history_asset_ties_the_three_dags(dagbag) -> None:
    from reconcile.airflow.shared import FIRM_HISTORY

    def names(items) -> set[str]:
        return {getattr(item, "name", None) for item in items}

    changes = dagbag.dags["enterprise_changes"]
    assert FIRM_HISTORY.name in names(changes.get_task("history").outlets)
    assert changes.get_task("ingest").is_mapped
    assert changes.get_task("history").trigger_rule == "all_done"
    assert "fetch_from_api" in changes.get_task("land").upstream_task_ids
    outreach = dagbag.dags["new_firm_outreach"]
    assert FIRM_HISTORY.name in names(outreach.get_task("publish").inlets)
    quarterly = dagbag.dags["quarterly_reconciliation"]
    assert FIRM_HISTORY.name in names(quarterly.get_task("province.rules").inlets)


def test_the_quarter_param_takes_the_one_quarter_syntax(dagbag) -> None:
    import jsonschema

    from reconcile.quarter import QUARTER_PATTERN

    schema = dagbag.dags["quarterly_reconciliation"].params.get_param("quarter").schema
    assert schema["pattern"] == QUARTER_PATTERN
    for written, valid in (("2025Q3", True), ("2025q3", True), ("2025-Q3", False),
                           ("2025Q5", False), (None, True)):  # fmt: skip
        try:
            jsonschema.validate(written, schema)
            took = True
        except jsonschema.ValidationError:
            took = False
        assert took is valid, written


def test_mapped_tasks_are_named_by_province_or_file(dagbag) -> None:
    quarterly = dagbag.dags["quarterly_reconciliation"]
    for task_id in ("province.load", "province.link", "province.rules", "province.publish"):
        assert quarterly.get_task(task_id).map_index_template == "{{ province }}", task_id
    assert quarterly.get_task("ingest").map_index_template == "{{ file_name }}"
    changes = dagbag.dags["enterprise_changes"]
    assert changes.get_task("ingest").map_index_template == "{{ file_name }}"
    provinces = quarterly.params.get_param("provinces").schema
    assert provinces["type"] == ["null", "array"] and provinces["items"]["pattern"]


def test_the_quarter_publishes_its_outputs_as_assets(dagbag) -> None:
    from reconcile.airflow.shared import CASE_WORKBOOKS, QUALITY_REPORT

    quarterly = dagbag.dags["quarterly_reconciliation"]
    outlets = {t: {a.name for a in quarterly.get_task(t).outlets} for t in
               ("province.publish", "summarise")}  # fmt: skip
    assert outlets == {"province.publish": {CASE_WORKBOOKS.name},
                       "summarise": {QUALITY_REPORT.name}}  # fmt: skip
