"""
### Weekly outreach list for new firms, every Monday

For each province, the firms registered in the last 60 days that declare employees and are not
on the employer roll, ordered by the days left in their 30-day registration window (Social
Insurance Law 41/2024 Art. 28(1)): reach them while they can still register in time. A second
sheet lists the firms closed this week (dissolved, bankrupt, revoked, tax code closed) whose
units still pay, declare employees or owe: close their books now, not next quarter.

Reads the `firm_history` asset (enterprise_changes) and the latest roll in the warehouse;
writes `<output>/outreach/<day>/<province>/outreach_<province>_<day>.xlsx`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronTriggerTimetable, dag, get_current_context, task

from reconcile.airflow import tasks
from reconcile.airflow.shared import FIRM_HISTORY, alerting, day_param
from reconcile.quarter import LOCAL_TZ


@dag(
    dag_id="new_firm_outreach",
    schedule=CronTriggerTimetable("30 7 * * 1", timezone="Asia/Ho_Chi_Minh"),
    start_date=datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=3),
    description="Every Monday: new firms to reach in their registration window, closed firms "
    "to close, per province",
    default_args={
        "retries": 2,
        "owner": "bhxh-data",
        "execution_timeout": timedelta(hours=1),
        **alerting(),
    },
    params={"day": day_param("The list for the week ending this day")},
    tags=["bhxh", "outreach", "weekly"],
    doc_md=__doc__,
)
def new_firm_outreach() -> None:
    @task
    def decide_day() -> str:
        return tasks.day_of(get_current_context()).isoformat()

    @task(inlets=[FIRM_HISTORY])
    def publish(day: str) -> dict:
        return tasks.publish_outreach(day)

    publish(decide_day())


new_firm_outreach()
