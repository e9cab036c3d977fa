"""
### Chase the partners' feeds before the quarterly run

Every morning. From the due day of the month after a quarter closes (`feeds_due_day`, default
the 5th; the quarterly run fires on the 10th) to the end of that month, checks that each of the
agency's provinces has a file of every required feed (tax department, business registry, the
agency's own roll) in the quarter's landing folder. If one is missing, the task fails and the
data team is e-mailed (`alerts` in the settings) with the partner, the province and the
quarter: once a day until the file comes. Outside those days, the task succeeds doing nothing.

A manual run can check any quarter as of any day (`quarter` and `day` params).
The work is in `reconcile.arrivals`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task

from reconcile.airflow import tasks
from reconcile.airflow.shared import alerting, day_param
from reconcile.quarter import LOCAL_TZ, QUARTER_PATTERN


@dag(
    dag_id="feed_arrivals",
    schedule=CronTriggerTimetable("0 8 * * *", timezone="Asia/Ho_Chi_Minh"),
    start_date=datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    description="Every morning in the month after a quarter: tell the data team which "
    "partner's feed has not arrived for which province",
    # a missing file fails the task at once (AirflowFailException: a file does not arrive in the
    # minutes between tries; tomorrow's run asks again); the retry is for anything else
    default_args={
        "retries": 1,
        "owner": "bhxh-data",
        "execution_timeout": timedelta(minutes=10),
        **alerting(),
    },
    params={
        "day": day_param("Check as of this day"),
        "quarter": Param(
            None,
            type=["null", "string"],
            pattern=QUARTER_PATTERN,
            description="Check this quarter (e.g. 2025Q3). Empty: the quarter whose feeds are "
            "due, if any.",
        ),
    },
    tags=["bhxh", "feeds", "daily"],
    doc_md=__doc__,
)
def feed_arrivals() -> None:
    @task
    def chase_missing_feeds() -> dict:
        return tasks.chase_missing_feeds(get_current_context())

    chase_missing_feeds()


feed_arrivals()
