"""
### Enterprise change notices, every day

The business registry and the tax department pass on each change of an enterprise as it is
recorded (Decree 122/2020 Art. 5, now Decree 168/2025): new registrations, changes of name,
address or representative, suspensions, resumptions, dissolutions, bankruptcies, tax codes
closed. They land under `<landing>/changes/<YYYY-MM-DD>/` (CSV, XLSX or JSON lines).

Every morning (Asia/Ho_Chi_Minh): fetch (the partner API's notices since the kept cursor, when
`partner_api.changes` is configured) → land → ingest (mapped over files: read, validate, quarantine,
stage, as the quarterly feeds) → history. `land` takes every day folder up to the run's day
that holds a file not landed before, so a missed day is caught up by the next run. `history`
rebuilds, from every notice and quarterly snapshot known of them, the periods of each firm
the new notices are about: late, resent, out-of-order and withdrawn notices give the same
history (docs/changes.md). It updates the `firm_history` asset, which the quarterly run's
rules and the weekly `new_firm_outreach` read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronTriggerTimetable, dag, get_current_context, task

from reconcile.airflow import tasks
from reconcile.airflow.shared import FIRM_HISTORY, alerting, day_param
from reconcile.quarter import LOCAL_TZ


@dag(
    dag_id="enterprise_changes",
    schedule=CronTriggerTimetable("0 7 * * *", timezone="Asia/Ho_Chi_Minh"),
    start_date=datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,  # one history writer at a time
    dagrun_timeout=timedelta(hours=6),
    description="Every day: the registry's and tax department's change notices into each "
    "firm's history",
    default_args={
        "retries": 2,
        "owner": "bhxh-data",
        "execution_timeout": timedelta(hours=1),
        **alerting(),
    },
    params={"day": day_param("Take the notices up to this day")},
    tags=["bhxh", "changes", "daily"],
    doc_md=__doc__,
)
def enterprise_changes() -> None:
    # the warehouse's tables brought to this code's version first (Alembic migrations)
    @task
    def upgrade_warehouse() -> dict:
        return tasks.upgrade_warehouse()

    @task
    def decide_day() -> str:
        return tasks.day_of(get_current_context()).isoformat()

    @task
    def fetch_from_api(day: str) -> dict:
        return tasks.fetch_changes(day)

    @task
    def land(day: str) -> dict:
        return tasks.land_changes(day)

    @task
    def files_to_ingest(landing: dict) -> list[str]:
        return landing["to_ingest"]

    @task(map_index_template="{{ file_name }}")
    def ingest(file_id: str) -> str:
        tasks.ingest(file_id, get_current_context())
        return file_id

    # all_done: one refused file does not keep the others' notices out of the history
    @task(trigger_rule="all_done", outlets=[FIRM_HISTORY])
    def history(landing: dict) -> dict:
        return tasks.update_history(landing["to_ingest"])

    day = decide_day()
    upgrade_warehouse() >> day
    landing = land(day)
    fetch_from_api(day) >> landing
    ingested = ingest.expand(file_id=files_to_ingest(landing))
    ingested >> history(landing)


enterprise_changes()
