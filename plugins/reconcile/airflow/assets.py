"""The Airflow assets that tie the DAGs together (one definition, imported by each DAG)."""

from __future__ import annotations

from airflow.sdk import Asset

# each firm's history (warehouse table firm_history): updated by enterprise_changes, read by
# the quarterly run's rules (status as of the quarter's last day) and the weekly outreach
FIRM_HISTORY = Asset(name="firm_history", uri="reconcile://warehouse/firm_history")
