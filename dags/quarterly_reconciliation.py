"""
### Quarterly reconciliation of enterprises against the BHXH employer roll

Fires on the 10th of January, April, July and October (Asia/Ho_Chi_Minh) and processes the
quarter that has just closed; a manual run takes the quarter from the `quarter` param
(`2025Q3`). The quarter is decided once, in the first task (`reconcile.quarter`).

land → ingest (mapped over files: read, validate, quarantine, stage) → per province (mapped):
load → link → rules → publish → summary. Data moves through the warehouse; XCom carries
only file ids, provinces and small summaries. Every step replaces its own partition, so a
rerun of any task gives the same rows. The work is in the `reconcile` package (`plugins/`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task, task_group

from reconcile.quarter import LOCAL_TZ

QUARTER_PATTERN = r"^\d{4}Q[1-4]$"


@dag(
    dag_id="quarterly_reconciliation",
    schedule=CronTriggerTimetable("0 6 10 1,4,7,10 *", timezone="Asia/Ho_Chi_Minh"),
    start_date=datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
    catchup=False,
    max_active_runs=2,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2), "owner": "bhxh-data"},
    params={
        "quarter": Param(
            None,
            type=["null", "string"],
            pattern=QUARTER_PATTERN,
            description="Quarter to process, e.g. 2025Q3. Empty: the quarter before the run's date.",
        )
    },
    tags=["bhxh", "reconciliation", "quarterly"],
    doc_md=__doc__,
)
def quarterly_reconciliation() -> None:
    @task
    def decide_quarter() -> str:
        from reconcile.airflow.tasks import quarter_of, settings
        from reconcile.steps import start_run

        context = get_current_context()
        quarter = quarter_of(context)
        start_run(settings(), quarter, context["run_id"])
        return str(quarter)

    @task
    def land(quarter: str) -> dict:
        from reconcile.airflow.hooks import LandingZoneHook
        from reconcile.airflow.tasks import settings
        from reconcile.quarter import Quarter
        from reconcile.steps import land as land_files

        config = settings()
        zone = LandingZoneHook(config.landing_dir).get_conn()
        return land_files(config, Quarter.parse(quarter), zone)

    @task
    def files_to_ingest(landing: dict) -> list[str]:
        return landing["to_ingest"]

    @task(map_index_template="{{ task.op_kwargs['file_id'][:12] }}")
    def ingest(file_id: str) -> dict:
        from reconcile.airflow.tasks import settings
        from reconcile.steps import ingest as ingest_file

        return ingest_file(settings(), file_id)

    @task(trigger_rule="none_failed")
    def provinces(landing: dict) -> list[str]:
        return landing["provinces"]

    @task_group
    def province(province: str, quarter: str) -> None:
        @task
        def load(province: str, quarter: str) -> dict:
            from reconcile.airflow.tasks import settings
            from reconcile.quarter import Quarter
            from reconcile.steps import load as load_partition

            return load_partition(settings(), Quarter.parse(quarter), province)

        @task
        def link(loaded: dict, quarter: str) -> dict:
            from reconcile.airflow.tasks import settings
            from reconcile.quarter import Quarter
            from reconcile.steps import link as link_partition

            return link_partition(settings(), Quarter.parse(quarter), loaded["province"])

        @task
        def rules(linked: dict, quarter: str) -> dict:
            from reconcile.airflow.tasks import settings
            from reconcile.quarter import Quarter
            from reconcile.steps import apply_rules

            return apply_rules(settings(), Quarter.parse(quarter), linked["province"])

        @task
        def publish(flagged: dict, quarter: str) -> dict:
            from reconcile.airflow.tasks import settings
            from reconcile.quarter import Quarter
            from reconcile.steps import publish as publish_partition

            return publish_partition(settings(), Quarter.parse(quarter), flagged["province"])

        publish(rules(link(load(province, quarter), quarter), quarter), quarter)

    @task(trigger_rule="none_failed")
    def summarise(quarter: str, landing: dict) -> dict:
        from reconcile.airflow.tasks import settings
        from reconcile.quarter import Quarter
        from reconcile.steps import summarise as write_summary

        return write_summary(
            settings(), Quarter.parse(quarter), get_current_context()["run_id"], landing
        )

    quarter = decide_quarter()
    landing = land(quarter)
    ingested = ingest.expand(file_id=files_to_ingest(landing))
    wanted = provinces(landing)
    ingested >> wanted
    per_province = province.partial(quarter=quarter).expand(province=wanted)
    per_province >> summarise(quarter, landing)


quarterly_reconciliation()
