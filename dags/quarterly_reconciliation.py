"""
### Quarterly reconciliation of enterprises against the BHXH employer roll

Fires on the 10th of January, April, July and October (Asia/Ho_Chi_Minh) and processes the
quarter that has just closed; a manual run takes the quarter from the `quarter` param
(`2025Q3`). The quarter is decided once, in the first task (`reconcile.quarter`).

upgrade the warehouse (migrations) → decide the quarter → fetch (partner API, if configured) → land → ingest (mapped over files: read, validate, quarantine, stage) → per province (mapped):
load → link → rules → publish → summary → verdict. Data moves through the warehouse; XCom carries
only file ids, provinces and small summaries. Every step replaces its own partition, so a
rerun of any task gives the same rows. The work is in the `reconcile` package (`plugins/`).

One partner's bad file stops nothing else: its ingest task fails (at once, without retries),
every province still runs, a province whose feeds are not whole publishes a workbook saying so
instead of cases, and `verdict` fails the run at the end so that somebody looks
(docs/operations.md: getting past a bad file).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task, task_group

from reconcile.airflow import tasks
from reconcile.airflow.shared import (
    CASE_WORKBOOKS,
    FIRM_HISTORY,
    QUALITY_REPORT,
    alerting,
    deadline,
)
from reconcile.quarter import LOCAL_TZ, QUARTER_PATTERN

WAREHOUSE_POOL = "warehouse"  # created by `make demo` and by airflow-init in docker-compose.yaml
# a task still running after this is stopped (the national link of a province takes minutes),
# a run after that (the stale-run limit of the settings is the same 12 hours)
TASK_TIMEOUT = timedelta(hours=2)
RUN_TIMEOUT = timedelta(hours=12)


@dag(
    dag_id="quarterly_reconciliation",
    schedule=CronTriggerTimetable("0 6 10 1,4,7,10 *", timezone="Asia/Ho_Chi_Minh"),
    start_date=datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
    catchup=False,
    max_active_runs=2,
    dagrun_timeout=RUN_TIMEOUT,
    # an e-mail when a run has not finished in the configured time (it goes on until the
    # timeout above); no recipients configured, no deadline
    deadline=deadline(),
    description="Each quarter: partner feeds in, firms linked to employer units, findings under "
    "Law 41/2024 out to inspectors, per province",
    # the wait between tries is the deployment's ([core] default_task_retry_delay: 120 s in the
    # compose file): a task cut off with its worker is retried on another one after that wait
    default_args={
        "retries": 2,
        "owner": "bhxh-data",
        "execution_timeout": TASK_TIMEOUT,
        **alerting(),
    },
    params={
        "quarter": Param(
            None,
            type=["null", "string"],
            pattern=QUARTER_PATTERN,
            description="Quarter to process, e.g. 2025Q3. Empty: the quarter before the run's date.",
        ),
        "provinces": Param(
            None,
            type=["null", "array"],
            items={"type": "string", "pattern": "^[0-9]{2}$"},
            description="Only these provinces (new two-digit codes, e.g. 82). Empty: every "
            "province with files.",
        ),
    },
    tags=["bhxh", "reconciliation", "quarterly"],
    doc_md=__doc__,
)
def quarterly_reconciliation() -> None:
    # the warehouse's tables brought to this code's version first (Alembic migrations)
    @task
    def upgrade_warehouse() -> dict:
        return tasks.upgrade_warehouse()

    @task
    def decide_quarter() -> str:
        return tasks.decide_quarter(get_current_context())

    @task
    def fetch_from_api(quarter: str) -> dict:
        return tasks.fetch_from_api(quarter)

    @task
    def land(quarter: str) -> dict:
        return tasks.land(quarter)

    @task
    def files_to_ingest(landing: dict) -> list[str]:
        return landing["to_ingest"]

    # the UI names each mapped task by its file and its province, not 0, 1, 2
    @task(map_index_template="{{ file_name }}")
    def ingest(file_id: str) -> dict:
        return tasks.ingest(file_id, get_current_context())

    # all_done: a refused file fails its own ingest task, not the provinces that do not need it
    @task(trigger_rule="all_done")
    def provinces(landing: dict) -> list[str]:
        return tasks.chosen_provinces(landing, get_current_context())

    @task_group
    def province(province: str, quarter: str) -> None:
        # each province's steps write its own partition; the "warehouse" pool caps how many
        # run against the warehouse at once across the workers
        @task(pool=WAREHOUSE_POOL, map_index_template="{{ province }}")
        def load(province: str, quarter: str) -> str:
            tasks.load(province, quarter, get_current_context())
            return province

        @task(pool=WAREHOUSE_POOL, map_index_template="{{ province }}")
        def link(province: str, quarter: str) -> str:
            tasks.link(province, quarter, get_current_context())
            return province

        # the firms' status as of the quarter's last day comes from their history too
        @task(pool=WAREHOUSE_POOL, inlets=[FIRM_HISTORY], map_index_template="{{ province }}")
        def rules(province: str, quarter: str) -> str:
            tasks.rules(province, quarter, get_current_context())
            return province

        @task(pool=WAREHOUSE_POOL, map_index_template="{{ province }}", outlets=[CASE_WORKBOOKS])
        def publish(province: str, quarter: str) -> dict:
            return tasks.publish(province, quarter, get_current_context())

        publish(rules(link(load(province, quarter), quarter), quarter), quarter)

    @task(trigger_rule="all_done", outlets=[QUALITY_REPORT])
    def summarise(quarter: str, landing: dict) -> dict:
        return tasks.summarise(quarter, landing, get_current_context()["run_id"])

    # none_failed: a failed ingest or province task makes the run fail, after the summary (and
    # an ingest skipped for want of new files does not skip the verdict)
    @task(trigger_rule="none_failed")
    def verdict(summary: dict) -> dict:
        return tasks.verdict(summary)

    quarter = decide_quarter()
    upgrade_warehouse() >> quarter
    landing = land(quarter)
    fetch_from_api(quarter) >> landing
    ingested = ingest.expand(file_id=files_to_ingest(landing))
    wanted = provinces(landing)
    ingested >> wanted
    per_province = province.partial(quarter=quarter).expand(province=wanted)
    summary = summarise(quarter, landing)
    per_province >> summary
    [ingested, per_province] >> verdict(summary)


quarterly_reconciliation()
