"""Helpers the DAG's tasks share: settings inside Airflow and the quarter of the running DAG run."""

from __future__ import annotations

from typing import Any

from reconcile.airflow.hooks import warehouse_url_from_connection
from reconcile.quarter import Quarter, resolve_quarter
from reconcile.settings import Settings


def settings() -> Settings:
    """Settings from the environment, with the warehouse from an Airflow connection if named."""
    return Settings.from_env(warehouse_url=warehouse_url_from_connection())


def quarter_of(context: dict[str, Any]) -> Quarter:
    """The quarter this DAG run processes: the ``quarter`` param, else the one before its logical date."""
    params = context.get("params") or {}
    return resolve_quarter(params.get("quarter"), context.get("logical_date"))
