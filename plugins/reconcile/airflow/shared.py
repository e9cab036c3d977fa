"""What the DAGs share: the asset that ties them, and the ``day`` param of the daily and weekly
runs (one definition, imported by each DAG)."""

from __future__ import annotations

from typing import Any

from airflow.sdk import Asset, Param

# each firm's history (warehouse table firm_history): updated by enterprise_changes, read by
# the quarterly run's rules (status as of the quarter's last day) and the weekly outreach
FIRM_HISTORY = Asset(name="firm_history", uri="reconcile://warehouse/firm_history")
# what the quarter publishes: each province's inspectors' workbook, and the quarter's
# data-quality report with summary.json (a downstream DAG can be scheduled on them)
CASE_WORKBOOKS = Asset(name="case_workbooks", uri="reconcile://output/case_workbooks")
QUALITY_REPORT = Asset(name="quality_report", uri="reconcile://output/quality_report")


def day_param(what: str) -> Param:
    """The ``day`` param (YYYY-MM-DD) of a daily or weekly run; empty: the run's own day."""
    return Param(
        None,
        type=["null", "string"],
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description=f"{what} (YYYY-MM-DD). Empty: the run's day.",
    )


def alerting() -> dict[str, Any]:
    """``on_failure_callback`` for a DAG's ``default_args``: an e-mail to the configured
    recipients when a task fails for good (``reconcile.airflow.alerts``); nothing when no one is
    configured. Read when the DAG is parsed, so a wrong configuration fails the import loudly."""
    from reconcile.airflow.alerts import failure_notifiers
    from reconcile.settings import Settings

    notifiers = failure_notifiers(Settings.from_env().options)
    return {"on_failure_callback": notifiers} if notifiers else {}


def deadline() -> Any:
    """The quarterly DAG's ``deadline``: an e-mail when a run has not finished in the configured
    time (``alerts.run_deadline_minutes``, reconcile.airflow.alerts); none when no one is told."""
    from reconcile.airflow.alerts import run_deadline
    from reconcile.settings import Settings

    return run_deadline(Settings.from_env().options)
